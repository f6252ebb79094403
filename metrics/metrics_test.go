package metrics

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
)

// scrape serves m.Handler and parses the text exposition.
func scrape(t *testing.T, m *Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	req.Header.Set("Accept", "text/plain; version=0.0.4")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape status %d", resp.StatusCode)
	}
	body, _ := io.ReadAll(resp.Body)
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("exposition does not parse: %v\n%s", err, body)
	}
	return fams
}

func TestBrokerHookCountsByCallAndOutcome(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		err     error
		outcome string
	}{
		{"ok", nil, "ok"},
		{"rate_limited", &broker.Error{Kind: broker.RateLimited, Code: "EGW00201"}, "rate_limited"},
		{"wrapped_unknown", fmt.Errorf("place: %w", &broker.Error{Kind: broker.UnknownOutcome}), "unknown_outcome"},
		{"canceled", context.Canceled, "canceled"},
		{"timeout", fmt.Errorf("x: %w", context.DeadlineExceeded), "timeout"},
		{"plain", errors.New("boom"), "internal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := New()
			sb := brokertest.NewBroker("stub", nil)
			sb.SetQuote(broker.Quote{Code: "005930", Price: 70_000})
			sb.Fail("", tt.err) // every call answers tt.err
			b := broker.Observe(sb, m.BrokerHook(sb.Name()))
			ctx := context.Background()
			q, qerr := b.Quote(ctx, "005930")
			if tt.err == nil && q.Price != 70_000 || !errors.Is(qerr, tt.err) && qerr != tt.err {
				t.Fatalf("Quote passed through %v, %v", q, qerr)
			}
			o, _ := b.PlaceOrder(ctx, broker.OrderRequest{Code: "005930", ClientID: "c1"})
			if tt.err == nil && o.ID != "0000000001" {
				t.Fatalf("PlaceOrder result changed: %+v", o)
			}
			b.CancelOrder(ctx, broker.CancelRequest{OrderID: "9"})
			b.OrdersToday(ctx)
			b.Balance(ctx)
			b.Balance(ctx)
			if n := sb.Calls(); n != 6 {
				t.Fatalf("inner calls = %d; want 6", n)
			}
			if b.Name() != "stub" {
				t.Fatalf("Name = %q", b.Name())
			}
			for call, want := range map[string]float64{CallQuote: 1, CallPlaceOrder: 1, CallCancelOrder: 1, CallOrdersToday: 1, CallBalance: 2} {
				got := testutil.ToFloat64(m.brokerRequests.WithLabelValues("stub", call, tt.outcome))
				if got != want {
					t.Errorf("requests{call=%s,outcome=%s} = %v; want %v", call, tt.outcome, got, want)
				}
			}
			if n := testutil.CollectAndCount(m.brokerDuration); n != 5 {
				t.Errorf("duration series = %d; want 5 (one per call)", n)
			}
		})
	}
}

// TestBrokerHookValueAndError: a call that answers a value and an error
// together is counted by its error, and both pass through the hook's
// decorator unchanged.
func TestBrokerHookValueAndError(t *testing.T) {
	t.Parallel()
	m := New()
	sb := brokertest.NewBroker("stub", nil)
	sb.SetQuote(broker.Quote{Code: "005930", Price: 70_000})
	sb.SetBalance(broker.Balance{Cash: 5})
	lost := fmt.Errorf("place: %w", &broker.Error{Kind: broker.UnknownOutcome})
	sb.FailAfter("", lost)
	b := broker.Observe(sb, m.BrokerHook(sb.Name()))
	ctx := context.Background()
	if q, err := b.Quote(ctx, "005930"); q.Price != 70_000 || err != lost {
		t.Fatalf("Quote passed through %v, %v", q, err)
	}
	if o, err := b.PlaceOrder(ctx, broker.OrderRequest{Code: "005930", ClientID: "c1"}); o.ID != "0000000001" || err != lost {
		t.Fatalf("PlaceOrder passed through %+v, %v", o, err)
	}
	if bal, err := b.Balance(ctx); bal.Cash != 5 || err != lost {
		t.Fatalf("Balance passed through %+v, %v", bal, err)
	}
	for _, call := range []string{CallQuote, CallPlaceOrder, CallBalance} {
		if got := testutil.ToFloat64(m.brokerRequests.WithLabelValues("stub", call, "unknown_outcome")); got != 1 {
			t.Errorf("requests{call=%s,outcome=unknown_outcome} = %v; want 1", call, got)
		}
	}
}

