package guard

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// Issue 21, item 2: with the broker's clock minutes away from the host's,
// an order whose answer was lost is found, never called "never placed" —
// whether the skew was measured (matched within the window) or not yet
// (matched as the only unclaimed order with its code, side and quantity).
func TestSkewedBrokerClockStillMatches(t *testing.T) {
	t.Parallel()
	for _, skew := range []time.Duration{3 * time.Minute, -3 * time.Minute, 10 * time.Minute, -10 * time.Minute} {
		for _, measured := range []bool{true, false} {
			t.Run(fmt.Sprintf("%v_measured_%v", skew, measured), func(t *testing.T) {
				t.Parallel()
				var sk broker.Skew
				if measured {
					sk.Observe(skew)
				}
				e := newEnv(t, func(o *Options) { o.Skew = &sk })
				e.fb.skew = skew
				e.run()
				o, err := e.g.PlaceOrder(context.Background(), func() broker.OrderRequest {
					e.fb.then(step{do: lostAnswer})
					return limitBuy(3, 70_000)
				}())
				wantKind(t, err, broker.UnknownOutcome)
				e.expectEvents(broker.EventUnknown)
				ev := e.advanceUntilEvent(5 * time.Second)
				if ev.Kind != broker.EventReconciled || ev.Err != nil || ev.Order.ID == "" {
					t.Fatalf("event %s %+v (err %v); want reconciled, found at the broker", ev.Kind, ev.Order, ev.Err)
				}
				en := e.entry(o.ClientID)
				if en.State != broker.StatusAccepted || en.BrokerID != ev.Order.ID {
					t.Fatalf("journal row %+v; want accepted as %s", en, ev.Order.ID)
				}
				if measured && e.clk.Now().After(t0.Add(DefaultReconcileGrace)) {
					t.Errorf("with the skew measured it was matched only at %v, after the grace", e.clk.Now())
				}
				if !measured && !strings.Contains(en.Note, "same code, side and quantity") {
					t.Errorf("note %q; want it to say it was matched by code, side and quantity", en.Note)
				}
			})
		}
	}
}

// Without a measured skew, an order far off in time but alike is matched
// only after the grace, and a closer one wins.
func TestLastResortWaitsForGraceAndPrefersTime(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	e.fb.skew = 10 * time.Minute
	e.fb.then(step{do: lostAnswer})
	o, _ := e.g.PlaceOrder(ctx, limitBuy(3, 70_000))
	e.fb.skew = 0
	// An identical order from the broker's app, listed at the host's time
	// but placed a minute and a half later: inside the window.
	e.clk.Advance(90 * time.Second)
	e.fb.mu.Lock()
	inWindow := e.fb.record(limitBuy(3, 70_000))
	e.fb.mu.Unlock()
	if err := e.g.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	if en := e.entry(o.ClientID); en.BrokerID != inWindow.ID {
		t.Fatalf("row %+v; want the order inside the window, %s", en, inWindow.ID)
	}
}

// Issue 21, item 3: "never placed" needs two reads after the grace, a
// recheckAfter apart; an order that turns up later corrects the journal and
// raises a loud event, once.
func TestNeverPlacedIsLastResortAndCorrected(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, func(o *Options) { o.ReconcileGrace = time.Minute })
	e.fb.then(step{do: notSent})
	o, _ := e.g.PlaceOrder(ctx, limitBuy(2, 70_000))

	e.clk.Advance(time.Minute)
	if err := e.g.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	if en := e.entry(o.ClientID); en.State != broker.StatusUnknown {
		t.Fatalf("after one read past the grace: %s; want still unknown", en.State)
	}
	// A second read at once is not independent.
	if err := e.g.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	if en := e.entry(o.ClientID); en.State != broker.StatusUnknown {
		t.Fatalf("after a second read at the same moment: %s; want still unknown", en.State)
	}
	e.clk.Advance(recheckAfter)
	if err := e.g.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	en := e.entry(o.ClientID)
	if en.State != broker.StatusRejected || en.ErrCode != codeNotAtBroker {
		t.Fatalf("after two reads: %+v; want never placed", en)
	}

	// The order turns up (a lagging list): corrected, loudly, once.
	e.clk.Advance(20 * time.Second)
	e.fb.mu.Lock()
	late := e.fb.record(limitBuy(2, 70_000))
	e.fb.mu.Unlock()
	e.run() // delivers the events so far, and watches the list
	e.expectEvents(broker.EventUnknown, broker.EventReconciled)
	ev := e.advanceUntilEvent(10 * time.Second)
	if ev.Kind != broker.EventCorrected || ev.Order.ID != late.ID || ev.Request.ClientID != o.ClientID {
		t.Fatalf("event %s %+v; want corrected to %s", ev.Kind, ev, late.ID)
	}
	if be, ok := broker.AsError(ev.Err); !ok || be.Code != "late_at_broker" {
		t.Fatalf("correction's error %v; want late_at_broker", ev.Err)
	}
	en = e.entry(o.ClientID)
	if en.State != broker.StatusAccepted || en.BrokerID != late.ID {
		t.Fatalf("corrected row %+v; want accepted as %s", en, late.ID)
	}
	if err := e.g.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	e.noEvent()
}

