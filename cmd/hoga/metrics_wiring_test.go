package main

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/hoga-trade/hoga/bot/telegramtest"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/clock"
)

// exposition scrapes the app's /metrics handler and parses it.
func exposition(t *testing.T, a *app) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.Header.Set("Accept", "text/plain; version=0.0.4")
	a.metrics.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("/metrics answered %d", rec.Code)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("exposition does not parse: %v", err)
	}
	return fams
}

// series sums the value of name's series whose labels include want:
// counters by value, histograms by observation count.
func series(fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	f, ok := fams[name]
	if !ok {
		return -1
	}
	sum := 0.0
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			sum += m.GetCounter().GetValue()
		case m.Histogram != nil:
			sum += float64(m.GetHistogram().GetSampleCount())
		case m.Gauge != nil:
			sum += m.GetGauge().GetValue()
		}
	}
	return sum
}

// TestMetricsWired builds hoga against the fake KIS and the fake Bot API,
// with a rules file, and checks that the hooks the parts expose reach the
// exposition: token issuance and rate-limit passes from the KIS client,
// Bot API requests from the Telegram adapter, rule evaluations from the
// strategy, beside the broker calls the observed broker counts.
func TestMetricsWired(t *testing.T) {
	t.Parallel()
	tg := telegramtest.Start(telegramtest.Config{Token: "7000000001:TESTTOKEN"})
	tg.AddChat(telegramtest.Chat{ID: 111, Type: "private"}) // the owner has sent /start: their menu can be set
	defer tg.Close()
	fake := brokertest.NewKIS(t, brokertest.KISFakeOptions{IssueGap: -1, RateLimit: -1, Stocks: kisStocks})
	fake.SetPrice("005930", 70_000) // between the example rule's thresholds: nothing fires
	key, secret, account := fake.Credentials()
	rules, err := os.ReadFile("../../deploy/rules.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	rulesFile := filepath.Join(dir, "rules.yaml")
	if err := os.WriteFile(rulesFile, rules, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(env(
		"HOGA_BROKER", "kis", "HOGA_MODE", "mock",
		"HOGA_KIS_APP_KEY", key, "HOGA_KIS_APP_SECRET", secret, "HOGA_KIS_ACCOUNT", account,
		// 20 a second: the second of two requests in a row waits 50 ms.
		"HOGA_KIS_BASE_URL", fake.URL(), "HOGA_KIS_RPS", "20",
		"HOGA_MARKET_HOURS", "always", "HOGA_RULES_FILE", rulesFile, "HOGA_STRATEGY_INTERVAL", "100ms",
		"HOGA_TELEGRAM_TOKEN", "7000000001:TESTTOKEN", "HOGA_TELEGRAM_API_URL", tg.URL,
		"HOGA_TELEGRAM_ALLOWED_USERS", "111",
		"HOGA_DATA_DIR", filepath.Join(dir, "data"),
	), nil)
	if err != nil {
		t.Fatal(err)
	}
	// The KIS client paces on a fake clock that moves only while a request
	// waits for the limiter. On the wall clock the second of two quotes
	// back to back waited only if it came within 50 ms of the first, and
	// on a loaded machine it did not: no wait, no series (it failed so
	// beside a second go test -race ./...). On this clock no time passes
	// between the two unless someone waited, so a wait is certain.
	pace := clock.NewFake(time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC))
	stopPace, paced := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(paced)
		for pace.BlockUntil(1, stopPace) {
			pace.Advance(50 * time.Millisecond)
		}
	}()
	defer func() { close(stopPace); <-paced }()
	a, err := build(withPaceClock(context.Background(), pace), cfg, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	for _, parts := range []map[string]func(context.Context) error{a.services, a.background} {
		for _, fn := range parts {
			wg.Add(1)
			go func() { defer wg.Done(); _ = fn(ctx) }()
		}
	}

	wait, stopWait := context.WithTimeout(ctx, testGuard)
	defer stopWait()
	if err := tg.WaitPolling(wait); err != nil { // start-up's getMe, deleteWebhook, setMyCommands are done
		t.Fatal(err)
	}
	waitFor(t, "a rule evaluation", func() bool {
		return series(exposition(t, a), "hoga_strategy_evaluations_total", nil) >= 1
	})
	for range 2 { // back to back: the second waits for the limiter
		if _, err := a.guard.Quote(ctx, "005930"); err != nil {
			t.Fatal(err)
		}
	}

	fams := exposition(t, a)
	kis := map[string]string{"broker": "kis"}
	for _, c := range []struct {
		name   string
		labels map[string]string
		min    float64
		max    float64 // 0: no upper bound
	}{
		{"hoga_broker_tokens_issued_total", kis, 1, 1},
		{"hoga_broker_rate_limited_total", kis, 0, 0}, // there from the start, at 0
		{"hoga_broker_ratelimit_wait_seconds", map[string]string{"broker": "kis", "api": "FHKST01010100"}, 3, 0},
		{"hoga_broker_ratelimit_waits_total", kis, 1, 0},
		{"hoga_broker_requests_total", map[string]string{"broker": "kis", "call": "quote", "outcome": "ok"}, 3, 0},
		{"hoga_broker_request_duration_seconds", map[string]string{"broker": "kis", "call": "quote"}, 3, 0},
		{"hoga_telegram_requests_total", map[string]string{"method": "getMe", "outcome": "ok"}, 1, 1},
		{"hoga_telegram_requests_total", map[string]string{"method": "setMyCommands", "outcome": "ok"}, 3, 3},
		{"hoga_telegram_requests_total", map[string]string{"method": "deleteMyCommands", "outcome": "ok"}, 3, 3},
		{"hoga_strategy_evaluations_total", nil, 1, 0},
		{"hoga_trading_halted", nil, 0, 0},
	} {
		got := series(fams, c.name, c.labels)
		if got < c.min || (c.max > 0 && got > c.max) || (c.min == 0 && c.max == 0 && got != 0) {
			t.Errorf("%s%v = %v; want %v…%v (-1: no such family)", c.name, c.labels, got, c.min, c.max)
		}
	}
	if n := fake.Issuances(); n != 1 {
		t.Errorf("the fake issued %d tokens; the metric should match it", n)
	}
}
