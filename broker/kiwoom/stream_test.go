package kiwoom_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/broker/kiwoom"
	"github.com/hoga-trade/hoga/clock"
)

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

func TestStreamTradesFillsPingDropSilence(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(start)
	c, f := newClient(t, brokertest.KiwoomFakeOptions{Clock: clk, Stocks: kwStocks}, kiwoom.Options{Clock: clk})
	ticks := make(chan broker.Tick, 100)
	orders := make(chan kiwoom.OrderNotice, 10)
	acks := make(chan string, 100)
	up := make(chan struct{}, 10)
	down := make(chan time.Time, 10)
	decodeErrs := make(chan struct{}, 10)
	s := c.NewStream(kiwoom.StreamOptions{URL: f.WSURL(), Orders: true,
		OnTick: func(tk broker.Tick) { ticks <- tk }, OnOrder: func(n kiwoom.OrderNotice) { orders <- n },
		OnAck: func(trnm, code string) { acks <- trnm + ":" + code }, OnUp: func() { up <- struct{}{} },
		OnDown: func(error) { down <- clk.Now() }, OnDecodeError: func() { decodeErrs <- struct{}{} }})
	s.Subscribe("005930")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = s.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	recv(t, up, "session")
	recv(t, acks, "00 registration")
	recv(t, acks, "0B registration")
	f.SetPrice("005930", 71_100)
	if tk := recv(t, ticks, "tick"); tk.Code != "005930" || tk.Price != 71_100 {
		t.Fatalf("tick %+v", tk)
	}
	o, err := c.PlaceOrder(ctx, broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 2, Price: 71_000})
	if err != nil {
		t.Fatal(err)
	}
	f.SetPrice("005930", 71_000)
	n := recv(t, orders, "fill notice")
	if !n.Fill() || n.OrderNo != o.ID || n.ExecQty != 2 || n.ExecPx != 71_000 || n.ExecNo == "" || n.Code != "005930" {
		t.Fatalf("notice %+v (order %s)", n, o.ID)
	}

	f.StreamGarbage(`{"trnm":"REAL","data":[{"type":"0B","item":"bad","values":{}}]}`)
	recv(t, decodeErrs, "decode error")
	f.Ping()
	f.SetPrice("005930", 71_200)
	for recv(t, ticks, "tick after the ping").Price != 71_200 { // the echo was written before this was read
	}
	s.Subscribe("000660")
	recv(t, acks, "second registration") // the fake reads in order: the echo came first
	if f.Pongs() != 1 {
		t.Fatalf("pongs %d", f.Pongs())
	}

	// reconnect moves the clock to each reconnect attempt the stream
	// publishes (Status().Retry, set once its timer is on the clock)
	// until a session is up. Waiting for one clock waiter instead raced:
	// the ended session's LOGIN timeout timer is still on the clock, so
	// the clock could move before the retry's timer was set, which then
	// never fired ("no reconnect").
	reconnect := func(what string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second) // a bound on a hang
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-up:
				return
			case <-tick.C:
			}
			if at := s.Status().Retry; !at.IsZero() {
				clk.Set(at)
			}
			if time.Now().After(deadline) {
				t.Fatalf("no %s", what)
			}
		}
	}
	lost := clk.Now()
	f.DropStreams()
	recv(t, down, "down")
	reconnect("reconnect")
	if d := clk.Now().Sub(lost); d > 5*time.Second {
		t.Fatalf("reconnected after %s of clock", d)
	}
	recv(t, acks, "00 again")
	recv(t, acks, "0B again")
	if got := s.Status(); !got.Connected || len(got.Subscribed) != 2 || f.StreamItems() != 2 {
		t.Fatalf("after reconnect %+v, fake items %d", got, f.StreamItems())
	}

	f.SilenceStreams(true)
	quiet := clk.Now()
	clk.Advance(30 * time.Second)
	if at := recv(t, down, "silence detected"); at.Sub(quiet) > 30*time.Second {
		t.Fatalf("detected after %s", at.Sub(quiet))
	}
	f.SilenceStreams(false)
	reconnect("replacement")
}

// A code wanted but not registered yet is pending, not "past the limit";
// only what the limit leaves out is polled.
func TestStreamStatusPendingBeforeSync(t *testing.T) {
	t.Parallel()
	c, f := newClient(t, brokertest.KiwoomFakeOptions{}, kiwoom.Options{})
	s := c.NewStream(kiwoom.StreamOptions{URL: f.WSURL(), Limit: 2}) // not run
	for _, code := range []broker.Code{"035420", "005930", "000660"} {
		s.Subscribe(code)
	}
	st := s.Status()
	if len(st.Subscribed) != 0 || !slices.Equal(st.Pending, []broker.Code{"000660", "005930"}) || !slices.Equal(st.Polled, []broker.Code{"035420"}) {
		t.Fatalf("status %+v; want 000660 and 005930 pending, 035420 polled", st)
	}
}
