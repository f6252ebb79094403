// Package tracker follows every order hoga placed until it is final —
// filled, cancelled, expired at the close or rejected — and tells the
// owner each step (issue 14). Before it, hoga placed an order and went
// blind: a limit order that filled an hour later, and every market order,
// filled in silence.
//
// It lives beside broker/guard rather than inside it: the guard owns the
// order path up to the broker's answer (checks, write-ahead journal,
// unknown outcomes); the tracker owns what happens after an accepted
// answer. They share the journal and nothing else, and the guard's turn
// lock is never held while the tracker polls.
//
// Sources, all feeding one path (record) that journals a fill once and
// only then publishes it:
//   - the broker's push (KIS H0STCNI0/9, Kiwoom 00 notices): Push;
//   - polling the broker's list of today's orders: one list call serves
//     every open order; adaptive (MinInterval soon after an order or a
//     change, doubling to MaxInterval while nothing changes, never closer
//     than three times the last poll's duration so a paged list cannot
//     crowd out a user's /price in the broker's rate limiter); only while
//     something is open and, with market hours kept, the session accepts
//     orders; Kick polls once now (after a stream gap);
//   - the paper exchange's own fill events (paper.Exchange.Subscribe),
//     handed to Notify exactly as a broker's push is (Source FillPaper);
//     polling it, free, stays the fallback as for a real broker.
//
// A pushed fill can beat the order's own answer (the paper exchange fills
// a market order inside PlaceOrder; a KIS or Kiwoom notice can arrive
// before the HTTP reply): one for an order hoga has no number for yet is
// parked and replayed when the guard reports the order placed, so it is
// journaled from the push, not left to the next poll.
//
// A fill's identity is its order and the cumulative quantity after it, so
// the push and the poll (and a restart) agree on it; broker.FillJournal
// stores it once and the tracker alerts only what it stored.
//
// A fill the first poll after a start finds is told as found at start-up.
// Neither broker's order list says when an order filled, so whether it
// filled while hoga was down comes from the tracker's own durable mark
// (Mark): every successful poll records when it ended, and a clean stop's
// final check (FinalCheck) records that the orders were looked at as hoga
// stopped. See lateSince for the three cases.
package tracker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
)

// Broker is what the tracker asks the broker: the day's orders (the
// poll) and the balance (the cost of shares a sell fill sold).
type Broker interface {
	OrdersToday(ctx context.Context) ([]broker.Order, error)
	Balance(ctx context.Context) (broker.Balance, error)
}

// Journal is the order journal with its fills (store.DB,
// brokertest.Journal).
type Journal interface {
	broker.FillJournal
	OrdersOn(ctx context.Context, day time.Time) ([]broker.JournalEntry, error)
	OrderByClientID(ctx context.Context, clientID string) (broker.JournalEntry, error)
	OrderByBrokerID(ctx context.Context, day time.Time, brokerID string) (broker.JournalEntry, error)
	UpdateOrder(ctx context.Context, clientID string, fn func(*broker.JournalEntry) error) (broker.JournalEntry, error)
}

// Defaults for zero Options.
const (
	DefaultMinInterval = time.Second
	DefaultMaxInterval = 15 * time.Second
	// pushQueue bounds the stream fills waiting for Run; past it a fill
	// is left to the next poll, which is asked for at once.
	pushQueue = 1024
	// parkedMax bounds the pushes kept for orders not yet known; parkFor
	// is how long one is kept (an order's answer comes within seconds;
	// past that the poll has it).
	parkedMax = 256
	parkFor   = time.Minute
	// briskFor and steadyFor shape the adaptive poll: every MinInterval
	// for briskFor after a placement or a fill, every 2×MinInterval until
	// steadyFor, then doubling to MaxInterval.
	briskFor  = 5 * time.Second
	steadyFor = 2 * time.Minute
	// pollCostFactor keeps polls at least this many times their own
	// duration apart: a poll that took 1.5 s of a 2 request/s budget
	// (three pages) leaves two thirds of it to everyone else.
	pollCostFactor = 3
	// markKey is the journal setting that keeps the Mark. The journal is
	// per broker, mode and account (store.Options.Scope: each has its own
	// file), so the mark is too.
	markKey = "tracker.checked"
)

// Options configures New.
type Options struct {
	Broker  Broker
	Journal Journal
	// Normalize brings an order number to the broker's own form
	// (broker.NormalizeOrderID); nil trims.
	Normalize func(string) string
	Clock     clock.Clock
	// Calendar gives each order's end of day (day orders expire then:
	// KRX 15:30, 16:30 on the 수능 day; NXT and SOR 20:00, see
	// broker.Calendar.OrderExpiry); nil is broker.NewCalendar(nil).
	Calendar *broker.Calendar
	// MarketHours polls only while the session accepts orders (and once
	// at its close). Without it polling follows open orders alone.
	MarketHours bool
	// Fees prices each fill's commission and tax; zero is
	// broker.DefaultFees.
	Fees                     broker.Fees
	MinInterval, MaxInterval time.Duration
	// OnEvent receives fills, partial fills, cancels by the broker and
	// expiries, in order, on the tracker's goroutines; it may block
	// briefly (the alert feed queues).
	OnEvent func(broker.OrderEvent)
	// OnStranger is told the number of an order a fill notice names that
	// no journal row carries (cmd/hoga asks the guard to look again: it
	// may be an order the guard settled as never placed). It must not
	// block.
	OnStranger func(orderID string)
	// OnPoll is told of every poll: its duration and error.
	OnPoll func(took time.Duration, err error)
	Logger *slog.Logger
}

