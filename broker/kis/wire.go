package kis

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/internal/redact"
)

// KIS sends every number in a REST output as a JSON string ("65850",
// "-150", "13.30", "71000.0000"). These helpers parse them at the edge.

var errNumber = errors.New("not a number")

// parseWon reads a whole number of won or shares. It accepts an optional
// sign, surrounding spaces and a decimal fraction, which is rounded half
// away from zero (average prices come as "71033.3333"). The empty string
// is 0: KIS leaves unused fields blank.
func parseWon(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	neg := false
	switch s[0] {
	case '+':
		s = s[1:]
	case '-':
		neg = true
		s = s[1:]
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" && (!hasDot || frac == "") {
		return 0, errNumber
	}
	var n int64
	for i := 0; i < len(intPart); i++ {
		c := intPart[i]
		if c < '0' || c > '9' {
			return 0, errNumber
		}
		d := int64(c - '0')
		if n > (math.MaxInt64-d)/10 {
			return 0, errNumber
		}
		n = n*10 + d
	}
	for i := 0; i < len(frac); i++ {
		if frac[i] < '0' || frac[i] > '9' {
			return 0, errNumber
		}
	}
	if frac != "" && frac[0] >= '5' {
		if n == math.MaxInt64 {
			return 0, errNumber
		}
		n++
	}
	if neg {
		n = -n
	}
	return n, nil
}

// parseRatio reads a percentage or ratio such as "-0.23"; empty is 0.
func parseRatio(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, errNumber
	}
	return f, nil
}

// fields collects the first parse failure so a decoder can parse many
// fields and check once.
type fields struct {
	bad string // name of the first field that failed
}

func (f *fields) won(name, s string) int64 {
	n, err := parseWon(s)
	if err != nil && f.bad == "" {
		f.bad = name + "=" + strconv.Quote(s)
	}
	return n
}

func (f *fields) ratio(name, s string) float64 {
	n, err := parseRatio(s)
	if err != nil && f.bad == "" {
		f.bad = name + "=" + strconv.Quote(s)
	}
	return n
}

// envelope is the head of every KIS REST answer.
type envelope struct {
	RtCd  string `json:"rt_cd"`
	MsgCd string `json:"msg_cd"`
	Msg1  string `json:"msg1"`
}

// quoteOutput is the part of inquire-price's output hoga uses.
type quoteOutput struct {
	StckPrpr     string `json:"stck_prpr"`
	PrdyVrss     string `json:"prdy_vrss"`
	PrdyVrssSign string `json:"prdy_vrss_sign"`
	PrdyCtrt     string `json:"prdy_ctrt"`
	AcmlVol      string `json:"acml_vol"`
	StckOprc     string `json:"stck_oprc"`
	StckHgpr     string `json:"stck_hgpr"`
	StckLwpr     string `json:"stck_lwpr"`
	StckMxpr     string `json:"stck_mxpr"`
	StckLlam     string `json:"stck_llam"`
	StckSdpr     string `json:"stck_sdpr"`
	AsprUnit     string `json:"aspr_unit"`
}

type quoteResponse struct {
	Output quoteOutput `json:"output"`
}

// chartOutput1 is the summary part of inquire-daily-itemchartprice, the
// one mock-supported quotation that carries the stock's Korean name.
type chartResponse struct {
	Output1 struct {
		HtsKorIsnm string `json:"hts_kor_isnm"`
	} `json:"output1"`
}

// orderOutput is order-cash's and order-rvsecncl's output. order-cash
// answers in upper case; the docs show order-rvsecncl in lower case and
// third-party code reads upper case, so both are accepted.
type orderOutput struct {
	Branch string
	ODNO   string
	Time   string
}

