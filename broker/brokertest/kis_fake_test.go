package brokertest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
)

const (
	kisPathPrice   = "/uapi/domestic-stock/v1/quotations/inquire-price"
	kisPathOrder   = "/uapi/domestic-stock/v1/trading/order-cash"
	kisPathCcld    = "/uapi/domestic-stock/v1/trading/inquire-daily-ccld"
	kisPathBalance = "/uapi/domestic-stock/v1/trading/inquire-balance"
)

func kisT0() time.Time { return time.Date(2026, 3, 3, 10, 0, 0, 0, broker.KST()) }

type kisResp struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (r kisResp) str(k string) string { s, _ := r.body[k].(string); return s }

func kisPost(t *testing.T, f *KISFake, path string, hdr map[string]string, body any) kisResp {
	t.Helper()
	b, _ := json.Marshal(body)
	return kisSend(t, f, http.MethodPost, path, hdr, bytes.NewReader(b))
}

func kisGet(t *testing.T, f *KISFake, path string, hdr map[string]string, q url.Values) kisResp {
	t.Helper()
	return kisSend(t, f, http.MethodGet, path+"?"+q.Encode(), hdr, nil)
}

func kisSend(t *testing.T, f *KISFake, method, path string, hdr map[string]string, body io.Reader) kisResp {
	t.Helper()
	req, err := http.NewRequest(method, f.URL()+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("content-type", "application/json; charset=utf-8")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := kisResp{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &out.body)
	return out
}

func kisIssue(t *testing.T, f *KISFake) kisResp {
	t.Helper()
	key, secret, _ := f.Credentials()
	return kisPost(t, f, "/oauth2/tokenP", nil, map[string]string{"grant_type": "client_credentials", "appkey": key, "appsecret": secret})
}

// kisHeaders are a request's headers with a fresh token.
func kisHeaders(t *testing.T, f *KISFake, trID string) map[string]string {
	t.Helper()
	tok := kisIssue(t, f)
	if tok.status != http.StatusOK {
		t.Fatalf("token: %d %s", tok.status, tok.raw)
	}
	key, secret, _ := f.Credentials()
	return map[string]string{"authorization": "Bearer " + tok.str("access_token"), "appkey": key, "appsecret": secret,
		"tr_id": trID, "custtype": "P"}
}

func TestKISFakeTokenRules(t *testing.T) {
	t.Parallel()
	fc := clock.NewFake(kisT0())
	f := NewKIS(t, KISFakeOptions{Clock: fc})
	first := kisIssue(t, f)
	if first.status != 200 || first.str("token_type") != "Bearer" || first.body["expires_in"] != float64(86400) ||
		first.str("access_token_token_expired") != "2026-03-04 10:00:00" || len(first.str("access_token")) < 50 {
		t.Fatalf("first token: %d %s", first.status, first.raw)
	}
	again := kisIssue(t, f)
	if again.status != http.StatusForbidden || again.str("error_code") != "EGW00133" ||
		again.str("error_description") != "접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)" {
		t.Fatalf("second within a minute: %d %s", again.status, again.raw)
	}
	fc.Advance(61 * time.Second)
	same := kisIssue(t, f)
	if same.str("access_token") != first.str("access_token") || same.str("access_token_token_expired") != "2026-03-04 10:00:00" ||
		same.body["expires_in"] != float64(86400-61) {
		t.Fatalf("within 6h the same token and expiry should come back: %s", same.raw)
	}
	fc.Advance(6 * time.Hour)
	fresh := kisIssue(t, f)
	if fresh.str("access_token") == first.str("access_token") {
		t.Fatalf("after 6h a new token should be issued")
	}
	if f.Issuances() != 3 || f.ThrottledIssuances() != 1 {
		t.Errorf("issuances %d throttled %d", f.Issuances(), f.ThrottledIssuances())
	}
	key, secret, _ := f.Credentials()
	for name, body := range map[string]map[string]string{
		"EGW00103": {"grant_type": "client_credentials", "appkey": "PSnope", "appsecret": secret},
		"EGW00105": {"grant_type": "client_credentials", "appkey": key, "appsecret": "nope"},
	} {
		r := kisPost(t, f, "/oauth2/tokenP", nil, body)
		if r.status != http.StatusForbidden || r.str("error_code") != name {
			t.Errorf("%s: %d %s", name, r.status, r.raw)
		}
	}
}

func TestKISFakeAPIRules(t *testing.T) {
	t.Parallel()
	quoteQ := url.Values{"FID_COND_MRKT_DIV_CODE": {"J"}, "FID_INPUT_ISCD": {"005930"}}
	orderBody := func() map[string]any {
		return map[string]any{"CANO": "50123456", "ACNT_PRDT_CD": "01", "PDNO": "005930", "ORD_DVSN": "01",
			"ORD_QTY": "1", "ORD_UNPR": "0", "EXCG_ID_DVSN_CD": "KRX", "SLL_TYPE": "", "CNDT_PRIC": ""}
	}
	cases := []struct {
		name   string
		mode   string
		send   func(t *testing.T, f *KISFake) kisResp
		status int
		msgCd  string
		msg    string
	}{
		{"ok_quote", "mock", func(t *testing.T, f *KISFake) kisResp {
			return kisGet(t, f, kisPathPrice, kisHeaders(t, f, "FHKST01010100"), quoteQ)
		}, 200, "MCA00000", "정상처리"},
		{"no_token", "mock", func(t *testing.T, f *KISFake) kisResp {
			h := kisHeaders(t, f, "FHKST01010100")
			h["authorization"] = "Bearer nope"
			return kisGet(t, f, kisPathPrice, h, quoteQ)
		}, 500, "EGW00121", "유효하지 않은 token"},
		{"expired_token", "mock", func(t *testing.T, f *KISFake) kisResp {
			h := kisHeaders(t, f, "FHKST01010100")
			f.ExpireTokens()
			return kisGet(t, f, kisPathPrice, h, quoteQ)
		}, 500, "EGW00123", "기간이 만료된 token"},
		{"real_tr_on_mock", "mock", func(t *testing.T, f *KISFake) kisResp {
			return kisPost(t, f, kisPathOrder, kisHeaders(t, f, "TTTC0012U"), orderBody())
		}, 500, "EGW02006", "모의투자 TR 이 아닙니다."},
		{"mock_tr_on_live", "live", func(t *testing.T, f *KISFake) kisResp {
			return kisPost(t, f, kisPathOrder, kisHeaders(t, f, "VTTC0012U"), orderBody())
		}, 500, "EGW02006", "실전투자 TR"},
		{"lower_case_key", "mock", func(t *testing.T, f *KISFake) kisResp {
			b := orderBody()
			delete(b, "PDNO")
			b["pdno"] = "005930"
			return kisPost(t, f, kisPathOrder, kisHeaders(t, f, "VTTC0012U"), b)
		}, 500, "IGW00007", "MCA 전문바디"},
		{"number_value", "mock", func(t *testing.T, f *KISFake) kisResp {
			b := orderBody()
			b["ORD_QTY"] = 1
			return kisPost(t, f, kisPathOrder, kisHeaders(t, f, "VTTC0012U"), b)
		}, 500, "IGW00007", "MCA 전문바디"},
		{"missing_body_key", "mock", func(t *testing.T, f *KISFake) kisResp {
			b := orderBody()
			delete(b, "ORD_UNPR")
			return kisPost(t, f, kisPathOrder, kisHeaders(t, f, "VTTC0012U"), b)
		}, 500, "IGW00007", "MCA 전문바디"},
		// order_cash.py always sends SLL_TYPE and CNDT_PRIC, "" when unused.
		{"missing_sll_type", "mock", func(t *testing.T, f *KISFake) kisResp {
			b := orderBody()
			delete(b, "SLL_TYPE")
			return kisPost(t, f, kisPathOrder, kisHeaders(t, f, "VTTC0012U"), b)
		}, 500, "IGW00007", "MCA 전문바디"},
		{"missing_cndt_pric", "live", func(t *testing.T, f *KISFake) kisResp {
			b := orderBody()
			delete(b, "CNDT_PRIC")
			return kisPost(t, f, kisPathOrder, kisHeaders(t, f, "TTTC0011U"), b)
		}, 500, "IGW00007", "MCA 전문바디"},
		{"missing_query_key", "mock", func(t *testing.T, f *KISFake) kisResp {
			return kisGet(t, f, kisPathBalance, kisHeaders(t, f, "VTTC8434R"), url.Values{"CANO": {"50123456"}, "ACNT_PRDT_CD": {"01"}})
		}, 500, "OPSQ2001", "INPUT_FIELD_NAME"},
		{"unknown_code", "live", func(t *testing.T, f *KISFake) kisResp {
			return kisGet(t, f, kisPathPrice, kisHeaders(t, f, "FHKST01010100"),
				url.Values{"FID_COND_MRKT_DIV_CODE": {"J"}, "FID_INPUT_ISCD": {"999999"}})
		}, 200, "MCA00000", "정상처리"},
		{"ok_order_mock", "mock", func(t *testing.T, f *KISFake) kisResp {
			return kisPost(t, f, kisPathOrder, kisHeaders(t, f, "VTTC0012U"), orderBody())
		}, 200, "APBK0013", "모의투자 매수주문이 완료 되었습니다."},
		{"sell_unheld_mock", "mock", func(t *testing.T, f *KISFake) kisResp {
			b := orderBody()
			b["SLL_TYPE"] = "01"
			return kisPost(t, f, kisPathOrder, kisHeaders(t, f, "VTTC0011U"), b)
		}, 200, "40240000", "모의투자 잔고내역이 없습니다."},
		{"off_tick_live", "live", func(t *testing.T, f *KISFake) kisResp {
			b := orderBody()
			b["ORD_DVSN"], b["ORD_UNPR"] = "00", "60001"
			return kisPost(t, f, kisPathOrder, kisHeaders(t, f, "TTTC0012U"), b)
		}, 200, "APBK0506", "호가단위"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := NewKIS(t, KISFakeOptions{Mode: tc.mode, IssueGap: -1, RateLimit: -1})
			r := tc.send(t, f)
			if r.status != tc.status || r.str("msg_cd") != tc.msgCd || !strings.Contains(r.str("msg1"), tc.msg) {
				t.Fatalf("answer %d %s; want %d %s %q", r.status, r.raw, tc.status, tc.msgCd, tc.msg)
			}
			if r.status == 200 && tc.msgCd != "" && r.str("rt_cd") == "" {
				t.Errorf("no rt_cd")
			}
			if len(r.header.Get("gt_uid")) != 32 || r.header.Get("tr_id") == "" {
				t.Errorf("headers gt_uid %q tr_id %q", r.header.Get("gt_uid"), r.header.Get("tr_id"))
			}
		})
	}
}

