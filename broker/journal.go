package broker

import (
	"errors"
	"fmt"
	"time"
)

// JournalEntry is one journaled order: what was asked, by whom, and where it
// stands as far as hoga knows. broker/guard writes entries before any order
// reaches a broker; the order tracker records its fills (FillJournal) and
// keeps FilledQty and FillAmount in step; the store keeps them.
type JournalEntry struct {
	// ClientID is hoga's id for the order; unique across the journal.
	ClientID string
	Source   string // console, telegram, http, strategy
	User     string // who asked

	Code  Code
	Side  Side
	Type  OrderType
	Qty   int64
	Price int64 // 0 for market
	// Venue is where the order was sent (KRX, NXT, SOR), so a cancel goes
	// to the same venue and reconciliation matches on it. Rows written
	// before the journal kept venues (migration 0003) read as KRX, the only
	// venue hoga sent to then.
	Venue Venue
	// Session is the KRX off-hours session the order was sent for
	// (OrderRequest.Session): a closing-price order (시간외 종가) is a
	// Market order with a closing Session, so this is what tells it from
	// a plain market order once the process that placed it is gone. A
	// retried client id is compared on it (broker/guard), and /orders and
	// reconciliation read it after a restart. Empty for an ordinary order
	// and for rows written before migration 0006.
	Session SessionKind
	// Exchange is, for a SOR order, the exchange its fills traded on as
	// the broker's fill notice said (KIS H0STCNI0/9 ORD_EXG_GB 3 SOR-KRX,
	// 4 SOR-NXT): KRX or NXT, SOR when fills came from both (neither alone
	// is where it traded), "" when no notice has said. KIS's order list
	// names only the venue sent, so after a restart this is the only
	// record of where a SOR order went (issue 16). Kept by NoteExchange;
	// "" for rows written before migration 0007.
	Exchange Venue

	// State is pending (journaled, broker not answered yet), accepted,
	// partial, filled, rejected, unknown (sent, no answer) or cancelled.
	State    OrderStatus
	BrokerID string // broker order number once known
	Branch   string // KIS order branch, needed to cancel

	// ErrKind, ErrCode and ErrMsg record why an order was rejected or
	// why its outcome is unknown.
	ErrKind Kind
	ErrCode string
	ErrMsg  string
	// ErrSay and ErrArgs are hoga's own refusal as its catalog says it
	// (Error.Say, Error.Args), so /orders words a stored rejection in the
	// reader's language instead of showing ErrMsg, the log's English
	// (issue 12, item 12). Empty for a broker's refusal, which ErrMsg holds
	// as the broker said it, and for rows written before migration 0005.
	ErrSay  string
	ErrArgs []any
	// Note is a short remark for the owner (how it was reconciled, why it
	// is unresolved).
	Note string
	// Expired marks a pending/unknown row whose trading day ended before
	// it could be reconciled: today's order list can no longer show it, so
	// reconciliation stops and the owner is told to check the broker's
	// history.
	Expired bool

	// FilledQty and FillAmount are the sums of the order's journaled
	// fills (shares, won), kept by the fill journal.
	FilledQty  int64
	FillAmount int64

	Created time.Time // when the row was written, just before the broker call
	Updated time.Time
}

// AvgFillPrice is the average price of the journaled fills, rounded to the
// won; 0 before any.
func (e JournalEntry) AvgFillPrice() int64 {
	if e.FilledQty <= 0 {
		return 0
	}
	return (e.FillAmount + e.FilledQty/2) / e.FilledQty
}

// Request rebuilds the order request the entry journals.
func (e JournalEntry) Request() OrderRequest {
	return OrderRequest{
		Code: e.Code, Side: e.Side, Type: e.Type, Qty: e.Qty, Price: e.Price, Venue: e.Venue,
		Session: e.Session, AtClose: e.Session.Closing(),
		ClientID: e.ClientID, Source: e.Source, User: e.User,
	}
}

// SameOrder reports whether r asks for the order the entry journals: the
// same code, side, type, quantity and price, and a closing-price order
// (AtClose) only for a row sent as one. A client id journaled for one order
// and asked again for another is refused, never replayed: broker/guard for
// any client id, the HTTP API for an Idempotency-Key after a restart.
func (e JournalEntry) SameOrder(r OrderRequest) bool {
	return e.Code == r.Code && e.Side == r.Side && e.Type == r.Type && e.Qty == r.Qty && e.Price == r.Price &&
		e.Session.Closing() == r.AtClose
}

// Err rebuilds the error recorded with the entry, nil if none.
func (e JournalEntry) Err() error {
	if e.ErrKind == Internal && e.ErrCode == "" && e.ErrMsg == "" && e.ErrSay == "" {
		return nil
	}
	return &Error{Kind: e.ErrKind, Code: e.ErrCode, Msg: e.ErrMsg, Say: e.ErrSay, Args: e.ErrArgs}
}

// SetErr records err's kind, code, message and catalog sentence (the whole
// chain's text when err is not a *Error).
func (e *JournalEntry) SetErr(err error) {
	e.ErrKind, e.ErrCode, e.ErrMsg = errFields(err)
	e.ErrSay, e.ErrArgs = "", nil
	if be, ok := AsError(err); ok && be.Say != "" {
		e.ErrSay, e.ErrArgs = be.Say, be.Args
	}
}

