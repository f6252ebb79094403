package tracker

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// settle waits until the tracker sleeps with its state as wanted (a
// wall-clock bound only stops a hang).
func (r *rig) settle(what string, cond func(Status) bool) {
	r.t.Helper()
	deadline := time.Now().Add(time.Minute)
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		st := r.tr.Status()
		if cond(st) && r.clk.Now().Before(st.NextCheck) {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("waiting for %s: %+v", what, st)
		}
		<-tick.C
	}
}

// mark is the last-checked mark the journal holds.
func (r *rig) mark() Mark {
	r.t.Helper()
	v, ok, err := r.j.GetSetting(context.Background(), markKey)
	if err != nil || !ok {
		r.t.Fatalf("no mark (%v)", err)
	}
	var m Mark
	if err := json.Unmarshal([]byte(v), &m); err != nil {
		r.t.Fatal(err)
	}
	return m
}

// restart is a new tracker on the same journal and broker, d after the
// old one's clock, and the event of its first poll.
func (r *rig) restart(d time.Duration) (*rig, broker.OrderEvent) {
	r.t.Helper()
	r.stop()
	r2 := newRig(r.t, r.clk.Now().Add(d), r.j, r.b)
	r2.start()
	select {
	case ev := <-r2.events:
		return r2, ev
	case <-time.After(time.Minute):
		r.t.Fatal("no event from the first poll after the restart")
	}
	return nil, broker.OrderEvent{}
}

// The three ways an order open at a stop can fill, and what the owner is
// told of each:
//   - in the last poll gap before a clean stop: the stop's final check
//     finds it and it is an ordinary fill, told before hoga exits (before
//     FinalCheck it was found by the next start's first poll and said to
//     have filled while hoga was down);
//   - after a clean stop: found at start-up, "while hoga was down";
//   - after a kill (no final check): found at start-up, "after hoga last
//     checked it at T", which may be before the stop.
func TestFillsAroundAStop(t *testing.T) {
	t.Parallel()
	const id = "0000000101"
	begin := func(t *testing.T) *rig {
		r := newRig(t, kst(2026, 3, 3, 10, 0), nil, nil)
		r.start()
		r.place("H1", id, broker.Buy, 10, 70_000)
		r.settle("the order's first poll", func(s Status) bool { return s.Open == 1 && s.Polls >= 1 })
		r.tick(time.Second) // a quiet poll: nothing filled yet
		r.settle("a second poll", func(s Status) bool { return s.Polls >= 2 })
		return r
	}

	t.Run("in_the_last_gap_before_a_clean_stop", func(t *testing.T) {
		t.Parallel()
		r := begin(t)
		r.clk.Advance(500 * time.Millisecond) // before the next poll
		r.b.set(id, 10, 70_000, broker.StatusFilled)
		if err := r.tr.FinalCheck(context.Background()); err != nil {
			t.Fatal(err)
		}
		select {
		case ev := <-r.events:
			if ev.Kind != broker.EventFilled || ev.Fill.Late || ev.Fill.Qty != 10 {
				t.Fatalf("at the stop: %s %+v", ev.Kind, ev.Fill)
			}
		default:
			t.Fatal("the stop's final check told nothing of the fill in the last gap")
		}
		if m := r.mark(); !m.Clean || !m.Checked.Equal(r.clk.Now()) {
			t.Fatalf("mark %+v", m)
		}
		r.stop()
		r2 := newRig(t, r.clk.Now().Add(time.Minute), r.j, r.b)
		r2.start()
		r2.tick(time.Second)
		r2.clk.BlockUntil(1, r2.done)
		r2.quiet() // told once, at the stop
	})

	t.Run("after_a_clean_stop", func(t *testing.T) {
		t.Parallel()
		r := begin(t)
		if err := r.tr.FinalCheck(context.Background()); err != nil {
			t.Fatal(err)
		}
		r.quiet()
		r.stop()
		r.b.set(id, 10, 70_000, broker.StatusFilled) // while hoga is down
		r2, ev := r.restart(time.Hour)
		if ev.Kind != broker.EventFilled || !ev.Fill.Late || !ev.Fill.LateSince.IsZero() {
			t.Fatalf("after a clean stop: %s %+v", ev.Kind, ev.Fill)
		}
		// Running again: a kill from now on must not pass for a clean stop.
		if m := r2.mark(); m.Clean {
			t.Fatalf("mark %+v while running", m)
		}
	})

	t.Run("after_a_kill", func(t *testing.T) {
		t.Parallel()
		r := begin(t)
		last := r.mark()
		if last.Clean || !last.Checked.Equal(r.clk.Now()) {
			t.Fatalf("mark while running %+v, want the last poll at %s", last, r.clk.Now())
		}
		r.clk.Advance(500 * time.Millisecond)
		r.b.set(id, 10, 70_000, broker.StatusFilled) // in the gap: maybe before the kill
		_, ev := r.restart(time.Hour)                // stop without FinalCheck: a kill
		if ev.Kind != broker.EventFilled || !ev.Fill.Late || !ev.Fill.LateSince.Equal(last.Checked) {
			t.Fatalf("after a kill: %s %+v, want late since %s", ev.Kind, ev.Fill, last.Checked)
		}
	})

	t.Run("final_check_refused", func(t *testing.T) {
		t.Parallel()
		r := begin(t)
		last := r.mark()
		r.b.mu.Lock()
		r.b.fail = &broker.Error{Kind: broker.Transient, Msg: "the broker did not answer"}
		r.b.mu.Unlock()
		if err := r.tr.FinalCheck(context.Background()); !errors.Is(err, r.b.fail) {
			t.Fatalf("final check: %v", err)
		}
		if m := r.mark(); m != last {
			t.Fatalf("a failed final check wrote %+v over %+v", m, last)
		}
		r.b.mu.Lock()
		r.b.fail = nil
		r.b.mu.Unlock()
		r.b.set(id, 10, 70_000, broker.StatusFilled)
		_, ev := r.restart(time.Hour)
		if !ev.Fill.Late || !ev.Fill.LateSince.Equal(last.Checked) {
			t.Fatalf("after a failed final check: %+v, want late since %s", ev.Fill, last.Checked)
		}
	})

	// An order answered after the final check (the stop's wait for the
	// order in flight ran out): its fill cannot be vouched for either.
	t.Run("order_newer_than_the_clean_mark", func(t *testing.T) {
		t.Parallel()
		r := begin(t)
		if err := r.tr.FinalCheck(context.Background()); err != nil {
			t.Fatal(err)
		}
		r.stop()
		r.clk.Advance(2 * time.Second)
		// Answered now, after the check: journaled, never looked at.
		if _, err := r.j.UpdateOrder(context.Background(), "H1", func(e *broker.JournalEntry) error { e.Note = "answered late"; return nil }); err != nil {
			t.Fatal(err)
		}
		answered := r.clk.Now()
		r.b.set(id, 10, 70_000, broker.StatusFilled)
		_, ev := r.restart(time.Hour)
		if !ev.Fill.Late || !ev.Fill.LateSince.Equal(answered) {
			t.Fatalf("%+v, want late since %s", ev.Fill, answered)
		}
	})
}

