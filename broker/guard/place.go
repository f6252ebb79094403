package guard

import (
	"context"
	"crypto/rand"
	"fmt"
	"math"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// PlaceOrder checks req, journals it as pending, sends it to the wrapped
// broker and journals the answer. When req.ClientID is empty one is
// generated ("H" + KST date + random). When req.ClientID is already
// journaled nothing is sent: the journaled result is returned (the order,
// its rejection, or UnknownOutcome while it is being reconciled); a
// different order under a used id is Invalid.
//
// Errors: Invalid, Halted, MarketClosed, LimitExceeded (hoga's checks;
// nothing journaled or sent); Internal (the journal could not be written;
// nothing sent); the wrapped broker's errors (journaled as rejected);
// UnknownOutcome (sent, no answer: journaled as unknown and reconciled in
// the background, never resent); Transient after Close. On an error after
// the journal write the returned Order carries the ClientID and the
// journal's status (rejected or unknown) but no broker number.
func (g *Guard) PlaceOrder(ctx context.Context, req broker.OrderRequest) (broker.Order, error) {
	if g.closed.Load() || g.draining.Load() {
		return broker.Order{}, errClosed
	}
	if err := g.lockOpen(ctx); err != nil {
		return broker.Order{}, err
	}
	defer g.unlock()

	req = normalise(req)
	if req.AtClose && req.Venue == "" {
		req.Venue = broker.VenueKRX // the closing-price sessions are KRX's
	}
	if req.Venue == "" {
		req.Venue = g.defVenue
	}
	if req.ClientID != "" {
		prev, found, err := g.lookup(ctx, req)
		if err != nil {
			return broker.Order{}, err
		}
		if found {
			return replay(prev)
		}
	}
	now := g.clk.Now()
	if req.Venue == broker.VenueKRX && g.venues.OffHours {
		// A KRX limit order during 시간외 단일가 goes as that session's
		// order type (the client reads Session). A mock account never
		// sends one: check refuses it there with HOGA_MARKET_HOURS=krx.
		req.Session = g.cal.OffHoursSession(broker.VenueKRX, req.Type, now)
	}
	if req.AtClose {
		req.Session = g.closingSession(now)
	}
	if err := g.check(ctx, req, now); err != nil {
		g.log.Info("order refused", "code", req.Code, "side", req.Side, "qty", req.Qty, "price", req.Price,
			"source", req.Source, "user", req.User, "err", err)
		g.emit(broker.OrderEvent{Kind: broker.EventRejected, Request: req, Err: err})
		return broker.Order{}, err
	}

	entry, err := g.journalPending(ctx, &req, now)
	if err != nil {
		g.log.Error("order not sent: journal write failed", "code", req.Code, "err", err)
		return broker.Order{}, &broker.Error{Kind: broker.Internal, Code: CodeJournalWrite, Msg: "the order journal could not be written, so the order was not sent", Err: err}
	}
	g.sending.Store(req.ClientID)
	defer g.sending.Store("")

	var o broker.Order
	var sendErr error
	if err := ctx.Err(); err != nil {
		// The caller gave up while the row was written: do not send.
		sendErr = (&broker.Error{Kind: broker.Transient, Msg: "the request was cancelled before it was sent", Err: err}).Saying("guard.cancelled")
	} else {
		sctx, cancel := g.sendContext(ctx)
		o, sendErr = g.inner.PlaceOrder(sctx, req)
		cancel()
		if sendErr == nil && o.ID == "" {
			// Accepted without a number: it cannot be cancelled or told
			// apart. Reconciliation will find its number.
			sendErr = &broker.Error{Kind: broker.UnknownOutcome, Msg: "the broker accepted the order without an order number"}
		}
	}

	// The caller's context has often expired by now (that is what an
	// unknown outcome usually is); the answer must be journaled anyway.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), g.journalTimeout)
	defer cancel()
	log := g.log.With("client_id", req.ClientID, "code", req.Code, "side", req.Side, "qty", req.Qty, "price", req.Price,
		"source", req.Source, "user", req.User)

	switch {
	case sendErr == nil:
		if _, err := g.j.UpdateOrder(wctx, req.ClientID, func(e *broker.JournalEntry) error {
			e.State, e.BrokerID, e.Branch = broker.StatusAccepted, o.ID, o.Branch
			return nil
		}); err != nil {
			// The row stays pending; reconciliation finds the order in
			// the broker's list and records it.
			log.Error("order accepted but the journal update failed; reconciliation will record it", "order", o.ID, "err", err)
			g.poke()
		}
		if o.Status == "" {
			o.Status = broker.StatusAccepted
		}
		o = annotate(o, entryFor(req, now))
		fillFromRequest(&o, req, now)
		log.Info("order placed", "order", o.ID)
		g.emit(broker.OrderEvent{Kind: broker.EventPlaced, Request: req, Order: o})
		return o, nil

	case maybeSent(sendErr):
		note := fmt.Sprintf("sent at %s; no answer came back, so hoga is checking the broker's order list (it will not resend)",
			now.In(broker.KST()).Format("15:04:05"))
		if _, err := g.j.UpdateOrder(wctx, req.ClientID, func(e *broker.JournalEntry) error {
			e.State, e.Note = broker.StatusUnknown, note
			e.SetErr(sendErr)
			return nil
		}); err != nil {
			// Still pending: reconciliation treats pending like unknown.
			log.Error("journal update after an unknown outcome failed", "err", err)
		}
		log.Warn("order outcome unknown; reconciling", "err", sendErr)
		g.emit(broker.OrderEvent{Kind: broker.EventUnknown, Request: req, Order: journalOrder(withOutcome(entry, broker.StatusUnknown, note, sendErr)), Err: sendErr})
		g.poke()
		return journalOrder(withOutcome(entry, broker.StatusUnknown, note, sendErr)), &broker.Error{
			Kind: broker.UnknownOutcome,
			Msg: fmt.Sprintf("order %s was sent but no answer came back; hoga is checking the broker's order list and will report the outcome (it will not be sent again)",
				req.ClientID),
			Err: sendErr,
		}

	default:
		if _, err := g.j.UpdateOrder(wctx, req.ClientID, func(e *broker.JournalEntry) error {
			e.State = broker.StatusRejected
			e.SetErr(sendErr)
			return nil
		}); err != nil {
			log.Error("journal update after a rejection failed", "err", err)
		}
		log.Info("order rejected by the broker", "err", sendErr)
		g.emit(broker.OrderEvent{Kind: broker.EventRejected, Request: req, Err: sendErr})
		return journalOrder(withOutcome(entry, broker.StatusRejected, "", sendErr)), sendErr
	}
}

// Check runs PlaceOrder's checks without sending or journaling anything, so
// a confirmation is never shown for an order that would be refused. A
// request whose ClientID is already journaled (for the same order) passes:
// placing it returns the journaled result. PlaceOrder checks again, since
// time passes between a confirmation and the press.
func (g *Guard) Check(ctx context.Context, req broker.OrderRequest) error {
	req = normalise(req)
	if req.ClientID != "" {
		_, found, err := g.lookup(ctx, req)
		if err != nil || found {
			return err
		}
	}
	return g.check(ctx, req, g.clk.Now())
}

// sendContext is the context of a broker call whose journal row is
// written: it keeps ctx's values but not its cancellation, so the call
// finishes (or times out at the broker client) and its answer is journaled
// even when the caller has gone; see Options.SendTimeout.
func (g *Guard) sendContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), g.sendTimeout)
}

