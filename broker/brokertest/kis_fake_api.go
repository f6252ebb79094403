package brokertest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// Wire texts. Where kis.md documents a code and text they are used as is;
// where only the text is known (mostly the mock service's, which uses
// 8-digit numeric codes that differ between reports), the code is marked
// "placeholder": clients must key on the text, as broker/kis does.
const (
	kisMsgOK            = "정상처리 되었습니다."
	kisMsgRateLimit     = "초당 거래건수를 초과하였습니다."
	kisMsgTokenExpired  = "기간이 만료된 token 입니다."
	kisMsgTokenInvalid  = "유효하지 않은 token 입니다."
	kisMsgBadAppKey     = "유효하지 않은 AppKey입니다."
	kisMsgBadAppSecret  = "유효하지 않은 AppSecret입니다."
	kisMsgIssueThrottle = "접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)"
	kisMsgBadBody       = "MCA 전문바디 구성 중 오류가 발생하였습니다."
	kisMsgNotMockTR     = "모의투자 TR 이 아닙니다."
	kisMsgNotLiveTR     = "실전투자 TR 이 아닙니다."
)

// kisCall is a parsed, authorised API request.
type kisCall struct {
	trID   string // as sent
	real   string // the real (실전) form of trID
	query  url.Values
	body   map[string]string
	trCont string
	now    time.Time
}

// kisAnswer is what a route handler wants sent.
type kisAnswer struct {
	status int
	body   any
	trCont string
}

func kisEnvelope(rtCd, msgCd, msg string) map[string]any {
	return map[string]any{"rt_cd": rtCd, "msg_cd": msgCd, "msg1": msg}
}

func kisFailure(status int, rtCd, msgCd, msg string) kisAnswer {
	return kisAnswer{status: status, body: kisEnvelope(rtCd, msgCd, msg)}
}

func kisSuccess(msgCd, msg string, fields map[string]any) kisAnswer {
	b := kisEnvelope("0", msgCd, msg)
	for k, v := range fields {
		b[k] = v
	}
	return kisAnswer{status: http.StatusOK, body: b}
}

type kisRoute struct {
	method string
	trIDs  []string // real tr_ids accepted
	fields []string // required query keys (GET) or body keys (POST)
	// mca: a POST body lacking one of fields is refused with IGW00007
	// ("MCA 전문바디 구성 중 오류"), KIS's answer to an incomplete order
	// body, rather than OPSQ2001.
	mca    bool
	handle func(f *KISFake, c *kisCall) kisAnswer
}

