package market

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
)

// Instrument is one listed stock.
type Instrument struct {
	Code   broker.Code
	Name   string // as KRX lists it
	Market string // KOSPI or KOSDAQ
	Ref    int64  // reference price the walk starts from and reverts to
}

// Book is one stock's market state for the current trading day.
type Book struct {
	Price, PrevClose, Open, High, Low, Volume int64
	// Ref is the price the walk reverts to: the listing's reference, or
	// the last SetPrice.
	Ref int64

	upper, lower int64   // daily limits, from PrevClose
	theta        float64 // mean-reversion strength per step, in ticks
	unit         int64   // mean shares traded per step

	// minutes is the day's record of minute candles, oldest first, their
	// Time the minute truncated in absolute time (the same minutes as
	// KST's, whose offset is whole hours); recVol is Volume when last
	// recorded, so each candle gets the shares traded in it.
	minutes []broker.Candle
	recVol  int64
	// prevMinutes is the trading day before's record, for a fake whose
	// broker lists earlier days after today's (Kiwoom's ka10080).
	prevMinutes []broker.Candle
}

// maxMinutes bounds a book's record: a day and a bit of minutes, for a
// market whose day never turns over (Endless), which keeps the last ones.
const maxMinutes = 1500

// record adds the book's state after a trade or a walk step in minute
// (ts truncated to the minute) to its candle, starting one when the
// minute is new. A step that traded shares at an unchanged price is still
// a minute with trades, as on a broker's chart.
func (b *Book) record(minute time.Time) {
	vol := max(b.Volume-b.recVol, 0)
	b.recVol = b.Volume
	if n := len(b.minutes); n > 0 && !minute.After(b.minutes[n-1].Time) {
		c := &b.minutes[n-1] // this minute (or a clock set back: keep to the last candle)
		c.High, c.Low, c.Close = max(c.High, b.Price), min(c.Low, b.Price), b.Price
		c.Volume += vol
		return
	}
	if len(b.minutes) >= maxMinutes {
		b.minutes = append(b.minutes[:0], b.minutes[len(b.minutes)-maxMinutes/2:]...)
	}
	b.minutes = append(b.minutes, broker.Candle{Time: minute, Open: b.Price, High: b.Price, Low: b.Price, Close: b.Price, Volume: vol})
}

// RestoreMinutes replaces the record with cs (oldest first, a stored
// record of today's), counting the volume of the next candle from the
// book's Volume now: the shares traded since are the next candle's.
func (b *Book) RestoreMinutes(cs []broker.Candle) {
	b.minutes = append(b.minutes[:0], cs...)
	b.recVol = b.Volume
}

// Candles returns the record's candles of the KST day of now, oldest
// first, with KST times: what a broker's 당일분봉 query lists.
func (b *Book) Candles(now time.Time) []broker.Candle {
	y, m, d := now.In(broker.KST()).Date()
	out := make([]broker.Candle, 0, len(b.minutes))
	for _, c := range b.minutes {
		t := c.Time.In(broker.KST())
		if cy, cm, cd := t.Date(); cy == y && cm == m && cd == d {
			c.Time = t
			out = append(out, c)
		}
	}
	return out
}

// PrevCandles returns the record of the trading day before today's, oldest
// first, with KST times (empty when the market started today).
func (b *Book) PrevCandles() []broker.Candle {
	out := make([]broker.Candle, len(b.prevMinutes))
	for i, c := range b.prevMinutes {
		c.Time = c.Time.In(broker.KST())
		out[i] = c
	}
	return out
}

// forget starts a new day's record, keeping the last one as the previous
// day's.
func (b *Book) forget() {
	b.prevMinutes, b.minutes = b.minutes, b.prevMinutes[:0]
	b.recVol = 0
}

// Upper and Lower are the day's price limits.
func (b *Book) Upper() int64 { return b.upper }

// Lower is the day's lower price limit.
func (b *Book) Lower() int64 { return b.lower }

// Derive recomputes what follows from PrevClose and Ref (limits, walk
// constants); call it after setting them directly.
func (b *Book) Derive() {
	b.upper, b.lower = Limits(b.PrevClose)
	sd := spreadPct * float64(b.Ref) / float64(broker.TickSize(b.Ref))
	b.theta = stepVariance / (2 * math.Max(sd*sd, 1))
	b.unit = max(1, volumePerStep/b.Ref)
}

// NewDay starts a trading day at the current price.
func (b *Book) NewDay() {
	b.PrevClose = b.Price
	b.Open, b.High, b.Low = b.Price, b.Price, b.Price
	b.Volume = 0
	b.recVol = 0
	b.Derive()
}

// step moves the price by one step of the walk. The number and order of
// random draws per step are fixed by the branch taken, so a seed replays.
// It reports whether the price changed.
func (b *Book) step(r *rand.Rand) bool {
	b.Volume += 1 + r.Int64N(2*b.unit)
	if r.IntN(2) == 0 {
		return false
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
	old := b.Price
	b.Trade(min(max(p, b.lower), b.upper))
	return b.Price != old
}

// upProb is the chance that a move goes up. With the move probability 1/2
// and a mean size of 2 ticks, the expected move is 2·upProb−1 ticks, set to
// −theta times the distance from Ref in ticks.
func (b *Book) upProb() float64 {
	dev := float64(b.Price-b.Ref) / float64(broker.TickSize(b.Ref))
	q := (1 - b.theta*dev) / 2
	return min(max(q, 0.1), 0.9)
}

// Trade records a trade at p: the price, the day's high and low.
func (b *Book) Trade(p int64) {
	b.Price = p
	b.High = max(b.High, p)
	b.Low = min(b.Low, p)
}

// Sign is the change's sign as KRX shows it, limit moves included.
func (b *Book) Sign() broker.Sign {
	change := b.Price - b.PrevClose
	sign := broker.SignOf(change)
	switch {
	case change > 0 && b.Price >= b.upper:
		sign = broker.SignUpperLimit
	case change < 0 && b.Price <= b.lower:
		sign = broker.SignLowerLimit
	}
	return sign
}

// Quote renders the book as a broker.Quote.
func (b *Book) Quote(in Instrument, now time.Time) broker.Quote {
	change := b.Price - b.PrevClose
	var pct float64
	if b.PrevClose > 0 {
		pct = math.Round(float64(change)/float64(b.PrevClose)*10_000) / 100
	}
	return broker.Quote{
		Code:       in.Code,
		Name:       in.Name,
		Price:      b.Price,
		Change:     change,
		ChangePct:  pct,
		Sign:       b.Sign(),
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