// Status is what /status shows of the tracker.
type Status struct {
	Open      int       // orders being followed
	LastHeard time.Time // last successful poll or push; zero: never
	Polls     int64
	// Sleeps counts the poll loop's sleeps and NextCheck is when the
	// current one ends: a test on a fake clock knows from them whether a
	// step of the clock woke the loop and when it is asleep again.
	Sleeps    uint64
	NextCheck time.Time
}

// Tracker follows open orders. Create it with New, feed it the guard's
// events (Observe) and the stream's notices (Push), and run Run.
type Tracker struct {
	o   Options
	clk clock.Clock
	cal *broker.Calendar
	log *slog.Logger

	wake   chan struct{}
	pushes chan Push

	// turn serialises fill processing (poll results, pushes, expiries) so
	// a cumulative quantity is never computed from a stale one.
	turn sync.Mutex

	mu        sync.Mutex
	open      map[string]*tracked // by normalised broker order number
	cost      map[broker.Code]holding
	costOK    bool
	lastHeard time.Time
	polls     int64
	sleeps    uint64    // times the loop went to sleep
	until     time.Time // when the current sleep ends
	changedAt time.Time // last placement or fill: polling is brisk after it
	parked    []Push    // pushes for orders not yet followed, oldest first

	// prev is the mark the previous run left (read by Run before its
	// first poll): what the first poll's fills are labelled by.
	prev Mark
	// markMu orders the mark's writes; stopping (under it) keeps a poll
	// of the loop from overwriting the clean mark FinalCheck wrote.
	markMu   sync.Mutex
	stopping bool
	// born is when New made the tracker: journal rows older than it are
	// an earlier run's. loadMu and loaded make the start-up load once.
	born   time.Time
	loadMu sync.Mutex
	loaded bool
}

// Mark is the tracker's durable "last checked" mark, kept in the journal
// of the current broker, mode and account.
type Mark struct {
	// Checked is when the tracker last finished a successful poll of
	// the broker's order list: every followed order's state up to then
	// is journaled (a poll also covers what the stream pushed). Zero:
	// never.
	Checked time.Time `json:"checked"`
	// Clean says Checked is the final check of a clean stop (FinalCheck):
	// hoga stopped right after it, so an order journaled no later than
	// Checked that has filled further by the next start filled while
	// hoga was down. False while running and after a kill or a failed
	// final check.
	Clean bool `json:"clean"`
}

// settings is the journal's key-value store (store.DB,
// brokertest.Journal), where the Mark is kept. A journal without it keeps
// no mark: every fill found at start-up is then labelled as possibly
// before the stop.
type settings interface {
	GetSetting(ctx context.Context, key string) (string, bool, error)
	PutSetting(ctx context.Context, key, value string) error
}

// tracked is one open order.
type tracked struct {
	e           broker.JournalEntry
	cum, amount int64     // journaled fills
	closeAt     time.Time // its session's close; zero: no known close
	late        bool      // open when hoga started: fills found first are "while hoga was down"
}

// holding is the tracker's view of a position, for the cost of a sell.
type holding struct{ qty, avg int64 }

// New builds a Tracker.
func New(o Options) (*Tracker, error) {
	if o.Broker == nil || o.Journal == nil {
		return nil, errors.New("tracker: a broker and a journal are required")
	}
	if o.Normalize == nil {
		o.Normalize = func(s string) string { return broker.NormalizeOrderID(nil, s) }
	}
	if o.MinInterval <= 0 {
		o.MinInterval = DefaultMinInterval
	}
	if o.MaxInterval < o.MinInterval {
		o.MaxInterval = max(DefaultMaxInterval, o.MinInterval)
	}
	if o.Fees == (broker.Fees{}) {
		o.Fees = broker.DefaultFees
	}
	if o.OnEvent == nil {
		o.OnEvent = func(broker.OrderEvent) {}
	}
	if o.OnPoll == nil {
		o.OnPoll = func(time.Duration, error) {}
	}
	t := &Tracker{o: o, clk: clock.Or(o.Clock), cal: o.Calendar, log: o.Logger, wake: make(chan struct{}, 1),
		pushes: make(chan Push, pushQueue), open: map[string]*tracked{}, cost: map[broker.Code]holding{}}
	t.born = t.clk.Now()
	if t.log == nil {
		t.log = slog.New(slog.DiscardHandler)
	}
	if t.cal == nil {
		cal, err := broker.NewCalendar(nil)
		if err != nil {
			return nil, err
		}
		t.cal = cal
	}
	return t, nil
}

// Status reports the open orders and when the broker was last heard.
func (t *Tracker) Status() Status {
	t.mu.Lock()
	defer t.mu.Unlock()
	return Status{Open: len(t.open), LastHeard: t.lastHeard, Polls: t.polls, Sleeps: t.sleeps, NextCheck: t.until}
}

// Committed returns the open (unfilled) quantity of hoga's open buy and
// sell orders in code: shares a position cap must count as coming, and
// shares a sell must not offer twice.
func (t *Tracker) Committed(code broker.Code) (buying, selling int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, tr := range t.open {
		if tr.e.Code != code {
			continue
		}
		rest := max(tr.e.Qty-tr.cum, 0)
		if tr.e.Side == broker.Buy {
			buying += rest
		} else {
			selling += rest
		}
	}
	return buying, selling
}