// normalise folds the stock code the way ParseCode would, so the journal
// and the broker see "0088M0" whether "0088m0" or "A0088M0" was typed.
func normalise(req broker.OrderRequest) broker.OrderRequest {
	if c, err := broker.ParseCode(string(req.Code)); err == nil {
		req.Code = c
	}
	return req
}

// lookup finds a journaled order under req.ClientID. A different order
// under the same id is Invalid; a journal failure is Internal (without the
// lookup hoga cannot promise not to send twice, so it sends nothing).
func (g *Guard) lookup(ctx context.Context, req broker.OrderRequest) (broker.JournalEntry, bool, error) {
	e, err := g.j.OrderByClientID(ctx, req.ClientID)
	if broker.KindOf(err) == broker.NotFound {
		return broker.JournalEntry{}, false, nil
	}
	if err != nil {
		return broker.JournalEntry{}, false, &broker.Error{Kind: broker.Internal, Msg: "the order journal could not be read, so the order was not sent", Err: err}
	}
	// A closing-price order is a Market order with AtClose: the journal
	// keeps it as the row's closing Session, so a retry that turns "close"
	// into "market" (or back) is a different order, not a replay.
	if !e.SameOrder(req) {
		return broker.JournalEntry{}, false, &broker.Error{Kind: broker.Invalid, Code: "client_id",
			Msg: fmt.Sprintf("client order id %s was already used for a different order (%s)", req.ClientID, describe(e.Request()))}
	}
	return e, true, nil
}

