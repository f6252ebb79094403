package brokertest

import (
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
)

// A resting order fills when a scheduled price reaches it on the fake's
// clock, at its limit; with MarketHours an open order lapses at the close
// (16:30 on the 수능 day).
func TestKiwoomFakeScheduledFillAndExpiry(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 19, 16, 0, 0, 0, broker.KST()) // 수능
	clk := clock.NewFake(t0)
	f := NewKiwoomServer(KiwoomFakeOptions{Clock: clk, MarketHours: true, RateLimit: -1, Stocks: kwThree})
	defer f.Close()
	tok := kwIssue(t, f)
	buy := func(uv string) string {
		t.Helper()
		r := kwCall(t, f, tok, "kt10000", map[string]string{"dmst_stex_tp": "KRX", "stk_cd": "005930", "ord_qty": "2", "ord_uv": uv, "trde_tp": "0", "cond_uv": ""})
		if r.rc() != 0 {
			t.Fatalf("buy at %s: %+v", uv, r.body)
		}
		return r.str("ord_no")
	}
	first, second := buy("70000"), buy("69000")
	f.SetPriceAt("005930", 69_500, t0.Add(30*time.Second))
	clk.Advance(29 * time.Second)
	f.Advance()
	if o := f.Orders()[0]; o.No != first || o.Filled != 0 {
		t.Fatalf("filled early: %+v", o)
	}
	clk.Advance(time.Second)
	f.Advance()
	if o := f.Orders()[0]; o.Filled != 2 || o.FillAmount != 140_000 {
		t.Fatalf("not filled at its limit: %+v", o)
	}
	cash := f.Cash()
	clk.Set(t0.Add(30 * time.Minute))
	f.Advance()
	if o := f.Orders()[1]; o.No != second || o.Cancelled != 2 || o.Remaining() != 0 {
		t.Fatalf("open after the 16:30 close: %+v", o)
	}
	if f.Cash() != cash {
		t.Fatalf("cash %d, want %d", f.Cash(), cash)
	}
}