// Kick asks for one poll now (after a stream gap, a fill notice the
// tracker could not place).
func (t *Tracker) Kick() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// Observe takes the guard's events: a placed order (or one reconciliation
// found placed) is followed from now on; a cancel the owner asked for ends
// the following (the guard has told the owner). It never calls the broker
// except to learn, for a sell, the cost of the shares it may sell.
func (t *Tracker) Observe(ctx context.Context, ev broker.OrderEvent) {
	switch ev.Kind {
	case broker.EventPlaced, broker.EventReconciled, broker.EventCorrected:
		if ev.Order.ID == "" || !(ev.Order.Status.Open() || ev.Order.Status == broker.StatusFilled) {
			return
		}
		clientID := ev.Request.ClientID
		if clientID == "" {
			clientID = ev.Order.ClientID
		}
		e, err := t.o.Journal.OrderByClientID(ctx, clientID)
		if err != nil {
			t.log.Warn("tracker: placed order not in the journal; the poll will find it", "order", ev.Order.ID, "err", err)
			t.Kick()
			return
		}
		if e.BrokerID == "" {
			e.BrokerID = ev.Order.ID
		}
		t.follow(e, false)
		if ev.Kind == broker.EventPlaced {
			t.placedNow(e.BrokerID)
		}
		if e.Side == broker.Sell {
			t.costOf(ctx, e.Code, true)
		}
		t.mu.Lock()
		t.changedAt = t.clk.Now()
		t.mu.Unlock()
		if t.replay(e.BrokerID) {
			return // the fills that came first carry the news
		}
		t.Kick()
	case broker.EventCancelled:
		t.mu.Lock()
		delete(t.open, t.o.Normalize(ev.Order.ID))
		t.mu.Unlock()
	}
}

// placedNow marks an order the guard placed in this run as not late. Run's
// start-up read of the journal may have found its row first (an order
// placed while Run was starting) and marked it open since before the
// start; its first fill would then have said "while hoga was down".
func (t *Tracker) placedNow(brokerID string) {
	id := t.o.Normalize(brokerID)
	t.turn.Lock() // tr.late is read and cleared by the poll under turn
	defer t.turn.Unlock()
	t.mu.Lock()
	defer t.mu.Unlock()
	if tr := t.open[id]; tr != nil {
		tr.late = false
	}
}

// follow starts following an open journal row (idempotent).
func (t *Tracker) follow(e broker.JournalEntry, late bool) {
	id := t.o.Normalize(e.BrokerID)
	if id == "" || e.FilledQty >= e.Qty {
		return
	}
	tr := &tracked{e: e, cum: e.FilledQty, amount: e.FillAmount, late: late}
	// A day order lapses at its venue's end of day: KRX's close, or 20:00
	// for an order that may rest on NXT.
	if end, ok := t.cal.OrderExpiry(e.Venue.Or(broker.VenueKRX), e.Created); ok {
		tr.closeAt = end
	}
	t.mu.Lock()
	if _, ok := t.open[id]; !ok {
		t.open[id] = tr
	}
	t.mu.Unlock()
}

// Push is a fill from the broker's stream. CumQty is the order's filled
// quantity after it when the broker says (Kiwoom: ordered − remaining); 0
// when it does not (KIS), and the tracker adds Qty to what it knows.
type Push struct {
	OrderID string
	Qty     int64
	Price   int64
	CumQty  int64
	ExecID  string
	Time    time.Time // zero: now
	// Source is where the push came from: FillStream (zero) for a
	// broker's notice, FillPaper for the paper exchange's event.
	Source broker.FillSource
	// Exchange is the exchange the fill traded on, KRX or NXT, when the
	// notice says (KIS ORD_EXG_GB); empty otherwise. For a SOR order it
	// is journaled (JournalEntry.NoteExchange), because KIS's order list
	// never says where a SOR order went and a restart would forget it.
	Exchange broker.Venue
}

// Notify hands a streamed fill to Run without blocking (a stream's read
// loop must not wait on the journal). When the queue is full the fill is
// left to a poll, which is asked for.
func (t *Tracker) Notify(p Push) {
	if p.Time.IsZero() {
		p.Time = t.clk.Now()
	}
	select {
	case t.pushes <- p:
	default:
		t.Kick()
	}
}

// Push records a streamed fill now, on the caller's goroutine. A fill of an order the tracker does not
// follow yet (the notice can beat the order's answer) is looked up in the
// journal; failing that, a poll is asked for, which will find it.
func (t *Tracker) Push(ctx context.Context, p Push) { t.push(ctx, p, true) }

// push is Push; a retry of a parked push (stranger false) neither parks
// it again nor reports it as a stranger a second time.
func (t *Tracker) push(ctx context.Context, p Push, stranger bool) {
	if p.Qty <= 0 || p.Price <= 0 {
		return
	}
	now := t.clk.Now()
	if p.Time.IsZero() {
		p.Time = now
	}
	id := t.o.Normalize(p.OrderID)
	t.turn.Lock()
	defer t.turn.Unlock()
	t.mu.Lock()
	tr := t.open[id]
	t.lastHeard = now
	t.mu.Unlock()
	if tr == nil {
		e, err := t.o.Journal.OrderByBrokerID(ctx, now, id)
		if err == nil {
			// Before the state check: the notice of a fill the poll has
			// already journaled (the order no longer followed) still says
			// where it traded.
			e = t.noteExchange(ctx, e, p.Exchange)
		}
		if broker.KindOf(err) == broker.NotFound && stranger {
			// Its answer may still be on its way: kept for when the
			// guard reports it placed (or, had that just happened,
			// replayed at once).
			t.park(p, now)
			t.mu.Lock()
			_, followed := t.open[id]
			t.mu.Unlock()
			if followed {
				t.replay(id)
				return
			}
			if t.o.OnStranger != nil {
				// An order hoga has no number for may be one it was told
				// never reached the broker (issue 21, item 3).
				t.o.OnStranger(id)
			}
		}
		answeredFilled := e.State == broker.StatusFilled && e.FilledQty < e.Qty // its fills not journaled yet
		if err != nil || !(e.State.Open() || answeredFilled || e.State == broker.StatusPending || e.State == broker.StatusUnknown) {
			t.Kick()
			return
		}
		if e.BrokerID == "" {
			e.BrokerID = id
		}
		t.follow(e, false)
		t.mu.Lock()
		tr = t.open[id]
		t.mu.Unlock()
		if tr == nil {
			return
		}
	} else if p.Exchange != "" {
		t.noteTracked(ctx, tr, p.Exchange)
	}
	cum := p.CumQty
	if cum <= 0 {
		cum = tr.cum + p.Qty
	}
	if cum <= tr.cum || cum > tr.e.Qty {
		return // known already (the poll overtook it), or not this order's
	}
	src := p.Source
	if src == "" {
		src = broker.FillStream
	}
	t.record(ctx, id, tr, broker.Fill{OrderID: id, Qty: cum - tr.cum, Price: p.Price, CumQty: cum, ExecID: p.ExecID,
		Source: src, Time: p.Time}, false)
}