func decodeOrderOutput(body []byte) (orderOutput, error) {
	var resp struct {
		Output map[string]json.RawMessage `json:"output"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return orderOutput{}, err
	}
	var out orderOutput
	for k, raw := range resp.Output {
		var v string
		if err := json.Unmarshal(raw, &v); err != nil {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.ToUpper(k) {
		case "KRX_FWDG_ORD_ORGNO":
			out.Branch = v
		case "ODNO":
			out.ODNO = v
		case "ORD_TMD":
			out.Time = v
		}
	}
	return out, nil
}

// balanceResponse is one page of inquire-balance.
type balanceResponse struct {
	Output1      []balanceRow     `json:"output1"`
	Output2      []balanceSummary `json:"output2"`
	CtxAreaFK100 string           `json:"ctx_area_fk100"`
	CtxAreaNK100 string           `json:"ctx_area_nk100"`
}

type balanceRow struct {
	Pdno        string `json:"pdno"`
	PrdtName    string `json:"prdt_name"`
	HldgQty     string `json:"hldg_qty"`
	OrdPsblQty  string `json:"ord_psbl_qty"`
	PchsAvgPric string `json:"pchs_avg_pric"`
	PchsAmt     string `json:"pchs_amt"`
	Prpr        string `json:"prpr"`
	EvluAmt     string `json:"evlu_amt"`
	EvluPflsAmt string `json:"evlu_pfls_amt"`
	EvluPflsRt  string `json:"evlu_pfls_rt"`
}

type balanceSummary struct {
	DncaTotAmt      string `json:"dnca_tot_amt"`
	NxdyExccAmt     string `json:"nxdy_excc_amt"`
	PrvsRcdlExccAmt string `json:"prvs_rcdl_excc_amt"`
	SctsEvluAmt     string `json:"scts_evlu_amt"`
	TotEvluAmt      string `json:"tot_evlu_amt"`
	PchsAmtSmtlAmt  string `json:"pchs_amt_smtl_amt"`
	EvluAmtSmtlAmt  string `json:"evlu_amt_smtl_amt"`
	EvluPflsSmtlAmt string `json:"evlu_pfls_smtl_amt"`
}

type psblOrderResponse struct {
	Output struct {
		OrdPsblCash string `json:"ord_psbl_cash"` // 주문가능현금: without today's sale proceeds
		NrcvbBuyAmt string `json:"nrcvb_buy_amt"` // 미수없는매수금액: buying power without margin
	} `json:"output"`
}

// ccldResponse is one page of inquire-daily-ccld.
type ccldResponse struct {
	// Output1 is kept raw: a missing or null output1 must read as an
	// unreadable answer, not as "no orders" (see decodeList).
	Output1      json.RawMessage `json:"output1"`
	CtxAreaFK100 string          `json:"ctx_area_fk100"`
	CtxAreaNK100 string          `json:"ctx_area_nk100"`
}

// decodeList decodes a list field of a successful answer into *into. KIS
// answers an empty list as [] (inquire-daily-ccld's output1 in the
// official sample is read with pd.DataFrame(res.getBody().output1)): a
// field that is missing, null or not an array is an answer hoga cannot
// read, reported as broker.Unreadable so that no caller mistakes it for
// an empty list (issue 21.1).
func decodeList(raw json.RawMessage, field, what string, into any) error {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || t[0] != '[' {
		shown := string(t)
		if shown == "" {
			shown = "missing"
		}
		if len(shown) > 40 {
			shown = shown[:40] + "…"
		}
		return &broker.Error{Kind: broker.Unreadable, Msg: fmt.Sprintf("KIS sent %s without a readable %s (%s)", what, field, shown)}
	}
	if err := json.Unmarshal(t, into); err != nil {
		return &broker.Error{Kind: broker.Unreadable, Msg: fmt.Sprintf("KIS sent an unreadable %s", what), Err: err}
	}
	return nil
}

// ccldRow is one inquire-daily-ccld output1 row. The order tracker (issue
// 14) relies on tot_ccld_qty (총체결수량: the cumulative filled quantity, a
// fill's identity with the order number), avg_prvs (평균가: the average
// price of those fills), tot_ccld_amt (총체결금액), rmn_qty (잔여수량) and
// cncl_yn (취소여부), as named in the official sample
// examples_llm/domestic_stock/inquire_daily_ccld/chk_inquire_daily_ccld.py;
// a call returns at most 100 rows live and 15 on mock, the rest by
// continuation (inquire_daily_ccld.py's docstring), so one poll of 40 open
// orders on mock is one walk of 3 pages.
type ccldRow struct {
	OrdDt            string `json:"ord_dt"`
	OrdGnoBrno       string `json:"ord_gno_brno"`
	Odno             string `json:"odno"`
	OrgnOdno         string `json:"orgn_odno"`
	SllBuyDvsnCd     string `json:"sll_buy_dvsn_cd"`
	SllBuyDvsnCdName string `json:"sll_buy_dvsn_cd_name"`
	Pdno             string `json:"pdno"`
	PrdtName         string `json:"prdt_name"`
	OrdQty           string `json:"ord_qty"`
	OrdUnpr          string `json:"ord_unpr"`
	OrdTmd           string `json:"ord_tmd"`
	TotCcldQty       string `json:"tot_ccld_qty"`
	AvgPrvs          string `json:"avg_prvs"`
	CnclYn           string `json:"cncl_yn"`
	TotCcldAmt       string `json:"tot_ccld_amt"`
	OrdDvsnCd        string `json:"ord_dvsn_cd"`
	CncCfrmQty       string `json:"cnc_cfrm_qty"`
	RmnQty           string `json:"rmn_qty"`
	RjctQty          string `json:"rjct_qty"`
	ExcgIDDvsnCd     string `json:"excg_id_dvsn_cd"` // KRX, NXT, SOR
}

// tokenResponse is /oauth2/tokenP's success body. expires_in is a JSON
// number per the docs; json.Number also takes it if a proxy stringifies it.
type tokenResponse struct {
	AccessToken        redact.Secret `json:"access_token"`
	TokenType          string        `json:"token_type"`
	ExpiresIn          json.Number   `json:"expires_in"`
	AccessTokenExpired string        `json:"access_token_token_expired"`
}

// oauthError is the different-shaped error body of /oauth2/*.
type oauthError struct {
	ErrorCode        string `json:"error_code"`
	ErrorDescription string `json:"error_description"`
}
