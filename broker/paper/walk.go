package paper

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// Walk parameters. A step moves with probability 1/2, by 1–3 ticks, so its
// variance is 7/3 tick². The drift toward the reference price is chosen so
// that the walk's stationary spread is about 2% of the reference: a price
// wanders visibly within minutes, the way a strategy's thresholds want, but
// does not run to the daily limit every day.
const (
	stepVariance  = 7.0 / 3.0
	spreadPct     = 0.02
	volumePerStep = 100_000_000 // won of turnover per step, on average
	// maxCatchUp bounds how many steps one look at the exchange replays
	// (about 14 hours at the 1s default): after a laptop slept, the walk
	// skips the gap instead of stalling the first quote.
	maxCatchUp = 50_000
)

// farFuture stands for "never" in the cached session boundaries.
var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// book is one stock's market state for the current trading day.
type book struct {
	Price, PrevClose, Open, High, Low, Volume int64
	// Ref is the price the walk reverts to: the listing's reference, or
	// the last SetPrice.
	Ref int64

	upper, lower int64   // daily limits, from PrevClose
	theta        float64 // mean-reversion strength per step, in ticks
	unit         int64   // mean shares traded per step
}

// derive recomputes what follows from PrevClose and Ref.
func (b *book) derive() {
	b.upper, b.lower = priceLimits(b.PrevClose)
	sd := spreadPct * float64(b.Ref) / float64(broker.TickSize(b.Ref))
	b.theta = stepVariance / (2 * math.Max(sd*sd, 1))
	b.unit = max(1, volumePerStep/b.Ref)
}

// newDay starts a trading day at the current price.
func (b *book) newDay() {
	b.PrevClose = b.Price
	b.Open, b.High, b.Low = b.Price, b.Price, b.Price
	b.Volume = 0
	b.derive()
}

// priceLimits returns KRX's daily limits for a base price: the ±30% width
// is cut down to the base price's tick, then each limit is put on the grid
// at its own level (down for the upper, up for the lower), as KRX does. A
// real broker's stck_mxpr/stck_llam would win where this rounding differs.
func priceLimits(base int64) (upper, lower int64) {
	t := broker.TickSize(base)
	width := base * 3 / 10 / t * t
	upper = broker.SnapDown(min(base+width, maxPrice))
	lower = broker.SnapUp(max(1, base-width))
	return upper, lower
}

// step moves the price by one step of the walk. The number and order of
// random draws per step are fixed by the branch taken, so a seed replays.
func (b *book) step(r *rand.Rand) {
	b.Volume += 1 + r.Int64N(2*b.unit)
	if r.IntN(2) == 0 {
		return
	}
	n := 1 + r.IntN(3)
	up := r.Float64() < b.upProb()
	p := b.Price
	for range n {
		if up {
			p = broker.SnapUp(p + 1)
		} else {
			p = broker.SnapDown(p - 1)
		}
	}
	b.setPrice(min(max(p, b.lower), b.upper))
}

// upProb is the chance that a move goes up. With the move probability 1/2
// and a mean size of 2 ticks, the expected move is 2·upProb−1 ticks, set to
// −theta times the distance from Ref in ticks.
func (b *book) upProb() float64 {
	dev := float64(b.Price-b.Ref) / float64(broker.TickSize(b.Ref))
	q := (1 - b.theta*dev) / 2
	return min(max(q, 0.1), 0.9)
}

// setPrice records a trade at p.
func (b *book) setPrice(p int64) {
	b.Price = p
	b.High = max(b.High, p)
	b.Low = min(b.Low, p)
}

// quote renders the book as a broker.Quote.
func (b *book) quote(l listing, now time.Time) broker.Quote {
	change := b.Price - b.PrevClose
	sign := broker.SignOf(change)
	switch {
	case change > 0 && b.Price >= b.upper:
		sign = broker.SignUpperLimit
	case change < 0 && b.Price <= b.lower:
		sign = broker.SignLowerLimit
	}
	var pct float64
	if b.PrevClose > 0 {
		pct = math.Round(float64(change)/float64(b.PrevClose)*10_000) / 100
	}
	return broker.Quote{
		Code:       l.code,
		Name:       l.name,
		Price:      b.Price,
		Change:     change,
		ChangePct:  pct,
		Sign:       sign,
		Volume:     b.Volume,
		Open:       b.Open,
		High:       b.High,
		Low:        b.Low,
		PrevClose:  b.PrevClose,
		UpperLimit: b.upper,
		LowerLimit: b.lower,
		Tick:       broker.TickSize(b.Price),
		Time:       now.In(broker.KST()),
	}
}