// noteExchange journals that a fill of e traded on exchange on, when that
// changes the row (JournalEntry.NoteExchange: a SOR order's), and returns
// the row as journaled. A journal failure is logged: the exchange is shown,
// not acted on, and the order's fills are journaled apart from it.
func (t *Tracker) noteExchange(ctx context.Context, e broker.JournalEntry, on broker.Venue) broker.JournalEntry {
	if probe := e; !probe.NoteExchange(on) {
		return e
	}
	row, err := t.o.Journal.UpdateOrder(ctx, e.ClientID, func(x *broker.JournalEntry) error {
		if !x.NoteExchange(on) {
			return errUnchanged
		}
		return nil
	})
	switch {
	case errors.Is(err, errUnchanged):
		if row, err := t.o.Journal.OrderByClientID(ctx, e.ClientID); err == nil {
			return row
		}
		return e
	case err != nil:
		t.log.Warn("tracker: the exchange a SOR order traded on was not journaled", "order", e.BrokerID, "exchange", on, "err", err)
		return e
	}
	return row
}

var errUnchanged = errors.New("tracker: nothing to journal")

// noteTracked is noteExchange for a followed order, keeping its row's
// exchange in step. Called with turn held.
func (t *Tracker) noteTracked(ctx context.Context, tr *tracked, on broker.Venue) {
	t.mu.Lock()
	e := tr.e
	t.mu.Unlock()
	if probe := e; !probe.NoteExchange(on) {
		return
	}
	e = t.noteExchange(ctx, e, on)
	t.mu.Lock()
	tr.e.Exchange = e.Exchange
	t.mu.Unlock()
}

// park keeps p, a push for an order hoga does not follow yet, for replay.
func (t *Tracker) park(p Push, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	kept := t.parked[:0]
	for _, x := range t.parked {
		if now.Sub(x.Time) < parkFor {
			kept = append(kept, x)
		}
	}
	t.parked = append(kept, p)
	if n := len(t.parked); n > parkedMax {
		t.parked = t.parked[n-parkedMax:]
	}
}

// replay hands the parked pushes of order id back to Run, in the order
// they came, and reports whether there were any.
func (t *Tracker) replay(orderID string) bool {
	id := t.o.Normalize(orderID)
	if id == "" {
		return false
	}
	t.mu.Lock()
	var mine []Push
	kept := t.parked[:0]
	for _, p := range t.parked {
		if t.o.Normalize(p.OrderID) == id {
			mine = append(mine, p)
		} else {
			kept = append(kept, p)
		}
	}
	t.parked = kept
	t.mu.Unlock()
	for _, p := range mine {
		t.Notify(p)
	}
	return len(mine) > 0
}

// Run loads today's open orders from the journal, polls once at once
// (fills found then are labelled from the previous run's Mark: see
// lateSince), then polls adaptively until ctx ends.
func (t *Tracker) Run(ctx context.Context) error {
	now := t.clk.Now()
	if ctx.Err() != nil {
		// Stopped before it began (a piped session that ended at once):
		// what was pushed meanwhile is still journaled and told.
		t.drainAtStop(ctx)
		return nil
	}
	if err := t.load(ctx, t.earlier); err != nil {
		if ctx.Err() != nil {
			t.drainAtStop(ctx)
			return nil
		}
		return err
	}
	t.resend(ctx, now)
	interval := t.o.MinInterval
	first := true
	for {
		if !first {
			at, poll := t.nextWake(interval)
			// Armed at the instant, not for a duration from a fresh
			// Now: a clock moved since nextWake read it must not push
			// the poll (or a close's expiry) back by the step.
			timer := t.clk.Until(at)
			t.mu.Lock()
			t.sleeps++
			t.until = at
			t.mu.Unlock()
			switch t.sleep(ctx, timer) {
			case stopped:
				t.drainAtStop(ctx)
				return nil
			case kicked:
				interval = t.o.MinInterval
			case rearm:
				continue
			case due:
				if !poll {
					continue
				}
			}
		}
		first = false
		// Fills pushed meanwhile are recorded from their push (its source,
		// its execution id) before the poll would learn them second-hand.
		t.drain(ctx)
		if t.count() == 0 {
			continue
		}
		if t.finalDone() {
			// After a stop's final check the mark says what was seen
			// then; a later poll would see more than it says. Pushes
			// are still recorded until the stop.
			for {
				select {
				case <-ctx.Done():
					t.drainAtStop(ctx)
					return nil
				case p := <-t.pushes:
					t.Push(context.WithoutCancel(ctx), p)
				}
			}
		}
		start := t.clk.Now()
		changed, err := t.pollOnce(ctx)
		now := t.clk.Now()
		took := now.Sub(start)
		t.o.OnPoll(took, err)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			t.log.Warn("tracker: poll failed", "err", err)
		} else {
			t.writeMark(ctx, Mark{Checked: now}, false)
		}
		t.mu.Lock()
		if changed {
			t.changedAt = now
		}
		quiet := now.Sub(t.changedAt)
		t.mu.Unlock()
		switch {
		case quiet < briskFor:
			// Just placed or just filled: a market order fills at once,
			// the rest of a partly filled order soon.
			interval = t.o.MinInterval
		case quiet < steadyFor:
			// A resting limit order fills when the price comes: a fill
			// in the first minutes is told within two intervals.
			interval = 2 * t.o.MinInterval
		default:
			interval = min(max(interval*2, 2*t.o.MinInterval), t.o.MaxInterval)
		}
		interval = max(interval, pollCostFactor*took)
	}
}

