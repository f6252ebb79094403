package kiwoom_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/broker/kiwoom"
	"github.com/hoga-trade/hoga/broker/tokencache"
	"github.com/hoga-trade/hoga/clock"
)

type waitCall struct {
	api string
	d   time.Duration
}

func TestOnRateLimitWait(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(start)
	var mu sync.Mutex
	var calls []waitCall
	hook := func(api string, d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		calls = append(calls, waitCall{api, d})
	}
	c, _ := newClient(t, brokertest.KiwoomFakeOptions{Clock: clk}, kiwoom.Options{Clock: clk, RPS: 4, OnRateLimitWait: hook})
	if _, err := c.Quote(ctx, "005930"); err != nil { // ka10001's slot is spent
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := c.Quote(ctx, "005930"); done <- err }()
	if !clk.BlockUntil(1, t.Context().Done()) {
		t.Fatal("test ended")
	}
	if _, err := c.Account(ctx); err != nil { // another api-id: no wait
		t.Fatal(err)
	}
	clk.Advance(250 * time.Millisecond)
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	// A wait cancelled before its turn is no pass: nothing is reported.
	cctx, cancel := context.WithCancel(ctx)
	go func() { _, err := c.Quote(cctx, "005930"); done <- err }()
	if !clk.BlockUntil(1, t.Context().Done()) {
		t.Fatal("test ended")
	}
	cancel()
	if err := <-done; err == nil {
		t.Fatal("cancelled quote succeeded")
	}

	want := []waitCall{{"ka10001", 0}, {"ka00001", 0}, {"ka10001", 250 * time.Millisecond}}
	mu.Lock()
	defer mu.Unlock()
	if len(calls) != len(want) {
		t.Fatalf("waits = %v; want %v", calls, want)
	}
	for i := range want {
		if calls[i] != want[i] {
			t.Errorf("wait %d = %+v; want %+v (api-id, time waited)", i, calls[i], want[i])
		}
	}
}

func TestOnTokenIssued(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(start)
	fake := brokertest.NewKiwoomServer(brokertest.KiwoomFakeOptions{Clock: clk, TokenTTL: time.Hour, RateLimit: -1})
	t.Cleanup(fake.Close)
	dir := t.TempDir()
	var issued atomic.Int64
	mk := func() *kiwoom.Client {
		c, err := kiwoom.New(kiwoom.Options{AppKey: brokertest.KiwoomFakeAppKey, SecretKey: brokertest.KiwoomFakeSecretKey,
			BaseURL: fake.URL(), Clock: clk, RPS: 1000, Tokens: tokencache.New(dir),
			OnTokenIssued: func() { issued.Add(1) }})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	check := func(step string, err error, want int64) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if got := issued.Load(); got != want {
			t.Errorf("%s: OnTokenIssued called %d times; want %d (token endpoint answered %d times)", step, got, want, fake.Issuances())
		}
	}
	a := mk()
	check("first token", a.EnsureToken(ctx), 1)
	check("token held", a.EnsureToken(ctx), 1)
	check("token read from the store", mk().EnsureToken(ctx), 1)
	clk.Advance(51 * time.Minute) // 9 minutes left: renewed
	check("renewal", a.EnsureToken(ctx), 2)
	clk.Advance(2 * time.Minute)
	fake.ExpireTokens()                      // the next call answers 8005 and the token is renewed once
	autoAdvance(t, clk, 50*time.Millisecond) // the retry with a new token waits for the limiter
	_, err := a.Quote(ctx, "005930")
	check("after 8005", err, 3)
}

// TestOnTokenIssuedNotForTheSameToken: an issuance answered with the token
// already held issued nothing.
func TestOnTokenIssuedNotForTheSameToken(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(start)
	var answers atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/oauth2/token" {
			http.NotFound(w, r)
			return
		}
		answers.Add(1)
		_ = json.NewEncoder(w).Encode(map[string]any{
			"return_code": 0, "return_msg": "정상적으로 처리되었습니다", "token_type": "bearer", "token": "always-the-same",
			"expires_dt": clk.Now().Add(time.Hour).In(broker.KST()).Format("20060102150405"),
		})
	}))
	t.Cleanup(srv.Close)
	var issued atomic.Int64
	c, err := kiwoom.New(kiwoom.Options{AppKey: "k", SecretKey: "s", BaseURL: srv.URL, Clock: clk,
		OnTokenIssued: func() { issued.Add(1) }})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.EnsureToken(ctx); err != nil {
		t.Fatal(err)
	}
	clk.Advance(51 * time.Minute)
	if err := c.EnsureToken(ctx); err != nil {
		t.Fatal(err)
	}
	if answers.Load() != 2 || issued.Load() != 1 {
		t.Fatalf("token endpoint answered %d times, OnTokenIssued called %d times; want 2 and 1", answers.Load(), issued.Load())
	}
}
