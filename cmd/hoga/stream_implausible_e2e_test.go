package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/broker/kis"
	"github.com/hoga-trade/hoga/clock"
	"github.com/hoga-trade/hoga/internal/redact"
)

// Issue 15, item 6 through run(): stream trades are checked against the
// day's limits as REST quotes are. Trades under the lower limit
// or over the upper limit (the KIS fake's 005930 at 65,800: limits 46,100
// to 85,500) are dropped and counted, never reach the "buy below 60,000 at
// market" rule, and the owner hears once after three in a row; a possible
// trade under 60,000 then buys once.
func TestImplausibleTicksAreDroppedThroughRun(t *testing.T) {
	t.Parallel()
	r := startStreamHogaRules(t, "kis", kstAt(2026, 12, 8, 10, 0, 0), "always",
		"rules:\n  - code: \"005930\"\n    buy_below: 60000\n    qty: 1\n    type: market\n", "1h")
	r.streaming()
	if !r.app.tickLimits.Known("005930", r.clk.Now()) {
		t.Fatal("the day's limits were not learnt before subscribing")
	}
	dropped := func() float64 {
		return series(exposition(t, r.app), "hoga_stream_ticks_dropped_total", map[string]string{"broker": "kis"})
	}
	// (A trade at 0 won does not get this far: the KIS frame parser counts
	// it as a decode error; TestTickLimits covers ≤ 0.)
	for i, price := range []int64{100, 90_000, 45_000, 100} {
		r.kis.StreamTrade("005930", price)
		waitFor(t, "the trade to be dropped", func() bool { return dropped() == float64(i+1) })
	}
	if n := len(r.kis.Orders()); n != 0 {
		t.Fatalf("%d orders on impossible trades", n)
	}
	if n := r.count("실시간 체결가가 있을 수 없는 값이라 3번 연속 버렸습니다 (마지막 45,000원, 하한가 46,100원, 상한가 85,500원)"); n != 1 {
		t.Fatalf("%d alerts for the run of impossible trades, want 1:\n%s", n, r.alerts.String())
	}
	if n := r.count("있을 수 없는 값이라"); n != 1 {
		t.Fatalf("%d alerts, want one per run:\n%s", n, r.alerts.String())
	}
	r.kis.StreamTrade("005930", 59_000)
	waitFor(t, "the buy on the possible trade", func() bool { return len(r.kis.Orders()) == 1 })
	if d := dropped(); d != 4 {
		t.Fatalf("dropped %v, want 4", d)
	}
}

// Issue 15, item 4 through run(): KIS refuses a subscription at its limit
// (OPSP0008; the fake's limit set lower than the client's 41). The code
// is polled, /status names it, and the owner hears once per code, not
// again when the next session is refused the same.
func TestStreamLimitRefusalThroughRun(t *testing.T) {
	t.Parallel()
	r := startStreamHogaRules(t, "kis", kstAt(2026, 12, 8, 10, 0, 0), "always",
		"rules:\n  - code: \"005930\"\n    buy_below: 1000\n    qty: 1\n  - code: \"000660\"\n    buy_below: 1000\n    qty: 1\n", "100ms")
	r.kis.SetStreamLimit(1)
	r.tick() // the supervisor subscribes both, in code order: 000660 is asked first
	waitFor(t, "the refusal to be told", func() bool {
		return r.count("실시간 구독 한도 초과로 거절했습니다 (KIS OPSP0008)") == 1
	})
	// The refusal's alert comes after the session is marked up (the
	// stream's read loop marks it at the first frame, before handling
	// it): Connected was read false here when the session's own loop did.
	st := r.app.stream.Status()
	if len(st.Polled) != 1 || st.Polled[0] != "005930" || len(st.Subscribed) != 1 || !r.app.stream.Streaming(st.Subscribed[0]) {
		t.Fatalf("status %+v", st)
	}
	polled := string(st.Polled[0])
	base := r.kis.QuoteCalls(polled)
	r.polled("the refused code to be polled", 100*time.Millisecond, func() bool { return r.kis.QuoteCalls(polled) > base })
	r.send("/status")
	waitFor(t, "/status to name the polled code", func() bool {
		return strings.Contains(r.out.String(), "구독 한도 초과로 조회하는 종목: "+polled)
	})
	r.kis.DropStreams()
	waitFor(t, "the drop", func() bool { return !r.app.stream.Status().Connected })
	r.reconnect()
	// A new session subscribes in code order: 000660's answer brings it
	// up, and 005930 streams from then until its refusal is handled.
	waitFor(t, "the second refusal to be handled", func() bool {
		return r.app.stream.Streaming("000660") && !r.app.stream.Streaming("005930")
	})
	for _, code := range []string{"000660", "005930"} {
		if n := r.count(code + ": 증권사가 실시간 구독 한도"); n > 1 {
			t.Fatalf("%d limit alerts for %s, want at most one per code:\n%s", n, code, r.alerts.String())
		}
	}
	if r.count("005930: 증권사가 실시간 구독 한도") != 1 {
		t.Fatalf("005930's refusal not told:\n%s", r.alerts.String())
	}
}

