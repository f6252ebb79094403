// Package pnl computes profit and loss from the journal's fills: realised
// per sell, by day and by stock, with fees and tax, as /profit, /daily and
// /performance show it.
//
// Cost basis is the moving average cost (이동평균법), not FIFO: it is the
// Korean brokers' convention — the average purchase price KIS
// (pchs_avg_pric) and Kiwoom (pur_pric) show in the balance and use for
// their realised P&L screens is a moving average — so hoga's numbers agree
// with the owner's HTS. A sell's cost is the average cost of the shares
// held before it, times the shares sold; buys after it do not change it.
package pnl

import (
	"context"
	"sort"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// Source reads the fills of one KST day, oldest first (store.DB through
// broker.FillJournal; the order tracker writes them).
type Source interface {
	FillsOn(ctx context.Context, day time.Time) ([]broker.Fill, error)
}

// Day is one KST day's trading.
type Day struct {
	Date string // YYYY-MM-DD, KST
	// Bought and Sold are the day's buy and sell amounts in won.
	Bought, Sold int64
	// Fills counts the day's fills; Sells the sells among them.
	Fills, Sells int
	// Realised is the sells' profit: proceeds − average cost − the sell's
	// commission and tax. Unknown counts sells whose cost hoga cannot
	// know (shares bought before the fills it has, and no cost from the
	// broker); they are left out of Realised.
	Realised int64
	Unknown  int
	// Commission (both sides) and Tax (sells) of the day.
	Commission, Tax int64

	buyCommission int64
}

// Net is the day's realised profit less the commission on its buys (the
// sells' own fees are already inside Realised).
func (d Day) Net() int64 { return d.Realised - d.buyCommission }

// Stock is one stock's trading over a period, for /performance.
type Stock struct {
	Code         broker.Code
	Bought, Sold int64
	Sells        int
	Realised     int64
	Wins         int // sells with a positive realised profit
	Commission   int64
	Tax          int64
}

// Report is the P&L of a period: the days, oldest first, and the stocks.
type Report struct {
	Days   []Day
	Stocks []Stock
}

// Total sums the days.
func (r Report) Total() Day {
	var t Day
	for _, d := range r.Days {
		t.Bought += d.Bought
		t.Sold += d.Sold
		t.Fills += d.Fills
		t.Sells += d.Sells
		t.Realised += d.Realised
		t.Unknown += d.Unknown
		t.Commission += d.Commission
		t.Tax += d.Tax
		t.buyCommission += d.buyCommission
	}
	return t
}

type holding struct{ qty, cost int64 }

// CostLookback is how many days before a report's period are read for
// the cost of the shares its sells sold: a /daily 1 must not forget what
// yesterday's buys cost. Older buys rely on the broker's average price
// the sell fill carries (CostPrice).
const CostLookback = 60

// Compute reports the n KST days ending on end's date. Every sell is
// priced at the moving average cost of the buys before it (read back
// CostLookback days before the period), or, for shares bought earlier
// still, at the broker's average price the fill carries (CostPrice).
func Compute(ctx context.Context, src Source, end time.Time, n int) (Report, error) {
	if n < 1 {
		n = 1
	}
	end = end.In(broker.KST())
	first := time.Date(end.Year(), end.Month(), end.Day(), 12, 0, 0, 0, broker.KST()).AddDate(0, 0, -(n - 1 + CostLookback))
	book := map[broker.Code]*holding{}
	stocks := map[broker.Code]*Stock{}
	var rep Report
	for i := range n + CostLookback {
		day := first.AddDate(0, 0, i)
		fills, err := src.FillsOn(ctx, day)
		if err != nil {
			return Report{}, err
		}
		d := Day{Date: day.Format("2006-01-02")}
		for _, f := range fills {
			h := book[f.Code]
			if h == nil {
				h = &holding{}
				book[f.Code] = h
			}
			s := &Stock{} // before the period: counted nowhere
			if i >= CostLookback {
				if s = stocks[f.Code]; s == nil {
					s = &Stock{Code: f.Code}
					stocks[f.Code] = s
				}
			}
			d.Fills++
			d.Commission += f.Commission
			d.Tax += f.Tax
			s.Commission += f.Commission
			s.Tax += f.Tax
			if f.Side == broker.Buy {
				d.Bought += f.Amount()
				s.Bought += f.Amount()
				d.buyCommission += f.Commission
				h.qty += f.Qty
				h.cost += f.Amount()
				continue
			}
			d.Sold += f.Amount()
			s.Sold += f.Amount()
			d.Sells++
			s.Sells++
			var cost int64
			switch {
			case h.qty >= f.Qty:
				cost = h.cost * f.Qty / h.qty // exact share of the average cost, floored
				h.cost -= cost
				h.qty -= f.Qty
			case f.CostPrice > 0:
				cost = f.CostPrice * f.Qty
				h.qty, h.cost = 0, 0
			default:
				d.Unknown++
				h.qty, h.cost = 0, 0
				continue
			}
			won := f.Amount() - cost - f.Commission - f.Tax
			d.Realised += won
			s.Realised += won
			if won > 0 {
				s.Wins++
			}
		}
		if i < CostLookback {
			continue // read for the cost basis only
		}
		rep.Days = append(rep.Days, d)
	}
	for _, s := range stocks {
		rep.Stocks = append(rep.Stocks, *s)
	}
	sort.Slice(rep.Stocks, func(i, j int) bool {
		if rep.Stocks[i].Realised != rep.Stocks[j].Realised {
			return rep.Stocks[i].Realised > rep.Stocks[j].Realised
		}
		return rep.Stocks[i].Code < rep.Stocks[j].Code
	})
	return rep, nil
}
