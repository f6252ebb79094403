package httpapi

import (
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// Order states beyond broker.OrderStatus, for live orders before the
// broker sees them.
const (
	// StateAwaiting: the owner has been asked and has not pressed yet.
	StateAwaiting = "awaiting_confirmation"
	// StateExpired: the confirmation lapsed unpressed; nothing was sent.
	StateExpired = "expired"
	// StateDeclined: an owner pressed [주문 안 함]; nothing was sent. It
	// reads so at once (it read awaiting_confirmation, then expired:
	// issue 12.10).
	StateDeclined = "declined"
)

// quoteJSON is GET /price/{code}. Money is whole won, as JSON integers.
type quoteJSON struct {
	Code       string    `json:"code"`
	Name       string    `json:"name,omitempty"`
	Price      int64     `json:"price"`
	Change     int64     `json:"change"`
	ChangePct  float64   `json:"change_pct"`
	Volume     int64     `json:"volume"`
	Open       int64     `json:"open"`
	High       int64     `json:"high"`
	Low        int64     `json:"low"`
	PrevClose  int64     `json:"prev_close"`
	UpperLimit int64     `json:"upper_limit"`
	LowerLimit int64     `json:"lower_limit"`
	Tick       int64     `json:"tick,omitempty"`
	Time       *jsonTime `json:"time,omitempty"`
}

func quoteOut(q broker.Quote) quoteJSON {
	return quoteJSON{
		Code: string(q.Code), Name: q.Name, Price: q.Price, Change: q.Change, ChangePct: q.ChangePct,
		Volume: q.Volume, Open: q.Open, High: q.High, Low: q.Low, PrevClose: q.PrevClose,
		UpperLimit: q.UpperLimit, LowerLimit: q.LowerLimit, Tick: q.Tick, Time: kst(q.Time),
	}
}

// balanceJSON is GET /balance.
type balanceJSON struct {
	Cash       int64          `json:"cash"`
	Orderable  int64          `json:"orderable"`
	StockValue int64          `json:"stock_value"`
	Total      int64          `json:"total"`
	Cost       int64          `json:"cost"`
	PnL        int64          `json:"pnl"`
	Positions  []positionJSON `json:"positions"`
}

type positionJSON struct {
	Code     string  `json:"code"`
	Name     string  `json:"name,omitempty"`
	Qty      int64   `json:"qty"`
	Sellable int64   `json:"sellable"`
	AvgPrice int64   `json:"avg_price"`
	Price    int64   `json:"price"`
	Cost     int64   `json:"cost"`
	Value    int64   `json:"value"`
	PnL      int64   `json:"pnl"`
	PnLPct   float64 `json:"pnl_pct"`
}

func balanceOut(b broker.Balance) balanceJSON {
	out := balanceJSON{Cash: b.Cash, Orderable: b.Orderable, StockValue: b.StockValue, Total: b.Total, Cost: b.Cost,
		PnL: b.PnL, Positions: make([]positionJSON, 0, len(b.Positions))}
	for _, p := range b.Positions {
		out.Positions = append(out.Positions, positionJSON{Code: string(p.Code), Name: p.Name, Qty: p.Qty,
			Sellable: p.Sellable, AvgPrice: p.AvgPrice, Price: p.Price, Cost: p.Cost, Value: p.Value, PnL: p.PnL, PnLPct: p.PnLPct})
	}
	return out
}

// orderJSON is one order in every order response. ID is the broker's
// order number once there is one; ClientID is hoga's, known from the
// moment the order is accepted for processing. Either finds the order with
// GET /orders/{id}.
type orderJSON struct {
	ID       string `json:"id,omitempty"`
	ClientID string `json:"client_id,omitempty"`
	// State is pending, accepted, partial, filled, cancelled, rejected,
	// unknown, or for live orders awaiting_confirmation and expired.
	State        string    `json:"state"`
	Code         string    `json:"code,omitempty"`
	Name         string    `json:"name,omitempty"`
	Side         string    `json:"side,omitempty"`
	Type         string    `json:"type,omitempty"`
	Qty          int64     `json:"qty"`
	Price        int64     `json:"price"`
	FilledQty    int64     `json:"filled_qty"`
	AvgFillPrice int64     `json:"avg_fill_price"`
	Time         *jsonTime `json:"time,omitempty"`
	Source       string    `json:"source,omitempty"`
	User         string    `json:"user,omitempty"`
	Note         string    `json:"note,omitempty"`
	// Venue is where the order was sent: KRX, NXT or SOR, when known.
	Venue string `json:"venue,omitempty"`
	// Exchange is where a SOR order traded, KRX or NXT, when the broker
	// said (for KIS, a fill notice, kept in the journal across restarts).
	Exchange string `json:"exchange,omitempty"`
	// ExpiresAt is when an awaiting confirmation lapses.
	ExpiresAt *jsonTime `json:"expires_at,omitempty"`
	// Error says why an order was rejected or is unknown.
	Error *apiError `json:"error,omitempty"`
}

func orderOut(o broker.Order) orderJSON {
	return orderJSON{
		ID: o.ID, ClientID: o.ClientID, State: string(o.Status), Code: string(o.Code), Name: o.Name,
		Side: sideName(o.Side), Type: typeName(o.Type, o.Session.Closing()), Qty: o.Qty, Price: o.Price,
		FilledQty: o.FilledQty, AvgFillPrice: o.AvgFillPrice, Time: kst(o.Time),
		Source: o.Source, User: o.User, Note: o.Note, Venue: string(o.Venue), Exchange: exchangeOf(o.Venue, o.Exchange),
	}
}

func (s *Server) entryOut(e broker.JournalEntry) orderJSON {
	o := orderJSON{
		ID: e.BrokerID, ClientID: e.ClientID, State: string(e.State), Code: string(e.Code),
		Side: sideName(e.Side), Type: typeName(e.Type, e.Session.Closing()), Qty: e.Qty, Price: e.Price, Time: kst(e.Created),
		Source: e.Source, User: e.User, Note: e.Note, Venue: string(e.Venue), Exchange: exchangeOf(e.Venue, e.TradedOn()),
		// The journal's own fills: a filled order read "filled" with
		// filled_qty 0 here while GET /orders showed its fills (trial run
		// of issue 12).
		FilledQty: e.FilledQty, AvgFillPrice: e.AvgFillPrice(),
	}
	if err := e.Err(); err != nil {
		_, _, body := s.describe(err)
		o.Error = &body
	}
	return o
}

// exchangeOf is the "exchange" of an order sent to venue: only a routed
// order's (SOR), since any other trades where it was sent.
func exchangeOf(venue, on broker.Venue) string {
	if venue != broker.VenueSOR {
		return ""
	}
	return string(on)
}

func requestOut(r broker.OrderRequest, state string) orderJSON {
	return orderJSON{ClientID: r.ClientID, State: state, Code: string(r.Code), Side: sideName(r.Side),
		Type: typeName(r.Type, r.AtClose), Qty: r.Qty, Price: r.Price, Source: r.Source, User: r.User}
}

func sideName(s broker.Side) string {
	if s == broker.Buy || s == broker.Sell {
		return s.String()
	}
	return ""
}

// typeName is the order's "type": limit, market, or close for a
// closing-price order (시간외 종가), as POST /orders takes them.
func typeName(t broker.OrderType, atClose bool) string {
	if atClose {
		return "close"
	}
	if t == broker.Limit || t == broker.Market {
		return t.String()
	}
	return ""
}

// jsonTime is a time shown in KST (RFC 3339 with +09:00), the zone every
// KRX time is read in, whatever the host's.
type jsonTime time.Time

func kst(t time.Time) *jsonTime {
	if t.IsZero() {
		return nil
	}
	jt := jsonTime(t)
	return &jt
}

// MarshalJSON writes RFC 3339 in KST.
func (t jsonTime) MarshalJSON() ([]byte, error) {
	return time.Time(t).In(broker.KST()).MarshalJSON()
}

// orderBody is POST /orders. Every field is required except price, which
// a market order must leave out (or 0).
type orderBody struct {
	Code  string `json:"code"`
	Side  string `json:"side"`
	Qty   int64  `json:"qty"`
	Type  string `json:"type"`
	Price int64  `json:"price"`
	// Venue is optional: "krx", "nxt" or "sor" (any case); left out, the
	// order goes to HOGA_VENUE.
	Venue string `json:"venue,omitempty"`
}

// readyJSON is GET /readyz.
type readyJSON struct {
	Ready     bool        `json:"ready"`
	CheckedAt *jsonTime   `json:"checked_at,omitempty"`
	Checks    []checkJSON `json:"checks"`
}

type checkJSON struct {
	Name string `json:"name"`
	OK   bool   `json:"ok"`
	// Error is the failure's kind only ("rate_limited", "failed"): the
	// route needs no token, so details stay in the log.
	Error      string `json:"error,omitempty"`
	DurationMS int64  `json:"duration_ms"`
}
