package main

import (
	"context"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/paper"
	"github.com/hoga-trade/hoga/broker/tracker"
	"github.com/hoga-trade/hoga/clock"
)

// clockKey carries a test's clock into run() through its context: the
// guard and the order tracker then run on it, so an end-to-end test moves
// time (a fill 30 s later, the 15:30 close) without sleeping. Nothing
// outside tests sets it.
type clockKey struct{}

// withClock returns ctx carrying clk for run.
func withClock(ctx context.Context, clk clock.Clock) context.Context {
	return context.WithValue(ctx, clockKey{}, clk)
}

// brokerClockKey carries a test's clock for the KIS and Kiwoom clients
// too: their token expiry, one-issuance-a-minute throttle, start-up token
// retries and today's date then follow the test (a fake broker on the same
// clock), while their request pacing stays on the wall clock. Tests whose
// fake brokers run on the wall clock leave it unset. Nothing outside tests
// sets it.
type brokerClockKey struct{}

// withBrokerClock returns ctx carrying clk for run's broker clients.
func withBrokerClock(ctx context.Context, clk clock.Clock) context.Context {
	return context.WithValue(ctx, brokerClockKey{}, clk)
}

// brokerClockFrom is the broker clients' clock ctx carries, or nil (the
// wall clock).
func brokerClockFrom(ctx context.Context) clock.Clock {
	c, _ := ctx.Value(brokerClockKey{}).(clock.Clock)
	return c
}

// paceClockKey carries a test's clock for the KIS and Kiwoom clients'
// request pacing (their rate limiters' waits), so a run() test at the
// brokers' real rates (KIS mock 2 requests/s) spends no wall time waiting
// and a fake broker's rate windows on the same clock see exactly the
// client's spacing. Nothing outside tests sets it: pacing is on the wall
// clock.
type paceClockKey struct{}

// withPaceClock returns ctx carrying clk for run's broker clients' pacing.
func withPaceClock(ctx context.Context, clk clock.Clock) context.Context {
	return context.WithValue(ctx, paceClockKey{}, clk)
}

// paceClockFrom is the pacing clock ctx carries, or the wall clock.
func paceClockFrom(ctx context.Context) clock.Clock {
	if c, ok := ctx.Value(paceClockKey{}).(clock.Clock); ok && c != nil {
		return c
	}
	return clock.Real{}
}

// clockFrom is the clock ctx carries, or the wall clock.
func clockFrom(ctx context.Context) clock.Clock {
	if c, ok := ctx.Value(clockKey{}).(clock.Clock); ok && c != nil {
		return c
	}
	return clock.Real{}
}

// buildTracker makes the order tracker (issue 14): it follows every
// accepted order through the same observed broker the guard uses (so its
// polls are measured and inside the client's rate limiter), records fills
// in the journal and publishes them to the alert feed.
func (a *app) buildTracker(b broker.Broker) error {
	t, err := tracker.New(tracker.Options{
		Broker:      b,
		Journal:     a.db,
		Normalize:   func(id string) string { return broker.NormalizeOrderID(a.inner, id) },
		Clock:       a.clock,
		Calendar:    a.cal,
		MarketHours: a.cfg.marketHours,
		OnEvent: func(ev broker.OrderEvent) {
			a.metrics.OrderEvent(ev)
			a.feed.OrderEvent(context.Background(), ev)
			if ev.Fill.Qty > 0 {
				a.metrics.Fill(ev.Fill, a.clock.Now())
			}
		},
		// A fill notice for an order no row carries may be one the guard
		// told the owner was never placed: it reads the list again.
		OnStranger: func(string) { a.guard.Recheck() },
		OnPoll: func(took time.Duration, err error) {
			a.metrics.TrackerPoll(took, err, a.tracker.Status().Open)
		},
		Logger: a.log.With("part", "tracker"),
	})
	if err != nil {
		return err
	}
	a.tracker = t
	a.background["tracker"] = t.Run
	if a.paper != nil {
		// The paper exchange's fills reach the tracker as a broker's
		// notices do: one push per fill, stored and alerted once whether
		// the push or the poll (still the fallback) sees it first. A
		// cancel or an expiry carries no fill: the tracker polls to learn
		// it, as it does for a KIS or Kiwoom acknowledgement.
		// SubscribeNow: the push is queued before PlaceOrder answers, so
		// a session that stops right after a market order's reply still
		// journals and tells its fill (Notify never waits).
		stop := a.paper.SubscribeNow(func(ev paper.Event) {
			if ev.Kind != paper.EventFill {
				t.Kick()
				return
			}
			a.metrics.StreamMessage("paper", "notice")
			t.Notify(tracker.Push{OrderID: ev.Order.ID, Qty: ev.Qty, Price: ev.Price, CumQty: ev.Order.FilledQty,
				ExecID: ev.ExecID, Time: ev.Time, Source: broker.FillPaper})
		})
		a.closers = append(a.closers, func() error { stop(); return nil })
	}
	return nil
}

// The bounds of a clean stop's final check (finalCheck), on the wall
// clock: together they may delay the exit by at most finalCheckBudget.
const (
	finalCheckBudget = 5 * time.Second
	// finalGuardWait is how long the order being sent may take to be
	// answered before the tracker looks anyway (that order's fill, if any,
	// is then labelled at the next start as possibly before the stop).
	finalGuardWait = 3 * time.Second
)

// finalCheck is a clean stop's last look at the broker before the parts
// stop: the guard takes no new order and the one in flight is answered,
// then the tracker polls the open orders once and marks the journal, so a
// fill in the last poll gap is told now as an ordinary fill and one found
// at the next start is known to have come while hoga was down. Bounded by
// finalCheckBudget; a failure is logged, never fatal.
func (a *app) finalCheck(ctx context.Context) {
	if a.tracker == nil || a.guard == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finalCheckBudget)
	defer cancel()
	began := time.Now()
	gctx, gcancel := context.WithTimeout(ctx, finalGuardWait)
	err := a.guard.Drain(gctx)
	gcancel()
	if err != nil {
		a.log.Warn("stopping: an order was still being sent; the final check may not cover it", "err", err)
	}
	if err := a.tracker.FinalCheck(ctx); err != nil {
		a.log.Warn("stopping: the final check of open orders failed; a fill found at the next start will say it may have come before the stop", "err", err)
		return
	}
	a.log.Info("stopping: open orders checked", "took", time.Since(began).Round(time.Millisecond))
}

// builtKey carries a test's look at the built app into run(), so an
// end-to-end test can wait on the tracker's state instead of sleeping.
type builtKey struct{}

// withBuilt returns ctx asking run to hand fn the app once it is built.
func withBuilt(ctx context.Context, fn func(*app)) context.Context {
	return context.WithValue(ctx, builtKey{}, fn)
}

// notifyBuilt hands a to the test that asked for it.
func notifyBuilt(ctx context.Context, a *app) {
	if fn, ok := ctx.Value(builtKey{}).(func(*app)); ok && fn != nil {
		fn(a)
	}
}
