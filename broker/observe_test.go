package broker_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

type stubBroker struct {
	err   error
	calls int
}

func (s *stubBroker) Name() string { return "stub" }
func (s *stubBroker) Quote(context.Context, broker.Code) (broker.Quote, error) {
	s.calls++
	return broker.Quote{Price: 70_000}, s.err
}
func (s *stubBroker) PlaceOrder(_ context.Context, r broker.OrderRequest) (broker.Order, error) {
	s.calls++
	return broker.Order{ClientID: r.ClientID}, s.err
}
func (s *stubBroker) CancelOrder(context.Context, broker.CancelRequest) (broker.Order, error) {
	s.calls++
	return broker.Order{}, s.err
}
func (s *stubBroker) OrdersToday(context.Context) ([]broker.Order, error) {
	s.calls++
	return nil, s.err
}
func (s *stubBroker) Balance(context.Context) (broker.Balance, error) {
	s.calls++
	return broker.Balance{}, s.err
}
func (s *stubBroker) NormalizeOrderID(id string) string { return "000" + id }

// TestObserve: every call reaches the broker once and every hook, in
// order, with the call's name and its error unchanged; nil hooks are
// skipped, and with none the broker comes back unwrapped.
func TestObserve(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	sb := &stubBroker{err: boom}
	var seen []string
	hook := func(tag string) broker.Hook {
		return func(_ context.Context, call string, err error, took time.Duration) {
			if err != boom || took < 0 {
				t.Errorf("%s %s: err %v, took %v", tag, call, err, took)
			}
			seen = append(seen, tag+":"+call)
		}
	}
	b := broker.Observe(sb, hook("a"), nil, hook("b"))
	ctx := context.Background()
	if q, err := b.Quote(ctx, "005930"); q.Price != 70_000 || err != boom {
		t.Fatalf("Quote = %v, %v", q, err)
	}
	if o, _ := b.PlaceOrder(ctx, broker.OrderRequest{ClientID: "c1"}); o.ClientID != "c1" {
		t.Fatalf("PlaceOrder result changed: %+v", o)
	}
	b.CancelOrder(ctx, broker.CancelRequest{})
	b.OrdersToday(ctx)
	b.Balance(ctx)
	want := []string{"a:quote", "b:quote", "a:place_order", "b:place_order", "a:cancel_order", "b:cancel_order",
		"a:orders_today", "b:orders_today", "a:balance", "b:balance"}
	if len(seen) != len(want) || sb.calls != 5 {
		t.Fatalf("hooks saw %v (broker calls %d); want %v", seen, sb.calls, want)
	}
	for i := range want {
		if seen[i] != want[i] {
			t.Fatalf("hooks saw %v; want %v", seen, want)
		}
	}
	if b.Name() != "stub" || broker.NormalizeOrderID(b, "12") != "00012" {
		t.Fatalf("Name %q, NormalizeOrderID %q", b.Name(), broker.NormalizeOrderID(b, "12"))
	}
	if got := broker.Observe(sb, nil); got != broker.Broker(sb) {
		t.Fatal("no hooks: the broker should come back unwrapped")
	}
}
