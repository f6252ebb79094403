package pnl

import (
	"context"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// Journal is the order journal's day listing (store.DB).
type Journal interface {
	OrdersOn(ctx context.Context, day time.Time) ([]broker.JournalEntry, error)
}

// Orders is today's orders as the broker reports them (the guarded
// broker: its list carries the filled quantity and average price).
type Orders interface {
	OrdersToday(ctx context.Context) ([]broker.Order, error)
}

// WithOrders is a Source for as long as not every fill reaches the fills
// table (the order tracker writes it): a day with fills in the table is
// read from there; a day without is read from the orders instead — today
// from the broker's list, earlier days from the journal's filled
// quantities — one fill per order at its average price, with fees by
// Fees. When the tracker writes every fill, Fills alone is the Source.
type WithOrders struct {
	Fills   Source
	Journal Journal
	Broker  Orders
	Fees    broker.Fees
	Now     func() time.Time
}

// FillsOn returns day's fills, from the fills table when it has any.
func (w WithOrders) FillsOn(ctx context.Context, day time.Time) ([]broker.Fill, error) {
	fs, err := w.Fills.FillsOn(ctx, day)
	if err != nil || len(fs) > 0 {
		return fs, err
	}
	date := day.In(broker.KST()).Format("2006-01-02")
	var out []broker.Fill
	add := func(id string, code broker.Code, side broker.Side, qty, amount int64, at time.Time) {
		if qty <= 0 || amount <= 0 {
			return
		}
		c, t := w.Fees.For(side, amount)
		out = append(out, broker.Fill{Day: date, OrderID: id, Code: code, Side: side, Qty: qty, Price: amount / qty,
			CumQty: qty, Commission: c, Tax: t, Time: at})
	}
	if w.Broker != nil && w.Now != nil && w.Now().In(broker.KST()).Format("2006-01-02") == date {
		os, err := w.Broker.OrdersToday(ctx)
		if err != nil {
			return nil, err
		}
		for _, o := range os {
			add(o.ID, o.Code, o.Side, o.FilledQty, o.FilledQty*o.AvgFillPrice, o.Time)
		}
	} else if w.Journal != nil {
		es, err := w.Journal.OrdersOn(ctx, day)
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			add(e.BrokerID, e.Code, e.Side, e.FilledQty, e.FillAmount, e.Created)
		}
	}
	// Oldest first, as the fills table gives them: the cost basis depends
	// on the order of buys and sells.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Time.Before(out[j-1].Time); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out, nil
}
