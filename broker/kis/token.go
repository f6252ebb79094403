package kis

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/tokencache"
)

const (
	// issueGap is KIS's one-issuance-a-minute rule (kis.md §2.1).
	issueGap = 60 * time.Second
	// renewBefore: renew when less than this is left (python-kis does the same).
	renewBefore = 10 * time.Minute
	// sessionEnd is when the regular session closes, as an offset from
	// midnight KST: a token expiring before it is renewed at RenewAt.
	sessionEnd = 15*time.Hour + 30*time.Minute
	// throttledTries bounds issuance attempts answered EGW00133.
	throttledTries = 3
)

// tokens issues, caches, persists and renews the access token. One
// issuance runs at a time (sem); callers that find the token unusable wait
// for it rather than issuing their own.
type tokens struct {
	c     *Client
	store TokenStore
	key   string
	sem   chan struct{}

	mu          sync.Mutex
	tok         tokencache.Token
	lastAttempt time.Time // last call to tokenP from this process
}

func newTokens(c *Client, store TokenStore, key string) *tokens {
	t := &tokens{c: c, store: store, key: key, sem: make(chan struct{}, 1)}
	t.reload()
	return t
}

// reload adopts a token from the store when it is newer than the one held:
// another Client on the same app key, or the previous run, issued it.
func (t *tokens) reload() {
	if t.store == nil {
		return
	}
	tok, ok, err := t.store.Load(t.key)
	if err != nil {
		t.c.log.Warn("kis: cannot read the saved token; a new one will be issued", "err", err)
		return
	}
	if !ok {
		return
	}
	t.mu.Lock()
	if tok.IssuedAt.After(t.tok.IssuedAt) || (t.tok.Value == "" && t.tok.IssuedAt.IsZero()) {
		t.tok = tok
	}
	t.mu.Unlock()
}

func (t *tokens) snapshot() tokencache.Token {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.tok
}

// expiry is the current token's expiry, zero when there is none.
func (t *tokens) expiry() time.Time {
	tok := t.snapshot()
	if tok.Value == "" {
		return time.Time{}
	}
	return tok.Expiry
}

// renewalDue reports whether tok should be replaced at now: it has
// expired; or less than renewBefore is left; or it is past RenewAt and the
// token would expire during today's session. A token issued after the
// renewal point is kept, so a renewal that returns the same token (KIS
// hands back the current one within 6 hours) cannot loop.
func (t *tokens) renewalDue(tok tokencache.Token, now time.Time) bool {
	if tok.Value == "" || !now.Before(tok.Expiry) {
		return true
	}
	due := tok.Expiry.Add(-renewBefore)
	k := now.In(broker.KST())
	day := time.Date(k.Year(), k.Month(), k.Day(), 0, 0, 0, 0, broker.KST())
	renewAt, end := day.Add(t.c.set.renewAt), day.Add(sessionEnd)
	if tok.Expiry.After(renewAt) && tok.Expiry.Before(end) && renewAt.Before(due) {
		due = renewAt
	}
	return !now.Before(due) && tok.IssuedAt.Before(due)
}

// lastIssue is when tokenP was last called, by this process or (from the
// store) by an earlier one.
func (t *tokens) lastIssue() time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.lastAttempt.After(t.tok.IssuedAt) {
		return t.lastAttempt
	}
	return t.tok.IssuedAt
}

// get returns a usable access token, issuing one if needed.
func (t *tokens) get(ctx context.Context) (string, error) {
	now := t.c.clock.Now()
	if tok := t.snapshot(); !t.renewalDue(tok, now) {
		return tok.Value, nil
	}
	select {
	case t.sem <- struct{}{}:
	case <-ctx.Done():
		return "", &broker.Error{Kind: broker.Transient, Msg: "cancelled while waiting for a KIS token", Err: ctx.Err()}
	}
	defer func() { <-t.sem }()

	t.reload()
	now = t.c.clock.Now()
	tok := t.snapshot()
	if !t.renewalDue(tok, now) {
		return tok.Value, nil // issued by whoever held sem before us
	}
	valid := tok.Value != "" && now.Before(tok.Expiry)
	if valid && now.Before(t.lastIssue().Add(issueGap)) {
		// Renewal is due but KIS would refuse it for a while yet; the
		// current token still works, so use it and renew on a later call.
		return tok.Value, nil
	}
	fresh, err := t.issue(ctx)
	if err != nil {
		if valid && ctx.Err() == nil {
			t.c.log.Warn("kis: token renewal failed; using the current token until it expires",
				"expiry", tok.Expiry, "err", err)
			return tok.Value, nil
		}
		return "", err
	}
	return fresh.Value, nil
}

// invalidate drops the token KIS refused (EGW00123/EGW00121). The issue
// time is kept, in memory and on disk, so the next issuance still waits
// out the one-a-minute rule.
func (t *tokens) invalidate(used string) {
	t.mu.Lock()
	if used == "" || t.tok.Value != used {
		t.mu.Unlock()
		return
	}
	t.tok.Value = ""
	tok := t.tok
	t.mu.Unlock()
	t.c.log.Info("kis: access token refused; it will be reissued")
	t.persist(tok)
}

func (t *tokens) persist(tok tokencache.Token) {
	if t.store == nil {
		return
	}
	if err := t.store.Save(t.key, tok); err != nil {
		t.c.log.Warn("kis: cannot save the token; the next start will issue a new one", "err", err)
	}
}