// kisSamsung lists Samsung Electronics at 65,800 (limits 46,100–85,500),
// the base the KIS fake's quote and order tests were worked out at: a test
// that orders at 60,000 or checks a change from it lists this.
var kisSamsung = []Stock{{Code: "005930", Name: "삼성전자", Price: 65_800}}

func TestKISFakeQuoteIsAllStrings(t *testing.T) {
	t.Parallel()
	f := NewKIS(t, KISFakeOptions{Mode: "live", Stocks: kisSamsung})
	f.SetPrice("005930", 64_000)
	r := kisGet(t, f, kisPathPrice, kisHeaders(t, f, "FHKST01010100"), url.Values{"FID_COND_MRKT_DIV_CODE": {"J"}, "FID_INPUT_ISCD": {"005930"}})
	out, _ := r.body["output"].(map[string]any)
	if len(out) < 70 {
		t.Fatalf("output has %d fields", len(out))
	}
	for k, v := range out {
		if _, ok := v.(string); !ok {
			t.Errorf("%s = %v (%T); KIS sends strings", k, v, v)
		}
	}
	if out["prdy_vrss"] != "-1800" || out["prdy_vrss_sign"] != "5" || out["prdy_ctrt"] != "-2.74" || out["aspr_unit"] != "100" ||
		out["stck_mxpr"] != "85500" || out["stck_llam"] != "46100" {
		t.Errorf("output = %v", out)
	}
}

