// Package token is the access-token lifecycle both broker clients share:
// one issuance at a time for all callers, the broker's issuance throttle,
// renewal before expiry, the token kept in a store across restarts, and
// dropping a token the broker refused. KIS and Kiwoom differ only in small
// rules, given as a Policy: KIS waits out its one-issuance-a-minute rule
// and retries an EGW00133 answer; Kiwoom refuses with a cool-down error
// instead, and KIS also renews ahead of the session.
//
// Everything runs on an injected clock (package clock), so the tests of
// the lifecycle and of both clients move time by hand.
package token

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/hoga-trade/hoga/broker/tokencache"
	"github.com/hoga-trade/hoga/clock"
	"github.com/hoga-trade/hoga/internal/redact"
)

// Token is the token cache's own type, so a *tokencache.Cache is a Store.
type Token = tokencache.Token

// Store persists tokens across restarts, keyed per app key and mode, so a
// restart reuses a token instead of asking for a new one. It is defined
// once, here; kis.TokenStore and kiwoom.TokenStore are aliases of it, the
// names cmd/hoga uses (it cannot import this internal package).
// *tokencache.Cache implements it.
type Store interface {
	// Load returns the token saved under key, and whether there is one.
	Load(key string) (Token, bool, error)
	// Save replaces the token under key.
	Save(key string, t Token) error
}

// IssueFunc asks the broker for a token. answered reports that the broker
// answered at all: only such an attempt starts the issuance gap.
type IssueFunc func(ctx context.Context) (tok Token, answered bool, err error)

// Policy is what differs between brokers.
type Policy struct {
	// Name starts log lines ("kis", "kiwoom").
	Name string
	// RenewBefore renews a token when less than this is left. Both
	// brokers' own clients use 10 minutes: python-kis pykis/kis.py
	// (remaining < timedelta(minutes=10)), Kiwoom's official client
	// kiwoom/core/auth.py (refresh_buffer_seconds=600).
	RenewBefore time.Duration
	// RenewAt, if set, may name an earlier renewal point for tok at now
	// (KIS: 08:50 when the token would lapse during the session); zero
	// means none.
	RenewAt func(tok Token, now time.Time) time.Time
	// Gap is the least time between two issuance attempts the broker
	// answered (the token's IssuedAt counts, also when it came from the
	// store, so a restart loop cannot issue one per start).
	Gap time.Duration
	// Refuse, if set, is the error for a caller that needs a new token
	// within Gap (Kiwoom's cool-down): left is the rest of the gap, last
	// the error of the last answered attempt, nil if it succeeded. When
	// Refuse is nil the caller waits the gap out on the clock (KIS).
	Refuse func(left time.Duration, last error) error
	// Throttled reports an answer that means "too soon" (KIS EGW00133):
	// the gap is waited out and the broker asked again, up to Tries
	// attempts in all.
	Throttled func(err error) bool
	Tries     int
	// Cancelled turns ctx's error into the broker's error for a caller
	// cancelled while waiting: for another caller's issuance, or (gap)
	// for the issuance throttle.
	Cancelled func(err error, gap bool) error
}

// Config configures a Lifecycle.
type Config struct {
	Policy Policy
	Issue  IssueFunc
	// Store keeps the token across restarts; nil keeps it in memory only.
	Store Store
	// Key is the token's key in Store; it must name no credential.
	Key string
	// Clock is nil for the wall clock.
	Clock clock.Clock
	// Log is nil to discard.
	Log *slog.Logger
	// OnIssued is told of every new token (not of one handed back again).
	OnIssued func()
}

// Lifecycle hands out a usable token. It is safe for concurrent use.
type Lifecycle struct {
	p        Policy
	issue    IssueFunc
	store    Store
	key      string
	clk      clock.Clock
	log      *slog.Logger
	onIssued func()
	sem      chan struct{} // held by the one caller renewing

	mu          sync.Mutex
	tok         Token
	loaded      bool
	lastAttempt time.Time // last issuance attempt the broker answered
	lastErr     error     // its error, nil when it gave a token
}

// New returns a lifecycle; the store is read on first use.
func New(c Config) *Lifecycle {
	l := &Lifecycle{
		p: c.Policy, issue: c.Issue, store: c.Store, key: c.Key,
		clk: clock.Or(c.Clock), log: c.Log, onIssued: c.OnIssued,
		sem: make(chan struct{}, 1),
	}
	if l.log == nil {
		l.log = slog.New(slog.DiscardHandler)
	}
	if l.onIssued == nil {
		l.onIssued = func() {}
	}
	if l.p.Tries < 1 {
		l.p.Tries = 1
	}
	if l.p.Cancelled == nil {
		l.p.Cancelled = func(err error, _ bool) error { return err }
	}
	return l
}

// snapshot is the token held, reading the store the first time.
func (l *Lifecycle) snapshot() Token {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.loaded {
		l.loaded = true
		l.adoptLocked()
	}
	return l.tok
}

// Current is the token held, for tests that compare values (it prints
// redacted with any verb).
func (l *Lifecycle) Current() Token { return l.snapshot() }

// Expiry is the current token's expiry, zero when there is none.
func (l *Lifecycle) Expiry() time.Time {
	tok := l.snapshot()
	if tok.Value == "" {
		return time.Time{}
	}
	return tok.Expiry
}

// adoptLocked takes the stored token when it is newer than the one held:
// the previous run, or another client on the same key, issued it. A
// stored token with no value is one the broker refused; only its issuance
// time (for the gap) is kept.
func (l *Lifecycle) adoptLocked() {
	if l.store == nil {
		return
	}
	tok, ok, err := l.store.Load(l.key)
	if err != nil {
		l.log.Warn(l.p.Name+" token store unreadable; a new token will be issued", "err", err)
		return
	}
	if !ok {
		return
	}
	if tok.IssuedAt.After(l.tok.IssuedAt) || (l.tok.Value == "" && l.tok.IssuedAt.IsZero()) {
		l.tok = tok
		if tok.Value != "" {
			l.log.Debug(l.p.Name+" token read from the store", "expiry", tok.Expiry)
		}
	}
}

