package kis

import (
	"context"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/clock"
)

// A full regular day on the walking fake: 380 minutes of continuous
// trading (09:00–15:19) read back 30 at a time, 13 calls, each from a
// minute before the oldest candle of the one before; the candles agree
// with the quote.
func TestMinuteCandlesFullDay(t *testing.T) {
	fc := clock.NewFake(kstAt(8, 0))
	c, f := newPair(t, brokertest.KISFakeOptions{Clock: fc, RateLimit: -1, MarketHours: true,
		Sim: brokertest.SimOptions{Walk: true, Seed: 3}}, unlimited)
	ctx := context.Background()
	fc.Set(kstAt(15, 45))
	// The fake walks its market up to the clock before the client asks:
	// walked lazily inside the first request, the day's 27,900 steps took
	// up to 5.7 s of that request's 10 s wall-clock timeout under -race
	// on a busy machine; Kiwoom's twin of this test ran out of it beside a
	// second go test -race ./... and asked again.
	f.Advance()
	cs, err := c.MinuteCandles(ctx, "005930")
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 380 {
		t.Fatalf("%d candles, want 380", len(cs))
	}
	if first, last := cs[0].Time, cs[len(cs)-1].Time; !first.Equal(kstAt(9, 0)) || !last.Equal(kstAt(15, 19)) {
		t.Errorf("candles from %v to %v", first, last)
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
	hi, lo := int64(0), int64(1<<62)
	for _, cd := range cs {
		hi, lo = max(hi, cd.High), min(lo, cd.Low)
	}
	if cs[len(cs)-1].Close != q.Price || hi != q.High || lo > q.Low {
		t.Errorf("last close %d, high %d, low %d; quote %d, %d, %d", cs[len(cs)-1].Close, hi, lo, q.Price, q.High, q.Low)
	}

	var hours []string
	for _, r := range f.RequestLog() {
		if r.Path == pathMinuteChart {
			if r.TrID != trMinuteChart || r.Query.Get("FID_COND_MRKT_DIV_CODE") != "J" {
				t.Errorf("request %+v", r)
			}
			hours = append(hours, r.Query.Get("FID_INPUT_HOUR_1"))
		}
	}
	// 15:45 asks for the newest 30 (15:19 back to 14:50), then each call
	// from a minute before the oldest so far; the 13th gets 20 and ends.
	want := []string{"154500"}
	for at := kstAt(14, 49); !at.Before(kstAt(9, 19)); at = at.Add(-30 * time.Minute) {
		want = append(want, at.Format("150405"))
	}
	if len(hours) != len(want) {
		t.Fatalf("hours asked %v, want %v", hours, want)
	}
	for i := range want {
		if hours[i] != want[i] {
			t.Fatalf("hours asked %v, want %v", hours, want)
		}
	}
}

// Before the first trade there is nothing, in one call.
func TestMinuteCandlesBeforeOpen(t *testing.T) {
	fc := clock.NewFake(kstAt(8, 0))
	c, f := newPair(t, brokertest.KISFakeOptions{Clock: fc, RateLimit: -1, MarketHours: true,
		Sim: brokertest.SimOptions{Walk: true}}, unlimited)
	cs, err := c.MinuteCandles(context.Background(), "005930")
	if err != nil || len(cs) != 0 {
		t.Fatalf("%d candles, err %v", len(cs), err)
	}
	if n := f.CountRequests(pathMinuteChart); n != 1 {
		t.Errorf("%d calls", n)
	}
	if _, err := c.MinuteCandles(context.Background(), "12"); broker.KindOf(err) != broker.Invalid {
		t.Errorf("bad code: %v", err)
	}
}
