package kiwoom_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/broker/kiwoom"
	"github.com/hoga-trade/hoga/clock"
)

// running counts callers still at work and signals each change, so the
// clock moves only while every one of them waits on it: no request is in
// flight when a window turns over and the fake sees the client's pacing.
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

func (r *running) drive(clk *clock.Fake, step time.Duration) {
	for {
		r.mu.Lock()
		n, ch := r.n, r.ch
		r.mu.Unlock()
		if n == 0 {
			return
		}
		if clk.BlockUntil(n, ch) {
			clk.Advance(step)
		}
	}
}

// TestStrictWindowNeverRefuses is issue 20.5 for Kiwoom: against a fake
// counting each api-id in a strict sliding one-second window at 유량=5,
// the default pacing (4/s per api-id) draws no 1700, for a burst of quotes
// and for 40 rules polling their own codes.
func TestStrictWindowNeverRefuses(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ codes, each int }{{1, 30}, {40, 2}} {
		t.Run(fmt.Sprintf("%d_codes", tt.codes), func(t *testing.T) {
			t.Parallel()
			clk := clock.NewFake(start)
			var refused atomic.Int64
			c, fake := newClient(t, brokertest.KiwoomFakeOptions{Clock: clk, StrictWindow: true},
				kiwoom.Options{Clock: clk, Backoff: time.Millisecond, OnRateLimited: func(string) { refused.Add(1) }})
			codes := []broker.Code{"005930"}
			for i := 1; i < tt.codes; i++ {
				code := fmt.Sprintf("9%05d", i)
				fake.AddStock(code, "종목"+code, 10_000, 10_000)
				codes = append(codes, broker.Code(code))
			}
			n := tt.codes * tt.each
			r := &running{n: n, ch: make(chan struct{})}
			errs := make(chan error, n)
			for i := 0; i < n; i++ {
				go func() {
					defer r.done()
					_, err := c.Quote(ctx, codes[i%len(codes)])
					errs <- err
				}()
			}
			r.drive(clk, 5*time.Millisecond)
			for i := 0; i < n; i++ {
				if err := <-errs; err != nil {
					t.Fatalf("quote: %v", err)
				}
			}
			if got := fake.RateLimited(); got != 0 || refused.Load() != 0 {
				t.Fatalf("the strict window refused %d (client saw %d); want 0", got, refused.Load())
			}
			if got := fake.Requests("ka10001"); got < n {
				t.Fatalf("ka10001 requests %d for %d quotes", got, n)
			}
		})
	}
}

// TestStrictWindowRefusesAnUnpacedClient shows the fake's strict window
// bites (1700 with HTTP 429, as Kiwoom answers) and OnRateLimited hears
// every refusal.
func TestStrictWindowRefusesAnUnpacedClient(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(start)
	var refused atomic.Int64
	c, fake := newClient(t, brokertest.KiwoomFakeOptions{Clock: clk, StrictWindow: true},
		kiwoom.Options{Clock: clk, RPS: 1000, Backoff: 300 * time.Millisecond, OnRateLimited: func(string) { refused.Add(1) }})
	const n = 8
	r := &running{n: n, ch: make(chan struct{})}
	for i := 0; i < n; i++ {
		go func() {
			defer r.done()
			if _, err := c.Quote(ctx, "005930"); err != nil {
				t.Error(err)
			}
		}()
	}
	r.drive(clk, 5*time.Millisecond)
	if fake.RateLimited() == 0 || int64(fake.RateLimited()) != refused.Load() {
		t.Fatalf("fake refused %d, client heard %d; want the same, above 0", fake.RateLimited(), refused.Load())
	}
}

// TestTwoCallersOneLimiterNeverRefused: a list walk and quotes (and a
// second walker, so ka10075/ka10076 have two callers on one limiter) run
// together against the fake's strict sliding window at 유량=5, while the
// clock moves in uneven steps larger than the pacing gap, so callers wake
// late beside others on time. No one-second window may ever see more than
// the limit: zero refusals. A token bucket (x/time/rate, burst 1) paced
// reservations, not the moments requests went: late wake-ups bunched and
// the window refused.
func TestTwoCallersOneLimiterNeverRefused(t *testing.T) {
	t.Parallel()
	for _, step := range []time.Duration{490 * time.Millisecond, 730 * time.Millisecond, 130 * time.Millisecond, 1100 * time.Millisecond} {
		t.Run(step.String(), func(t *testing.T) {
			t.Parallel()
			clk := clock.NewFake(start)
			var refused atomic.Int64
			c, fake := newClient(t, brokertest.KiwoomFakeOptions{Clock: clk, StrictWindow: true, Cash: 1 << 50, Stocks: kwStocks},
				kiwoom.Options{Clock: clk, Backoff: time.Millisecond, OnRateLimited: func(string) { refused.Add(1) }})
			// Twelve open orders: a walk is 6 pages of each list.
			placing := &running{n: 1, ch: make(chan struct{})}
			go func() {
				defer placing.done()
				for i := range 12 {
					if _, err := c.PlaceOrder(ctx, broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit,
						Qty: int64(i + 1), Price: 60_000, Venue: broker.VenueKRX}); err != nil {
						t.Error(err)
					}
				}
			}()
			placing.drive(clk, 50*time.Millisecond)
			base := fake.RateLimited()

			const walks, quotes = 4, 40
			r := &running{n: 3, ch: make(chan struct{})}
			errs := make(chan error, 2*walks+quotes)
			walk := func() {
				defer r.done()
				for range walks {
					os, err := c.OrdersToday(ctx)
					if err == nil && len(os) != 12 {
						err = fmt.Errorf("walk listed %d orders, want 12", len(os))
					}
					errs <- err
				}
			}
			go walk()
			go walk()
			go func() {
				defer r.done()
				for range quotes {
					_, err := c.Quote(ctx, "005930")
					errs <- err
				}
			}()
			r.drive(clk, step)
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if got := fake.RateLimited() - base; got != 0 || refused.Load() != 0 {
				t.Fatalf("the strict window refused %d (client heard %d); want 0", got, refused.Load())
			}
			if got := fake.Requests("ka10001"); got < quotes {
				t.Fatalf("ka10001 requests %d for %d quotes", got, quotes)
			}
		})
	}
}
