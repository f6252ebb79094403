// Package guard is the one path every order takes, whatever asked for it
// (console, Telegram, HTTP, a strategy rule). A *Guard is itself a
// broker.Broker wrapping the configured one, so callers cannot tell it
// apart except that it refuses more:
//
//   - checks, in order: the request's shape, the kill switch, KRX rules
//     (tick grid, session hours), risk limits (won per order, orders per
//     day); Check runs them as a dry run before a confirmation is shown;
//   - write-ahead journal: a row in state pending, with a client order id,
//     is committed before the broker is called, and the answer is
//     recorded after; nothing reaches the broker without a row first;
//   - one order in flight at a time: placement, cancels and reconciliation
//     passes are serialised, so two quick /buy never interleave;
//   - unknown outcomes (the request went out, no answer came back) are
//     never resent: they are reconciled against the broker's list of
//     today's orders by a goroutine the Guard owns (Run/Close), which
//     also settles the rows a crashed process left (RecoverInBackground
//     marks them at start-up);
//   - every outcome is published as a broker.OrderEvent through a queue, so
//     a slow alert feed never holds up an order.
package guard

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
)

// Journal is what the guard needs from durable storage, in the domain's
// vocabulary. The SQLite store (wired in cmd/hoga) implements it;
// brokertest.Journal is an in-memory one for tests. Errors other than the
// kinds named are the storage's own and count as Internal.
type Journal interface {
	// InsertOrder writes a new row; a broker.Duplicate error when
	// the client id exists.
	InsertOrder(ctx context.Context, e broker.JournalEntry) error
	// UpdateOrder changes a row atomically; a broker.NotFound error
	// when there is none.
	UpdateOrder(ctx context.Context, clientID string, fn func(*broker.JournalEntry) error) (broker.JournalEntry, error)
	// OrderByClientID finds a row by hoga's id (idempotent replays);
	// a broker.NotFound error when there is none.
	OrderByClientID(ctx context.Context, clientID string) (broker.JournalEntry, error)
	// OrderByBrokerID finds the row the broker numbered brokerID on day's
	// KST date (cancels); a broker.NotFound error when there is none.
	OrderByBrokerID(ctx context.Context, day time.Time, brokerID string) (broker.JournalEntry, error)
	// OrdersOn lists day's rows (the merged view, claimed numbers).
	OrdersOn(ctx context.Context, day time.Time) ([]broker.JournalEntry, error)
	// CountOrdersOn counts day's rows (the daily limit).
	CountOrdersOn(ctx context.Context, day time.Time) (int, error)
	// Unresolved lists pending and unknown rows not yet expired, oldest
	// first (reconciliation).
	Unresolved(ctx context.Context) ([]broker.JournalEntry, error)
	// InsertCancel and FinishCancel journal a cancel around its call.
	InsertCancel(ctx context.Context, c broker.JournalCancel) (int64, error)
	FinishCancel(ctx context.Context, c broker.JournalCancel) error
	// GetSetting and PutSetting keep the kill switch.
	GetSetting(ctx context.Context, key string) (string, bool, error)
	PutSetting(ctx context.Context, key, value string) error
}

// FileJournal is a journal kept in a file that can be removed or replaced
// under a running hoga (the SQLite store). When Options.Journal implements
// it, the guard calls CheckFile before every order and, when it fails,
// refuses the order and halts (issue 20, item 3): a row written to a
// deleted file is a row lost at the next start. The error should be a
// *broker.JournalLost naming the path and any copy saved.
type FileJournal interface {
	CheckFile(ctx context.Context) error
}

// OtherScopes is a journal that can tell whether another broker, mode or
// account's journal beside it holds an order number (the SQLite store). When
// Options.Journal implements it, a cancel for a number the journal does not
// know is first checked against the others and, when one holds it, refused
// with a *broker.OrderOfOtherScope before anything is sent (issue 12, item
// 9): mock and live numbers both start at 0000000001, so a number read off
// a mock session's /orders must never cancel a live order.
type OtherScopes interface {
	OrderInOtherScope(ctx context.Context, day time.Time, brokerID string) (string, error)
}

// Defaults for zero Options fields.
const (
	DefaultMaxOrderKRW          = 1_000_000
	DefaultMaxDailyOrders       = 20
	DefaultReconcileGrace       = 2 * time.Minute
	DefaultMatchWindow          = 2 * time.Minute
	DefaultReconcileInterval    = 2 * time.Second
	DefaultReconcileMaxInterval = time.Minute
	DefaultEventQueue           = 1024
	DefaultJournalTimeout       = 5 * time.Second
	DefaultSendTimeout          = 30 * time.Second
)

