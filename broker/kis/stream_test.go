package kis

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/clock"
)

// streamRig is a fake KIS, a client and a running stream, with every
// callback turned into a channel.
type streamRig struct {
	clk     *clock.Fake
	f       *brokertest.KISFake
	c       *Client
	s       *Stream
	ticks   chan broker.Tick
	notices chan Notice
	acks    chan string
	up      chan struct{}
	down    chan time.Time
	limits  chan broker.Code
	stop    func()
}

func newStreamRig(t *testing.T, limit int) *streamRig {
	t.Helper()
	r := &streamRig{clk: clock.NewFake(kstAt(10, 0)), ticks: make(chan broker.Tick, 1000), notices: make(chan Notice, 100),
		acks: make(chan string, 1000), up: make(chan struct{}, 10), down: make(chan time.Time, 10), limits: make(chan broker.Code, 10)}
	r.c, r.f = newPair(t, brokertest.KISFakeOptions{Clock: r.clk}, nil)
	r.s = r.c.NewStream(StreamOptions{
		URL: r.f.WSURL(), HTSID: "hoga01", Limit: limit,
		OnTick:   func(tk broker.Tick) { r.ticks <- tk },
		OnNotice: func(n Notice) { r.notices <- n },
		OnAck:    func(tr, key, code string) { r.acks <- tr + "|" + key + "|" + code },
		OnUp:     func() { r.up <- struct{}{} },
		OnDown:   func(error) { r.down <- r.clk.Now() },
		OnLimit:  func(c broker.Code, _ string) { r.limits <- c },
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = r.s.Run(ctx); close(done) }()
	r.stop = func() { cancel(); <-done }
	t.Cleanup(r.stop)
	return r
}

func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second): // a bound on a hang, not synchronisation
		t.Fatalf("no %s", what)
		panic("unreachable")
	}
}

// acked waits for n subscribe answers with code.
func (r *streamRig) acked(t *testing.T, n int, code string) {
	t.Helper()
	for got := 0; got < n; {
		a := recv(t, r.acks, "subscribe answer")
		if len(a) >= len(code) && a[len(a)-len(code):] == code {
			got++
		}
	}
}

func TestStreamTradesAndNotices(t *testing.T) {
	t.Parallel()
	r := newStreamRig(t, 0)
	r.f.AddStock("005930", "삼성전자", 65_800) // the base this test's prices are inside the limits of
	r.s.Subscribe("005930")
	recv(t, r.up, "session")
	r.acked(t, 2, "OPSP0000") // the notice TR and 005930
	if !r.f.SetPrice("005930", 70100) {
		t.Fatal("SetPrice")
	}
	tk := recv(t, r.ticks, "tick")
	if tk.Code != "005930" || tk.Price != 70100 {
		t.Fatalf("tick %+v", tk)
	}
	o, err := r.c.PlaceOrder(context.Background(), broker.OrderRequest{Code: "005930", Side: broker.Buy, Qty: 3, Type: broker.Limit, Price: 70000})
	if err != nil {
		t.Fatal(err)
	}
	r.f.SetPrice("005930", 70000)
	n := recv(t, r.notices, "fill notice")
	if !n.Fill || n.OrderNo != o.ID || n.Qty != 3 || n.Price != 70000 || n.Side != broker.Buy {
		t.Fatalf("notice %+v, order %s", n, o.ID)
	}
	if r.f.StreamFrames(TRNoticeMock) != 1 {
		t.Fatalf("notice frames %d", r.f.StreamFrames(TRNoticeMock))
	}
	st := r.s.Status()
	if !st.Connected || len(st.Subscribed) != 1 || len(st.Polled) != 0 {
		t.Fatalf("status %+v", st)
	}
}

func TestStreamLimitAndUnsubscribe(t *testing.T) {
	t.Parallel()
	r := newStreamRig(t, 3) // the notice TR and two codes
	for _, c := range []broker.Code{"005930", "000660", "035420"} {
		r.s.Subscribe(c)
	}
	recv(t, r.up, "session")
	r.acked(t, 3, "OPSP0000")
	st := r.s.Status()
	if len(st.Subscribed) != 2 || len(st.Polled) != 1 || st.Polled[0] != "035420" {
		t.Fatalf("status %+v", st)
	}
	r.s.Unsubscribe("000660")
	r.acked(t, 2, "") // unsubscribe answer and the subscribe of the polled code
	st = r.s.Status()
	if len(st.Subscribed) != 2 || len(st.Polled) != 0 {
		t.Fatalf("after unsubscribe %+v", st)
	}
	if r.f.StreamSubscriptions() != 3 {
		t.Fatalf("fake holds %d", r.f.StreamSubscriptions())
	}
}

