package broker_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// listBroker is a broker whose OrdersToday is held until the test lets it
// answer, counting the walks.
type listBroker struct {
	broker.Broker // nil: only OrdersToday is called
	mu            sync.Mutex
	walks         int
	started       chan struct{} // one per walk
	answer        chan struct{} // closed to let every walk answer
	cancelled     chan struct{} // a walk saw its context end
	orders        []broker.Order
}

func (b *listBroker) OrdersToday(ctx context.Context) ([]broker.Order, error) {
	b.mu.Lock()
	b.walks++
	b.mu.Unlock()
	b.started <- struct{}{}
	select {
	case <-b.answer:
		return b.orders, nil
	case <-ctx.Done():
		b.cancelled <- struct{}{}
		return nil, ctx.Err()
	}
}

func newListBroker() *listBroker {
	return &listBroker{started: make(chan struct{}, 8), answer: make(chan struct{}), cancelled: make(chan struct{}, 8),
		orders: []broker.Order{{ID: "1"}, {ID: "2"}}}
}

// Issue 20: the reconciler and the tracker each walked the broker's list
// (120 paged requests on Kiwoom with 120 orders today). Callers now share
// the walk under way, a caller that needs a later one gets its own, and a
// walk outlives a caller that gives up unless no one is left for it.
func TestSharedListSharesOneWalk(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 3, 3, 10, 0, 0, 0, broker.KST())
	clk := func() time.Time { return now }
	b := newListBroker()
	s := broker.NewSharedList(b, clk)
	joined := make(chan struct{}, 8)
	broker.OnJoin(s, func() { joined <- struct{}{} })

	type res struct {
		n       int
		started time.Time
		err     error
	}
	results := make(chan res, 4)
	ask := func(ctx context.Context, notBefore time.Time) {
		o, at, err := s.OrdersTodaySince(ctx, notBefore)
		results <- res{len(o), at, err}
	}
	go ask(ctx, time.Time{})
	<-b.started
	<-joined
	// A second caller, and one that gives up: the walk goes on.
	go ask(ctx, now)
	<-joined
	gone, leave := context.WithCancel(ctx)
	go ask(gone, time.Time{})
	<-joined
	leave()
	if r := <-results; r.err == nil {
		t.Fatalf("the caller that gave up got %+v", r)
	}
	close(b.answer)
	for range 2 {
		r := <-results
		if r.err != nil || r.n != 2 || !r.started.Equal(now) {
			t.Errorf("shared walk answered %+v; want 2 orders as of %v", r, now)
		}
	}
	if b.walks != 1 {
		t.Fatalf("%d walks for three callers at once, want 1", b.walks)
	}

	// A walk under way since before notBefore does not serve: a new one.
	b.answer = make(chan struct{})
	go ask(ctx, time.Time{})
	<-b.started
	<-joined
	later := now.Add(time.Second)
	now = later
	go ask(ctx, later)
	<-b.started
	<-joined
	close(b.answer)
	got := []time.Time{(<-results).started, (<-results).started}
	if b.walks != 3 || !(got[0].Equal(later) || got[1].Equal(later)) {
		t.Fatalf("walks %d, started %v; want a third walk started at %v", b.walks, got, later)
	}

	// Everyone gives up: the walk is cancelled.
	b.answer = make(chan struct{})
	gone, leave = context.WithCancel(ctx)
	go ask(gone, time.Time{})
	<-b.started
	<-joined
	leave()
	<-results
	<-b.cancelled
}