// Options configures New. Zero values take the defaults noted.
type Options struct {
	// Broker is the wrapped broker (paper, kis, kiwoom). Required.
	Broker broker.Broker
	// List is where reconciliation reads today's orders; nil is Broker.
	// cmd/hoga gives the broker.SharedList the order tracker reads too, so
	// the two share one walk of a long paged list (issue 20). A pass joins
	// a walk under way only if it started after the pass was asked for, and
	// takes the list as of the walk's start.
	List OrderLister
	// Journal is the order journal, normally the SQLite store. Required.
	Journal Journal
	// Clock is the time source; nil is the wall clock.
	Clock clock.Clock
	// Calendar answers KRX session questions; nil is
	// broker.NewCalendar(nil). Only consulted when MarketHours is true.
	Calendar *broker.Calendar
	// MarketHours makes the guard refuse orders outside KRX sessions
	// itself (HOGA_MARKET_HOURS=krx). When false the broker decides.
	MarketHours bool
	// Venues is what the account can trade on; the zero value is KRX only
	// (a mock account). An order to another venue is refused before the
	// broker is asked.
	Venues broker.VenueSupport
	// DefaultVenue fills an order that names none (HOGA_VENUE); empty is
	// Venues.Default(): SOR where supported, else KRX.
	DefaultVenue broker.Venue
	// NXTListed reports whether Nextrade lists a stock, so an NXT order for
	// one it does not is refused before the broker is asked (and a SOR order
	// for it keeps to KRX's sessions). Nil: hoga does not know the list and
	// the broker decides.
	NXTListed func(ctx context.Context, code broker.Code) (bool, error)
	// Committed reports the unfilled quantity of hoga's open buy and sell
	// orders in a code (broker/tracker's Tracker.Committed). With it a
	// sell for more than the shares held minus those already in open sells
	// is refused before the broker is asked: the balance a broker reports
	// nets an open sell only once it has the order, and a second sell of
	// the same shares would otherwise reach it. Nil: the broker decides.
	Committed func(code broker.Code) (buying, selling int64)
	// MaxOrderKRW caps one order's value (HOGA_MAX_ORDER_KRW). 0 means
	// DefaultMaxOrderKRW; negative means no cap.
	MaxOrderKRW int64
	// MaxDailyOrders caps the orders journaled per KST day across all
	// sources (HOGA_MAX_DAILY_ORDERS). 0 means DefaultMaxDailyOrders;
	// negative means no cap.
	MaxDailyOrders int
	// Logger receives the guard's log; nil discards.
	Logger *slog.Logger
	// OnEvent receives every order event, in order, on a goroutine run by
	// Run. The guard queues events (up to EventQueue) instead of calling
	// OnEvent on the order path, so OnEvent may block (send a Telegram
	// message, wait on a rate limit) without delaying an order. Events
	// published before Run starts wait in the queue. Nil drops events.
	OnEvent func(broker.OrderEvent)
	// EventQueue bounds the queued, undelivered events; beyond it new
	// events are logged and dropped. Default DefaultEventQueue.
	EventQueue int
	// ReconcileGrace is how long after an unknown-outcome order was sent
	// the broker's order list must still lack it before hoga concludes it
	// was never placed. Default DefaultReconcileGrace.
	ReconcileGrace time.Duration
	// MatchWindow is how far apart (either way) the broker's order time
	// and the journal row's time may be for the two to match. Default
	// DefaultMatchWindow.
	MatchWindow time.Duration
	// Skew is the measured clock difference between the broker and this
	// host (the clients feed it from their answers); reconciliation takes
	// it off the broker's order times before matching. Nil: none known.
	Skew *broker.Skew
	// ReconcileInterval is the first wait between reconciliation attempts;
	// it doubles while orders stay unresolved. Default
	// DefaultReconcileInterval.
	ReconcileInterval time.Duration
	// ReconcileMaxInterval caps that wait. Default
	// DefaultReconcileMaxInterval.
	ReconcileMaxInterval time.Duration
	// JournalTimeout bounds the journal writes made after the broker
	// answered; they run even if the caller's context has expired (it
	// often has, when the answer was a timeout). Default
	// DefaultJournalTimeout.
	JournalTimeout time.Duration
	// SendTimeout caps a broker order or cancel call once its journal row
	// is written. The call no longer follows the caller's context: a
	// shutdown or a client hanging up must not cut a request in half (that
	// is what makes an unknown outcome); the broker client's own per-request
	// timeout still applies inside this cap. Default DefaultSendTimeout.
	SendTimeout time.Duration
}

