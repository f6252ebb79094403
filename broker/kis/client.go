package kis

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	retry "github.com/sethvargo/go-retry"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/internal/token"
	"github.com/hoga-trade/hoga/clock"
	"github.com/hoga-trade/hoga/internal/redact"
)

// maxBody bounds how much of an answer is read; the largest KIS answers
// (a 100-row page of orders) are well under a megabyte.
const maxBody = 8 << 20

// maxRetries bounds retries of one call (rate limits, transient errors,
// the single token reissue).
const maxRetries = 5

// Client is a broker.Broker on one KIS account. It is safe for concurrent
// use; all callers share its rate limiter and its token.
type Client struct {
	set     settings
	http    *http.Client
	log     *slog.Logger
	clock   clock.Clock
	waitClk clock.Clock // paces requests (Options.WaitClock) …
	waitOwn bool        // … unless none was given: then clock does
	// timeoutClk measures each attempt's timeout (Options.TimeoutClock);
	// nil is the wall clock.
	timeoutClk clock.Clock
	limiter    *Limiter
	tokens     *token.Lifecycle
	names      nameCache
	// routed is where the stream's notices said each of today's orders
	// went (routes.go), for OrdersToday's Exchange.
	routed routes
	// onWait and onIssued are Options.OnRateLimitWait and OnTokenIssued,
	// never nil.
	onWait func(api string, d time.Duration)
	// onLimited is Options.OnRateLimited, never nil.
	onLimited func(api string)
	onIssued  func()
	// approval is the WebSocket approval key (approval.go); tokenStore
	// persists it beside the access token.
	approval   approvals
	tokenStore TokenStore
}

var _ broker.Broker = (*Client)(nil)

// New checks the options and returns a client. It does not contact KIS; a
// saved token, if any, is read from Options.Tokens on first use. Call
// EnsureToken to fail fast on bad credentials.
func New(opts Options) (*Client, error) {
	set, err := opts.settings()
	if err != nil {
		return nil, err
	}
	c := &Client{
		set:        set,
		http:       opts.HTTPClient,
		log:        opts.Logger,
		clock:      clock.Or(opts.Clock),
		waitClk:    clock.Or(opts.WaitClock),
		waitOwn:    opts.WaitClock == nil,
		timeoutClk: opts.TimeoutClock,
		limiter:    opts.Limiter,
		onWait:     opts.OnRateLimitWait,
		onIssued:   opts.OnTokenIssued,
		onLimited:  opts.OnRateLimited,
	}
	if c.onLimited == nil {
		c.onLimited = func(string) {}
	}
	if c.onWait == nil {
		c.onWait = func(string, time.Duration) {}
	}
	if c.onIssued == nil {
		c.onIssued = func() {}
	}
	if c.http == nil {
		c.http = &http.Client{}
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	c.log = c.log.With("broker", "kis", "mode", string(set.mode))
	if c.limiter == nil {
		c.limiter = NewLimiter(set.mode, opts.RPS)
	}
	c.tokenStore = opts.Tokens
	c.tokens = newTokens(c, opts.Tokens, TokenKey(set.mode, set.appKey))
	c.names.init()
	return c, nil
}

// Name is "kis".
func (c *Client) Name() string { return "kis" }

// Mode is the service the client talks to.
func (c *Client) Mode() Mode { return c.set.mode }

// Account is the (masked-printing) account the client trades.
func (c *Client) Account() Account { return c.set.account }

// TokenExpiry is when the current access token expires (zero when the
// client holds none yet), for /status.
func (c *Client) TokenExpiry() time.Time { return c.tokens.Expiry() }

// EnsureToken makes sure a usable access token is held, issuing one if
// needed. Errors: Auth (bad app key or secret), RateLimited, Transient.
func (c *Client) EnsureToken(ctx context.Context) error {
	_, err := c.tokens.Get(ctx)
	return err
}

// request is one KIS REST call.
type request struct {
	method string
	path   string
	trID   string // the real (실전) tr_id; converted for mock
	query  url.Values
	body   map[string]string
	trCont string
	// order marks calls that act (order-cash, order-rvsecncl): after the
	// request may have reached KIS, they are never retried blindly.
	order bool
}

// reply is a decoded-enough answer: the envelope, the paging header, and
// the raw body for the caller's own decoding.
type reply struct {
	status int
	trCont string
	gtUID  string
	env    envelope
	body   []byte
}

// tr converts a real tr_id for the mock service: a leading T, J or C
// becomes V; quotation TRs (FH…) are the same on both (kis.md §3).
func (c *Client) tr(id string) string {
	if c.set.mode == ModeMock && id != "" && (id[0] == 'T' || id[0] == 'J' || id[0] == 'C') {
		return "V" + id[1:]
	}
	return id
}

// do runs a call with the retry rules of the package doc: rate-limit
// rejections and transient failures are retried with exponential backoff
// (orders only when the failure proves nothing was sent); a refused token
// is dropped, reissued and the call retried once.
func (c *Client) do(ctx context.Context, rq *request) (*reply, error) {
	var b retry.Backoff = retry.NewExponential(c.set.backoff)
	b = retry.WithJitterPercent(20, b)
	b = retry.WithCappedDuration(4*time.Second, b)
	b = retry.WithMaxRetries(maxRetries, b)
	reissued := false
	var out *reply
	err := retry.Do(ctx, b, func(ctx context.Context) error {
		r, tok, err := c.attempt(ctx, rq)
		if err == nil {
			out = r
			return nil
		}
		e, ok := broker.AsError(err)
		if !ok {
			return err
		}
		switch {
		case e.Kind == broker.RateLimited:
			// KIS refused the request before doing anything.
			c.onLimited(c.tr(rq.trID))
			return retry.RetryableError(err)
		case tokenRejected(e.Code) && !reissued:
			// The gateway refused the token, so the request never reached
			// the order system: reissuing and retrying once is safe even
			// for an order.
			reissued = true
			c.tokens.Invalidate(tok)
			return retry.RetryableError(err)
		case e.Kind == broker.Transient:
			// For orders this is only produced when nothing was sent
			// (a refused connection); see transportError.
			return retry.RetryableError(err)
		}
		return err
	})
	if err != nil {
		if _, ok := broker.AsError(err); !ok && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
			// Cancelled between attempts: the last attempt was a clean
			// rejection, so nothing was done.
			err = &broker.Error{Kind: broker.Transient, Msg: "cancelled before KIS answered", Err: err}
		}
		return nil, err
	}
	return out, nil
}

