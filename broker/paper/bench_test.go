package paper

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// BenchmarkQuote is the common case: the walk is up to date.
func BenchmarkQuote(b *testing.B) {
	e, _ := newExchange(b, Options{})
	ctx := context.Background()
	for b.Loop() {
		if _, err := e.Quote(ctx, samsung); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQuoteWithStep runs one step of the walk (all listings, one open
// order checked) per quote, as at the default 1s tick when quoted every
// second.
func BenchmarkQuoteWithStep(b *testing.B) {
	e, fake := newExchange(b, Options{Tick: time.Nanosecond})
	ctx := context.Background()
	place(b, e, broker.OrderRequest{Code: samsung, Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 150_000})
	now := fake.Now()
	for b.Loop() {
		now = now.Add(time.Nanosecond)
		e.mu.Lock()
		e.advanceLocked(now)
		e.mu.Unlock()
		if _, err := e.Quote(ctx, samsung); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkQuoteParallel(b *testing.B) {
	e, _ := newExchange(b, Options{})
	ctx := context.Background()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := e.Quote(ctx, samsung); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// Many goroutines trade, cancel and look at once while the clock runs;
// the books balance at the end (run with -race).
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	e, fake := newExchange(t, Options{Seed: 13, DataDir: t.TempDir()})
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			code := listings[g%len(listings)].Code
			var ids []string
			for i := range 60 {
				q, err := e.Quote(ctx, code)
				if err != nil {
					t.Error(err)
					return
				}
				switch i % 4 {
				case 0:
					_, _ = e.PlaceOrder(ctx, broker.OrderRequest{Code: code, Side: broker.Buy, Type: broker.Market, Qty: 1})
				case 1:
					o, err := e.PlaceOrder(ctx, broker.OrderRequest{Code: code, Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: broker.SnapDown(q.Price - q.Price/500)})
					if err == nil {
						ids = append(ids, o.ID)
					}
				case 2:
					_, _ = e.PlaceOrder(ctx, broker.OrderRequest{Code: code, Side: broker.Sell, Type: broker.Limit, Qty: 1, Price: broker.SnapUp(q.Price + q.Price/500)})
				case 3:
					if len(ids) > 0 {
						_, _ = e.CancelOrder(ctx, broker.CancelRequest{OrderID: ids[0]})
						ids = ids[1:]
					}
					if _, err := e.Balance(ctx); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Go(func() {
		for range 300 {
			fake.Advance(time.Second)
		}
	})
	wg.Wait()
	checkLedger(t, e)
	orders, err := e.OrdersToday(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range orders {
		if i > 0 && orders[i-1].ID >= o.ID {
			t.Fatalf("orders out of order: %s then %s", orders[i-1].ID, o.ID)
		}
	}
}