// Issue 15, item 4 through run(): another program holds the app key's KIS
// realtime session (OPSP8996 ALREADY IN USE). hoga's stream never comes
// up, the rule's code is polled, and the owner hears once, not at every
// retry.
func TestStreamKeyInUseThroughRun(t *testing.T) {
	t.Parallel()
	fake := brokertest.NewKIS(t, brokertest.KISFakeOptions{IssueGap: -1, RateLimit: -1})
	key, secret, account := fake.Credentials()
	other, err := kis.New(kis.Options{AppKey: redact.Secret(key), AppSecret: redact.Secret(secret), Account: account, BaseURL: fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	otherUp := make(chan struct{}, 1)
	held := other.NewStream(kis.StreamOptions{URL: fake.WSURL(), OnUp: func() { otherUp <- struct{}{} }})
	held.Subscribe("000660")
	octx, ocancel := context.WithCancel(context.Background())
	odone := make(chan struct{})
	go func() { _ = held.Run(octx); close(odone) }()
	defer func() { ocancel(); <-odone }()
	<-otherUp

	dir := t.TempDir()
	rules := filepath.Join(dir, "rules.yaml")
	if err := os.WriteFile(rules, []byte("rules:\n  - code: \"005930\"\n    buy_below: 1000\n    qty: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := startHoga(t, clock.NewFake(kstAt(2026, 12, 8, 10, 0, 0)), kisEnv(fake, dir, "HOGA_KIS_WS_URL", fake.WSURL(),
		"HOGA_RULES_FILE", rules, "HOGA_STRATEGY_INTERVAL", "100ms"))
	alerts := &alertLog{}
	h.app.feed.AddSink(alerts)
	const inUse = "같은 앱키로 다른 프로그램"
	waitFor(t, "the stream supervisor to start", func() bool { return h.app.streamLooks.Load() > 0 })
	tick := func() {
		looks := h.app.streamLooks.Load()
		h.clk.Advance(time.Second)
		waitFor(t, "the stream supervisor to look", func() bool { return h.app.streamLooks.Load() > looks })
	}
	tick() // 005930 wanted
	waitFor(t, "the refusal to be told", func() bool { return alerts.count(inUse) == 1 })
	base := fake.QuoteCalls("005930")
	h.polled("005930 to be polled", 100*time.Millisecond, func() bool { return fake.QuoteCalls("005930") > base })
	for range 40 { // retries with backoff, each refused
		tick()
	}
	if h.app.stream.Status().Connected {
		t.Fatal("hoga's stream came up while another held the key")
	}
	if n := alerts.count(inUse); n != 1 {
		t.Fatalf("%d in-use alerts over 40 s of retries, want 1:\n%s", n, alerts.String())
	}
}
