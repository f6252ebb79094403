package guard

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// Reconciliation settles journal rows left pending or unknown: orders that
// may or may not have reached the broker. It never resends. It asks the
// broker for today's orders and looks for one that is not already claimed
// by another journal row and carries the row's client id or, since KIS and
// Kiwoom do not echo client ids, the same code, side, quantity and price
// (market orders: no price) with an order time within MatchWindow of the
// row's; the pairs nearest in time are matched first (see assign). A match
// makes the row accepted with the broker's number (or rejected, if the
// broker lists it as rejected). No match in a list fetched at least
// ReconcileGrace after the row was written means the order never got there:
// rejected. A row from an earlier KST day cannot be settled from today's
// list; it is marked expired and the owner told to check the broker's
// history.
//
// Known limit: an identical order placed outside hoga (the broker's app)
// within MatchWindow of an unknown outcome can be taken for it.

// Recover starts settling the rows a previous run left pending or unknown
// (it crashed, or stopped mid-order): main calls it after New and before
// accepting commands or starting strategies. Pending rows are marked
// unknown, since the process may have died after the request went out, and
// one reconciliation pass settles what today's list already shows. It
// never waits out ReconcileGrace: rows still unsettled are left to Run,
// which keeps checking in the background, while PlaceOrder refuses only an
// order that could duplicate one of them (same code, side and quantity) and
// /orders shows them as being checked (issue 20, item 1: a restart used to
// block every command for two minutes). It returns the broker's error if
// today's orders cannot be fetched (Run keeps trying then), or ctx's error.
func (g *Guard) Recover(ctx context.Context) error {
	if err := g.markOrphans(ctx); err != nil {
		return err
	}
	if _, _, err := g.reconcilePass(ctx); err != nil {
		return fmt.Errorf("guard: recover: %w", err)
	}
	g.poke() // Run picks up whatever is left at once
	return nil
}

// markOrphans turns rows left pending by a previous process into unknown,
// so /orders says plainly what happened.
func (g *Guard) markOrphans(ctx context.Context) error {
	if err := g.lock(ctx); err != nil {
		return err
	}
	defer g.unlock()
	rows, err := g.j.Unresolved(ctx)
	if err != nil {
		return fmt.Errorf("guard: recover: %w", err)
	}
	for _, e := range rows {
		if e.State != broker.StatusPending {
			continue
		}
		note := fmt.Sprintf("hoga stopped at %s before the broker answered; checking the broker's order list (not resent)",
			e.Created.In(broker.KST()).Format("15:04:05"))
		cause := &broker.Error{Kind: broker.UnknownOutcome, Code: "stopped", Msg: "hoga stopped before the broker answered"}
		upd, err := g.j.UpdateOrder(ctx, e.ClientID, func(x *broker.JournalEntry) error {
			if x.State != broker.StatusPending {
				return errSettled
			}
			x.State, x.Note = broker.StatusUnknown, note
			x.SetErr(cause)
			return nil
		})
		if errors.Is(err, errSettled) {
			continue
		}
		if err != nil {
			return fmt.Errorf("guard: recover %s: %w", e.ClientID, err)
		}
		g.log.Warn("order left pending by a previous run; reconciling", "client_id", e.ClientID, "code", e.Code)
		g.emit(broker.OrderEvent{Kind: broker.EventUnknown, Request: upd.Request(), Order: journalOrder(upd), Err: cause})
	}
	return nil
}

var errSettled = errors.New("guard: row already settled")

// poke wakes the reconciler without blocking.
func (g *Guard) poke() {
	select {
	case g.wake <- struct{}{}:
	default:
	}
}

// reconcileLoop runs passes while rows are unresolved, backing off from
// ReconcileInterval to ReconcileMaxInterval but never sleeping past the
// moment a row's grace ends; with nothing to do it waits for a poke.
func (g *Guard) reconcileLoop(ctx context.Context) {
	delay := g.retryMin
	for {
		remaining, deadline, err := g.reconcilePass(ctx)
		if err != nil && ctx.Err() == nil {
			g.log.Warn("reconciliation: will retry", "unresolved", remaining, "err", err)
		}
		var wait <-chan time.Time
		if remaining > 0 {
			wait = g.clk.After(g.nextWait(&delay, deadline))
		} else {
			delay = g.retryMin
		}
		select {
		case <-ctx.Done():
			return
		case <-g.wake:
			delay = g.retryMin
		case <-wait:
		}
	}
}