// replay answers a repeated client id from the journal.
func replay(e broker.JournalEntry) (broker.Order, error) {
	o := journalOrder(e)
	switch e.State {
	case broker.StatusAccepted, broker.StatusCancelled, broker.StatusPartial, broker.StatusFilled:
		return o, nil
	case broker.StatusRejected:
		if err := e.Err(); err != nil {
			return o, err
		}
		return o, (&broker.Error{Kind: broker.Rejected, Msg: fmt.Sprintf("order %s was rejected earlier", e.ClientID)}).Saying("guard.rejected_earlier", e.ClientID)
	}
	if e.Expired {
		return o, (&broker.Error{Kind: broker.UnknownOutcome, Msg: fmt.Sprintf("order %s was sent on %s and never confirmed; check the broker's order history (it will not be sent again)",
			e.ClientID, broker.Day(e.Created))}).Saying("guard.never_confirmed", e.ClientID, broker.Day(e.Created))
	}
	return o, (&broker.Error{Kind: broker.UnknownOutcome, Msg: fmt.Sprintf("order %s was sent earlier and its outcome is still being checked; it will not be sent again", e.ClientID)}).Saying("guard.still_checking", e.ClientID)
}

// maybeSent reports whether a failed PlaceOrder may have reached the
// broker. Only kinds that promise nothing was done count as not sent; an
// unclassified error (Internal, a bare context error) may have happened
// after the request went out, so it is treated as unknown: reconciliation
// will find out, where a guess could double an order.
func maybeSent(err error) bool {
	switch broker.KindOf(err) {
	case broker.UnknownOutcome, broker.Internal:
		return true
	}
	return false
}

// journalPending generates a client id when needed and writes the pending
// row. A generated id that collides is replaced (50 random bits a day make
// that a formality); a caller's id cannot collide here because lookup has
// just seen it free in the same turn.
func (g *Guard) journalPending(ctx context.Context, req *broker.OrderRequest, now time.Time) (broker.JournalEntry, error) {
	generated := req.ClientID == ""
	for attempt := 0; ; attempt++ {
		if generated {
			req.ClientID = newClientID(now)
		}
		e := entryFor(*req, now)
		err := g.j.InsertOrder(ctx, e)
		if err == nil {
			return e, nil
		}
		if !generated || broker.KindOf(err) != broker.Duplicate || attempt == 2 {
			return broker.JournalEntry{}, err
		}
	}
}

// newClientID is "H" + the KST date + 10 random base32 characters, e.g.
// H20260303K7Q2M4XAPD: sortable by day, readable on a phone.
func newClientID(now time.Time) string {
	return "H" + now.In(broker.KST()).Format("20060102") + rand.Text()[:10]
}

func entryFor(req broker.OrderRequest, now time.Time) broker.JournalEntry {
	return broker.JournalEntry{
		ClientID: req.ClientID, Source: req.Source, User: req.User,
		Code: req.Code, Side: req.Side, Type: req.Type, Qty: req.Qty, Price: req.Price, Venue: req.Venue,
		Session: req.Session, State: broker.StatusPending, Created: now, Updated: now,
	}
}

