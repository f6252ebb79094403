package broker

import "fmt"

// tickTable is the KRX price-unit table in force since 2023-01-25, shared
// by KOSPI, KOSDAQ and KONEX stocks. Each row holds from its lower bound
// (inclusive) up to the next row's. ETFs/ETNs/ELWs keep a 5-won unit; a
// broker's own tick (Quote.Tick) wins when known.
var tickTable = [...]struct{ from, tick int64 }{
	{0, 1},
	{2_000, 5},
	{5_000, 10},
	{20_000, 50},
	{50_000, 100},
	{200_000, 500},
	{500_000, 1_000},
}

// TickSize is the tick for a limit price, chosen by the bracket the price
// itself falls in.
func TickSize(price int64) int64 {
	t := tickTable[0].tick
	for _, r := range tickTable {
		if price >= r.from {
			t = r.tick
		}
	}
	return t
}

// OnTick reports whether price sits on the KRX tick grid.
func OnTick(price int64) bool {
	return price > 0 && price%TickSize(price) == 0
}

// SnapDown returns the highest valid price ≤ price (0 if none).
func SnapDown(price int64) int64 {
	if price <= 0 {
		return 0
	}
	return price - price%TickSize(price)
}

// SnapUp returns the lowest valid price ≥ price. Crossing a bracket boundary
// upward always lands on the boundary, which is on both grids.
func SnapUp(price int64) int64 {
	if price <= 0 {
		return 1
	}
	if OnTick(price) {
		return price
	}
	t := TickSize(price)
	return price - price%t + t
}

// NearestTicks returns the valid prices just below and just above price.
// When price is valid both are price.
func NearestTicks(price int64) (below, above int64) {
	return SnapDown(price), SnapUp(price)
}

// CheckTick returns an Invalid error naming the nearest valid prices when a
// limit price is off the grid.
func CheckTick(price int64) error {
	if price <= 0 {
		return &Error{Kind: Invalid, Code: "tick", Msg: fmt.Sprintf("price %d must be positive", price)}
	}
	if OnTick(price) {
		return nil
	}
	lo, hi := NearestTicks(price)
	return &TickError{Price: price, Tick: TickSize(price), Below: lo, Above: hi}
}

// TickError says a price is off the grid and which prices are on it. It
// unwraps to an *Error of kind Invalid.
type TickError struct {
	Price, Tick, Below, Above int64
}

func (e *TickError) Error() string {
	return fmt.Sprintf("price %d is not a multiple of the %d-won tick; nearest valid prices are %d and %d",
		e.Price, e.Tick, e.Below, e.Above)
}

// Unwrap makes errors.As(err, **Error) and KindOf see Invalid.
func (e *TickError) Unwrap() error {
	return &Error{Kind: Invalid, Code: "tick", Msg: e.Error()}
}
