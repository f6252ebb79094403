package kis

import (
	"fmt"
	"math"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/clock"
)

// TestStrictWindowNeverRefuses is issue 20.5: against a fake that counts
// requests in a strict sliding one-second window (the harshest reading of
// KIS's 2/s mock and 20/s live), the default pacing draws no EGW00201,
// neither for a burst of quotes nor for 40 rules polling their own codes.
// Time is the injected clock, moved only while every caller waits on it,
// so the fake sees exactly the client's pacing.
func TestStrictWindowNeverRefuses(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		mode        string
		codes, each int
		rps         float64 // HOGA_KIS_RPS; 0 is the default
	}{
		{"mock", 1, 12, 0}, // a burst of quotes (the finding: 1 of 12 refused)
		{"live", 1, 60, 0}, // a burst at 20/s
		{"mock", 40, 2, 0}, // 40 polled rules, two rounds
		{"live", 40, 3, 0}, // 40 polled rules, three rounds
		// HOGA_KIS_RPS set to exactly KIS's limit used to pace at it,
		// with no margin: the same margin applies.
		{"mock", 1, 12, 2},
		{"live", 1, 60, 20},
		{"mock", 40, 2, 2},
	} {
		t.Run(fmt.Sprintf("%s_%d_codes_rps_%v", tt.mode, tt.codes, tt.rps), func(t *testing.T) {
			t.Parallel()
			fc := clock.NewFake(kstAt(10, 0))
			var refused atomic.Int64
			c, f := newPair(t, brokertest.KISFakeOptions{Mode: tt.mode, Clock: fc, StrictWindow: true}, func(o *Options) {
				o.RPS = tt.rps
				o.Backoff = time.Millisecond // a refusal is retried at once and counted
				o.OnRateLimited = func(string) { refused.Add(1) }
			})
			codes := []broker.Code{"005930"}
			for i := 1; i < tt.codes; i++ {
				code := fmt.Sprintf("9%05d", i)
				f.AddStock(code, "종목"+code, 10_000)
				codes = append(codes, broker.Code(code))
			}
			// The token and each stock's name first (one quote per code,
			// in turn), as a running hoga has them: then every call below
			// is one request and waits only on the limiter, which the
			// driver needs to tell "all waiting" from "one in flight".
			warm := newWorkers(1)
			go func() {
				defer warm.finish()
				for _, code := range codes {
					if _, err := c.Quote(bg(), code); err != nil {
						t.Error(err)
					}
				}
			}()
			warm.drive(fc, 5*time.Millisecond)
			n := tt.codes * tt.each
			w := newWorkers(n)
			errs := make(chan error, n)
			for i := 0; i < n; i++ {
				go func() {
					defer w.finish()
					_, err := c.Quote(bg(), codes[i%len(codes)])
					errs <- err
				}()
			}
			w.drive(fc, 5*time.Millisecond)
			for i := 0; i < n; i++ {
				if err := <-errs; err != nil {
					t.Fatalf("quote: %v", err)
				}
			}
			if got := f.RateLimited(); got != 0 || refused.Load() != 0 {
				t.Fatalf("the strict window refused %d requests (client saw %d); want 0", got, refused.Load())
			}
			if f.Requests() < n {
				t.Fatalf("the fake saw %d requests for %d quotes", f.Requests(), n)
			}
		})
	}
}

// TestOnRateLimitedCountsRefusals: a refusal the pacing could not avoid
// (an injected EGW00201) reaches OnRateLimited, which metrics count.
func TestOnRateLimitedCountsRefusals(t *testing.T) {
	t.Parallel()
	fc := clock.NewFake(kstAt(10, 0))
	var apis []string
	c, f := newPair(t, brokertest.KISFakeOptions{Clock: fc, RateLimit: -1}, func(o *Options) {
		o.RPS, o.Backoff = 1000, time.Millisecond
		o.OnRateLimited = func(api string) { apis = append(apis, api) }
	})
	f.Inject(brokertest.KISFault{Kind: brokertest.FaultRateLimit, Times: 2})
	w := newWorkers(1)
	go func() {
		defer w.finish()
		if _, err := c.Quote(bg(), "005930"); err != nil {
			t.Error(err)
		}
	}()
	w.drive(fc, time.Millisecond)
	if len(apis) != 2 || apis[0] != "FHKST01010100" {
		t.Fatalf("OnRateLimited saw %v; want two FHKST01010100", apis)
	}
}

