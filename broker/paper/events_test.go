package paper

import (
	"context"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
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