func TestBrokerHookNilMetricsIsIdentity(t *testing.T) {
	t.Parallel()
	sb := brokertest.NewBroker("stub", nil)
	var m *Metrics
	if got := broker.Observe(sb, m.BrokerHook(sb.Name())); got != broker.Broker(sb) {
		t.Fatal("nil metrics should return the broker unwrapped")
	}
}

func TestNilMetricsIgnoresEveryHook(t *testing.T) {
	t.Parallel()
	var m *Metrics
	m.BrokerRequest("kis", CallQuote, nil, time.Second)
	m.RateLimitWait("kis", "FHKST01010100", time.Second)
	m.TokenIssued("kis")
	m.OrderEvent(broker.OrderEvent{Kind: broker.EventPlaced})
	m.SetHalted(true)
	m.TelegramSend("sendMessage", TelegramOK)
	m.StrategyEvaluation()
	m.StrategyFire("005930", "buy")
	m.HTTPRequest("GET /healthz", 200, time.Millisecond)
	if m.Registry() != nil {
		t.Fatal("nil metrics has a registry")
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusNotFound {
		t.Fatalf("nil handler status %d", rec.Code)
	}
}

func TestRateLimitWaitCountsOnlyRealWaits(t *testing.T) {
	t.Parallel()
	m := New()
	m.RateLimitWait("kiwoom", "ka10001", 0)
	m.RateLimitWait("kiwoom", "ka10001", 250*time.Millisecond)
	m.RateLimitWait("kiwoom", "ka10001", -time.Second) // clamped to 0
	if got := testutil.ToFloat64(m.rlWaits.WithLabelValues("kiwoom", "ka10001")); got != 1 {
		t.Errorf("waits = %v; want 1", got)
	}
	fams := scrape(t, m)
	h := fams["hoga_broker_ratelimit_wait_seconds"].GetMetric()[0].GetHistogram()
	if h.GetSampleCount() != 3 || h.GetSampleSum() != 0.25 {
		t.Errorf("histogram count %d sum %v; want 3, 0.25", h.GetSampleCount(), h.GetSampleSum())
	}
}

func TestOrderEvents(t *testing.T) {
	t.Parallel()
	m := New()
	req := broker.OrderRequest{Code: "005930", Side: broker.Buy, Source: "http"}
	m.OrderEvent(broker.OrderEvent{Kind: broker.EventPlaced, Request: req, Order: broker.Order{ID: "1", Status: broker.StatusAccepted}})
	m.OrderEvent(broker.OrderEvent{Kind: broker.EventPlaced, Request: req, Order: broker.Order{ID: "2"}})
	m.OrderEvent(broker.OrderEvent{Kind: broker.EventRejected, Request: req, Err: &broker.Error{Kind: broker.Halted}})
	m.OrderEvent(broker.OrderEvent{Kind: broker.EventUnknown, Request: broker.OrderRequest{Source: "strategy"}})
	m.OrderEvent(broker.OrderEvent{Kind: broker.EventReconciled, Request: broker.OrderRequest{Source: "strategy"},
		Order: broker.Order{Status: broker.StatusRejected}, Err: &broker.Error{Kind: broker.InsufficientFunds}})
	m.OrderEvent(broker.OrderEvent{Kind: broker.EventCancelled, Order: broker.Order{Source: "telegram"}})
	m.OrderEvent(broker.OrderEvent{Kind: broker.EventPlaced, Request: broker.OrderRequest{Source: "H2026x-order-id"}})
	m.OrderEvent(broker.OrderEvent{Kind: broker.EventHalted, By: "telegram:1"})
	// A protective exit's sell is counted as the exit's, not a rule's:
	// from its request, or from the order when a fill has no request.
	m.OrderEvent(broker.OrderEvent{Kind: broker.EventPlaced, Request: broker.OrderRequest{Source: "strategy", User: "exit:005930:stop", Side: broker.Sell},
		Order: broker.Order{ID: "3", Status: broker.StatusAccepted}})
	m.OrderEvent(broker.OrderEvent{Kind: broker.EventFilled, Order: broker.Order{ID: "3", Status: broker.StatusFilled, Source: "strategy", User: "exit:005930:stop"}})
	m.OrderEvent(broker.OrderEvent{Kind: broker.EventFilled, Order: broker.Order{ID: "4", Status: broker.StatusFilled, Source: "strategy", User: "rule:005930"}})

	tests := []struct {
		source, event, state string
		want                 float64
	}{
		{"http", "placed", "accepted", 2},
		{"http", "rejected", "rejected", 1},
		{"strategy", "unknown", "unknown", 1},
		{"strategy", "reconciled", "rejected", 1},
		{"telegram", "cancelled", "cancelled", 1},
		{"other", "placed", "accepted", 1}, // free-form sources never become labels
		{"exit", "placed", "accepted", 1},
		{"exit", "filled", "filled", 1},
		{"strategy", "filled", "filled", 1},
	}
	for _, tt := range tests {
		if got := testutil.ToFloat64(m.orderEvents.WithLabelValues(tt.source, tt.event, tt.state)); got != tt.want {
			t.Errorf("order_events{%s,%s,%s} = %v; want %v", tt.source, tt.event, tt.state, got, tt.want)
		}
	}
	if got := testutil.ToFloat64(m.rejections.WithLabelValues("http", "halted")); got != 1 {
		t.Errorf("rejections{http,halted} = %v", got)
	}
	if got := testutil.ToFloat64(m.rejections.WithLabelValues("strategy", "insufficient_funds")); got != 1 {
		t.Errorf("rejections{strategy,insufficient_funds} = %v", got)
	}
	if got := testutil.ToFloat64(m.halted); got != 1 {
		t.Errorf("halted = %v; want 1", got)
	}
	m.OrderEvent(broker.OrderEvent{Kind: broker.EventResumed})
	if got := testutil.ToFloat64(m.halted); got != 0 {
		t.Errorf("halted after resume = %v; want 0", got)
	}
	m.SetHalted(true)
	if got := testutil.ToFloat64(m.halted); got != 1 {
		t.Errorf("SetHalted(true) = %v", got)
	}
}

func TestTelegramStrategyTokensHTTP(t *testing.T) {
	t.Parallel()
	m := New()
	m.TelegramSend("sendMessage", TelegramOK)
	m.TelegramSend("sendMessage", TelegramOK)
	m.TelegramSend("sendMessage", TelegramRateLimited)
	m.TokenIssued("kis")
	m.StrategyEvaluation()
	m.StrategyEvaluation()
	m.StrategyEvaluation()
	m.StrategyFire("005930", "buy")
	m.StrategyFire("005930", "sideways")
	m.HTTPRequest("GET /price/{code}", 200, 5*time.Millisecond)
	m.HTTPRequest("", 404, time.Millisecond)

	checks := []struct {
		name string
		got  float64
		want float64
	}{
		{"telegram ok", testutil.ToFloat64(m.telegram.WithLabelValues("sendMessage", "ok")), 2},
		{"telegram 429", testutil.ToFloat64(m.telegram.WithLabelValues("sendMessage", "rate_limited")), 1},
		{"tokens", testutil.ToFloat64(m.tokens.WithLabelValues("kis")), 1},
		{"evaluations", testutil.ToFloat64(m.strategyEvals), 3},
		{"fires buy", testutil.ToFloat64(m.strategyFires.WithLabelValues("005930", "buy")), 1},
		{"fires bad side", testutil.ToFloat64(m.strategyFires.WithLabelValues("005930", "other")), 1},
		{"http", testutil.ToFloat64(m.httpRequests.WithLabelValues("GET /price/{code}", "200")), 1},
		{"http unmatched", testutil.ToFloat64(m.httpRequests.WithLabelValues("unknown", "404")), 1},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v; want %v", c.name, c.got, c.want)
		}
	}
}

