package brokertest

import (
	"net/url"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
)

const kisPathMinute = "/uapi/domestic-stock/v1/quotations/inquire-time-itemchartprice"

// trades makes the (frozen) fake trade at the given KST minutes of
// kisT0's day, in order, each at hh:mm:30.
func trades(t *testing.T, clk *clock.Fake, set func(string, int64) bool, at []string, prices []int64) {
	t.Helper()
	for i, hm := range at {
		ts, err := time.ParseInLocation("2006010215:04:05", kisT0().Format("20060102")+hm+":30", broker.KST())
		if err != nil {
			t.Fatal(err)
		}
		clk.Set(ts)
		if !set("005930", prices[i]) {
			t.Fatal("SetPrice refused")
		}
	}
}

// The KIS fake's 주식당일분봉조회: output2 rows as strings, newest first, at
// or before FID_INPUT_HOUR_1, at most 30; a future hour reads as now; the
// five query keys are required.
func TestKISFakeMinuteChart(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(kisT0().Add(-2 * time.Hour))
	f := NewKIS(t, KISFakeOptions{Clock: clk, RateLimit: -1, IssueGap: -1})
	h := kisHeaders(t, f, "FHKST03010200")
	trades(t, clk, f.SetPrice, []string{"09:00", "09:00", "09:01", "09:03"}, []int64{70000, 70300, 69900, 70100})
	q := url.Values{"FID_COND_MRKT_DIV_CODE": {"J"}, "FID_INPUT_ISCD": {"005930"}, "FID_INPUT_HOUR_1": {"090200"},
		"FID_PW_DATA_INCU_YN": {"Y"}, "FID_ETC_CLS_CODE": {""}}
	r := kisGet(t, f, kisPathMinute, h, q)
	if r.status != 200 || r.str("rt_cd") != "0" {
		t.Fatalf("answer %d %s", r.status, r.raw)
	}
	rows, _ := r.body["output2"].([]any)
	if len(rows) != 2 {
		t.Fatalf("rows up to 09:02: %s", r.raw)
	}
	newest := rows[0].(map[string]any)
	want := map[string]string{"stck_bsop_date": "20260303", "stck_cntg_hour": "090100", "stck_prpr": "69900",
		"stck_oprc": "69900", "stck_hgpr": "69900", "stck_lwpr": "69900"}
	for k, v := range want {
		if newest[k] != v {
			t.Errorf("newest %s = %v, want %s", k, newest[k], v)
		}
	}
	if first := rows[1].(map[string]any); first["stck_oprc"] != "70000" || first["stck_hgpr"] != "70300" || first["stck_prpr"] != "70300" {
		t.Errorf("09:00 candle: %v", first)
	}
	if o1, _ := r.body["output1"].(map[string]any); o1["hts_kor_isnm"] != "삼성전자" || o1["stck_prpr"] != "70100" {
		t.Errorf("output1: %v", o1)
	}
	q.Set("FID_INPUT_HOUR_1", "235959") // later than now: up to now
	if rows, _ := kisGet(t, f, kisPathMinute, h, q).body["output2"].([]any); len(rows) != 3 {
		t.Errorf("a future hour: %d rows, want 3", len(rows))
	}
	q.Del("FID_ETC_CLS_CODE")
	if r := kisGet(t, f, kisPathMinute, h, q); r.str("msg_cd") != "OPSQ2001" {
		t.Errorf("without FID_ETC_CLS_CODE: %s", r.raw)
	}
}

// The Kiwoom fake's ka10080: signed prices against the previous close,
// cntr_tm YYYYMMDDHHmmss, newest first, pages of ChartPageSize with
// cont-yn/next-key, 3-minute candles on tic_scope 3.
func TestKiwoomFakeMinuteChart(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(kisT0().Add(-2 * time.Hour))
	f := NewKiwoomServer(KiwoomFakeOptions{Clock: clk, ChartPageSize: 2})
	t.Cleanup(f.Close)
	tok := kwIssue(t, f)
	trades(t, clk, f.SetPrice, []string{"09:00", "09:00", "09:01", "09:03"}, []int64{70000, 70300, 69900, 70100})
	f.mu.Lock()
	prev := f.m.Book("005930").PrevClose
	f.mu.Unlock()
	body := map[string]string{"stk_cd": "005930", "tic_scope": "1", "upd_stkpc_tp": "1"}
	r := kwCall(t, f, tok, "ka10080", body)
	rows := r.list("stk_min_pole_chart_qry")
	if r.rc() != 0 || len(rows) != 2 || r.header.Get("cont-yn") != "Y" || r.header.Get("next-key") == "" {
		t.Fatalf("first page: %v %v", r.header, r.body)
	}
	if rows[0]["cntr_tm"] != "20260303090300" || rows[1]["cntr_tm"] != "20260303090100" {
		t.Errorf("newest first: %v", rows)
	}
	r2 := kwCall(t, f, tok, "ka10080", body, "cont-yn", "Y", "next-key", r.header.Get("next-key"))
	last := r2.list("stk_min_pole_chart_qry")
	if len(last) != 1 || r2.header.Get("cont-yn") != "N" {
		t.Fatalf("second page: %v %v", r2.header, r2.body)
	}
	// Prices carry their direction against the previous close.
	if c := last[0]; c["high_pric"] != direction(70300, prev) || c["cntr_tm"] != "20260303090000" {
		t.Errorf("09:00 candle: %v", c)
	}
	r3 := kwCall(t, f, tok, "ka10080", map[string]string{"stk_cd": "005930", "tic_scope": "3", "upd_stkpc_tp": "1"})
	rows = r3.list("stk_min_pole_chart_qry")
	if len(rows) != 2 || rows[1]["cntr_tm"] != "20260303090000" || rows[1]["cur_prc"] != direction(69900, prev) {
		t.Errorf("3-minute candles: %v", rows)
	}
	if r := kwCall(t, f, tok, "ka10080", map[string]string{"stk_cd": "005930", "tic_scope": "2", "upd_stkpc_tp": "1"}); r.rc() == 0 {
		t.Errorf("tic_scope 2 accepted: %v", r.body)
	}
}
