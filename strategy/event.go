package strategy

import (
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// EventKind names what the engine did, for the alert feed.
type EventKind string

// Engine events. The guard publishes its own order events (placed,
// rejected, unknown, filled) for every order, the strategy's included;
// these say why the strategy acted and what it will do next.
const (
	// EventPlaced: a rule fired and its order was placed.
	EventPlaced EventKind = "placed"
	// EventAsked: a rule with confirm: true fired and the owner was asked.
	EventAsked EventKind = "asked"
	// EventRejected: a rule fired and the order was refused before it
	// reached the market; the leg stays armed and retries after a pause.
	EventRejected EventKind = "rejected"
	// EventUnknown: a rule fired and the order's outcome is unknown; the
	// guard reconciles it, the leg stays disarmed.
	EventUnknown EventKind = "unknown"
	// EventLimit: a hoga risk limit refused the order; the leg stays
	// disarmed until the price re-arms it.
	EventLimit EventKind = "limit"
	// EventSkipped: a leg crossed with nothing to do (position at its cap,
	// nothing to sell); the crossing is used up.
	EventSkipped EventKind = "skipped"
	// EventDisabled: MaxFailures broker failures in a row turned the rule
	// off; /rule on CODE turns it back on.
	EventDisabled EventKind = "disabled"
	// EventRearmed: the price moved back past the threshold by the band;
	// the leg may fire again.
	EventRearmed EventKind = "rearmed"
	// EventHalted: the kill switch is on; the strategy pauses until /resume.
	// Sent once per halt.
	EventHalted EventKind = "halted"
	// EventQuoteFailed: quotes for a code (or, with Reason "balance", the
	// balance) have failed MaxFailures times in a row; the engine keeps
	// trying. Sent once per run of failures.
	EventQuoteFailed EventKind = "quote_failed"
)

// Event is one thing the strategy did.
type Event struct {
	Kind EventKind
	Time time.Time
	// Rule is the rule concerned (zero for EventHalted).
	Rule Rule
	// Name is the stock's name from the quote, when known.
	Name string
	// Side is the leg that fired, was skipped or re-armed.
	Side broker.Side
	// Price is the quoted price that fired or re-armed the leg.
	Price int64
	// Request is the order the rule fired (placed, asked, rejected,
	// unknown, limit).
	Request broker.OrderRequest
	// Order is the broker's answer for EventPlaced.
	Order broker.Order
	// Err is why the order or quote failed.
	Err error
	// Reason explains EventSkipped and EventDisabled.
	Reason string
}
