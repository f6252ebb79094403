// Package metrics holds hoga's Prometheus collectors on a registry of its
// own, and the typed hooks the other packages call to feed them.
//
// A dedicated registry (not prometheus.DefaultRegisterer) keeps tests
// independent of each other and keeps library packages free of globals:
// cmd/hoga builds one *Metrics, hands its hooks to the parts, and serves
// Handler on /metrics (bot/httpapi does that).
//
// Every method works on a nil *Metrics and does nothing, so a part can take
// an optional *Metrics without checking it.
//
// Label values are bounded: calls and outcomes come from fixed sets, and
// every free-form label (broker, api, method, stock code) keeps at most
// maxLabelValues distinct values, after which new values are counted as
// "other". Order ids and stock codes never appear as labels, except the
// code on strategy fires, where the rules are few.
//
// The metrics, all prefixed hoga_ (plus the standard go_* and process_*):
//
//	hoga_build_info{version,revision,go_version}          gauge, always 1
//	hoga_broker_requests_total{broker,call,outcome}        counter
//	hoga_broker_request_duration_seconds{broker,call}      histogram
//	hoga_broker_ratelimit_waits_total{broker,api}          counter
//	hoga_broker_ratelimit_wait_seconds{broker,api}         histogram
//	hoga_broker_tokens_issued_total{broker}                counter
//	hoga_broker_rate_limited_total{broker}                 counter
//	hoga_order_events_total{source,event,state}            counter
//	hoga_order_rejections_total{source,kind}               counter
//	hoga_trading_halted                                    gauge
//	hoga_telegram_requests_total{method,outcome}           counter
//	hoga_strategy_evaluations_total                        counter
//	hoga_strategy_fires_total{code,side}                   counter
//	hoga_http_requests_total{route,code}                   counter
//	hoga_http_request_duration_seconds{route}              histogram
//
// Each is documented where it is built, in New.
package metrics

import (
	"net/http"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/hoga-trade/hoga/broker"
)

// maxLabelValues bounds the distinct values one free-form label may take;
// later newcomers are reported as otherLabel. Generous for hoga's real
// sets (three brokers, a few dozen API ids, a handful of rules), small
// enough that a bug feeding ids into a label cannot blow up the registry.
const maxLabelValues = 64

// otherLabel replaces label values beyond maxLabelValues.
const otherLabel = "other"

// Broker call names, the call label of the broker metrics: the names
// broker.Observe gives its hooks.
const (
	CallQuote       = broker.CallQuote
	CallPlaceOrder  = broker.CallPlaceOrder
	CallCancelOrder = broker.CallCancelOrder
	CallOrdersToday = broker.CallOrdersToday
	CallBalance     = broker.CallBalance
	CallCandles     = broker.CallCandles
)

// Telegram outcomes for TelegramSend. Others are accepted (bounded).
const (
	TelegramOK          = "ok"
	TelegramRateLimited = "rate_limited" // the Bot API answered 429
	TelegramError       = "error"
)

// Metrics is hoga's set of collectors on its own registry. Create it with
// New; it is safe for concurrent use, and a nil *Metrics ignores every call.
type Metrics struct {
	reg *prometheus.Registry

	brokerRequests *prometheus.CounterVec
	brokerDuration *prometheus.HistogramVec
	rlWaits        *prometheus.CounterVec
	rlWaitSeconds  *prometheus.HistogramVec
	tokens         *prometheus.CounterVec
	rateLimited    *prometheus.CounterVec
	orderEvents    *prometheus.CounterVec
	rejections     *prometheus.CounterVec
	halted         prometheus.Gauge
	telegram       *prometheus.CounterVec
	strategyEvals  prometheus.Counter
	streamMsgs     *prometheus.CounterVec
	streamReconns  *prometheus.CounterVec
	streamDecode   *prometheus.CounterVec
	streamDropped  *prometheus.CounterVec
	tickDecision   prometheus.Histogram
	strategyFires  *prometheus.CounterVec
	httpRequests   *prometheus.CounterVec
	httpDuration   *prometheus.HistogramVec
	tracker        trackerSet

	brokers, apis, methods, tgOutcomes, codes, routes *labelSet
}