func TestLabelCardinalityIsBounded(t *testing.T) {
	t.Parallel()
	m := New()
	for i := range 500 {
		m.StrategyFire(fmt.Sprintf("%06d", i), "sell")
		m.TelegramSend(fmt.Sprintf("method%d", i), TelegramOK)
	}
	if n := testutil.CollectAndCount(m.strategyFires); n != maxLabelValues+1 {
		t.Errorf("strategy fire series = %d; want %d (the cap plus other)", n, maxLabelValues+1)
	}
	if got := testutil.ToFloat64(m.strategyFires.WithLabelValues("other", "sell")); got != 500-maxLabelValues {
		t.Errorf("other = %v; want %d", got, 500-maxLabelValues)
	}
	if n := testutil.CollectAndCount(m.telegram); n != maxLabelValues+1 {
		t.Errorf("telegram series = %d", n)
	}
}

func TestLabelSetSanitises(t *testing.T) {
	t.Parallel()
	s := newLabelSet()
	tests := []struct{ in, want string }{
		{"", "unknown"},
		{"ok", "ok"},
		{"bad\xffutf8", "bad?utf8"},
		{strings.Repeat("가", 30), strings.Repeat("가", 21)}, // 90 bytes → cut at a rune start ≤ 64
	}
	for _, tt := range tests {
		if got := s.bound(tt.in); got != tt.want {
			t.Errorf("bound(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestExpositionParsesAndLints(t *testing.T) {
	t.Parallel()
	m := New()
	// Touch every vector so each family has a series to lint.
	m.BrokerRequest("paper", CallQuote, nil, time.Millisecond)
	m.BrokerRequest("paper", "made_up_call", nil, time.Millisecond)
	m.RateLimitWait("kis", "FHKST01010100", time.Millisecond)
	m.TokenIssued("kis")
	m.OrderEvent(broker.OrderEvent{Kind: broker.EventRejected, Request: broker.OrderRequest{Source: "console"}, Err: &broker.Error{Kind: broker.LimitExceeded}})
	m.TelegramSend("sendMessage", TelegramError)
	m.StrategyEvaluation()
	m.RateLimited("kis")
	m.StrategyFire("005930", "sell")
	m.HTTPRequest("GET /healthz", 200, time.Millisecond)

	problems, err := testutil.GatherAndLint(m.Registry())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		if strings.HasPrefix(p.Metric, "hoga_") {
			t.Errorf("lint: %s: %s", p.Metric, p.Text)
		}
	}
	for name, coll := range map[string]prometheus.Collector{
		"broker_requests": m.brokerRequests, "broker_duration": m.brokerDuration, "rl_waits": m.rlWaits,
		"rl_wait_seconds": m.rlWaitSeconds, "tokens": m.tokens, "rate_limited": m.rateLimited, "order_events": m.orderEvents,
		"rejections": m.rejections, "halted": m.halted, "telegram": m.telegram, "evals": m.strategyEvals,
		"fires": m.strategyFires, "http": m.httpRequests, "http_duration": m.httpDuration,
	} {
		problems, err := testutil.CollectAndLint(coll)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, p := range problems {
			t.Errorf("lint %s: %s: %s", name, p.Metric, p.Text)
		}
	}

	fams := scrape(t, m)
	want := map[string]dto.MetricType{
		"hoga_build_info":                      dto.MetricType_GAUGE,
		"hoga_broker_requests_total":           dto.MetricType_COUNTER,
		"hoga_broker_request_duration_seconds": dto.MetricType_HISTOGRAM,
		"hoga_broker_ratelimit_waits_total":    dto.MetricType_COUNTER,
		"hoga_broker_ratelimit_wait_seconds":   dto.MetricType_HISTOGRAM,
		"hoga_broker_tokens_issued_total":      dto.MetricType_COUNTER,
		"hoga_broker_rate_limited_total":       dto.MetricType_COUNTER,
		"hoga_order_events_total":              dto.MetricType_COUNTER,
		"hoga_order_rejections_total":          dto.MetricType_COUNTER,
		"hoga_trading_halted":                  dto.MetricType_GAUGE,
		"hoga_telegram_requests_total":         dto.MetricType_COUNTER,
		"hoga_strategy_evaluations_total":      dto.MetricType_COUNTER,
		"hoga_strategy_fires_total":            dto.MetricType_COUNTER,
		"hoga_http_requests_total":             dto.MetricType_COUNTER,
		"hoga_http_request_duration_seconds":   dto.MetricType_HISTOGRAM,
		"go_goroutines":                        dto.MetricType_GAUGE,
	}
	for name, typ := range want {
		f, ok := fams[name]
		if !ok {
			t.Errorf("%s missing from the exposition", name)
			continue
		}
		if f.GetType() != typ {
			t.Errorf("%s is %v; want %v", name, f.GetType(), typ)
		}
		if f.GetHelp() == "" {
			t.Errorf("%s has no help", name)
		}
	}
	if got := testutil.ToFloat64(m.brokerRequests.WithLabelValues("paper", "other", "ok")); got != 1 {
		t.Errorf("an unknown call name should count as other, got %v", got)
	}
	bi := fams["hoga_build_info"].GetMetric()[0]
	if bi.GetGauge().GetValue() != 1 || len(bi.GetLabel()) != 3 {
		t.Errorf("build info = %v", bi)
	}
}