// A stop before Run has loaded the journal still checks the earlier run's
// open orders, and labels what it finds by that run's mark.
func TestFinalCheckBeforeRunLoaded(t *testing.T) {
	t.Parallel()
	r := newRig(t, kst(2026, 3, 3, 10, 0), nil, nil)
	e := broker.JournalEntry{ClientID: "H3", Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 5, Price: 70_000,
		State: broker.StatusAccepted, BrokerID: "0000000303", Created: r.clk.Now()}
	if err := r.j.InsertOrder(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	r.b.orders["0000000303"] = broker.Order{ID: "0000000303", FilledQty: 5, AvgFillPrice: 70_000, Status: broker.StatusFilled}
	r.clk.Advance(time.Minute)
	tr, err := New(Options{Broker: r.b, Journal: r.j, Clock: r.clk, OnEvent: func(ev broker.OrderEvent) { r.events <- ev }})
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.FinalCheck(context.Background()); err != nil {
		t.Fatal(err)
	}
	ev := <-r.events
	if ev.Kind != broker.EventFilled || !ev.Fill.Late || !ev.Fill.LateSince.Equal(e.Created) {
		t.Fatalf("%s %+v", ev.Kind, ev.Fill)
	}
}

// An order this run placed before Run loaded the journal (a command in the
// first moments after start-up, on a busy machine) is this run's: a fill
// the first poll finds is an ordinary one, not "found at start-up".
func TestOrderOfThisRunBeforeRunLoadedIsNotLate(t *testing.T) {
	t.Parallel()
	r := newRig(t, kst(2026, 3, 3, 10, 0), nil, nil)
	ctx := context.Background()
	tr, err := New(Options{Broker: r.b, Journal: r.j, Clock: r.clk, OnEvent: func(ev broker.OrderEvent) { r.events <- ev }})
	if err != nil {
		t.Fatal(err)
	}
	r.clk.Advance(time.Millisecond) // made at start-up; the order comes after
	e := broker.JournalEntry{ClientID: "H4", Code: "005930", Side: broker.Buy, Type: broker.Market, Qty: 2,
		State: broker.StatusAccepted, BrokerID: "0000000404", Created: r.clk.Now()}
	if err := r.j.InsertOrder(ctx, e); err != nil {
		t.Fatal(err)
	}
	r.b.orders["0000000404"] = broker.Order{ID: "0000000404", FilledQty: 2, AvgFillPrice: 70_000, Status: broker.StatusFilled}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { tr.Run(runCtx); close(done) }()
	defer func() { cancel(); <-done }()
	select {
	case ev := <-r.events:
		if ev.Kind != broker.EventFilled || ev.Fill.Late {
			t.Fatalf("%s %+v", ev.Kind, ev.Fill)
		}
	case <-time.After(time.Minute):
		t.Fatal("no event from the first poll")
	}
}