// New builds the collectors and registers them, with the Go runtime,
// process and build-info collectors, on a new registry.
func New() *Metrics {
	m := &Metrics{
		reg:        prometheus.NewRegistry(),
		brokers:    newLabelSet(),
		apis:       newLabelSet(),
		methods:    newLabelSet(),
		tgOutcomes: newLabelSet(),
		codes:      newLabelSet(),
		routes:     newLabelSet(),
	}

	// Every call hoga makes to the configured broker (not the guard's
	// refusals, which never reach it), by call and by outcome: "ok", or
	// the broker.Kind of the error ("rate_limited", "transient",
	// "unknown_outcome", …), or "canceled"/"timeout" for a context that
	// ended before the broker answered.
	m.brokerRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hoga_broker_requests_total",
		Help: "Broker API calls by broker, call (quote, place_order, cancel_order, orders_today, balance) and outcome (ok or the error kind).",
	}, []string{"broker", "call", "outcome"})
	// Latency of those calls, whatever their outcome; the buckets reach
	// past the default 10 s HOGA_BROKER_TIMEOUT.
	m.brokerDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "hoga_broker_request_duration_seconds",
		Help:    "Latency of broker API calls, including client-side rate-limit waits and retries.",
		Buckets: []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20},
	}, []string{"broker", "call"})
	// How often the client-side limiter made a request wait (d > 0), per
	// broker and API (KIS tr_id, Kiwoom api-id): a rising rate means the
	// configured HOGA_*_RPS is the bottleneck.
	m.rlWaits = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hoga_broker_ratelimit_waits_total",
		Help: "Requests the client-side rate limiter delayed, by broker and API.",
	}, []string{"broker", "api"})
	// Every limiter pass, including those that did not wait (observed as
	// 0): the share delayed is waits_total / wait_seconds_count.
	m.rlWaitSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "hoga_broker_ratelimit_wait_seconds",
		Help:    "Time requests spent waiting for the client-side rate limiter, by broker and API.",
		Buckets: []float64{0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5},
	}, []string{"broker", "api"})
	// Access tokens issued (not loaded from the cache). KIS throttles
	// issuance to one a minute and asks apps to reuse a token for a day:
	// more than one or two a day points at a broken token cache.
	m.tokens = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hoga_broker_tokens_issued_total",
		Help: "Broker access tokens issued, by broker.",
	}, []string{"broker"})
	// Rate-limit refusals the broker answered (KIS EGW00201, Kiwoom
	// 1700–1702 / HTTP 429), retried ones included. hoga paces under the
	// brokers' limits with a margin (RELIABILITY.md), so anything above 0
	// means the pacing or the broker changed (issue 20.5).
	m.rateLimited = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hoga_broker_rate_limited_total",
		Help: "Requests the broker refused for the request rate, by broker; 0 when hoga's pacing holds.",
	}, []string{"broker"})
	// The guard's order events: event is the broker.EventKind (placed,
	// rejected, unknown, reconciled, filled, cancelled), state the order
	// state it left (accepted, rejected, unknown, filled, …), source where
	// the order came from (console, telegram, http, strategy for a rule's,
	// exit for a protective exit's sell).
	m.orderEvents = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hoga_order_events_total",
		Help: "Order events from the guard, by source, event and resulting state.",
	}, []string{"source", "event", "state"})
	// Why orders were refused, by error kind (halted, limit_exceeded,
	// market_closed, rejected, insufficient_funds, …).
	m.rejections = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hoga_order_rejections_total",
		Help: "Orders refused by hoga's checks or the broker, by source and error kind.",
	}, []string{"source", "kind"})
	// The kill switch, as last seen (halted/resumed events, SetHalted).
	m.halted = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "hoga_trading_halted",
		Help: "1 while the kill switch (/halt) is on, else 0.",
	})
	// Telegram Bot API calls by method (sendMessage, editMessageText, …)
	// and outcome (ok, rate_limited for a 429, error).
	m.telegram = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hoga_telegram_requests_total",
		Help: "Telegram Bot API calls by method and outcome (ok, rate_limited, error).",
	}, []string{"method", "outcome"})
	// Rule evaluations: one per rule per price the engine looked at.
	m.streamMsgs = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hoga_stream_messages_total", Help: "Realtime messages decoded, by broker and type (trade, notice).",
	}, []string{"broker", "type"})
	m.streamReconns = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hoga_stream_reconnects_total", Help: "Realtime sessions lost and reopened, by broker.",
	}, []string{"broker"})
	m.streamDecode = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hoga_stream_decode_errors_total", Help: "Realtime frames that could not be decoded, by broker.",
	}, []string{"broker"})
	m.streamDropped = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hoga_stream_ticks_dropped_total", Help: "Realtime trades dropped as impossible (price ≤ 0 or outside the day's limits), by broker.",
	}, []string{"broker"})
	m.tickDecision = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "hoga_tick_decision_seconds", Help: "From a realtime trade frame being read to the rule's decision.",
		Buckets: []float64{0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5},
	})
	m.strategyEvals = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "hoga_strategy_evaluations_total",
		Help: "Strategy rule evaluations against a fresh price.",
	})
	// Rules that fired (an order was placed or asked for), by code and leg.
	m.strategyFires = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hoga_strategy_fires_total",
		Help: "Strategy rules that fired, by stock code and side.",
	}, []string{"code", "side"})
	// The HTTP control API, by route pattern ("GET /price/{code}", never
	// the concrete path) and status code.
	m.httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hoga_http_requests_total",
		Help: "HTTP control API requests by route pattern and status code.",
	}, []string{"route", "code"})
	m.httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "hoga_http_request_duration_seconds",
		Help:    "HTTP control API request latency by route pattern.",
		Buckets: prometheus.DefBuckets,
	}, []string{"route"})

	version, revision := BuildVersion()
	// hoga_build_info is always 1; its labels say which build is running,
	// so a dashboard can show a deploy and join on it.
	buildInfo := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "hoga_build_info",
		Help: "Always 1; labelled with the running hoga build's version, VCS revision and Go version.",
	}, []string{"version", "revision", "go_version"})
	buildInfo.WithLabelValues(version, revision, runtime.Version()).Set(1)

	m.tracker = newTrackerSet()
	m.reg.MustRegister(m.tracker.collectors()...)
	m.reg.MustRegister(
		m.brokerRequests, m.brokerDuration, m.rlWaits, m.rlWaitSeconds, m.tokens, m.rateLimited,
		m.orderEvents, m.rejections, m.halted, m.telegram, m.strategyEvals, m.strategyFires,
		m.streamMsgs, m.streamReconns, m.streamDecode, m.streamDropped, m.tickDecision,
		m.httpRequests, m.httpDuration, buildInfo,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// BuildVersion reads the module version and VCS revision ("+dirty" when
// built from a modified tree) from the binary; "unknown" when absent.
// `hoga version` prints the same pair.
func BuildVersion() (version, revision string) {
	version, revision = "unknown", "unknown"
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return version, revision
	}
	if bi.Main.Version != "" {
		version = bi.Main.Version
	}
	dirty := ""
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if len(revision) > 12 {
		revision = revision[:12]
	}
	if revision != "unknown" {
		revision += dirty
	}
	return version, revision
}

