package pace

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/clock"
)

var t0 = time.Unix(1_800_000_000, 0)

func TestWaitOnTheFakeClock(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(t0)
	lim := PerSecond(2) // KIS mock's 2/s
	ctx := context.Background()
	if d, err := lim.Wait(ctx, clk); err != nil || d != 0 {
		t.Fatalf("first Wait = %v, %v; want no wait", d, err)
	}
	got := make(chan time.Duration, 1)
	go func() {
		d, err := lim.Wait(ctx, clk)
		if err != nil {
			t.Error(err)
		}
		got <- d
	}()
	clk.BlockUntil(1, nil)
	clk.Advance(500 * time.Millisecond)
	if d := <-got; d != 500*time.Millisecond {
		t.Fatalf("second Wait waited %v; want 500ms", d)
	}
}

func TestCancelledWaitCountsNothing(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(t0)
	lim := PerSecond(1)
	if _, err := lim.Wait(context.Background(), clk); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := lim.Wait(ctx, clk); err == nil {
		t.Fatal("a cancelled wait succeeded")
	}
	clk.Advance(time.Second + time.Nanosecond)
	// Had the cancelled wait been counted, this one would wait.
	if d, err := lim.Wait(context.Background(), clk); err != nil || d != 0 {
		t.Fatalf("Wait after a cancelled one = %v, %v; want no wait", d, err)
	}
}

// Callers go in the order they asked, as a token bucket's reservations
// did (an order behind a round of quotes is not passed over), and one
// that gives up passes its turn on.
func TestCallersGoInTurn(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(t0)
	lim := PerSecond(1)
	if _, err := lim.Wait(context.Background(), clk); err != nil {
		t.Fatal(err)
	}
	const n = 6
	order := make(chan int, n)
	errs := make(chan error, n)
	cancelled, cancel := context.WithCancel(context.Background())
	for i := range n {
		ctx := context.Background()
		if i == 2 {
			ctx = cancelled
		}
		go func() {
			_, err := lim.Wait(ctx, clk)
			if err == nil {
				order <- i
			}
			errs <- err
		}()
		clk.BlockUntil(i+1, nil) // each waits on the clock before the next asks
	}
	cancel()
	if err := <-errs; err == nil {
		t.Fatal("the cancelled caller went")
	}
	for left := n - 1; left > 0; left-- {
		clk.BlockUntil(left, nil)
		clk.Advance(Window + time.Nanosecond)
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	close(order)
	var got []int
	for i := range order {
		got = append(got, i)
	}
	if want := []int{0, 1, 3, 4, 5}; !slices.Equal(got, want) {
		t.Fatalf("callers went in the order %v; want %v", got, want)
	}
}

func TestUnlimitedNeverWaits(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(t0)
	for _, lim := range []*Limiter{PerSecond(0), NewLimiter(0, 0)} {
		for range 100 {
			if d, err := lim.Wait(context.Background(), clk); err != nil || d != 0 {
				t.Fatalf("Wait = %v, %v", d, err)
			}
		}
	}
}

// TestNoWindowOverTheLimit: callers on one limiter, the clock moving in
// steps unrelated to the gap (so callers wake late, beside others on
// time), the clock set back once: no closed one-second window ever holds
// more than the limit, and grants are the gap apart. The clock moves only
// while every caller waits on it, so a caller's return is its grant.
func TestNoWindowOverTheLimit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		rps     float64
		gap     time.Duration
		most    int
		callers int
	}{
		{4, 250 * time.Millisecond, 4, 2}, // Kiwoom's default pace, per api-id
		{4, 250 * time.Millisecond, 4, 5},
		{1.8, 555555555 * time.Nanosecond, 1, 3}, // PerSecond(1.8): at most 1 a second
		{18, 55555555 * time.Nanosecond, 18, 4},  // KIS live's pace
		{0.5, 2 * time.Second, 1, 2},
	} {
		for _, step := range []time.Duration{7 * time.Millisecond, 130 * time.Millisecond, 490 * time.Millisecond, 730 * time.Millisecond, 1100 * time.Millisecond} {
			t.Run(fmt.Sprintf("%v_rps_%d_callers_%v", tc.rps, tc.callers, step), func(t *testing.T) {
				t.Parallel()
				clk := clock.NewFake(t0)
				lim := PerSecond(tc.rps)
				var mu sync.Mutex
				var grants []time.Time
				r := &running{n: tc.callers, ch: make(chan struct{})}
				for range tc.callers {
					go func() {
						defer r.done()
						for range 30 {
							if _, err := lim.Wait(context.Background(), clk); err != nil {
								t.Error(err)
								return
							}
							mu.Lock()
							grants = append(grants, clk.Now())
							mu.Unlock()
						}
					}()
				}
				set := false
				r.drive(clk, func() {
					if !set && clk.Now().Sub(t0) > 3*time.Second {
						clk.Set(clk.Now().Add(-700 * time.Millisecond)) // set back
						set = true
						return
					}
					clk.Advance(step)
				})
				checkGrants(t, grants, tc.gap, tc.most)
				if len(grants) != 30*tc.callers {
					t.Fatalf("%d grants, want %d", len(grants), 30*tc.callers)
				}
			})
		}
	}
}

// checkGrants fails when two grants are less than gap apart or a closed
// Window holds more than most (a clock set back is read as standing
// still, as the limiter counts it).
func checkGrants(t *testing.T, grants []time.Time, gap time.Duration, most int) {
	t.Helper()
	seen := make([]time.Time, 0, len(grants))
	for _, g := range grants {
		if n := len(seen); n > 0 && g.Before(seen[n-1]) {
			g = seen[n-1]
		}
		seen = append(seen, g)
	}
	slices.SortFunc(seen, func(a, b time.Time) int { return a.Compare(b) })
	for i := range seen {
		if i > 0 && seen[i].Sub(seen[i-1]) < gap {
			t.Fatalf("grants %v apart at %v; want ≥ %v", seen[i].Sub(seen[i-1]), seen[i].Sub(t0), gap)
		}
		n := 0
		for j := i; j >= 0 && seen[i].Sub(seen[j]) <= Window; j-- {
			n++
		}
		if n > most {
			t.Fatalf("%d grants in the second up to %v; want ≤ %d", n, seen[i].Sub(t0), most)
		}
	}
}

// running counts callers still at work and signals each change, so the
// clock moves only while every one of them waits on it.
type running struct {
	mu sync.Mutex
	n  int
	ch chan struct{}
}

func (r *running) done() {
	r.mu.Lock()
	r.n--
	close(r.ch)
	r.ch = make(chan struct{})
	r.mu.Unlock()
}

// drive calls move each time every running caller waits on clk, until
// none runs.
func (r *running) drive(clk *clock.Fake, move func()) {
	for {
		r.mu.Lock()
		n, ch := r.n, r.ch
		r.mu.Unlock()
		if n == 0 {
			return
		}
		if clk.BlockUntil(n, ch) {
			move()
		}
	}
}
