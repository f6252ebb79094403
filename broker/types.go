package broker

import (
	"fmt"
	"strings"
	"time"
)

// Code is a KRX short stock code: six upper-case letters or digits.
// KRX has issued alphanumeric codes (e.g. "0088M0") since 2024, so letters
// are accepted as well as digits.
type Code string

// ParseCode validates s as a stock code. Lower-case letters are folded to
// upper case so that "0088m0" typed on a phone still works; a leading "A"
// on a seven-character code (Kiwoom's account views) is stripped.
func ParseCode(s string) (Code, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) == 7 && s[0] == 'A' {
		s = s[1:]
	}
	if len(s) != 6 {
		return "", &Error{Kind: Invalid, Msg: fmt.Sprintf("stock code %q must be 6 letters or digits", s)}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'A' || c > 'Z') {
			return "", &Error{Kind: Invalid, Msg: fmt.Sprintf("stock code %q must be 6 letters or digits", s)}
		}
	}
	return Code(s), nil
}

// Side is the direction of an order.
type Side int

// Order sides. The zero value is deliberately invalid so that a forgotten
// field is caught by Validate rather than sent as a buy.
const (
	Buy Side = iota + 1
	Sell
)

func (s Side) String() string {
	switch s {
	case Buy:
		return "buy"
	case Sell:
		return "sell"
	}
	return fmt.Sprintf("Side(%d)", int(s))
}

// ParseSide reads "buy"/"sell" (any case).
func ParseSide(s string) (Side, error) {
	switch strings.ToLower(s) {
	case "buy":
		return Buy, nil
	case "sell":
		return Sell, nil
	}
	return 0, &Error{Kind: Invalid, Msg: fmt.Sprintf("side %q must be buy or sell", s)}
}

// OrderType is how an order is priced.
type OrderType int

// Order types hoga sends. Brokers have many more (IOC, FOK, stop); hoga
// keeps to the two a person can reason about from a phone.
const (
	Limit OrderType = iota + 1
	Market
)

func (t OrderType) String() string {
	switch t {
	case Limit:
		return "limit"
	case Market:
		return "market"
	}
	return fmt.Sprintf("OrderType(%d)", int(t))
}

// ParseOrderType reads "limit"/"market" (any case).
func ParseOrderType(s string) (OrderType, error) {
	switch strings.ToLower(s) {
	case "limit":
		return Limit, nil
	case "market":
		return Market, nil
	}
	return 0, &Error{Kind: Invalid, Msg: fmt.Sprintf("order type %q must be limit or market", s)}
}

// OrderRequest is an order as asked for, before any broker has seen it.
type OrderRequest struct {
	Code  Code
	Side  Side
	Type  OrderType
	Qty   int64 // shares, > 0
	Price int64 // won; > 0 for Limit, 0 for Market
	// Venue is where the order goes: KRX, NXT or SOR; empty means the
	// configured default (HOGA_VENUE), which broker/guard fills in.
	Venue Venue
	// Session is the KRX off-hours session the order is for, when it is
	// one: broker/guard sets KRXAfterSingle on a KRX limit order placed
	// during 시간외 단일가 (16:00–18:00), and the clients send that
	// session's own order type (KIS ORD_DVSN 07, Kiwoom trde_tp 62; see
	// SessionKind.OrderType). Empty for an ordinary order.
	Session SessionKind
	// AtClose asks for a closing-price order (시간외 종가): the quantity at
	// KRX's close, with no price (Type Market), in KRX's 장전 시간외 종가
	// (08:30–08:40, the previous close) or 장후 시간외 종가 (15:40–16:00,
	// today's close). KRX only, live accounts only (python-kis order.py:
	// "장전시간외/장후시간외 … 모의투자 미지원"); broker/guard sets Session to
	// the one open now and the clients send its order type (KIS ORD_DVSN
	// 05/06, Kiwoom trde_tp 61/81).
	AtClose bool

	// ClientID is hoga's own id for the order, written to the journal
	// before the broker is called; set by broker/guard when empty.
	ClientID string
	// Source is where the order came from: console, telegram, http, strategy.
	Source string
	// User identifies who asked (a Telegram user id, "console", a rule name).
	User string
}

// ExitUserPrefix begins the User of a protective exit's sell
// (strategy/exits: "exit:005930:stop"). broker/guard exempts such a sell
// from the order-value and daily-count limits, because refusing a
// stop-loss for being large only makes the loss larger; the guard checks
// the shares are held before it grants that (see ProtectiveExit).
const ExitUserPrefix = "exit:"

// ProtectiveExit reports whether r claims to be a protective exit's sell:
// from the strategy, a sell, with an ExitUserPrefix user. Only code
// inside hoga sets Source and User (chat and HTTP set their own), so the
// claim cannot come from outside; the guard still checks the quantity
// against the shares held before it exempts anything.
func (r OrderRequest) ProtectiveExit() bool {
	return r.Source == "strategy" && r.Side == Sell && strings.HasPrefix(r.User, ExitUserPrefix)
}