// check runs the guard's checks in order; the first refusal wins.
func (g *Guard) check(ctx context.Context, req broker.OrderRequest, now time.Time) error {
	if err := req.Validate(); err != nil {
		return err
	}
	if req.AtClose && req.Venue == "" {
		req.Venue = broker.VenueKRX
	}
	if req.Venue == "" {
		req.Venue = g.defVenue
	}
	if err := g.checkFile(ctx); err != nil {
		return err
	}
	if err := g.haltError(); err != nil {
		return err
	}
	if err := g.checkUnsettled(ctx, req, now); err != nil {
		return err
	}
	if req.Type == broker.Limit {
		if err := g.checkTick(ctx, req); err != nil {
			return err
		}
	}
	sessions, err := g.checkVenue(ctx, req)
	if err != nil {
		return err
	}
	// KRX's off-hours session types go to KRX by name only (a SOR order
	// for a stock NXT does not list keeps to KRX's plain hours).
	typ := broker.OrderType(0)
	if req.Venue == broker.VenueKRX {
		typ = req.Type
	}
	if req.AtClose {
		if err := g.checkClosing(req, now); err != nil {
			return err
		}
	} else if g.marketHours {
		if typ != 0 && !g.venues.OffHours {
			// A mock account sends no off-hours type: say so in 시간외
			// 단일가, and elsewhere name the next regular session.
			if s := g.cal.OffHoursSession(broker.VenueKRX, typ, now); s != "" {
				next, _ := g.cal.NextOrderWindow(broker.VenueKRX, now)
				return &broker.Error{Kind: broker.Rejected, Code: "offhours_mock", NextOpen: next.ContinuousStart,
					Msg: fmt.Sprintf("this account cannot send KRX off-hours (%s) orders: mock (모의투자) accounts trade in the regular session only", s)}
			}
			typ = 0
		}
		if err := g.cal.CheckOrderTypeTime(sessions, typ, now); err != nil {
			return err
		}
	}
	bal := &orderBalance{inner: g.inner}
	if req.Side == broker.Sell && g.committed != nil {
		if err := g.checkSellable(ctx, req, bal); err != nil {
			return err
		}
	}
	protective := req.ProtectiveExit() && (g.maxKRW > 0 || g.maxDaily > 0) && g.checkProtective(ctx, req, bal)
	if g.maxKRW > 0 && !protective {
		if err := g.checkAmount(ctx, req); err != nil {
			return err
		}
	}
	if g.maxDaily > 0 && !protective {
		n, err := g.j.CountOrdersOn(ctx, now)
		if err != nil {
			return &broker.Error{Kind: broker.Internal, Msg: "the order journal could not be read to count today's orders", Err: err}
		}
		if n >= g.maxDaily {
			// Said in the owner's language wherever it is shown: a rule's
			// alert quoted the English log sentence in Korean (issue 12).
			return (&broker.Error{Kind: broker.LimitExceeded, Code: "daily_orders",
				Msg: fmt.Sprintf("%d orders already sent today (KST), the daily limit is %d across all sources; set HOGA_MAX_DAILY_ORDERS to change it", n, g.maxDaily)}).
				Saying("guard.daily_orders", n, g.maxDaily)
		}
	}
	return nil
}

// CodeJournalWrite marks the Internal error of an order refused because its
// journal row could not be written (a full disk, a lock another program
// holds): nothing was sent, and the owner can act on it.
const CodeJournalWrite = "journal_write"

// checkFile refuses every order once the journal's file is gone or
// replaced, and halts trading the first time, with an alert that says what
// happened and what to do (the Err of the halted event). It comes before
// the kill switch, so every refusal names the cause: /resume cannot help
// while the journal is lost.
func (g *Guard) checkFile(ctx context.Context) error {
	if g.file == nil {
		return nil
	}
	err := g.file.CheckFile(ctx)
	if err == nil {
		return nil
	}
	refusal := &broker.Error{Kind: broker.Halted, Code: "journal_lost",
		Msg: "the order was not sent and trading is halted", Err: err}
	if g.fileLost.CompareAndSwap(false, true) {
		g.log.Error("order journal lost: trading halted", "err", err)
		g.haltMu.Lock()
		if !g.halt.Halted {
			g.halt = haltState{Halted: true, Since: g.clk.Now(), By: "hoga"}
		}
		g.haltMu.Unlock()
		// Persisting the switch would write to the lost file; the saved
		// copy has the rows, and a restart on a new journal must not
		// trade before the owner has looked anyway (the alert says so).
		g.emit(broker.OrderEvent{Kind: broker.EventHalted, By: "hoga", Err: refusal})
	}
	return refusal
}

