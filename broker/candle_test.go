package broker

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestSortCandles(t *testing.T) {
	at := func(m int) time.Time { return time.Date(2026, 12, 4, 9, m, 0, 0, KST()) }
	in := []Candle{{Time: at(2), Close: 3}, {Time: at(0), Close: 1}, {Time: at(1), Close: 2}, {Time: at(1), Close: 22}}
	got := SortCandles(in)
	want := []int64{1, 22, 3}
	if len(got) != len(want) {
		t.Fatalf("got %d candles, want %d", len(got), len(want))
	}
	for i, c := range got {
		if c.Close != want[i] || (i > 0 && !c.Time.After(got[i-1].Time)) {
			t.Fatalf("candle %d: %+v", i, c)
		}
	}
}

type noChart struct{ Broker }

func (noChart) Name() string { return "test" }

func TestMinuteCandlesUnsupported(t *testing.T) {
	_, err := MinuteCandles(context.Background(), noChart{}, "005930")
	var e *Error
	if !errors.As(err, &e) || e.Kind != Invalid || e.Code != "no_chart" {
		t.Fatalf("err %v, want Invalid no_chart", err)
	}
}

type charting struct{ noChart }

func (charting) MinuteCandles(context.Context, Code) ([]Candle, error) {
	return []Candle{{Close: 7}}, nil
}

// Observe passes candles through and names the call; a wrapped broker
// that cannot chart still says so.
func TestObservedMinuteCandles(t *testing.T) {
	var calls []string
	hook := func(_ context.Context, call string, _ error, _ time.Duration) { calls = append(calls, call) }
	cs, err := MinuteCandles(context.Background(), Observe(charting{}, hook), "005930")
	if err != nil || len(cs) != 1 || cs[0].Close != 7 || len(calls) != 1 || calls[0] != CallCandles {
		t.Fatalf("candles %v, err %v, calls %v", cs, err, calls)
	}
	if _, err := MinuteCandles(context.Background(), Observe(noChart{}, hook), "005930"); KindOf(err) != Invalid {
		t.Fatalf("a broker without charts: %v", err)
	}
}
