package kiwoom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync/atomic"
	"time"

	"github.com/sethvargo/go-retry"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/internal/pace"
	"github.com/hoga-trade/hoga/clock"
	"github.com/hoga-trade/hoga/internal/redact"
)

const (
	// maxBody caps what is read of one answer; the largest (kt00018 with a
	// full page) is a few tens of kilobytes.
	maxBody = 4 << 20
	// maxPages caps a paged query. A retail account's orders or holdings
	// fit in a few pages; more means a paging loop at the other end, and an
	// incomplete order list must not pass for a complete one.
	maxPages = 30
	// maxListPages caps the order lists (ka10075, ka10076), which grow with
	// every order of the day rather than with the account. Kiwoom does not
	// publish their page size (its samples stop at MAX_PAGES = 10 without
	// saying the list was cut: Kiwoom-Securities/Kiwoom-REST-API,
	// examples/국내주식/계좌/get_domestic_filled_orders.py), and the fake
	// pages 2 rows: at 30 pages a day of 61 orders could no longer be read
	// at all, so reconciliation never settled a row again and the tracker
	// went blind (issue 20: 32 rows unsettled in the long kill loop, 120
	// orders that day). 500 pages is a thousand orders at 2 a page, two
	// minutes at 4 requests a second; a repeated next-key still ends a
	// loop at once.
	maxListPages = 500
	// maxRetries bounds retries of one request after rate-limit answers
	// and (for queries) transient failures.
	maxRetries = 4
	// backoffBase is the default first backoff (Options.Backoff).
	backoffBase = 250 * time.Millisecond
	backoffCap  = 2 * time.Second
)

// endpoint is one TR: its api-id, its category path, and whether it places
// or cancels an order (which is never resent once it may have arrived).
type endpoint struct {
	id    string
	path  string
	order bool
	// pages caps a paged query of it; 0 is maxPages.
	pages int
}

var (
	epQuote     = endpoint{"ka10001", "/api/dostk/stkinfo", false, 0}
	epInfo      = endpoint{"ka10100", "/api/dostk/stkinfo", false, 0}
	epBuy       = endpoint{"kt10000", "/api/dostk/ordr", true, 0}
	epSell      = endpoint{"kt10001", "/api/dostk/ordr", true, 0}
	epCancel    = endpoint{"kt10003", "/api/dostk/ordr", true, 0}
	epAccount   = endpoint{"ka00001", "/api/dostk/acnt", false, 0}
	epDeposit   = endpoint{"kt00001", "/api/dostk/acnt", false, 0}
	epBalance   = endpoint{"kt00018", "/api/dostk/acnt", false, 0}
	epOpen      = endpoint{"ka10075", "/api/dostk/acnt", false, maxListPages}
	epFilled    = endpoint{"ka10076", "/api/dostk/acnt", false, maxListPages}
	tokenPath   = "/oauth2/token"
	contentType = "application/json;charset=UTF-8"
)

// envelope is the part of every answer that says how it went.
type envelope struct {
	ReturnCode field  `json:"return_code"`
	ReturnMsg  string `json:"return_msg"`
}

// page is one successful answer.
type page struct {
	body    []byte
	contYN  string
	nextKey string
}

// limiter returns the rate limiter of an api-id, shared by every caller.
// Kiwoom counts per (app key, api-id) (kiwoom.md §8: a 1700 on ka10080
// did not block ka10081). The limiter spaces requests 1/rps apart and
// lets at most floor(rps) go in any one second, counted at the moments
// they go: at the default 4/s no second of Kiwoom's 유량=5, however
// counted, sees a fifth, whatever the callers do (pace.Limiter).
func (c *Client) limiter(apiID string) *pace.Limiter {
	c.limMu.Lock()
	defer c.limMu.Unlock()
	l, ok := c.limiters[apiID]
	if !ok {
		l = pace.PerSecond(c.rps)
		c.limiters[apiID] = l
	}
	return l
}

// pace waits for the api-id's limiter on the client's clock and reports
// the pass to onWait.
func (c *Client) pace(ctx context.Context, apiID string) error {
	d, err := c.limiter(apiID).Wait(ctx, c.waitClk)
	if err == nil {
		c.onWait(apiID, d)
	}
	return err
}