// woke is why sleep returned.
type woke int

const (
	due     woke = iota // the timer fired
	kicked              // Kick: poll now
	rearm               // a push changed what is followed: plan the wait again
	stopped             // ctx ended
)

// sleep waits for timer, a Kick or the stop, journaling the pushes that
// come meanwhile. A push re-arms the timer only when it changed what is
// followed (an order found from its push, or the last one filled):
// re-armed from a fresh Now after every push, a steady stream of fills
// put the poll (the check on every other open order) off for as long as
// it lasted. A timer left
// early is stopped: a fake clock counts a pending timer as a waiter, and a
// test's BlockUntil took an abandoned one for the loop's next wait and
// stepped the clock while the loop was still polling
// (TestPartialsThenFilledAcrossRestart: a fill told 5 s late).
func (t *Tracker) sleep(ctx context.Context, timer clock.Timer) woke {
	following := t.count()
	for {
		select {
		case <-ctx.Done():
			timer.Stop()
			return stopped
		case p := <-t.pushes:
			// A fill the broker reported is journaled even if a stop
			// comes while it is written.
			t.Push(context.WithoutCancel(ctx), p)
			if t.count() != following {
				timer.Stop()
				return rearm
			}
		case <-t.wake:
			timer.Stop()
			return kicked
		case <-timer.C():
			return due
		}
	}
}

// stopGrace bounds the journal writes of the pushes drained at a stop.
const stopGrace = 5 * time.Second

// drainAtStop records, at a stop, the pushes already queued: a fill the
// broker (or the paper exchange) reported is journaled and told now rather
// than lost with the queue — a piped console session ends right after a
// market order's reply, whose fill is this alert.
//
// A push still parked is tried once more: the guard writes an order's
// number before its reply goes out, but tells the tracker through its
// event queue, which a stop can overtake.
func (t *Tracker) drainAtStop(ctx context.Context) {
	t.mu.Lock()
	parked := t.parked
	t.parked = nil
	t.mu.Unlock()
	if len(t.pushes) == 0 && len(parked) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), stopGrace)
	defer cancel()
	t.drain(ctx)
	for _, p := range parked {
		t.push(ctx, p, false)
	}
}

// earlier says whether a journal row is an earlier run's: written no
// later than this tracker was made. An order this run placed before Run
// loaded the journal (a command in the first milliseconds) is not, and
// its fill is not "found at start-up".
func (t *Tracker) earlier(e broker.JournalEntry) bool { return !e.Created.After(t.born) }

// load reads, once, the previous run's mark and follows today's open
// journal rows; those for which late says so (earlier) are labelled at
// their first poll (lateSince). Run calls it, and FinalCheck for a stop
// that comes before Run has loaded.
func (t *Tracker) load(ctx context.Context, late func(broker.JournalEntry) bool) error {
	t.loadMu.Lock()
	defer t.loadMu.Unlock()
	if t.loaded {
		return nil
	}
	prev := t.readMark(ctx)
	if err := t.followJournal(ctx, late); err != nil {
		return err
	}
	t.turn.Lock()
	t.prev = prev
	t.turn.Unlock()
	t.loaded = true
	// Running again: the previous stop's clean mark no longer vouches for
	// what happens from now on (polls may fail, hoga may be killed).
	if prev.Clean {
		t.writeMark(ctx, Mark{Checked: prev.Checked}, false)
	}
	return nil
}

// followJournal follows today's open journal rows not followed yet; late
// says which are an earlier run's.
func (t *Tracker) followJournal(ctx context.Context, late func(broker.JournalEntry) bool) error {
	rows, err := t.o.Journal.OrdersOn(ctx, t.clk.Now())
	if err != nil {
		return fmt.Errorf("tracker: journal: %w", err)
	}
	for _, e := range rows {
		// An order the broker answered as filled (a paper market order)
		// whose fills were never journaled — hoga stopped between the
		// answer and the fill's push — is followed too: the first poll
		// stores and tells its fill.
		unjournaled := e.State == broker.StatusFilled && e.FilledQty < e.Qty
		if (e.State.Open() || unjournaled) && e.BrokerID != "" {
			t.follow(e, late(e))
		}
	}
	return nil
}

// FinalCheck is a clean stop's last look at the open orders, called after
// the order in flight has been answered (cmd/hoga drains the guard
// first) and before the transports stop: a fill in the last poll gap (up
// to MaxInterval) is journaled and told now as an ordinary fill, not at
// the next start as one "while hoga was down". It reads the journal for
// orders placed since the tracker last heard (the guard's event may not
// have reached Observe yet), polls once and, when that succeeds (or
// nothing is open), marks the journal clean: the next start labels a fill
// of these orders as made while hoga was down. ctx bounds it; an error
// (the broker's, the journal's) is returned for the caller to log, and
// the mark then stays as the last successful poll left it, so the next
// start says honestly that a fill may have come before the stop. The
// poll loop may go on until its context ends; it no longer writes the
// mark.
func (t *Tracker) FinalCheck(ctx context.Context) error {
	t.markMu.Lock()
	t.stopping = true
	t.markMu.Unlock()
	if err := t.load(ctx, t.earlier); err != nil {
		return fmt.Errorf("tracker: final check: %w", err)
	}
	t.drain(ctx)
	// Orders placed since: the guard's event may not have reached Observe.
	if err := t.followJournal(ctx, func(broker.JournalEntry) bool { return false }); err != nil {
		return fmt.Errorf("tracker: final check: %w", err)
	}
	if t.count() > 0 {
		start := t.clk.Now()
		_, err := t.pollOnce(ctx)
		t.o.OnPoll(t.clk.Now().Sub(start), err)
		if err != nil {
			return fmt.Errorf("tracker: final check: %w", err)
		}
		// Pushes that came during the poll are recorded from their push.
		t.drain(ctx)
	}
	return t.writeMark(ctx, Mark{Checked: t.clk.Now(), Clean: true}, true)
}