// nextWait returns the wait before the next attempt and doubles *delay.
func (g *Guard) nextWait(delay *time.Duration, deadline time.Time) time.Duration {
	d := *delay
	*delay = min(2**delay, g.retryMax)
	if !deadline.IsZero() {
		if until := deadline.Sub(g.clk.Now()); until < d {
			d = max(until, time.Millisecond)
		}
	}
	return d
}

// reconcilePass tries once to settle every unresolved row. It returns how
// many remain, the earliest moment one of them can be called rejected, and
// the error that stopped it (fetching the broker's list, usually).
func (g *Guard) reconcilePass(ctx context.Context) (remaining int, deadline time.Time, err error) {
	if err := g.lock(ctx); err != nil {
		return 0, time.Time{}, err
	}
	defer g.unlock()
	rows, err := g.j.Unresolved(ctx)
	if err != nil {
		return 0, time.Time{}, err
	}
	if len(rows) == 0 {
		return 0, time.Time{}, nil
	}
	now := g.clk.Now()
	today := broker.Day(now)
	live := rows[:0]
	for _, e := range rows {
		if broker.Day(e.Created) == today {
			live = append(live, e)
			continue
		}
		if err := g.expire(ctx, e); err != nil {
			remaining++
			g.log.Error("reconciliation: could not mark an old row expired", "client_id", e.ClientID, "err", err)
		}
	}
	if len(live) == 0 {
		return remaining, time.Time{}, nil
	}

	fetched := g.clk.Now()
	orders, err := g.inner.OrdersToday(ctx)
	if err != nil {
		return remaining + len(live), time.Time{}, err
	}
	journal, err := g.j.OrdersOn(ctx, now)
	if err != nil {
		return remaining + len(live), time.Time{}, err
	}
	claimed := make(map[string]bool, len(journal))
	for _, e := range journal {
		if e.BrokerID != "" {
			claimed[e.BrokerID] = true
		}
	}
	var candidates []broker.Order
	for _, o := range orders {
		if o.ID != "" && !claimed[o.ID] {
			candidates = append(candidates, o)
		}
	}

	found := g.assign(live, candidates)
	for i, e := range live {
		if ci, ok := found[i]; ok {
			if err := g.settleFound(ctx, e, candidates[ci]); err != nil {
				remaining++
				g.log.Error("reconciliation: journal update failed", "client_id", e.ClientID, "err", err)
			}
			continue
		}
		due := e.Created.Add(g.grace)
		if !fetched.Before(due) {
			if err := g.settleMissing(ctx, e); err != nil {
				remaining++
				g.log.Error("reconciliation: journal update failed", "client_id", e.ClientID, "err", err)
			}
			continue
		}
		remaining++
		if deadline.IsZero() || due.Before(deadline) {
			deadline = due
		}
	}
	return remaining, deadline, nil
}

// assign pairs unresolved rows with unclaimed broker orders. A broker
// order carrying the row's client id is certain. Otherwise every fitting
// pair is ranked by how far apart the two times are, and the closest pairs
// are taken first (ties: the older row), so of two identical orders the
// broker order goes to the row written just before it rather than to
// whichever row is oldest.
func (g *Guard) assign(rows []broker.JournalEntry, cands []broker.Order) map[int]int {
	type pair struct {
		row, cand int
		exact     bool
		dist      time.Duration
	}
	var pairs []pair
	for ri, e := range rows {
		for ci, o := range cands {
			if o.ClientID != "" {
				if o.ClientID == e.ClientID {
					pairs = append(pairs, pair{row: ri, cand: ci, exact: true})
				}
				continue // the broker knows it as someone else's
			}
			if d, ok := g.fits(e, o); ok {
				pairs = append(pairs, pair{row: ri, cand: ci, dist: d})
			}
		}
	}
	sort.SliceStable(pairs, func(i, j int) bool {
		a, b := pairs[i], pairs[j]
		if a.exact != b.exact {
			return a.exact
		}
		if a.dist != b.dist {
			return a.dist < b.dist
		}
		if a.row != b.row {
			return a.row < b.row
		}
		return a.cand < b.cand
	})
	out := make(map[int]int)
	usedCand := make(map[int]bool)
	for _, p := range pairs {
		if _, done := out[p.row]; done || usedCand[p.cand] {
			continue
		}
		out[p.row] = p.cand
		usedCand[p.cand] = true
	}
	return out
}