// advanceLocked brings the walk up to now, one step at a time, and returns
// how many orders changed (filled or expired) on the way.
func (e *Exchange) advanceLocked(now time.Time) int {
	n := int64(now.Sub(e.lastStep) / e.tick)
	if n <= 0 {
		return 0
	}
	events := 0
	if n > maxCatchUp {
		skip := n - maxCatchUp
		e.lastStep = e.lastStep.Add(time.Duration(skip) * e.tick)
		events += e.settleLocked(e.lastStep)
		n = maxCatchUp
	}
	for range n {
		e.lastStep = e.lastStep.Add(e.tick)
		events += e.stepLocked(e.lastStep)
	}
	return events
}

// stepLocked runs the step due at ts: day turnover and order expiry, then
// a move of every price (in listing order) and a check of open orders.
func (e *Exchange) stepLocked(ts time.Time) int {
	events := e.settleLocked(ts)
	if e.frozen || !e.movingLocked(ts) {
		return events
	}
	for i := range e.books {
		e.books[i].step(e.rng)
	}
	return events + e.matchLocked(ts)
}

// settleLocked starts a new trading day when one has begun by ts and
// expires day orders whose session has ended.
func (e *Exchange) settleLocked(ts time.Time) int {
	if !ts.Before(e.nextRoll) {
		day, next := e.dayAt(ts)
		if day != e.day {
			e.day = day
			for i := range e.books {
				e.books[i].newDay()
			}
			e.pruneLocked(ts)
		}
		e.nextRoll = next
	}
	return e.expireLocked(ts)
}

// dayAt returns the trading day that ts belongs to and when the next one
// starts. Without market hours a day is a KST calendar day. With them it
// starts at a session's opening auction and lasts until the next one, so
// a quote on a Sunday still shows Friday's session.
func (e *Exchange) dayAt(ts time.Time) (string, time.Time) {
	k := ts.In(broker.KST())
	if !e.marketHours {
		return k.Format(time.DateOnly), time.Date(k.Year(), k.Month(), k.Day()+1, 0, 0, 0, 0, broker.KST())
	}
	day := k.Format(time.DateOnly)
	for i := 0; i <= 31; i++ {
		if s, ok := e.cal.SessionOn(k.AddDate(0, 0, -i)); ok && !ts.Before(s.AuctionStart) {
			day = s.Date.Format(time.DateOnly)
			break
		}
	}
	s := e.cal.NextSession(ts)
	if !s.Date.IsZero() && !s.AuctionStart.After(ts) {
		s = e.cal.NextSession(s.Close)
	}
	if s.Date.IsZero() {
		return day, farFuture
	}
	return day, s.AuctionStart
}

// movingLocked reports whether prices move at ts: always, or with market
// hours only in continuous trading. The current or next window is cached
// so most steps cost two comparisons.
func (e *Exchange) movingLocked(ts time.Time) bool {
	if !e.marketHours {
		return true
	}
	if !ts.Before(e.winEnd) {
		s := e.cal.NextSession(ts)
		if !s.Date.IsZero() && !ts.Before(s.ContinuousEnd) {
			s = e.cal.NextSession(s.Close)
		}
		if s.Date.IsZero() {
			e.winStart, e.winEnd = farFuture, farFuture
		} else {
			e.winStart, e.winEnd = s.Open, s.ContinuousEnd
		}
	}
	return !ts.Before(e.winStart)
}

// expiryFor is when an order placed at ts lapses: at the session's close
// with market hours (KRX orders are day orders), else at the next
// midnight KST, when the day turns over.
func (e *Exchange) expiryFor(ts time.Time) time.Time {
	if e.marketHours {
		if s, ok := e.cal.SessionOn(ts); ok {
			return s.Close
		}
	}
	k := ts.In(broker.KST())
	return time.Date(k.Year(), k.Month(), k.Day()+1, 0, 0, 0, 0, broker.KST())
}