// due reports whether tok should be replaced at now: it is missing or
// has expired; or the renewal point has come (RenewBefore, or the
// policy's earlier RenewAt) and tok was issued before it. A token issued
// after its renewal point is kept, so a broker that hands back the current
// token (KIS does within 6 hours) cannot make renewal loop.
func (l *Lifecycle) due(tok Token, now time.Time) bool {
	if tok.Value == "" || !now.Before(tok.Expiry) {
		return true
	}
	at := tok.Expiry.Add(-l.p.RenewBefore)
	if l.p.RenewAt != nil {
		if early := l.p.RenewAt(tok, now); !early.IsZero() && early.Before(at) {
			at = early
		}
	}
	return !now.Before(at) && tok.IssuedAt.Before(at)
}

// lastLocked is when the broker last answered an issuance: in this
// process, or (the held token's IssuedAt) in the one that stored it.
func (l *Lifecycle) lastLocked() time.Time {
	if l.lastAttempt.After(l.tok.IssuedAt) {
		return l.lastAttempt
	}
	return l.tok.IssuedAt
}

// Get returns a usable token, issuing one if needed. Concurrent callers
// share a single issuance.
func (l *Lifecycle) Get(ctx context.Context) (redact.Secret, error) {
	if tok := l.snapshot(); !l.due(tok, l.clk.Now()) {
		return tok.Value, nil
	}
	select {
	case l.sem <- struct{}{}:
	case <-ctx.Done():
		return "", l.p.Cancelled(ctx.Err(), false)
	}
	defer func() { <-l.sem }()

	l.mu.Lock()
	l.adoptLocked()
	now := l.clk.Now()
	tok := l.tok
	if !l.due(tok, now) {
		l.mu.Unlock()
		return tok.Value, nil // issued by the caller before us, or stored by another client
	}
	valid := tok.Value != "" && now.Before(tok.Expiry)
	left := l.lastLocked().Add(l.p.Gap).Sub(now)
	last := l.lastErr
	l.mu.Unlock()
	if left > 0 {
		if valid {
			// Renewal is due but the broker would refuse it for a while
			// yet; the current token still works, so use it and renew on
			// a later call.
			return tok.Value, nil
		}
		if l.p.Refuse != nil {
			return "", l.p.Refuse(left, last)
		}
	}
	for try := 1; ; try++ {
		if err := l.waitGap(ctx); err != nil {
			return "", err
		}
		fresh, answered, err := l.issue(ctx)
		l.mu.Lock()
		if answered {
			l.lastAttempt, l.lastErr = l.clk.Now(), err
		}
		if err == nil {
			// A broker that hands back the token held (even one it
			// refused) issued nothing new.
			reused := fresh.Value == l.tok.Value
			l.tok = fresh
			l.mu.Unlock()
			l.save(fresh)
			if reused {
				l.log.Info(l.p.Name+" answered with the token already held", "expiry", fresh.Expiry)
			} else {
				l.log.Info(l.p.Name+" token issued", "expiry", fresh.Expiry)
				l.onIssued()
			}
			return fresh.Value, nil
		}
		l.mu.Unlock()
		if l.p.Throttled != nil && l.p.Throttled(err) && try < l.p.Tries {
			l.log.Info(l.p.Name+" token issuance throttled; waiting out the gap", "err", err)
			continue
		}
		if valid && ctx.Err() == nil {
			l.log.Warn(l.p.Name+" token renewal failed; using the current token until it expires",
				"expiry", tok.Expiry, "err", err)
			return tok.Value, nil
		}
		return "", err
	}
}

// waitGap waits until Gap has passed since the last answered issuance.
func (l *Lifecycle) waitGap(ctx context.Context) error {
	l.mu.Lock()
	at := l.lastLocked().Add(l.p.Gap)
	l.mu.Unlock()
	wait := at.Sub(l.clk.Now())
	if wait <= 0 {
		return nil
	}
	l.log.Info(l.p.Name+" waiting before issuing a token", "wait", wait)
	timer := l.clk.Until(at)
	select {
	case <-timer.C():
		return nil
	case <-ctx.Done():
		timer.Stop()
		return l.p.Cancelled(ctx.Err(), true)
	}
}

// Invalidate drops used after the broker refused it, so the next Get
// issues a new one. A caller holding an older token leaves the current
// one alone: of many concurrent refusals only the first drops it. The
// issuance time is kept, in memory and in the store, so the gap still
// holds after a restart.
func (l *Lifecycle) Invalidate(used redact.Secret) {
	l.mu.Lock()
	if !l.loaded {
		l.loaded = true
		l.adoptLocked()
	}
	if used == "" || l.tok.Value != used || l.tok.Expiry.IsZero() {
		l.mu.Unlock()
		return
	}
	// The value stays in memory so that a broker handing it back is
	// known not to have issued anything; it is not usable (no expiry).
	l.tok.Expiry = time.Time{}
	dropped := Token{IssuedAt: l.tok.IssuedAt}
	l.mu.Unlock()
	l.log.Info(l.p.Name + " access token refused; it will be reissued")
	l.save(dropped)
}

func (l *Lifecycle) save(tok Token) {
	if l.store == nil {
		return
	}
	if err := l.store.Save(l.key, tok); err != nil {
		l.log.Warn(l.p.Name+" token not saved; the next start will issue a new one", "err", err)
	}
}