// A row told "never placed" never takes an order an unresolved row can
// claim.
func TestToldRowDoesNotStealFromUnresolved(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, func(o *Options) { o.ReconcileGrace = time.Minute })
	e.fb.then(step{do: notSent})
	a, _ := e.g.PlaceOrder(ctx, limitBuy(2, 70_000))
	e.clk.Advance(time.Minute)
	for range neverPlacedReads {
		if err := e.g.Recover(ctx); err != nil {
			t.Fatal(err)
		}
		e.clk.Advance(recheckAfter)
	}
	if en := e.entry(a.ClientID); !toldNeverPlaced(en) {
		t.Fatalf("a: %+v; want never placed", en)
	}
	// The owner resends; this time the answer is lost but the order is there.
	e.fb.then(step{do: lostAnswer})
	b, _ := e.g.PlaceOrder(ctx, limitBuy(2, 70_000))
	if err := e.g.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	orders, _, _ := e.fb.snapshot()
	if en := e.entry(b.ClientID); en.BrokerID != orders[0].ID {
		t.Fatalf("b: %+v; want it to hold %s", en, orders[0].ID)
	}
	if en := e.entry(a.ClientID); !toldNeverPlaced(en) {
		t.Fatalf("a: %+v; want still never placed", en)
	}
}

// Recheck (the tracker saw a fill notice for an order no row carries)
// reads the list at once: the correction does not wait for the slow
// watch pace.
func TestRecheckCorrectsAtOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, func(o *Options) { o.ReconcileGrace = time.Minute })
	e.fb.then(step{do: notSent})
	o, _ := e.g.PlaceOrder(ctx, limitBuy(2, 70_000))
	e.clk.Advance(time.Minute)
	for range neverPlacedReads {
		if err := e.g.Recover(ctx); err != nil {
			t.Fatal(err)
		}
		e.clk.Advance(recheckAfter)
	}
	e.run()
	e.expectEvents(broker.EventUnknown, broker.EventReconciled)
	// The loop is now waiting out the watch pace on the fake clock.
	e.clk.BlockUntil(1, nil)
	e.fb.mu.Lock()
	late := e.fb.record(limitBuy(2, 70_000))
	e.fb.mu.Unlock()
	e.g.Recheck() // no clock advance
	ev := e.nextEvent()
	if ev.Kind != broker.EventCorrected || ev.Order.ID != late.ID || ev.Request.ClientID != o.ClientID {
		t.Fatalf("event %s %+v; want corrected to %s", ev.Kind, ev, late.ID)
	}
}

// Without a Date header to go by, the broker's clock is measured from the
// listed time of an order hoga knows by number, and the next lost answer
// is matched at once, before the grace.
func TestSkewMeasuredFromKnownOrders(t *testing.T) {
	t.Parallel()
	for _, skew := range []time.Duration{10 * time.Minute, -10 * time.Minute} {
		t.Run(skew.String(), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			sk := &broker.Skew{}
			e := newEnv(t, func(o *Options) { o.Skew = sk })
			e.fb.skew = skew
			e.fb.then(step{do: accept})
			known, err := e.g.PlaceOrder(ctx, limitBuy(1, 70_000))
			if err != nil {
				t.Fatal(err)
			}
			e.clk.Advance(time.Minute)
			e.fb.then(step{do: lostAnswer})
			lost, _ := e.g.PlaceOrder(ctx, limitBuy(2, 70_000))
			if err := e.g.Recover(ctx); err != nil { // one pass, at once
				t.Fatal(err)
			}
			if got, ok := sk.Get(); !ok || got < skew || got > skew+time.Second {
				t.Fatalf("measured %v, %v; want %v from order %s", got, ok, skew, known.ID)
			}
			if en := e.entry(lost.ClientID); en.State != broker.StatusAccepted || en.Note == "" || strings.Contains(en.Note, "same code, side and quantity") {
				t.Fatalf("lost answer: %+v; want matched in the window at once", en)
			}
		})
	}
}
