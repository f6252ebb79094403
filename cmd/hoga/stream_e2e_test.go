package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
)

// Issue 15 through run(): 40 rules on KIS mock with the fake's WebSocket.
// KIS allows 41 registrations per app key (kis.MaxSubscriptions), so all
// 40 codes stream beside the fill-notice TR. While the stream is up the
// prices of all 40 arrive as ticks and hoga asks no quote (counted at the
// fake); a rule's crossing in the trade feed is ordered once; a dropped
// connection is resubscribed, all 41.
func TestStreamAgainstFakeKIS(t *testing.T) {
	t.Parallel()
	fake := brokertest.NewKIS(t, brokertest.KISFakeOptions{IssueGap: -1, RateLimit: -1})
	var rules strings.Builder
	rules.WriteString("rules:\n")
	codes := make([]string, 40)
	for i := range codes {
		codes[i] = fmt.Sprintf("9%05d", i)
		fake.AddStock(codes[i], "종목"+codes[i], 10_000)
		fmt.Fprintf(&rules, "  - code: %q\n    buy_below: 9000\n    qty: 1\n", codes[i])
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
		"HOGA_LOG_LEVEL", "error", "HOGA_MAX_DAILY_ORDERS", "100", // more than the 20 a day by default
	)
	h := startHoga(t, nil, getenv) // a console that stays open, like a terminal

	quotes := func() int { return fake.CountRequests("/uapi/domestic-stock/v1/quotations/inquire-price") }
	// 40 codes and the fill-notice TR: KIS's 41 registrations, none polled.
	waitFor(t, "41 registrations", func() bool { return fake.StreamSubscriptions() == 41 })
	st := h.app.stream.Status()
	if !st.Connected || len(st.Subscribed) != 40 || len(st.Polled) != 0 {
		t.Fatalf("stream status %+v, want 40 codes streamed and none polled", st)
	}
	orders := func() map[string]int {
		n := map[string]int{}
		for _, o := range fake.Orders() {
			n[o.Code]++
		}
		return n
	}
	frames := 0
	cross := func(i int) {
		t.Helper()
		fake.SetPrice(codes[i], 8_990)
		frames++
		waitFor(t, "the buy of "+codes[i], func() bool { return orders()[codes[i]] == 1 })
	}
	// The first crossing, decided on a tick, proves the engine has
	// finished any round begun before the codes streamed (rounds and
	// ticks take turns on its goroutine): from here every round finds
	// every code streamed. Quotes before it — each code's first round
	// before the stream was up, and one quote a code a day for its price
	// limits, asked before its subscription — are not polling while up.
	cross(0)
	before, reconnects := quotes(), h.app.stream.Status().Reconnects
	// Every code's trades arrive as ticks: each one's last trade reaches
	// the book the strategy reads.
	for round := range 3 {
		for i, c := range codes[1:] {
			fake.SetPrice(c, 10_000+int64((i+round)%3)*10)
			frames++
		}
	}
	for i, c := range codes[1:] {
		want := 10_000 + int64((i+2)%3)*10
		waitFor(t, "the last trade of "+c+" as a tick", func() bool {
			tk, ok := h.app.ticks.Last(broker.Code(c))
			return ok && tk.Price == want
		})
	}
	// A quarter of the rules cross, each ordered once (every order costs
	// two durable journal commits: all 40 made the test slow).
	for i := 1; i < len(codes)/4; i++ {
		cross(i)
	}
	waitFor(t, "every trade frame sent", func() bool { return fake.StreamFrames("H0STCNT0") >= frames })
	if st := h.app.stream.Status(); !st.Connected || st.Reconnects != reconnects {
		t.Fatalf("the stream went down during the window (%+v): the count below would not be of a stream that stayed up", st)
	}
	if got := quotes() - before; got != 0 {
		t.Fatalf("%d quote calls at the fake while the stream was up, want 0", got)
	}
	// Each code's order was seen once when it came; by now the later
	// codes' crossings have been decided too, so a second order of an
	// earlier code (a poll and a tick both acting) would show.
	for c, n := range orders() {
		if n != 1 {
			t.Fatalf("%s ordered %d times, want once", c, n)
		}
	}
	if n := len(orders()); n != len(codes)/4 {
		t.Fatalf("%d codes ordered, want %d", n, len(codes)/4)
	}
	t.Logf("quotes before the window (first round, day's limits): %d; during: 0; trade frames %d", before, fake.StreamFrames("H0STCNT0"))

	// Drop: resubscribed (the notice TR included) after the backoff.
	fake.DropStreams()
	waitFor(t, "resubscribed", func() bool { return fake.StreamSessions() == 1 && fake.StreamSubscriptions() == 41 })

	h.stop()
}
