package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoga-trade/hoga/broker/brokertest"
)

// Issue 15 through run(): 40 rules on KIS mock with the fake's WebSocket.
// While the stream is up the prices arrive as ticks and hoga polls no
// quote (counted at the fake); a crossing in the trade feed is ordered
// once; a dropped connection is resubscribed, and polling covers the gap.
func TestStreamAgainstFakeKIS(t *testing.T) {
	t.Parallel()
	fake := brokertest.NewKIS(t, brokertest.KISFakeOptions{IssueGap: -1, RateLimit: -1})
	var rules strings.Builder
	rules.WriteString("rules:\n")
	for i := range 40 {
		code := fmt.Sprintf("9%05d", i)
		fake.AddStock(code, "종목"+code, 10_000)
		fmt.Fprintf(&rules, "  - code: %q\n    buy_below: 9000\n    qty: 1\n", code)
	}
	key, secret, account := fake.Credentials()
	dir := t.TempDir()
	rulesFile := filepath.Join(dir, "rules.yaml")
	if err := os.WriteFile(rulesFile, []byte(rules.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	getenv := env(
		"HOGA_BROKER", "kis", "HOGA_MODE", "mock",
		"HOGA_KIS_APP_KEY", key, "HOGA_KIS_APP_SECRET", secret, "HOGA_KIS_ACCOUNT", account,
		"HOGA_KIS_BASE_URL", fake.URL(), "HOGA_KIS_WS_URL", fake.WSURL(), "HOGA_KIS_HTS_ID", "hoga01",
		"HOGA_KIS_RPS", "200", "HOGA_MARKET_HOURS", "always", "HOGA_RULES_FILE", rulesFile,
		"HOGA_STRATEGY_INTERVAL", "100ms", "HOGA_DATA_DIR", filepath.Join(dir, "data"),
		"HOGA_LOG_LEVEL", "error",
	)
	h := startHoga(t, nil, getenv) // a console that stays open, like a terminal

	quotes := func() int { return fake.CountRequests("/uapi/domestic-stock/v1/quotations/inquire-price") }
	// 39 codes and the fill-notice TR fill the 40 registrations the
	// official client allows; one code is left to polling.
	waitFor(t, "40 registrations", func() bool { return fake.StreamSubscriptions() == 40 })
	waitFor(t, "the one code past the limit to be polled", func() bool { return quotes() >= 3 })
	streamed := "900000"
	base := fake.QuoteCalls(streamed)
	for i := range 20 {
		fake.SetPrice(streamed, 10_000+int64(i%2)*10)
	}
	fake.SetPrice(streamed, 8_990) // the crossing, in the trade feed
	waitFor(t, "the buy", func() bool { return len(fake.Orders()) == 1 })
	for i := range 5 {
		fake.SetPrice(streamed, 8_900-int64(i)*10)
	}
	waitFor(t, "ticks after the buy", func() bool { return fake.StreamFrames("H0STCNT0") >= 26 })
	if n := len(fake.Orders()); n != 1 {
		t.Fatalf("%d orders, want 1", n)
	}
	if got := fake.QuoteCalls(streamed); got != base {
		t.Fatalf("a streamed code was polled %d times while the stream was up", got-base)
	}
	t.Logf("quotes polled overall (the one code past the limit): %d; trade frames %d", quotes(), fake.StreamFrames("H0STCNT0"))

	// Drop: resubscribed (the notice TR included) after the backoff.
	fake.DropStreams()
	waitFor(t, "resubscribed", func() bool { return fake.StreamSessions() == 1 && fake.StreamSubscriptions() == 40 })

	h.stop()
}