// Registry is the registry the collectors live on, for a part that wants
// to add its own collector or a test that gathers.
func (m *Metrics) Registry() *prometheus.Registry {
	if m == nil {
		return nil
	}
	return m.reg
}

// Handler serves the registry in the Prometheus exposition format
// (text or protobuf, as the scraper asks). Errors collecting one metric do
// not hide the others.
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorHandling:     promhttp.ContinueOnError,
		Registry:          m.reg,
		EnableOpenMetrics: true,
	})
}

// BrokerRequest records one call to a broker: call is one of the Call*
// constants, err its result (nil for success), d how long it took.
// BrokerHook calls it; a part that calls a broker API outside the
// broker.Broker interface may call it too.
func (m *Metrics) BrokerRequest(brokerName, call string, err error, d time.Duration) {
	if m == nil {
		return
	}
	b := m.brokers.bound(brokerName)
	switch call {
	case CallQuote, CallPlaceOrder, CallCancelOrder, CallOrdersToday, CallBalance, CallCandles:
	default:
		call = otherLabel
	}
	m.brokerRequests.WithLabelValues(b, call, Outcome(err)).Inc()
	m.brokerDuration.WithLabelValues(b, call).Observe(d.Seconds())
}

// RateLimitWait records one pass through a broker client's rate limiter:
// api is the broker's API id (KIS tr_id, Kiwoom api-id), d how long the
// request waited, 0 when it did not. Call it for every pass, waits or not.
func (m *Metrics) RateLimitWait(brokerName, api string, d time.Duration) {
	if m == nil {
		return
	}
	b, a := m.brokers.bound(brokerName), m.apis.bound(api)
	if d < 0 {
		d = 0
	}
	if d > 0 {
		m.rlWaits.WithLabelValues(b, a).Inc()
	}
	m.rlWaitSeconds.WithLabelValues(b, a).Observe(d.Seconds())
}