// attempt sends the call once. It returns the token it used so a refused
// token can be dropped.
func (c *Client) attempt(ctx context.Context, rq *request) (*reply, redact.Secret, error) {
	tok, err := c.tokens.Get(ctx)
	if err != nil {
		return nil, "", err
	}
	trID := c.tr(rq.trID)
	if err := c.wait(ctx, trID); err != nil {
		return nil, tok, &broker.Error{Kind: broker.Transient, Msg: "cancelled while waiting for the request rate limit", Err: err}
	}
	actx, cancel := clock.WithTimeout(ctx, c.timeoutClk, c.set.timeout)
	defer cancel()
	req, err := c.newRequest(actx, rq, tok)
	if err != nil {
		return nil, tok, err
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		err = c.transportError(ctx, rq, err)
		c.log.Warn("kis call got no answer", "tr_id", trID, "err", err)
		return nil, tok, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
	if err != nil {
		err = c.transportError(ctx, rq, err)
		c.log.Warn("kis call failed reading the answer", "tr_id", trID, "http", resp.StatusCode, "err", err)
		return nil, tok, err
	}
	r := &reply{
		status: resp.StatusCode,
		trCont: strings.TrimSpace(resp.Header.Get("tr_cont")),
		gtUID:  resp.Header.Get("gt_uid"),
		body:   body,
	}
	decErr := json.Unmarshal(body, &r.env)
	c.log.Debug("kis call", "tr_id", trID, "gt_uid", r.gtUID, "http", r.status,
		"rt_cd", r.env.RtCd, "msg_cd", r.env.MsgCd, "tr_cont", r.trCont, "elapsed", time.Since(start))
	if err := c.check(rq, r, decErr); err != nil {
		// gt_uid is KIS's id for the transaction: what their support asks for.
		c.log.Warn("kis call failed", "tr_id", trID, "gt_uid", r.gtUID, "http", r.status, "err", err)
		return r, tok, err
	}
	return r, tok, nil
}

// wait takes one token from the rate limiter on the client's clock, so
// tests with a fake clock exercise the real limiter without sleeping, and
// reports the pass for trID to onWait.
func (c *Client) wait(ctx context.Context, trID string) error {
	clk := c.waitClk
	if c.waitOwn {
		clk = c.clock
	}
	d, err := c.limiter.Wait(ctx, clk)
	if err == nil {
		c.onWait(trID, d)
	}
	return err
}

func (c *Client) newRequest(ctx context.Context, rq *request, tok redact.Secret) (*http.Request, error) {
	u := c.set.base + rq.path
	var body io.Reader
	if rq.method == http.MethodGet {
		if len(rq.query) > 0 {
			u += "?" + rq.query.Encode()
		}
	} else {
		// Keys are upper case and every value a string (kis.md §3).
		b, err := json.Marshal(rq.body)
		if err != nil {
			return nil, fmt.Errorf("kis: encode %s body: %w", rq.path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, rq.method, u, body)
	if err != nil {
		return nil, fmt.Errorf("kis: build %s request: %w", rq.path, err)
	}
	// Header names as the KIS docs spell them (Go would otherwise
	// canonicalise them to Tr_id and the like; HTTP does not care, the
	// docs' samples are lower case).
	h := req.Header
	h["content-type"] = []string{"application/json; charset=utf-8"}
	h["authorization"] = []string{"Bearer " + tok.Reveal()}
	h["appkey"] = []string{string(c.set.appKey)}
	h["appsecret"] = []string{string(c.set.appSecret)}
	h["tr_id"] = []string{c.tr(rq.trID)}
	h["custtype"] = []string{"P"}
	if rq.trCont != "" {
		h["tr_cont"] = []string{rq.trCont}
	}
	return req, nil
}

// transportError classifies a failure to get an answer at all. The
// request URL in net/http's error is cut to its path: the query holds the
// account number, and the error may reach a log or a chat.
func (c *Client) transportError(ctx context.Context, rq *request, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = &url.Error{Op: ue.Op, URL: rq.path, Err: ue.Err}
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		// The connection was refused or never made: nothing was sent.
		return &broker.Error{Kind: broker.Transient, Msg: "cannot connect to KIS", Err: err}
	}
	if rq.order {
		return &broker.Error{Kind: broker.UnknownOutcome,
			Msg: "no answer from KIS after the order was sent; it may have been placed: check today's orders before sending it again",
			Err: err}
	}
	if ctx.Err() != nil {
		return &broker.Error{Kind: broker.Transient, Msg: "cancelled before KIS answered", Err: err}
	}
	return &broker.Error{Kind: broker.Transient, Msg: "KIS did not answer", Err: err}
}

// check turns an answer into an error unless rt_cd is "0". The body is
// read whatever the HTTP status: KIS sends errors (EGW00201 among them)
// as HTTP 500 with a normal envelope, and sometimes as 200.
func (c *Client) check(rq *request, r *reply, decErr error) error {
	if decErr != nil || r.env.RtCd == "" {
		switch {
		case rq.order:
			return &broker.Error{Kind: broker.UnknownOutcome,
				Msg: fmt.Sprintf("KIS answered HTTP %d without a readable result; the order may have been placed: check today's orders before sending it again", r.status),
				Err: decErr}
		case r.status >= 500 || r.status == http.StatusTooManyRequests:
			return &broker.Error{Kind: broker.Transient, Msg: fmt.Sprintf("KIS answered HTTP %d", r.status), Err: decErr}
		}
		return &broker.Error{Kind: broker.Internal, Msg: fmt.Sprintf("unexpected answer from KIS (HTTP %d)", r.status), Err: decErr}
	}
	if r.env.RtCd == "0" {
		return nil
	}
	return apiError(strings.TrimSpace(r.env.MsgCd), strings.TrimSpace(r.env.Msg1), r.status, rq.order)
}

// pages follows KIS's continuation protocol: while the answer's tr_cont
// header is F or M, ask again with tr_cont "N" and the body's
// ctx_area_fk100/nk100 (sent back unchanged). page decodes one body and
// returns its continuation keys.
func (c *Client) pages(ctx context.Context, path, trID string, q url.Values, maxPages int,
	page func(body []byte) (fk, nk string, err error)) error {
	trCont := ""
	for i := 0; i < maxPages; i++ {
		r, err := c.do(ctx, &request{method: http.MethodGet, path: path, trID: trID, query: q, trCont: trCont})
		if err != nil {
			return err
		}
		fk, nk, err := page(r.body)
		if err != nil {
			return err
		}
		if r.trCont != "F" && r.trCont != "M" {
			return nil // D or E (or absent): last page
		}
		if strings.TrimSpace(nk) == "" && strings.TrimSpace(fk) == "" {
			c.log.Warn("kis: more pages announced without a continuation key; stopping", "tr_id", c.tr(trID))
			return nil
		}
		next := make(url.Values, len(q))
		for k, v := range q {
			next[k] = v
		}
		next.Set("CTX_AREA_FK100", fk)
		next.Set("CTX_AREA_NK100", nk)
		q, trCont = next, "N"
	}
	return &broker.Error{Kind: broker.Internal,
		Msg: fmt.Sprintf("KIS still had more after %d pages of %s; refusing a partial answer", maxPages, path)}
}

// today is the KST date of the client's clock.
func (c *Client) today() time.Time {
	n := c.clock.Now().In(broker.KST())
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, broker.KST())
}

// kstTime reads KIS's YYYYMMDD + HHMMSS (KST); ok is false when either
// part is malformed.
func kstTime(date, hhmmss string) (time.Time, bool) {
	t, err := time.ParseInLocation("20060102150405", strings.TrimSpace(date)+strings.TrimSpace(hhmmss), broker.KST())
	return t, err == nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// malformed reports a field KIS sent that hoga cannot parse.
func malformed(what, field string) error {
	return &broker.Error{Kind: broker.Internal, Msg: fmt.Sprintf("KIS sent a malformed %s (%s)", what, field)}
}