// finalDone reports whether FinalCheck has begun.
func (t *Tracker) finalDone() bool {
	t.markMu.Lock()
	defer t.markMu.Unlock()
	return t.stopping
}

// readMark is the mark the previous run left; zero when there is none or
// it cannot be read (then every fill found at start-up is labelled as
// possibly before the stop).
func (t *Tracker) readMark(ctx context.Context) Mark {
	s, ok := t.o.Journal.(settings)
	if !ok {
		return Mark{}
	}
	v, found, err := s.GetSetting(ctx, markKey)
	if err != nil || !found {
		if err != nil {
			t.log.Warn("tracker: cannot read when orders were last checked; fills found at start are labelled as possibly before the stop", "err", err)
		}
		return Mark{}
	}
	var m Mark
	if err := json.Unmarshal([]byte(v), &m); err != nil {
		t.log.Warn("tracker: unreadable last-checked mark; ignored", "err", err)
		return Mark{}
	}
	return m
}

// writeMark stores m. A loop's write (final false) is skipped once
// FinalCheck has begun, so it cannot overwrite the clean mark.
func (t *Tracker) writeMark(ctx context.Context, m Mark, final bool) error {
	s, ok := t.o.Journal.(settings)
	if !ok {
		return nil
	}
	t.markMu.Lock()
	defer t.markMu.Unlock()
	if t.stopping && !final {
		return nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if err := s.PutSetting(context.WithoutCancel(ctx), markKey, string(b)); err != nil {
		t.log.Warn("tracker: cannot record when orders were last checked", "err", err)
		return fmt.Errorf("tracker: last-checked mark: %w", err)
	}
	return nil
}

// lateSince labels a fill the first poll after a start found for tr, an
// order open when hoga started. Neither broker's order list says when an
// order filled: KIS inquire-daily-ccld gives ord_tmd 주문시각 (the order's
// time) and infm_tmd 통보시각, no fill time (open-trading-api
// examples_llm/domestic_stock/inquire_daily_ccld/chk_inquire_daily_ccld.py);
// Kiwoom ka10076 gives ord_tm 주문시간 only (Kiwoom-REST-API
// examples/국내주식/계좌/get_domestic_filled_orders.py), and ka10075's tm
// 시간 (get_domestic_unfilled_orders.py) is not documented as a fill's
// time and lists only orders still open. So it is decided from the
// previous run's Mark and the order's last journaled change (Updated:
// its placement, answer or last fill):
//   - the previous run stopped cleanly and its final check came at or
//     after that change: the fill came after the stop (while hoga was
//     down, or in the moment before this first poll). The zero time.
//   - otherwise (killed, the final check failed or missed this order, or
//     no mark): it came after the later of the mark and that change,
//     maybe before the stop. That instant, which the alert names.
func (t *Tracker) lateSince(tr *tracked) time.Time {
	known := tr.e.Updated
	if known.IsZero() || known.Before(tr.e.Created) {
		known = tr.e.Created
	}
	if t.prev.Clean && !t.prev.Checked.Before(known) {
		return time.Time{}
	}
	if t.prev.Checked.After(known) {
		return t.prev.Checked
	}
	if known.IsZero() {
		// No time at all (a row without one): still not "while down".
		return time.Unix(0, 1)
	}
	return known
}

// drain records every push already queued. A fill the broker reported is
// journaled even if a stop comes meanwhile (ctx's cancel is not passed on).
func (t *Tracker) drain(ctx context.Context) {
	ctx = context.WithoutCancel(ctx)
	for {
		select {
		case p := <-t.pushes:
			t.Push(ctx, p)
		default:
			return
		}
	}
}

func (t *Tracker) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.open)
}

// nextWake is when to wake for the next poll and whether to poll then
// (false: just re-evaluate, e.g. at the auction start).
func (t *Tracker) nextWake(interval time.Duration) (time.Time, bool) {
	now := t.clk.Now()
	t.mu.Lock()
	n := len(t.open)
	var closeAt time.Time
	for _, tr := range t.open {
		if !tr.closeAt.IsZero() && (closeAt.IsZero() || tr.closeAt.Before(closeAt)) {
			closeAt = tr.closeAt
		}
	}
	t.mu.Unlock()
	if n == 0 {
		// Nothing to follow: a new order wakes the loop; the timer only
		// keeps it looking at the clock (cheap, no broker call).
		return now.Add(t.o.MaxInterval), false
	}
	at := now.Add(interval)
	if !closeAt.IsZero() {
		if !now.Before(closeAt) {
			return now, true // past a close: the final poll and the expiry
		}
		if closeAt.Before(at) {
			at = closeAt
		}
	}
	if t.o.MarketHours && !t.cal.AcceptsOrders(now) && !t.cal.AnyVenueTakesOrders(now) {
		// No exchange takes orders (before NXT's pre-market or KRX's
		// auction, after 20:00): nothing can fill yet, so wait for it.
		next := t.cal.NextSession(now)
		if next.AuctionStart.IsZero() {
			return now.Add(t.o.MaxInterval), false
		}
		return now.Add(min(max(next.AuctionStart.Sub(now), 0), time.Hour)), false
	}
	return at, true
}

