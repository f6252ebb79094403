package strategy

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
)

// fakeBroker is a broker.Broker with settable prices and holdings. Orders
// are recorded, not filled, unless fill is set (then a buy adds to the
// holding and a sell takes from it, at once).
type fakeBroker struct {
	mu        sync.Mutex
	prices    map[broker.Code]int64
	positions map[broker.Code]broker.Position
	orders    []broker.OrderRequest
	quotes    map[broker.Code]int
	balances  int
	attempts  int // PlaceOrder calls, failed ones included
	fill      bool

	// placeErrs are returned by the next PlaceOrder calls, in turn.
	placeErrs []error
	quoteErr  map[broker.Code]error
	balErr    error
	// onPlace runs before an order is recorded (checks at order time).
	onPlace func(broker.OrderRequest)
	// quoteGate, when set, makes Quote wait for a value on it.
	quoteGate chan struct{}
	quoting   chan struct{} // signalled when a gated Quote starts
}

func newFakeBroker() *fakeBroker {
	return &fakeBroker{prices: map[broker.Code]int64{}, positions: map[broker.Code]broker.Position{},
		quotes: map[broker.Code]int{}, quoteErr: map[broker.Code]error{}}
}

var _ broker.Broker = (*fakeBroker)(nil)

func (b *fakeBroker) Name() string { return "fake" }

func (b *fakeBroker) setPrice(code broker.Code, p int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.prices[code] = p
}

func (b *fakeBroker) setHeld(code broker.Code, qty, sellable int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.positions[code] = broker.Position{Code: code, Qty: qty, Sellable: sellable}
}

func (b *fakeBroker) Quote(ctx context.Context, code broker.Code) (broker.Quote, error) {
	b.mu.Lock()
	gate, started := b.quoteGate, b.quoting
	b.mu.Unlock()
	if gate != nil {
		started <- struct{}{}
		select {
		case <-gate:
		case <-ctx.Done():
			return broker.Quote{}, ctx.Err()
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.quotes[code]++
	if err := b.quoteErr[code]; err != nil {
		return broker.Quote{}, err
	}
	p, ok := b.prices[code]
	if !ok {
		return broker.Quote{}, &broker.Error{Kind: broker.NotFound, Msg: fmt.Sprintf("no stock %s", code)}
	}
	return broker.Quote{Code: code, Name: "삼성전자", Price: p}, nil
}

func (b *fakeBroker) PlaceOrder(ctx context.Context, req broker.OrderRequest) (broker.Order, error) {
	if err := req.Validate(); err != nil {
		return broker.Order{}, err
	}
	b.mu.Lock()
	on := b.onPlace
	b.mu.Unlock()
	if on != nil {
		on(req)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.attempts++
	if len(b.placeErrs) > 0 {
		err := b.placeErrs[0]
		b.placeErrs = b.placeErrs[1:]
		if err != nil {
			return broker.Order{}, err
		}
	}
	b.orders = append(b.orders, req)
	if b.fill {
		p := b.positions[req.Code]
		p.Code = req.Code
		if req.Side == broker.Buy {
			p.Qty += req.Qty
			p.Sellable += req.Qty
		} else {
			p.Qty -= req.Qty
			p.Sellable -= req.Qty
		}
		b.positions[req.Code] = p
	}
	return broker.Order{ID: fmt.Sprintf("%07d", len(b.orders)), Code: req.Code, Side: req.Side, Type: req.Type,
		Qty: req.Qty, Price: req.Price, Status: broker.StatusAccepted}, nil
}

func (b *fakeBroker) CancelOrder(ctx context.Context, req broker.CancelRequest) (broker.Order, error) {
	return broker.Order{}, &broker.Error{Kind: broker.NotFound, Msg: "no such order"}
}

func (b *fakeBroker) OrdersToday(ctx context.Context) ([]broker.Order, error) { return nil, nil }

func (b *fakeBroker) Balance(ctx context.Context) (broker.Balance, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.balances++
	if b.balErr != nil {
		return broker.Balance{}, b.balErr
	}
	var bal broker.Balance
	for _, p := range b.positions {
		bal.Positions = append(bal.Positions, p)
	}
	return bal, nil
}

func (b *fakeBroker) orderList() []broker.OrderRequest {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]broker.OrderRequest(nil), b.orders...)
}

func (b *fakeBroker) quoteCount(code broker.Code) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.quotes[code]
}

