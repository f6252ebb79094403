package kis

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/broker/tokencache"
	"github.com/hoga-trade/hoga/clock"
)

// waitLog records OnRateLimitWait calls.
type waitLog struct {
	mu    sync.Mutex
	calls []waitCall
}

type waitCall struct {
	api string
	d   time.Duration
}

func (w *waitLog) hook(api string, d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls = append(w.calls, waitCall{api, d})
}

func (w *waitLog) snapshot() []waitCall {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]waitCall(nil), w.calls...)
}

func TestOnRateLimitWait(t *testing.T) {
	t.Parallel()
	fc := clock.NewFake(kstAt(10, 0))
	var log waitLog
	// The mock default: 1.8 requests a second (KIS's 2 with a margin),
	// burst 1, so a second request right after the first waits 1/1.8 s.
	c, _ := newPair(t, brokertest.KISFakeOptions{Mode: "mock", Clock: fc, RateLimit: -1}, func(o *Options) {
		o.OnRateLimitWait = log.hook
		o.Backoff = time.Hour
	})
	if err := c.EnsureToken(bg()); err != nil {
		t.Fatal(err)
	}
	if got := log.snapshot(); len(got) != 0 {
		t.Fatalf("issuing a token passed the limiter: %v", got)
	}

	if _, err := c.orderableCash(bg()); err != nil {
		t.Fatal(err)
	}

	done := make(chan error, 1)
	go func() { _, err := c.orderableCash(bg()); done <- err }()
	waitBlocked(t, fc, 1, nil)
	rps := float64(DefaultMockRPS)
	gap := time.Duration(float64(time.Second) / rps)
	fc.Advance(gap)
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	// A wait cancelled before its turn is no pass: nothing is reported.
	ctx, cancel := context.WithCancel(bg())
	go func() { _, err := c.orderableCash(ctx); done <- err }()
	waitBlocked(t, fc, 1, nil)
	cancel()
	if err := <-done; err == nil {
		t.Fatal("cancelled call succeeded")
	}

	want := []waitCall{{"VTTC8908R", 0}, {"VTTC8908R", gap}}
	got := log.snapshot()
	if len(got) != len(want) {
		t.Fatalf("waits = %v; want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("wait %d = %+v; want %+v (the tr_id sent, the time waited)", i, got[i], want[i])
		}
	}
}

func TestOnRateLimitWaitNilIsFine(t *testing.T) {
	t.Parallel()
	c, _ := newPair(t, brokertest.KISFakeOptions{RateLimit: -1}, unlimited)
	if _, err := c.Quote(bg(), "005930"); err != nil {
		t.Fatalf("Quote without hooks: %v", err)
	}
}

func TestOnTokenIssued(t *testing.T) {
	t.Parallel()
	fc := clock.NewFake(kstAt(20, 0))
	f := brokertest.NewKIS(t, brokertest.KISFakeOptions{Clock: fc, RateLimit: -1, TokenTTL: time.Hour})
	store := tokencache.New(t.TempDir())
	var issued atomic.Int64
	mk := func() *Client {
		o := optsFor(t, f)
		o.Clock, o.Tokens = fc, store
		unlimited(&o)
		o.OnTokenIssued = func() { issued.Add(1) }
		c, err := New(o)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	ensure := func(c *Client, step string, wantIssued int64, wantCalls int) {
		t.Helper()
		if err := c.EnsureToken(bg()); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if got := issued.Load(); got != wantIssued {
			t.Errorf("%s: OnTokenIssued called %d times; want %d", step, got, wantIssued)
		}
		if got := f.Issuances(); got != wantCalls {
			t.Errorf("%s: token endpoint answered %d times; want %d", step, got, wantCalls)
		}
	}

	a := mk()
	ensure(a, "first token", 1, 1)
	ensure(a, "token held", 1, 1)
	ensure(mk(), "token loaded from the store", 1, 1)

	// 10 minutes before expiry the client renews; within 6 hours KIS
	// hands back the same token, which is no issuance.
	fc.Advance(50 * time.Minute)
	ensure(a, "same token handed back", 1, 2)

	// Once it has expired KIS issues a new one.
	fc.Advance(11 * time.Minute)
	ensure(a, "new token after expiry", 2, 3)

	// A revoked token is dropped and a new one issued.
	fc.Advance(2 * time.Minute)
	f.RevokeTokens()
	if _, err := a.Quote(bg(), "005930"); err != nil {
		t.Fatal(err)
	}
	if got := issued.Load(); got != 3 {
		t.Errorf("after revocation: OnTokenIssued called %d times; want 3", got)
	}
}