// pollOnce asks for today's orders once and records what changed for
// every open order; then expires what its close has passed.
func (t *Tracker) pollOnce(ctx context.Context) (bool, error) {
	orders, err := t.o.Broker.OrdersToday(ctx)
	now := t.clk.Now()
	t.mu.Lock()
	t.polls++
	if err == nil {
		t.lastHeard = now
	}
	t.mu.Unlock()
	if err != nil {
		t.expire(ctx, now, false)
		return false, err
	}
	byID := make(map[string]broker.Order, len(orders))
	for _, o := range orders {
		byID[t.o.Normalize(o.ID)] = o
	}
	t.turn.Lock()
	defer t.turn.Unlock()
	changed := false
	for id, tr := range t.snapshot() {
		o, ok := byID[id]
		if !ok {
			continue
		}
		if o.Exchange != "" {
			// Where a SOR order went, when the list says (Kiwoom's
			// stex_tp_txt; KIS's from this process's notices): before the
			// fill, so its alert says it too.
			t.noteTracked(ctx, tr, o.Exchange)
		}
		if o.FilledQty > tr.cum {
			delta := o.FilledQty - tr.cum
			price := o.AvgFillPrice
			if o.LastFillPrice > 0 {
				// No average (Kiwoom ka10076): the latest part's own
				// price; the order's average is then the parts'.
				price = o.LastFillPrice
			} else if o.AvgFillPrice > 0 {
				// The average over all fills less what is journaled is
				// these fills' amount.
				if amt := o.AvgFillPrice*o.FilledQty - tr.amount; amt > 0 {
					price = (amt + delta/2) / delta
				}
			}
			if price <= 0 {
				price = tr.e.Price
			}
			if price > 0 {
				f := broker.Fill{OrderID: id, Qty: delta, Price: price, CumQty: o.FilledQty, Source: broker.FillPoll, Time: now}
				if tr.late {
					f.LateSince = t.lateSince(tr)
				}
				t.record(ctx, id, tr, f, tr.late)
				changed = true
			}
		}
		tr.late = false
		if o.Status == broker.StatusCancelled || o.Status == broker.StatusRejected {
			kind := broker.EventCancelled
			if !tr.closeAt.IsZero() && !now.Before(tr.closeAt) {
				kind = broker.EventExpired
			}
			t.finish(ctx, id, tr, kind, o.Note)
			changed = true
		}
	}
	t.expire(ctx, now, true)
	return changed, nil
}

// snapshot copies the open set for iteration without holding mu across
// journal writes.
func (t *Tracker) snapshot() map[string]*tracked {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[string]*tracked, len(t.open))
	for k, v := range t.open {
		out[k] = v
	}
	return out
}

// expire ends every order whose session has closed: a day order still
// open at the close lapses. Only after a poll at or past the close (polled
// true), so a fill in the closing auction is recorded first.
func (t *Tracker) expire(ctx context.Context, now time.Time, polled bool) {
	if !polled {
		return
	}
	for id, tr := range t.snapshot() {
		if !tr.closeAt.IsZero() && !now.Before(tr.closeAt) {
			t.finish(ctx, id, tr, broker.EventExpired, "")
		}
	}
}

// finish ends an order that will not fill further: the journal row
// becomes cancelled (with a note for an expiry) unless the guard already
// said so, and the owner hears of it once.
func (t *Tracker) finish(ctx context.Context, id string, tr *tracked, kind broker.EventKind, note string) {
	t.mu.Lock()
	delete(t.open, id)
	t.mu.Unlock()
	already := false
	e, err := t.o.Journal.UpdateOrder(ctx, tr.e.ClientID, func(x *broker.JournalEntry) error {
		if x.State == broker.StatusCancelled || x.State == broker.StatusFilled || x.State == broker.StatusRejected {
			already = true
			return errAlready
		}
		x.State = broker.StatusCancelled
		if kind == broker.EventExpired {
			x.Note = "expired unfilled at the session's close"
		} else if note != "" {
			x.Note = note
		}
		return nil
	})
	if already {
		return
	}
	if err != nil {
		t.log.Error("tracker: journal update failed", "order", id, "err", err)
		e = tr.e
	}
	o := orderOf(e, id)
	o.Status = broker.StatusCancelled
	t.o.OnEvent(broker.OrderEvent{Kind: kind, Time: t.clk.Now(), Request: e.Request(), Order: o})
}

var errAlready = errors.New("tracker: order already final")

// record journals f for the order followed under id and, if it is new,
// publishes it. Called with turn held.
func (t *Tracker) record(ctx context.Context, id string, tr *tracked, f broker.Fill, late bool) {
	e := tr.e
	f.Day, f.ClientID, f.Code, f.Side, f.Late = broker.Day(e.Created), e.ClientID, e.Code, e.Side, late
	f.Commission, f.Tax = t.o.Fees.For(f.Side, f.Amount())
	if f.Side == broker.Sell {
		f.CostPrice = t.costOf(ctx, f.Code, false)
	}
	inserted, err := t.o.Journal.InsertFill(ctx, f)
	if err != nil {
		t.log.Error("tracker: fill not journaled", "order", id, "err", err)
		return
	}
	if !inserted {
		// Seen before (by the other source, or before a restart): catch
		// up with the journal, say nothing.
		if row, err := t.o.Journal.OrderByClientID(ctx, e.ClientID); err == nil {
			t.mu.Lock()
			tr.cum, tr.amount, tr.e = row.FilledQty, row.FillAmount, row
			t.mu.Unlock()
		}
		if tr.cum >= e.Qty {
			t.mu.Lock()
			delete(t.open, id)
			t.mu.Unlock()
		}
		return
	}
	// Under mu: Committed reads an open order's fields from the
	// strategy's goroutine (the turn only keeps the tracker's own
	// workers apart).
	t.mu.Lock()
	tr.cum, tr.amount = f.CumQty, tr.amount+f.Amount()
	t.mu.Unlock()
	t.adjustCost(f)
	row, err := t.o.Journal.OrderByClientID(ctx, e.ClientID)
	if err == nil {
		t.mu.Lock()
		tr.e = row
		t.mu.Unlock()
	}
	kind := broker.EventPartial
	if tr.cum >= e.Qty {
		kind = broker.EventFilled
		t.mu.Lock()
		delete(t.open, id)
		t.mu.Unlock()
	}
	o := orderOf(tr.e, id)
	o.FilledQty = tr.cum
	if tr.cum > 0 {
		o.AvgFillPrice = (tr.amount + tr.cum/2) / tr.cum
	}
	o.Status = broker.StatusPartial
	if kind == broker.EventFilled {
		o.Status = broker.StatusFilled
	}
	t.o.OnEvent(broker.OrderEvent{Kind: kind, Time: t.clk.Now(), Request: e.Request(), Order: o, Fill: f, Delivered: t.delivered(f)})
}