// RateLimited records one refusal for the request rate from brokerName
// (a retried one too). The api id is not a label: a refusal should never
// happen, and the log names the api when it does.
func (m *Metrics) RateLimited(brokerName string) {
	if m == nil {
		return
	}
	m.rateLimited.WithLabelValues(m.brokers.bound(brokerName)).Inc()
}

// BrokerConfigured makes brokerName's refusal counter exist at 0 from the
// start, so an alert on hoga_broker_rate_limited_total > 0 (or its rate)
// has a series to watch before the first refusal.
func (m *Metrics) BrokerConfigured(brokerName string) {
	if m == nil {
		return
	}
	m.rateLimited.WithLabelValues(m.brokers.bound(brokerName)).Add(0)
}

// TokenIssued records a new access token from brokerName's token endpoint
// (not one read from the token cache).
func (m *Metrics) TokenIssued(brokerName string) {
	if m == nil {
		return
	}
	m.tokens.WithLabelValues(m.brokers.bound(brokerName)).Inc()
}

// OrderEvent records one event of the guard's event stream; give it to
// guard.Options.OnEvent alongside the alert feed.
func (m *Metrics) OrderEvent(ev broker.OrderEvent) {
	if m == nil {
		return
	}
	switch ev.Kind {
	case broker.EventHalted:
		m.halted.Set(1)
		return
	case broker.EventResumed:
		m.halted.Set(0)
		return
	}
	source, user := ev.Request.Source, ev.Request.User
	if source == "" {
		source, user = ev.Order.Source, ev.Order.User
	}
	if source == "strategy" && strings.HasPrefix(user, broker.ExitUserPrefix) {
		source = "exit" // a protective exit's sell, not a rule's order
	}
	source = orderSource(source)
	state := eventState(ev)
	m.orderEvents.WithLabelValues(source, eventLabel(ev.Kind), state).Inc()
	if ev.Kind == broker.EventRejected || (ev.Kind == broker.EventReconciled && state == string(broker.StatusRejected)) {
		kind := broker.Rejected
		if ev.Err != nil {
			kind = broker.KindOf(ev.Err)
		}
		m.rejections.WithLabelValues(source, kind.String()).Inc()
	}
}

// SetHalted sets the kill-switch gauge; call it once at start-up with the
// guard's persisted state (events keep it current afterwards).
func (m *Metrics) SetHalted(on bool) {
	if m == nil {
		return
	}
	if on {
		m.halted.Set(1)
	} else {
		m.halted.Set(0)
	}
}

// orderSource keeps the source label to hoga's known transports.
func orderSource(s string) string {
	switch s {
	case "console", "telegram", "http", "strategy", "exit":
		return s
	case "":
		return "unknown"
	}
	return otherLabel
}

// eventLabel keeps the event label to the guard's order event kinds.
func eventLabel(k broker.EventKind) string {
	switch k {
	case broker.EventPlaced, broker.EventRejected, broker.EventUnknown, broker.EventReconciled, broker.EventCorrected,
		broker.EventFilled, broker.EventCancelled, broker.EventPartial, broker.EventExpired:
		return string(k)
	}
	return otherLabel
}

// eventState is the order state an event leaves the order in.
func eventState(ev broker.OrderEvent) string {
	switch ev.Kind {
	case broker.EventPlaced:
		if ev.Order.Status != "" {
			return stateLabel(ev.Order.Status)
		}
		return string(broker.StatusAccepted)
	case broker.EventRejected:
		return string(broker.StatusRejected)
	case broker.EventUnknown:
		return string(broker.StatusUnknown)
	case broker.EventFilled:
		return string(broker.StatusFilled)
	case broker.EventPartial:
		return string(broker.StatusPartial)
	case broker.EventCancelled, broker.EventExpired:
		return string(broker.StatusCancelled)
	}
	if ev.Order.Status != "" {
		return stateLabel(ev.Order.Status)
	}
	return "unknown"
}

