package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
)

// Issue 21.8: a token endpoint that fails for a moment at start-up does
// not end hoga: firstToken asks again with doubling waits. (Through run()
// the retry would wait out the clients' own one-issuance-a-minute gap on
// the wall clock, so the loop is tested here and the exit through run().)
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
	if err := firstToken(context.Background(), slog.New(slog.DiscardHandler), "kis", get); err != nil || calls != 3 {
		t.Fatalf("firstToken = %v after %d calls; want success on the third", err, calls)
	}
	calls = 0
	refused := func(context.Context) error {
		calls++
		return &broker.Error{Kind: broker.Auth, Code: "EGW00103", Msg: "유효하지 않은 AppKey입니다."}
	}
	err := firstToken(context.Background(), slog.New(slog.DiscardHandler), "kis", refused)
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
	if err := firstToken(ctx, slog.New(slog.DiscardHandler), "kiwoom", down); err == nil {
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
	if err == nil || !strings.Contains(err.Error(), "kis token") || !strings.Contains(err.Error(), "auth") {
		t.Fatalf("run = %v; want the token refusal (auth)", err)
	}
}