// checkUnsettled refuses an order that could duplicate one an earlier
// process left unsettled (it crashed or stopped before the broker
// answered, and the broker's list has not shown it yet): same code, same
// side, same quantity. Price and type are left out on purpose: an owner who
// resends "the same order" after a restart, or a rule that fires again,
// often does so at a new price, and either would double the position if
// the first reached the broker. Any other order goes through, so a row left
// by a crash never blocks trading as a whole, and the owner can /halt,
// /status and /orders at once (issue 20, item 1: start-up used to wait out
// the whole reconcile grace). Rows of this process keep the guard's
// behaviour: the caller was told the outcome is unknown and not to resend.
func (g *Guard) checkUnsettled(ctx context.Context, req broker.OrderRequest, now time.Time) error {
	rows, err := g.j.Unresolved(ctx)
	if err != nil {
		return &broker.Error{Kind: broker.Internal, Msg: "the order journal could not be read to look for orders still being checked", Err: err}
	}
	for _, e := range rows {
		// A row from an earlier day was a day order: whatever it was, it
		// cannot be doubled today (the next pass marks it expired).
		if e.Expired || !e.Created.Before(g.started) || broker.Day(e.Created) != broker.Day(now) ||
			e.Code != req.Code || e.Side != req.Side || e.Qty != req.Qty {
			continue
		}
		return &broker.Error{Kind: broker.LimitExceeded, Code: "unsettled",
			Msg: fmt.Sprintf("the same order (%s, %s) was sent at %s and hoga is still checking whether the broker has it; it was not sent again. Wait for the outcome (/orders), then send it if you still want it",
				describe(e.Request()), e.ClientID, e.Created.In(broker.KST()).Format("15:04:05"))}
	}
	return nil
}

// checkVenue refuses a venue the account cannot trade on and an NXT order
// for a stock Nextrade does not list. It returns the venue whose sessions
// the order keeps to: SOR for a stock NXT does not list can only reach KRX.
func (g *Guard) checkVenue(ctx context.Context, req broker.OrderRequest) (broker.Venue, error) {
	if !g.venues.Supports(req.Venue) {
		return "", &broker.Error{Kind: broker.Rejected, Code: "venue_unsupported",
			Msg: fmt.Sprintf("this account cannot send orders to %s: mock (모의투자) accounts trade on KRX only", req.Venue)}
	}
	if !req.Venue.ReachesNXT() || g.nxtListed == nil {
		return req.Venue, nil
	}
	listed, err := g.nxtListed(ctx, req.Code)
	if err != nil {
		// Not knowing is no reason to refuse: the broker checks the
		// listing itself and refuses an order NXT cannot take. A failed
		// lookup must not stop every SOR order (the live default).
		g.log.Warn("could not learn whether Nextrade lists the stock; the broker will decide", "code", req.Code, "err", err)
		return req.Venue, nil
	}
	switch {
	case listed:
		return req.Venue, nil
	case req.Venue == broker.VenueSOR:
		return broker.VenueKRX, nil
	}
	return "", &broker.Error{Kind: broker.Rejected, Code: "nxt_unlisted",
		Msg: fmt.Sprintf("Nextrade (NXT) does not trade %s; send it to KRX or SOR", req.Code)}
}

