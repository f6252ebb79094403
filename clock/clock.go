// Package clock lets time be injected, so that token expiry, market hours,
// cooldowns and throttles are tested without sleeping.
package clock

import (
	"context"
	"sort"
	"sync"
	"time"
)

// Clock is the part of the time package hoga's schedules use.
type Clock interface {
	Now() time.Time
	// After sends the time on the channel once d has passed.
	After(d time.Duration) <-chan time.Time
	// Until's timer sends the time on its channel once the clock reads t
	// or later, at once if it already does. Code that computed a deadline
	// arms its timer with Until, not After(t.Sub(Now())): with After, a
	// clock that moved between the Now and the After (a test stepping a
	// fake clock while the machine is busy) leaves the timer a full step
	// past its deadline, and the step meant to fire it does not.
	//
	// A loop that leaves a wait early (woken by something else) stops the
	// timer it abandons: a Fake counts a pending timer as a waiter until
	// it fires or is stopped, and a test's BlockUntil must not take an
	// abandoned timer for the loop's next wait.
	Until(t time.Time) Timer
	// NewTicker ticks every d until stopped.
	NewTicker(d time.Duration) Ticker
}

// Ticker is a stoppable periodic channel, like *time.Ticker.
type Ticker interface {
	C() <-chan time.Time
	Stop()
}

// Timer is a stoppable one-shot channel, like *time.Timer.
type Timer interface {
	C() <-chan time.Time
	// Stop keeps the timer from firing if it has not yet.
	Stop()
}

// Real is the wall clock.
type Real struct{}

// Now returns time.Now().
func (Real) Now() time.Time { return time.Now() }

// After is time.After.
func (Real) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Until is time.NewTimer(time.Until(t)); t read from time.Now carries
// the monotonic clock, so a wall-clock step does not move it.
func (Real) Until(t time.Time) Timer { return realTimer{time.NewTimer(time.Until(t))} }

type realTimer struct{ t *time.Timer }

func (r realTimer) C() <-chan time.Time { return r.t.C }
func (r realTimer) Stop()               { r.t.Stop() }

// NewTicker wraps time.NewTicker.
func (Real) NewTicker(d time.Duration) Ticker { return realTicker{time.NewTicker(d)} }

type realTicker struct{ t *time.Ticker }

func (r realTicker) C() <-chan time.Time { return r.t.C }
func (r realTicker) Stop()               { r.t.Stop() }

// Or returns c, or the real clock when c is nil, so options structs can
// leave the clock unset.
func Or(c Clock) Clock {
	if c == nil {
		return Real{}
	}
	return c
}

// Fake is a manual clock for tests. Time moves only when Advance or Set is
// called; waiters whose deadline has passed fire then. Safe for concurrent
// use.
type Fake struct {
	mu      sync.Mutex
	now     time.Time
	waiters []*waiter
	changed chan struct{} // closed and replaced whenever a waiter is added
}

type waiter struct {
	at     time.Time
	ch     chan time.Time
	period time.Duration // > 0 for tickers
	done   bool
}

// NewFake returns a fake clock set to t.
func NewFake(t time.Time) *Fake {
	return &Fake{now: t, changed: make(chan struct{})}
}

// Now returns the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// After fires when the fake time reaches now+d.
func (f *Fake) After(d time.Duration) <-chan time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	w := &waiter{at: f.now.Add(d), ch: make(chan time.Time, 1)}
	if d <= 0 {
		w.ch <- f.now
		return w.ch
	}
	f.addLocked(w)
	return w.ch
}

// Until fires when the fake time reaches t; at once, with the fake time,
// when it already has. The deadline is t itself, whatever Advance did
// since the caller computed it.
func (f *Fake) Until(t time.Time) Timer {
	f.mu.Lock()
	defer f.mu.Unlock()
	w := &waiter{at: t, ch: make(chan time.Time, 1)}
	if !t.After(f.now) {
		w.ch <- f.now
		w.done = true
		return &fakeTimer{f: f, w: w}
	}
	f.addLocked(w)
	return &fakeTimer{f: f, w: w}
}

