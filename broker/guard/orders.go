package guard

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// OrdersToday is the broker's list of today's orders merged with the
// journal: orders hoga placed carry their ClientID, Source and User;
// journal rows the broker does not show are added: unresolved ones as
// Status unknown with a Note saying what hoga is doing about them, rejected
// ones with the reason. Sorted by time.
// Errors: those of the wrapped broker's OrdersToday.
func (g *Guard) OrdersToday(ctx context.Context) ([]broker.Order, error) {
	orders, err := g.inner.OrdersToday(ctx)
	if err != nil {
		return nil, err
	}
	entries, err := g.j.OrdersOn(ctx, g.clk.Now())
	if err != nil {
		// The broker's list is still the truth about the account; show
		// it unannotated rather than nothing.
		g.log.Error("orders: journal unreadable; showing the broker's list only", "err", err)
		return orders, nil
	}
	byBroker := make(map[string]int, len(entries))
	byClient := make(map[string]int, len(entries))
	for i, e := range entries {
		if e.BrokerID != "" {
			byBroker[e.BrokerID] = i
		}
		byClient[e.ClientID] = i
	}
	shown := make(map[string]bool, len(entries))
	out := make([]broker.Order, 0, len(orders)+len(entries))
	for _, o := range orders {
		i, ok := byBroker[o.ID]
		if !ok && o.ClientID != "" {
			// A broker that echoes client ids (paper) identifies even
			// an order whose answer was lost.
			i, ok = byClient[o.ClientID]
		}
		if ok {
			o = annotate(o, entries[i])
			shown[entries[i].ClientID] = true
		}
		out = append(out, o)
	}
	for _, e := range entries {
		if !shown[e.ClientID] {
			out = append(out, journalOrder(e))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out, nil
}

// OrderByClientID is the journal's row for clientID: what PlaceOrder with
// that id would replay instead of sending (its order, its refusal, or
// UnknownOutcome while it is reconciled; a RetryableRefusal is replayed
// too, so a real retry needs a fresh id). Callers that key their own
// retries (the HTTP API's Idempotency-Key) ask here rather than read the
// journal. Errors: NotFound when the id was never journaled (placing it
// would send it); the journal's own errors otherwise.
func (g *Guard) OrderByClientID(ctx context.Context, clientID string) (broker.JournalEntry, error) {
	return g.j.OrderByClientID(ctx, clientID)
}

// OrderByBrokerID is the journal's row for the order the broker numbered
// brokerID on day's KST date (numbers restart daily), as the journal
// spells it. Errors: NotFound when hoga did not place it; the journal's own
// errors otherwise.
func (g *Guard) OrderByBrokerID(ctx context.Context, day time.Time, brokerID string) (broker.JournalEntry, error) {
	return g.j.OrderByBrokerID(ctx, day, brokerID)
}

// Checking counts today's orders whose outcome is still being checked
// against the broker's list (for /status): unknown rows, and pending rows
// an earlier process left. A pending row of this process is an order
// being sent right now (its answer is on the way), not one being checked:
// /status asked during a paper order said "대조 중인 주문 1건" for an order
// that filled a moment later. A journal error counts as none: /status must
// answer, and /orders says more.
func (g *Guard) Checking(ctx context.Context) int {
	rows, err := g.j.Unresolved(ctx)
	if err != nil {
		g.log.Warn("status: journal unreadable", "err", err)
		return 0
	}
	today := broker.Day(g.clk.Now())
	n := 0
	for _, e := range rows {
		if e.Expired || broker.Day(e.Created) != today {
			continue
		}
		if e.State == broker.StatusPending && g.isSending(e.ClientID) {
			continue // in flight: its answer is on the way
		}
		n++
	}
	return n
}

// annotate adds the journal's knowledge to the broker's view of an order.
func annotate(o broker.Order, e broker.JournalEntry) broker.Order {
	o.ClientID, o.Source, o.User = e.ClientID, e.Source, e.User
	if o.Branch == "" {
		o.Branch = e.Branch
	}
	if o.Note == "" {
		o.Note = e.Note
	}
	if o.Venue == "" {
		// A broker that does not list where an order was sent (paper's
		// orders restored after a restart): the journal kept it, and
		// /orders read "· KRX" before a restart and nothing after.
		o.Venue = e.Venue
	}
	if o.Session == "" {
		// A broker list that does not name the session: the journal
		// knows a closing-price order from a market one (migration 0006).
		o.Session = e.Session
	}
	switch {
	case e.Exchange == broker.VenueSOR:
		// Its fills came from both exchanges: neither alone is where
		// it traded, whatever this process's notices said.
		o.Exchange = ""
	case o.Exchange == "":
		// KIS lists only the venue sent; the journal kept what the fill
		// notices said before a restart (migration 0007).
		o.Exchange = e.Exchange
	}
	if o.LastFillPrice > 0 && e.FilledQty == o.FilledQty && e.FillAmount > 0 {
		// The broker gave no average (Kiwoom's ka10076: the latest
		// part's price only): the journal holds every part.
		o.AvgFillPrice = e.AvgFillPrice()
	}
	return o
}

// fillFromRequest completes a broker answer that carries only the order
// number and status (as order endpoints do) with what was asked.
func fillFromRequest(o *broker.Order, req broker.OrderRequest, now time.Time) {
	if o.Code == "" {
		o.Code = req.Code
	}
	if o.Side == 0 {
		o.Side = req.Side
	}
	if o.Type == 0 {
		o.Type = req.Type
	}
	if o.Qty == 0 {
		o.Qty = req.Qty
	}
	if o.Price == 0 {
		o.Price = req.Price
	}
	if o.Session == "" {
		o.Session = req.Session
	}
	if o.Time.IsZero() {
		o.Time = now
	}
}

// journalOrder shows a journal row as an order, for rows the broker does
// not list and for replies built from the journal.
func journalOrder(e broker.JournalEntry) broker.Order {
	o := broker.Order{
		ID: e.BrokerID, Branch: e.Branch,
		Code: e.Code, Side: e.Side, Type: e.Type, Qty: e.Qty, Price: e.Price, Venue: e.Venue, Exchange: e.TradedOn(), Session: e.Session,
		Status: e.State, Time: e.Created,
		ClientID: e.ClientID, Source: e.Source, User: e.User, Note: e.Note,
		Err: e.Err(), Expired: e.Expired,
	}
	switch {
	case e.Expired:
		o.Status = broker.StatusUnknown
	case e.State == broker.StatusPending || e.State == broker.StatusUnknown:
		o.Status = broker.StatusUnknown
		if o.Note == "" {
			o.Note = fmt.Sprintf("sent at %s; no answer yet, checking the broker's order list (not resent)",
				e.Created.In(broker.KST()).Format("15:04:05"))
		}
	case e.State == broker.StatusRejected:
		if o.Note == "" {
			o.Note = e.ErrMsg
		}
	case e.State == broker.StatusAccepted && o.Note == "":
		o.Note = "accepted, not yet in the broker's list"
	}
	return o
}

// withOutcome is e after an answer, for replies before the journal is
// re-read.
func withOutcome(e broker.JournalEntry, state broker.OrderStatus, note string, err error) broker.JournalEntry {
	e.State, e.Note = state, note
	e.SetErr(err)
	return e
}

// CancelOrder cancels the remaining quantity of an order. The journal
// supplies what the broker needs besides the order number (KIS the branch,
// Kiwoom the code and type); for an order hoga did not place, the broker's
// list of today's orders does. The cancel is journaled before it is sent,
// and a successful cancel marks the order's row cancelled. Cancels are
// allowed while halted.
// Errors: Invalid (no order number), NotFound (no such order today),
// Internal (journal), and the wrapped broker's CancelOrder errors.
func (g *Guard) CancelOrder(ctx context.Context, req broker.CancelRequest) (broker.Order, error) {
	if g.closed.Load() || g.draining.Load() {
		return broker.Order{}, errClosed
	}
	// "6555" and "0000006555" are the same KIS order: compare in the
	// broker's own form (issue 12.5).
	req.OrderID = broker.NormalizeOrderID(g.inner, req.OrderID)
	if req.OrderID == "" {
		return broker.Order{}, (&broker.Error{Kind: broker.Invalid, Msg: "which order? give the order number shown by /orders"}).Saying("guard.which_order")
	}
	if err := g.lockOpen(ctx); err != nil {
		return broker.Order{}, err
	}
	defer g.unlock()
	now := g.clk.Now()

	e, err := g.j.OrderByBrokerID(ctx, now, req.OrderID)
	haveEntry := err == nil
	if err != nil && broker.KindOf(err) != broker.NotFound {
		g.log.Warn("cancel: journal lookup failed; asking the broker", "order", req.OrderID, "err", err)
	}
	if !haveEntry && g.others != nil {
		scope, err := g.others.OrderInOtherScope(ctx, now, req.OrderID)
		if err != nil {
			g.log.Warn("cancel: other journals could not be searched; asking the broker", "order", req.OrderID, "err", err)
		}
		if scope != "" {
			oe := &broker.OrderOfOtherScope{OrderID: req.OrderID, Scope: scope}
			g.log.Warn("cancel refused: the order is another broker's, mode's or account's", "order", req.OrderID, "journal_of", scope)
			return broker.Order{}, &broker.Error{Kind: broker.Invalid, Msg: "the order is not this session's; nothing was sent", Err: oe}
		}
	}
	if haveEntry && e.State.Final() {
		// Nothing is left to cancel: the journal has the broker's final
		// word. Kiwoom answered "[RC4033] 모의투자 취소가능수량이 없습니다"
		// to /cancel of a filled order (issue 12, Kiwoom walk); say it
		// from the journal, and send nothing.
		return broker.Order{}, (&broker.Error{Kind: broker.Invalid, Code: "order_final",
			Msg: fmt.Sprintf("order %s is already %s; nothing to cancel", req.OrderID, e.State)}).
			Saying("guard.final."+string(e.State), req.OrderID)
	}
	var orig broker.Order
	if haveEntry {
		if req.Branch == "" {
			req.Branch = e.Branch
		}
		if req.Code == "" {
			req.Code = e.Code
		}
		if req.Type == 0 {
			req.Type = e.Type
		}
		if req.Venue == "" {
			// The cancel goes where the order went: an NXT order
			// cancelled "at KRX" is not found there.
			req.Venue = e.Venue
		}
		orig = journalOrder(e)
	}
	if !haveEntry && (req.Branch == "" || req.Code == "" || req.Type == 0 || req.Venue == "") {
		orders, err := g.inner.OrdersToday(ctx)
		if err != nil {
			return broker.Order{}, err
		}
		found := false
		for _, o := range orders {
			if broker.NormalizeOrderID(g.inner, o.ID) == req.OrderID {
				found, orig = true, o
				if req.Branch == "" {
					req.Branch = o.Branch
				}
				if req.Code == "" {
					req.Code = o.Code
				}
				if req.Type == 0 {
					req.Type = o.Type
				}
				if req.Venue == "" {
					req.Venue = o.Venue
				}
				break
			}
		}
		if !found {
			return broker.Order{}, (&broker.Error{Kind: broker.NotFound, Msg: fmt.Sprintf("no order %s today; /orders lists today's orders", req.OrderID)}).Saying("guard.no_order", req.OrderID)
		}
	}

	c := broker.JournalCancel{OrderID: req.OrderID, ClientID: e.ClientID, Source: req.Source, User: req.User,
		State: broker.StatusPending, Created: now}
	id, err := g.j.InsertCancel(ctx, c)
	if err != nil {
		return broker.Order{}, &broker.Error{Kind: broker.Internal, Msg: "the order journal could not be written, so the cancel was not sent", Err: err}
	}
	c.ID = id

	sctx, cancel := g.sendContext(ctx)
	res, sendErr := g.inner.CancelOrder(sctx, req)
	cancel()

	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), g.journalTimeout)
	defer cancel()
	log := g.log.With("order", req.OrderID, "source", req.Source, "user", req.User)
	c.Updated = g.clk.Now()
	switch {
	case sendErr == nil:
		c.State, c.CancelID = broker.StatusAccepted, res.ID
		if err := g.j.FinishCancel(wctx, c); err != nil {
			log.Error("cancel accepted but not journaled", "err", err)
		}
		if haveEntry {
			if _, err := g.j.UpdateOrder(wctx, e.ClientID, func(x *broker.JournalEntry) error {
				x.State = broker.StatusCancelled
				return nil
			}); err != nil {
				log.Error("cancel accepted but the order row was not updated", "err", err)
			}
		}
		ev := orig
		ev.Status = broker.StatusCancelled
		if ev.ID == "" {
			ev.ID = req.OrderID
		}
		if res.Status == "" {
			res.Status = broker.StatusCancelled
		}
		if res.Code == "" {
			res.Code = req.Code
		}
		if haveEntry {
			res.ClientID, res.Source, res.User = e.ClientID, e.Source, e.User
		}
		log.Info("order cancelled", "cancel", res.ID)
		// By is "source:user", as for a halt: the alert read "주문 취소
		// 0000002 (111)" beside "긴급 정지 (텔레그램 사용자 111)", and a
		// cancel without a user read as the broker's own (trial run of
		// issue 12).
		by := strings.Trim(req.Source+":"+req.User, ":")
		g.emit(broker.OrderEvent{Kind: broker.EventCancelled, Request: requestOf(orig, e, haveEntry), Order: ev, By: by})
		return res, nil

	case maybeSent(sendErr):
		c.State = broker.StatusUnknown
		c.SetErr(sendErr)
		if err := g.j.FinishCancel(wctx, c); err != nil {
			log.Error("cancel outcome not journaled", "err", err)
		}
		log.Warn("cancel outcome unknown", "err", sendErr)
		return broker.Order{}, &broker.Error{Kind: broker.UnknownOutcome,
			Msg: fmt.Sprintf("the cancel of order %s was sent but no answer came back; /orders shows whether it took effect (sending it again is safe)", req.OrderID),
			Err: sendErr}

	default:
		c.State = broker.StatusRejected
		c.SetErr(sendErr)
		if err := g.j.FinishCancel(wctx, c); err != nil {
			log.Error("cancel rejection not journaled", "err", err)
		}
		log.Info("cancel rejected", "err", sendErr)
		return broker.Order{}, sendErr
	}
}

// requestOf rebuilds what was asked for an order, for cancel events.
func requestOf(o broker.Order, e broker.JournalEntry, haveEntry bool) broker.OrderRequest {
	if haveEntry {
		return e.Request()
	}
	return broker.OrderRequest{Code: o.Code, Side: o.Side, Type: o.Type, Qty: o.Qty, Price: o.Price, ClientID: o.ClientID}
}
