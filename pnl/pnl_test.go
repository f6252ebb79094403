package pnl

import (
	"context"
	"testing"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/pnl/pnltest"
)

// TestHandComputedTable checks the report against the table worked by
// hand in pnltest.HandTable (its doc shows the working), to the won.
func TestHandComputedTable(t *testing.T) {
	t.Parallel()
	src, end := pnltest.HandTable()
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
	rep, err = Compute(context.Background(), pnltest.Days{"2026-03-11": {pnltest.Fill(broker.Sell, "035720", 1, 50_000, 0)}}, end, 1)
	if err != nil {
		t.Fatal(err)
	}
	if d := rep.Days[0]; d.Realised != 0 || d.Unknown != 1 {
		t.Errorf("unknown cost %+v", d)
	}
}
