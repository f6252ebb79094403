package paper

import (
	"context"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
)

// A subscriber hears fills (with their price, fees and a per-fill id),
// cancels and expiries in order, on its own goroutine.
func TestSubscribe(t *testing.T) {
	t.Parallel()
	e, clk := newExchange(t, Options{Freeze: true})
	got := make(chan Event, 16)
	stop := e.Subscribe(func(ev Event) { got <- ev })
	defer stop()

	o1 := place(t, e, broker.OrderRequest{Code: samsung, Side: broker.Buy, Type: broker.Limit, Qty: 10, Price: 197_000, ClientID: "c1"})
	o2 := place(t, e, broker.OrderRequest{Code: samsung, Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 150_000})
	o3 := place(t, e, broker.OrderRequest{Code: samsung, Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 151_000})
	setPrice(t, e, samsung, 196_000)
	if _, err := e.CancelOrder(context.Background(), broker.CancelRequest{OrderID: o2.ID}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(24 * time.Hour) // o3 lapses at midnight
	if _, err := e.Balance(context.Background()); err != nil {
		t.Fatal(err)
	}

	want := []struct {
		kind  EventKind
		id    string
		qty   int64
		price int64
	}{{EventFill, o1.ID, 10, 197_000}, {EventCancel, o2.ID, 1, 0}, {EventExpire, o3.ID, 1, 0}}
	for i, w := range want {
		ev := <-got
		if ev.Kind != w.kind || ev.Order.ID != w.id || ev.Qty != w.qty || ev.Price != w.price {
			t.Fatalf("event %d = %+v, want %+v", i, ev, w)
		}
		if i == 0 && (ev.Order.Status != broker.StatusFilled || ev.Order.ClientID != "c1" || ev.Commission != 295 || ev.ExecID != o1.ID+"-10") {
			t.Fatalf("fill event %+v", ev)
		}
	}
}

// SubscribeNow hears a market order's fill before PlaceOrder returns (an
// order tracker has it queued before the order's answer), and nothing
// after its stop.
func TestSubscribeNow(t *testing.T) {
	t.Parallel()
	e, _ := newExchange(t, Options{Freeze: true})
	var got []Event // written under the exchange's lock, read after each call returns
	stop := e.SubscribeNow(func(ev Event) { got = append(got, ev) })
	o := place(t, e, broker.OrderRequest{Code: samsung, Side: broker.Buy, Type: broker.Market, Qty: 2})
	if len(got) != 1 || got[0].Kind != EventFill || got[0].Order.ID != o.ID || got[0].Order.FilledQty != 2 || got[0].ExecID != o.ID+"-2" {
		t.Fatalf("events when PlaceOrder returned: %+v", got)
	}
	stop()
	place(t, e, broker.OrderRequest{Code: samsung, Side: broker.Buy, Type: broker.Market, Qty: 1})
	if len(got) != 1 {
		t.Fatalf("an event after stop: %+v", got[1:])
	}
}

// StreamTicks feeds a TickBook from the walk, as a realtime feed would.
func TestStreamTicks(t *testing.T) {
	t.Parallel()
	e, clk := newExchange(t, Options{Seed: 7})
	book := broker.NewTickBook()
	stop := e.StreamTicks(book)
	clk.Advance(time.Minute)
	q := quote(t, e, samsung)
	tk, ok := book.Last(samsung)
	if !ok || tk.Price != q.Price {
		t.Fatalf("tick %+v (%v), quote %d", tk, ok, q.Price)
	}
	stop()
	setPrice(t, e, samsung, q.Price+broker.TickSize(q.Price))
	if tk2, _ := book.Last(samsung); tk2 != tk {
		t.Fatalf("a tick after stop: %+v", tk2)
	}
}

// Stream has kis.Stream's shape: it delivers subscribed codes only,
// stamped on the stream's clock, streams only while Run runs, and reports
// its subscriptions.
func TestStream(t *testing.T) {
	t.Parallel()
	e, clk := newExchange(t, Options{Seed: 7, Freeze: true})
	hoga := clock.NewFake(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)) // not the exchange's clock
	got := make(chan broker.Tick, 16)
	up := make(chan struct{})
	s := e.NewStream(StreamOptions{OnTick: func(t broker.Tick) { got <- t }, OnUp: func() { close(up) }, Clock: hoga})
	s.Subscribe(samsung)
	s.Subscribe("000660")
	s.Unsubscribe("000660")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	<-up
	if !s.Streaming(samsung) || s.Streaming("000660") {
		t.Fatal("Streaming wrong once up")
	}
	clk.Advance(time.Second)
	for _, tc := range []struct {
		code  broker.Code
		price int64
		want  bool
	}{
		{"000660", 1_000_000, false}, // unsubscribed: not delivered
		{samsung, 199_000, true},
		{samsung, 199_100, true},
	} {
		setPrice(t, e, tc.code, tc.price)
		if !tc.want {
			continue
		}
		tk := <-got
		if tk.Code != tc.code || tk.Price != tc.price || !tk.Received.Equal(hoga.Now()) {
			t.Fatalf("tick %+v, want %s at %d received %v", tk, tc.code, tc.price, hoga.Now())
		}
	}
	select {
	case tk := <-got:
		t.Fatalf("unexpected tick %+v", tk)
	default:
	}
	st := s.Status()
	if !st.Connected || len(st.Subscribed) != 1 || st.Subscribed[0] != samsung || !st.LastMsg.Equal(hoga.Now()) {
		t.Fatalf("status %+v", st)
	}
	cancel()
	<-done
	if s.Streaming(samsung) || s.Status().Connected {
		t.Fatal("streaming after Run returned")
	}
}
