package pace

import (
	"context"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/hoga-trade/hoga/clock"
)

func TestWaitOnTheFakeClock(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(time.Unix(1_800_000_000, 0))
	lim := rate.NewLimiter(2, 1) // 2/s, like KIS mock
	ctx := context.Background()
	if d, err := Wait(ctx, clk, lim); err != nil || d != 0 {
		t.Fatalf("first Wait = %v, %v; want no wait", d, err)
	}
	got := make(chan time.Duration, 1)
	go func() {
		d, err := Wait(ctx, clk, lim)
		if err != nil {
			t.Error(err)
		}
		got <- d
	}()
	clk.BlockUntil(1, nil)
	clk.Advance(500 * time.Millisecond)
	if d := <-got; d != 500*time.Millisecond {
		t.Fatalf("second Wait waited %v; want 500ms", d)
	}
}

func TestWaitCancelledGivesTheTokenBack(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(time.Unix(1_800_000_000, 0))
	lim := rate.NewLimiter(1, 1)
	if _, err := Wait(context.Background(), clk, lim); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Wait(ctx, clk, lim); err == nil {
		t.Fatal("a cancelled wait succeeded")
	}
	clk.Advance(time.Second)
	// Had the cancelled reservation been kept, this one would wait.
	if d, err := Wait(context.Background(), clk, lim); err != nil || d != 0 {
		t.Fatalf("Wait after a cancelled one = %v, %v; want no wait", d, err)
	}
}