// issue calls tokenP, first waiting until a minute has passed since the
// last call, and again (up to throttledTries) when KIS answers EGW00133.
// Callers hold sem.
func (t *tokens) issue(ctx context.Context) (tokencache.Token, error) {
	for try := 1; ; try++ {
		if wait := t.lastIssue().Add(issueGap).Sub(t.c.clock.Now()); wait > 0 {
			t.c.log.Info("kis: waiting before issuing a token (one a minute)", "wait", wait)
			select {
			case <-t.c.clock.After(wait):
			case <-ctx.Done():
				// The wait is KIS's one-issuance-a-minute rule (EGW00133):
				// the code tells a caller to say "wait a minute", not
				// "the network is down".
				return tokencache.Token{}, &broker.Error{Kind: broker.Transient, Code: "EGW00133", Msg: "cancelled while waiting to issue a KIS token (one a minute)", Err: ctx.Err()}
			}
		}
		t.mu.Lock()
		t.lastAttempt = t.c.clock.Now()
		t.mu.Unlock()
		tok, err := t.request(ctx)
		if err == nil {
			t.mu.Lock()
			// Within 6 hours KIS answers with the token it issued before:
			// that is a renewal that renewed nothing, not an issuance.
			reused := tok.Value == t.tok.Value
			t.tok = tok
			t.mu.Unlock()
			t.persist(tok)
			if reused {
				t.c.log.Info("kis: KIS handed back the current access token", "expiry", tok.Expiry)
			} else {
				t.c.log.Info("kis: access token issued", "expiry", tok.Expiry)
				t.c.onIssued()
			}
			return tok, nil
		}
		if e, ok := broker.AsError(err); ok && e.Code == "EGW00133" && try < throttledTries {
			t.c.log.Info("kis: token issuance throttled (EGW00133); waiting a minute")
			continue
		}
		return tokencache.Token{}, err
	}
}

// request performs one POST /oauth2/tokenP.
func (t *tokens) request(ctx context.Context) (tokencache.Token, error) {
	c := t.c
	body, err := json.Marshal(map[string]string{
		"grant_type": "client_credentials",
		"appkey":     string(c.set.appKey),
		"appsecret":  string(c.set.appSecret),
	})
	if err != nil {
		return tokencache.Token{}, fmt.Errorf("kis: encode token request: %w", err)
	}
	actx, cancel := context.WithTimeout(ctx, c.set.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, c.set.base+"/oauth2/tokenP", bytes.NewReader(body))
	if err != nil {
		return tokencache.Token{}, fmt.Errorf("kis: token request: %w", err)
	}
	req.Header["content-type"] = []string{"application/json; charset=utf-8"}
	resp, err := c.http.Do(req)
	if err != nil {
		// Issuing a token has no effect worth guarding, so every
		// transport failure is simply transient.
		return tokencache.Token{}, &broker.Error{Kind: broker.Transient, Msg: "KIS token endpoint did not answer", Err: err}
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
	if err != nil {
		return tokencache.Token{}, &broker.Error{Kind: broker.Transient, Msg: "KIS token endpoint did not answer", Err: err}
	}
	now := c.clock.Now()
	if resp.StatusCode != http.StatusOK {
		var oe oauthError
		if json.Unmarshal(raw, &oe) == nil && oe.ErrorCode != "" {
			c.log.Debug("kis token call", "http", resp.StatusCode, "error_code", oe.ErrorCode)
			return tokencache.Token{}, tokenError(oe)
		}
		var env envelope
		if json.Unmarshal(raw, &env) == nil && env.MsgCd != "" {
			return tokencache.Token{}, apiError(env.MsgCd, strings.TrimSpace(env.Msg1), resp.StatusCode, false)
		}
		if resp.StatusCode >= 500 {
			return tokencache.Token{}, &broker.Error{Kind: broker.Transient, Msg: fmt.Sprintf("KIS token endpoint answered HTTP %d", resp.StatusCode)}
		}
		return tokencache.Token{}, &broker.Error{Kind: broker.Auth, Msg: fmt.Sprintf("KIS token endpoint answered HTTP %d", resp.StatusCode)}
	}
	var tr tokenResponse
	if err := json.Unmarshal(raw, &tr); err != nil || tr.AccessToken == "" {
		return tokencache.Token{}, &broker.Error{Kind: broker.Internal, Msg: "KIS token endpoint answered without an access token", Err: err}
	}
	exp, err := tokenExpiry(tr, now)
	if err != nil {
		return tokencache.Token{}, &broker.Error{Kind: broker.Internal, Msg: "KIS token has no readable expiry", Err: err}
	}
	return tokencache.Token{Value: tr.AccessToken, Expiry: exp, IssuedAt: now}, nil
}

// tokenExpiry prefers access_token_token_expired (KST wall time): a token
// handed back again within 6 hours keeps its old expiry while expires_in
// restarts, so expires_in can overstate the lifetime (kis.md §2.1). It
// falls back to expires_in only when the timestamp is missing.
func tokenExpiry(tr tokenResponse, now time.Time) (time.Time, error) {
	if s := strings.TrimSpace(tr.AccessTokenExpired); s != "" {
		return time.ParseInLocation(time.DateTime, s, broker.KST())
	}
	secs, err := tr.ExpiresIn.Int64()
	if err != nil || secs <= 0 {
		return time.Time{}, errors.New("neither access_token_token_expired nor expires_in is usable")
	}
	return now.Add(time.Duration(secs) * time.Second), nil
}

func tokenError(oe oauthError) *broker.Error {
	msg := strings.TrimSpace(oe.ErrorDescription)
	switch oe.ErrorCode {
	case "EGW00133":
		return &broker.Error{Kind: broker.RateLimited, Code: oe.ErrorCode, Msg: msg, RetryAfter: issueGap}
	case "EGW00103":
		return &broker.Error{Kind: broker.Auth, Code: oe.ErrorCode,
			Msg: msg + " — KIS does not know this app key: check it, and that it belongs to the mock/live mode in use"}
	}
	return &broker.Error{Kind: broker.Auth, Code: oe.ErrorCode, Msg: msg}
}
