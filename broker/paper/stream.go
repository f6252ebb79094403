package paper

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
)

// StreamOptions configures a Stream.
type StreamOptions struct {
	// OnTick receives every price change of a subscribed code, stamped
	// Received on Clock; it runs on the stream's goroutine and must not
	// block (a broker.TickBook's Put is right).
	OnTick func(broker.Tick)
	// OnUp is told once Run delivers (as kis.StreamOptions.OnUp is told
	// of an established session); must not block.
	OnUp func()
	// Clock stamps Received (hoga's clock, which may not be the
	// exchange's); nil is the wall clock.
	Clock clock.Clock
}

// Stream is the paper exchange's realtime trade feed with the shape of
// kis.Stream and kiwoom.Stream (Run, Subscribe, Unsubscribe, Streaming,
// Status), so hoga drives the paper broker's rules and exits from pushed
// ticks exactly as it does a real broker's (issue 15). Only subscribed
// codes are delivered, as a broker streams only what was registered. It
// has no connection to lose: it is up from NewStream until Run returns
// (ticks of the moments before Run starts wait for it).
type Stream struct {
	e    *Exchange
	o    StreamOptions
	clk  clock.Clock
	feed *broker.TickBook // the exchange's side: never blocks the walk
	stop func()           // ends the exchange's feed

	mu      sync.Mutex
	want    map[broker.Code]bool
	stopped bool // Run returned
	since   time.Time
	lastMsg time.Time
}

// NewStream returns a stream on e; nothing flows until Run.
func (e *Exchange) NewStream(o StreamOptions) *Stream {
	if o.OnTick == nil {
		o.OnTick = func(broker.Tick) {}
	}
	if o.OnUp == nil {
		o.OnUp = func() {}
	}
	clk := clock.Or(o.Clock)
	s := &Stream{e: e, o: o, clk: clk, feed: broker.NewTickBook(), want: map[broker.Code]bool{}, since: clk.Now()}
	s.stop = e.StreamTicks(s.feed)
	return s
}

// Run delivers the subscribed codes' price changes until ctx ends. The
// exchange puts into a coalescing book (StreamTicks), so a slow OnTick
// sees each code's latest price and never holds up the walk.
func (s *Stream) Run(ctx context.Context) error {
	defer func() {
		s.stop()
		s.mu.Lock()
		s.stopped, s.since = true, s.clk.Now()
		s.mu.Unlock()
	}()
	s.o.OnUp()
	for {
		ticks, err := s.feed.Next(ctx)
		if err != nil {
			return ctx.Err()
		}
		now := s.clk.Now()
		s.mu.Lock()
		s.lastMsg = now
		s.mu.Unlock()
		for _, t := range ticks {
			if !s.subscribed(t.Code) {
				continue
			}
			t.Received = now
			s.o.OnTick(t)
		}
	}
}

func (s *Stream) subscribed(code broker.Code) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.want[code]
}

// Subscribe asks for code's price changes. The paper exchange has no
// subscription limit.
func (s *Stream) Subscribe(code broker.Code) {
	s.mu.Lock()
	s.want[code] = true
	s.mu.Unlock()
}

// Unsubscribe drops code.
func (s *Stream) Unsubscribe(code broker.Code) {
	s.mu.Lock()
	delete(s.want, code)
	s.mu.Unlock()
}

// Streaming reports whether code's price changes arrive on the stream now:
// Run has not returned and code is subscribed. Others are polled.
func (s *Stream) Streaming(code broker.Code) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.stopped && s.want[code]
}

// Status reports the stream for /status.
func (s *Stream) Status() broker.StreamStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := broker.StreamStatus{Connected: !s.stopped, Since: s.since, LastMsg: s.lastMsg}
	for c := range s.want {
		st.Subscribed = append(st.Subscribed, c)
	}
	sort.Slice(st.Subscribed, func(i, j int) bool { return st.Subscribed[i] < st.Subscribed[j] })
	return st
}