func (b *fakeBroker) attemptCount() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.attempts
}

func (b *fakeBroker) failNext(errs ...error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.placeErrs = append(b.placeErrs, errs...)
}

func (b *fakeBroker) balanceCount() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.balances
}

// events collects the engine's events.
type events struct {
	mu  sync.Mutex
	evs []Event
}

func (e *events) add(ev Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.evs = append(e.evs, ev)
}

func (e *events) kinds() []EventKind {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]EventKind, len(e.evs))
	for i, ev := range e.evs {
		out[i] = ev.Kind
	}
	return out
}

func (e *events) count(k EventKind) int {
	n := 0
	for _, got := range e.kinds() {
		if got == k {
			n++
		}
	}
	return n
}

// reasons lists the Reason of every event of kind k, in order.
func (e *events) reasons(k EventKind) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, ev := range e.evs {
		if ev.Kind == k {
			out = append(out, ev.Reason)
		}
	}
	return out
}

func (e *events) last() Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.evs) == 0 {
		return Event{}
	}
	return e.evs[len(e.evs)-1]
}

// harness is an engine on a fake broker and a fake clock.
type harness struct {
	t     *testing.T
	b     *fakeBroker
	clk   *clock.Fake
	ev    *events
	e     *Engine
	halt  *haltFlag
	store StateStore
	done  chan struct{} // closed when Run returns
}

type haltFlag struct {
	mu sync.Mutex
	on bool
}

func (h *haltFlag) set(on bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.on = on
}

func (h *haltFlag) get() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.on
}

// newHarness builds an engine; change adjusts the options first.
func newHarness(t *testing.T, rules []Rule, change func(*Options)) *harness {
	t.Helper()
	h := &harness{t: t, b: newFakeBroker(), clk: clock.NewFake(t0), ev: &events{}, halt: &haltFlag{}}
	h.b.setPrice("005930", 70_000)
	opts := Options{Broker: h.b, Rules: rules, Clock: h.clk, OnEvent: h.ev.add, Halted: h.halt.get, Store: NewMemStore()}
	if change != nil {
		change(&opts)
	}
	h.store = opts.Store
	if fc, ok := opts.Clock.(*clock.Fake); ok {
		h.clk = fc
	}
	e, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.e = e
	return h
}

// round runs one evaluation directly, without the loop.
func (h *harness) round() { h.e.round(context.Background()) }

// at sets the price and runs a round.
func (h *harness) at(price int64) {
	h.b.setPrice("005930", price)
	h.round()
}

// start runs the loop until the test ends; the first round has run when
// it returns.
func (h *harness) start() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		defer close(done)
		errc <- h.e.Run(ctx)
	}()
	h.t.Cleanup(func() {
		cancel()
		<-done
		if err := <-errc; err != nil {
			h.t.Errorf("Run: %v", err)
		}
	})
	h.done = done
	h.wait()
}

// wait blocks until the loop is waiting for its next round.
func (h *harness) wait() {
	if !h.clk.BlockUntil(1, h.done) {
		h.t.Fatal("engine stopped")
	}
}

// tick advances the clock by d and waits for the round (if any) to finish.
func (h *harness) tick(d time.Duration) {
	h.clk.Advance(d)
	h.wait()
}

func (h *harness) status(code broker.Code) RuleStatus {
	h.t.Helper()
	list, err := h.e.Rules(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	for _, rs := range list {
		if rs.Code == code {
			return rs
		}
	}
	h.t.Fatalf("no rule for %s", code)
	return RuleStatus{}
}

func (h *harness) wantOrders(n int) []broker.OrderRequest {
	h.t.Helper()
	got := h.b.orderList()
	if len(got) != n {
		h.t.Fatalf("%d orders, want %d: %+v (events %v)", len(got), n, got, h.ev.kinds())
	}
	return got
}
