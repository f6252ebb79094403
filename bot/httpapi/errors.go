package httpapi

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/broker"
)

// kindStatus is the one table from a broker.Kind to an HTTP status. The
// choices, for a client deciding what to do next:
//
//   - Invalid 400: the request itself is wrong (code, quantity, tick);
//     do not retry it unchanged.
//   - Rejected, InsufficientFunds, LimitExceeded 422: well-formed, but the
//     broker or a hoga risk limit (won per order, orders per day) refused
//     it; retrying the same order will be refused again today.
//   - Halted, MarketClosed 409: refused because of a state that will
//     change (the owner's /resume, the next session: next_open says when).
//   - NotFound 404.
//   - Auth 502: the *broker* refused hoga's credentials. It is not 401,
//     which would tell the HTTP client its own token is wrong.
//   - RateLimited 429 with Retry-After: nothing was done; retry later.
//   - Transient 503: nothing was done; retry later.
//   - UnknownOutcome 504 on reads. POST /orders never answers it: the
//     order may exist, so it answers 202 with state "unknown" and the
//     client id to poll (GET /orders/{id}) instead of inviting a resend.
//   - Unreadable 502: the broker answered something hoga cannot read
//     (a list field missing, a quote of 0); retry later.
//   - Duplicate 409: the order is already journaled (never sent twice).
//   - Internal 500, with a generic message; the log keeps the detail.
var kindStatus = map[broker.Kind]int{
	broker.Invalid:           http.StatusBadRequest,
	broker.Rejected:          http.StatusUnprocessableEntity,
	broker.InsufficientFunds: http.StatusUnprocessableEntity,
	broker.LimitExceeded:     http.StatusUnprocessableEntity,
	broker.Halted:            http.StatusConflict,
	broker.MarketClosed:      http.StatusConflict,
	broker.NotFound:          http.StatusNotFound,
	broker.Auth:              http.StatusBadGateway,
	broker.RateLimited:       http.StatusTooManyRequests,
	broker.Transient:         http.StatusServiceUnavailable,
	broker.UnknownOutcome:    http.StatusGatewayTimeout,
	broker.Internal:          http.StatusInternalServerError,
	broker.Unreadable:        http.StatusBadGateway,
	broker.Duplicate:         http.StatusConflict,
}

// StatusFor is the HTTP status the API answers for an error of kind k.
func StatusFor(k broker.Kind) int {
	if s, ok := kindStatus[k]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Error kinds of the HTTP layer itself, beside the broker.Kind names.
const (
	kindUnauthorized     = "unauthorized"           // 401: no or wrong bearer token
	kindForbidden        = "forbidden"              // 403: control routes off (no token configured)
	kindRouteNotFound    = "not_found"              // 404: no such route
	kindBadTarget        = "bad_request"            // 400: a request target that is no path (`GET *`)
	kindMethodNotAllowed = "method_not_allowed"     // 405
	kindTooLarge         = "too_large"              // 413: body over the limit
	kindMediaType        = "unsupported_media_type" // 415
	kindKeyReused        = "idempotency_key_reused" // 422: same key, different order
	kindInFlight         = "conflict"               // 409: same key still being processed
	kindNotHeld          = "not_held"               // 422: an exit on a stock not held
)

// apiError is the body of every error response:
// {"error": {"kind": …, "message": …}} plus optional detail.
type apiError struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
	// Code is the broker's own code ("APBK0952"), when it gave one.
	Code string `json:"code,omitempty"`
	// NextOpen is when KRX next accepts orders (market_closed).
	NextOpen *time.Time `json:"next_open,omitempty"`
	// RetryAfter is the wait in seconds (rate_limited), as in the header.
	RetryAfter int `json:"retry_after,omitempty"`
	// ClientID names the journaled order an error concerns, so it can be
	// looked up with GET /orders/{id}.
	ClientID string `json:"client_id,omitempty"`
}

type errorEnvelope struct {
	Error apiError `json:"error"`
}

// brokerError turns err into the response status, headers and body, and
// logs an internal error (whose detail the response withholds).
func (s *Server) brokerError(err error) (int, http.Header, apiError) {
	if broker.KindOf(err) == broker.Internal {
		s.log.Error("request failed", "err", err)
	}
	return s.describe(err)
}

// describe turns err into the response status, headers and body. The
// message is the router's sentence for it (plain text, without the leading
// symbol), so the HTTP API speaks the configured language like the chat.
func (s *Server) describe(err error) (int, http.Header, apiError) {
	h := http.Header{}
	kind := broker.KindOf(err)
	body := apiError{Kind: kind.String(), Message: s.errorText(err)}
	if e, ok := broker.AsError(err); ok {
		if e.Code != "krx" && e.Code != "tick" && kind != broker.Internal {
			body.Code = e.Code
		}
		if kind == broker.MarketClosed && !e.NextOpen.IsZero() {
			t := e.NextOpen.In(broker.KST())
			body.NextOpen = &t
		}
		if kind == broker.RateLimited {
			secs := 1
			if e.RetryAfter > 0 {
				secs = int(math.Ceil(e.RetryAfter.Seconds()))
			}
			body.RetryAfter = secs
			h.Set("Retry-After", strconv.Itoa(secs))
		}
		if kind == broker.Invalid && e.Code == "client_id" {
			// The guard found the client id journaled for another order:
			// after a restart, that is an Idempotency-Key reused with a
			// different body.
			body.Kind = kindKeyReused
			body.Message = s.msg("idem.reused")
			return http.StatusUnprocessableEntity, h, body
		}
	}
	return StatusFor(kind), h, body
}

// errorText is the user-facing sentence for err in the configured
// language: the chat router's, stripped of HTML and the leading symbol.
func (s *Server) errorText(err error) string {
	e, ok := broker.AsError(err) // a *broker.TickError unwraps to Invalid
	if !ok || e.Kind == broker.Internal && (e.Code != "journal_write" || s.cfg.Router == nil) {
		return s.msg("internal")
	}
	if s.cfg.Router != nil {
		return plain(s.cfg.Router.ErrorText(err))
	}
	if e.Msg == "" {
		return e.Kind.String()
	}
	return e.Msg
}

// plain turns a chat reply into API text: no tags, no entities, no
// leading emoji ("❌ ", "⏳ ").
func plain(html string) string {
	s := strings.TrimSpace(bot.StripHTML(html))
	return strings.TrimLeftFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '[' && r != '('
	})
}
