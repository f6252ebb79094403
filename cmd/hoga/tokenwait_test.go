package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/clock"
)

// Issue 21.8: a token endpoint that fails for a moment at start-up does
// not end hoga: firstToken asks again with doubling waits (through run():
// TestStartupTokenTransientFailureThroughRun).
func TestFirstTokenRetriesTransientErrors(t *testing.T) {
	t.Parallel()
	var calls int
	get := func(context.Context) error {
		calls++
		switch calls {
		case 1:
			return &broker.Error{Kind: broker.Transient, Code: "502", Msg: "token answer (HTTP 502) is not JSON"}
		case 2:
			return &broker.Error{Kind: broker.RateLimited, Code: "EGW00133", Msg: "one a minute"}
		}
		return nil
	}
	if err := firstToken(context.Background(), nil, slog.New(slog.DiscardHandler), "kis", get); err != nil || calls != 3 {
		t.Fatalf("firstToken = %v after %d calls; want success on the third", err, calls)
	}
	calls = 0
	refused := func(context.Context) error {
		calls++
		return &broker.Error{Kind: broker.Auth, Code: "EGW00103", Msg: "유효하지 않은 AppKey입니다."}
	}
	err := firstToken(context.Background(), nil, slog.New(slog.DiscardHandler), "kis", refused)
	if err == nil || calls != 1 || !strings.Contains(err.Error(), "kis token") {
		t.Fatalf("firstToken = %v after %d calls; want one call and the refusal", err, calls)
	}
	ctx, cancel := context.WithCancel(context.Background())
	calls = 0
	down := func(context.Context) error {
		calls++
		if calls == 2 {
			cancel() // stopped while the broker is down: ends, no hang
		}
		return &broker.Error{Kind: broker.Transient, Msg: "connection reset"}
	}
	if err := firstToken(ctx, nil, slog.New(slog.DiscardHandler), "kiwoom", down); err == nil {
		t.Fatal("firstToken returned nil after being stopped")
	}
}

// A token refused for the credentials is the owner's to fix: hoga still
// ends at once with the broker's reason instead of retrying.
func TestStartupTokenRefusedExits(t *testing.T) {
	t.Parallel()
	fake := brokertest.NewKIS(t, brokertest.KISFakeOptions{IssueGap: -1, RateLimit: -1})
	_, secret, account := fake.Credentials()
	getenv := env("HOGA_BROKER", "kis", "HOGA_MODE", "mock",
		"HOGA_KIS_APP_KEY", "PSwrongAppKey0000000000000000000000KIS", "HOGA_KIS_APP_SECRET", secret,
		"HOGA_KIS_ACCOUNT", account, "HOGA_KIS_BASE_URL", fake.URL(),
		"HOGA_DATA_DIR", filepath.Join(t.TempDir(), "data"), "HOGA_LOG_LEVEL", "error")
	err := run(context.Background(), nil, getenv, strings.NewReader(""), io.Discard, io.Discard)
	if broker.KindOf(err) != broker.Auth {
		t.Fatalf("run = %v; want the token refusal (auth)", err)
	}
	// Said in Korean, the default: the broker's own words and code, and
	// what to check (issue 12, item 12); not the client's English hint.
	msg := err.Error()
	for _, want := range []string{"KIS 에서 첫 토큰을 받지 못해", "[EGW00103]", "HOGA_KIS_APP_KEY 와 HOGA_KIS_APP_SECRET 을 확인하세요"} {
		if !strings.Contains(msg, want) {
			t.Errorf("lacks %q: %s", want, msg)
		}
	}
	if eng := englishIn(msg); len(eng) > 0 {
		t.Errorf("English %q in %s", eng, msg)
	}
}

// Issue 21.8 through run(): the token endpoint fails twice at start-up
// (an HTML 500 from the gateway) and hoga starts anyway, on the test clock:
// the clients' one-issuance-a-minute throttle and firstToken's waits run
// on the clock run() was given (withBrokerClock), so the minute between
// attempts passes without waiting a real minute. Before, both waited on
// the wall clock and the test could not run through run().
func TestStartupTokenTransientFailureThroughRun(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		start func(t *testing.T, clk clock.Clock, dir string) (getenv func(string) string, tokenCalls func() int)
		// calls is what tokenCalls must say; minGap the least test-clock
		// time start-up must have taken (KIS: two one-minute gaps).
		calls  int
		minGap time.Duration
	}{
		{"kis", func(t *testing.T, clk clock.Clock, dir string) (func(string) string, func() int) {
			// The real throttle: one issuance a minute (IssueGap default).
			fake := brokertest.NewKIS(t, brokertest.KISFakeOptions{RateLimit: -1, Clock: clk})
			fake.Inject(brokertest.KISFault{Kind: brokertest.FaultHTTP500, Path: "/oauth2/tokenP", Times: 2})
			return kisEnv(fake, dir), fake.Issuances
		}, 1, 2 * time.Minute},
		{"kiwoom", func(t *testing.T, clk clock.Clock, dir string) (func(string) string, func() int) {
			fake := brokertest.NewKiwoomServer(brokertest.KiwoomFakeOptions{RateLimit: -1, Clock: clk})
			t.Cleanup(fake.Close)
			fake.InjectFault("au10001", brokertest.KiwoomFault500)
			fake.InjectFault("au10001", brokertest.KiwoomFault500)
			getenv := env("HOGA_BROKER", "kiwoom", "HOGA_MODE", "mock",
				"HOGA_KIWOOM_APP_KEY", brokertest.KiwoomFakeAppKey, "HOGA_KIWOOM_SECRET_KEY", brokertest.KiwoomFakeSecretKey,
				"HOGA_KIWOOM_BASE_URL", fake.URL(), "HOGA_KIWOOM_RPS", "200", "HOGA_MARKET_HOURS", "always",
				"HOGA_DATA_DIR", filepath.Join(dir, "data"), "HOGA_LOG_LEVEL", "error")
			return getenv, func() int { return fake.Requests("au10001") }
		}, 3, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := clock.NewFake(kstAt(2026, 12, 4, 10, 0, 0))
			getenv, tokenCalls := tt.start(t, clk, t.TempDir())
			// Drive the clock while start-up waits on it: whenever something
			// waits, a second passes.
			stop := make(chan struct{})
			driven := make(chan struct{})
			go func() {
				defer close(driven)
				for clk.BlockUntil(1, stop) {
					clk.Advance(time.Second)
				}
			}()
			began, from := time.Now(), clk.Now()
			h := startHogaCtx(t, withBrokerClock(withClock(context.Background(), clk), clk), clk, getenv)
			close(stop)
			<-driven
			t.Logf("%s: started after %v on the test clock, %v of wall time; token calls %d",
				tt.name, clk.Now().Sub(from), time.Since(began).Round(time.Millisecond), tokenCalls())
			if n := tokenCalls(); n != tt.calls {
				t.Errorf("token calls %d; want %d", n, tt.calls)
			}
			if took := clk.Now().Sub(from); took < tt.minGap {
				t.Errorf("started %v after the first attempt on the test clock; the throttle wants at least %v", took, tt.minGap)
			}
			h.send("/price 005930")
			waitFor(t, "a quote after start-up", func() bool { return strings.Contains(h.out.String(), "005930") })
		})
	}
}
