package brokertest

import (
	"net/http"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
)

func kisBuy(t *testing.T, f *KISFake, h map[string]string, qty, price string) kisResp {
	t.Helper()
	return kisPost(t, f, kisPathOrder, h, map[string]string{"CANO": "50123456", "ACNT_PRDT_CD": "01", "PDNO": "005930",
		"ORD_DVSN": "00", "ORD_QTY": qty, "ORD_UNPR": price, "EXCG_ID_DVSN_CD": "KRX", "SLL_TYPE": "", "CNDT_PRIC": ""})
}

// A resting order fills when a scheduled price reaches it on the fake's
// clock — not before — at its limit; Fill fills part of another.
func TestKISFakeScheduledAndPartialFills(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(kisT0())
	f := NewKIS(t, KISFakeOptions{Mode: "live", IssueGap: -1, Clock: clk, RateLimit: -1, Stocks: kisSamsung})
	h := kisHeaders(t, f, "TTTC0012U")
	if r := kisBuy(t, f, h, "10", "60000"); r.str("rt_cd") != "0" {
		t.Fatal(r.raw)
	}
	r := kisBuy(t, f, h, "10", "59000")
	if r.str("rt_cd") != "0" {
		t.Fatal(r.raw)
	}
	second := r.body["output"].(map[string]any)["ODNO"].(string)
	f.SetPriceAt("005930", 59_500, kisT0().Add(30*time.Second))
	clk.Advance(29 * time.Second)
	f.Advance()
	if o := f.Orders()[0]; o.Filled != 0 {
		t.Fatalf("filled before the price came: %+v", o)
	}
	clk.Advance(time.Second)
	f.Advance()
	if o := f.Orders()[0]; o.Filled != 10 || o.FillAmount != 600_000 {
		t.Fatalf("not filled at its limit 30 s later: %+v", o)
	}
	if p, _ := f.Price("005930"); p != 59_500 {
		t.Fatalf("price %d", p)
	}
	if err := f.Fill(second, 3); err != nil {
		t.Fatal(err)
	}
	if err := f.Fill(second, 8); err == nil {
		t.Fatal("filled more than is open")
	}
	if o := f.Orders()[1]; o.Filled != 3 || o.FillAmount != 3*59_000 {
		t.Fatalf("partial fill: %+v", o)
	}
}

// With MarketHours the fake keeps broker.Calendar: closed on holidays,
// open to 16:30 on the 수능 day, and day orders lapse at the close,
// releasing their cash.
func TestKISFakeSessions(t *testing.T) {
	t.Parallel()
	csat := time.Date(2026, 11, 19, 16, 0, 0, 0, broker.KST())
	clk := clock.NewFake(csat)
	f := NewKIS(t, KISFakeOptions{IssueGap: -1, Clock: clk, RateLimit: -1, MarketHours: true, Stocks: kisSamsung})
	h := kisHeaders(t, f, "VTTC0012U")
	if r := kisBuy(t, f, h, "10", "60000"); r.str("rt_cd") != "0" {
		t.Fatalf("an order at 16:00 on the 수능 day: %s", r.raw)
	}
	clk.Set(csat.Add(29 * time.Minute))
	f.Advance()
	if o := f.Orders()[0]; o.Cancelled != 0 {
		t.Fatalf("lapsed before the close: %+v", o)
	}
	clk.Set(csat.Add(30 * time.Minute))
	f.Advance()
	if o := f.Orders()[0]; o.Cancelled != 10 {
		t.Fatalf("open after the 16:30 close: %+v", o)
	}
	if r := kisBuy(t, f, h, "1", "60000"); r.str("msg_cd") != "40580000" {
		t.Fatalf("an order after the close: %s", r.raw)
	}
	clk.Set(time.Date(2026, 12, 25, 10, 0, 0, 0, broker.KST())) // 성탄절, a Friday
	h = kisHeaders(t, f, "VTTC0012U")                           // a month later: a new token
	if r := kisBuy(t, f, h, "1", "60000"); r.str("msg_cd") != "40580000" || r.status != http.StatusOK {
		t.Fatalf("an order on a holiday: %s", r.raw)
	}
}

// With Sim.Tick the fake's market moves on its clock with no request
// coming in: a scheduled price fills a resting order by itself.
func TestKISFakeBackgroundTicks(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(kisT0())
	f := NewKIS(t, KISFakeOptions{Mode: "live", IssueGap: -1, Clock: clk, RateLimit: -1, Sim: SimOptions{Tick: time.Second}, Stocks: kisSamsung})
	ticked := make(chan struct{}, 8)
	f.mu.Lock()
	f.ticked = func() { ticked <- struct{}{} }
	f.mu.Unlock()
	h := kisHeaders(t, f, "TTTC0012U")
	if r := kisBuy(t, f, h, "10", "60000"); r.str("rt_cd") != "0" {
		t.Fatal(r.raw)
	}
	f.SetPriceAt("005930", 59_900, kisT0().Add(time.Second))
	clk.Advance(time.Second)
	<-ticked
	if o := f.Orders()[0]; o.Filled != 10 || o.FillAmount != 600_000 {
		t.Fatalf("not filled by the clock: %+v", o)
	}
}
