package clock

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestFakeAfterFiresOnlyWhenDue(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	f := NewFake(start)
	ch := f.After(10 * time.Second)
	f.Advance(9 * time.Second)
	select {
	case <-ch:
		t.Fatal("fired early")
	default:
	}
	f.Advance(time.Second)
	select {
	case got := <-ch:
		if !got.Equal(start.Add(10 * time.Second)) {
			t.Fatalf("fired at %v", got)
		}
	default:
		t.Fatal("did not fire when due")
	}
	if n := f.Waiters(); n != 0 {
		t.Fatalf("waiters = %d after firing", n)
	}
}

func TestFakeTickerAndBlockUntil(t *testing.T) {
	t.Parallel()
	f := NewFake(time.Unix(0, 0))
	got := make(chan time.Time)
	go func() {
		tk := f.NewTicker(2 * time.Second)
		defer tk.Stop()
		for i := 0; i < 3; i++ {
			got <- <-tk.C()
		}
	}()
	if !f.BlockUntil(1, nil) {
		t.Fatal("BlockUntil returned false")
	}
	for i := 1; i <= 3; i++ {
		f.Advance(2 * time.Second)
		if tick := <-got; !tick.Equal(time.Unix(int64(2*i), 0)) {
			t.Fatalf("tick %d at %v", i, tick)
		}
	}
}

func TestFakeSetNeverGoesBack(t *testing.T) {
	t.Parallel()
	f := NewFake(time.Unix(100, 0))
	f.Set(time.Unix(50, 0))
	if !f.Now().Equal(time.Unix(100, 0)) {
		t.Fatalf("Now = %v", f.Now())
	}
	if _, ok := Or(nil).(Real); !ok {
		t.Fatal("Or(nil) is not Real")
	}
}

// WithTimeout on a fake clock ends when the clock passes d, with the
// cause DeadlineExceeded, and not before; cancelling ends it as Canceled.
func TestWithTimeoutOnFake(t *testing.T) {
	t.Parallel()
	f := NewFake(time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC))
	ctx, cancel := WithTimeout(context.Background(), f, time.Second)
	defer cancel()
	f.Advance(999 * time.Millisecond)
	select {
	case <-ctx.Done():
		t.Fatal("ended before its time on the clock")
	default:
	}
	f.Advance(time.Millisecond)
	<-ctx.Done()
	if !errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
		t.Errorf("cause %v, want DeadlineExceeded", context.Cause(ctx))
	}
	ctx2, cancel2 := WithTimeout(context.Background(), f, time.Second)
	cancel2()
	<-ctx2.Done()
	if !errors.Is(context.Cause(ctx2), context.Canceled) {
		t.Errorf("cause %v, want Canceled", context.Cause(ctx2))
	}
	// The wall clock's is the standard library's.
	ctx3, cancel3 := WithTimeout(context.Background(), nil, time.Hour)
	defer cancel3()
	if _, ok := ctx3.Deadline(); !ok {
		t.Error("a wall-clock timeout without a deadline")
	}
}