// An explicit rate gets the same margin as the default: HOGA_KIS_RPS=2
// paces like the mock default, 20 like the live one.
func TestExplicitRPSGetsTheMargin(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		mode Mode
		rps  float64
		want float64
		most int // in any one second: the rate KIS allows
	}{
		{ModeMock, 0, DefaultMockRPS, 2},
		{ModeLive, 0, DefaultLiveRPS, 20},
		{ModeMock, 2, DefaultMockRPS, 2},
		{ModeLive, 20, DefaultLiveRPS, 20},
		{ModeLive, 10, 9, 10},
		{ModeMock, 200, 180, 200},
		{ModeMock, 0.5, 0.45, 1},
	} {
		l := NewLimiter(tt.mode, tt.rps)
		if got := l.Rate(); math.Abs(got-tt.want) > tt.want*1e-6 || l.Max() != tt.most {
			t.Errorf("NewLimiter(%s, %v) paces at %v/s, at most %d a second; want %v, %d", tt.mode, tt.rps, got, l.Max(), tt.want, tt.most)
		}
	}
}

// TestTwoCallersOneLimiterNeverRefused: the day's order list walked page
// by page beside quotes, on one app key's limiter (KIS counts per key),
// while the clock moves in uneven steps larger than the pacing gap, so a
// caller wakes late beside another on time. KIS's strict one-second
// window (2/s mock, 20/s live) never refuses. The token bucket hoga used
// (x/time/rate, burst 1) spaced reservations, not the moments requests
// went, and drew EGW00201 here.
func TestTwoCallersOneLimiterNeverRefused(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		mode  string
		steps []time.Duration
	}{
		{"mock", []time.Duration{490 * time.Millisecond, 730 * time.Millisecond, 1300 * time.Millisecond, 90 * time.Millisecond}},
		{"live", []time.Duration{37 * time.Millisecond, 61 * time.Millisecond, 130 * time.Millisecond, 5 * time.Millisecond}},
	} {
		for _, step := range tt.steps {
			t.Run(fmt.Sprintf("%s_%v", tt.mode, step), func(t *testing.T) {
				t.Parallel()
				fc := clock.NewFake(kstAt(10, 0))
				var refused atomic.Int64
				c, f := newPair(t, brokertest.KISFakeOptions{Mode: tt.mode, Clock: fc, StrictWindow: true, Stocks: kisStocks, OrdersPageSize: 2},
					func(o *Options) {
						o.Backoff = time.Millisecond
						o.OnRateLimited = func(string) { refused.Add(1) }
					})
				// Eight open orders (four pages) and the stock's name, as
				// a running hoga has them.
				warm := newWorkers(1)
				go func() {
					defer warm.finish()
					for i := range 8 {
						if _, err := c.PlaceOrder(bg(), broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit,
							Qty: int64(i + 1), Price: 60_000}); err != nil {
							t.Error(err)
						}
					}
					if _, err := c.Quote(bg(), "005930"); err != nil {
						t.Error(err)
					}
				}()
				warm.drive(fc, 50*time.Millisecond)
				base := f.RateLimited()

				const walks, quotes = 3, 20
				w := newWorkers(2)
				errs := make(chan error, walks+quotes)
				go func() {
					defer w.finish()
					for range walks {
						os, err := c.OrdersToday(bg())
						if err == nil && len(os) != 8 {
							err = fmt.Errorf("walk listed %d orders, want 8", len(os))
						}
						errs <- err
					}
				}()
				go func() {
					defer w.finish()
					for range quotes {
						_, err := c.Quote(bg(), "005930")
						errs <- err
					}
				}()
				w.drive(fc, step)
				close(errs)
				for err := range errs {
					if err != nil {
						t.Fatal(err)
					}
				}
				if got := f.RateLimited() - base; got != 0 || refused.Load() != 0 {
					t.Fatalf("the strict window refused %d (client heard %d); want 0", got, refused.Load())
				}
			})
		}
	}
}