func TestStreamPingPongDropAndSilence(t *testing.T) {
	t.Parallel()
	r := newStreamRig(t, 0)
	r.s.Subscribe("005930")
	recv(t, r.up, "session")
	r.acked(t, 2, "OPSP0000")

	// Garbage is counted, not fatal; PINGPONG is echoed.
	r.f.StreamGarbage("0|H0STCNT0|001|not^a^trade")
	r.f.PingPong()
	r.f.SetPrice("005930", 70200)
	recv(t, r.ticks, "tick after garbage")
	// The fake reads in order: once a later subscribe is answered, the
	// echo sent before it has been counted.
	r.s.Subscribe("000660")
	r.acked(t, 1, "OPSP0000")
	if r.f.Pongs() != 1 {
		t.Fatalf("pongs %d", r.f.Pongs())
	}

	// Drop: back and resubscribed after one backoff (≤ 500ms of clock).
	lost := r.clk.Now()
	r.f.DropStreams()
	recv(t, r.down, "down")
	r.reconnect(t)
	r.acked(t, 3, "OPSP0000")
	if d := r.clk.Now().Sub(lost); d > 5*time.Second {
		t.Fatalf("resubscribed after %s", d)
	}
	r.f.SetPrice("005930", 70300)
	if tk := recv(t, r.ticks, "tick after reconnect"); tk.Price != 70300 {
		t.Fatalf("tick %+v", tk)
	}

	// Silence: detected at 30 s of session time, replaced.
	r.f.SilenceStreams(true)
	quiet := r.clk.Now()
	r.clk.Advance(30 * time.Second)
	at := recv(t, r.down, "silence detected")
	if d := at.Sub(quiet); d > 30*time.Second {
		t.Fatalf("silence detected after %s", d)
	}
	r.f.SilenceStreams(false)
	// The fake may not yet have seen the silent session go when the new
	// one subscribes: ALREADY IN USE, a session that never came up, and
	// another retry (as KIS would answer a client whose old socket it
	// still holds).
	r.reconnect(t)
}

// reconnect moves the clock to each reconnect attempt the stream
// publishes (Status().Retry, set once its timer is on the clock) until a
// session is up. Counting the clock's waiters instead raced: a timer
// left by the ended session counted as the retry, and the clock moved
// before the retry's timer was set, which then never fired.
func (r *streamRig) reconnect(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second) // a bound on a hang
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-r.up:
			return
		case <-tick.C:
		}
		if at := r.s.Status().Retry; !at.IsZero() {
			r.clk.Set(at)
		}
		if time.Now().After(deadline) {
			t.Fatal("never reconnected")
		}
	}
}

// Subscription refusals, handled as the sources say (stream.go
// handleAnswer): OPSP0007, an internal error, is asked again after a
// doubling backoff (500 ms, 1 s …) and then streams; OPSP0008, the
// server's limit, is not asked again in the session (not even when
// another code's subscription changes), the code is polled and OnLimit
// tells the owner, once per refusal.
func TestStreamSubscribeRefusals(t *testing.T) {
	t.Parallel()
	t.Run("internal error retried with backoff", func(t *testing.T) {
		t.Parallel()
		r := newStreamRig(t, 0)
		r.f.RefuseSubscribe("005930", "OPSP0007", "OPSP0007")
		r.s.Subscribe("005930")
		recv(t, r.up, "session")
		for i, want := range []struct {
			wait time.Duration // clock moved before the answer
			code string
		}{{0, "OPSP0007"}, {500 * time.Millisecond, "OPSP0007"}, {time.Second, "OPSP0000"}} {
			if want.wait > 0 {
				if r.s.Streaming("005930") || r.f.SubscribeRequests("005930") != i {
					t.Fatalf("attempt %d: asked again before the backoff (%d requests)", i, r.f.SubscribeRequests("005930"))
				}
				r.clk.Advance(want.wait) // the watchdog's 1 s look finds the retry due
				if want.wait < time.Second {
					r.clk.Advance(time.Second - want.wait)
				}
			}
			r.acked(t, 1, "005930|"+want.code)
		}
		if !r.s.Streaming("005930") || r.f.SubscribeRequests("005930") != 3 {
			t.Fatalf("streaming %v after %d requests, want true after 3", r.s.Streaming("005930"), r.f.SubscribeRequests("005930"))
		}
		select {
		case c := <-r.limits:
			t.Fatalf("an internal error told as a limit (%s)", c)
		default:
		}
	})
	t.Run("limit not asked again", func(t *testing.T) {
		t.Parallel()
		r := newStreamRig(t, 0)
		r.f.SetStreamLimit(2) // the notice TR and one code: lower than the client's 41
		r.s.Subscribe("005930")
		r.s.Subscribe("000660")
		recv(t, r.up, "session")
		r.acked(t, 1, "005930|OPSP0008")
		if c := recv(t, r.limits, "limit"); c != "005930" {
			t.Fatalf("limit told for %s", c)
		}
		st := r.s.Status()
		if len(st.Polled) != 1 || st.Polled[0] != "005930" || r.s.Streaming("005930") || !r.s.Streaming("000660") {
			t.Fatalf("status %+v", st)
		}
		r.s.Subscribe("035420") // a sync: the refused code is not in it
		r.acked(t, 1, "035420|OPSP0008")
		recv(t, r.limits, "limit")
		for range 5 {
			r.f.PingPong()
			r.clk.Advance(time.Second)
		}
		r.s.Unsubscribe("000660")
		r.acked(t, 1, "000660|OPSP0001")
		if n := r.f.SubscribeRequests("005930"); n != 1 {
			t.Fatalf("005930 asked %d times in the session, want 1", n)
		}
	})
}

