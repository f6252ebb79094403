package brokertest

import (
	"context"
	"errors"
	"sort"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

var _ broker.FillJournal = (*Journal)(nil)

// InsertFill stores f once, with the SQLite store's rules: the same (day,
// order, cumulative quantity) or the same non-empty execution number on
// that day is a duplicate (inserted false); a new fill brings the order's
// row up to date (sums; accepted → partial → filled).
func (j *Journal) InsertFill(_ context.Context, f broker.Fill) (bool, error) {
	if f.Day == "" || f.OrderID == "" || f.Qty <= 0 || f.Price <= 0 || f.CumQty < f.Qty || f.Time.IsZero() {
		return false, errors.New("journal: fill lacks a day, order, quantity, price, cumulative quantity or time")
	}
	if f.Seen.IsZero() {
		f.Seen = j.clk.Now()
	}
	f.Time, f.Seen = stored(f.Time), stored(f.Seen)
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, g := range j.fills {
		if g.Day == f.Day && (g.OrderID == f.OrderID && g.CumQty == f.CumQty || f.ExecID != "" && g.ExecID == f.ExecID) {
			return false, nil
		}
	}
	row := -1
	for i := len(j.orders) - 1; i >= 0; i-- {
		e := j.orders[i]
		if f.ClientID != "" && e.ClientID == f.ClientID || f.ClientID == "" && e.BrokerID == f.OrderID && broker.Day(e.Created) == f.Day {
			row = i
			break
		}
	}
	if row >= 0 {
		f.ClientID = j.orders[row].ClientID
	}
	j.fills = append(j.fills, f)
	j.writes++
	if row < 0 {
		return true, nil
	}
	e := &j.orders[row]
	e.FilledQty, e.FillAmount = 0, 0
	for _, g := range j.fills {
		if g.Day == f.Day && g.OrderID == f.OrderID {
			e.FilledQty = max(e.FilledQty, g.CumQty)
			e.FillAmount += g.Qty * g.Price
		}
	}
	switch {
	case e.FilledQty >= e.Qty && (e.State == broker.StatusAccepted || e.State == broker.StatusPartial || e.State == broker.StatusCancelled):
		e.State = broker.StatusFilled
	case e.State == broker.StatusAccepted:
		e.State = broker.StatusPartial
	}
	e.Updated = f.Seen
	return true, nil
}

// FillsOn lists day's fills, oldest first.
func (j *Journal) FillsOn(_ context.Context, day time.Time) ([]broker.Fill, error) {
	d := broker.Day(day)
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []broker.Fill
	for _, f := range j.fills {
		if f.Day == d {
			out = append(out, f)
		}
	}
	return out, nil
}

// FillsForOrder lists one order's fills by cumulative quantity.
func (j *Journal) FillsForOrder(_ context.Context, day time.Time, orderID string) ([]broker.Fill, error) {
	d := broker.Day(day)
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []broker.Fill
	for _, f := range j.fills {
		if f.Day == d && f.OrderID == orderID {
			out = append(out, f)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].CumQty < out[b].CumQty })
	return out, nil
}
