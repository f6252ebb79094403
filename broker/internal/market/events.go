package market

import (
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// EventKind says what happened.
type EventKind int

// Event kinds.
const (
	EventFill   EventKind = iota + 1 // an order traded Qty at Price
	EventCancel                      // Qty of an order cancelled on request
	EventExpire                      // a day order's open Qty lapsed at the close
	EventPrice                       // a stock traded at Price (walk, SetPrice, schedule)
)

func (k EventKind) String() string {
	switch k {
	case EventFill:
		return "fill"
	case EventCancel:
		return "cancel"
	case EventExpire:
		return "expire"
	case EventPrice:
		return "price"
	}
	return "event?"
}

// Event is one thing that happened in the market. Order points at the
// market's live order (its state after the event): copy what you keep.
type Event struct {
	Kind       EventKind
	Time       time.Time
	Code       broker.Code
	Order      *Order // nil for EventPrice
	Qty        int64  // filled, cancelled or lapsed quantity
	Price      int64  // fill price, or the new price
	Volume     int64  // the day's volume after a price change
	Commission int64  // of this fill
	Tax        int64  // of this fill
	// Seq numbers fills from 1, market-wide: a fill's execution number
	// (KIS CNTG 체결번호, Kiwoom 909).
	Seq int64
}

func (m *Market) emit(ev Event) {
	if m.cfg.OnEvent != nil {
		m.cfg.OnEvent(ev)
	}
}