// kisRoutes is every API path the fake serves, with the keys KIS requires
// (kis.md §4–6; the DOC pages' Required column).
var kisRoutes = map[string]kisRoute{
	"/uapi/domestic-stock/v1/quotations/inquire-price": {
		method: http.MethodGet, trIDs: []string{"FHKST01010100"},
		fields: []string{"FID_COND_MRKT_DIV_CODE", "FID_INPUT_ISCD"},
		handle: (*KISFake).handlePrice,
	},
	"/uapi/domestic-stock/v1/quotations/search-stock-info": {
		method: http.MethodGet, trIDs: []string{"CTPF1002R"},
		// examples_llm/domestic_stock/search_stock_info/search_stock_info.py
		fields: []string{"PRDT_TYPE_CD", "PDNO"},
		handle: (*KISFake).handleStockInfo,
	},
	"/uapi/domestic-stock/v1/quotations/inquire-daily-itemchartprice": {
		method: http.MethodGet, trIDs: []string{"FHKST03010100"},
		fields: []string{"FID_COND_MRKT_DIV_CODE", "FID_INPUT_ISCD", "FID_INPUT_DATE_1", "FID_INPUT_DATE_2",
			"FID_PERIOD_DIV_CODE", "FID_ORG_ADJ_PRC"},
		handle: (*KISFake).handleChart,
	},
	"/uapi/domestic-stock/v1/quotations/inquire-time-itemchartprice": {
		method: http.MethodGet, trIDs: []string{"FHKST03010200"},
		// examples_llm/domestic_stock/inquire_time_itemchartprice/
		// inquire_time_itemchartprice.py: five [필수] keys, FID_ETC_CLS_CODE
		// sent empty.
		fields: []string{"FID_COND_MRKT_DIV_CODE", "FID_INPUT_ISCD", "FID_INPUT_HOUR_1", "FID_PW_DATA_INCU_YN", "FID_ETC_CLS_CODE"},
		handle: (*KISFake).handleMinuteChart,
	},
	"/uapi/domestic-stock/v1/trading/order-cash": {
		method: http.MethodPost, trIDs: []string{"TTTC0012U", "TTTC0011U"},
		// The nine keys of the official sample (examples_llm/domestic_stock/
		// order_cash/order_cash.py lines 120-130), "" where unused; a body
		// lacking any of them is refused with IGW00007 (issue 12.1).
		fields: []string{"CANO", "ACNT_PRDT_CD", "PDNO", "ORD_DVSN", "ORD_QTY", "ORD_UNPR",
			"EXCG_ID_DVSN_CD", "SLL_TYPE", "CNDT_PRIC"},
		mca:    true,
		handle: (*KISFake).handleOrder,
	},
	"/uapi/domestic-stock/v1/trading/order-rvsecncl": {
		method: http.MethodPost, trIDs: []string{"TTTC0013U"},
		fields: []string{"CANO", "ACNT_PRDT_CD", "KRX_FWDG_ORD_ORGNO", "ORGN_ODNO", "ORD_DVSN",
			"RVSE_CNCL_DVSN_CD", "ORD_QTY", "ORD_UNPR", "QTY_ALL_ORD_YN"},
		handle: (*KISFake).handleCancel,
	},
	"/uapi/domestic-stock/v1/trading/inquire-daily-ccld": {
		method: http.MethodGet, trIDs: []string{"TTTC0081R"},
		fields: []string{"CANO", "ACNT_PRDT_CD", "INQR_STRT_DT", "INQR_END_DT", "SLL_BUY_DVSN_CD",
			"ORD_GNO_BRNO", "CCLD_DVSN", "INQR_DVSN", "INQR_DVSN_1", "INQR_DVSN_3", "EXCG_ID_DVSN_CD",
			"CTX_AREA_FK100", "CTX_AREA_NK100"},
		handle: (*KISFake).handleCcld,
	},
	"/uapi/domestic-stock/v1/trading/inquire-balance": {
		method: http.MethodGet, trIDs: []string{"TTTC8434R"},
		fields: []string{"CANO", "ACNT_PRDT_CD", "AFHR_FLPR_YN", "OFL_YN", "INQR_DVSN", "UNPR_DVSN",
			"FUND_STTL_ICLD_YN", "FNCG_AMT_AUTO_RDPT_YN", "PRCS_DVSN", "CTX_AREA_FK100", "CTX_AREA_NK100"},
		handle: (*KISFake).handleBalance,
	},
	"/uapi/domestic-stock/v1/trading/inquire-psbl-order": {
		method: http.MethodGet, trIDs: []string{"TTTC8908R"},
		fields: []string{"CANO", "ACNT_PRDT_CD", "PDNO", "ORD_UNPR", "ORD_DVSN", "CMA_EVLU_AMT_ICLD_YN", "OVRS_ICLD_YN"},
		handle: (*KISFake).handlePsblOrder,
	},
}

// kisMockTR is the official client's rule: T, J or C first becomes V.
func kisMockTR(id string) string {
	if id != "" && (id[0] == 'T' || id[0] == 'J' || id[0] == 'C') {
		return "V" + id[1:]
	}
	return id
}