func TestKISFakeRateWindow(t *testing.T) {
	t.Parallel()
	fc := clock.NewFake(kisT0())
	f := NewKIS(t, KISFakeOptions{Clock: fc}) // mock: 2 a second
	h := kisHeaders(t, f, "FHKST01010100")
	q := url.Values{"FID_COND_MRKT_DIV_CODE": {"J"}, "FID_INPUT_ISCD": {"005930"}}
	for i := 0; i < 2; i++ {
		if r := kisGet(t, f, kisPathPrice, h, q); r.status != 200 {
			t.Fatalf("request %d: %s", i, r.raw)
		}
	}
	r := kisGet(t, f, kisPathPrice, h, q)
	if r.status != 500 || r.str("rt_cd") != "1" || r.str("msg_cd") != "EGW00201" || r.str("msg1") != "초당 거래건수를 초과하였습니다." {
		t.Fatalf("third in a second: %d %s", r.status, r.raw)
	}
	fc.Advance(time.Second)
	if r := kisGet(t, f, kisPathPrice, h, q); r.status != 200 {
		t.Fatalf("next second: %s", r.raw)
	}
	if f.RateLimited() != 1 || f.Requests() != 4 {
		t.Errorf("rate limited %d requests %d", f.RateLimited(), f.Requests())
	}
}