// backoff is the retry schedule of one request. go-retry's own waits use
// time.NewTimer; waiting inside Next on the client's clock keeps backoff
// testable with a fake clock, and go-retry's Do still owns the loop.
func (c *Client) backoff(ctx context.Context) retry.Backoff {
	next := retry.WithMaxRetries(maxRetries,
		retry.WithCappedDuration(backoffCap,
			retry.WithJitterPercent(20, retry.NewExponential(c.backoffBase))))
	return clockBackoff(ctx, c.waitClk, next)
}

func clockBackoff(ctx context.Context, clk clock.Clock, next retry.Backoff) retry.Backoff {
	return retry.BackoffFunc(func() (time.Duration, bool) {
		d, stop := next.Next()
		if stop {
			return 0, true
		}
		select {
		case <-clk.After(d):
		case <-ctx.Done():
		}
		return 0, false
	})
}

// post sends one page of a TR and returns its answer, with the retry
// rules of the package: rate-limit answers are retried with backoff, a
// refused token is renewed once, queries are retried on transient
// failures, and orders only when the connection was refused.
func (c *Client) post(ctx context.Context, ep endpoint, payload []byte, contYN, nextKey string) (*page, error) {
	refreshed := false
	var last error
	p, err := retry.DoValue(ctx, c.backoff(ctx), func(ctx context.Context) (*page, error) {
		p, refused, err := c.postOnce(ctx, ep, payload, contYN, nextKey, &refreshed)
		if err == nil {
			return p, nil
		}
		last = err
		if ctx.Err() != nil {
			return nil, err
		}
		switch broker.KindOf(err) {
		case broker.RateLimited:
			c.onLimited(ep.id)
			c.log.Warn("kiwoom rate limited; backing off", "api_id", ep.id)
			return nil, retry.RetryableError(err)
		case broker.Transient:
			if !ep.order || refused {
				c.log.Warn("kiwoom request failed; retrying", "api_id", ep.id, "err", err)
				return nil, retry.RetryableError(err)
			}
		}
		return nil, err
	})
	if err != nil && isCtxErr(err) && !errors.As(err, new(*broker.Error)) {
		// Cancelled while backing off: report what was being waited out.
		if last != nil {
			return nil, last
		}
		return nil, ctxErr(err, false)
	}
	return p, err
}

// postOnce is one try, plus one more with a new token if Kiwoom refused
// the token (only once per request, tracked by refreshed). refused reports
// that nothing of the request left the client — the connection was
// refused, or no token could be had — so even an order may be tried again.
func (c *Client) postOnce(ctx context.Context, ep endpoint, payload []byte, contYN, nextKey string, refreshed *bool) (*page, bool, error) {
	for {
		if err := c.pace(ctx, ep.id); err != nil {
			return nil, false, ctxErr(err, false)
		}
		tok, err := c.tokens.Get(ctx)
		if err != nil {
			// Nothing of this request was sent, so even an order may be
			// tried again if the token failure was transient.
			return nil, true, err
		}
		p, refused, err := c.exchange(ctx, ep, payload, contYN, nextKey, tok)
		if err == nil {
			return p, false, nil
		}
		e, ok := broker.AsError(err)
		if !ok || e.Kind != broker.Auth || *refreshed || !(refreshCodes[e.Code] || e.Code == "401") {
			return nil, refused, err
		}
		*refreshed = true
		c.log.Info("kiwoom refused the token; renewing it once", "api_id", ep.id, "code", e.Code)
		c.tokens.Invalidate(tok)
		if _, terr := c.tokens.Get(ctx); terr != nil {
			// No new token (cool-down, or issuance failed): Kiwoom's
			// refusal is the error to report, with the wait if any.
			if te, ok := broker.AsError(terr); ok && te.RetryAfter > 0 {
				e.RetryAfter = te.RetryAfter
				sayWaitAfter(e, e, te.RetryAfter)
			}
			if te, ok := broker.AsError(terr); ok && te.Code != "" && te.Code != e.Code {
				return nil, false, terr
			}
			return nil, false, e
		}
	}
}

