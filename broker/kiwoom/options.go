package kiwoom

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/hoga-trade/hoga/clock"
)

// Hosts of the two Kiwoom environments. They need different app keys.
const (
	LiveURL = "https://api.kiwoom.com"
	MockURL = "https://mockapi.kiwoom.com"
)

// Modes: which Kiwoom environment the keys belong to.
const (
	ModeMock = "mock" // 모의투자, mockapi.kiwoom.com
	ModeLive = "live" // 실전, api.kiwoom.com
)

// Defaults for zero Options fields.
const (
	// DefaultRPS is the request rate per api-id. Kiwoom answers 429 with
	// "유량=5" per (app key, api-id) (shared/broker-api/kiwoom.md §8); 4
	// leaves headroom for clock skew between us and their window.
	DefaultRPS = 4.0
	// DefaultTimeout bounds one HTTP exchange.
	DefaultTimeout = 10 * time.Second
)

// Options configure a Client. Zero values take the defaults noted.
type Options struct {
	// AppKey and SecretKey are the Kiwoom REST credentials (required).
	// Mock and live keys differ.
	AppKey, SecretKey string
	// Mode is ModeMock (default) or ModeLive; it picks the host and the
	// token cache entry, and names the environment in setup errors.
	Mode string
	// BaseURL overrides the host chosen by Mode (tests, proxies).
	BaseURL string
	// HTTPClient sends requests; nil means a new http.Client. Its own
	// Timeout, if any, still applies; Options.Timeout bounds each request.
	HTTPClient *http.Client
	// Logger receives request and token events; nil discards them.
	// Secrets are never logged.
	Logger *slog.Logger
	// Clock drives token expiry, rate limiting and backoff; nil is the
	// wall clock.
	Clock clock.Clock
	// WaitClock, if set, paces requests and times retry backoffs instead of
	// Clock. cmd/hoga gives the client its own clock (a test's fake one, so
	// token expiry and today's date follow the test) and the wall clock
	// here: a rate limit is the broker's wall-clock seconds, and a fake
	// clock that stands still would hold every second request.
	WaitClock clock.Clock
	// Tokens persists the access token across restarts; nil keeps it in
	// memory only. A *tokencache.Cache fits.
	Tokens TokenStore
	// RPS is the request rate per api-id, shared by all callers of the
	// client (default DefaultRPS).
	RPS float64
	// Timeout bounds each HTTP exchange (default DefaultTimeout).
	Timeout time.Duration
	// TimeoutClock, if set, measures Timeout instead of the wall clock.
	// A test that times an order out gives a fake one and moves it once
	// the broker has taken the order: a 300 ms wall-clock timeout fired
	// before the request even arrived on a loaded machine (issue 12,
	// item 16). Left nil outside tests.
	TimeoutClock clock.Clock
	// Backoff is the first wait before retrying a rate-limited or
	// transient request; it doubles per retry (±20 % jitter) up to 2 s, at
	// most 4 retries. Default 250 ms: Kiwoom counts per second, so the
	// retries reach the next window within two waits.
	Backoff time.Duration
	// OnRateLimitWait, when set, is told of every pass through an api-id's
	// rate limiter: api is the api-id, d how long the request waited on
	// the client's clock, 0 when it did not. A pass cancelled while
	// waiting is not reported: no request followed. It runs on the
	// caller's goroutine and must not block.
	OnRateLimitWait func(api string, d time.Duration)
	// OnRateLimited, when set, is told of every rate-limit refusal
	// (1700–1702, HTTP 429), retried or not: api is the api-id. hoga's
	// pacing should make it never fire (issue 20.5); metrics count it. It
	// runs on the caller's goroutine and must not block.
	OnRateLimited func(api string)
	// OnTokenIssued, when set, is called each time Kiwoom issues an access
	// token the client did not already hold: not for one read from
	// Tokens, nor when Kiwoom answers with the token held (whether it
	// does is undocumented). It must not block.
	OnTokenIssued func()
}

func (o Options) normalized() (Options, error) {
	var problems []string
	o.AppKey = strings.TrimSpace(o.AppKey)
	o.SecretKey = strings.TrimSpace(o.SecretKey)
	if o.AppKey == "" {
		problems = append(problems, "app key is empty")
	}
	if o.SecretKey == "" {
		problems = append(problems, "secret key is empty")
	}
	o.Mode = strings.ToLower(strings.TrimSpace(o.Mode))
	switch o.Mode {
	case "":
		o.Mode = ModeMock
	case ModeMock, ModeLive:
	default:
		problems = append(problems, fmt.Sprintf("mode %q must be %q or %q", o.Mode, ModeMock, ModeLive))
	}
	if o.BaseURL == "" {
		o.BaseURL = MockURL
		if o.Mode == ModeLive {
			o.BaseURL = LiveURL
		}
	}
	o.BaseURL = strings.TrimRight(o.BaseURL, "/")
	if !strings.HasPrefix(o.BaseURL, "http://") && !strings.HasPrefix(o.BaseURL, "https://") {
		problems = append(problems, fmt.Sprintf("base URL %q must start with http:// or https://", o.BaseURL))
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	o.Clock = clock.Or(o.Clock)
	if o.WaitClock == nil {
		o.WaitClock = o.Clock
	}
	if o.Tokens == nil {
		o.Tokens = NewMemoryTokens()
	}
	if o.RPS <= 0 {
		o.RPS = DefaultRPS
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Backoff <= 0 {
		o.Backoff = backoffBase
	}
	if o.OnRateLimitWait == nil {
		o.OnRateLimitWait = func(string, time.Duration) {}
	}
	if o.OnRateLimited == nil {
		o.OnRateLimited = func(string) {}
	}
	if o.OnTokenIssued == nil {
		o.OnTokenIssued = func() {}
	}
	if len(problems) > 0 {
		return o, errors.New("kiwoom: " + strings.Join(problems, "; "))
	}
	return o, nil
}