func TestKISFakePaging(t *testing.T) {
	t.Parallel()
	f := NewKIS(t, KISFakeOptions{Clock: clock.NewFake(kisT0()), RateLimit: -1, IssueGap: -1, Cash: 1_000_000_000, Stocks: kisSamsung})
	h := kisHeaders(t, f, "VTTC0012U")
	for i := 0; i < 20; i++ {
		b := map[string]string{"CANO": "50123456", "ACNT_PRDT_CD": "01", "PDNO": "005930", "ORD_DVSN": "00",
			"ORD_QTY": "1", "ORD_UNPR": "60000", "EXCG_ID_DVSN_CD": "KRX", "SLL_TYPE": "", "CNDT_PRIC": ""}
		if r := kisPost(t, f, kisPathOrder, h, b); r.status != 200 || r.str("rt_cd") != "0" {
			t.Fatalf("order %d: %s", i, r.raw)
		}
	}
	day := kisT0().Format("20060102")
	q := url.Values{"CANO": {"50123456"}, "ACNT_PRDT_CD": {"01"}, "INQR_STRT_DT": {day}, "INQR_END_DT": {day},
		"SLL_BUY_DVSN_CD": {"00"}, "PDNO": {""}, "ORD_GNO_BRNO": {""}, "ODNO": {""}, "CCLD_DVSN": {"00"},
		"INQR_DVSN": {"00"}, "INQR_DVSN_1": {""}, "INQR_DVSN_3": {"00"}, "EXCG_ID_DVSN_CD": {"KRX"},
		"CTX_AREA_FK100": {""}, "CTX_AREA_NK100": {""}}
	h = kisHeaders(t, f, "VTTC0081R")
	first := kisGet(t, f, kisPathCcld, h, q)
	rows, _ := first.body["output1"].([]any)
	nk := first.str("ctx_area_nk100")
	if first.header.Get("tr_cont") != "F" || len(rows) != 15 || len(nk) != 100 {
		t.Fatalf("first page: tr_cont %q rows %d nk %q", first.header.Get("tr_cont"), len(rows), nk)
	}
	if odno := rows[0].(map[string]any)["odno"]; odno != "0000000020" {
		t.Errorf("newest first: got %v", odno)
	}
	q.Set("CTX_AREA_FK100", first.str("ctx_area_fk100"))
	q.Set("CTX_AREA_NK100", nk)
	// Without tr_cont N the keys are ignored: the first page again.
	if again := kisGet(t, f, kisPathCcld, h, q); again.header.Get("tr_cont") != "F" {
		t.Errorf("continuation without tr_cont N: %q", again.header.Get("tr_cont"))
	}
	h["tr_cont"] = "N"
	second := kisGet(t, f, kisPathCcld, h, q)
	rows, _ = second.body["output1"].([]any)
	if second.header.Get("tr_cont") != "E" || len(rows) != 5 {
		t.Fatalf("second page: tr_cont %q rows %d", second.header.Get("tr_cont"), len(rows))
	}
	if _, ok := second.body["output2"].(map[string]any); !ok {
		t.Errorf("output2 should be an object: %T", second.body["output2"])
	}
}

func TestKISFakeLimitOrdersFillOnPrice(t *testing.T) {
	t.Parallel()
	f := NewKIS(t, KISFakeOptions{Mode: "live", IssueGap: -1, Cash: 1_000_000, Stocks: kisSamsung})
	h := kisHeaders(t, f, "TTTC0012U")
	body := map[string]string{"CANO": "50123456", "ACNT_PRDT_CD": "01", "PDNO": "005930", "ORD_DVSN": "00",
		"ORD_QTY": "10", "ORD_UNPR": "60000", "EXCG_ID_DVSN_CD": "KRX", "SLL_TYPE": "", "CNDT_PRIC": ""}
	if r := kisPost(t, f, kisPathOrder, h, body); r.str("rt_cd") != "0" {
		t.Fatal(r.raw)
	}
	// 1,000,000 won minus 600,000 reserved: a second 10-share order at 60,000 does not fit.
	r := kisPost(t, f, kisPathOrder, h, body)
	if r.str("rt_cd") != "7" || r.str("msg_cd") != "APBK0952" {
		t.Fatalf("over-reserved buy: %s", r.raw)
	}
	f.SetPrice("005930", 60_100)
	if o := f.Orders()[0]; o.Filled != 0 {
		t.Fatalf("filled above the limit: %+v", o)
	}
	f.SetPrice("005930", 59_900)
	if o := f.Orders()[0]; o.Filled != 10 || o.FillAmount != 600_000 {
		t.Fatalf("not filled at the limit: %+v", o)
	}
	// A market buy is reserved at the upper limit (85,500 for a 65,800 base).
	body["ORD_DVSN"], body["ORD_UNPR"], body["ORD_QTY"] = "01", "0", "5"
	if r := kisPost(t, f, kisPathOrder, h, body); r.str("msg_cd") != "APBK0952" {
		t.Fatalf("market buy beyond upper-limit reservation: %s", r.raw)
	}
	body["ORD_QTY"] = "4" // 4 × 85,500 = 342,000 ≤ 400,000
	if r := kisPost(t, f, kisPathOrder, h, body); r.str("rt_cd") != "0" {
		t.Fatalf("market buy: %s", r.raw)
	}
	if o := f.Orders()[1]; o.Filled != 4 || o.FillAmount != 4*59_900 {
		t.Fatalf("market order: %+v", o)
	}
}

