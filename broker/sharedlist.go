package broker

import (
	"context"
	"sync"
	"time"
)

// SharedList lets the parts that read today's order list in the
// background — the guard's reconciliation and the order tracker — share one
// walk of it: a call made while a walk is under way waits for that walk
// instead of starting its own (issue 20). On Kiwoom a day of 120 orders is
// 120 paged requests at 4 a second per list; after a restart the
// reconciler and the tracker each walked it, side by side in the same rate
// limit, so every row took two walks' time to settle and the lists two
// walks' budget.
//
// A walk belongs to its callers: it runs on its own goroutine under a
// context no single caller can cancel, and it is cancelled when every
// caller waiting for it has given up. Every other method is b's.
type SharedList struct {
	Broker
	now func() time.Time

	mu  sync.Mutex
	cur *walk // the walk under way; nil when none
	// joined, when set (tests), is told each time a caller starts waiting.
	joined func()
}

// walk is one call of the wrapped broker's OrdersToday.
type walk struct {
	started time.Time
	done    chan struct{}
	orders  []Order
	err     error
	waiters int
	cancel  context.CancelFunc
}

// NewSharedList wraps b; now is the clock the callers read (a walk's start
// is on it), nil the wall clock.
func NewSharedList(b Broker, now func() time.Time) *SharedList {
	if now == nil {
		now = time.Now
	}
	return &SharedList{Broker: b, now: now}
}

// OrdersToday returns the list of the walk under way, or of a new one.
func (s *SharedList) OrdersToday(ctx context.Context) ([]Order, error) {
	orders, _, err := s.OrdersTodaySince(ctx, time.Time{})
	return orders, err
}

// OrdersTodaySince returns a list whose walk started at notBefore or later —
// the walk under way if it did, else a new one — and when that walk
// started: the list shows nothing the broker took after it, so a caller
// matching its own records against it takes it as of then.
func (s *SharedList) OrdersTodaySince(ctx context.Context, notBefore time.Time) ([]Order, time.Time, error) {
	s.mu.Lock()
	w := s.cur
	if w == nil || w.started.Before(notBefore) {
		wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		w = &walk{started: s.now(), done: make(chan struct{}), cancel: cancel}
		s.cur = w
		go s.run(wctx, w)
	}
	w.waiters++
	s.mu.Unlock()
	if s.joined != nil {
		s.joined()
	}
	select {
	case <-w.done:
		return append([]Order(nil), w.orders...), w.started, w.err
	case <-ctx.Done():
		s.mu.Lock()
		w.waiters--
		if w.waiters == 0 {
			w.cancel() // no one is left to read it
			if s.cur == w {
				s.cur = nil
			}
		}
		s.mu.Unlock()
		return nil, time.Time{}, ctx.Err()
	}
}

func (s *SharedList) run(ctx context.Context, w *walk) {
	orders, err := s.Broker.OrdersToday(ctx)
	s.mu.Lock()
	w.orders, w.err = orders, err
	if s.cur == w {
		s.cur = nil
	}
	s.mu.Unlock()
	w.cancel()
	close(w.done)
}

// NormalizeOrderID is the wrapped broker's.
func (s *SharedList) NormalizeOrderID(id string) string { return NormalizeOrderID(s.Broker, id) }