// checkSellable refuses a sell of more shares than are held and not
// already in hoga's open sells (issue 14, positions). The broker's own
// sellable quantity nets the open sells it has; hoga's count covers the
// ones it has placed and the broker's balance may not show yet, and it
// caps the held quantity rather than the broker's sellable one, so an open
// sell is never counted twice. Without an open sell of hoga's in the code,
// or when the balance cannot be read, the broker decides: it checks the
// shares itself.
func (g *Guard) checkSellable(ctx context.Context, req broker.OrderRequest, ob *orderBalance) error {
	_, selling := g.committed(req.Code)
	if selling <= 0 {
		// No open sell of hoga's: the broker's own check (and its own
		// words) stand, and no balance call is spent on it.
		return nil
	}
	bal, err := ob.get(ctx)
	if err != nil {
		g.log.Warn("could not read the balance to check a sell against open sells; the broker will decide", "code", req.Code, "err", err)
		return nil
	}
	pos, _ := bal.Position(req.Code)
	free := max(min(pos.Sellable, pos.Qty-selling), 0)
	if req.Qty <= free {
		return nil
	}
	return &broker.Error{Kind: broker.InsufficientFunds, Code: "sell_committed",
		Msg: "the sell was not sent: " + string(req.Code),
		Err: &broker.SellRoom{Qty: req.Qty, Held: pos.Qty, Committed: min(selling, pos.Qty), Free: free}}
}

// checkTick refuses a limit price off the KRX stock tick grid, naming the
// nearest valid prices. ETFs and ETNs trade on a finer grid than stocks;
// when the stock table refuses a price, the broker's quote decides: an
// instrument whose quoted tick is not the stock table's tick at its own
// price keeps its own grid.
func (g *Guard) checkTick(ctx context.Context, req broker.OrderRequest) error {
	err := broker.CheckTick(req.Price)
	if err == nil {
		return nil
	}
	q, qerr := g.inner.Quote(ctx, req.Code)
	if qerr == nil && q.Tick > 0 && q.Price > 0 && q.Tick != broker.TickSize(q.Price) && req.Price%q.Tick == 0 {
		return nil
	}
	return err
}

// checkAmount refuses an order worth more than MaxOrderKRW. A limit order
// is worth qty × its price. A market order has no price, so the guard asks
// the broker for a quote: a market buy is valued at the day's upper limit
// price, the most it can pay per share and the amount brokers themselves
// reserve for it (valuing it at the last price would let a thin order book
// walk it past the cap); a market sell at the current price, which is what
// it is expected to raise.
func (g *Guard) checkAmount(ctx context.Context, req broker.OrderRequest) error {
	price, basis := req.Price, broker.BasisLimit
	if req.Type == broker.Market {
		q, err := g.inner.Quote(ctx, req.Code)
		if err != nil {
			return fmt.Errorf("guard: pricing the market order against HOGA_MAX_ORDER_KRW: %w", err)
		}
		price, basis = q.Price, broker.BasisCurrent
		// A closing-price order trades at the close, the last price once
		// KRX has closed (장후) or before it opens (장전): the current
		// price values it, not the upper limit a market buy may reach.
		if req.Side == broker.Buy && q.UpperLimit > 0 && !req.AtClose {
			price, basis = q.UpperLimit, broker.BasisUpperLimit
		}
		if price <= 0 {
			return (&broker.Error{Kind: broker.NotFound, Msg: fmt.Sprintf("no price for %s to value the market order", req.Code)}).Saying("guard.no_price", string(req.Code))
		}
	}
	amount := int64(math.MaxInt64)
	if req.Qty <= math.MaxInt64/price {
		amount = req.Qty * price
	}
	if amount <= g.maxKRW {
		return nil
	}
	return (&broker.Error{Kind: broker.LimitExceeded, Code: "order_krw",
		Err: &broker.OrderValue{Qty: req.Qty, Price: price, Amount: amount, Limit: g.maxKRW, Basis: basis}}).
		Saying("guard.order_krw", req.Qty, price, amount, g.maxKRW)
}

