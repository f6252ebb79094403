package clock

import (
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
