package paper

import (
	"context"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
)

// A market-hours day of walking gives one candle per minute from the
// open, consistent with the quote; the next day starts a new record.
func TestMinuteCandlesFromTheWalk(t *testing.T) {
	t.Parallel()
	kst := broker.KST()
	open := time.Date(2026, 12, 4, 9, 0, 0, 0, kst) // a Friday
	clk := clock.NewFake(open.Add(-time.Hour))
	e, _ := newExchange(t, Options{Seed: 7, Clock: clk, MarketHours: true})
	ctx := context.Background()
	for range 90 {
		clk.Advance(time.Minute)
		if _, err := e.Quote(ctx, "005930"); err != nil {
			t.Fatal(err)
		}
	}
	cs, err := e.MinuteCandles(ctx, "005930")
	if err != nil {
		t.Fatal(err)
	}
	// 08:00 + 90 min = 09:30: the walk moved from 09:00 on, 30 minutes
	// of candles (the step at 09:30:00 opens the 31st).
	if len(cs) < 30 || len(cs) > 31 {
		t.Fatalf("%d candles, want 30 or 31", len(cs))
	}
	if !cs[0].Time.Equal(open) || cs[0].Time.Location() != kst {
		t.Errorf("first candle at %v, want %v KST", cs[0].Time, open)
	}
	q, _ := e.Quote(ctx, "005930")
	var vol int64
	for i, c := range cs {
		if i > 0 && !c.Time.Equal(cs[i-1].Time.Add(time.Minute)) {
			t.Errorf("candle %d at %v after %v", i, c.Time, cs[i-1].Time)
		}
		if c.Low > min(c.Open, c.Close) || c.High < max(c.Open, c.Close) || c.Volume <= 0 {
			t.Errorf("candle %d: %+v", i, c)
		}
		vol += c.Volume
	}
	if last := cs[len(cs)-1]; last.Close != q.Price || vol != q.Volume {
		t.Errorf("last close %d, Σ volume %d; quote %d, volume %d", last.Close, vol, q.Price, q.Volume)
	}

	// SetPrice trades: the minute's candle ends at that price.
	if err := e.SetPrice("005930", q.Price+broker.TickSize(q.Price)*3); err != nil {
		t.Fatal(err)
	}
	cs, _ = e.MinuteCandles(ctx, "005930")
	if c := cs[len(cs)-1]; c.Close != q.Price+broker.TickSize(q.Price)*3 || c.High < c.Close {
		t.Errorf("after SetPrice: %+v", c)
	}

	// The next trading day forgets yesterday's minutes.
	clk.Set(time.Date(2026, 12, 7, 8, 0, 0, 0, kst))
	if cs, _ = e.MinuteCandles(ctx, "005930"); len(cs) != 0 {
		t.Errorf("Monday 08:00: %d candles from Friday", len(cs))
	}
	if _, err := e.MinuteCandles(ctx, "999999"); broker.KindOf(err) != broker.NotFound {
		t.Errorf("unknown code: %v", err)
	}
}