// OrderLister reads today's orders from the broker.
type OrderLister interface {
	OrdersToday(ctx context.Context) ([]broker.Order, error)
}

// sharedLister is an OrderLister whose walks callers share
// (broker.SharedList): it says when the walk it answers with started.
type sharedLister interface {
	OrdersTodaySince(ctx context.Context, notBefore time.Time) ([]broker.Order, time.Time, error)
}

// Guard is a broker.Broker that checks, journals and serialises every order
// before the wrapped broker sees it. Create it with New, call
// RecoverInBackground (or Recover) once at start-up, then run Run in a
// goroutine; Close stops it.
type Guard struct {
	inner       broker.Broker
	list        OrderLister // reconciliation's list (Options.List, else inner)
	j           Journal
	clk         clock.Clock
	cal         *broker.Calendar
	marketHours bool
	venues      broker.VenueSupport
	defVenue    broker.Venue
	nxtListed   func(context.Context, broker.Code) (bool, error)
	committed   func(broker.Code) (buying, selling int64)
	file        FileJournal // nil when the journal is not a file
	others      OtherScopes // nil when the journal cannot see other scopes
	fileLost    atomic.Bool // the halt for a lost journal file was made
	maxKRW      int64
	maxDaily    int
	log         *slog.Logger

	skew               *broker.Skew
	grace, window      time.Duration
	retryMin, retryMax time.Duration
	journalTimeout     time.Duration
	sendTimeout        time.Duration

	// turn serialises everything that sends to the broker or settles the
	// journal: PlaceOrder, CancelOrder and reconciliation passes. Holding
	// it across the broker call is the point: a reconciliation pass never
	// sees a pending row that is still in flight, and two orders never
	// interleave. It is a one-slot channel rather than a mutex so a
	// caller waiting for its turn can give up with its context.
	turn chan struct{}

	haltMu sync.Mutex
	halt   haltState

	// started is when this Guard was built: journal rows created before it
	// were left unsettled by an earlier process (checkUnsettled).
	started time.Time
	// sending is the client id of the order PlaceOrder is sending (its
	// row pending until the answer), "" when none: /status does not count
	// it as being checked.
	sending atomic.Value

	// misses counts, per unresolved row, the lists read after its grace
	// that lacked it; watching is set while today has a row told "never
	// placed". Both belong to the holder of turn.
	misses   map[string]missed
	sampled  map[string]bool // broker numbers whose times fed skew
	watching atomic.Bool

	wake chan struct{} // a new unknown outcome: reconcile now
	// asked is when a reconciliation pass was last asked for (poke), in
	// Unix nanoseconds on clk: a pass joins a shared walk of the list only
	// if it started after.
	asked  atomic.Int64
	events *eventQueue

	closed atomic.Bool
	// draining refuses new orders and cancels as closed does, without
	// stopping Run (Drain).
	draining atomic.Bool
	// queued counts the orders and cancels waiting for the guard's turn
	// (lock); a test waits on it to queue one behind the order in flight.
	queued  atomic.Int32
	runMu   sync.Mutex
	running bool
	stop    context.CancelFunc
	done    chan struct{}
}

var _ broker.Broker = (*Guard)(nil)

