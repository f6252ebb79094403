package exits

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/broker/guard"
	"github.com/hoga-trade/hoga/broker/paper"
	"github.com/hoga-trade/hoga/clock"
)

// A trading Tuesday, 10:00 KST.
var t0 = time.Date(2026, 3, 10, 10, 0, 0, 0, broker.KST())

type events struct {
	mu  sync.Mutex
	evs []Event
}

func (e *events) add(ev Event) {
	e.mu.Lock()
	e.evs = append(e.evs, ev)
	e.mu.Unlock()
}

func (e *events) kinds() []EventKind {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []EventKind
	for _, ev := range e.evs {
		out = append(out, ev.Kind)
	}
	return out
}

func (e *events) last() Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.evs[len(e.evs)-1]
}

// world is the paper exchange behind the guard, as hoga runs them: the
// exits' sells take the checked, journaled path and fill on the
// simulated market.
type world struct {
	t     *testing.T
	ctx   context.Context
	clk   *clock.Fake
	ex    *paper.Exchange
	g     *guard.Guard
	store *MemSettings
	ev    *events
	book  *Book
}

func newWorld(t *testing.T) *world {
	t.Helper()
	return newWorldWith(t, func(o *guard.Options) { o.MaxOrderKRW = -1 })
}

// newWorldWith is newWorld with the guard's options changed by mod.
func newWorldWith(t *testing.T, mod func(*guard.Options)) *world {
	t.Helper()
	clk := clock.NewFake(t0)
	ex, err := paper.New(paper.Options{Clock: clk, Freeze: true, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ex.Close() })
	gopts := guard.Options{Broker: ex, Journal: brokertest.NewJournal(clk), Clock: clk}
	mod(&gopts)
	g, err := guard.New(gopts)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, ctx: context.Background(), clk: clk, ex: ex, g: g, store: NewMemSettings(), ev: &events{}}
	w.restart()
	return w
}

// restart builds a new Book on the same store, as a restart of hoga does.
func (w *world) restart() {
	w.t.Helper()
	b, err := New(Options{Broker: w.g, Store: w.store, Clock: w.clk, OnEvent: w.ev.add,
		Halted: func() bool { on, _, _ := w.g.Halted(); return on }})
	if err != nil {
		w.t.Fatal(err)
	}
	w.book = b
}

// buy makes a position of qty at price.
func (w *world) buy(qty, price int64) {
	w.t.Helper()
	w.price(price)
	if _, err := w.ex.PlaceOrder(w.ctx, broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Market, Qty: qty}); err != nil {
		w.t.Fatal(err)
	}
	if got := w.held(); got != qty {
		w.t.Fatalf("held %d after buying %d", got, qty)
	}
}

func (w *world) price(p int64) {
	w.t.Helper()
	if err := w.ex.SetPrice("005930", p); err != nil {
		w.t.Fatal(err)
	}
}

// at sets the price and runs one check.
func (w *world) at(p int64) {
	w.t.Helper()
	w.price(p)
	w.clk.Advance(time.Second)
	w.book.Check(w.ctx)
}

