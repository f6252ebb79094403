package strategy

import (
	"fmt"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// MaxFailures is how many broker failures in a row turn a rule off. Three
// rides out one glitch but stops a rule that keeps being refused from
// knocking on the broker's door all day.
const MaxFailures = 3

// retryBase is the wait after the first failed order of a rule; it doubles
// with each further failure, so three failures take about 15 s, not 6.
const retryBase = 5 * time.Second

// State is one rule's live state: what the engine must remember across
// rounds and restarts so that a crossing buys once, not once per round or
// once per start. The zero value has both legs disarmed; NewState is the
// state of a rule never evaluated.
type State struct {
	// BuyArmed and SellArmed say whether a leg may fire. A leg disarms when
	// it fires and re-arms when the price moves back past its threshold by
	// the rule's band.
	BuyArmed  bool `json:"buy_armed"`
	SellArmed bool `json:"sell_armed"`
	// BuyBelow and SellAbove are the thresholds the armed flags belong
	// to. When the rule's threshold differs (the rule was edited), the leg
	// starts armed again, as a new rule's would.
	BuyBelow  int64 `json:"buy_below,omitempty"`
	SellAbove int64 `json:"sell_above,omitempty"`
	// LastFire is when the rule last placed (or asked for) an order; the
	// cooldown runs from it.
	LastFire time.Time `json:"last_fire,omitzero"`
	// Day is the KST date FiresToday counts.
	Day        string `json:"day,omitempty"`
	FiresToday int    `json:"fires_today,omitempty"`
	// Failures counts broker failures in a row; MaxFailures turn the rule off.
	Failures int `json:"failures,omitempty"`
	// RetryAt holds back the next attempt after a failure.
	RetryAt time.Time `json:"retry_at,omitzero"`
	// Disabled says why the engine turned the rule off; empty when it did not.
	Disabled string `json:"disabled,omitempty"`
	// LastPrice is the last quoted price, for /rules.
	LastPrice int64 `json:"last_price,omitempty"`
}

// NewState is a rule's state before its first evaluation: both legs armed,
// so a rule added while the price is already past a threshold acts on the
// next quote, as its owner asked.
func NewState() State { return State{BuyArmed: true, SellArmed: true} }

// ActionKind says what Decide wants done.
type ActionKind int

// Action kinds.
const (
	// ActNone: nothing to do this round.
	ActNone ActionKind = iota
	// ActOrder: place (or ask for) the order the action describes.
	ActOrder
	// ActSkip: a leg crossed but there was nothing to do (position at its
	// cap, nothing to sell); the crossing is used up, as if it had fired,
	// so the owner hears about it once rather than every round.
	ActSkip
)

// String names the kind for logs.
func (k ActionKind) String() string {
	switch k {
	case ActOrder:
		return "order"
	case ActSkip:
		return "skip"
	}
	return "none"
}

// Action is Decide's verdict for one quote.
type Action struct {
	Kind ActionKind
	// Side is the leg that fired or was skipped.
	Side  broker.Side
	Type  broker.OrderType
	Qty   int64
	Price int64 // limit price; 0 for market
	// Trigger is the quoted price that crossed the threshold.
	Trigger int64
	// Reason says why a leg was skipped.
	Reason string
	// RearmedBuy and RearmedSell report legs this quote re-armed.
	RearmedBuy, RearmedSell bool
}

// Request is the order the action describes, tagged as the strategy's.
func (a Action) Request(code broker.Code) broker.OrderRequest {
	return broker.OrderRequest{
		Code: code, Side: a.Side, Type: a.Type, Qty: a.Qty, Price: a.Price,
		Source: Source, User: UserFor(code),
	}
}

// Source is OrderRequest.Source for every order the strategy places.
const Source = "strategy"

// UserFor is OrderRequest.User for the rule on code: "rule:005930".
func UserFor(code broker.Code) string { return "rule:" + string(code) }

// band returns price × bp / 10000 rounded up, so a 1 % band on 65,000 is
// 650 and a band never rounds to nothing. bp is capped at 100 % so the
// arithmetic cannot overflow for any int64 price.
func band(price, bp int64) int64 {
	if bp > 10_000 {
		bp = 10_000
	}
	if price <= 0 || bp <= 0 {
		return 0
	}
	return price/10_000*bp + (price%10_000*bp+9_999)/10_000
}

// RearmBuyAt is the price at or above which a fired buy leg re-arms.
func (r Rule) RearmBuyAt() int64 { return r.BuyBelow + band(r.BuyBelow, r.Band()) }

// RearmSellAt is the price at or below which a fired sell leg re-arms.
func (r Rule) RearmSellAt() int64 { return r.SellAbove - band(r.SellAbove, r.Band()) }

// BuyLimit is the limit price of the buy leg: the highest price on the tick
// grid strictly below BuyBelow (64,900 for 65,000), kept within the day's
// upper price limit and the quote's own tick. The leg fires only when the
// last trade is below BuyBelow, so this limit is at or above it: the order
// is marketable and fills at the best ask, like a market order that can
// never pay more than the owner's "below 65,000". Ordering at the last
// trade price instead would often rest unfilled, because the ask sits a
// tick above the last trade.
func (r Rule) BuyLimit(q broker.Quote) int64 {
	p := broker.SnapDown(r.BuyBelow - 1)
	if q.UpperLimit > 0 && p > q.UpperLimit {
		p = broker.SnapDown(q.UpperLimit)
	}
	if q.Tick > 0 && p%q.Tick != 0 {
		p -= p % q.Tick
	}
	return p
}

// SellLimit is the limit price of the sell leg: the lowest price on the
// tick grid strictly above SellAbove (75,100 for 75,000), kept within the
// day's lower price limit and the quote's own tick; marketable for the same
// reason as BuyLimit.
func (r Rule) SellLimit(q broker.Quote) int64 {
	p := broker.SnapUp(r.SellAbove + 1)
	if q.LowerLimit > 0 && p < q.LowerLimit {
		p = broker.SnapUp(q.LowerLimit)
	}
	if q.Tick > 0 && p%q.Tick != 0 {
		p += q.Tick - p%q.Tick
	}
	return p
}

// kstDay is t's KST date, the day FiresToday counts.
func kstDay(t time.Time) string {
	var b [10]byte
	return string(kstDate(&b, t))
}

// kstDate writes t's KST date as YYYY-MM-DD into b without allocating, so
// Decide can compare it with State.Day on every quote for free.
func kstDate(b *[10]byte, t time.Time) []byte {
	y, m, d := t.In(broker.KST()).Date()
	if y < 0 || y > 9999 {
		y = 0
	}
	b[0], b[1], b[2], b[3] = byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10)
	b[4], b[7] = '-', '-'
	b[5], b[6] = byte('0'+int(m)/10), byte('0'+int(m)%10)
	b[8], b[9] = byte('0'+d/10), byte('0'+d%10)
	return b[:]
}