// New builds a Guard and loads the persisted kill switch.
func New(opts Options) (*Guard, error) {
	if opts.Broker == nil {
		return nil, errors.New("guard: no broker")
	}
	if opts.Journal == nil {
		return nil, errors.New("guard: no journal")
	}
	g := &Guard{
		inner:          opts.Broker,
		j:              opts.Journal,
		clk:            clock.Or(opts.Clock),
		cal:            opts.Calendar,
		marketHours:    opts.MarketHours,
		venues:         opts.Venues,
		defVenue:       opts.DefaultVenue,
		nxtListed:      opts.NXTListed,
		committed:      opts.Committed,
		maxKRW:         opts.MaxOrderKRW,
		maxDaily:       opts.MaxDailyOrders,
		log:            opts.Logger,
		grace:          orDefault(opts.ReconcileGrace, DefaultReconcileGrace),
		window:         orDefault(opts.MatchWindow, DefaultMatchWindow),
		retryMin:       orDefault(opts.ReconcileInterval, DefaultReconcileInterval),
		retryMax:       orDefault(opts.ReconcileMaxInterval, DefaultReconcileMaxInterval),
		journalTimeout: orDefault(opts.JournalTimeout, DefaultJournalTimeout),
		sendTimeout:    orDefault(opts.SendTimeout, DefaultSendTimeout),
		skew:           opts.Skew,
		misses:         map[string]missed{},
		sampled:        map[string]bool{},
		wake:           make(chan struct{}, 1),
		turn:           make(chan struct{}, 1),
	}
	g.started = g.clk.Now()
	g.list = opts.List
	if g.list == nil {
		g.list = g.inner
	}
	g.file, _ = opts.Journal.(FileJournal)
	g.others, _ = opts.Journal.(OtherScopes)
	if g.log == nil {
		g.log = slog.New(slog.DiscardHandler)
	}
	if g.venues == (broker.VenueSupport{}) {
		g.venues = broker.MockVenues
	}
	if g.defVenue == "" {
		g.defVenue = g.venues.Default()
	}
	if !g.venues.Supports(g.defVenue) {
		return nil, fmt.Errorf("guard: default venue %s is not available on this account (mock accounts trade on KRX only)", g.defVenue)
	}
	g.log = g.log.With("broker", g.inner.Name())
	if g.cal == nil {
		cal, err := broker.NewCalendar(nil)
		if err != nil {
			return nil, fmt.Errorf("guard: calendar: %w", err)
		}
		g.cal = cal
	}
	if g.maxKRW == 0 {
		g.maxKRW = DefaultMaxOrderKRW
	}
	if g.maxDaily == 0 {
		g.maxDaily = DefaultMaxDailyOrders
	}
	if g.retryMax < g.retryMin {
		g.retryMax = g.retryMin
	}
	queue := opts.EventQueue
	if queue <= 0 {
		queue = DefaultEventQueue
	}
	g.events = newEventQueue(opts.OnEvent, queue, g.log)
	// New has no context in its signature; this is one local SQLite read.
	if err := g.loadHalt(context.Background()); err != nil {
		return nil, err
	}
	return g, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Name is the wrapped broker's name: the guard is not a broker of its own.
func (g *Guard) Name() string { return g.inner.Name() }

// Quote passes through to the wrapped broker.
func (g *Guard) Quote(ctx context.Context, code broker.Code) (broker.Quote, error) {
	return g.inner.Quote(ctx, code)
}

// QuoteOn passes through to the wrapped broker (broker.QuoteOn).
func (g *Guard) QuoteOn(ctx context.Context, code broker.Code, v broker.Venue) (broker.Quote, error) {
	return broker.QuoteOn(ctx, g.inner, code, v)
}

// MinuteCandles passes through to the wrapped broker (broker.MinuteCandles):
// a chart reads prices, it orders nothing.
func (g *Guard) MinuteCandles(ctx context.Context, code broker.Code) ([]broker.Candle, error) {
	return broker.MinuteCandles(ctx, g.inner, code)
}

// Balance passes through to the wrapped broker.
func (g *Guard) Balance(ctx context.Context) (broker.Balance, error) {
	return g.inner.Balance(ctx)
}

// Run delivers events and reconciles unknown outcomes until ctx is done or
// Close is called, then returns nil. Events still queued when it stops are
// delivered before it returns. It may be called once.
func (g *Guard) Run(ctx context.Context) error {
	g.runMu.Lock()
	if g.closed.Load() {
		g.runMu.Unlock()
		return errors.New("guard: Run after Close")
	}
	if g.running {
		g.runMu.Unlock()
		return errors.New("guard: Run called twice")
	}
	ctx, cancel := context.WithCancel(ctx)
	g.running, g.stop, g.done = true, cancel, make(chan struct{})
	done := g.done
	g.runMu.Unlock()
	defer close(done)
	defer cancel()

	var wg sync.WaitGroup
	wg.Go(func() { g.events.run(ctx) })
	g.reconcileLoop(ctx)
	cancel()
	wg.Wait()
	return nil
}

// Close stops Run and waits for it. Afterwards PlaceOrder and CancelOrder
// refuse (Transient: nothing was sent). The journal is not closed: main
// owns it.
func (g *Guard) Close() error {
	g.runMu.Lock()
	g.closed.Store(true)
	stop, done := g.stop, g.done
	g.runMu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
	return nil
}

// Drain refuses every new order and cancel from now on (Transient:
// nothing was sent, as after Close) and waits, within ctx, for the one
// being sent to be answered and journaled. A clean stop calls it before
// the order tracker's final look at the broker's list, so that look covers
// every order hoga sent; Run goes on delivering events until Close.
func (g *Guard) Drain(ctx context.Context) error {
	g.draining.Store(true)
	if err := g.lock(ctx); err != nil {
		return err
	}
	g.unlock()
	return nil
}

var errClosed = (&broker.Error{Kind: broker.Transient, Msg: "hoga is shutting down; nothing was sent"}).Saying("guard.closed")

// lock waits for the guard's turn, or for ctx. The refusal is Transient:
// nothing was sent.
func (g *Guard) lock(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return (&broker.Error{Kind: broker.Transient, Msg: "the request was cancelled; nothing was sent", Err: err}).Saying("guard.cancelled")
	}
	g.queued.Add(1)
	defer g.queued.Add(-1)
	select {
	case g.turn <- struct{}{}:
		return nil
	case <-ctx.Done():
		return (&broker.Error{Kind: broker.Transient, Msg: "gave up waiting for the order before it; nothing was sent", Err: ctx.Err()}).Saying("guard.cancelled")
	}
}

