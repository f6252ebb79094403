// Package pnltest holds the fills tables the P&L tests of pnl, bot and
// bot/httpapi share, so the table worked out by hand in one place is the
// one all three render and check (each had its own copy).
package pnltest

import (
	"context"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// Days is a pnl.Source from a table of fills keyed by KST date
// (2006-01-02), as the journal's FillsOn answers day by day.
type Days map[string][]broker.Fill

// FillsOn returns day's fills from the table.
func (d Days) FillsOn(_ context.Context, day time.Time) ([]broker.Fill, error) {
	return d[day.In(broker.KST()).Format("2006-01-02")], nil
}

// Fill is a fill with the default commission and tax of its amount, as
// the tracker records one; costPrice is the broker's average for a stock
// bought before the period (0: none).
func Fill(side broker.Side, code broker.Code, qty, price, costPrice int64) broker.Fill {
	c, t := broker.DefaultFees.For(side, qty*price)
	return broker.Fill{Code: code, Side: side, Qty: qty, Price: price, Commission: c, Tax: t, CostPrice: costPrice}
}

// HandTable is the table pnl.TestHandComputedTable works out by hand, to
// the won (0.015 % commission, 0.20 % sell tax, each floored), and the
// moment its reports are made (03-11 15:40 KST):
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
func HandTable() (Days, time.Time) {
	return Days{
		"2026-03-09": {Fill(broker.Buy, "005930", 10, 70_000, 0), Fill(broker.Buy, "005930", 10, 72_000, 0)},
		"2026-03-10": {Fill(broker.Sell, "005930", 15, 75_000, 0), Fill(broker.Buy, "005930", 5, 74_000, 0)},
		"2026-03-11": {Fill(broker.Sell, "005930", 10, 70_000, 0), Fill(broker.Sell, "000660", 3, 50_000, 40_000)},
	}, time.Date(2026, 3, 11, 15, 40, 0, 0, broker.KST())
}
