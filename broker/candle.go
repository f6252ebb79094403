package broker

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Candle is one minute of trading in one stock (분봉): the prices of its
// first, highest, lowest and last trade and the shares traded in it. Time
// is the minute as the broker labels it (KIS stck_cntg_hour, Kiwoom
// cntr_tm), in KST. A minute without a trade has no
// candle, as the brokers' minute charts have none.
type Candle struct {
	Time                   time.Time
	Open, High, Low, Close int64
	Volume                 int64
}

// Charter is a broker that can list today's minute candles of a stock:
// KIS 주식당일분봉조회 (FHKST03010200), Kiwoom 주식분봉차트조회 (ka10080),
// and the paper exchange's own record. The chart of the daily report and
// /chart draws them; nothing trades on them.
type Charter interface {
	// MinuteCandles returns today's (KST trading day) one-minute candles
	// of code, oldest first; none before the first trade of the day.
	// Errors: Invalid (malformed code), NotFound, Auth, RateLimited,
	// Transient, Unreadable.
	MinuteCandles(ctx context.Context, code Code) ([]Candle, error)
}

// MinuteCandles asks b for today's minute candles of code when b can
// chart (Charter), and says it cannot otherwise (Unsupported-like Invalid
// error), so callers need not know which wrapper (guard, Observe) sits
// above the client.
func MinuteCandles(ctx context.Context, b Broker, code Code) ([]Candle, error) {
	if c, ok := b.(Charter); ok {
		return c.MinuteCandles(ctx, code)
	}
	return nil, &Error{Kind: Invalid, Code: "no_chart", Msg: fmt.Sprintf("%s has no minute candles", b.Name())}
}

// SortCandles orders candles oldest first and drops repeats of a minute
// (a paged answer can overlap at the page boundary), keeping the later
// copy, which is the more complete one.
func SortCandles(cs []Candle) []Candle {
	slices.SortStableFunc(cs, func(a, b Candle) int { return a.Time.Compare(b.Time) })
	out := cs[:0]
	for _, c := range cs {
		if n := len(out); n > 0 && out[n-1].Time.Equal(c.Time) {
			out[n-1] = c
			continue
		}
		out = append(out, c)
	}
	return out
}
