package brokertest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
)

type kwReply struct {
	status int
	header http.Header
	body   map[string]any
}

func (r kwReply) rc() int {
	f, _ := r.body["return_code"].(float64)
	return int(f)
}

func (r kwReply) msg() string { s, _ := r.body["return_msg"].(string); return s }

func (r kwReply) str(key string) string { s, _ := r.body[key].(string); return s }

func (r kwReply) list(key string) []map[string]any {
	raw, _ := r.body[key].([]any)
	out := make([]map[string]any, len(raw))
	for i, v := range raw {
		out[i], _ = v.(map[string]any)
	}
	return out
}

func kwPost(t *testing.T, f *KiwoomFake, method, path string, header map[string]string, body any) kwReply {
	t.Helper()
	b, _ := json.Marshal(body)
	req, err := http.NewRequest(method, f.URL()+path, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("content-type", "application/json;charset=UTF-8")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := kwReply{status: resp.StatusCode, header: resp.Header}
	_ = json.NewDecoder(resp.Body).Decode(&r.body)
	return r
}

func kwIssue(t *testing.T, f *KiwoomFake) string {
	t.Helper()
	r := kwPost(t, f, http.MethodPost, "/oauth2/token", nil, map[string]string{
		"grant_type": "client_credentials", "appkey": KiwoomFakeAppKey, "secretkey": KiwoomFakeSecretKey})
	if r.rc() != 0 || r.str("token") == "" {
		t.Fatalf("token: %+v", r.body)
	}
	return r.str("token")
}

func kwCall(t *testing.T, f *KiwoomFake, tok, apiID string, body any, extra ...string) kwReply {
	t.Helper()
	h := map[string]string{"api-id": apiID, "authorization": "Bearer " + tok}
	for i := 0; i+1 < len(extra); i += 2 {
		h[extra[i]] = extra[i+1]
	}
	return kwPost(t, f, http.MethodPost, kwRoutes[apiID], h, body)
}

func TestKiwoomFakeToken(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(time.Date(2026, 3, 3, 1, 0, 0, 0, time.UTC)) // 10:00 KST
	f := NewKiwoomServer(KiwoomFakeOptions{Clock: clk})
	defer f.Close()
	r := kwPost(t, f, http.MethodPost, "/oauth2/token", nil, map[string]string{
		"grant_type": "client_credentials", "appkey": KiwoomFakeAppKey, "secretkey": KiwoomFakeSecretKey})
	if r.status != 200 || r.rc() != 0 || r.str("token") == "" || !strings.EqualFold(r.str("token_type"), "bearer") {
		t.Fatalf("token answer %+v", r.body)
	}
	if got := r.str("expires_dt"); got != "20260304100000" {
		t.Errorf("expires_dt = %q, want KST wall time 20260304100000", got)
	}
	tests := []struct {
		name string
		body map[string]string
		code string
	}{
		{"no_grant", map[string]string{"appkey": KiwoomFakeAppKey, "secretkey": KiwoomFakeSecretKey}, "8011"},
		{"bad_grant", map[string]string{"grant_type": "password", "appkey": KiwoomFakeAppKey, "secretkey": KiwoomFakeSecretKey}, "8012"},
		{"no_secret", map[string]string{"grant_type": "client_credentials", "appkey": KiwoomFakeAppKey}, "8020"},
		{"other_mode", map[string]string{"grant_type": "client_credentials", "appkey": KiwoomFakeOtherModeAppKey, "secretkey": "x"}, "8030"},
		{"wrong_secret", map[string]string{"grant_type": "client_credentials", "appkey": KiwoomFakeAppKey, "secretkey": "x"}, "8001"},
	}
	for _, tt := range tests {
		r := kwPost(t, f, http.MethodPost, "/oauth2/token", nil, tt.body)
		if r.status != 200 || r.rc() != 3 || !strings.Contains(r.msg(), "인증에 실패했습니다["+tt.code+":") {
			t.Errorf("%s: %d %+v", tt.name, r.status, r.body)
		}
	}
	if f.Issuances() != 1 {
		t.Errorf("issuances %d", f.Issuances())
	}
	for _, e := range f.Log() {
		if strings.Contains(e.Body, KiwoomFakeSecretKey) {
			t.Errorf("request log keeps the secret: %s", e.Body)
		}
	}
	// Tokens expire on the clock.
	tok := kwIssue(t, f)
	if kwCall(t, f, tok, "ka00001", map[string]string{}).rc() != 0 {
		t.Fatal("fresh token refused")
	}
	clk.Advance(24 * time.Hour)
	if r := kwCall(t, f, tok, "ka00001", map[string]string{}); !strings.Contains(r.msg(), "[8005:Token이 유효하지 않습니다]") {
		t.Errorf("expired token: %+v", r.body)
	}
	// Revocation.
	tok = kwIssue(t, f)
	rv := kwPost(t, f, http.MethodPost, "/oauth2/revoke", nil, map[string]string{"appkey": KiwoomFakeAppKey, "secretkey": KiwoomFakeSecretKey, "token": tok})
	if rv.rc() != 0 || kwCall(t, f, tok, "ka00001", map[string]string{}).rc() != 3 {
		t.Errorf("revoke: %+v", rv.body)
	}
}

func TestKiwoomFakeRequestChecks(t *testing.T) {
	t.Parallel()
	for _, enc := range []KiwoomErrorEncoding{KiwoomErrorsLive, KiwoomErrorsCode} {
		f := NewKiwoomServer(KiwoomFakeOptions{Errors: enc})
		tok := kwIssue(t, f)
		tests := []struct {
			name        string
			method      string
			path        string
			header      map[string]string
			code, class int
		}{
			{"no_api_id", "POST", "/api/dostk/stkinfo", map[string]string{"authorization": "Bearer " + tok}, 1501, 2},
			{"unknown_api_id", "POST", "/api/dostk/stkinfo", map[string]string{"api-id": "ka99999", "authorization": "Bearer " + tok}, 1505, 2},
			{"wrong_path", "POST", "/api/dostk/acnt", map[string]string{"api-id": "ka10001", "authorization": "Bearer " + tok}, 1504, 2},
			{"no_auth", "POST", "/api/dostk/stkinfo", map[string]string{"api-id": "ka10001"}, 1513, 2},
			{"bad_auth", "POST", "/api/dostk/stkinfo", map[string]string{"api-id": "ka10001", "authorization": tok}, 1514, 2},
			{"unknown_token", "POST", "/api/dostk/stkinfo", map[string]string{"api-id": "ka10001", "authorization": "Bearer nope"}, 8005, 3},
			{"missing_input", "POST", "/api/dostk/stkinfo", map[string]string{"api-id": "ka10001", "authorization": "Bearer " + tok}, 1511, 2},
		}
		for _, tt := range tests {
			r := kwPost(t, f, tt.method, tt.path, tt.header, map[string]string{})
			want := tt.code
			if enc == KiwoomErrorsLive {
				want = tt.class
				if !strings.Contains(r.msg(), "["+itoa(tt.code)+":") {
					t.Errorf("%s: message %q lacks [%d:", tt.name, r.msg(), tt.code)
				}
			}
			if r.status != 200 || r.rc() != want {
				t.Errorf("encoding %d %s: HTTP %d return_code %d (%s), want 200 and %d", enc, tt.name, r.status, r.rc(), r.msg(), want)
			}
		}
		if r := kwPost(t, f, http.MethodGet, "/api/dostk/stkinfo", map[string]string{"api-id": "ka10001", "authorization": "Bearer " + tok}, nil); r.status != http.StatusMethodNotAllowed {
			t.Errorf("GET answered %d", r.status)
		}
		f.Close()
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestKiwoomFakeRateLimit(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(time.Date(2026, 3, 3, 1, 0, 0, 0, time.UTC))
	f := NewKiwoomServer(KiwoomFakeOptions{Clock: clk})
	defer f.Close()
	tok := kwIssue(t, f)
	for i := 0; i < 5; i++ {
		if r := kwCall(t, f, tok, "ka10001", map[string]string{"stk_cd": "005930"}); r.rc() != 0 {
			t.Fatalf("request %d: %+v", i, r.body)
		}
	}
	r := kwCall(t, f, tok, "ka10001", map[string]string{"stk_cd": "005930"})
	want := "허용된 요청 개수를 초과하였습니다[1700:허용된 API 요청 개수를 초과하였습니다. 유량=5, API ID=ka10001]"
	if r.status != http.StatusTooManyRequests || r.rc() != 5 || r.msg() != want {
		t.Fatalf("sixth request: HTTP %d %+v", r.status, r.body)
	}
	// Per api-id: another TR is not blocked.
	if r := kwCall(t, f, tok, "ka00001", map[string]string{}); r.rc() != 0 {
		t.Errorf("ka00001 blocked by ka10001's limit: %+v", r.body)
	}
	clk.Advance(time.Second)
	if r := kwCall(t, f, tok, "ka10001", map[string]string{"stk_cd": "005930"}); r.rc() != 0 {
		t.Errorf("next second still limited: %+v", r.body)
	}
	if f.RateLimited() != 1 || f.Requests("ka10001") != 7 {
		t.Errorf("429s %d, requests %d", f.RateLimited(), f.Requests("ka10001"))
	}
}

// kwThree are the stocks the Kiwoom fake's tests were written around, at
// the previous close and price each asserts on (Samsung up 1,000 from
// 70,000, SK hynix down 5,000 from 185,000): a test that depends on them
// lists them.
var kwThree = []Stock{
	{Code: "005930", Name: "삼성전자", PrevClose: 70_000, Price: 71_000},
	{Code: "000660", Name: "SK하이닉스", PrevClose: 185_000, Price: 180_000},
	{Code: "035720", Name: "카카오", Price: 42_000},
}

func TestKiwoomFakeQuoteWire(t *testing.T) {
	t.Parallel()
	f := NewKiwoomServer(KiwoomFakeOptions{Stocks: kwThree})
	defer f.Close()
	tok := kwIssue(t, f)
	r := kwCall(t, f, tok, "ka10001", map[string]string{"stk_cd": "000660"})
	for k, want := range map[string]string{
		"stk_nm": "SK하이닉스", "cur_prc": "-180000", "pred_pre": "-5000", "flu_rt": "-2.70", "pre_sig": "5",
		"base_pric": "185000", "upl_pric": "+240500", "lst_pric": "-129500", "per": "",
	} {
		if got := r.str(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if r := kwCall(t, f, tok, "ka10001", map[string]string{"stk_cd": "999999"}); !strings.Contains(r.msg(), "[1902:") {
		t.Errorf("unknown stock: %+v", r.body)
	}
	f.SetPrice("035720", 54_600)
	if r := kwCall(t, f, tok, "ka10001", map[string]string{"stk_cd": "035720"}); r.str("pre_sig") != "1" || r.str("cur_prc") != "+54600" {
		t.Errorf("upper limit: %+v", r.body)
	}
}

var reKwPadded = regexp.MustCompile(`^-?\d+$`)

func TestKiwoomFakeBalanceWireAndPaging(t *testing.T) {
	t.Parallel()
	f := NewKiwoomServer(KiwoomFakeOptions{Stocks: kwThree})
	defer f.Close()
	f.SetHolding("005930", 10, 75_000)
	f.SetHolding("000660", 1, 100_000)
	f.SetHolding("035720", 2, 40_000)
	tok := kwIssue(t, f)
	body := map[string]string{"qry_tp": "1", "dmst_stex_tp": "KRX"}
	r := kwCall(t, f, tok, "kt00018", body)
	if r.header.Get("cont-yn") != "Y" || r.header.Get("next-key") == "" || r.header.Get("api-id") != "kt00018" {
		t.Fatalf("first page headers %v", r.header)
	}
	rows := r.list("acnt_evlt_remn_indv_tot")
	r2 := kwCall(t, f, tok, "kt00018", body, "cont-yn", "Y", "next-key", r.header.Get("next-key"))
	if r2.header.Get("cont-yn") != "N" {
		t.Errorf("second page cont-yn %q", r2.header.Get("cont-yn"))
	}
	rows = append(rows, r2.list("acnt_evlt_remn_indv_tot")...)
	if len(rows) != 3 {
		t.Fatalf("rows %d", len(rows))
	}
	row := rows[2] // sorted by code: 000660, 005930, 035720
	if row["stk_cd"] != "A035720" {
		t.Errorf("stk_cd %v", row["stk_cd"])
	}
	loss := rows[1]
	if loss["evltv_prft"] != "-00000000040000" || loss["pur_amt"] != "000000000750000" || loss["prft_rt"] != "-5.33" {
		t.Errorf("005930 row %v", loss)
	}
	for _, k := range []string{"tot_pur_amt", "tot_evlt_amt", "tot_evlt_pl", "prsm_dpst_aset_amt"} {
		if v := r.str(k); len(v) != 15 || !reKwPadded.MatchString(v) {
			t.Errorf("%s = %q, want 15 padded characters", k, v)
		}
	}
	d := kwCall(t, f, tok, "kt00001", map[string]string{"qry_tp": "3"})
	if d.str("entr") != "000000010000000" || d.str("ord_alow_amt") != "000000010000000" {
		t.Errorf("kt00001 %+v", d.body)
	}
	if a := kwCall(t, f, tok, "ka00001", map[string]string{}); a.str("acctNo") != KiwoomFakeAccount {
		t.Errorf("ka00001 %+v", a.body)
	}
}

func TestKiwoomFakeOrders(t *testing.T) {
	t.Parallel()
	f := NewKiwoomServer(KiwoomFakeOptions{Mode: "live", RateLimit: -1, Stocks: kwThree})
	defer f.Close()
	tok := kwIssue(t, f)
	order := func(apiID, qty, uv, tp string) kwReply {
		return kwCall(t, f, tok, apiID, map[string]string{"dmst_stex_tp": "KRX", "stk_cd": "005930", "ord_qty": qty, "ord_uv": uv, "trde_tp": tp, "cond_uv": ""})
	}
	// A limit buy below the market rests; a price move through it fills it.
	r := order("kt10000", "2", "70000", "0")
	no := r.str("ord_no")
	if r.rc() != 0 || len(no) != 7 {
		t.Fatalf("limit buy: %+v", r.body)
	}
	if o := f.Orders()[0]; o.Filled != 0 || o.Remaining() != 2 {
		t.Fatalf("resting order %+v", o)
	}
	f.SetPrice("005930", 70_000)
	if o := f.Orders()[0]; o.Filled != 2 || o.FillAmount != 140_000 {
		t.Fatalf("crossed order %+v", o)
	}
	if q, cost := f.Holding("005930"); q != 2 || cost != 140_000 || f.Cash() != KiwoomFakeCash-140_000 {
		t.Errorf("holding %d/%d cash %d", q, cost, f.Cash())
	}
	// Live desk rejections carry the live codes.
	for _, tt := range []struct {
		apiID, qty, uv, tp, want string
	}{
		{"kt10000", "1000", "70000", "0", "[2000](855056:매수증거금이 부족합니다. 140주 매수가능)"},
		{"kt10001", "3", "", "3", "[2000](800033:매도가능수량이 부족합니다. 2주 매도가능)"},
		{"kt10000", "1", "70050", "0", "[2000](RC4003:호가단위 오류입니다.)"},
		{"kt10000", "1", "", "0", "[2000](308003:주문단가를 입력하십시요)"},
	} {
		r := order(tt.apiID, tt.qty, tt.uv, tt.tp)
		if r.rc() != 20 || r.msg() != tt.want {
			t.Errorf("%s %s@%s: %d %q, want 20 %q", tt.apiID, tt.qty, tt.uv, r.rc(), r.msg(), tt.want)
		}
	}
	// Partial fill, then cancel the rest.
	r = order("kt10001", "2", "72000", "0")
	sell := r.str("ord_no")
	if err := f.Fill(sell, 1); err != nil {
		t.Fatal(err)
	}
	c := kwCall(t, f, tok, "kt10003", map[string]string{"dmst_stex_tp": "KRX", "orig_ord_no": sell, "stk_cd": "005930", "cncl_qty": "0"})
	if c.rc() != 0 || c.str("base_orig_ord_no") != sell || c.str("cncl_qty") != "1" {
		t.Fatalf("cancel: %+v", c.body)
	}
	if r := kwCall(t, f, tok, "kt10003", map[string]string{"dmst_stex_tp": "KRX", "orig_ord_no": sell, "stk_cd": "005930", "cncl_qty": "0"}); r.rc() != 20 {
		t.Errorf("second cancel: %+v", r.body)
	}
	open := kwCall(t, f, tok, "ka10075", map[string]string{"all_stk_tp": "0", "trde_tp": "0", "stex_tp": "0"})
	if rows := open.list("oso"); len(rows) != 0 {
		t.Errorf("open orders %v", rows)
	}
	all := kwCall(t, f, tok, "ka10076", map[string]string{"qry_tp": "0", "sell_tp": "0", "stex_tp": "0"})
	rows := all.list("cntr")
	if len(rows) != 2 || all.header.Get("cont-yn") != "Y" {
		t.Fatalf("first ka10076 page %v %v", rows, all.header)
	}
	if rows[0]["io_tp_nm"] != "매도취소" || rows[0]["ord_stt"] != "확인" || rows[0]["orig_ord_no"] != sell {
		t.Errorf("cancel row %v", rows[0])
	}
	if rows[1]["io_tp_nm"] != "-매도" || rows[1]["cntr_qty"] != "1" || rows[1]["oso_qty"] != "0" || rows[1]["ord_stt"] != "체결" {
		t.Errorf("cancelled sell row %v", rows[1])
	}
	if err := f.Fill(no, 1); err == nil {
		t.Error("filled a filled order")
	}
	f.SetMarketOpen(false)
	if r := order("kt10000", "1", "", "3"); r.msg() != "[2000](571489:장이 열리지 않는 날입니다.)" {
		t.Errorf("closed market: %+v", r.body)
	}
	if r := order("kt10000", "1", "", "5"); r.rc() != 2 {
		t.Errorf("unsupported trde_tp: %+v", r.body)
	}
}

func TestKiwoomFakeFaults(t *testing.T) {
	t.Parallel()
	f := NewKiwoomServer(KiwoomFakeOptions{})
	defer f.Close()
	tok := kwIssue(t, f)
	buy := map[string]string{"dmst_stex_tp": "KRX", "stk_cd": "005930", "ord_qty": "1", "ord_uv": "", "trde_tp": "3", "cond_uv": ""}

	f.InjectFault("kt10000", KiwoomFault500AfterAccept)
	if r := kwCall(t, f, tok, "kt10000", buy); r.status != 500 || len(f.Orders()) != 1 {
		t.Errorf("500 after accept: HTTP %d, %d orders", r.status, len(f.Orders()))
	}
	f.InjectFault("kt10000", KiwoomFault500)
	if r := kwCall(t, f, tok, "kt10000", buy); r.status != 500 || len(f.Orders()) != 1 {
		t.Errorf("500: HTTP %d, %d orders", r.status, len(f.Orders()))
	}
	f.InjectFault("kt10000", KiwoomFaultResetAfterAccept)
	req, _ := http.NewRequest(http.MethodPost, f.URL()+"/api/dostk/ordr", strings.NewReader(`{"dmst_stex_tp":"KRX","stk_cd":"005930","ord_qty":"1","ord_uv":"","trde_tp":"3","cond_uv":""}`))
	req.Header.Set("api-id", "kt10000")
	req.Header.Set("authorization", "Bearer "+tok)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Error("reset answered")
	}
	if len(f.Orders()) != 2 {
		t.Errorf("orders after reset %d", len(f.Orders()))
	}
	f.InjectError("ka10001", 1999, "")
	if r := kwCall(t, f, tok, "ka10001", map[string]string{"stk_cd": "005930"}); r.rc() != 1 || !strings.Contains(r.msg(), "[1999:") {
		t.Errorf("injected 1999: %+v", r.body)
	}
	f.ExpireTokens()
	if r := kwCall(t, f, tok, "ka10001", map[string]string{"stk_cd": "005930"}); r.rc() != 3 {
		t.Errorf("after ExpireTokens: %+v", r.body)
	}
	log := f.Log()
	if len(log) == 0 || log[len(log)-1].APIID != "ka10001" || log[len(log)-1].ReturnCode != 3 {
		t.Errorf("last log entry %+v", log[len(log)-1])
	}
}

func TestKiwoomFakeMarketHours(t *testing.T) {
	t.Parallel()
	kst := broker.KST()
	tests := []struct {
		name string
		mode string
		at   time.Time
		want string // "" = accepted
	}{
		{"open", "mock", time.Date(2026, 3, 3, 10, 0, 0, 0, kst), ""},
		{"opening_auction", "mock", time.Date(2026, 3, 3, 8, 40, 0, 0, kst), ""},
		{"before", "mock", time.Date(2026, 3, 3, 7, 0, 0, 0, kst), "[2000](RC4057:모의투자 장시작전)"},
		{"after", "mock", time.Date(2026, 3, 3, 15, 31, 0, 0, kst), "[2000](RC4058:모의투자 장종료)"},
		{"weekend", "mock", time.Date(2026, 3, 7, 10, 0, 0, 0, kst), "[2000](RC4058:모의투자 장종료)"},
		{"holiday_live", "live", time.Date(2026, 3, 2, 10, 0, 0, 0, kst), "[2000](571489:장이 열리지 않는 날입니다.)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := NewKiwoomServer(KiwoomFakeOptions{Mode: tt.mode, MarketHours: true, Clock: clock.NewFake(tt.at)})
			defer f.Close()
			tok := kwIssue(t, f)
			r := kwCall(t, f, tok, "kt10000", map[string]string{"dmst_stex_tp": "KRX", "stk_cd": "005930", "ord_qty": "1", "ord_uv": "", "trde_tp": "3", "cond_uv": ""})
			if tt.want == "" && r.rc() != 0 || tt.want != "" && r.msg() != tt.want {
				t.Errorf("order at %v: %+v, want %q", tt.at, r.body, tt.want)
			}
		})
	}
}

func TestKiwoomFakeControls(t *testing.T) {
	t.Parallel()
	if _, err := StartKiwoomServer(KiwoomFakeOptions{Mode: "paper"}); err == nil {
		t.Error("mode paper accepted")
	}
	if _, err := StartKiwoomServer(KiwoomFakeOptions{Addr: "256.0.0.1:0"}); err == nil {
		t.Error("a bad address accepted")
	}
	f, err := StartKiwoomServer(KiwoomFakeOptions{Addr: "127.0.0.1:0", Mode: "live", Stocks: kwThree})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if k, s, a := f.Credentials(); k != KiwoomFakeAppKey || s != KiwoomFakeSecretKey || a != KiwoomFakeAccount || f.Mode() != "live" {
		t.Errorf("credentials %s %s %s mode %s", k, s, a, f.Mode())
	}
	if got := strings.Join(f.Codes(), ","); got != "000660,005930,035720" {
		t.Errorf("codes %s", got)
	}
	resp, err := http.Post(f.URL()+"/_fake/price?code=005930&price=64000", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if p, ok := f.Price("005930"); resp.StatusCode != 200 || !ok || p != 64_000 {
		t.Errorf("set price: HTTP %d, price %d", resp.StatusCode, p)
	}
	for _, q := range []string{"code=999999&price=1000", "code=005930&price=-1"} {
		resp, _ := http.Post(f.URL()+"/_fake/price?"+q, "", nil)
		if resp.StatusCode == 200 {
			t.Errorf("%s accepted", q)
		}
		resp.Body.Close()
	}
	resp, err = http.Get(f.URL() + "/_fake/prices")
	if err != nil {
		t.Fatal(err)
	}
	var prices map[string]int64
	_ = json.NewDecoder(resp.Body).Decode(&prices)
	resp.Body.Close()
	if prices["005930"] != 64_000 || prices["000660"] != 180_000 || len(prices) != 3 {
		t.Errorf("prices %v", prices)
	}
}
