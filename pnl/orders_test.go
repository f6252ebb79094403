package pnl

import (
	"context"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/pnl/pnltest"
)

type journal []broker.JournalEntry

func (j journal) OrdersOn(_ context.Context, day time.Time) ([]broker.JournalEntry, error) {
	var out []broker.JournalEntry
	for _, e := range j {
		if e.Created.In(broker.KST()).Format("2006-01-02") == day.In(broker.KST()).Format("2006-01-02") {
			out = append(out, e)
		}
	}
	return out, nil
}

type todays []broker.Order

func (o todays) OrdersToday(context.Context) ([]broker.Order, error) { return o, nil }

func TestWithOrders(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 11, 15, 40, 0, 0, broker.KST())
	w := WithOrders{
		Fills: pnltest.Days{"2026-03-09": {pnltest.Fill(broker.Buy, "005930", 1, 70_000, 0)}},
		Journal: journal{{Code: "005930", Side: broker.Buy, BrokerID: "2", FilledQty: 10, FillAmount: 700_000, Created: now.Add(-24 * time.Hour)},
			{Code: "005930", Side: broker.Buy, BrokerID: "3", State: broker.StatusRejected}},
		Broker: todays{{ID: "9", Code: "005930", Side: broker.Sell, FilledQty: 10, AvgFillPrice: 75_000, Time: now},
			{ID: "8", Code: "005930", Side: broker.Buy, Qty: 5, Time: now}},
		Fees: broker.DefaultFees,
		Now:  func() time.Time { return now },
	}
	ctx := context.Background()
	day := func(d int) []broker.Fill {
		fs, err := w.FillsOn(ctx, time.Date(2026, 3, d, 12, 0, 0, 0, broker.KST()))
		if err != nil {
			t.Fatal(err)
		}
		return fs
	}
	if fs := day(9); len(fs) != 1 || fs[0].Qty != 1 {
		t.Errorf("the fills table wins: %+v", fs)
	}
	if fs := day(10); len(fs) != 1 || fs[0].Price != 70_000 || fs[0].Commission != 105 || fs[0].OrderID != "2" {
		t.Errorf("journal day: %+v", fs)
	}
	if fs := day(11); len(fs) != 1 || fs[0].Side != broker.Sell || fs[0].Price != 75_000 || fs[0].Tax != 1_500 {
		t.Errorf("today: %+v", fs)
	}
	rep, err := Compute(ctx, w, now, 1)
	if err != nil {
		t.Fatal(err)
	}
	// 750,000 − 10 × 70,000 − 112 − 1,500 (the 03-09 share stays unsold).
	if d := rep.Days[0]; d.Realised != 750_000-10*70_000-112-1_500 {
		t.Errorf("day %+v", d)
	}
}
