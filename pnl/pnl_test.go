package pnl

import (
	"context"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// fills is a Source from a table, keyed by KST date.
type fills map[string][]broker.Fill

func (f fills) FillsOn(_ context.Context, day time.Time) ([]broker.Fill, error) {
	return f[day.In(broker.KST()).Format("2006-01-02")], nil
}

func fill(side broker.Side, code broker.Code, qty, price, costPrice int64) broker.Fill {
	c, t := broker.DefaultFees.For(side, qty*price)
	return broker.Fill{Code: code, Side: side, Qty: qty, Price: price, Commission: c, Tax: t, CostPrice: costPrice}
}

// TestHandComputedTable checks the report against a table worked by hand,
// to the won (0.015 % commission, 0.20 % sell tax, each floored):
//
//	03-09 buy  10 × 70,000 = 700,000   commission 105
//	      buy  10 × 72,000 = 720,000   commission 108          avg 71,000
//	03-10 sell 15 × 75,000 = 1,125,000 commission 168, tax 2,250
//	      cost 1,420,000 × 15/20 = 1,065,000 → realised 57,582
//	      buy   5 × 74,000 = 370,000   commission 55           10 sh, cost 725,000
//	03-11 sell 10 × 70,000 = 700,000   commission 105, tax 1,400
//	      cost 725,000 → realised −26,505
//	      sell  3 × 50,000 of 000660 bought before the period, broker avg 40,000
//	      = 150,000, commission 22, tax 300; cost 120,000 → realised 29,678
func TestHandComputedTable(t *testing.T) {
	t.Parallel()
	src := fills{
		"2026-03-09": {fill(broker.Buy, "005930", 10, 70_000, 0), fill(broker.Buy, "005930", 10, 72_000, 0)},
		"2026-03-10": {fill(broker.Sell, "005930", 15, 75_000, 0), fill(broker.Buy, "005930", 5, 74_000, 0)},
		"2026-03-11": {fill(broker.Sell, "005930", 10, 70_000, 0), fill(broker.Sell, "000660", 3, 50_000, 40_000)},
	}
	end := time.Date(2026, 3, 11, 15, 40, 0, 0, broker.KST())
	rep, err := Compute(context.Background(), src, end, 4)
	if err != nil {
		t.Fatal(err)
	}
	want := []Day{
		{Date: "2026-03-08"},
		{Date: "2026-03-09", Bought: 1_420_000, Fills: 2, Commission: 213, buyCommission: 213},
		{Date: "2026-03-10", Bought: 370_000, Sold: 1_125_000, Fills: 2, Sells: 1, Realised: 57_582, Commission: 223, Tax: 2_250, buyCommission: 55},
		{Date: "2026-03-11", Sold: 850_000, Fills: 2, Sells: 2, Realised: -26_505 + 29_678, Commission: 127, Tax: 1_700},
	}
	if len(rep.Days) != len(want) {
		t.Fatalf("days %+v", rep.Days)
	}
	for i := range want {
		if rep.Days[i] != want[i] {
			t.Errorf("day %d\n got %+v\nwant %+v", i, rep.Days[i], want[i])
		}
	}
	tot := rep.Total()
	if tot.Realised != 60_755 || tot.Commission != 563 || tot.Tax != 3_950 || tot.Net() != 60_755-268 {
		t.Errorf("total %+v net %d", tot, tot.Net())
	}
	if len(rep.Stocks) != 2 || rep.Stocks[0].Code != "005930" || rep.Stocks[0].Realised != 31_077 || rep.Stocks[0].Wins != 1 ||
		rep.Stocks[1].Code != "000660" || rep.Stocks[1].Realised != 29_678 {
		t.Errorf("stocks %+v", rep.Stocks)
	}

	// One day: the buys before it still give the 03-11 sell its cost.
	rep, err = Compute(context.Background(), src, end, 1)
	if err != nil {
		t.Fatal(err)
	}
	if d := rep.Days[0]; d.Realised != 3_173 || d.Unknown != 0 || len(rep.Stocks) != 2 || rep.Stocks[0].Realised != 29_678 {
		t.Errorf("one day %+v %+v", d, rep.Stocks)
	}
	// A sell whose shares were bought before anything hoga has, with no
	// broker cost, is counted as unknown, not as a made-up profit.
	rep, err = Compute(context.Background(), fills{"2026-03-11": {fill(broker.Sell, "035720", 1, 50_000, 0)}}, end, 1)
	if err != nil {
		t.Fatal(err)
	}
	if d := rep.Days[0]; d.Realised != 0 || d.Unknown != 1 {
		t.Errorf("unknown cost %+v", d)
	}
}
