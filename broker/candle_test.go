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