// A second session on the same app key is refused (OPSP8996 ALREADY IN
// USE; python-kis _handle_control) before it is up: it never counts as
// connected, never streams, and the first session keeps streaming.
func TestStreamAlreadyInUse(t *testing.T) {
	t.Parallel()
	r := newStreamRig(t, 0)
	r.s.Subscribe("005930")
	recv(t, r.up, "first session")
	r.acked(t, 2, "OPSP0000")

	acks := make(chan string, 10)
	second := r.c.NewStream(StreamOptions{URL: r.f.WSURL(), OnAck: func(tr, key, code string) { acks <- code },
		OnUp: func() { t.Error("the second session came up") }})
	second.Subscribe("000660")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = second.Run(ctx); close(done) }()
	if code := recv(t, acks, "the refusal"); code != "OPSP8996" {
		t.Fatalf("second session answered %s, want OPSP8996", code)
	}
	cancel()
	<-done
	if st := second.Status(); st.Connected || second.Streaming("000660") {
		t.Fatalf("second session %+v", st)
	}
	r.f.SetPrice("005930", 70_400)
	if tk := recv(t, r.ticks, "tick on the first session"); tk.Price != 70_400 || !r.s.Streaming("005930") {
		t.Fatalf("first session: tick %+v, streaming %v", tk, r.s.Streaming("005930"))
	}
}

// KIS's limit is 41 registrations per app key (MaxSubscriptions): by
// default 40 codes stream beside the fill-notice TR and a 41st code is
// polled, hoga never asking past the limit; a client that did (Limit 42)
// meets the fake's real answer, OPSP0008 for the 42nd registration.
func TestStreamKISLimitIs41(t *testing.T) {
	t.Parallel()
	codes := make([]broker.Code, 41)
	for i := range codes {
		codes[i] = broker.Code(fmt.Sprintf("9%05d", i))
	}
	t.Run("client stays within", func(t *testing.T) {
		t.Parallel()
		r := newStreamRig(t, 0)
		for _, c := range codes {
			r.s.Subscribe(c)
		}
		recv(t, r.up, "session")
		r.acked(t, 41, "OPSP0000")
		st := r.s.Status()
		if len(st.Subscribed) != 40 || len(st.Polled) != 1 || st.Polled[0] != codes[40] {
			t.Fatalf("status: %d subscribed, polled %v; want 40 and [%s]", len(st.Subscribed), st.Polled, codes[40])
		}
		if n := r.f.StreamSubscriptions(); n != 41 {
			t.Fatalf("fake holds %d registrations, want 41", n)
		}
		if n := r.f.SubscribeRequests(string(codes[40])); n != 0 {
			t.Fatalf("the 41st code was asked %d times past the limit", n)
		}
	})
	t.Run("server refuses the 42nd", func(t *testing.T) {
		t.Parallel()
		r := newStreamRig(t, 42)
		for _, c := range codes {
			r.s.Subscribe(c)
		}
		recv(t, r.up, "session")
		r.acked(t, 1, string(codes[40])+"|OPSP0008")
		if c := recv(t, r.limits, "limit"); c != codes[40] {
			t.Fatalf("limit told for %s, want %s", c, codes[40])
		}
		if n := r.f.StreamSubscriptions(); n != 41 {
			t.Fatalf("fake holds %d registrations, want 41", n)
		}
	})
}

// A code wanted but not sent yet (before the session, or before the
// stream's sync) is pending, not "past the limit"; only what the limit
// leaves out is polled. /status listed every such code as past KIS's
// limit.
func TestStreamStatusPendingBeforeSync(t *testing.T) {
	t.Parallel()
	c, f := newPair(t, brokertest.KISFakeOptions{}, nil)
	s := c.NewStream(StreamOptions{URL: f.WSURL(), HTSID: "hoga01", Limit: 3}) // the notice TR and two codes; not run
	for _, code := range []broker.Code{"035420", "005930", "000660"} {
		s.Subscribe(code)
	}
	st := s.Status()
	if len(st.Subscribed) != 0 || !slices.Equal(st.Pending, []broker.Code{"000660", "005930"}) || !slices.Equal(st.Polled, []broker.Code{"035420"}) {
		t.Fatalf("status %+v; want 000660 and 005930 pending, 035420 polled", st)
	}
}
