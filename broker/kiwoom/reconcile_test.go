package kiwoom_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/broker/guard"
	"github.com/hoga-trade/hoga/broker/kiwoom"
	"github.com/hoga-trade/hoga/broker/tracker"
	"github.com/hoga-trade/hoga/clock"
)

// TestRestartSettlesEveryRowInOneWalkOfALongList is the Kiwoom mock of the
// long kill loop (issue 20): 120 orders today, and 32 rows a killed hoga
// left pending, every one of them at the broker. The order lists were cut
// off at 30 pages (the fake pages 2 rows), so past 60 orders no list could
// be read, no row was ever settled again, and every try cost 30 requests.
// Now one walk of the lists after the restart settles every row, within
// Kiwoom's rate limit kept as a strict sliding window (no 1700), in the
// time that walk takes at 4 requests a second.
func TestRestartSettlesEveryRowInOneWalkOfALongList(t *testing.T) {
	t.Parallel()
	const orders, unsettled = 120, 32
	clk := clock.NewFake(start)
	placed := make(chan struct{})
	go drive(clk, placed, time.Time{})
	var refused atomic.Int64
	c, fake := newClient(t, brokertest.KiwoomFakeOptions{Clock: clk, StrictWindow: true, Cash: 1 << 50, Stocks: kwStocks},
		kiwoom.Options{Clock: clk, OnRateLimited: func(string) { refused.Add(1) }})
	j := brokertest.NewJournal(clk)
	for i := range orders {
		// Limit buys below the price: every one stays open, so both
		// ka10076 and ka10075 list all 120.
		req := broker.OrderRequest{ClientID: fmt.Sprintf("c%03d", i), Code: "005930", Side: broker.Buy,
			Type: broker.Limit, Qty: int64(i + 1), Price: 60_000, Venue: broker.VenueKRX}
		e := broker.JournalEntry{ClientID: req.ClientID, Source: "http", Code: req.Code, Side: req.Side, Type: req.Type,
			Qty: req.Qty, Price: req.Price, Venue: req.Venue, State: broker.StatusPending, Created: clk.Now()}
		if err := j.InsertOrder(ctx, e); err != nil {
			t.Fatal(err)
		}
		o, err := c.PlaceOrder(ctx, req)
		if err != nil {
			t.Fatalf("order %d: %v", i, err)
		}
		if i%(orders/unsettled) == 0 && i/(orders/unsettled) < unsettled {
			continue // killed before its answer was journaled
		}
		if _, err := j.UpdateOrder(ctx, req.ClientID, func(x *broker.JournalEntry) error {
			x.State, x.BrokerID = broker.StatusAccepted, o.ID
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	close(placed)
	if rows, _ := j.Unresolved(ctx); len(rows) != unsettled {
		t.Fatalf("%d rows left pending, want %d", len(rows), unsettled)
	}

	// The restart.
	clk.Advance(5 * time.Second)
	restart, before := clk.Now(), len(fake.Log())
	settled := make(chan broker.OrderEvent, orders)
	// As cmd/hoga wires them: reconciliation and the tracker share the
	// walks of the list.
	lists := broker.NewSharedList(c, clk.Now)
	g, err := guard.New(guard.Options{Broker: c, List: lists, Journal: j, Clock: clk, MaxOrderKRW: -1, MaxDailyOrders: -1,
		OnEvent: func(ev broker.OrderEvent) {
			if ev.Kind == broker.EventReconciled {
				settled <- ev
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.RecoverInBackground(ctx); err != nil {
		t.Fatal(err)
	}
	// The tracker starts beside it, following the 88 open orders the
	// journal has numbers for: its first poll, at once, walks the same
	// lists. Its own clock stands still, so it polls only that once (a
	// later walk is the reconciler's own) and its sleep does not keep the
	// driver moving the shared clock while nothing else waits on it.
	tr, err := tracker.New(tracker.Options{Broker: lists, Journal: j, Clock: clock.NewFake(start),
		Normalize: func(id string) string { return broker.NormalizeOrderID(c, id) }})
	if err != nil {
		t.Fatal(err)
	}
	rctx, stop := context.WithCancel(ctx)
	ran := make(chan error, 2)
	go func() { ran <- g.Run(rctx) }()
	go func() { ran <- tr.Run(rctx) }()
	t.Cleanup(func() { stop(); <-ran; <-ran })

	// Ten minutes of the fake clock is a deadline only to fail rather
	// than hang when the rows never settle.
	all := make(chan struct{})
	go func() {
		defer close(all)
		for n := 0; n < unsettled; n++ {
			ev := <-settled
			if ev.Order.ID == "" || ev.Err != nil {
				t.Errorf("row %s settled as %+v, %v; every one is at the broker", ev.Request.ClientID, ev.Order, ev.Err)
			}
		}
	}()
	if !drive(clk, all, restart.Add(10*time.Minute)) {
		rows, _ := j.Unresolved(ctx)
		t.Fatalf("%d of %d rows still unsettled 10 minutes after the restart", len(rows), unsettled)
	}
	<-all
	// The time is the walk's: its last list request.
	var last time.Time
	walks, requests := 0, 0
	for _, r := range fake.Log()[before:] {
		if r.APIID != "ka10075" && r.APIID != "ka10076" {
			continue
		}
		requests++
		last = r.Time
		if r.APIID == "ka10076" && r.ContYN == "" {
			walks++
		}
	}
	// One walk: 60 pages of ka10076 and 60 of ka10075 at 4 a second per
	// api-id, one after the other.
	took := last.Sub(restart)
	t.Logf("%d rows settled %s after the restart, in %d walk(s) of %d list requests; %d refusals", unsettled, took, walks, requests, refused.Load())
	if walks != 1 {
		t.Errorf("%d walks of the order lists to settle every row, want 1", walks)
	}
	if want := time.Duration(requests)*time.Second/4 + 2*time.Second; took > want {
		t.Errorf("settled %s after the restart; one walk of %d requests at 4/s takes %s", took, requests, want)
	}
	if n := max(refused.Load(), int64(fake.RateLimited())); n != 0 {
		t.Errorf("%d rate-limit refusals; Kiwoom's limit must never be hit", n)
	}
}

// drive moves clk on by 50 ms whenever something waits on it, until done
// is closed (true) or the clock passes deadline (false; zero: none).
func drive(clk *clock.Fake, done <-chan struct{}, deadline time.Time) bool {
	for {
		if !deadline.IsZero() && clk.Now().After(deadline) {
			return false
		}
		if !clk.BlockUntil(1, done) {
			return true
		}
		clk.Advance(50 * time.Millisecond)
	}
}
