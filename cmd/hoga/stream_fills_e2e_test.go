package main

import (
	"strconv"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// Issue 15, Done when 3 and 4 through run(), both brokers, on the fake
// clock: a fill notice (KIS H0STCNI9, AES-encrypted; Kiwoom 00) is alerted
// with no clock time passing, so by the push and not by a poll, and the
// tracker's later polls of the same fill add no second alert; a fill that
// happens while the stream is dropped (no notice can come) is alerted
// exactly once after the reconnect, which is resubscribed within 5 s.
func TestStreamFillNoticesThroughRun(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		broker string
		price  int64 // a buy price just under the fake's 005930
	}{
		{"kis", 65_000},
		{"kiwoom", 70_000},
	} {
		t.Run(tc.broker, func(t *testing.T) {
			t.Parallel()
			r := startStreamHogaNotices(t, tc.broker, kstAt(2026, 12, 8, 10, 0, 0))
			r.streaming()
			const filled = "체결 완료"
			buy := func(n int) {
				r.send("/buy 005930 1 " + itoa64(tc.price))
				waitFor(t, "the order at the fake", func() bool { return r.orders() == n })
				r.settle("the tracker to follow it", func(s trackerStatus) bool { return s.Open == 1 })
			}

			// Pushed: alerted before any clock time passes.
			buy(1)
			at := r.clk.Now()
			r.setPrice("005930", tc.price)
			waitFor(t, "the pushed fill alert", func() bool { return r.alerts.count(filled) == 1 })
			if !r.clk.Now().Equal(at) {
				t.Fatal("the clock moved: the alert may have come from a poll")
			}
			for range 20 { // the tracker polls; the same fill is not alerted again
				r.step(time.Second)
			}
			if n := r.alerts.count(filled); n != 1 {
				t.Fatalf("%d fill alerts for one fill (push and poll), want 1:\n%s", n, r.alerts.String())
			}

			// A fill in a gap: the stream is down (and stays down until the
			// clock passes the reconnect backoff), so only the poll after
			// the reconnect can see it.
			r.setPrice("005930", tc.price+2*tickOf(tc.price))
			buy(2)
			r.drop()
			waitFor(t, "the stream to notice the drop", func() bool { return !r.app.stream.Status().Connected })
			dropped := r.clk.Now()
			r.setPrice("005930", tc.price)
			waitFor(t, "the reconnect to wait for its backoff", func() bool { return !r.app.stream.Status().Retry.IsZero() })
			r.clk.Set(r.app.stream.Status().Retry) // ≤ 500 ms: the first backoff
			waitFor(t, "the resubscription", func() bool { return r.app.stream.Streaming("005930") })
			if d := r.clk.Now().Sub(dropped); d > 5*time.Second {
				t.Fatalf("resubscribed %s after the drop, want ≤ 5 s", d)
			}
			// The reconnect asks the tracker for a poll (OnUp → Kick), which
			// runs on its own, not on the clock: wait for its alert, then
			// give the tracker's own polls time to (not) repeat it.
			waitFor(t, "the gap's fill alert", func() bool { return r.alerts.count(filled) == 2 })
			for range 20 {
				r.step(time.Second)
			}
			if n := r.alerts.count(filled); n != 2 {
				t.Logf("tracker %+v clock %v orders %s", r.app.tracker.Status(), r.clk.Now(), r.ordersDebug())
				t.Fatalf("%d fill alerts after a fill in the gap, want 2 (one each):\n%s", n, r.alerts.String())
			}
		})
	}
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

func tickOf(p int64) int64 { return broker.TickSize(p) }
