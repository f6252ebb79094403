package strategy

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/clock"
)

// fakeBroker is the shared test broker (brokertest.Broker: prices,
// holdings, per-code quote counts, scripted failures, holdings moved on
// fills with MoveHoldings) with what only these tests need: the stock's
// name on every quote, orders checked as a broker checks them, a hook at
// order time and a gate that holds quotes.
type fakeBroker struct {
	*brokertest.Broker
	// onPlace runs before an order is recorded (checks at order time).
	onPlace func(broker.OrderRequest)

	mu sync.Mutex
	// quoteGate, when set, makes Quote wait for a value on it.
	quoteGate chan struct{}
	quoting   chan struct{} // signalled when a gated Quote starts
}

func newFakeBroker() *fakeBroker {
	b := &fakeBroker{Broker: brokertest.NewBroker("fake", nil)}
	b.OnPlace(func(_ context.Context, req broker.OrderRequest) error {
		if err := req.Validate(); err != nil {
			return err
		}
		if b.onPlace != nil {
			b.onPlace(req)
		}
		return nil
	})
	b.OnQuote(func(ctx context.Context, _ broker.Code) error {
		b.mu.Lock()
		gate, started := b.quoteGate, b.quoting
		b.mu.Unlock()
		if gate == nil {
			return nil
		}
		started <- struct{}{}
		select {
		case <-gate:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	return b
}

func (b *fakeBroker) setPrice(code broker.Code, p int64) {
	b.SetQuote(broker.Quote{Code: code, Name: "삼성전자", Price: p})
}

func (b *fakeBroker) setHeld(code broker.Code, qty, sellable int64) {
	b.SetPosition(broker.Position{Code: code, Qty: qty, Sellable: sellable})
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
	got := h.b.Placed()
	if len(got) != n {
		h.t.Fatalf("%d orders, want %d: %+v (events %v)", len(got), n, got, h.ev.kinds())
	}
	return got
}