// NewTicker ticks each time the fake time passes another period. Like
// time.Ticker it drops ticks a slow reader misses.
func (f *Fake) NewTicker(d time.Duration) Ticker {
	if d <= 0 {
		panic("clock: non-positive ticker period")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	w := &waiter{at: f.now.Add(d), ch: make(chan time.Time, 1), period: d}
	f.addLocked(w)
	return &fakeTicker{f: f, w: w}
}

func (f *Fake) addLocked(w *waiter) {
	f.waiters = append(f.waiters, w)
	close(f.changed)
	f.changed = make(chan struct{})
}

// Advance moves the time forward by d and fires every waiter that is due,
// in deadline order.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	t := f.now.Add(d)
	f.mu.Unlock()
	f.Set(t)
}

// Set moves the time to t (never backwards) and fires due waiters.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if t.Before(f.now) {
		return
	}
	f.now = t
	sort.SliceStable(f.waiters, func(i, j int) bool { return f.waiters[i].at.Before(f.waiters[j].at) })
	kept := f.waiters[:0]
	for _, w := range f.waiters {
		if w.done {
			continue
		}
		if w.at.After(t) {
			kept = append(kept, w)
			continue
		}
		select {
		case w.ch <- w.at:
		default: // a ticker whose reader is behind: drop, like time.Ticker
		}
		if w.period > 0 {
			for !w.at.After(t) {
				w.at = w.at.Add(w.period)
			}
			kept = append(kept, w)
		}
	}
	f.waiters = kept
}

// Waiters returns how many timers and tickers are pending.
func (f *Fake) Waiters() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, w := range f.waiters {
		if !w.done {
			n++
		}
	}
	return n
}

// BlockUntil waits until at least n timers or tickers are pending, so a
// test can advance the clock only after the code under test is waiting on
// it. It returns false if done is closed first.
func (f *Fake) BlockUntil(n int, done <-chan struct{}) bool {
	for {
		f.mu.Lock()
		count := 0
		for _, w := range f.waiters {
			if !w.done {
				count++
			}
		}
		ch := f.changed
		f.mu.Unlock()
		if count >= n {
			return true
		}
		select {
		case <-ch:
		case <-done:
			return false
		}
	}
}

// fakeTimer is Until's timer; Stop takes it out of the waiters.
type fakeTimer struct {
	f *Fake
	w *waiter
}

func (t *fakeTimer) C() <-chan time.Time { return t.w.ch }

func (t *fakeTimer) Stop() {
	t.f.mu.Lock()
	defer t.f.mu.Unlock()
	t.w.done = true
}

type fakeTicker struct {
	f *Fake
	w *waiter
}

func (t *fakeTicker) C() <-chan time.Time { return t.w.ch }

func (t *fakeTicker) Stop() {
	t.f.mu.Lock()
	defer t.f.mu.Unlock()
	t.w.done = true
}

// Offset returns c (nil: the real clock) shifted by d: Now is c's plus d;
// waits and tickers are c's, since a duration is the same on both, and
// Until(t) is c's Until(t−d), the same instant on c. Test
// fakes use it to run a broker whose clock is off from the host's.
func Offset(c Clock, d time.Duration) Clock {
	c = Or(c)
	if d == 0 {
		return c
	}
	return offset{c, d}
}

type offset struct {
	c Clock
	d time.Duration
}

func (o offset) Now() time.Time                         { return o.c.Now().Add(o.d) }
func (o offset) After(d time.Duration) <-chan time.Time { return o.c.After(d) }
func (o offset) Until(t time.Time) Timer                { return o.c.Until(t.Add(-o.d)) }
func (o offset) NewTicker(d time.Duration) Ticker       { return o.c.NewTicker(d) }

// WithTimeout is context.WithTimeout with d measured on c. On the wall
// clock (nil or Real) it is context.WithTimeout itself. On another clock (a
// test's Fake) the context is cancelled with the cause
// context.DeadlineExceeded once c says d has passed, so a test decides the
// moment a request times out (after the broker took the order, say)
// instead of racing a wall-clock timer against a busy machine. Its Err is
// then context.Canceled, as only the standard library makes a deadline
// Err: ask context.Cause whether it timed out.
func WithTimeout(parent context.Context, c Clock, d time.Duration) (context.Context, context.CancelFunc) {
	if _, wall := Or(c).(Real); wall {
		return context.WithTimeout(parent, d)
	}
	ctx, cancel := context.WithCancelCause(parent)
	fire := c.After(d)
	go func() {
		select {
		case <-fire:
			cancel(context.DeadlineExceeded)
		case <-ctx.Done():
		}
	}()
	return ctx, func() { cancel(context.Canceled) }
}
