// Package brokertest holds what tests need to trust a Broker: fake KIS and
// Kiwoom servers that speak the real wire format and keep the real rules,
// and a conformance suite every broker.Broker implementation must pass.
// Both fakes trade on broker/internal/market, the paper exchange's
// simulated market (sim.go): the same limits, matching and ledger, with
// controls to move prices now or at a time on the fake's clock, fill an
// order in part, and run the market on the clock in the background.
package brokertest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// Conformance runs the behaviour every broker.Broker must show, whatever is
// behind it. newBroker returns a fresh broker (and its fresh fake, if any)
// for each subtest, with these facts true at the fake:
//   - 005930 (삼성전자) is listed and priced between 10,000 and 500,000 won,
//     and its price does not move during a subtest;
//   - 999999 is not listed;
//   - the account holds no 005930 shares and at least 5,000,000 won of cash,
//     and less than 100,000,000,000 won;
//   - orders are accepted at any hour (no session check at the fake).
func Conformance(t *testing.T, newBroker func(t *testing.T) broker.Broker) {
	t.Helper()
	ctx := context.Background()
	const code = broker.Code("005930")

	t.Run("quote_known_code", func(t *testing.T) {
		b := newBroker(t)
		q, err := b.Quote(ctx, code)
		if err != nil {
			t.Fatalf("Quote: %v", err)
		}
		if q.Code != code || q.Price < 10_000 || q.Price > 500_000 {
			t.Fatalf("Quote = %+v; want code %s priced 10,000–500,000", q, code)
		}
		if !broker.OnTick(q.Price) {
			t.Errorf("price %d is off the tick grid", q.Price)
		}
		if q.Name == "" {
			t.Errorf("quote has no name")
		}
		if q.Sign.Direction() != sign(q.Change) {
			t.Errorf("sign %d disagrees with change %d", q.Sign, q.Change)
		}
	})

	t.Run("quote_unknown_code", func(t *testing.T) {
		b := newBroker(t)
		_, err := b.Quote(ctx, "999999")
		if k := broker.KindOf(err); k != broker.NotFound {
			t.Fatalf("Quote(999999) kind = %v (%v); want not_found", k, err)
		}
	})

	t.Run("limit_order_open_then_cancel", func(t *testing.T) {
		b := newBroker(t)
		q := mustQuote(t, b, code)
		price := broker.SnapDown(q.Price * 8 / 10) // far below: stays open
		o, err := b.PlaceOrder(ctx, broker.OrderRequest{Code: code, Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: price, ClientID: "conf-1"})
		if err != nil {
			t.Fatalf("PlaceOrder: %v", err)
		}
		if o.ID == "" || !o.Status.Open() {
			t.Fatalf("order = %+v; want an ID and an open status", o)
		}
		got := findOrder(t, b, o.ID)
		if got.Code != code || got.Side != broker.Buy || got.Qty != 1 || got.Price != price || !got.Status.Open() {
			t.Fatalf("OrdersToday has %+v; want open buy 1 @ %d", got, price)
		}
		c, err := b.CancelOrder(ctx, broker.CancelRequest{OrderID: o.ID, Branch: o.Branch, Code: code, Type: broker.Limit})
		if err != nil {
			t.Fatalf("CancelOrder: %v", err)
		}
		if c.ID == "" {
			t.Errorf("cancel returned no order number")
		}
		if got := findOrder(t, b, o.ID); got.Status != broker.StatusCancelled {
			t.Fatalf("after cancel status = %s; want cancelled", got.Status)
		}
	})

	t.Run("market_buy_then_sell", func(t *testing.T) {
		b := newBroker(t)
		before := mustBalance(t, b)
		if _, held := before.Position(code); held {
			t.Fatalf("account already holds %s", code)
		}
		o, err := b.PlaceOrder(ctx, broker.OrderRequest{Code: code, Side: broker.Buy, Type: broker.Market, Qty: 3, ClientID: "conf-2"})
		if err != nil {
			t.Fatalf("market buy: %v", err)
		}
		if got := findOrder(t, b, o.ID); got.Status != broker.StatusFilled || got.FilledQty != 3 || got.AvgFillPrice <= 0 {
			t.Fatalf("market buy in OrdersToday = %+v; want filled 3", got)
		}
		after := mustBalance(t, b)
		p, ok := after.Position(code)
		if !ok || p.Qty != 3 || p.AvgPrice <= 0 {
			t.Fatalf("position after buy = %+v (held %v); want 3 shares", p, ok)
		}
		if after.Cash >= before.Cash {
			t.Errorf("cash %d not below %d after a buy", after.Cash, before.Cash)
		}
		if _, err := b.PlaceOrder(ctx, broker.OrderRequest{Code: code, Side: broker.Sell, Type: broker.Market, Qty: 3, ClientID: "conf-3"}); err != nil {
			t.Fatalf("market sell: %v", err)
		}
		final := mustBalance(t, b)
		if p, ok := final.Position(code); ok && p.Qty != 0 {
			t.Fatalf("position after sell = %+v; want none", p)
		}
	})

	t.Run("off_tick_limit_price", func(t *testing.T) {
		b := newBroker(t)
		q := mustQuote(t, b, code)
		price := broker.SnapDown(q.Price*9/10) + 1
		_, err := b.PlaceOrder(ctx, broker.OrderRequest{Code: code, Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: price, ClientID: "conf-4"})
		if k := broker.KindOf(err); k != broker.Invalid {
			t.Fatalf("off-tick price %d: kind = %v (%v); want invalid", price, k, err)
		}
	})

	t.Run("insufficient_funds", func(t *testing.T) {
		b := newBroker(t)
		q := mustQuote(t, b, code)
		qty := 100_000_000_000/q.Price + 1
		_, err := b.PlaceOrder(ctx, broker.OrderRequest{Code: code, Side: broker.Buy, Type: broker.Limit, Qty: qty, Price: q.Price, ClientID: "conf-5"})
		if k := broker.KindOf(err); k != broker.InsufficientFunds {
			t.Fatalf("buy %d shares: kind = %v (%v); want insufficient_funds", qty, k, err)
		}
	})

	t.Run("sell_more_than_held", func(t *testing.T) {
		b := newBroker(t)
		_, err := b.PlaceOrder(ctx, broker.OrderRequest{Code: code, Side: broker.Sell, Type: broker.Market, Qty: 1, ClientID: "conf-6"})
		if k := broker.KindOf(err); k != broker.InsufficientFunds && k != broker.Rejected {
			t.Fatalf("sell without shares: kind = %v (%v); want insufficient_funds or rejected", k, err)
		}
	})

	t.Run("cancel_unknown_order", func(t *testing.T) {
		b := newBroker(t)
		_, err := b.CancelOrder(ctx, broker.CancelRequest{OrderID: "9999999", Branch: "00000", Code: code, Type: broker.Limit})
		if k := broker.KindOf(err); k != broker.NotFound && k != broker.Rejected {
			t.Fatalf("cancel unknown: kind = %v (%v); want not_found or rejected", k, err)
		}
	})

	t.Run("context_cancelled", func(t *testing.T) {
		b := newBroker(t)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err := b.Quote(cctx, code)
		if err == nil {
			t.Fatal("Quote with a cancelled context succeeded")
		}
		if !errors.Is(err, context.Canceled) && broker.KindOf(err) == broker.Internal {
			t.Fatalf("cancelled Quote error = %v; want context.Canceled or a classified error", err)
		}
	})

	t.Run("concurrent_quotes", func(t *testing.T) {
		b := newBroker(t)
		errs := make(chan error, 8)
		for i := 0; i < 8; i++ {
			go func() { _, err := b.Quote(ctx, code); errs <- err }()
		}
		deadline := time.After(30 * time.Second)
		for i := 0; i < 8; i++ {
			select {
			case err := <-errs:
				if err != nil {
					t.Errorf("concurrent Quote: %v", err)
				}
			case <-deadline:
				t.Fatal("concurrent quotes did not finish")
			}
		}
	})
}

func sign(n int64) int {
	switch {
	case n > 0:
		return 1
	case n < 0:
		return -1
	}
	return 0
}

func mustQuote(t *testing.T, b broker.Broker, code broker.Code) broker.Quote {
	t.Helper()
	q, err := b.Quote(context.Background(), code)
	if err != nil {
		t.Fatalf("Quote(%s): %v", code, err)
	}
	return q
}

func mustBalance(t *testing.T, b broker.Broker) broker.Balance {
	t.Helper()
	bal, err := b.Balance(context.Background())
	if err != nil {
		t.Fatalf("Balance: %v", err)
	}
	return bal
}

func findOrder(t *testing.T, b broker.Broker, id string) broker.Order {
	t.Helper()
	orders, err := b.OrdersToday(context.Background())
	if err != nil {
		t.Fatalf("OrdersToday: %v", err)
	}
	for _, o := range orders {
		if o.ID == id {
			return o
		}
	}
	t.Fatalf("order %s not in OrdersToday (%d orders)", id, len(orders))
	return broker.Order{}
}
