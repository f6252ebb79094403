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
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/internal/token"
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

// newTokens is KIS's token lifecycle (package token): one issuance a
// minute, waited out rather than refused ("토큰 재발급 - 1분당 1회
// 발급됩니다", open-trading-api README.md §5; EGW00133 answers a second
// one, kis.md §2.1), retried up to throttledTries times when KIS answers
// EGW00133 anyway; renewal 10 minutes before expiry (python-kis
// pykis/kis.py: remaining < timedelta(minutes=10)) or, for a token that
// would lapse during the session, at RenewAt.
func newTokens(c *Client, store TokenStore, key string) *token.Lifecycle {
	return token.New(token.Config{
		Policy: token.Policy{
			Name:        "kis",
			RenewBefore: renewBefore,
			RenewAt:     c.renewAt,
			Gap:         issueGap,
			Throttled: func(err error) bool {
				e, ok := broker.AsError(err)
				return ok && e.Code == "EGW00133"
			},
			Tries: throttledTries,
			Cancelled: func(err error, gap bool) error {
				if gap {
					// The wait is KIS's one-issuance-a-minute rule
					// (EGW00133): the code tells a caller to say "wait a
					// minute", not "the network is down".
					return &broker.Error{Kind: broker.Transient, Code: "EGW00133", Msg: "cancelled while waiting to issue a KIS token (one a minute)", Err: err}
				}
				return &broker.Error{Kind: broker.Transient, Msg: "cancelled while waiting for a KIS token", Err: err}
			},
		},
		// Every attempt counts as answered: KIS may have seen a request
		// whose answer was lost, and a second within the minute would be
		// refused.
		Issue: func(ctx context.Context) (tokencache.Token, bool, error) {
			tok, err := c.requestToken(ctx)
			return tok, true, err
		},
		Store:    store,
		Key:      key,
		Clock:    c.clock,
		Log:      c.log,
		OnIssued: c.onIssued,
	})
}

// renewAt is 08:50 KST today (Options.RenewAt) for a token that would
// expire before today's session ends, so it is not renewed mid-session;
// zero for any other token.
func (c *Client) renewAt(tok tokencache.Token, now time.Time) time.Time {
	k := now.In(broker.KST())
	day := time.Date(k.Year(), k.Month(), k.Day(), 0, 0, 0, 0, broker.KST())
	at, end := day.Add(c.set.renewAt), day.Add(sessionEnd)
	if tok.Expiry.After(at) && tok.Expiry.Before(end) {
		return at
	}
	return time.Time{}
}

// requestToken performs one POST /oauth2/tokenP.
func (c *Client) requestToken(ctx context.Context) (tokencache.Token, error) {
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
