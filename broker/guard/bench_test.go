package guard

import (
	"context"
	"testing"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/paper"
	"github.com/hoga-trade/hoga/store"
)

// BenchmarkPlaceOrder is the whole guarded path of one order against the
// paper exchange: checks, the write-ahead journal row (a durable SQLite
// commit), the broker call and the journal update. It is what every
// command, HTTP POST and strategy fire pays on top of the broker's own
// latency (50–500 ms for a real broker).
func BenchmarkPlaceOrder(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	db, err := store.Open(ctx, store.Options{Dir: dir})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ex, err := paper.New(paper.Options{Cash: 1 << 50, Freeze: true, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer ex.Close()
	g, err := New(Options{Broker: ex, Journal: db, MaxOrderKRW: -1, MaxDailyOrders: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer g.Close()
	q, err := ex.Quote(ctx, "005930")
	if err != nil {
		b.Fatal(err)
	}
	req := broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: broker.SnapDown(q.LowerLimit + q.Tick), Source: "bench"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := g.PlaceOrder(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}
