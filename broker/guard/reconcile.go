package guard

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
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

// Recover settles the rows a previous run left pending or unknown (it
// crashed, or stopped mid-order) as far as today's list already allows:
// pending rows are marked unknown, since the process may have died after
// the request went out, and one reconciliation pass is made at once. It
// never waits out ReconcileGrace: rows still unsettled are left to Run. It
// returns the broker's error if today's orders cannot be fetched (Run
// keeps trying then), or ctx's error. Start-up calls RecoverInBackground
// instead, which does not wait for the broker's list at all; Recover is
// the same work done in the caller's time (tests, tools).
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

// RecoverInBackground is what start-up calls after New and before taking
// commands: it marks the rows a previous run left pending as unknown (a
// journal write, no broker call) and wakes Run, whose first pass reads
// the broker's list. Nothing waits for that list (issue 20, item 1): a
// restart used to block every command for two minutes while a young row
// waited out its grace, and later, on Kiwoom, for as long as paging
// today's order list took at 4 requests a second (2 s with ten orders,
// 15.5 s on a loaded machine). Until the rows are settled, PlaceOrder
// refuses only an order that could duplicate one of them (same code, side
// and quantity), Checking counts them for /status, and /orders shows them
// as being checked. It returns only the journal's or ctx's error.
func (g *Guard) RecoverInBackground(ctx context.Context) error {
	if err := g.markOrphans(ctx); err != nil {
		return err
	}
	g.poke()
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
	g.asked.Store(g.clk.Now().UnixNano())
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
		var timer clock.Timer
		switch {
		case remaining > 0:
			timer = g.clk.Until(g.nextWake(&delay, deadline))
		case g.watching.Load():
			// A row told "never placed" today: keep reading the list at
			// the slowest pace, so a late order is caught (issue 21, item 3).
			delay = g.retryMin
			timer = g.clk.Until(g.clk.Now().Add(g.retryMax))
		default:
			delay = g.retryMin
		}
		var wait <-chan time.Time // nil: only a poke or the stop
		if timer != nil {
			wait = timer.C()
		}
		select {
		case <-ctx.Done():
			stopTimer(timer)
			return
		case <-g.wake:
			// The pass runs now: the timer is abandoned, and stopped so a
			// fake clock does not count it as the loop's next wait.
			stopTimer(timer)
			delay = g.retryMin
		case <-wait:
		}
	}
}

// nextWake returns when to make the next attempt and doubles *delay. It
// is an instant, armed with Until: a clock moved after it was read must
// not carry the wake past a row's grace.
func (g *Guard) nextWake(delay *time.Duration, deadline time.Time) time.Time {
	now := g.clk.Now()
	at := now.Add(*delay)
	*delay = min(2**delay, g.retryMax)
	if !deadline.IsZero() && deadline.Before(at) {
		at = now.Add(max(deadline.Sub(now), time.Millisecond))
	}
	return at
}

// missed is what reconciliation remembers of an unresolved row's absences
// from the broker's lists read after its grace.
type missed struct {
	reads int       // independent reads that lacked it
	last  time.Time // when the last of them was fetched
}

// neverPlacedReads is how many of the broker's lists, each fetched after
// the grace, must lack an order before hoga says it was never placed
// (issue 21, item 3): one read can be a lagging replica or a page the
// broker has not filled in yet; two independent reads at least
// recheckAfter apart are the last resort, never the first.
const neverPlacedReads = 2

// recheckAfter is the least time between the reads that count toward
// neverPlacedReads: long enough for a lagging list to catch up, short
// enough that the owner hears the verdict within seconds of the grace.
const recheckAfter = 15 * time.Second

