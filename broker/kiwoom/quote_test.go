package kiwoom

import (
	"encoding/json"
	"testing"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
)

// quoteBody is a ka10001 answer shaped like the live capture in
// shared/broker-api/kiwoom.md §4: a down day, so every price carries "-".
const quoteBody = `{"stk_cd":"005930","stk_nm":"삼성전자","setl_mm":"12","fav":"100","cap":"7780","flo_stk":"5969783",
"crd_rt":"+0.16","oyr_hgst":"+169400","oyr_lwst":"-50800","mac":"9512858","mac_wght":"","for_exh_rt":"50.22",
"repl_pric":"125120","per":"32.47","eps":"4950","roe":"9.0","pbr":"2.77","ev":"","bps":"57930","sale_amt":"0",
"bus_pro":"0","cup_nga":"0","250hgst":"+169400","250lwst":"-50800","high_pric":"-168200","open_pric":"-167900",
"low_pric":"-159500","upl_pric":"+219700","lst_pric":"-118300","base_pric":"169100","exp_cntr_pric":"","exp_cntr_qty":"",
"250hgst_pric_dt":"20260225","250hgst_pric_pre_rt":"-5.31","250lwst_pric_dt":"20250310","250lwst_pric_pre_rt":"+215.75",
"cur_prc":"-160400","pre_sig":"5","pred_pre":"-8700","flu_rt":"-5.14","trde_qty":"31734276","trde_pre":"+12.50",
"fav_unit":"원","dstr_stk":"5969783","dstr_rt":"100.00","return_code":0,"return_msg":"정상적으로 처리되었습니다"}`

func TestQuoteFrom(t *testing.T) {
	t.Parallel()
	c := &Client{clk: clock.Real{}}
	var a quoteAnswer
	if err := json.Unmarshal([]byte(quoteBody), &a); err != nil {
		t.Fatal(err)
	}
	q, err := c.quoteFrom("005930", &a)
	if err != nil {
		t.Fatal(err)
	}
	want := broker.Quote{Code: "005930", Name: "삼성전자", Price: 160400, Change: -8700, ChangePct: -5.14, Sign: broker.SignDown,
		Volume: 31734276, Open: 167900, High: 168200, Low: 159500, PrevClose: 169100, UpperLimit: 219700, LowerLimit: 118300, Tick: 100}
	q.Time = want.Time
	if q != want {
		t.Fatalf("quote\n got %+v\nwant %+v", q, want)
	}
}

func TestQuoteSignRepair(t *testing.T) {
	t.Parallel()
	c := &Client{clk: clock.Real{}}
	tests := []struct {
		body       string
		sign       broker.Sign
		change     int64
		changePct  float64
		wantErrNot bool
	}{
		// An unsigned change on a down day takes pre_sig's direction.
		{`{"stk_nm":"x","cur_prc":"-9000","pre_sig":"5","pred_pre":"1000","flu_rt":"10.00"}`, broker.SignDown, -1000, -10, false},
		// No pre_sig: the change decides.
		{`{"stk_nm":"x","cur_prc":"+11000","pred_pre":"+1000","flu_rt":"+10.00"}`, broker.SignUp, 1000, 10, false},
		// A flat verdict with a change is overruled.
		{`{"stk_nm":"x","cur_prc":"11000","pre_sig":"3","pred_pre":"+1000","flu_rt":"+10.00"}`, broker.SignUp, 1000, 10, false},
		{`{"stk_nm":"x","cur_prc":"+13000","pre_sig":"1","pred_pre":"+3000","flu_rt":"+30.00"}`, broker.SignUpperLimit, 3000, 30, false},
	}
	for _, tt := range tests {
		var a quoteAnswer
		if err := json.Unmarshal([]byte(tt.body), &a); err != nil {
			t.Fatal(err)
		}
		q, err := c.quoteFrom("005930", &a)
		if err != nil {
			t.Fatalf("%s: %v", tt.body, err)
		}
		if q.Sign != tt.sign || q.Change != tt.change || q.ChangePct != tt.changePct {
			t.Errorf("%s: sign %d change %d pct %v; want %d %d %v", tt.body, q.Sign, q.Change, q.ChangePct, tt.sign, tt.change, tt.changePct)
		}
	}
	for _, body := range []string{`{"stk_cd":"999999","cur_prc":"","stk_nm":""}`, `{}`} {
		var a quoteAnswer
		_ = json.Unmarshal([]byte(body), &a)
		if _, err := c.quoteFrom("999999", &a); broker.KindOf(err) != broker.NotFound {
			t.Errorf("%s: %v, want not_found", body, err)
		}
	}
	// A named stock quoted at 0 (or with no price at all) is unreadable,
	// never a quote a rule could act on (issue 12.4).
	for _, body := range []string{`{"stk_nm":"삼성전자","cur_prc":"0","base_pric":"169100"}`, `{"stk_nm":"삼성전자","cur_prc":"+0"}`, `{"stk_nm":"삼성전자","cur_prc":""}`} {
		var a quoteAnswer
		_ = json.Unmarshal([]byte(body), &a)
		if q, err := c.quoteFrom("005930", &a); broker.KindOf(err) != broker.Unreadable {
			t.Errorf("%s: %+v, %v; want unreadable", body, q, err)
		}
	}
	var a quoteAnswer
	_ = json.Unmarshal([]byte(`{"stk_nm":"x","cur_prc":"7l000"}`), &a)
	if _, err := c.quoteFrom("005930", &a); broker.KindOf(err) != broker.Internal {
		t.Errorf("bad cur_prc: %v, want internal", err)
	}
}

// BenchmarkQuoteDecode measures reading a full ka10001 answer: JSON into
// the answer struct and the conversion to broker.Quote, which every
// strategy poll pays.
func BenchmarkQuoteDecode(b *testing.B) {
	c := &Client{clk: clock.Real{}}
	body := []byte(quoteBody)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var a quoteAnswer
		if err := json.Unmarshal(body, &a); err != nil {
			b.Fatal(err)
		}
		if _, err := c.quoteFrom("005930", &a); err != nil {
			b.Fatal(err)
		}
	}
}