// Decide is the whole strategy for one rule and one quote, as a pure
// function: given the rule's state, the quote, the shares held (pos.Qty)
// and sellable now (pos.Sellable), and the time, it returns what to do and
// the state to keep. The engine persists the returned state before it acts
// on an ActOrder, so a crash between the two can only lose an order, never
// repeat one.
//
// A leg fires once per crossing: buy when the price is below BuyBelow and
// the leg is armed; the leg then disarms until the price is back at
// RearmBuyAt (sell mirrors it). An armed leg waits, still armed, while the
// rule's cooldown or a failure back-off runs. A buy never takes the
// position past MaxPosition and a sell never sells more than is sellable;
// when that leaves nothing to do, the crossing is used up as ActSkip.
// Rules that are off (Enabled false, or Disabled by the engine) do nothing.
// A state saved for other thresholds is first aligned to the rule (see
// align).
func Decide(st State, r Rule, q broker.Quote, pos broker.Position, now time.Time) (Action, State) {
	st = align(st, r)
	var day [10]byte
	if d := kstDate(&day, now); string(d) != st.Day {
		st.Day, st.FiresToday = string(d), 0
	}
	price := q.Price
	if price <= 0 || !r.Enabled || st.Disabled != "" {
		return Action{}, st
	}
	st.LastPrice = price

	var a Action
	if r.BuyBelow > 0 && !st.BuyArmed && price >= r.RearmBuyAt() {
		st.BuyArmed, a.RearmedBuy = true, true
	}
	if r.SellAbove > 0 && !st.SellArmed && price <= r.RearmSellAt() {
		st.SellArmed, a.RearmedSell = true, true
	}

	var side broker.Side
	switch {
	case r.BuyBelow > 0 && st.BuyArmed && price < r.BuyBelow:
		side = broker.Buy
	case r.SellAbove > 0 && st.SellArmed && price > r.SellAbove:
		side = broker.Sell
	default:
		return a, st
	}
	if !st.LastFire.IsZero() && r.Cooldown > 0 && now.Sub(st.LastFire) < r.Cooldown {
		return a, st
	}
	if now.Before(st.RetryAt) {
		return a, st
	}

	a.Side, a.Trigger, a.Type = side, price, r.Type
	qty := r.Qty
	if side == broker.Buy {
		st.BuyArmed = false
		if r.MaxPosition > 0 {
			room := r.MaxPosition - pos.Qty
			if room <= 0 {
				a.Kind, a.Reason = ActSkip, fmt.Sprintf("holding or buying %d of at most %d shares", pos.Qty, r.MaxPosition)
				return a, st
			}
			qty = min(qty, room)
		}
		if r.Type == broker.Limit {
			a.Price = r.BuyLimit(q)
		}
	} else {
		st.SellArmed = false
		sellable := min(pos.Qty, pos.Sellable)
		if sellable <= 0 {
			a.Kind, a.Reason = ActSkip, fmt.Sprintf("no sellable shares (holding %d)", pos.Qty)
			return a, st
		}
		qty = min(qty, sellable)
		if r.Type == broker.Limit {
			a.Price = r.SellLimit(q)
		}
	}
	a.Kind, a.Qty = ActOrder, qty
	st.LastFire = now
	st.FiresToday++
	return a, st
}