func (g *Guard) unlock() { <-g.turn }

// lockOpen is lock for an order or a cancel: one that queued behind the
// order in flight before a stop was asked for is refused once its turn
// comes (nothing sent), or a stop's Drain would let it go out while the
// tracker takes its final look and the parts stop.
func (g *Guard) lockOpen(ctx context.Context) error {
	if err := g.lock(ctx); err != nil {
		return err
	}
	if g.closed.Load() || g.draining.Load() {
		g.unlock()
		return errClosed
	}
	return nil
}

// isSending reports whether clientID is the order PlaceOrder is sending.
func (g *Guard) isSending(clientID string) bool {
	id, _ := g.sending.Load().(string)
	return id != "" && id == clientID
}

// emit queues an event; it never blocks.
func (g *Guard) emit(ev broker.OrderEvent) {
	ev.Time = g.clk.Now()
	g.events.push(ev)
}

// eventQueue decouples the order path from the event consumer. It is
// bounded so a consumer that never returns cannot exhaust memory.
type eventQueue struct {
	fn    func(broker.OrderEvent)
	max   int
	log   *slog.Logger
	mu    sync.Mutex
	q     []broker.OrderEvent
	ready chan struct{}
}

func newEventQueue(fn func(broker.OrderEvent), max int, log *slog.Logger) *eventQueue {
	return &eventQueue{fn: fn, max: max, log: log, ready: make(chan struct{}, 1)}
}

func (q *eventQueue) push(ev broker.OrderEvent) {
	if q.fn == nil {
		return
	}
	q.mu.Lock()
	if len(q.q) >= q.max {
		q.mu.Unlock()
		q.log.Error("guard: event queue full, event dropped", "kind", ev.Kind, "client_id", ev.Request.ClientID,
			"order", ev.Order.ID, "err", ev.Err)
		return
	}
	q.q = append(q.q, ev)
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

func (q *eventQueue) pop() (broker.OrderEvent, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.q) == 0 {
		return broker.OrderEvent{}, false
	}
	ev := q.q[0]
	q.q[0] = broker.OrderEvent{}
	q.q = q.q[1:]
	return ev, true
}

func (q *eventQueue) run(ctx context.Context) {
	if q.fn == nil {
		return
	}
	for {
		for {
			ev, ok := q.pop()
			if !ok {
				break
			}
			q.fn(ev)
		}
		select {
		case <-ctx.Done():
			// Deliver what is left (a shutdown's last cancels and
			// reconciliations are worth telling); the consumer's own
			// context is expected to be ending too.
			for {
				ev, ok := q.pop()
				if !ok {
					return
				}
				q.fn(ev)
			}
		case <-q.ready:
		}
	}
}

// NormalizeOrderID is the wrapped broker's: the guard compares order
// numbers in the broker's own form, and so can anyone above it.
func (g *Guard) NormalizeOrderID(id string) string {
	return broker.NormalizeOrderID(g.inner, id)
}