func stateLabel(s broker.OrderStatus) string {
	switch s {
	case broker.StatusPending, broker.StatusAccepted, broker.StatusPartial, broker.StatusFilled,
		broker.StatusCancelled, broker.StatusRejected, broker.StatusUnknown:
		return string(s)
	}
	return otherLabel
}

// TelegramSend records one Bot API call: method as Telegram names it
// ("sendMessage"), outcome TelegramOK, TelegramRateLimited (a 429) or
// TelegramError.
func (m *Metrics) TelegramSend(method, outcome string) {
	if m == nil {
		return
	}
	m.telegram.WithLabelValues(m.methods.bound(method), m.tgOutcomes.bound(outcome)).Inc()
}

// StrategyEvaluation records one rule evaluated against a fresh price.
func (m *Metrics) StrategyEvaluation() {
	if m == nil {
		return
	}
	m.strategyEvals.Inc()
}

// StreamMessage counts a decoded realtime message; brokerName and typ
// are hoga's own fixed names ("paper"/"kis"/"kiwoom", "trade"/"notice").
func (m *Metrics) StreamMessage(brokerName, typ string) {
	if m == nil {
		return
	}
	m.streamMsgs.WithLabelValues(brokerName, typ).Inc()
}

// StreamReconnect counts a lost realtime session.
func (m *Metrics) StreamReconnect(brokerName string) {
	if m == nil {
		return
	}
	m.streamReconns.WithLabelValues(brokerName).Inc()
}

// StreamDecodeError counts a frame that could not be decoded.
func (m *Metrics) StreamDecodeError(brokerName string) {
	if m == nil {
		return
	}
	m.streamDecode.WithLabelValues(brokerName).Inc()
}

// StreamTickDropped counts a trade dropped as impossible (issue 15: ticks
// are checked against the day's limits as quotes are).
func (m *Metrics) StreamTickDropped(brokerName string) {
	if m == nil {
		return
	}
	m.streamDropped.WithLabelValues(brokerName).Inc()
}

// TickDecision records tick→decision latency.
func (m *Metrics) TickDecision(d time.Duration) {
	if m == nil {
		return
	}
	m.tickDecision.Observe(d.Seconds())
}

// StrategyFire records a rule firing for code on side ("buy" or "sell").
func (m *Metrics) StrategyFire(code, side string) {
	if m == nil {
		return
	}
	switch side {
	case "buy", "sell":
	default:
		side = otherLabel
	}
	m.strategyFires.WithLabelValues(m.codes.bound(code), side).Inc()
}

// HTTPRequest records one request to the HTTP control API: route is the
// ServeMux pattern that matched ("GET /price/{code}"; "unmatched" when
// none did), status the response code, d the time to serve it.
func (m *Metrics) HTTPRequest(route string, status int, d time.Duration) {
	if m == nil {
		return
	}
	r := m.routes.bound(route)
	m.httpRequests.WithLabelValues(r, strconv.Itoa(status)).Inc()
	m.httpDuration.WithLabelValues(r).Observe(d.Seconds())
}

// Outcome is the outcome label for a result: "ok", "canceled" or
// "timeout" for a context that ended, else the broker.Kind name.
func Outcome(err error) string {
	if err == nil {
		return "ok"
	}
	if _, ok := broker.AsError(err); !ok {
		switch {
		case isCanceled(err):
			return "canceled"
		case isDeadline(err):
			return "timeout"
		}
	}
	return broker.KindOf(err).String()
}

// labelSet bounds the distinct values of a free-form label.
type labelSet struct {
	mu   sync.Mutex
	seen map[string]struct{}
}

func newLabelSet() *labelSet { return &labelSet{seen: map[string]struct{}{}} }

// bound returns v as a label value: valid UTF-8, at most 64 bytes, "unknown"
// when empty, otherLabel once maxLabelValues others have been seen.
func (s *labelSet) bound(v string) string {
	v = strings.ToValidUTF8(v, "?")
	if len(v) > 64 {
		cut := 64
		for cut > 0 && !utf8.RuneStart(v[cut]) {
			cut--
		}
		v = v[:cut]
	}
	if v == "" {
		v = "unknown"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.seen[v]; ok {
		return v
	}
	if len(s.seen) >= maxLabelValues {
		return otherLabel
	}
	s.seen[v] = struct{}{}
	return v
}
