package paper_test

import (
	"context"
	"fmt"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/paper"
	"github.com/hoga-trade/hoga/clock"
)

func Example() {
	ctx := context.Background()
	// A fixed seed and clock make the run repeatable; Freeze holds
	// prices still so that only SetPrice moves them.
	clk := clock.NewFake(time.Date(2026, 11, 25, 10, 0, 0, 0, broker.KST()))
	ex, err := paper.New(paper.Options{Seed: 1, Clock: clk, Freeze: true})
	if err != nil {
		panic(err)
	}
	defer ex.Close()

	q, _ := ex.Quote(ctx, "005930")
	fmt.Printf("%s %d (limits %d–%d, tick %d)\n", q.Name, q.Price, q.LowerLimit, q.UpperLimit, q.Tick)

	o, _ := ex.PlaceOrder(ctx, broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 10, Price: 197_000})
	bal, _ := ex.Balance(ctx)
	fmt.Printf("%s %s; cash %d, orderable %d\n", o.ID, o.Status, bal.Cash, bal.Orderable)

	_ = ex.SetPrice("005930", 196_500) // the price falls through the limit: it fills there
	bal, _ = ex.Balance(ctx)
	p, _ := bal.Position("005930")
	fmt.Printf("holding %d @ %d; cash %d\n", p.Qty, p.AvgPrice, bal.Cash)
	// Output:
	// 삼성전자 198000 (limits 138600–257000, tick 100)
	// P0000001 accepted; cash 10000000, orderable 8029705
	// holding 10 @ 197000; cash 8029705
}
