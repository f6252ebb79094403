package paper

import (
	"context"
	"os"
	"path/filepath"
	"slices"
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

// The day's candle record survives a restart (CandlesFile): /chart and the
// close report on paper keep the morning after hoga restarts at noon. A
// record of another day is not restored, and a damaged one never stops
// the exchange from opening (the chart starts again from then).
func TestMinuteCandlesSurviveARestart(t *testing.T) {
	t.Parallel()
	kst := broker.KST()
	open := time.Date(2026, 12, 4, 9, 0, 0, 0, kst) // a Friday
	clk := clock.NewFake(open)
	dir := t.TempDir()
	ctx := context.Background()
	opts := Options{Seed: 7, Clock: clk, MarketHours: true, DataDir: dir}
	start := func() *Exchange {
		t.Helper()
		e, err := New(opts)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	e := start()
	for range 40 {
		clk.Advance(time.Minute)
		if _, err := e.Quote(ctx, "005930"); err != nil {
			t.Fatal(err)
		}
	}
	before, _ := e.MinuteCandles(ctx, "005930")
	if len(before) < 39 {
		t.Fatalf("%d candles before the restart", len(before))
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	e = start()
	after, _ := e.MinuteCandles(ctx, "005930")
	same := func(a, b broker.Candle) bool {
		a.Time, b.Time = a.Time.UTC(), b.Time.UTC()
		return a == b
	}
	if !slices.EqualFunc(before, after, same) {
		t.Fatalf("after the restart %d candles, want the %d of before:\n%v\n%v", len(after), len(before), after, before)
	}
	// The day goes on from the restored record; the volumes still add
	// up to the day's.
	for range 5 {
		clk.Advance(time.Minute)
		if _, err := e.Quote(ctx, "005930"); err != nil {
			t.Fatal(err)
		}
	}
	cs, _ := e.MinuteCandles(ctx, "005930")
	q, _ := e.Quote(ctx, "005930")
	var vol int64
	for _, c := range cs {
		vol += c.Volume
	}
	if len(cs) < len(before)+4 || vol != q.Volume {
		t.Fatalf("%d candles (had %d), Σ volume %d, the day's %d", len(cs), len(before), vol, q.Volume)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	// Monday: Friday's record is not Monday's chart.
	clk.Set(time.Date(2026, 12, 7, 9, 30, 0, 0, kst))
	e = start()
	if cs, _ := e.MinuteCandles(ctx, "005930"); len(cs) > 1 {
		t.Fatalf("Monday starts with %d candles", len(cs))
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	// A damaged record: the exchange opens, the chart starts now.
	if err := os.WriteFile(filepath.Join(dir, CandlesFile), []byte(`{"day":"2026-12-07","stocks":{"005930":[[1,2,3]`), 0o600); err != nil {
		t.Fatal(err)
	}
	e = start()
	defer e.Close()
	if _, err := e.MinuteCandles(ctx, "005930"); err != nil {
		t.Fatal(err)
	}
}