// serveToken is POST /oauth2/tokenP with KIS's rules: the app key and
// secret must match; one issuance per app key per IssueGap (else 403
// EGW00133 in the oauth error shape); within 6 hours the same unexpired
// token is handed back; expiry in access_token_token_expired (KST).
func (f *KISFake) serveToken(w http.ResponseWriter, r *http.Request) {
	oauthErr := func(code, msg string) {
		writeJSON(w, http.StatusForbidden, map[string]string{"error_description": msg, "error_code": code})
	}
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	// An injected HTTP 500 or reset naming /oauth2/tokenP (a fault with
	// no path is for the API calls) stands for the gateway failing before
	// KIS looked at the request: nothing is issued and the one-a-minute
	// throttle is not started.
	var fault *KISFault
	f.mu.Lock()
	for _, ft := range f.faults {
		if ft.Path == r.URL.Path {
			fault = f.takeFaultLocked(r.URL.Path)
			break
		}
	}
	f.mu.Unlock()
	if fault != nil {
		switch fault.Kind {
		case FaultHTTP500:
			gatewayError(w, "502 Bad Gateway")
			return
		case FaultReset:
			resetConn(w)
			return
		}
	}
	var req struct {
		GrantType string `json:"grant_type"`
		AppKey    string `json:"appkey"`
		AppSecret string `json:"appsecret"`
	}
	if err := json.Unmarshal(readBody(r), &req); err != nil || req.GrantType != "client_credentials" {
		oauthErr("EGW00103", kisMsgBadAppKey)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.clock.Now()
	switch {
	case req.AppKey != f.appKey:
		oauthErr("EGW00103", kisMsgBadAppKey)
		return
	case req.AppSecret != f.appSecret:
		oauthErr("EGW00105", kisMsgBadAppSecret)
		return
	}
	if last, ok := f.lastIssue[req.AppKey]; ok && f.issueGap > 0 && now.Before(last.Add(f.issueGap)) {
		f.throttled++
		oauthErr("EGW00133", kisMsgIssueThrottle)
		return
	}
	f.lastIssue[req.AppKey] = now
	f.issuances++
	tok := f.current[req.AppKey]
	if tok == nil || !now.Before(tok.issued.Add(6*time.Hour)) || !now.Before(tok.expiry) {
		f.tokenSeq++
		payload := base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf(`{"sub":"fake","n":%d,"iat":%d}`, f.tokenSeq, now.Unix())))
		tok = &kisToken{
			value:  "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9." + payload + ".ZmFrZS1zaWduYXR1cmU",
			appKey: req.AppKey,
			issued: now,
			expiry: now.Add(f.tokenTTL).Truncate(time.Second),
		}
		f.tokens[tok.value] = tok
		f.current[req.AppKey] = tok
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token":               tok.value,
		"access_token_token_expired": tok.expiry.In(broker.KST()).Format(time.DateTime),
		"token_type":                 "Bearer",
		"expires_in":                 int64(tok.expiry.Sub(now) / time.Second),
	})
}

