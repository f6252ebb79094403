package broker_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
)

// TestObserve: every call reaches the broker once and every hook, in
// order, with the call's name and its error unchanged, and its answer
// unchanged; nil hooks are skipped, and with none the broker comes back
// unwrapped.
func TestObserve(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	sb := brokertest.NewBroker("stub", nil)
	sb.SetQuote(broker.Quote{Code: "005930", Price: 70_000})
	var seen []string
	var want error // what every call answers this round
	hook := func(tag string) broker.Hook {
		return func(_ context.Context, call string, err error, took time.Duration) {
			if err != want || took < 0 {
				t.Errorf("%s %s: err %v, took %v", tag, call, err, took)
			}
			seen = append(seen, tag+":"+call)
		}
	}
	b := broker.Observe(sb, hook("a"), nil, hook("b"))
	ctx := context.Background()
	// The answers pass through unchanged…
	if q, err := b.Quote(ctx, "005930"); q.Price != 70_000 || err != nil {
		t.Fatalf("Quote = %v, %v", q, err)
	}
	if o, _ := b.PlaceOrder(ctx, broker.OrderRequest{Code: "005930", ClientID: "c1"}); o.ID != "0000000001" {
		t.Fatalf("PlaceOrder result changed: %+v", o)
	}
	// …and so do the errors, to every hook.
	want = boom
	sb.Fail("", boom)
	if _, err := b.Quote(ctx, "005930"); err != boom {
		t.Fatalf("Quote err = %v", err)
	}
	b.PlaceOrder(ctx, broker.OrderRequest{ClientID: "c1"})
	b.CancelOrder(ctx, broker.CancelRequest{})
	b.OrdersToday(ctx)
	b.Balance(ctx)
	wantSeen := []string{"a:quote", "b:quote", "a:place_order", "b:place_order",
		"a:quote", "b:quote", "a:place_order", "b:place_order", "a:cancel_order", "b:cancel_order",
		"a:orders_today", "b:orders_today", "a:balance", "b:balance"}
	if len(seen) != len(wantSeen) || sb.Calls() != 7 {
		t.Fatalf("hooks saw %v (broker calls %d); want %v", seen, sb.Calls(), wantSeen)
	}
	for i := range wantSeen {
		if seen[i] != wantSeen[i] {
			t.Fatalf("hooks saw %v; want %v", seen, wantSeen)
		}
	}
	if b.Name() != "stub" || broker.NormalizeOrderID(b, "12") != "0000000012" {
		t.Fatalf("Name %q, NormalizeOrderID %q", b.Name(), broker.NormalizeOrderID(b, "12"))
	}
	if got := broker.Observe(sb, nil); got != broker.Broker(sb) {
		t.Fatal("no hooks: the broker should come back unwrapped")
	}
}

// TestObserveValueAndError: a call that answers a value and an error
// together (a client that read an answer and still failed; an order that
// reached the broker though its answer was lost) passes both through, and
// the hooks see the error.
func TestObserveValueAndError(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	sb := brokertest.NewBroker("stub", nil)
	sb.SetQuote(broker.Quote{Code: "005930", Price: 70_000})
	sb.SetBalance(broker.Balance{Cash: 5})
	sb.FailAfter("", boom)
	var seen []string
	b := broker.Observe(sb, func(_ context.Context, call string, err error, _ time.Duration) {
		if err != boom {
			t.Errorf("%s: hook saw err %v", call, err)
		}
		seen = append(seen, call)
	})
	ctx := context.Background()
	if q, err := b.Quote(ctx, "005930"); q.Price != 70_000 || err != boom {
		t.Errorf("Quote = %v, %v", q, err)
	}
	if o, err := b.PlaceOrder(ctx, broker.OrderRequest{Code: "005930", ClientID: "c1"}); o.ID != "0000000001" || err != boom {
		t.Errorf("PlaceOrder = %+v, %v", o, err)
	}
	if o, err := b.CancelOrder(ctx, broker.CancelRequest{OrderID: "0000000001"}); o.ID != "0000000001" || err != boom {
		t.Errorf("CancelOrder = %+v, %v", o, err)
	}
	if l, err := b.OrdersToday(ctx); len(l) != 1 || l[0].ID != "0000000001" || err != boom {
		t.Errorf("OrdersToday = %+v, %v", l, err)
	}
	if bal, err := b.Balance(ctx); bal.Cash != 5 || err != boom {
		t.Errorf("Balance = %+v, %v", bal, err)
	}
	if len(seen) != 5 || sb.Calls() != 5 {
		t.Errorf("hooks saw %v, broker calls %d; want one each of 5", seen, sb.Calls())
	}
}
