package broker

import "time"

// EventKind names what happened to an order, for the alert feed.
type EventKind string

// Order events published by broker/guard and broker/tracker.
const (
	EventPlaced     EventKind = "placed"     // the broker accepted the order
	EventRejected   EventKind = "rejected"   // refused by hoga's checks or the broker
	EventUnknown    EventKind = "unknown"    // sent, no answer: being reconciled
	EventReconciled EventKind = "reconciled" // an unknown outcome was resolved
	EventCorrected  EventKind = "corrected"  // an order told "never placed" turned up at the broker: do not resend
	EventPartial    EventKind = "partial"    // some shares filled, the rest still open (broker/tracker)
	EventFilled     EventKind = "filled"     // the last shares filled (broker/tracker)
	EventCancelled  EventKind = "cancelled"  // cancelled: at the owner's request (guard) or by the broker (tracker, By empty)
	EventExpired    EventKind = "expired"    // a day order still open at the session's close lapsed (broker/tracker)
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
	// Fill is the fill a partial or filled event reports (Late: it
	// happened while hoga was down); zero for other kinds.
	Fill Fill
	// Delivered, when set, is to be called once a transport has delivered
	// the alert of this event to the owner: the tracker marks the fill told
	// in the journal, so a restart re-sends only the alerts it lost.
	Delivered func()
}
