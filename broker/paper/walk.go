package paper

import (
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/internal/market"
)

// The walk, the books, day turnover and expiry are the simulated market's
// (broker/internal/market); these are the exchange's names for them.

// priceLimits returns KRX's daily limits for a base price (market.Limits).
func priceLimits(base int64) (upper, lower int64) { return market.Limits(base) }

// advanceLocked brings the walk up to now, one step at a time, and returns
// how many orders changed (filled or expired) on the way.
func (e *Exchange) advanceLocked(now time.Time) int { return e.m.Advance(now) }

// settleLocked starts a new trading day when one has begun by ts and
// expires day orders whose session has ended.
func (e *Exchange) settleLocked(ts time.Time) int { return e.m.Settle(ts) }

// reservedLocked is the cash held for all open buys, and the shares held
// for open sells and pending in open buys of code ("" for the cash only).
func (e *Exchange) reservedLocked(code broker.Code) (cash, selling, buying int64) {
	return e.m.Reserved(code)
}