// Validate checks the request's shape: code, side, type, quantity and a
// price that fits the type. Tick-grid and session checks are separate
// (CheckTick, Calendar) because they depend on the price and the clock.
func (r OrderRequest) Validate() error {
	if _, err := ParseCode(string(r.Code)); err != nil {
		return err
	}
	if r.Side != Buy && r.Side != Sell {
		return &Error{Kind: Invalid, Msg: "order side must be buy or sell"}
	}
	if r.Venue != "" && !r.Venue.Valid() {
		return &Error{Kind: Invalid, Msg: fmt.Sprintf("venue %q must be KRX, NXT or SOR", r.Venue)}
	}
	if r.Qty <= 0 {
		return &Error{Kind: Invalid, Msg: fmt.Sprintf("quantity %d must be positive", r.Qty)}
	}
	switch r.Type {
	case Limit:
		if r.Price <= 0 {
			return &Error{Kind: Invalid, Msg: fmt.Sprintf("limit price %d must be positive", r.Price)}
		}
	case Market:
		if r.Price != 0 {
			return &Error{Kind: Invalid, Msg: "a market order has no price"}
		}
	default:
		return &Error{Kind: Invalid, Msg: "order type must be limit or market"}
	}
	if r.AtClose && r.Type != Market {
		return &Error{Kind: Invalid, Msg: "a closing-price order has no price: it trades at KRX's close"}
	}
	return nil
}

// OrderStatus is where an order stands at the broker.
type OrderStatus string

// Order states. Pending and Unknown exist only on hoga's side (the journal):
// a broker never reports them.
const (
	StatusPending   OrderStatus = "pending"   // written to the journal, not yet answered
	StatusAccepted  OrderStatus = "accepted"  // the broker took it; nothing filled yet
	StatusPartial   OrderStatus = "partial"   // some shares filled, the rest open
	StatusFilled    OrderStatus = "filled"    // fully filled
	StatusCancelled OrderStatus = "cancelled" // cancelled (possibly after a partial fill)
	StatusRejected  OrderStatus = "rejected"  // refused by the broker or by hoga
	StatusUnknown   OrderStatus = "unknown"   // the request went out; the answer never came
)

// Open reports whether the order may still trade.
func (s OrderStatus) Open() bool {
	return s == StatusAccepted || s == StatusPartial
}

// Final reports whether the order can no longer change.
func (s OrderStatus) Final() bool {
	return s == StatusFilled || s == StatusCancelled || s == StatusRejected
}

// Order is an order as the broker knows it.
type Order struct {
	ID     string // broker order number (KIS ODNO, Kiwoom ord_no)
	Branch string // KIS KRX_FWDG_ORD_ORGNO, needed to cancel; empty elsewhere

	Code  Code
	Name  string
	Side  Side
	Type  OrderType
	Qty   int64
	Price int64 // limit price; 0 for market
	// Venue is where the order was sent (KRX, NXT, SOR) as the broker
	// reports it; empty when the broker does not say.
	Venue Venue
	// Exchange is the exchange the order rests or traded on (KRX or NXT)
	// when the broker says so: for a SOR order, where the broker routed
	// it. Kiwoom's order lists say (stex_tp_txt); KIS's order list names
	// only the venue sent (excg_id_dvsn_Cd), so there it comes from the
	// day's fill notices (ORD_EXG_GB): this process's, or, through
	// broker/guard, the journal's record of earlier ones
	// (JournalEntry.Exchange); empty for an order no notice spoke of.
	Exchange Venue
	// Session is the KRX off-hours session the order was for, when the
	// broker says (KIS ord_dvsn_cd 05/06/07, Kiwoom 매매구분 장시작전시간외/
	// 장마감후시간외/시간외단일가): /orders tells a closing-price order from
	// a market one. Empty for an ordinary order.
	Session SessionKind

	FilledQty int64
	// AvgFillPrice is the average price of the fills so far (KIS
	// avg_prvs, Kiwoom's cntr_tot_amt ÷ cntr_qty while the order is
	// open); when LastFillPrice is set, only that price, the best the
	// broker's list tells.
	AvgFillPrice int64
	// LastFillPrice, when set, says the broker's list gives the latest
	// part's own price and no average (Kiwoom ka10076's cntr_pric 체결가,
	// for an order no longer open): the tracker records the new part at
	// it, and the average comes from the parts the journal holds (the
	// guard's OrdersToday puts it in AvgFillPrice).
	LastFillPrice int64
	Status        OrderStatus
	Time          time.Time // when the broker took it

	ClientID string // hoga's id, when known
	Source   string // console, telegram, http, strategy; from the journal
	User     string // who asked; from the journal
	// Note is the journal's remark for logs and the HTTP API, e.g. why an
	// order is still unresolved (English; chat replies use Err and Expired).
	Note string
	// Err is why the journal holds the order rejected or unresolved, when
	// it knows.
	Err error
	// Expired marks an order from an earlier day whose outcome was never
	// learned: it is no longer being reconciled.
	Expired bool
}

// Remaining is the quantity still open.
func (o Order) Remaining() int64 {
	if !o.Status.Open() {
		return 0
	}
	return o.Qty - o.FilledQty
}

