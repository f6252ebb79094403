// Package pace keeps a broker client's requests within the broker's rate
// on an injected clock, so both clients pace with one piece of code and
// their tests drive the real limiter with a fake clock instead of
// sleeping.
package pace

import (
	"context"
	"math"
	"sync"
	"time"

	"github.com/hoga-trade/hoga/clock"
)

// Window is the span a broker counts requests in: a second. KIS ("초당
// 20건", EGW00201) and Kiwoom (유량=5, 1700) both state their limits per
// second and publish no algorithm, so the limiter keeps the harshest
// reading: no window of one second, however placed and counting both its
// ends, holds more than the limit.
const Window = time.Second

// Limiter lets requests go at least Gap apart and never more than Max in
// any one-second Window, counting the moments it let them go, on the clock
// the caller waits on.
//
// Why not a token bucket (golang.org/x/time/rate, burst 1): it spaces the
// instants it reserves, not the instants requests leave. A caller that
// wakes late (a busy machine, a fake clock that moves in steps) sends its
// request beside one that is on time, and the broker's window sees them
// together: two callers on one limiter drew Kiwoom's 1700 from a strict
// one-second window at 4/s against 5. Here a request is let go only when
// the clock, read at that moment under the lock, says it may, and that
// moment is what the next ones are spaced from. So, whatever the callers
// do: any two grants are at least Gap apart, hence at most
// floor(Window/Gap)+1 fall in one closed window; and at most Max do.
type Limiter struct {
	gap time.Duration
	max int

	mu sync.Mutex
	// last is the latest grants, oldest first; at most max of them.
	last []time.Time
	// Callers go in the order they asked, as a token bucket's
	// reservations did: an order asked for behind a round of quotes is
	// not passed over again and again. next is the ticket the next caller
	// takes, serving the one whose turn it is, gone the tickets whose
	// callers gave up before their turn; turn is closed when serving moves.
	next, serving uint64
	gone          map[uint64]bool
	turn          chan struct{}
}

// NewLimiter returns a limiter letting requests go gap apart and at most
// max in any Window. gap ≤ 0 and max ≤ 0 lift the limit (tests).
func NewLimiter(gap time.Duration, max int) *Limiter {
	return &Limiter{gap: gap, max: max, gone: map[uint64]bool{}, turn: make(chan struct{})}
}

// PerSecond is a limiter for rps requests a second: gap 1/rps, and at most
// floor(rps) (at least 1) in any Window. Without the window cap, evenly
// spaced requests put floor(rps)+1 in a closed window (0, ¼, ½, ¾ and 1 s
// at 4/s); with it, the owner's rps is the most any second sees. rps ≤ 0
// or +Inf lifts the limit.
func PerSecond(rps float64) *Limiter {
	if rps <= 0 || math.IsInf(rps, 1) {
		return NewLimiter(0, 0)
	}
	return NewLimiter(time.Duration(float64(Window)/rps), max(1, int(math.Floor(rps))))
}

// Rate is the pace in requests a second (1/Gap); +Inf without a gap.
func (l *Limiter) Rate() float64 {
	if l.gap <= 0 {
		return math.Inf(1)
	}
	return float64(Window) / float64(l.gap)
}

// Max is the most requests any one-second Window sees (0: no cap).
func (l *Limiter) Max() int { return l.max }

// Wait blocks until a request may go, on clk, and returns how long it
// waited. Callers go in the order they called. The grant is counted at
// the clock's reading when it is made; when ctx ends first nothing is
// counted, the caller's turn passes to the next, and ctx's error is
// returned.
//
// Every caller that waits for a moment waits on clk (a caller behind
// another sleeps until about its own turn, and wakes early when the turn
// moves), so a test's fake clock sees all of them waiting.
func (l *Limiter) Wait(ctx context.Context, clk clock.Clock) (time.Duration, error) {
	if l.gap <= 0 && l.max <= 0 {
		return 0, nil
	}
	start := clk.Now()
	l.mu.Lock()
	ticket := l.next
	l.next++
	for {
		now := clk.Now()
		due := l.dueLocked()
		if l.serving == ticket && !due.After(now) {
			l.grantLocked(now)
			l.advanceLocked()
			l.mu.Unlock()
			return now.Sub(start), nil
		}
		if err := ctx.Err(); err != nil {
			l.leaveLocked(ticket)
			l.mu.Unlock()
			return 0, err
		}
		// The head waits until it is due; one behind it until about its
		// own slot (ahead of it, each goes at least gap after the last),
		// or until the turn moves. A slot already past means the head is
		// about to go: wait for the turn only.
		at := due.Add(time.Duration(ticket-l.serving) * max(l.gap, 0))
		turn := l.turn
		l.mu.Unlock()
		var timer clock.Timer
		var fired <-chan time.Time
		if at.After(now) {
			timer = clk.Until(at)
			fired = timer.C()
		}
		select {
		case <-fired:
		case <-turn:
		case <-ctx.Done():
		}
		if timer != nil {
			timer.Stop()
		}
		l.mu.Lock()
	}
}

// advanceLocked passes the turn to the next caller still waiting.
func (l *Limiter) advanceLocked() {
	l.serving++
	for l.gone[l.serving] {
		delete(l.gone, l.serving)
		l.serving++
	}
	close(l.turn)
	l.turn = make(chan struct{})
}

// leaveLocked gives up ticket's turn: at once when it is the turn, or
// when the turn comes to it.
func (l *Limiter) leaveLocked(ticket uint64) {
	if ticket == l.serving {
		l.advanceLocked()
		return
	}
	l.gone[ticket] = true
}

// dueLocked is the earliest moment the next request may go: Gap after the
// latest grant, and just past Window after the oldest of the last Max (the
// closed window counts a grant exactly a Window earlier).
func (l *Limiter) dueLocked() time.Time {
	var due time.Time
	if n := len(l.last); n > 0 && l.gap > 0 {
		due = l.last[n-1].Add(l.gap)
	}
	if l.max > 0 && len(l.last) >= l.max {
		if w := l.last[len(l.last)-l.max].Add(Window + time.Nanosecond); w.After(due) {
			due = w
		}
	}
	return due
}

func (l *Limiter) grantLocked(now time.Time) {
	if l.gap <= 0 && l.max <= 0 {
		return
	}
	keep := max(l.max, 1)
	if n := len(l.last); n > 0 && now.Before(l.last[n-1]) {
		// A clock set back (a fake clock's Set): count the grant at the
		// latest moment seen, so the spacing and the window still hold.
		now = l.last[n-1]
	}
	l.last = append(l.last, now)
	if len(l.last) > keep {
		l.last = append(l.last[:0], l.last[len(l.last)-keep:]...)
	}
}