// exchange is one HTTP request and the reading of its answer.
func (c *Client) exchange(ctx context.Context, ep endpoint, payload []byte, contYN, nextKey string, tok redact.Secret) (*page, bool, error) {
	actx, cancel := clock.WithTimeout(ctx, c.timeoutClk, c.timeout)
	defer cancel()
	var wrote atomic.Bool
	actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{
		WroteRequest: func(i httptrace.WroteRequestInfo) {
			if i.Err == nil {
				wrote.Store(true)
			}
		},
	})
	req, err := http.NewRequestWithContext(actx, http.MethodPost, c.base+ep.path, bytes.NewReader(payload))
	if err != nil {
		return nil, false, &broker.Error{Kind: broker.Internal, Msg: "building request", Err: err}
	}
	req.Header.Set("api-id", ep.id)
	req.Header.Set("authorization", "Bearer "+tok.Reveal())
	req.Header.Set("content-type", contentType)
	if contYN != "" {
		req.Header.Set("cont-yn", contYN)
		req.Header.Set("next-key", nextKey)
	}
	start := c.clk.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		refused := !wrote.Load() && isDialErr(err)
		return nil, refused, c.transportErr(ctx, actx, ep, err, wrote.Load())
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, false, c.transportErr(ctx, actx, ep, err, true)
	}
	var env envelope
	jerr := json.Unmarshal(body, &env)
	rc, _ := env.ReturnCode.Int()
	c.log.Debug("kiwoom request", "api_id", ep.id, "status", resp.StatusCode, "return_code", rc,
		"took", c.clk.Now().Sub(start).Round(time.Millisecond))

	switch {
	case jerr == nil && rc != 0:
		e := c.apiError(resp.StatusCode, rc, env.ReturnMsg, ep.order)
		if ep.order && (e.Kind == broker.Transient || e.Kind == broker.Internal) {
			e = unknownOrder(e.Code, e.Msg, nil)
		}
		return nil, false, e
	case resp.StatusCode == http.StatusTooManyRequests:
		return nil, false, &broker.Error{Kind: broker.RateLimited, Code: "429", Msg: "Kiwoom answered 429 Too Many Requests", RetryAfter: time.Second}
	case resp.StatusCode == http.StatusUnauthorized:
		return nil, false, &broker.Error{Kind: broker.Auth, Code: "401", Msg: "Kiwoom answered 401 Unauthorized"}
	case resp.StatusCode >= 500:
		msg := fmt.Sprintf("Kiwoom answered HTTP %d", resp.StatusCode)
		if ep.order {
			return nil, false, unknownOrder(fmt.Sprint(resp.StatusCode), msg, nil)
		}
		return nil, false, &broker.Error{Kind: broker.Transient, Code: fmt.Sprint(resp.StatusCode), Msg: msg}
	case resp.StatusCode != http.StatusOK:
		return nil, false, &broker.Error{Kind: broker.Rejected, Code: fmt.Sprint(resp.StatusCode), Msg: fmt.Sprintf("Kiwoom answered HTTP %d: %s", resp.StatusCode, snippet(body))}
	case jerr != nil:
		msg := "Kiwoom's answer is not JSON: " + snippet(body)
		if ep.order {
			return nil, false, unknownOrder("", msg, jerr)
		}
		return nil, false, &broker.Error{Kind: broker.Transient, Msg: msg, Err: jerr}
	}
	return &page{body: body, contYN: resp.Header.Get("cont-yn"), nextKey: resp.Header.Get("next-key")}, false, nil
}