// CancelRequest names an order to cancel in full. Brokers want different
// parts of the original order (KIS the branch, Kiwoom the code), so the
// request carries all of them; broker/guard fills them from its journal.
type CancelRequest struct {
	OrderID string
	Branch  string
	Code    Code
	Type    OrderType
	// Venue is where the order was sent; empty is KRX.
	Venue  Venue
	Source string
	User   string
}

// Sign is the direction of a price against the previous close, in the
// 1–5 scheme both KIS (prdy_vrss_sign) and Kiwoom (pre_sig) use.
type Sign int

// Signs, as the brokers number them.
const (
	SignUpperLimit Sign = 1 // 상한
	SignUp         Sign = 2 // 상승
	SignFlat       Sign = 3 // 보합
	SignLowerLimit Sign = 4 // 하한
	SignDown       Sign = 5 // 하락
)

// Direction is +1, 0 or -1.
func (s Sign) Direction() int {
	switch s {
	case SignUpperLimit, SignUp:
		return 1
	case SignLowerLimit, SignDown:
		return -1
	}
	return 0
}

// SignOf derives the sign from a signed change, for brokers or simulations
// that give only the number. Limit signs need the limit prices, so they are
// left to the caller.
func SignOf(change int64) Sign {
	switch {
	case change > 0:
		return SignUp
	case change < 0:
		return SignDown
	}
	return SignFlat
}

// Quote is a snapshot of one stock's price.
type Quote struct {
	Code       Code
	Name       string
	Price      int64   // current price
	Change     int64   // signed change vs the previous close
	ChangePct  float64 // signed percent change (a ratio, not money)
	Sign       Sign
	Volume     int64 // cumulative shares today
	Open       int64
	High       int64
	Low        int64
	PrevClose  int64 // base price (기준가)
	UpperLimit int64 // 상한가
	LowerLimit int64 // 하한가
	Tick       int64 // tick size at the current price
	Time       time.Time
	// Venue is whose book the price is from: KRX, NXT, or SOR for the
	// integrated price of both (see VenueQuoter); empty when the broker
	// does not say (paper).
	Venue Venue
}

// Plausible refuses a quote no exchange could produce: a price of zero
// or less, day limits upside down, or a price outside the day's limits
// given in the same answer. One such answer once made a "buy below, at
// market" rule buy on a quote of 100 won with the lower limit at 49,490
// (issue 21, item 6). The error is Unreadable, so callers retry and act on
// nothing: the strategy makes no decision and alerts after repeats, as for
// any failed quote. Limits of 0 (not given, as in a fake or paper quote
// without them) are not checked.
func (q Quote) Plausible() error {
	var why string
	switch {
	case q.Price <= 0:
		why = fmt.Sprintf("price %d won", q.Price)
	case q.UpperLimit > 0 && q.LowerLimit > 0 && q.UpperLimit < q.LowerLimit:
		why = fmt.Sprintf("upper limit %d below lower limit %d", q.UpperLimit, q.LowerLimit)
	case q.UpperLimit > 0 && q.Price > q.UpperLimit:
		why = fmt.Sprintf("price %d above the upper limit %d", q.Price, q.UpperLimit)
	case q.LowerLimit > 0 && q.Price < q.LowerLimit:
		why = fmt.Sprintf("price %d below the lower limit %d", q.Price, q.LowerLimit)
	default:
		return nil
	}
	return &Error{Kind: Unreadable, Code: "implausible_quote",
		Msg: fmt.Sprintf("the quote for %s is impossible (%s); no decision is made on it", q.Code, why),
		Err: &ImplausibleQuote{Quote: q}}
}

// ImplausibleQuote is the quote Plausible refused, so a transport can say
// in the user's language what was wrong with it.
type ImplausibleQuote struct{ Quote Quote }

func (e *ImplausibleQuote) Error() string {
	return fmt.Sprintf("implausible quote for %s: price %d, limits %d-%d", e.Quote.Code, e.Quote.Price, e.Quote.LowerLimit, e.Quote.UpperLimit)
}

// Position is one holding.
type Position struct {
	Code     Code
	Name     string
	Qty      int64 // held
	Sellable int64 // may be sold now (held minus open sells)
	AvgPrice int64 // average purchase price, rounded to the won
	Price    int64 // current price
	Cost     int64 // purchase amount
	Value    int64 // evaluation at the current price
	PnL      int64 // Value - Cost
	PnLPct   float64
}

// Balance is the account: cash and holdings.
type Balance struct {
	Cash       int64 // deposit (예수금)
	Orderable  int64 // cash available for new buy orders
	StockValue int64 // evaluation of all positions
	Total      int64 // cash plus stocks, as the broker reports it
	Cost       int64 // purchase amount of all positions
	PnL        int64 // StockValue - Cost
	Positions  []Position
}

// Position returns the holding for code, and whether there is one.
func (b Balance) Position(code Code) (Position, bool) {
	for _, p := range b.Positions {
		if p.Code == code {
			return p, true
		}
	}
	return Position{}, false
}
