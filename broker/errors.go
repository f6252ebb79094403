package broker

import (
	"errors"
	"fmt"
	"time"
)

// Kind classifies an error by what a caller should do about it.
type Kind int

// Error kinds. Internal is the zero value: anything not classified is a bug
// or an unexpected condition, shown to a user as an internal error.
const (
	Internal          Kind = iota
	Invalid                // the request is malformed; fix it and try again
	Rejected               // the broker (or hoga's guard) refused it
	InsufficientFunds      // not enough cash or shares
	MarketClosed           // outside the session, or a holiday
	Auth                   // credentials or token refused
	RateLimited            // too many requests; nothing was done; retry later
	Transient              // network or server trouble; nothing was done
	UnknownOutcome         // the request went out and no answer came back
	NotFound               // no such stock or order
	Halted                 // hoga's kill switch is on
	LimitExceeded          // a hoga risk limit (amount, daily count) refused it
	// Unreadable: the broker answered success but the answer cannot be
	// read (a list field missing, null or not an array; a quote of 0 won).
	// For a read, nothing can be concluded from it — above all not "no
	// orders" — so the caller retries and alerts if it persists.
	Unreadable
	// Duplicate: the record already exists — a journal write under a
	// client order id that is already there. The caller reads the existing
	// row instead of sending the order again.
	Duplicate
)

var kindNames = [...]string{
	Internal:          "internal",
	Invalid:           "invalid",
	Rejected:          "rejected",
	InsufficientFunds: "insufficient_funds",
	MarketClosed:      "market_closed",
	Auth:              "auth",
	RateLimited:       "rate_limited",
	Transient:         "transient",
	UnknownOutcome:    "unknown_outcome",
	NotFound:          "not_found",
	Halted:            "halted",
	LimitExceeded:     "limit_exceeded",
	Unreadable:        "unreadable",
	Duplicate:         "duplicate",
}

func (k Kind) String() string {
	if int(k) >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Error is the one error type of the domain. Code and Msg are the broker's
// own (msg_cd/msg1 for KIS, the 4-digit code and return_msg for Kiwoom) so a
// user can be told exactly what the broker said.
type Error struct {
	Kind Kind
	Code string // broker's code, e.g. "APBK0952", "1700"; empty for hoga's own
	Msg  string // broker's or hoga's message, trimmed
	// RetryAfter, when set, is how long the caller should wait (rate limits).
	RetryAfter time.Duration
	// NextOpen, for MarketClosed from hoga's own calendar, is when orders
	// are next accepted.
	NextOpen time.Time
	// Say, when set, names hoga's own sentence for this error in the
	// user-facing catalogs (bot: key "say."+Say), with Args as its
	// arguments: Msg is English for the log, and a Korean reply must not
	// carry it (issue 12, item 12). Integers in Args are shown grouped.
	Say  string
	Args []any
	Err  error // underlying cause, if any
}

// Saying sets e's catalog sentence and returns e.
func (e *Error) Saying(key string, args ...any) *Error {
	e.Say, e.Args = key, args
	return e
}

func (e *Error) Error() string {
	s := e.Kind.String()
	if e.Code != "" {
		s += " [" + e.Code + "]"
	}
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	if !e.NextOpen.IsZero() {
		s += " (next session " + e.NextOpen.In(KST()).Format("Mon 2006-01-02 15:04 KST") + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the Kind of the first *Error in err's chain, Internal if
// there is none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// AsError returns the first *Error in err's chain.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Errorf builds an *Error of kind k with a formatted message.
func Errorf(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Msg: fmt.Sprintf(format, args...)}
}

// ValueBasis is the price an order was valued at against HOGA_MAX_ORDER_KRW.
type ValueBasis int

// Value bases: a limit order at its own price; a market buy at the day's
// upper limit (what it can pay at most, and what KIS reserves for it); a
// market sell at the current price (what it is expected to raise).
const (
	BasisLimit ValueBasis = iota
	BasisUpperLimit
	BasisCurrent
)

var basisNames = [...]string{
	BasisLimit:      "the limit price",
	BasisUpperLimit: "the upper limit price, the most a market buy can pay",
	BasisCurrent:    "the current price",
}

// OrderValue is the arithmetic behind a refusal for the per-order amount
// limit. It travels as the Err of a LimitExceeded error so that a reply can
// show the user the sum (10 × 257,000 = 2,570,000원) in their language, not
// only that some limit was crossed.
type OrderValue struct {
	Qty, Price, Amount, Limit int64
	Basis                     ValueBasis
}

func (v *OrderValue) Error() string {
	basis := "the price"
	if int(v.Basis) >= 0 && int(v.Basis) < len(basisNames) {
		basis = basisNames[v.Basis]
	}
	return fmt.Sprintf("order value %s won (%s × %s, %s) is over the per-order limit of %s won; set HOGA_MAX_ORDER_KRW to change it",
		Thousands(v.Amount), Thousands(v.Qty), Thousands(v.Price), basis, Thousands(v.Limit))
}

// SellRoom is why a sell was refused before the broker was asked: it asks
// for more shares than are held and not already in hoga's open sells. It
// travels as the Err of an InsufficientFunds error so a reply can give the
// owner the numbers (held, committed, free) in their language.
type SellRoom struct {
	Qty       int64 // asked to sell
	Held      int64 // shares held
	Committed int64 // of those, already in hoga's open sells
	Free      int64 // may be sold now
}

func (s *SellRoom) Error() string {
	return fmt.Sprintf("selling %s shares, but %s are held, %s of them already in open sells, so at most %s may be sold now",
		Thousands(s.Qty), Thousands(s.Held), Thousands(s.Committed), Thousands(s.Free))
}