// transportErr classifies a failed exchange. ctx is the caller's: its
// cancellation is reported as such, the per-request timeout (actx's) as a
// timeout.
func (c *Client) transportErr(ctx, actx context.Context, ep endpoint, err error, wrote bool) error {
	what := "no answer from Kiwoom"
	if !wrote {
		what = "could not reach Kiwoom"
	}
	if ctx.Err() == nil && (errors.Is(err, context.DeadlineExceeded) || errors.Is(context.Cause(actx), context.DeadlineExceeded)) {
		what = fmt.Sprintf("no answer from Kiwoom within %s", c.timeout)
	}
	if ctx.Err() != nil {
		return ctxErr(ctx.Err(), wrote && ep.order)
	}
	if wrote && ep.order {
		return unknownOrder("", what, err)
	}
	return &broker.Error{Kind: broker.Transient, Msg: what, Err: err}
}

func unknownOrder(code, msg string, err error) *broker.Error {
	return &broker.Error{Kind: broker.UnknownOutcome, Code: code,
		Msg: msg + "; the order may have reached Kiwoom: check today's orders before trying again", Err: err}
}

// isDialErr reports a connection that was never established, so the
// request cannot have arrived.
func isDialErr(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// do sends a one-page TR and decodes its answer into out.
func (c *Client) do(ctx context.Context, ep endpoint, body, out any) error {
	payload, err := json.Marshal(body)
	if err != nil {
		return &broker.Error{Kind: broker.Internal, Msg: "encoding request", Err: err}
	}
	p, err := c.post(ctx, ep, payload, "", "")
	if err != nil {
		return err
	}
	return decode(ep, p.body, out)
}

// doPages sends a paged TR, the same body on every page with the previous
// answer's cont-yn/next-key as request headers, and hands each page to fn.
// fn returns errEnough to stop before the last page.
func (c *Client) doPages(ctx context.Context, ep endpoint, body any, fn func([]byte) error) error {
	payload, err := json.Marshal(body)
	if err != nil {
		return &broker.Error{Kind: broker.Internal, Msg: "encoding request", Err: err}
	}
	contYN, nextKey := "", ""
	seen := map[string]bool{}
	limit := ep.pages
	if limit <= 0 {
		limit = maxPages
	}
	for n := 0; n < limit; n++ {
		p, err := c.post(ctx, ep, payload, contYN, nextKey)
		if err != nil {
			return err
		}
		if err := fn(p.body); err != nil {
			return err // errEnough too: the caller has what it wants
		}
		if !strings.EqualFold(strings.TrimSpace(p.contYN), "Y") {
			return nil
		}
		if seen[p.nextKey] {
			return &broker.Error{Kind: broker.Transient, Code: ep.id, Msg: fmt.Sprintf("Kiwoom repeated the continuation key of %s; the list would never end", ep.id)}
		}
		seen[p.nextKey] = true
		contYN, nextKey = "Y", p.nextKey
	}
	return &broker.Error{Kind: broker.Transient, Code: ep.id, Msg: fmt.Sprintf("%s has more than %d pages; refusing to return a partial list", ep.id, limit)}
}

func decode(ep endpoint, body []byte, out any) error {
	if err := json.Unmarshal(body, out); err != nil {
		if ep.order {
			return unknownOrder("", "Kiwoom's answer could not be read", err)
		}
		return &broker.Error{Kind: broker.Internal, Msg: "reading Kiwoom's " + ep.id + " answer", Err: err}
	}
	return nil
}

// decodeList decodes a list field (ka10076's cntr, ka10075's oso) of an
// answer with return_code 0. Kiwoom answers an empty list as [] (the
// official examples' cntr/oso are arrays): a field that is missing, null
// or not an array is an answer hoga cannot read, reported as
// broker.Unreadable so that no caller mistakes it for "no orders today"
// (issue 21.1).
func decodeList(ep endpoint, field string, raw json.RawMessage, out any) error {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || t[0] != '[' {
		shown := string(t)
		if shown == "" {
			shown = "missing"
		}
		if len(shown) > 40 {
			shown = shown[:40] + "…"
		}
		return &broker.Error{Kind: broker.Unreadable, Msg: fmt.Sprintf("Kiwoom's %s answer has no readable %s list (%s)", ep.id, field, shown)}
	}
	if err := json.Unmarshal(t, out); err != nil {
		return &broker.Error{Kind: broker.Unreadable, Msg: "reading Kiwoom's " + ep.id + " " + field + " list", Err: err}
	}
	return nil
}