// alertLedger is the journal's record of which fills the owner has been
// told of (store.DB has it; a journal without it re-sends nothing).
type alertLedger interface {
	MarkFillAlerted(ctx context.Context, day, orderID string, cumQty int64) error
	UnalertedFills(ctx context.Context, sinceDay string) ([]broker.Fill, error)
}

// delivered is the event's Delivered: it marks f told in the journal.
func (t *Tracker) delivered(f broker.Fill) func() {
	l, ok := t.o.Journal.(alertLedger)
	if !ok {
		return nil
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := l.MarkFillAlerted(ctx, f.Day, f.OrderID, f.CumQty); err != nil {
			t.log.Warn("tracker: fill alert delivered but not marked; a restart sends it again", "order", f.OrderID, "err", err)
		}
	}
}

// resend sends again, at start, the alerts of fills an earlier run stored
// (from yesterday on) but never saw delivered: a restart while Telegram was
// down, or a crash between storing a fill and sending its alert, lost them
// (issue 14). Each says it is sent late, and is marked when delivered.
func (t *Tracker) resend(ctx context.Context, now time.Time) {
	l, ok := t.o.Journal.(alertLedger)
	if !ok {
		return
	}
	fills, err := l.UnalertedFills(ctx, broker.Day(now.AddDate(0, 0, -1)))
	if ctx.Err() != nil {
		return // stopped while starting: the next start sends them
	}
	if err != nil {
		t.log.Warn("tracker: cannot list fills whose alert was not delivered", "err", err)
		return
	}
	for _, f := range fills {
		row, err := t.o.Journal.OrderByClientID(ctx, f.ClientID)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			t.log.Warn("tracker: a fill whose alert was not delivered has no order row; not re-sent", "order", f.OrderID, "err", err)
			continue
		}
		o := orderOf(row, f.OrderID)
		o.FilledQty, o.Status = f.CumQty, broker.StatusPartial
		kind := broker.EventPartial
		if f.CumQty >= row.Qty {
			kind, o.Status = broker.EventFilled, broker.StatusFilled
		}
		f.Resent = true
		t.log.Info("tracker: re-sending a fill alert an earlier run did not deliver", "order", f.OrderID, "cum_qty", f.CumQty)
		t.o.OnEvent(broker.OrderEvent{Kind: kind, Time: now, Request: row.Request(), Order: o, Fill: f, Delivered: t.delivered(f)})
	}
}

func orderOf(e broker.JournalEntry, id string) broker.Order {
	return broker.Order{ID: id, Branch: e.Branch, Code: e.Code, Side: e.Side, Type: e.Type, Qty: e.Qty, Price: e.Price,
		Venue: e.Venue, Exchange: e.TradedOn(), Session: e.Session,
		FilledQty: e.FilledQty, AvgFillPrice: e.AvgFillPrice(), Status: e.State, Time: e.Created,
		ClientID: e.ClientID, Source: e.Source, User: e.User, Note: e.Note}
}

// costOf is the average purchase price of code's holding, from the
// broker's balance the first time (or when refresh is asked and the code
// is unknown), then kept up to date by the fills themselves.
func (t *Tracker) costOf(ctx context.Context, code broker.Code, refresh bool) int64 {
	t.mu.Lock()
	h, ok := t.cost[code]
	loaded := t.costOK
	t.mu.Unlock()
	if ok && h.avg > 0 {
		return h.avg
	}
	if loaded && !refresh {
		return 0
	}
	b, err := t.o.Broker.Balance(ctx)
	if err != nil {
		t.log.Warn("tracker: balance unavailable; realised P&L unknown for this sell", "code", code, "err", err)
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.costOK = true
	for _, p := range b.Positions {
		if _, known := t.cost[p.Code]; !known || p.Code == code {
			t.cost[p.Code] = holding{qty: p.Qty, avg: p.AvgPrice}
		}
	}
	return t.cost[code].avg
}

// adjustCost keeps the holding view in step with a fill: a buy moves the
// average, a sell only the quantity (average cost method, as brokers show
// 매입평균가).
func (t *Tracker) adjustCost(f broker.Fill) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.costOK {
		return // not loaded: the balance, when read, includes this fill
	}
	h := t.cost[f.Code]
	switch f.Side {
	case broker.Buy:
		if n := h.qty + f.Qty; n > 0 {
			h.avg = (h.avg*h.qty + f.Amount() + n/2) / n
			h.qty = n
		}
	case broker.Sell:
		h.qty = max(h.qty-f.Qty, 0)
	}
	t.cost[f.Code] = h
}
