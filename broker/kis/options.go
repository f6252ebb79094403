package kis

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hoga-trade/hoga/broker/internal/pace"
	"github.com/hoga-trade/hoga/broker/internal/token"
	"github.com/hoga-trade/hoga/broker/tokencache"
	"github.com/hoga-trade/hoga/clock"
	"github.com/hoga-trade/hoga/internal/redact"
)

// Mode selects the real (실전) or the mock (모의투자) service. They differ in
// host, tr_ids, rate limits and page sizes, and use different app keys.
type Mode string

// Modes.
const (
	ModeMock Mode = "mock"
	ModeLive Mode = "live"
)

// Default hosts (kis.md §1).
const (
	LiveBaseURL = "https://openapi.koreainvestment.com:9443"
	MockBaseURL = "https://openapivts.koreainvestment.com:29443"
)

// Default request rates. KIS allows 20/s real and 2/s mock per app key
// (kis.md §8; OTA strategy_builder/kis_auth.py sleeps 0.05 s real, 0.5 s
// mock) and answers EGW00201 over it, but does not say how it counts: in
// calendar seconds, a sliding window or a token bucket. So hoga paces with
// a margin that passes all three. The limiter spaces the moments it lets
// requests go at least 1/rps apart (pace.Limiter), so any n+1 consecutive
// requests span n/rps: 20/18 = 2/1.8 = 1.11 s. A strict sliding one-second
// window (the harshest reading) therefore never sees n+1, even when
// network jitter moves arrivals by up to 110 ms; a token bucket of n/s
// needs 1/n s apart and gets 55 ms more. At exactly 2/s mock, three
// requests spanned exactly 1 s and a strict window refused one in twelve
// (issue 20.5). A token bucket (x/time/rate, burst 1), as hoga used
// before, spaces the instants it reserves instead: a caller that woke late
// sent its request beside an on-time one, and the same window refused.
const (
	DefaultLiveRPS = 18
	DefaultMockRPS = 1.8
)

// PacingMargin is the share of an explicitly set rate (Options.RPS,
// HOGA_KIS_RPS) hoga actually uses. An owner who sets the rate their key
// is allowed (2 on mock, 20 live, or what KIS granted them) would otherwise
// pace at exactly the limit, which a strict window refuses; the defaults
// are KIS's limits times this margin, so RPS=2 and the mock default pace
// alike.
const PacingMargin = 0.9

// TokenStore persists access tokens between runs; *tokencache.Cache
// satisfies it. Keys are built by the client from the mode and a hash of
// the app key, never the raw key. It is an alias of the one interface the
// shared token lifecycle defines (broker/internal/token.Store), so the
// KIS and Kiwoom clients cannot drift apart; the alias gives it a name
// callers outside broker/ can use.
type TokenStore = token.Store

var _ TokenStore = (*tokencache.Cache)(nil)

// Options configures a Client. Zero values take the documented defaults.
type Options struct {
	AppKey    redact.Secret
	AppSecret redact.Secret
	// Account is the account number, "12345678-01".
	Account string
	// Mode is ModeMock (default) or ModeLive.
	Mode Mode
	// BaseURL overrides the REST host (tests, proxies); default by Mode.
	BaseURL string
	// HTTPClient sends the requests; default a plain client. Its own
	// Timeout should be zero or longer than Timeout: each attempt is bounded
	// by Timeout through its context.
	HTTPClient *http.Client
	// Logger receives debug lines per request (tr_id, gt_uid, msg_cd) and
	// warnings; nil discards. Credentials are never logged.
	Logger *slog.Logger
	// Clock drives token expiry, the issuance throttle and the rate
	// limiter; nil is the wall clock.
	Clock clock.Clock
	// WaitClock, if set, paces requests instead of Clock. cmd/hoga gives
	// the client its own clock (a test's fake one, so the token throttle
	// and today's date follow the test) and the wall clock here: a rate
	// limit is the broker's wall-clock seconds, and a fake clock that
	// stands still would hold every second request.
	WaitClock clock.Clock
	// Tokens persists the access token; nil keeps it in memory only, so
	// every start issues a new one.
	Tokens TokenStore
	// RPS is the request rate KIS allows this app key; the client paces
	// at PacingMargin of it. 0 means DefaultLiveRPS or DefaultMockRPS by
	// Mode (KIS's 20 and 2, margin applied). Ignored when Limiter is set.
	RPS float64
	// Limiter, when set, is used instead of a limiter of the client's own.
	// KIS counts requests per app key, so two Clients on one app key in one
	// process must share one: build it with NewLimiter and pass it to both.
	// (A package-level registry would be a global; the caller owns this.)
	Limiter *Limiter
	// Timeout bounds each HTTP attempt; default 10s.
	Timeout time.Duration
	// TimeoutClock, if set, measures Timeout instead of the wall clock.
	// A test that times a request out gives a fake one and moves it once
	// the fake broker has the request: a 300 ms wall-clock timeout fired
	// before the request even arrived on a loaded machine (issue 12,
	// item 16). Left nil outside tests.
	TimeoutClock clock.Clock
	// RenewAt is the time of day (since midnight KST) from which a token
	// that would expire before 15:30 is renewed ahead of the session;
	// default 08:50.
	RenewAt time.Duration
	// Backoff is the first wait before retrying a rate-limited or
	// transient request; it doubles per retry (with jitter) up to 4s, at
	// most 5 retries. Default 250ms.
	Backoff time.Duration
	// OnRateLimitWait, when set, is told of every pass through the rate
	// limiter: api is the tr_id sent (the mock one in mock mode), d how
	// long the request waited on the client's clock, 0 when it did not.
	// A pass cancelled while waiting is not reported: no request followed.
	// It runs on the caller's goroutine and must not block.
	OnRateLimitWait func(api string, d time.Duration)
	// OnRateLimited, when set, is told of every refusal KIS answers for
	// the request rate (EGW00201 and its kin), retried or not: api is the
	// tr_id sent. hoga's pacing should make it never fire (issue 20.5);
	// metrics count it. It runs on the caller's goroutine and must not
	// block.
	OnRateLimited func(api string)
	// OnTokenIssued, when set, is called each time KIS issues an access
	// token the client did not already hold: not for one loaded from
	// Tokens, nor when KIS hands back the current token (it does within 6
	// hours of issuing it). A token issued to another process on the same
	// app key and handed back here counts, as nothing here can tell it
	// from a new one. It must not block.
	OnTokenIssued func()
}

