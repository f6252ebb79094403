package guard

import (
	"context"
	"errors"
	"runtime"
	"testing"

	"github.com/hoga-trade/hoga/broker"
)

// At a clean stop Drain refuses new orders and cancels (nothing sent)
// and returns only once the order at the broker is answered and
// journaled, so the tracker's final look at the list covers it; a Drain
// whose wait runs out says so.
func TestDrainWaitsForTheOrderInFlight(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	recorded, gate := make(chan struct{}), make(chan struct{})
	e.fb.then(step{do: accept, recorded: recorded, gate: gate})
	placed := make(chan broker.Order, 1)
	go func() {
		o, err := e.g.PlaceOrder(context.Background(), limitBuy(1, 70_000))
		if err != nil {
			t.Errorf("the order in flight: %v", err)
		}
		placed <- o
	}()
	<-recorded // at the broker now

	short, cancel := context.WithCancel(context.Background())
	cancel()
	if err := e.g.Drain(short); err == nil {
		t.Fatal("Drain returned while the order was still at the broker")
	}
	if _, err := e.g.PlaceOrder(context.Background(), limitBuy(1, 70_100)); !errors.Is(err, errClosed) {
		t.Fatalf("a new order while draining: %v", err)
	}
	if _, err := e.g.CancelOrder(context.Background(), broker.CancelRequest{OrderID: "1"}); !errors.Is(err, errClosed) {
		t.Fatalf("a cancel while draining: %v", err)
	}

	drained := make(chan error, 1)
	go func() { drained <- e.g.Drain(context.Background()) }()
	close(gate) // the broker answers
	if err := <-drained; err != nil {
		t.Fatal(err)
	}
	// The answer is journaled before the turn is let go: the tracker's
	// final look, which comes next, finds the order's number.
	rows, _ := e.db.OrdersOn(context.Background(), t0)
	if len(rows) != 1 || rows[0].State != broker.StatusAccepted || rows[0].BrokerID == "" {
		t.Fatalf("journal after Drain: %+v", rows)
	}
	<-placed
	if orders, _, _ := e.fb.snapshot(); len(orders) != 1 {
		t.Fatalf("%d orders reached the broker, want 1", len(orders))
	}
}

// An order (or a cancel) that queued behind the order in flight before
// the stop was asked for is refused when its turn comes, nothing sent: a
// stop lets the order at the broker finish, not the ones typed behind it.
func TestDrainRefusesWhatQueuedBehindTheOrderInFlight(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	recorded, gate := make(chan struct{}), make(chan struct{})
	e.fb.then(step{do: accept, recorded: recorded, gate: gate})
	first := make(chan error, 1)
	go func() {
		_, err := e.g.PlaceOrder(context.Background(), limitBuy(1, 70_000))
		first <- err
	}()
	<-recorded // at the broker now, holding the turn

	queued := make(chan error, 2)
	go func() {
		_, err := e.g.PlaceOrder(context.Background(), limitBuy(1, 70_100))
		queued <- err
	}()
	go func() {
		_, err := e.g.CancelOrder(context.Background(), broker.CancelRequest{OrderID: "1"})
		queued <- err
	}()
	for e.g.queued.Load() < 2 {
		runtime.Gosched() // both wait for the turn before the stop is asked for
	}
	drained := make(chan error, 1)
	go func() { drained <- e.g.Drain(context.Background()) }()
	for e.g.queued.Load() < 3 {
		runtime.Gosched() // the stop is asked for (Drain waits its turn too)
	}
	close(gate)
	if err := <-first; err != nil {
		t.Fatalf("the order in flight: %v", err)
	}
	if err := <-drained; err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := <-queued; !errors.Is(err, errClosed) {
			t.Fatalf("queued behind the order in flight, then a stop: %v; want refused, nothing sent", err)
		}
	}
	e.fb.mu.Lock()
	orders, cancels := len(e.fb.orders), len(e.fb.cancels)
	e.fb.mu.Unlock()
	if orders != 1 || cancels != 0 {
		t.Fatalf("%d orders and %d cancels reached the broker, want 1 and 0", orders, cancels)
	}
}
