package kiwoom

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/internal/token"
	"github.com/hoga-trade/hoga/broker/tokencache"
)

// Token is an access token with its validity: the token cache's own type,
// so that a *tokencache.Cache is a TokenStore as it is.
type Token = tokencache.Token

// TokenStore persists tokens across restarts, keyed per app key and mode.
// Kiwoom issues one token per app key and binds it to the issuing IP, and
// no cap on issuance is documented; reusing a stored token keeps restarts
// from asking for a new one each time. *tokencache.Cache implements it.
// It is an alias of the one interface the shared token lifecycle defines
// (broker/internal/token.Store), so the KIS and Kiwoom clients cannot
// drift apart; the alias gives it a name callers outside broker/ can use.
type TokenStore = token.Store

var _ TokenStore = (*tokencache.Cache)(nil)

// MemoryTokens is a TokenStore that forgets on exit: the default when no
// store is configured, and handy in tests.
type MemoryTokens struct {
	mu sync.Mutex
	m  map[string]Token
}

// NewMemoryTokens returns an empty in-memory store.
func NewMemoryTokens() *MemoryTokens { return &MemoryTokens{m: make(map[string]Token)} }

// Load returns the token under key.
func (s *MemoryTokens) Load(key string) (Token, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.m[key]
	return t, ok, nil
}

// Save stores t under key.
func (s *MemoryTokens) Save(key string, t Token) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = t
	return nil
}

// TokenKey is the store key for an app key in a mode. The app key is
// hashed so that the cache file names no credential.
func TokenKey(mode, appKey string) string {
	sum := sha256.Sum256([]byte(appKey))
	return "kiwoom-" + mode + "-" + hex.EncodeToString(sum[:])[:16]
}

const (
	// refreshBefore renews a token this long before expires_dt, as the
	// official client does (refresh_buffer_seconds=600 in kiwoom/core/auth.py),
	// so a call never starts with a token about to lapse.
	refreshBefore = 10 * time.Minute
	// issueGap is the least time between two issuance attempts that reached
	// Kiwoom. Kiwoom documents no issuance cap, but a token refused right
	// after issuance (a wrong-mode key, an unregistered IP, a token revoked
	// by another process) would otherwise turn every call into a new
	// issuance; third-party clients that run live accounts keep the same
	// 60 s cool-down (Soochol/hoga-ops kiwoom_token_provider.py), and KIS,
	// the other Korean REST broker, enforces one issuance a minute.
	issueGap = time.Minute
	// fallbackTTL is how long a token is believed to last when au10001's
	// expires_dt cannot be read. Kiwoom's spec documents no lifetime: the
	// answer's expires_dt is required ("required": "Y" in
	// Kiwoom-Securities/Kiwoom-REST-API kiwoom/_data/kiwoom_api_spec.json,
	// 접근토큰 발급(au10001)), and the official client refuses an answer
	// without it (kiwoom/core/auth.py refresh_access_token). A long guess
	// is the dangerous one: a token believed valid past its real expiry
	// fails the call that uses it, possibly an order. A short one costs an
	// issuance every fallbackTTL. kenshin579/kiwoom-go internal/auth/auth.go
	// assumes the same 10 minutes (fallbackTTL) for the same reason. With
	// refreshBefore as long, such a token is not renewed early (it was
	// issued after its renewal point; see token.Lifecycle.due) but is
	// replaced when it lapses, by the first call after.
	fallbackTTL = 10 * time.Minute
)

// newTokens is Kiwoom's token lifecycle (package token): renewal
// refreshBefore ahead of expires_dt, and within issueGap of the last
// answered issuance a caller that needs a new token is refused with the
// wait (tokenWait) instead of waiting, so an order is never held a minute.
// One issuance at a time and dropping a refused token are what both
// reference clients do: kiwoom/core/auth.py recover_from_auth_failure
// clears the token and issues again (on 8005/8031/8103, errors.go
// refreshCodes); kenshin579/kiwoom-go internal/auth/auth.go holds one lock
// across the issuance and Invalidate()s on 401. Its 60 s refresh margin is
// not followed: the official client's 600 s is.
func newTokens(c *Client, o Options) *token.Lifecycle {
	return token.New(token.Config{
		Policy: token.Policy{
			Name:        "kiwoom",
			RenewBefore: refreshBefore,
			Gap:         issueGap,
			Refuse:      tokenWait,
			Cancelled:   func(err error, _ bool) error { return ctxErr(err, false) },
		},
		Issue:    c.issueToken,
		Store:    o.Tokens,
		Key:      TokenKey(o.Mode, o.AppKey),
		Clock:    o.Clock,
		Log:      c.log,
		OnIssued: o.OnTokenIssued,
	})
}

// tokenWait is the error for a caller that needs a new token left before
// the next issuance; last is the last issuance's error, nil if it gave a
// token (which Kiwoom has since refused).
func tokenWait(left time.Duration, last error) error {
	// The user hears it in their language (bot catalog "say.kiwoom.…"):
	// Msg is the log's English; it reached Korean alerts as it was.
	e := (&broker.Error{
		Kind:       broker.Auth,
		Msg:        fmt.Sprintf("Kiwoom refused the access token; hoga waits %s between token issuances and will ask again in %s", issueGap, left.Round(time.Second)),
		RetryAfter: left,
	}).Saying("kiwoom.token_wait", waitSeconds(left))
	if prev, ok := broker.AsError(last); ok {
		// The last issuance failed: say why, as the same kind (a 429 or a
		// 5xx from the token endpoint stays retryable), with the wait.
		e.Kind, e.Code, e.Err = prev.Kind, prev.Code, last
		e.Msg = prev.Msg + " (next token issuance in " + left.Round(time.Second).String() + ")"
		sayWaitAfter(e, prev, left)
	}
	return e
}

// waitSeconds is a wait in whole seconds for the user, at least one.
func waitSeconds(d time.Duration) int64 {
	return int64(max(d.Round(time.Second), time.Second) / time.Second)
}

// sayWaitAfter gives e the catalog sentence "what Kiwoom said — a new
// token in N s, this order was not sent", with Kiwoom's own words (already
// Korean) as they came.
func sayWaitAfter(e, said *broker.Error, left time.Duration) {
	words := said.Msg
	if said.Code != "" {
		words = "[" + said.Code + "] " + words
	}
	e.Saying("kiwoom.token_wait_after", words, waitSeconds(left))
}
