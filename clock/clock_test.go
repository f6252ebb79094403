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

// A deadline computed from Now, then a step of the clock, then the timer
// armed: Until still fires at the deadline, where After(deadline−Now)
// armed after the step sits a full step past it. This is the race
// TestPressRefusals/late_press lost on a loaded machine.
func TestUntilFiresAtTheInstantWhateverTheClockDidMeanwhile(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		step  time.Duration // the Advance between computing and arming
		then  time.Duration // a further Advance after arming
		fired bool
		at    time.Time
	}{
		{name: "step past the deadline before arming", step: 61 * time.Second, fired: true, at: start.Add(61 * time.Second)},
		{name: "step onto the deadline before arming", step: time.Minute, fired: true, at: start.Add(time.Minute)},
		{name: "step short of it, the rest after arming", step: 59 * time.Second, then: time.Second, fired: true, at: start.Add(time.Minute)},
		{name: "step short of it, nothing after", step: 59 * time.Second},
		{name: "no step, the whole wait after arming", then: time.Minute, fired: true, at: start.Add(time.Minute)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := NewFake(start)
			deadline := f.Now().Add(time.Minute)
			f.Advance(tc.step)
			ch := f.Until(deadline).C()
			f.Advance(tc.then)
			select {
			case got := <-ch:
				if !tc.fired {
					t.Fatalf("fired at %v, before its deadline %v (now %v)", got, deadline, f.Now())
				}
				if !got.Equal(tc.at) {
					t.Fatalf("fired with %v, want %v", got, tc.at)
				}
			default:
				if tc.fired {
					t.Fatalf("did not fire: deadline %v, now %v", deadline, f.Now())
				}
			}
			if n := f.Waiters(); tc.fired && n != 0 {
				t.Fatalf("waiters = %d after firing", n)
			}
		})
	}
}

// The race Until closes, shown with After: armed from a duration after
// the step, the timer's deadline moved by the step.
func TestAfterArmedLateMissesTheDeadline(t *testing.T) {
	t.Parallel()
	f := NewFake(time.Unix(0, 0))
	now := f.Now()
	deadline := now.Add(time.Minute)
	f.Advance(61 * time.Second)
	late := f.After(deadline.Sub(now)) // what prompts.go did before Until
	f.Advance(time.Second)
	select {
	case <-late:
		t.Fatal("After from a stale Now fired: the premise of Until is wrong")
	default:
	}
}

// BlockUntil counts a pending Until as a waiter, so a test can wait for
// code that arms one before stepping the clock.
func TestBlockUntilSeesUntil(t *testing.T) {
	t.Parallel()
	f := NewFake(time.Unix(0, 0))
	fired := make(chan time.Time)
	go func() { fired <- <-f.Until(time.Unix(30, 0)).C() }()
	if !f.BlockUntil(1, nil) {
		t.Fatal("BlockUntil returned false")
	}
	f.Advance(30 * time.Second)
	if got := <-fired; !got.Equal(time.Unix(30, 0)) {
		t.Fatalf("fired at %v", got)
	}
}

// Offset's Until is the same instant on the clock beneath: a broker clock
// 5 s ahead reaches 09:00:05 when the host's reads 09:00:00.
func TestOffsetUntilIsTheSameInstant(t *testing.T) {
	t.Parallel()
	host := NewFake(time.Date(2026, 3, 3, 8, 59, 0, 0, time.UTC))
	ahead := Offset(host, 5*time.Second)
	ch := ahead.Until(time.Date(2026, 3, 3, 9, 0, 5, 0, time.UTC)).C()
	host.Advance(59 * time.Second)
	select {
	case <-ch:
		t.Fatal("fired a second early")
	default:
	}
	host.Advance(time.Second)
	select {
	case <-ch:
	default:
		t.Fatalf("did not fire at host %v, offset %v", host.Now(), ahead.Now())
	}
}

// The real clock's Until of an instant already past fires at once.
func TestRealUntilPast(t *testing.T) {
	t.Parallel()
	select {
	case <-Real{}.Until(time.Now().Add(-time.Hour)).C():
	case <-time.After(time.Minute): // a hang guard only
		t.Fatal("Real.Until of a past instant did not fire")
	}
}

// A stopped timer is no waiter: a loop woken early stops the timer it
// leaves, and a test's BlockUntil then waits for the loop's next wait
// instead of returning for the abandoned one (the tracker's rig stepped
// the clock while the loop still polled). It never fires.
func TestStoppedUntilIsNoWaiter(t *testing.T) {
	t.Parallel()
	f := NewFake(time.Unix(0, 0))
	abandoned := f.Until(time.Unix(15, 0))
	if n := f.Waiters(); n != 1 {
		t.Fatalf("waiters = %d with one timer", n)
	}
	abandoned.Stop()
	if n := f.Waiters(); n != 0 {
		t.Fatalf("waiters = %d after Stop", n)
	}
	armed := make(chan struct{})
	go func() {
		f.Until(time.Unix(1, 0)) // the loop's next wait
		close(armed)
	}()
	if !f.BlockUntil(1, nil) {
		t.Fatal("BlockUntil returned false")
	}
	select {
	case <-armed:
	case <-time.After(time.Minute): // a hang guard only
		t.Fatal("BlockUntil returned before the next wait was armed")
	}
	f.Advance(time.Minute)
	select {
	case <-abandoned.C():
		t.Fatal("a stopped timer fired")
	default:
	}
	// Stopping one that fired, or one that was due at once, is harmless.
	due := f.Until(time.Unix(0, 0))
	due.Stop()
	select {
	case <-due.C():
	default:
		t.Fatal("a timer due at once did not fire")
	}
	if n := f.Waiters(); n != 0 {
		t.Fatalf("waiters = %d", n)
	}
	Real{}.Until(time.Now().Add(time.Hour)).Stop()
	Offset(f, time.Second).Until(time.Unix(90, 0)).Stop()
	if n := f.Waiters(); n != 0 {
		t.Fatalf("waiters = %d after an Offset timer stopped", n)
	}
}
