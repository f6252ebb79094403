package kiwoom

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/tokencache"
	"github.com/hoga-trade/hoga/clock"
)

// Token is an access token with its validity: the token cache's own type,
// so that a *tokencache.Cache is a TokenStore as it is.
type Token = tokencache.Token

// TokenStore persists tokens across restarts, keyed per app key and mode.
// Kiwoom issues one token per app key and binds it to the issuing IP, and
// no cap on issuance is documented; reusing a stored token keeps restarts
// from asking for a new one each time. *tokencache.Cache implements it.
type TokenStore interface {
	// Load returns the token saved under key, and whether there is one.
	Load(key string) (Token, bool, error)
	// Save replaces the token under key.
	Save(key string, t Token) error
}

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
)

// issueFunc asks Kiwoom for a new token. answered reports whether Kiwoom
// answered at all (only then does the issuance cool-down start).
type issueFunc func(ctx context.Context) (tok Token, answered bool, err error)

// tokenSource hands out a valid token: from memory, from the store, or by
// one issuance shared by all concurrent callers.
type tokenSource struct {
	issue issueFunc
	store TokenStore
	key   string
	clk   clock.Clock
	log   *slog.Logger
	// onIssued is Options.OnTokenIssued, never nil.
	onIssued func()

	mu          sync.Mutex
	tok         Token
	loaded      bool
	inflight    chan struct{} // closed when the running issuance ends
	lastAttempt time.Time     // last issuance Kiwoom answered
	lastErr     error         // its error, if it failed
}

func (s *tokenSource) usable(now time.Time) bool {
	return s.tok.Value != "" && now.Add(refreshBefore).Before(s.tok.Expiry)
}

// get returns a token valid for at least refreshBefore, issuing one if
// needed. Concurrent callers share a single issuance.
func (s *tokenSource) get(ctx context.Context) (string, error) {
	for {
		s.mu.Lock()
		if !s.loaded {
			s.loadLocked()
		}
		now := s.clk.Now()
		if s.usable(now) {
			v := s.tok.Value
			s.mu.Unlock()
			return v, nil
		}
		if wait := s.inflight; wait != nil {
			s.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return "", ctxErr(ctx.Err(), false)
			}
		}
		if since := now.Sub(s.lastAttempt); !s.lastAttempt.IsZero() && since < issueGap {
			// Too soon for another issuance. A token that has not yet
			// expired is still worth trying.
			if s.tok.Value != "" && now.Before(s.tok.Expiry) {
				v := s.tok.Value
				s.mu.Unlock()
				return v, nil
			}
			err := s.cooldownErrLocked(issueGap - since)
			s.mu.Unlock()
			return "", err
		}
		done := make(chan struct{})
		s.inflight = done
		s.mu.Unlock()

		tok, answered, err := s.issue(ctx)

		s.mu.Lock()
		s.inflight = nil
		close(done)
		if answered {
			s.lastAttempt = s.clk.Now()
			s.lastErr = err
		}
		if err != nil {
			s.mu.Unlock()
			return "", err
		}
		// Kiwoom keeps one token per app key; if it answers with the one
		// held (even one it refused), nothing new was issued.
		reused := tok.Value == s.tok.Value
		s.tok = tok
		s.mu.Unlock()
		if reused {
			s.log.Info("kiwoom answered with the token already held", "expires", tok.Expiry.In(broker.KST()).Format(time.DateTime))
		} else {
			s.log.Info("kiwoom token issued", "expires", tok.Expiry.In(broker.KST()).Format(time.DateTime))
			s.onIssued()
		}
		if err := s.store.Save(s.key, tok); err != nil {
			s.log.Warn("kiwoom token not saved; the next start will issue a new one", "err", err)
		}
		return tok.Value, nil
	}
}

func (s *tokenSource) loadLocked() {
	s.loaded = true
	t, ok, err := s.store.Load(s.key)
	if err != nil {
		s.log.Warn("kiwoom token cache unreadable; issuing a new token", "err", err)
		return
	}
	if !ok {
		return
	}
	// The cool-down counts from the stored issuance too, so a restart loop
	// cannot issue a token per start. A stored token with no value is one
	// Kiwoom refused: only its issuance time is kept.
	if t.IssuedAt.After(s.lastAttempt) {
		s.lastAttempt = t.IssuedAt
	}
	if t.Value == "" {
		return
	}
	s.tok = t
	if s.usable(s.clk.Now()) {
		s.log.Debug("kiwoom token reused from cache", "expires", t.Expiry.In(broker.KST()).Format(time.DateTime))
	}
}

func (s *tokenSource) cooldownErrLocked(left time.Duration) error {
	// The user hears it in their language (bot catalog "say.kiwoom.…"):
	// Msg is the log's English; it reached Korean alerts as it was.
	e := (&broker.Error{
		Kind:       broker.Auth,
		Msg:        fmt.Sprintf("Kiwoom refused the access token; hoga waits %s between token issuances and will ask again in %s", issueGap, left.Round(time.Second)),
		RetryAfter: left,
	}).Saying("kiwoom.token_wait", waitSeconds(left))
	if prev, ok := broker.AsError(s.lastErr); ok {
		// The last issuance failed: say why, as the same kind (a 429 or a
		// 5xx from the token endpoint stays retryable), with the wait.
		e.Kind, e.Code, e.Err = prev.Kind, prev.Code, s.lastErr
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

// invalidate drops tok after Kiwoom refused it, so the next get issues a
// new one. Callers that hold an older or newer token leave the current one
// alone: only the first of many concurrent 8005s triggers an issuance.
func (s *tokenSource) invalidate(tok string) {
	s.mu.Lock()
	if s.tok.Value != tok || s.tok.Expiry.IsZero() {
		s.mu.Unlock()
		return
	}
	s.tok.Expiry = time.Time{}
	dropped := Token{IssuedAt: s.tok.IssuedAt}
	s.mu.Unlock()
	// Keep the refused token from being reused after a restart, but keep
	// its issuance time for the cool-down.
	if err := s.store.Save(s.key, dropped); err != nil {
		s.log.Warn("kiwoom token cache not updated", "err", err)
	}
}

// expiry is the current token's expiry, zero when there is none.
func (s *tokenSource) expiry() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.loaded {
		s.loadLocked()
	}
	if s.tok.Value == "" {
		return time.Time{}
	}
	return s.tok.Expiry
}