// withCommitted is the position a rule decides on: the shares held plus
// those hoga's open buys will bring (a position cap counts them), and as
// sellable at most the held shares not already in hoga's open sells, never
// more than the broker says may be sold. Brokers net their own orderable
// quantity of open sells, but only once they have the order; counting ours
// too closes the gap, and never double-counts, because it caps the held
// quantity rather than the broker's sellable one.
func withCommitted(pos broker.Position, buying, selling int64) broker.Position {
	held := pos.Qty
	pos.Sellable = max(min(pos.Sellable, held-selling), 0)
	pos.Qty = held + max(buying, 0)
	return pos
}

// mayFire reports whether Decide could return ActOrder or ActSkip for this
// price, without the position: the engine asks for the balance (one call
// per round, shared by every rule) only when some rule may need it.
func mayFire(st State, r Rule, price int64) bool {
	st = align(st, r)
	if price <= 0 || !r.Enabled || st.Disabled != "" {
		return false
	}
	buy := r.BuyBelow > 0 && price < r.BuyBelow && (st.BuyArmed || price >= r.RearmBuyAt())
	sell := r.SellAbove > 0 && price > r.SellAbove && (st.SellArmed || price <= r.RearmSellAt())
	return buy || sell
}

// Outcome classifies what became of an order the rule fired.
type Outcome int

// Outcomes, by what the engine does next.
const (
	// OutPlaced: the broker took it (or the owner was asked).
	OutPlaced Outcome = iota
	// OutNotSent: refused before it reached the market (the broker's or
	// the guard's refusal other than a limit, a network error before
	// sending). The crossing is given back — the leg re-arms — and the
	// failure counts; MaxFailures in a row turn the rule off.
	OutNotSent
	// OutUnknown: it may have reached the market. The leg stays disarmed
	// (never risk a second order) and the failure counts.
	OutUnknown
	// OutLimit: a hoga risk limit refused it. The leg stays disarmed until
	// the price re-arms it; not a broker failure.
	OutLimit
	// OutHalted: the kill switch refused it. Everything is as if the rule
	// had not fired; the engine pauses.
	OutHalted
)

// Classify maps an order error to an Outcome. A context error counts as
// unknown: the request may have left before the context ended.
func Classify(err error) Outcome {
	if err == nil {
		return OutPlaced
	}
	switch broker.KindOf(err) {
	case broker.UnknownOutcome, broker.Internal, broker.Unreadable:
		return OutUnknown
	case broker.LimitExceeded:
		return OutLimit
	case broker.Halted:
		return OutHalted
	}
	return OutNotSent
}

// settle applies an order's outcome to the state Decide returned (fired)
// given the state before it (prev), and says whether the rule has just
// been turned off. It is pure, like Decide.
func settle(prev, fired State, a Action, err error, now time.Time) (State, bool) {
	st := fired
	switch Classify(err) {
	case OutPlaced:
		st.Failures, st.RetryAt = 0, time.Time{}
		return st, false
	case OutLimit:
		st.LastFire, st.FiresToday = prev.LastFire, fired.FiresToday-1
		return st, false
	case OutHalted:
		st = giveBack(st, prev, a)
		return st, false
	case OutNotSent:
		st = giveBack(st, prev, a)
	}
	st.Failures++
	wait := retryBase << min(st.Failures-1, 10)
	if e, ok := broker.AsError(err); ok && e.RetryAfter > wait {
		wait = e.RetryAfter
	}
	st.RetryAt = now.Add(wait)
	if st.Failures >= MaxFailures {
		st.Disabled = fmt.Sprintf("%d broker failures in a row, last: %v", st.Failures, err)
		return st, true
	}
	return st, false
}

// giveBack undoes a fire that placed nothing: the leg re-arms and the fire
// is not counted.
func giveBack(st, prev State, a Action) State {
	if a.Side == broker.Buy {
		st.BuyArmed = true
	} else {
		st.SellArmed = true
	}
	st.LastFire, st.FiresToday = prev.LastFire, st.FiresToday-1
	return st
}
