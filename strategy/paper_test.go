package strategy

import (
	"context"
	"testing"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/paper"
	"github.com/hoga-trade/hoga/clock"
)

// TestWithThePaperExchange runs a rule against the simulated exchange:
// real fills, real holdings, real tick sizes.
func TestWithThePaperExchange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := clock.NewFake(t0)
	ex, err := paper.New(paper.Options{Clock: clk, Freeze: true, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ex.Close() })
	r := Rule{Code: "005930", BuyBelow: 190_000, SellAbove: 210_000, Qty: 10, Type: broker.Limit, MaxPosition: 15, Enabled: true}
	ev := &events{}
	e, err := New(Options{Broker: ex, Rules: []Rule{r}, Clock: clk, OnEvent: ev.add})
	if err != nil {
		t.Fatal(err)
	}
	held := func() int64 {
		b, err := ex.Balance(ctx)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := b.Position("005930")
		return p.Qty
	}
	at := func(price int64) {
		t.Helper()
		if err := ex.SetPrice("005930", price); err != nil {
			t.Fatal(err)
		}
		e.round(ctx)
	}

	at(198_000)
	at(189_500) // buy 10 at 189,900, filled at 189,500
	for range 50 {
		at(189_000)
	}
	if got := held(); got != 10 {
		t.Fatalf("holding %d after a long dip, want 10", got)
	}
	at(192_000) // re-arm (190,000 + 1 % = 191,900)
	at(189_500) // capped at 15: buys 5
	if got := held(); got != 15 {
		t.Fatalf("holding %d, want the cap of 15", got)
	}
	at(211_000) // sell 10 at 210,500 (500-won ticks above 200,000)
	if got := held(); got != 5 {
		t.Fatalf("holding %d after the sell, want 5", got)
	}
	orders, err := ex.OrdersToday(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(orders) != 3 {
		t.Fatalf("%d orders: %+v", len(orders), orders)
	}
	wantPrices := []int64{189_900, 189_900, 210_500}
	for i, o := range orders {
		if o.Price != wantPrices[i] || o.Status != broker.StatusFilled {
			t.Errorf("order %d: %+v", i, o)
		}
	}
	if n := ev.count(EventPlaced); n != 3 {
		t.Errorf("%d placed events: %v", n, ev.kinds())
	}
}