func TestKISFakeFaults(t *testing.T) {
	t.Parallel()
	f := NewKIS(t, KISFakeOptions{Mode: "live", IssueGap: -1})
	h := kisHeaders(t, f, "TTTC0012U")
	body := map[string]string{"CANO": "50123456", "ACNT_PRDT_CD": "01", "PDNO": "005930", "ORD_DVSN": "01",
		"ORD_QTY": "1", "ORD_UNPR": "0", "EXCG_ID_DVSN_CD": "KRX", "SLL_TYPE": "", "CNDT_PRIC": ""}
	f.Inject(KISFault{Kind: FaultReset, Path: kisPathOrder, AfterProcessing: true})
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, f.URL()+kisPathOrder, bytes.NewReader(b))
	for k, v := range h {
		req.Header.Set(k, v)
	}
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("reset fault answered %d", resp.StatusCode)
	}
	if len(f.Orders()) != 1 {
		t.Fatalf("the order should be recorded before the reset")
	}
	f.Inject(KISFault{Kind: FaultHTTP500, Path: kisPathOrder})
	r := kisPost(t, f, kisPathOrder, h, body)
	if r.status != 500 || r.body != nil || len(f.Orders()) != 1 {
		t.Fatalf("500 before processing: %d %q, %d orders", r.status, r.raw, len(f.Orders()))
	}
	f.Inject(KISFault{Kind: FaultRateLimit})
	r = kisPost(t, f, kisPathOrder, h, body)
	if r.str("msg_cd") != "EGW00201" || f.RateLimited() != 1 || len(f.Orders()) != 1 {
		t.Fatalf("rate-limit fault: %s", r.raw)
	}
	if r := kisPost(t, f, kisPathOrder, h, body); r.str("rt_cd") != "0" || len(f.Orders()) != 2 {
		t.Fatalf("after the faults: %s", r.raw)
	}
	log := f.RequestLog()
	if len(log) != 4 || log[0].MsgCd != "fault" || log[2].MsgCd != "EGW00201" || log[3].TrID != "TTTC0012U" {
		t.Errorf("request log = %+v", log)
	}
}

func TestKISFakeControlEndpoints(t *testing.T) {
	t.Parallel()
	f := NewKIS(t, KISFakeOptions{})
	resp, err := http.Post(f.URL()+"/_fake/price?code=005930&price=64000", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if p, _ := f.Price("005930"); resp.StatusCode != 200 || p != 64_000 {
		t.Fatalf("set price: %d, price %d", resp.StatusCode, p)
	}
	resp, _ = http.Post(f.URL()+"/_fake/price?code=999999&price=1000", "", nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown code: %d", resp.StatusCode)
	}
	resp, _ = http.Get(f.URL() + "/_fake/prices")
	var prices map[string]int64
	_ = json.NewDecoder(resp.Body).Decode(&prices)
	resp.Body.Close()
	if prices["005930"] != 64_000 || len(prices) != len(ListedStocks()) {
		t.Errorf("prices = %v", prices)
	}
}

func TestKISFakeOptions(t *testing.T) {
	t.Parallel()
	if _, err := NewKISServer(KISFakeOptions{Mode: "paper"}); err == nil {
		t.Error("bad mode accepted")
	}
	if _, err := NewKISServer(KISFakeOptions{Account: "123"}); err == nil {
		t.Error("bad account accepted")
	}
	if len(KISSampleAppKey) != 36 || len(KISSampleAppSecret) != 180 {
		t.Errorf("sample credential lengths %d/%d; KIS uses 36/180", len(KISSampleAppKey), len(KISSampleAppSecret))
	}
	for _, s := range ListedStocks() {
		if !broker.OnTick(s.Price) {
			t.Errorf("%s price %d off the tick grid", s.Code, s.Price)
		}
	}
}
