package paper

import (
	"strconv"
	"sync"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/internal/market"
)

// EventKind says what happened to an order.
type EventKind string

// Event kinds.
const (
	EventFill   EventKind = "fill"   // Qty shares traded at Price (Order.Status partial or filled)
	EventCancel EventKind = "cancel" // cancelled on request
	EventExpire EventKind = "expire" // a day order still open at its close lapsed
)

// Event is one change to an order on the paper exchange, pushed to
// subscribers the moment it happens, so an order tracker learns of a fill
// without polling OrdersToday.
type Event struct {
	Kind  EventKind
	Time  time.Time    // when it happened on the exchange's clock
	Order broker.Order // the order after the change (FilledQty, AvgFillPrice, Status)
	// Qty is this fill's quantity (or the quantity cancelled or lapsed),
	// Price this fill's price.
	Qty, Price int64
	// Commission and Tax are charged on this fill.
	Commission, Tax int64
	// ExecID identifies the fill, unique on this exchange: a tracker that
	// also polls can store a fill once.
	ExecID string
}

// Subscribe calls fn with every order event from now on, in the order
// they happened, on a goroutine of its own: fn may call the exchange, and
// a slow fn never holds up trading (events queue for it, unbounded). The
// returned stop ends the subscription; fn may run once more while it
// returns. Close ends every subscription after delivering what is queued.
//
// This is the push half of order tracking for the paper broker: a fill
// caused by the walk an hour after the order was placed reaches fn within
// the exchange's tick.
func (e *Exchange) Subscribe(fn func(Event)) (stop func()) {
	s := &subscriber{fn: fn, wake: make(chan struct{}, 1), quit: make(chan struct{})}
	e.mu.Lock()
	e.subs.fills = append(e.subs.fills, s)
	e.mu.Unlock()
	go s.run()
	var once sync.Once
	return func() {
		once.Do(func() {
			e.mu.Lock()
			for i, x := range e.subs.fills {
				if x == s {
					e.subs.fills = append(e.subs.fills[:i], e.subs.fills[i+1:]...)
					break
				}
			}
			e.mu.Unlock()
			close(s.quit)
		})
	}
}

// SubscribeNow is Subscribe for a listener that must hear of a fill before
// the call that caused it returns (an order tracker: a market order's fill
// is then queued before PlaceOrder answers, and a session that stops right
// after the answer still records it). fn runs synchronously, under the
// exchange's lock: it must return at once and must not call the exchange
// (a channel send that never waits, as tracker.Notify does). The returned
// stop ends the subscription.
func (e *Exchange) SubscribeNow(fn func(Event)) (stop func()) {
	s := &syncSub{fn: fn}
	e.mu.Lock()
	e.subs.now = append(e.subs.now, s)
	e.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			e.mu.Lock()
			defer e.mu.Unlock()
			for i, x := range e.subs.now {
				if x == s {
					e.subs.now = append(e.subs.now[:i], e.subs.now[i+1:]...)
					break
				}
			}
		})
	}
}

// syncSub is one SubscribeNow.
type syncSub struct{ fn func(Event) }

// StreamTicks puts every price change of the walk (and of SetPrice) into
// book as a broker.Tick, as a broker's realtime trade feed would, until
// the returned stop is called. The paper broker's strategy can then read
// a TickBook exactly as it does with KIS or Kiwoom streaming.
func (e *Exchange) StreamTicks(book *broker.TickBook) (stop func()) {
	e.mu.Lock()
	e.subs.ticks = append(e.subs.ticks, book)
	e.m.PriceEvents = true
	e.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			e.mu.Lock()
			defer e.mu.Unlock()
			for i, b := range e.subs.ticks {
				if b == book {
					e.subs.ticks = append(e.subs.ticks[:i], e.subs.ticks[i+1:]...)
					break
				}
			}
			e.m.PriceEvents = len(e.subs.ticks) > 0
		})
	}
}

// subscribers are the exchange's listeners, guarded by e.mu.
type subscribers struct {
	fills []*subscriber
	now   []*syncSub
	ticks []*broker.TickBook
}

// onEvent is the market's event hook, called under e.mu.
func (e *Exchange) onEvent(ev market.Event) {
	if ev.Kind == market.EventPrice {
		for _, b := range e.subs.ticks { // Put never blocks
			b.Put(broker.Tick{Code: ev.Code, Price: ev.Price, Volume: ev.Volume, Time: ev.Time, Received: ev.Time})
		}
		return
	}
	if len(e.subs.fills) == 0 && len(e.subs.now) == 0 {
		return
	}
	out := Event{Time: ev.Time, Order: ev.Order.Order, Qty: ev.Qty, Price: ev.Price, Commission: ev.Commission, Tax: ev.Tax}
	switch ev.Kind {
	case market.EventFill:
		out.Kind = EventFill
		out.ExecID = ev.Order.ID + "-" + strconv.FormatInt(ev.Order.FilledQty, 10)
	case market.EventCancel:
		out.Kind = EventCancel
	case market.EventExpire:
		out.Kind = EventExpire
	default:
		return
	}
	for _, s := range e.subs.now {
		s.fn(out)
	}
	for _, s := range e.subs.fills {
		s.push(out)
	}
}

// closeAll ends every subscription once what is queued is delivered.
func (s *subscribers) closeAll(mu *sync.Mutex) {
	mu.Lock()
	fills := s.fills
	s.fills, s.now, s.ticks = nil, nil, nil
	mu.Unlock()
	for _, x := range fills {
		x.finish()
	}
}

// subscriber is one Subscribe: an unbounded queue and the goroutine that
// empties it into fn.
type subscriber struct {
	fn   func(Event)
	mu   sync.Mutex
	q    []Event
	done bool // deliver what is queued, then stop
	wake chan struct{}
	quit chan struct{} // stop now
}

func (s *subscriber) push(ev Event) {
	s.mu.Lock()
	s.q = append(s.q, ev)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *subscriber) finish() {
	s.mu.Lock()
	s.done = true
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *subscriber) run() {
	for {
		s.mu.Lock()
		q, done := s.q, s.done
		s.q = nil
		s.mu.Unlock()
		for _, ev := range q {
			select {
			case <-s.quit:
				return
			default:
			}
			s.fn(ev)
		}
		if done && len(q) == 0 {
			return
		}
		if len(q) > 0 {
			continue
		}
		select {
		case <-s.quit:
			return
		case <-s.wake:
		}
	}
}