// Limiter paces one app key's requests (pace.Limiter): share one between
// Clients on the same key (Options.Limiter).
type Limiter = pace.Limiter

// NewLimiter returns a limiter for one app key allowed rps requests a
// second (0 means the Mode's default: 2 mock, 20 live). It lets requests
// go PacingMargin × rps evenly apart, counted at the moments they go, and
// never more than rps in any one second: so no one-second window, however
// KIS counts it, sees more than rps of them, whatever the callers do.
func NewLimiter(mode Mode, rps float64) *Limiter {
	allowed := rps
	if allowed <= 0 {
		allowed = 2
		if mode == ModeLive {
			allowed = 20
		}
	}
	return pace.NewLimiter(time.Duration(float64(time.Second)/PacedRPS(mode, rps)), max(1, int(math.Floor(allowed))))
}

// PacedRPS is the rate NewLimiter paces at for an allowed rate rps (0: the
// Mode's default, which already has the margin).
func PacedRPS(mode Mode, rps float64) float64 {
	if rps > 0 {
		return rps * PacingMargin
	}
	if mode == ModeLive {
		return DefaultLiveRPS
	}
	return DefaultMockRPS
}

// TokenKey is the TokenStore key for an app key in a mode: it names the
// mode and a hash of the key, so the file name reveals nothing.
func TokenKey(mode Mode, appKey redact.Secret) string {
	sum := sha256.Sum256([]byte(appKey))
	return "kis-" + string(mode) + "-" + hex.EncodeToString(sum[:])[:16]
}

type settings struct {
	mode      Mode
	base      string
	appKey    redact.Secret
	appSecret redact.Secret
	account   Account
	timeout   time.Duration
	renewAt   time.Duration
	backoff   time.Duration
}

func (o Options) settings() (settings, error) {
	s := settings{mode: o.Mode, appKey: o.AppKey, appSecret: o.AppSecret}
	if s.mode == "" {
		s.mode = ModeMock
	}
	if s.mode != ModeMock && s.mode != ModeLive {
		return s, fmt.Errorf("kis: mode %q must be mock or live", o.Mode)
	}
	if strings.TrimSpace(string(o.AppKey)) == "" || strings.TrimSpace(string(o.AppSecret)) == "" {
		return s, fmt.Errorf("kis: app key and app secret are required")
	}
	acct, err := ParseAccount(o.Account)
	if err != nil {
		return s, err
	}
	s.account = acct
	s.base = o.BaseURL
	if s.base == "" {
		s.base = MockBaseURL
		if s.mode == ModeLive {
			s.base = LiveBaseURL
		}
	}
	u, err := url.Parse(s.base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return s, fmt.Errorf("kis: base URL %q must be an http(s) URL", s.base)
	}
	s.base = strings.TrimRight(s.base, "/")
	if o.RPS < 0 {
		return s, fmt.Errorf("kis: RPS must not be negative")
	}
	s.timeout = o.Timeout
	if s.timeout <= 0 {
		s.timeout = 10 * time.Second
	}
	s.renewAt = o.RenewAt
	if s.renewAt <= 0 || s.renewAt >= 24*time.Hour {
		s.renewAt = 8*time.Hour + 50*time.Minute
	}
	s.backoff = o.Backoff
	if s.backoff <= 0 {
		s.backoff = 250 * time.Millisecond
	}
	return s, nil
}