// fits reports whether broker order o could be row e, and how far apart
// their times are.
func (g *Guard) fits(e broker.JournalEntry, o broker.Order) (time.Duration, bool) {
	if o.Code != e.Code || o.Side != e.Side || o.Qty != e.Qty {
		return 0, false
	}
	if o.Type != 0 && o.Type != e.Type {
		return 0, false
	}
	switch e.Type {
	case broker.Limit:
		if o.Price != e.Price {
			return 0, false
		}
	case broker.Market:
		if o.Type == 0 && o.Price != 0 {
			return 0, false
		}
	}
	if o.Time.IsZero() {
		return g.window, true // no time: ranks after every timed candidate
	}
	d := o.Time.Sub(e.Created)
	if d < 0 {
		d = -d
	}
	return d, d <= g.window
}

// settleFound records that the broker has the order.
func (g *Guard) settleFound(ctx context.Context, e broker.JournalEntry, o broker.Order) error {
	state := broker.StatusAccepted
	note := fmt.Sprintf("the answer was lost; found in the broker's order list as %s", o.ID)
	var evErr error
	switch o.Status {
	case broker.StatusRejected:
		state = broker.StatusRejected
		note = fmt.Sprintf("the answer was lost; the broker lists it as %s, rejected", o.ID)
		evErr = &broker.Error{Kind: broker.Rejected, Msg: note}
	case broker.StatusCancelled:
		// Cancelled meanwhile (from /orders, or the broker's app).
		state = broker.StatusCancelled
		note = fmt.Sprintf("the answer was lost; found in the broker's order list as %s, since cancelled", o.ID)
	}
	upd, err := g.j.UpdateOrder(ctx, e.ClientID, func(x *broker.JournalEntry) error {
		if !x.Unresolved() {
			return errSettled
		}
		x.State, x.BrokerID, x.Branch, x.Note = state, o.ID, o.Branch, note
		x.SetErr(evErr)
		return nil
	})
	if errors.Is(err, errSettled) {
		return nil
	}
	if err != nil {
		return err
	}
	g.log.Info("reconciled: order found at the broker", "client_id", e.ClientID, "order", o.ID, "status", o.Status)
	g.emit(broker.OrderEvent{Kind: broker.EventReconciled, Request: upd.Request(), Order: annotate(o, upd), Err: evErr})
	return nil
}

// settleMissing records that the order never reached the broker.
func (g *Guard) settleMissing(ctx context.Context, e broker.JournalEntry) error {
	cause := &broker.Error{Kind: broker.Rejected, Code: "not_at_broker",
		Msg: fmt.Sprintf("the broker's order list still had no such order %s after it was sent, so it was never placed; send it again if you still want it",
			g.grace)}
	upd, err := g.j.UpdateOrder(ctx, e.ClientID, func(x *broker.JournalEntry) error {
		if !x.Unresolved() {
			return errSettled
		}
		x.State, x.Note = broker.StatusRejected, "never reached the broker (not in its order list)"
		x.SetErr(cause)
		return nil
	})
	if errors.Is(err, errSettled) {
		return nil
	}
	if err != nil {
		return err
	}
	g.log.Warn("reconciled: order never reached the broker", "client_id", e.ClientID, "code", e.Code)
	g.emit(broker.OrderEvent{Kind: broker.EventReconciled, Request: upd.Request(), Order: journalOrder(upd), Err: cause})
	return nil
}

// expire gives up on a row from an earlier trading day.
func (g *Guard) expire(ctx context.Context, e broker.JournalEntry) error {
	msg := fmt.Sprintf("order %s of %s was never confirmed and today's order list cannot show it; if it reached the broker it was a day order and has expired, filled or not: check the broker's order history and /balance",
		e.ClientID, broker.Day(e.Created))
	cause := &broker.Error{Kind: broker.UnknownOutcome, Code: "expired", Msg: msg}
	upd, err := g.j.UpdateOrder(ctx, e.ClientID, func(x *broker.JournalEntry) error {
		if !x.Unresolved() {
			return errSettled
		}
		x.State, x.Expired, x.Note = broker.StatusUnknown, true, "never confirmed; check the broker's order history"
		x.SetErr(cause)
		return nil
	})
	if errors.Is(err, errSettled) {
		return nil
	}
	if err != nil {
		return err
	}
	g.log.Warn("unresolved order from an earlier day expired", "client_id", e.ClientID, "day", broker.Day(e.Created))
	g.emit(broker.OrderEvent{Kind: broker.EventReconciled, Request: upd.Request(), Order: journalOrder(upd), Err: cause})
	return nil
}
