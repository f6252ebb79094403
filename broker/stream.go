package broker

import (
	"context"
	"sync"
	"time"
)

// Tick is one trade seen on a broker's realtime feed (or the paper
// exchange's simulation). Received is when hoga read the frame, for the
// tick→decision latency.
type Tick struct {
	Code     Code
	Price    int64
	Volume   int64
	Time     time.Time // the exchange's trade time when the feed gives it
	Received time.Time
}

// StreamStatus is what /status shows of a realtime stream.
type StreamStatus struct {
	Connected  bool
	Since      time.Time // connected since, or lost since
	LastMsg    time.Time // last frame of any kind
	Subscribed []Code    // codes streamed
	Polled     []Code    // codes past the broker's subscription limit
	// Pending are codes wanted and within the limit but not streamed
	// yet: the subscription is about to be sent, is asked again after the
	// broker's passing refusal, or waits for the connection. /status says
	// so, rather than counting them as streamed or past the limit.
	Pending    []Code
	Reconnects int64
	// Retry is when a down stream tries to connect again; zero while it
	// is connected or trying.
	Retry time.Time
}

// TickBook keeps the last tick per code and wakes one reader. Writers
// (the socket's read loop) never block: a slow reader sees only the latest
// price of each code, which is all a threshold rule needs.
type TickBook struct {
	mu    sync.Mutex
	last  map[Code]Tick
	dirty map[Code]struct{}
	wake  chan struct{}

	streaming func(Code) bool
}

// NewTickBook returns an empty book.
func NewTickBook() *TickBook {
	return &TickBook{last: map[Code]Tick{}, dirty: map[Code]struct{}{}, wake: make(chan struct{}, 1)}
}

// Put records a tick and wakes the reader; it never blocks.
func (b *TickBook) Put(t Tick) {
	b.mu.Lock()
	b.last[t.Code] = t
	b.dirty[t.Code] = struct{}{}
	b.mu.Unlock()
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// Last is the latest tick of code, if any.
func (b *TickBook) Last(code Code) (Tick, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	t, ok := b.last[code]
	return t, ok
}

// Next waits until at least one code has a new tick and returns the latest
// tick of each code updated since the previous call.
func (b *TickBook) Next(ctx context.Context) ([]Tick, error) {
	for {
		b.mu.Lock()
		if len(b.dirty) > 0 {
			out := make([]Tick, 0, len(b.dirty))
			for c := range b.dirty {
				out = append(out, b.last[c])
				delete(b.dirty, c)
			}
			b.mu.Unlock()
			return out, nil
		}
		b.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-b.wake:
		}
	}
}

// Drain returns the latest tick of each code updated since the previous
// call, without waiting (nil when none).
func (b *TickBook) Drain() []Tick {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.dirty) == 0 {
		return nil
	}
	out := make([]Tick, 0, len(b.dirty))
	for c := range b.dirty {
		out = append(out, b.last[c])
		delete(b.dirty, c)
	}
	return out
}

// SetStreaming sets the function Streaming asks (the stream's view of
// which codes it carries now); nil means none.
func (b *TickBook) SetStreaming(f func(Code) bool) {
	b.mu.Lock()
	b.streaming = f
	b.mu.Unlock()
}

// Streaming reports whether code's trades arrive through this book now.
func (b *TickBook) Streaming(code Code) bool {
	b.mu.Lock()
	f := b.streaming
	b.mu.Unlock()
	return f != nil && f(code)
}

// Wake returns the channel that receives when ticks are waiting, for a
// reader that selects on other things too; call Next after it fires.
func (b *TickBook) Wake() <-chan struct{} { return b.wake }

// Silence decides when a realtime session that says nothing is dead: no
// frame (trade, notice, keep-alive) for Limit of active time. Silence
// while Active is false (the market closed: night, a weekend, a holiday)
// does not count, and is timed from when Active turns true again, so a
// quiet night never replaces a session or tells the owner it is lost.
// One per session, used from one goroutine.
type Silence struct {
	Limit time.Duration
	// Active says when silence counts; nil is always.
	Active func(time.Time) bool

	quietFrom time.Time // the last moment Active was false
}

// Exceeded reports whether the session, last heard at lastMsg, has been
// silent too long at now. Call it regularly (a watchdog tick): it also
// notes the inactive moments.
func (s *Silence) Exceeded(now, lastMsg time.Time) bool {
	if s.Active != nil && !s.Active(now) {
		s.quietFrom = now
		return false
	}
	from := lastMsg
	if s.quietFrom.After(from) {
		from = s.quietFrom
	}
	return now.Sub(from) >= s.Limit
}

// TickLimits checks realtime trades against each code's price limits for
// the day, as Quote.Plausible checks quotes (issue 21, item 6): a trade at
// ≤ 0 won or outside the day's limits cannot have happened, so it must
// never reach a rule. The limits come from a quote of the same KST day
// (Set); a code without them has only the ≤ 0 check. Safe for concurrent
// use.
type TickLimits struct {
	mu     sync.Mutex
	limits map[Code]dayLimits
	streak map[Code]int
}

type dayLimits struct {
	day    string
	lo, hi int64
}

// NewTickLimits returns a checker that knows no limits yet.
func NewTickLimits() *TickLimits {
	return &TickLimits{limits: map[Code]dayLimits{}, streak: map[Code]int{}}
}

func kstDay(t time.Time) string { return t.In(kst).Format(time.DateOnly) }

// Set records q's limits as those of at's KST day. A quote without both
// limits, or with them upside down, records nothing.
func (l *TickLimits) Set(q Quote, at time.Time) {
	if q.LowerLimit <= 0 || q.UpperLimit < q.LowerLimit {
		return
	}
	l.mu.Lock()
	l.limits[q.Code] = dayLimits{day: kstDay(at), lo: q.LowerLimit, hi: q.UpperLimit}
	l.mu.Unlock()
}

// Known reports whether code's limits for at's KST day are recorded.
func (l *TickLimits) Known(code Code, at time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.limits[code].day == kstDay(at)
}

// Check returns nil for a possible trade, and otherwise the Unreadable
// error Quote.Plausible gives (its ImplausibleQuote carries the limits)
// and how many impossible trades of the code came in a row, this one
// included. A possible trade ends the streak.
func (l *TickLimits) Check(t Tick, at time.Time) (streak int, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	q := Quote{Code: t.Code, Price: t.Price}
	if lim := l.limits[t.Code]; lim.day == kstDay(at) {
		q.LowerLimit, q.UpperLimit = lim.lo, lim.hi
	}
	if err := q.Plausible(); err != nil {
		l.streak[t.Code]++
		return l.streak[t.Code], err
	}
	delete(l.streak, t.Code)
	return 0, nil
}
