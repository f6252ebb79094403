package broker

import "time"

// EventKind names what happened to an order, for the alert feed.
type EventKind string

// Order events published by broker/guard.
const (
	EventPlaced     EventKind = "placed"     // the broker accepted the order
	EventRejected   EventKind = "rejected"   // refused by hoga's checks or the broker
	EventUnknown    EventKind = "unknown"    // sent, no answer: being reconciled
	EventReconciled EventKind = "reconciled" // an unknown outcome was resolved
	EventFilled     EventKind = "filled"     // fully filled (when observed)
	EventCancelled  EventKind = "cancelled"  // cancelled at the owner's request
	EventHalted     EventKind = "halted"     // kill switch turned on
	EventResumed    EventKind = "resumed"    // kill switch turned off
)

// OrderEvent is one thing that happened on the order path. Transports turn
// it into a message; cmd/hoga connects publishers to the alert feed.
type OrderEvent struct {
	Kind    EventKind
	Time    time.Time
	Request OrderRequest // what was asked (zero for halt/resume)
	Order   Order        // the broker's view, when there is one
	Err     error        // why it was rejected, or the unknown cause
	By      string       // who halted/resumed or cancelled
}