// orderBalance is the balance one order's checks share: an exit's sell
// while hoga has another sell open needs it both for the shares not yet
// committed (checkSellable) and for the order-limit exemption
// (checkProtective), and one read a moment old answers both — the broker
// is asked at most once per order, inside its rate limit. A failed read is
// kept too: each check already says what it does without a balance, and a
// second try within the same order would mostly fail the same way.
type orderBalance struct {
	inner broker.Broker
	done  bool
	bal   broker.Balance
	err   error
}

func (o *orderBalance) get(ctx context.Context) (broker.Balance, error) {
	if !o.done {
		o.bal, o.err = o.inner.Balance(ctx)
		o.done = true
	}
	return o.bal, o.err
}

// checkProtective decides whether a protective exit's sell is exempt from
// HOGA_MAX_ORDER_KRW and HOGA_MAX_DAILY_ORDERS (the lead's decision on
// issue 17): a stop-loss refused for being large, or for coming late in a
// busy day, leaves the owner holding a falling position, which is the
// loss the limits exist to bound. The exemption is narrow: only a sell
// from strategy/exits (OrderRequest.ProtectiveExit), and only for no more
// than the shares the broker says may be sold now (held minus open sells,
// so shares already committed to a sell are not sold twice). Everything
// else still applies to it: the kill switch, sessions, tick rules and
// duplicate protection come before this check. A sell of more than that,
// or a balance that cannot be read, is not exempt and meets the limits
// as any order does (the log says why).
func (g *Guard) checkProtective(ctx context.Context, req broker.OrderRequest, ob *orderBalance) bool {
	bal, err := ob.get(ctx)
	if err != nil {
		g.log.Warn("exit sell: the balance could not be read, so the order limits apply to it", "code", req.Code, "err", err)
		return false
	}
	pos, ok := bal.Position(req.Code)
	if !ok || req.Qty > pos.Sellable {
		g.log.Info("exit sell is for more than the shares that may be sold; the order limits apply to it",
			"code", req.Code, "qty", req.Qty, "sellable", pos.Sellable)
		return false
	}
	return true
}

// describe is a one-line order summary for messages.
func describe(r broker.OrderRequest) string {
	price := "market"
	if r.AtClose {
		price = "close"
	}
	if r.Type == broker.Limit {
		price = broker.Thousands(r.Price)
	}
	return fmt.Sprintf("%s %s %s @ %s", r.Side, r.Code, broker.Thousands(r.Qty), price)
}

// closingSession is the KRX closing-price session a closing-price order
// placed at now goes into: the one open, or with market hours unchecked
// (HOGA_MARKET_HOURS=always) the morning's 장전 before noon and the
// afternoon's 장후 after it, so the broker hears the right order type and
// decides.
func (g *Guard) closingSession(now time.Time) broker.SessionKind {
	if w, ok := g.cal.ClosingWindow(now); ok {
		return w.Kind
	}
	if !g.marketHours && now.In(broker.KST()).Hour() < 12 {
		return broker.KRXPreClosing
	}
	return broker.KRXAfterClosing
}

// checkClosing is the closing-price order's own checks: KRX only (NXT has
// no closing-price session), a live account only (KIS ORD_DVSN 05/06 are
// real-account codes: python-kis order.py "(모의투자 미지원)"), and with
// market hours checked, inside 장전 or 장후 시간외 종가, else refused
// with the next one.
func (g *Guard) checkClosing(req broker.OrderRequest, now time.Time) error {
	if req.Venue != broker.VenueKRX {
		return &broker.Error{Kind: broker.Invalid, Code: "close_venue",
			Msg: fmt.Sprintf("closing-price orders (시간외 종가) go to KRX only, not %s", req.Venue)}
	}
	if !g.venues.OffHours {
		return &broker.Error{Kind: broker.Rejected, Code: "close_mock",
			Msg: "this account cannot send closing-price (시간외 종가) orders: mock (모의투자) accounts trade in the regular session only"}
	}
	if !g.marketHours {
		return nil
	}
	if _, ok := g.cal.ClosingWindow(now); ok {
		return nil
	}
	next, _ := g.cal.NextClosingWindow(now)
	return &broker.Error{Kind: broker.MarketClosed, Code: "krx_close", Msg: string(next.Kind), NextOpen: next.Start}
}
