package kiwoom_test

import (
	"context"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/broker/kiwoom"
	"github.com/hoga-trade/hoga/clock"
)

// A full regular day on the walking fake through ka10080: 380 candles
// (09:00–15:19) over four pages of the fake's 100, oldest first, agreeing
// with the quote.
func TestMinuteCandlesFullDay(t *testing.T) {
	at := func(h, m int) time.Time { return time.Date(2026, 3, 3, h, m, 0, 0, broker.KST()) }
	clk := clock.NewFake(at(8, 0))
	autoAdvance(t, clk, 50*time.Millisecond)
	c, f := newClient(t, brokertest.KiwoomFakeOptions{Clock: clk, MarketHours: true,
		Sim: brokertest.SimOptions{Walk: true, Seed: 5}}, kiwoom.Options{Clock: clk})
	clk.Set(at(15, 45))
	// The fake walks its market up to the clock before the client asks:
	// walked lazily inside the first request, the day's 27,900 steps took
	// 5.6 s of that request's 10 s wall-clock timeout under -race on a
	// busy machine, and more than all of it beside a second go test -race
	// ./... (the client timed out, asked again: a fifth request).
	f.Advance()
	ctx := context.Background()
	cs, err := c.MinuteCandles(ctx, "005930")
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 380 {
		t.Fatalf("%d candles, want 380", len(cs))
	}
	if !cs[0].Time.Equal(at(9, 0)) || !cs[379].Time.Equal(at(15, 19)) {
		t.Errorf("from %v to %v", cs[0].Time, cs[379].Time)
	}
	for i := 1; i < len(cs); i++ {
		if !cs[i].Time.Equal(cs[i-1].Time.Add(time.Minute)) {
			t.Fatalf("candle %d at %v after %v", i, cs[i].Time, cs[i-1].Time)
		}
	}
	q, err := c.Quote(ctx, "005930")
	if err != nil {
		t.Fatal(err)
	}
	var vol int64
	for _, cd := range cs {
		vol += cd.Volume
		if cd.Low <= 0 || cd.High < cd.Low {
			t.Fatalf("candle %+v", cd)
		}
	}
	if cs[379].Close != q.Price || vol != q.Volume {
		t.Errorf("last close %d, Σ volume %d; quote %d, volume %d", cs[379].Close, vol, q.Price, q.Volume)
	}
	if n := f.Requests("ka10080"); n != 4 {
		t.Errorf("%d ka10080 requests, want 4 pages", n)
	}
}

// A market that has not traded yet lists [] (no candles, no error); an
// unknown code is NotFound.
func TestMinuteCandlesEmptyAndUnknown(t *testing.T) {
	c, _ := newClient(t, brokertest.KiwoomFakeOptions{MarketHours: true, Sim: brokertest.SimOptions{Walk: true}}, kiwoom.Options{})
	cs, err := c.MinuteCandles(context.Background(), "005930")
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 0 {
		t.Errorf("%d candles before the fake's first step", len(cs))
	}
	if _, err := c.MinuteCandles(context.Background(), "999999"); broker.KindOf(err) != broker.NotFound {
		t.Errorf("unknown code: %v", err)
	}
}

// The day after, Kiwoom's list goes on from today's candles into
// yesterday's: the client keeps today's and stops at the first of
// yesterday's, without asking for the pages behind it.
func TestMinuteCandlesStopAtYesterday(t *testing.T) {
	at := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, broker.KST()) }
	clk := clock.NewFake(at(3, 8, 0)) // Tuesday (Monday the 2nd is 삼일절's substitute holiday)
	autoAdvance(t, clk, 50*time.Millisecond)
	c, f := newClient(t, brokertest.KiwoomFakeOptions{Clock: clk, MarketHours: true,
		Sim: brokertest.SimOptions{Walk: true, Seed: 5}}, kiwoom.Options{Clock: clk})
	ctx := context.Background()
	clk.Set(at(3, 15, 45))
	f.Advance() // as in TestMinuteCandlesFullDay: the walk is not timed by a request
	if cs, err := c.MinuteCandles(ctx, "005930"); err != nil || len(cs) != 380 {
		t.Fatalf("Tuesday: %d candles, %v", len(cs), err)
	}
	before := f.Requests("ka10080")
	clk.Set(at(4, 10, 0))
	f.Advance()
	cs, err := c.MinuteCandles(ctx, "005930")
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 61 || !cs[0].Time.Equal(at(4, 9, 0)) { // 09:00–10:00, the step at 10:00:00 included
		t.Fatalf("Wednesday 10:00: %d candles from %v", len(cs), cs[0].Time)
	}
	if n := f.Requests("ka10080") - before; n != 1 {
		t.Errorf("%d requests on Wednesday, want 1 (the first page already reaches Tuesday)", n)
	}
}