// NoteExchange records that a fill of the order traded on exchange on (KRX
// or NXT) and reports whether the entry changed. Only a SOR order's is
// kept: a KRX or NXT order trades where it was sent. A second exchange
// makes it SOR, for good: its fills came from both.
func (e *JournalEntry) NoteExchange(on Venue) bool {
	if e.Venue != VenueSOR || (on != VenueKRX && on != VenueNXT) || e.Exchange == on || e.Exchange == VenueSOR {
		return false
	}
	if e.Exchange == "" {
		e.Exchange = on
	} else {
		e.Exchange = VenueSOR
	}
	return true
}

// TradedOn is where the order traded as far as the journal knows: the
// exchange a SOR order's fills were on, "" when a notice never said or
// they were on both (NoteExchange).
func (e JournalEntry) TradedOn() Venue {
	if e.Exchange == VenueSOR {
		return ""
	}
	return e.Exchange
}

// Unresolved reports whether reconciliation still has to settle the entry.
func (e JournalEntry) Unresolved() bool {
	return (e.State == StatusPending || e.State == StatusUnknown) && !e.Expired
}

// RetryableRefusal reports whether the entry is a refusal that promised the
// broker did nothing (RateLimited, Transient). The guard replays a journaled
// refusal for the same client id, so a real retry of such an order needs a
// fresh id; any other journaled outcome is the order's fate.
func (e JournalEntry) RetryableRefusal() bool {
	return e.State == StatusRejected && (e.ErrKind == RateLimited || e.ErrKind == Transient)
}

// Validate reports what a journal refuses to write: an entry without a
// client id, a creation time or a state.
func (e JournalEntry) Validate() error {
	switch {
	case e.ClientID == "":
		return errors.New("entry has no client id")
	case e.Created.IsZero():
		return errors.New("entry has no creation time")
	case e.State == "":
		return errors.New("entry has no state")
	}
	return nil
}

func errFields(err error) (Kind, string, string) {
	if err == nil {
		return Internal, "", ""
	}
	if be, ok := AsError(err); ok {
		msg := be.Msg
		if msg == "" {
			msg = err.Error()
		}
		return be.Kind, be.Code, msg
	}
	return Internal, "", err.Error()
}

// JournalCancel is one journaled cancel request.
type JournalCancel struct {
	ID       int64  // assigned by the journal when the cancel is inserted
	OrderID  string // broker order number being cancelled
	ClientID string // journal entry of that order, when hoga placed it
	Source   string
	User     string
	// State is pending, accepted (the broker took the cancel), rejected or
	// unknown.
	State    OrderStatus
	CancelID string // the broker's number for the cancel itself
	ErrKind  Kind
	ErrCode  string
	ErrMsg   string
	Created  time.Time
	Updated  time.Time
}

// SetErr records err's kind, code and message.
func (c *JournalCancel) SetErr(err error) {
	c.ErrKind, c.ErrCode, c.ErrMsg = errFields(err)
}

// Day is the KST trading date of t (YYYY-MM-DD), as the journal indexes it:
// brokers restart their order numbering daily, so a broker order number is
// only unique within its Day.
func Day(t time.Time) string { return t.In(KST()).Format(time.DateOnly) }

// JournalLost says the journal's file is no longer the one hoga opened: it
// was deleted (with its WAL) or replaced while hoga ran. Rows written after
// that go to a file nobody can open again, so an order placed then would be
// an order with no record after a restart (issue 20, item 3). It travels as
// the Err of the Halted error the guard refuses orders with, so a reply can
// name the paths in the owner's language.
type JournalLost struct {
	// Path is the journal file hoga opened.
	Path string
	// What is the file found missing or replaced: Path or its WAL.
	What string
	// Copy is where hoga saved the journal as it still had it open, ""
	// when it could not.
	Copy string
	// Err is why the check failed (the stat error), or why the copy did.
	Err error
}

func (e *JournalLost) Error() string {
	s := fmt.Sprintf("the order journal %s was removed or replaced while hoga was running", e.What)
	if e.Copy != "" {
		s += fmt.Sprintf("; hoga saved the journal as it still had it to %s: stop hoga, move that file to %s, then start hoga again", e.Copy, e.Path)
	} else {
		s += fmt.Sprintf("; hoga could not save a copy, so check today's orders in the broker's app before starting hoga again (a new empty journal will be made at %s)", e.Path)
	}
	if e.Err != nil {
		s += " (" + e.Err.Error() + ")"
	}
	return s
}

func (e *JournalLost) Unwrap() error { return e.Err }

// OrderOfOtherScope is why a cancel was refused before anything was sent:
// the order number is in the journal of another broker, mode or account
// kept in the same data directory, not in this session's (issue 12, item
// 9). Mock and live order numbers overlap, so sending it on would cancel
// whatever order of this account carries the same number. It travels as the
// Err of an Invalid error so a reply can name the other journal in the
// owner's language.
type OrderOfOtherScope struct {
	// OrderID is the number asked for.
	OrderID string
	// Scope names the journal that holds it: broker-mode-<8 hex of the
	// account's hash> ("kis-mock-1a2b3c4d"), never an account number.
	Scope string
}

func (e *OrderOfOtherScope) Error() string {
	return fmt.Sprintf("order %s was placed by hoga for another broker, mode or account (%s); this session did not send a cancel: start hoga with that broker, mode and account to cancel it", e.OrderID, e.Scope)
}