// serveAPI checks, in KIS's order, the app key, the token, the per-second
// limit, the tr_id for the host's mode, and the request's keys; then runs
// the route.
func (f *KISFake) serveAPI(w http.ResponseWriter, r *http.Request) {
	route, ok := kisRoutes[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	raw := readBody(r)
	trID := r.Header.Get("tr_id")
	rec := KISRequest{Method: r.Method, Path: r.URL.Path, TrID: trID, TrCont: r.Header.Get("tr_cont"), Query: r.URL.Query()}

	f.mu.Lock()
	now := f.clock.Now()
	f.m.Advance(now)
	rec.At = now
	f.requests++
	fault := f.takeFaultLocked(r.URL.Path)
	var ans kisAnswer
	switch {
	case fault != nil && fault.Kind == FaultRateLimit:
		f.rateLimited++
		ans = kisFailure(http.StatusInternalServerError, "1", "EGW00201", kisMsgRateLimit)
	case fault != nil && fault.Kind == FaultTokenExpired:
		ans = kisFailure(http.StatusInternalServerError, "1", "EGW00123", kisMsgTokenExpired)
	case fault != nil && !fault.AfterProcessing && (fault.Kind == FaultHTTP500 || fault.Kind == FaultReset):
		// answered below, without processing
	default:
		ans = f.processLocked(r, route, trID, raw, now)
		if m, ok := ans.body.(map[string]any); ok && fault != nil && ans.status == http.StatusOK {
			mangleLists(m, int(fault.Kind-FaultListMissing))
			if out, ok := m["output"].(map[string]string); ok && fault.Kind == FaultOutputField {
				out[fault.Field] = fault.Value
			}
		}
	}
	rec.Status = ans.status
	if m, ok := ans.body.(map[string]any); ok {
		rec.MsgCd, _ = m["msg_cd"].(string)
	}
	if fault != nil && (fault.Kind == FaultHTTP500 || fault.Kind == FaultReset) {
		rec.Status, rec.MsgCd = 0, "fault"
	}
	f.reqLog = append(f.reqLog, rec)
	f.gtSeq++
	gtUID := fmt.Sprintf("%032X", f.gtSeq)
	f.mu.Unlock()

	f.log.Debug("fake kis", "path", r.URL.Path, "tr_id", trID, "status", ans.status, "msg_cd", rec.MsgCd)
	if f.onRequest != nil {
		f.onRequest(rec)
	}
	if fault != nil {
		switch fault.Kind {
		case FaultHTTP500:
			gatewayError(w, "500 Internal Server Error")
			return
		case FaultReset:
			resetConn(w)
			return
		case FaultDelay:
			select {
			case <-f.clock.After(fault.Delay):
			case <-r.Context().Done():
				return
			}
		}
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("tr_id", trID)
	h.Set("gt_uid", gtUID)
	if ans.trCont != "" {
		h.Set("tr_cont", ans.trCont)
	}
	w.WriteHeader(ans.status)
	_ = json.NewEncoder(w).Encode(ans.body)
}

func (f *KISFake) takeFaultLocked(path string) *KISFault {
	for i, ft := range f.faults {
		if ft.Path != "" && ft.Path != path {
			continue
		}
		ft.Times--
		if ft.Times <= 0 {
			f.faults = append(f.faults[:i], f.faults[i+1:]...)
		}
		cp := *ft
		return &cp
	}
	return nil
}

func (f *KISFake) processLocked(r *http.Request, route kisRoute, trID string, raw []byte, now time.Time) kisAnswer {
	// App key and secret headers.
	if r.Header.Get("appkey") != f.appKey {
		return kisFailure(http.StatusInternalServerError, "1", "EGW00103", kisMsgBadAppKey)
	}
	if r.Header.Get("appsecret") != f.appSecret {
		return kisFailure(http.StatusInternalServerError, "1", "EGW00105", kisMsgBadAppSecret)
	}
	// Token.
	bearer, ok := strings.CutPrefix(r.Header.Get("authorization"), "Bearer ")
	tok := f.tokens[bearer]
	switch {
	case !ok || tok == nil || tok.appKey != f.appKey:
		return kisFailure(http.StatusInternalServerError, "1", "EGW00121", kisMsgTokenInvalid)
	case !now.Before(tok.expiry):
		return kisFailure(http.StatusInternalServerError, "1", "EGW00123", kisMsgTokenExpired)
	}
	// Per-second limit per app key: a strict sliding window, or
	// calendar seconds. Over it KIS answers EGW00201 with HTTP 500
	// (python-kis pykis/kis.py handles EGW00201 only when the response
	// is not ok; the text is OTA README.md's "초당 거래건수 초과").
	if !f.rate.admit(f.appKey, now) {
		f.rateLimited++
		return kisFailure(http.StatusInternalServerError, "1", "EGW00201", kisMsgRateLimit)
	}
	// tr_id for this host's mode.
	real := ""
	for _, id := range route.trIDs {
		if trID == id || trID == kisMockTR(id) {
			real = id
		}
	}
	switch {
	case real == "":
		return kisFailure(http.StatusInternalServerError, "1", "OPSQ0002", "없는 서비스 코드 입니다")
	case f.mock && trID != kisMockTR(real):
		return kisFailure(http.StatusInternalServerError, "1", "EGW02006", kisMsgNotMockTR)
	case !f.mock && trID != real:
		return kisFailure(http.StatusInternalServerError, "1", "EGW02006", kisMsgNotLiveTR)
	}
	if r.Method != route.method {
		return kisFailure(http.StatusInternalServerError, "1", "OPSQ0002", "없는 서비스 코드 입니다")
	}
	c := &kisCall{trID: trID, real: real, query: r.URL.Query(), trCont: strings.TrimSpace(r.Header.Get("tr_cont")), now: now}
	if route.method == http.MethodPost {
		// Body keys UPPER CASE and every value a string, else IGW00007.
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			return kisFailure(http.StatusInternalServerError, "1", "IGW00007", kisMsgBadBody)
		}
		c.body = make(map[string]string, len(m))
		for k, v := range m {
			s, isStr := v.(string)
			if !isStr || k != strings.ToUpper(k) {
				return kisFailure(http.StatusInternalServerError, "1", "IGW00007", kisMsgBadBody)
			}
			c.body[k] = s
		}
		for _, k := range route.fields {
			if _, ok := c.body[k]; !ok && route.mca {
				return kisFailure(http.StatusInternalServerError, "1", "IGW00007", kisMsgBadBody)
			} else if !ok {
				return kisFailure(http.StatusInternalServerError, "1", "OPSQ2001", "ERROR : INPUT_FIELD_NAME "+k)
			}
		}
	} else {
		for _, k := range route.fields {
			if _, ok := c.query[k]; !ok {
				return kisFailure(http.StatusInternalServerError, "1", "OPSQ2001", "ERROR : INPUT_FIELD_NAME "+k)
			}
		}
	}
	return route.handle(f, c)
}

// checkAccount answers the account fields of trading TRs.
func (f *KISFake) checkAccount(cano, prdt string) (kisAnswer, bool) {
	if cano != f.cano || prdt != f.prdt {
		// placeholder code; the text is KIS's usual wording.
		return kisFailure(http.StatusOK, "1", "OPSQ0013", "계좌번호를 확인하여 주십시오."), false
	}
	return kisAnswer{}, true
}
