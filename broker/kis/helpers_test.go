package kis

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker/internal/pace"

	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/clock"
	"github.com/hoga-trade/hoga/internal/redact"
)

// tlog sends a client's log to the test log, so a failing test shows
// every request it made.
type tlog struct{ t testing.TB }

func (w tlog) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tlog{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// optsFor returns client options matching a fake, with a short backoff so
// retry tests stay fast.
func optsFor(t testing.TB, f *brokertest.KISFake) Options {
	key, secret, acct := f.Credentials()
	return Options{
		AppKey:    redact.Secret(key),
		AppSecret: redact.Secret(secret),
		Account:   acct,
		Mode:      Mode(f.Mode()),
		BaseURL:   f.URL(),
		Logger:    testLogger(t),
		Backoff:   time.Millisecond,
	}
}

// newPair starts a fake and a client on it; edit adjusts the client's
// options before New.
func newPair(t testing.TB, fo brokertest.KISFakeOptions, edit func(*Options)) (*Client, *brokertest.KISFake) {
	t.Helper()
	if fo.Clock == nil {
		// Pacing, backoff, the token's one-a-minute rule and its expiry
		// run on an injected clock that moves whenever something waits on
		// it: no test waits on the wall clock for a rate window or a
		// backoff (issue 12.18; broker/kiwoom's newClient does the same).
		clk := clock.NewFake(kstAt(10, 0))
		autoAdvance(t, clk, 50*time.Millisecond)
		fo.Clock = clk
	}
	f := brokertest.NewKIS(t, fo)
	o := optsFor(t, f)
	if fo.Clock != nil {
		o.Clock = fo.Clock
	}
	if edit != nil {
		edit(&o)
	}
	c, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, f
}

// kisStocks are the stocks and prices these tests were worked out at
// (Samsung Electronics at 65,800: limits 46,100–85,500; SK hynix at
// 198,500): a test that depends on a price lists them
// (KISFakeOptions.Stocks) rather than leaning on the fake's default table.
var kisStocks = []brokertest.Stock{
	{Code: "005930", Name: "삼성전자", Price: 65_800},
	{Code: "000660", Name: "SK하이닉스", Price: 198_500},
	{Code: "035420", Name: "NAVER", Price: 214_000},
}

// kstAt is a KST wall time on a fixed trading day (Tuesday 2026-03-03).
func kstAt(hh, mm int) time.Time {
	return time.Date(2026, 3, 3, hh, mm, 0, 0, time.FixedZone("KST", 9*3600))
}

// workers counts goroutines still running and signals every change, so a
// clock driver can tell "all blocked on the clock" from "some in flight".
type workers struct {
	mu sync.Mutex
	n  int
	ch chan struct{}
}

func newWorkers(n int) *workers { return &workers{n: n, ch: make(chan struct{})} }

func (w *workers) finish() {
	w.mu.Lock()
	w.n--
	close(w.ch)
	w.ch = make(chan struct{})
	w.mu.Unlock()
}

func (w *workers) snapshot() (int, <-chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n, w.ch
}

// drive advances fc by step each time every running worker is waiting on
// it, and returns when none is left. No request is ever in flight while
// the fake time moves, so the fake server sees exactly the client's pacing.
func (w *workers) drive(fc *clock.Fake, step time.Duration) {
	for {
		n, changed := w.snapshot()
		if n == 0 {
			return
		}
		if !fc.BlockUntil(n, changed) {
			continue
		}
		fc.Advance(step)
	}
}

// autoAdvance moves clk by step whenever something waits on it, until the
// test ends.
func autoAdvance(t testing.TB, clk *clock.Fake, step time.Duration) {
	t.Helper()
	done := make(chan struct{})
	stopped := make(chan struct{})
	t.Cleanup(func() { close(done); <-stopped })
	go func() {
		defer close(stopped)
		for clk.BlockUntil(1, done) {
			clk.Advance(step)
		}
	}()
}

// waitBlocked waits until some goroutine is waiting on fc, or fails the
// test when done closes first.
func waitBlocked(t *testing.T, fc *clock.Fake, n int, done <-chan struct{}) {
	t.Helper()
	if !fc.BlockUntil(n, done) {
		t.Fatal("the call finished instead of waiting on the clock")
	}
}

func bg() context.Context { return context.Background() }

// unlimited gives a client no rate limit: tests on a fake clock that they
// do not drive would otherwise wait on the limiter forever.
func unlimited(o *Options) { o.Limiter = pace.NewLimiter(0, 0) }