// reconcilePass tries once to settle every unresolved row, and looks again
// for the rows it told the owner were never placed (a late list, a fill
// notice). It returns how many remain, the earliest moment one of them
// can be called rejected, whether rows told "never placed" are still
// watched, and the error that stopped it (fetching the broker's list,
// usually).
func (g *Guard) reconcilePass(ctx context.Context) (remaining int, deadline time.Time, err error) {
	// The broker's list is read before the guard's turn is taken: paging
	// it can take seconds (Kiwoom at 4 requests a second, more under
	// load), and an order that cannot duplicate an unresolved row must not
	// wait for it (issue 20, item 1). Orders placed meanwhile have their
	// rows settled by the time the turn is taken, so they are claimed
	// below; a row written after the list was asked for is left to the
	// next pass (the list may predate its order).
	var (
		orders   []broker.Order
		fetched  time.Time
		fetchErr error
	)
	if g.wantList(ctx) {
		fetched = g.clk.Now()
		if s, ok := g.list.(sharedLister); ok {
			// A walk under way since the pass was asked for serves it (the
			// tracker's, after a restart), as of when it started.
			var started time.Time
			orders, started, fetchErr = s.OrdersTodaySince(ctx, time.Unix(0, g.asked.Load()))
			if fetchErr == nil && started.Before(fetched) {
				fetched = started
			}
		} else {
			orders, fetchErr = g.list.OrdersToday(ctx)
		}
	}
	if err := g.lock(ctx); err != nil {
		return 0, time.Time{}, err
	}
	defer g.unlock()
	rows, err := g.j.Unresolved(ctx)
	if err != nil {
		return 0, time.Time{}, err
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
	g.watching.Store(false)
	if len(live) == 0 && !g.watchNeverPlaced(ctx, now) {
		return remaining, time.Time{}, nil
	}
	if fetched.IsZero() {
		// A row appeared after the list was found unneeded: come back
		// at once.
		return remaining + len(live), now, nil
	}
	if fetchErr != nil {
		return remaining + len(live), time.Time{}, fetchErr
	}
	older := live[:0]
	for _, e := range live {
		if e.Created.After(fetched) {
			remaining++
			deadline = now // the next pass, at once
			continue
		}
		older = append(older, e)
	}
	live = older
	journal, err := g.j.OrdersOn(ctx, now)
	if err != nil {
		return remaining + len(live), time.Time{}, err
	}
	claimed := make(map[string]bool, len(journal))
	var told []broker.JournalEntry // rows told "never placed": a late list may still show them
	for _, e := range journal {
		if e.BrokerID != "" {
			claimed[e.BrokerID] = true
		}
		if toldNeverPlaced(e) {
			told = append(told, e)
		}
	}
	g.watching.Store(len(told) > 0)
	g.sampleSkew(journal, orders)
	var candidates []broker.Order
	for _, o := range orders {
		if o.ID != "" && !claimed[o.ID] {
			candidates = append(candidates, o)
		}
	}

	due := func(e broker.JournalEntry) bool { return !fetched.Before(e.Created.Add(g.grace)) }
	found := g.assign(live, candidates, func(i int) bool { return due(live[i]) })
	if len(told) > 0 {
		// Rows told "never placed" get only what no unresolved row takes,
		// and only by client id or time, never as a last resort.
		taken := make(map[int]bool, len(found))
		for _, ci := range found {
			taken[ci] = true
		}
		var rest []broker.Order
		for ci, o := range candidates {
			if !taken[ci] {
				rest = append(rest, o)
			}
		}
		for i, ci := range g.assign(told, rest, nil) {
			if err := g.correct(ctx, told[i], rest[ci]); err != nil {
				g.log.Error("reconciliation: journal correction failed", "client_id", told[i].ClientID, "err", err)
			}
		}
	}
	for i, e := range live {
		if ci, ok := found[i]; ok {
			delete(g.misses, e.ClientID)
			if err := g.settleFound(ctx, e, candidates[ci], fetched); err != nil {
				remaining++
				g.log.Error("reconciliation: journal update failed", "client_id", e.ClientID, "err", err)
			}
			continue
		}
		if due(e) {
			// Absent from a list read after the grace. Only the last of
			// neverPlacedReads such reads, each a separate request, turns
			// that into a verdict.
			m := g.misses[e.ClientID]
			if m.reads == 0 || !fetched.Before(m.last.Add(recheckAfter)) {
				m.reads, m.last = m.reads+1, fetched
				g.misses[e.ClientID] = m
			}
			if m.reads >= neverPlacedReads {
				delete(g.misses, e.ClientID)
				if err := g.settleMissing(ctx, e); err != nil {
					remaining++
					g.log.Error("reconciliation: journal update failed", "client_id", e.ClientID, "err", err)
				}
				g.watching.Store(true)
				continue
			}
			g.log.Info("reconciliation: not in the broker's list after the grace; asking again before concluding",
				"client_id", e.ClientID, "reads", m.reads)
			remaining++
			if again := m.last.Add(recheckAfter); deadline.IsZero() || again.Before(deadline) {
				deadline = again
			}
			continue
		}
		remaining++
		if d := e.Created.Add(g.grace); deadline.IsZero() || d.Before(deadline) {
			deadline = d
		}
	}
	return remaining, deadline, nil
}

// sampleSkew measures the broker's clock from its own order times, for
// orders whose answer came back with their number (issue 21, item 2): the
// listed time (KIS ord_tmd, Kiwoom tm/ord_tm: when the broker received
// it) against the moment the row was written, just before sending. Each
// order counts once. It backs up the Date header, which no broker
// documents, and needs nothing but the list reconciliation reads anyway.
// Rows matched by reconciliation (a note says how) are left out: their
// times were what the match compared.
func (g *Guard) sampleSkew(journal []broker.JournalEntry, orders []broker.Order) {
	if g.skew == nil {
		return
	}
	byID := make(map[string]broker.Order, len(orders))
	for _, o := range orders {
		if o.ID != "" && !o.Time.IsZero() {
			byID[o.ID] = o
		}
	}
	for _, e := range journal {
		if e.BrokerID == "" || e.Note != "" || e.Created.IsZero() || g.sampled[e.BrokerID] {
			continue
		}
		o, ok := byID[e.BrokerID]
		if !ok {
			continue
		}
		g.sampled[e.BrokerID] = true
		// Listed times are whole seconds: their middle is half a second on.
		g.skew.Observe(o.Time.Add(500 * time.Millisecond).Sub(e.Created))
	}
}

// wantList reports whether a pass needs the broker's list: a row from
// today is unresolved, or one told "never placed" is watched. It reads the
// journal only, without the guard's turn; the pass looks again under it.
func (g *Guard) wantList(ctx context.Context) bool {
	rows, err := g.j.Unresolved(ctx)
	if err != nil {
		return false // the pass under the turn reports the journal's error
	}
	now := g.clk.Now()
	today := broker.Day(now)
	for _, e := range rows {
		if broker.Day(e.Created) == today {
			return true
		}
	}
	return g.watchNeverPlaced(ctx, now)
}

// toldNeverPlaced reports a row hoga settled as never placed.
func toldNeverPlaced(e broker.JournalEntry) bool {
	return e.State == broker.StatusRejected && e.ErrCode == codeNotAtBroker && e.BrokerID == ""
}

// codeNotAtBroker is the error code of a "never placed" verdict.
const codeNotAtBroker = "not_at_broker"

// watchNeverPlaced reports whether today's journal holds a row told
// "never placed", so a pass should read the broker's list even with
// nothing unresolved.
func (g *Guard) watchNeverPlaced(ctx context.Context, now time.Time) bool {
	journal, err := g.j.OrdersOn(ctx, now)
	if err != nil {
		return false
	}
	for _, e := range journal {
		if toldNeverPlaced(e) {
			return true
		}
	}
	return false
}

// assign pairs journal rows with unclaimed broker orders. A broker order
// carrying the row's client id is certain. Otherwise every fitting pair
// (same code, side, quantity, type and price, listed within MatchWindow of
// the row once the measured clock skew is taken off) is ranked by how far
// apart the two times are, and the closest pairs are taken first (ties:
// the older row), so of two identical orders the broker order goes to the
// row written just before it rather than to whichever row is oldest.
//
// Time alone never rules an order out (issue 21, item 2): for a row
// lastResort allows (past its grace, about to be called never placed), an
// unclaimed order with the same code, side and quantity at any time is
// paired too, after every pair above, preferring the same type and price,
// then the nearest time. A skewed clock, or one the skew measurement has
// not caught up with, then costs an exact time, not a duplicate order.
func (g *Guard) assign(rows []broker.JournalEntry, cands []broker.Order, lastResort func(row int) bool) map[int]int {
	type pair struct {
		row, cand int
		rank      int // 0 client id, 1 fits in time, 2 same order far in time, 3 same code/side/qty
		dist      time.Duration
	}
	var pairs []pair
	for ri, e := range rows {
		for ci, o := range cands {
			if o.ClientID != "" {
				if o.ClientID == e.ClientID {
					pairs = append(pairs, pair{row: ri, cand: ci, rank: 0})
				}
				continue // the broker knows it as someone else's
			}
			// A venue that cannot be the row's rules the order out even as
			// a last resort: an NXT order is not a KRX one.
			if o.Code != e.Code || o.Side != e.Side || o.Qty != e.Qty || !sameVenue(e.Venue, o.Venue) {
				continue
			}
			d, inWindow := g.distance(e, o)
			same := samePrice(e, o)
			switch {
			case same && inWindow:
				pairs = append(pairs, pair{row: ri, cand: ci, rank: 1, dist: d})
			case lastResort != nil && lastResort(ri) && same:
				pairs = append(pairs, pair{row: ri, cand: ci, rank: 2, dist: d})
			case lastResort != nil && lastResort(ri):
				pairs = append(pairs, pair{row: ri, cand: ci, rank: 3, dist: d})
			}
		}
	}
	sort.SliceStable(pairs, func(i, j int) bool {
		a, b := pairs[i], pairs[j]
		if a.rank != b.rank {
			return a.rank < b.rank
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

// samePrice reports whether broker order o has row e's type and price
// (market orders: no price; a closing-price order only matches one).
func samePrice(e broker.JournalEntry, o broker.Order) bool {
	if o.Type != 0 && o.Type != e.Type {
		return false
	}
	if o.Type != 0 && o.Session.Closing() != e.Session.Closing() {
		// A closing-price order (KIS ord_dvsn_cd 05/06, Kiwoom 장시작전/
		// 장마감후시간외) is not a market order with the same terms: both
		// are Market with no price, and only the session tells them apart.
		return false
	}
	switch e.Type {
	case broker.Limit:
		return o.Price == e.Price
	case broker.Market:
		return o.Type != 0 || o.Price == 0
	}
	return true
}

// distance is how far broker order o's listed time is from row e's, once
// the broker's measured clock skew is taken off, and whether that is
// within MatchWindow. An order listed without a time ranks after every
// timed one.
func (g *Guard) distance(e broker.JournalEntry, o broker.Order) (time.Duration, bool) {
	if o.Time.IsZero() {
		return g.window, true
	}
	bt := o.Time
	if skew, ok := g.skew.Get(); ok {
		bt = bt.Add(-skew)
	}
	d := bt.Sub(e.Created)
	if d < 0 {
		d = -d
	}
	return d, d <= g.window
}

// sameVenue reports whether an order journaled for venue sent could be
// one the broker lists at venue listed. An empty side (a broker that does
// not say, a row from before venues) and SOR on either side (the broker may
// list a routed order as SOR or as the exchange it went to) match anything;
// KRX and NXT match only themselves, so an NXT order is never settled by a
// KRX order with the same terms.
func sameVenue(sent, listed broker.Venue) bool {
	if sent == "" || listed == "" || sent == broker.VenueSOR || listed == broker.VenueSOR {
		return true
	}
	return sent == listed
}

// settleFound records that the broker has the order.
func (g *Guard) settleFound(ctx context.Context, e broker.JournalEntry, o broker.Order, fetched time.Time) error {
	state := broker.StatusAccepted
	note := fmt.Sprintf("the answer was lost; found in the broker's order list as %s", o.ID)
	if d, in := g.distance(e, o); !in || !samePrice(e, o) {
		// The last resort of assign: the only unclaimed order like it.
		note = fmt.Sprintf("the answer was lost; the broker's list has no order at its time but holds %s with the same code, side and quantity (%s apart, %s %d) and nothing else claims it, so it is taken for this one; check /orders",
			o.ID, d.Round(time.Second), o.Type, o.Price)
		g.log.Warn("reconciled by code, side and quantity only", "client_id", e.ClientID, "order", o.ID,
			"apart", d.Round(time.Second), "fetched", fetched)
	}
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
	cause := &broker.Error{Kind: broker.Rejected, Code: codeNotAtBroker,
		Msg: fmt.Sprintf("%d of the broker's order lists, read %s and more after it was sent, had no such order and no unclaimed one with its code, side and quantity, so it was never placed; send it again if you still want it",
			neverPlacedReads, g.grace)}
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

// correct undoes a "never placed" verdict: the broker's list now shows
// the order (issue 21, item 3). The owner was told to send it again, so
// the event says loudly that it IS at the broker and must not be resent.
func (g *Guard) correct(ctx context.Context, e broker.JournalEntry, o broker.Order) error {
	state := broker.StatusAccepted
	switch o.Status {
	case broker.StatusRejected, broker.StatusCancelled:
		state = o.Status
	}
	note := fmt.Sprintf("CORRECTED: hoga said it was never placed, but the broker's list shows it as %s", o.ID)
	cause := &broker.Error{Kind: broker.UnknownOutcome, Code: "late_at_broker",
		Msg: fmt.Sprintf("the order you were told was not placed IS at the broker as %s; do not send it again; check /orders", o.ID)}
	upd, err := g.j.UpdateOrder(ctx, e.ClientID, func(x *broker.JournalEntry) error {
		if !toldNeverPlaced(*x) {
			return errSettled
		}
		x.State, x.BrokerID, x.Branch, x.Note = state, o.ID, o.Branch, note
		x.SetErr(nil)
		return nil
	})
	if errors.Is(err, errSettled) {
		return nil
	}
	if err != nil {
		return err
	}
	g.log.Error("reconciliation corrected: an order told never placed is at the broker", "client_id", e.ClientID, "order", o.ID)
	g.emit(broker.OrderEvent{Kind: broker.EventCorrected, Request: upd.Request(), Order: annotate(o, upd), Err: cause})
	return nil
}

// Recheck asks for a reconciliation pass now: the tracker calls it when the
// broker reports a fill or an order hoga does not know, which may be an
// order it settled as never placed.
func (g *Guard) Recheck() { g.poke() }

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

// stopTimer stops t if there is one.
func stopTimer(t clock.Timer) {
	if t != nil {
		t.Stop()
	}
}