func (w *world) held() int64 {
	w.t.Helper()
	b, err := w.ex.Balance(w.ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	p, _ := b.Position("005930")
	return p.Qty
}

func (w *world) sells() []broker.Order {
	w.t.Helper()
	os, err := w.ex.OrdersToday(w.ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	var out []broker.Order
	for _, o := range os {
		if o.Side == broker.Sell {
			out = append(out, o)
		}
	}
	return out
}

func (w *world) put(kind Kind, level string) {
	w.t.Helper()
	x, err := ParseLevel(kind, level)
	if err != nil {
		w.t.Fatal(err)
	}
	x.Code = "005930"
	if err := w.book.Put(w.ctx, x, SourceChat); err != nil {
		w.t.Fatal(err)
	}
}

func TestStopSellsOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.buy(10, 70_000)
	w.put(Stop, "-5%") // level 66,500
	for _, p := range []int64{69_000, 67_000, 66_600} {
		w.at(p)
	}
	if n := len(w.sells()); n != 0 {
		t.Fatalf("%d sells above the stop", n)
	}
	w.at(66_500)
	for range 20 {
		w.at(66_000)
	}
	s := w.sells()
	if len(s) != 1 || s[0].Qty != 10 || s[0].Type != broker.Market || s[0].Status != broker.StatusFilled {
		t.Fatalf("sells %+v, want one market sell of 10", s)
	}
	if w.held() != 0 {
		t.Errorf("still holding %d", w.held())
	}
	if got := w.ev.kinds(); !slices.Equal(got, []EventKind{EventFired}) {
		t.Fatalf("events %v", got)
	}
	ev := w.ev.last()
	if ev.Price != 66_500 || ev.Level != 66_500 || ev.Avg != 70_000 || ev.OnRestart || ev.Order.ID == "" {
		t.Errorf("fired event %+v", ev)
	}
	ls, _ := w.book.List(w.ctx)
	if len(ls) != 1 || ls[0].Armed || ls[0].Off != OffFired || ls[0].OrderID != ev.Order.ID {
		t.Errorf("list %+v", ls)
	}
	// A restart after the sell does not sell again (nothing to sell, and
	// the exit is off).
	w.restart()
	w.at(60_000)
	if n := len(w.sells()); n != 1 {
		t.Fatalf("%d sells after restart", n)
	}
}

// TestStopSellsPastTheOrderCap: a stop on a 3,000,000-won position sells
// once under the default HOGA_MAX_ORDER_KRW of 1,000,000 (protective exit
// sells are exempt, issue 17), while a manual sell of the same size is
// still refused.
func TestStopSellsPastTheOrderCap(t *testing.T) {
	t.Parallel()
	w := newWorldWith(t, func(*guard.Options) {}) // the defaults: 1,000,000 won, 20 a day
	w.buy(50, 60_000)                             // 3,000,000 won
	manual := broker.OrderRequest{Code: "005930", Side: broker.Sell, Type: broker.Market, Qty: 50, Source: "telegram", User: "42"}
	if _, err := w.g.PlaceOrder(w.ctx, manual); broker.KindOf(err) != broker.LimitExceeded {
		t.Fatalf("manual sell of 50: %v, want LimitExceeded", err)
	}
	w.put(Stop, "-5%") // level 57,000
	w.at(58_000)
	for range 5 {
		w.at(56_900)
	}
	s := w.sells()
	if len(s) != 1 || s[0].Qty != 50 || s[0].Status != broker.StatusFilled {
		t.Fatalf("sells %+v, want one sell of 50", s)
	}
	if got := w.ev.kinds(); !slices.Equal(got, []EventKind{EventFired}) {
		t.Fatalf("events %v", got)
	}
	if w.held() != 0 {
		t.Errorf("still holding %d", w.held())
	}
	// The same-size manual sell is still refused with the shares back.
	w.buy(50, 60_000)
	if _, err := w.g.PlaceOrder(w.ctx, manual); broker.KindOf(err) != broker.LimitExceeded {
		t.Fatalf("manual sell after the stop: %v, want LimitExceeded", err)
	}
}

func TestStopFoundOnRestart(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.buy(10, 70_000)
	w.put(Stop, "-5%")
	w.at(68_000)
	// hoga is down while the price crosses, and restarts below the stop.
	w.price(65_000)
	w.restart()
	w.at(64_000)
	s := w.sells()
	if len(s) != 1 || s[0].Qty != 10 {
		t.Fatalf("sells %+v", s)
	}
	if ev := w.ev.last(); ev.Kind != EventFired || !ev.OnRestart || ev.Price != 64_000 {
		t.Fatalf("event %+v, want fired on restart", ev)
	}
	// Another restart: still once.
	w.restart()
	w.at(63_000)
	if n := len(w.sells()); n != 1 {
		t.Fatalf("%d sells", n)
	}
}

func TestTrailFollowsTheHigh(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.buy(10, 70_000)
	w.put(Trail, "3%")
	for _, p := range []int64{70_000, 72_000, 75_000, 73_000} {
		w.at(p)
	}
	// A restart keeps the high-water mark: 75,000 × 0.97 = 72,750, which
	// is off the 100-won tick: the level is 72,700.
	w.restart()
	w.at(72_800)
	if n := len(w.sells()); n != 0 {
		t.Fatalf("%d sells before the pullback", n)
	}
	ls, _ := w.book.List(w.ctx)
	if ls[0].High != 75_000 || ls[0].Level != 72_700 {
		t.Fatalf("status %+v", ls[0])
	}
	w.at(76_000) // a new high: 73,720, level 73,700
	w.at(73_800)
	if n := len(w.sells()); n != 0 {
		t.Fatalf("%d sells", n)
	}
	w.at(73_700)
	w.at(73_000)
	s := w.sells()
	if len(s) != 1 || s[0].Qty != 10 {
		t.Fatalf("sells %+v", s)
	}
	if ev := w.ev.last(); ev.Kind != EventFired || ev.High != 76_000 || ev.Level != 73_700 || ev.Price != 73_700 {
		t.Fatalf("event %+v", ev)
	}
}

func TestHaltPreventsStopAndTrail(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.buy(10, 70_000)
	w.put(Stop, "-5%")
	w.put(Trail, "2%")
	w.at(72_000)
	if err := w.g.Halt(w.ctx, "test"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []int64{70_000, 66_000, 60_000} {
		w.at(p)
	}
	if n := len(w.sells()); n != 0 {
		t.Fatalf("%d sells while halted", n)
	}
	if got := w.ev.kinds(); len(got) != 0 {
		t.Fatalf("events while halted: %v", got)
	}
	ls, _ := w.book.List(w.ctx)
	for _, s := range ls {
		if !s.Armed {
			t.Fatalf("disarmed while halted: %+v", s)
		}
	}
	if err := w.g.Resume(w.ctx, "test"); err != nil {
		t.Fatal(err)
	}
	w.at(60_000)
	w.at(60_000)
	if s := w.sells(); len(s) != 1 {
		t.Fatalf("sells after resume %+v", s)
	}
	// The stop told its reason; the trail went off with it.
	if ev := w.ev.last(); ev.Kind != EventFired || ev.Exit.Kind != Stop {
		t.Fatalf("event %+v", ev)
	}
	ls, _ = w.book.List(w.ctx)
	if ls[1].Kind != Trail || ls[1].Armed || ls[1].Off != OffSibling {
		t.Fatalf("trail %+v", ls[1])
	}
}

func TestPositionGoneTurnsOff(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.buy(10, 70_000)
	w.put(Take, "+10%")
	w.at(71_000)
	if _, err := w.ex.PlaceOrder(w.ctx, broker.OrderRequest{Code: "005930", Side: broker.Sell, Type: broker.Market, Qty: 10}); err != nil {
		t.Fatal(err)
	}
	w.clk.Advance(BalanceEvery) // the cached balance expires
	w.at(80_000)
	w.at(80_000)
	if got := w.ev.kinds(); !slices.Equal(got, []EventKind{EventOff}) {
		t.Fatalf("events %v", got)
	}
	if ev := w.ev.last(); ev.Reason != OffGone {
		t.Fatalf("event %+v", ev)
	}
	if n := len(w.sells()); n != 1 {
		t.Fatalf("%d sells: the exit sold a position that was gone", n)
	}
}

func TestPutRefusesNoHolding(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.price(70_000)
	err := w.book.Put(w.ctx, Exit{Code: "005930", Kind: Stop, BP: -500}, SourceChat)
	if broker.KindOf(err) != broker.NotFound {
		t.Fatalf("err %v", err)
	}
}

// newFake is a Book on the shared test broker (brokertest.Broker), for
// outcomes the paper exchange does not produce: 005930 quoted at 70,000,
// 10 shares held (all sellable) at 70,000, and a stop at -5 %.
func newFake(t *testing.T, opts Options) (*brokertest.Broker, *Book, *events) {
	t.Helper()
	f := brokertest.NewBroker("", nil)
	quoteAt(f, 70_000)
	sellable(f, 10)
	ev := &events{}
	opts.Broker, opts.OnEvent = f, ev.add
	if opts.Clock == nil {
		opts.Clock = clock.NewFake(t0)
	}
	b, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Put(context.Background(), Exit{Code: "005930", Kind: Stop, BP: -500}, SourceChat); err != nil {
		t.Fatal(err)
	}
	return f, b, ev
}

// quoteAt makes f quote 005930 at p.
func quoteAt(f *brokertest.Broker, p int64) {
	f.SetQuote(broker.Quote{Code: "005930", Name: "삼성전자", Price: p})
}

// sellable makes f hold 10 shares of 005930 at 70,000, n of them sellable
// (the rest held by an open sell).
func sellable(f *brokertest.Broker, n int64) {
	f.SetBalance(broker.Balance{Positions: []broker.Position{{Code: "005930", Qty: 10, Sellable: n, AvgPrice: 70_000}}})
}

func TestMarketableLimit(t *testing.T) {
	t.Parallel()
	f, b, _ := newFake(t, Options{Marketable: true})
	quoteAt(f, 66_000)
	b.Check(context.Background())
	// 66,000 − 1 % = 65,340, up to the 100-won grid: 65,400.
	want := broker.OrderRequest{Code: "005930", Side: broker.Sell, Type: broker.Limit, Qty: 10, Price: 65_400, Source: "strategy", User: "exit:005930:stop"}
	if placed := f.Placed(); len(placed) != 1 || placed[0] != want {
		t.Fatalf("orders %+v", f.Placed())
	}
}

func TestCommittedSharesAreNotSoldTwice(t *testing.T) {
	t.Parallel()
	f, b, ev := newFake(t, Options{})
	sellable(f, 0) // an open sell holds every share
	quoteAt(f, 60_000)
	for range 5 {
		b.Check(context.Background())
	}
	if f.Calls("place") != 0 {
		t.Fatalf("orders %+v", f.Placed())
	}
	if got := ev.kinds(); !slices.Equal(got, []EventKind{EventCommitted}) {
		t.Fatalf("events %v", got)
	}
	sellable(f, 4) // part of the open sell was cancelled
	b.Check(context.Background())
	if placed := f.Placed(); len(placed) != 1 || placed[0].Qty != 4 {
		t.Fatalf("orders %+v", f.Placed())
	}
}

func TestRefusedSellsRetryThenTurnOff(t *testing.T) {
	t.Parallel()
	f, b, ev := newFake(t, Options{})
	rej := &broker.Error{Kind: broker.Rejected, Msg: "no"}
	f.FailPlace(rej, rej, rej)
	quoteAt(f, 60_000)
	for range 5 {
		b.Check(context.Background())
	}
	if n := f.Calls("place"); n != 3 {
		t.Fatalf("%d attempts, want 3", n)
	}
	want := []EventKind{EventRefused, EventRefused, EventRefused, EventOff}
	if got := ev.kinds(); !slices.Equal(got, want) {
		t.Fatalf("events %v", got)
	}
}

func TestUnknownOutcomeIsNeverResent(t *testing.T) {
	t.Parallel()
	f, b, ev := newFake(t, Options{})
	f.FailPlace(&broker.Error{Kind: broker.UnknownOutcome, Msg: "timeout"})
	quoteAt(f, 60_000)
	for range 5 {
		b.Check(context.Background())
	}
	if n := f.Calls("place"); n != 1 {
		t.Fatalf("%d attempts", n)
	}
	if got := ev.kinds(); !slices.Equal(got, []EventKind{EventUnknown}) {
		t.Fatalf("events %v", got)
	}
}

func TestStateNotSavedMeansNoOrder(t *testing.T) {
	t.Parallel()
	store := NewMemSettings()
	f, b, ev := newFake(t, Options{Store: store})
	store.Fail = errors.New("disk full")
	quoteAt(f, 60_000)
	b.Check(context.Background())
	if f.Calls("place") != 0 {
		t.Fatalf("ordered without a durable disarm: %+v", f.Placed())
	}
	if got := ev.kinds(); !slices.Equal(got, []EventKind{EventRefused}) {
		t.Fatalf("events %v", got)
	}
}

func TestStreamPriceIsUsed(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(t0)
	tb := broker.NewTickBook()
	tb.SetStreaming(func(broker.Code) bool { return true })
	f, b, _ := newFake(t, Options{Ticks: tb, Clock: clk})
	quoteAt(f, 70_000) // the quote says fine; the stream says crossed
	tb.Put(broker.Tick{Code: "005930", Price: 66_000, Received: clk.Now()})
	b.Check(context.Background())
	if len(f.Placed()) != 1 {
		t.Fatalf("orders %+v", f.Placed())
	}
}

func TestMarketHours(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(time.Date(2026, 3, 10, 16, 0, 0, 0, broker.KST()))
	f, b, _ := newFake(t, Options{MarketHours: true, Clock: clk})
	quoteAt(f, 60_000)
	b.Check(context.Background())
	if f.Calls("place") != 0 {
		t.Fatalf("sold after the close: %+v", f.Placed())
	}
}

// stoppingBroker answers as a broker client does once its context is
// cancelled: every read fails with the context's error.
type stoppingBroker struct{ *brokertest.Broker }

func (s stoppingBroker) Quote(ctx context.Context, c broker.Code) (broker.Quote, error) {
	if err := ctx.Err(); err != nil {
		return broker.Quote{}, err
	}
	return s.Broker.Quote(ctx, c)
}

func (s stoppingBroker) Balance(ctx context.Context) (broker.Balance, error) {
	if err := ctx.Err(); err != nil {
		return broker.Balance{}, err
	}
	return s.Broker.Balance(ctx)
}

// A round cut short by hoga stopping is not a failure: a normal exit must
// not log "balance failed … context canceled" (TestPipedInputWithRulesFileExits
// caught it under load).
func TestStopMidRoundLogsNoWarning(t *testing.T) {
	var logs bytes.Buffer
	f := brokertest.NewBroker("", nil)
	quoteAt(f, 70_000)
	sellable(f, 10)
	clk := clock.NewFake(t0)
	b, err := New(Options{Broker: stoppingBroker{f}, Clock: clk,
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Put(context.Background(), Exit{Code: "005930", Kind: Stop, BP: -500}, SourceChat); err != nil {
		t.Fatal(err)
	}
	logs.Reset()
	clk.Advance(BalanceEvery) // the cached balance is old: the round asks for one
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	b.Check(ctx)
	if logs.Len() != 0 {
		t.Errorf("a stop mid-round logged:\n%s", logs.String())
	}
	if f.Calls("place") != 0 {
		t.Errorf("orders %v", f.Placed())
	}
}
