package paper

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/internal/market"
)

// historyDays is how long finished orders stay in the state file. Open
// orders never last past their day, so only history is pruned.
const historyDays = 90

// order is an order as the exchange keeps it: the market's order (the
// broker.Order plus what the account needs).
type order = market.Order

// position is one holding. Cost is the exact purchase amount of the shares
// held (commission not included, as brokers show 매입금액); the average
// price is derived from it.
type position = market.Position

// fee is amount×ppm/10⁶, rounded down to the won (market.Fee).
func fee(amount, ppm int64) int64 { return market.Fee(amount, ppm) }

// amountOf returns qty×price, or false when it passes maxMoney.
func amountOf(qty, price int64) (int64, bool) { return market.AmountOf(qty, price) }

// domainErr returns the *broker.Error inside a market refusal, so callers
// see exactly the error the exchange always returned.
func domainErr(err error) error {
	var r *market.Reject
	if errors.As(err, &r) {
		return r.Err
	}
	return err
}

// PlaceOrder takes a new order. A market order fills at once at the current
// price; a limit order fills at once if the price is already at or through
// the limit (at the current, better price), else it stays open until the
// walk or SetPrice reaches it — then it fills at its limit, as an order
// resting on a real book does — or until it expires with its day. Fills
// are whole (no partial fills), and there is no call auction: an order in
// the opening or closing auction trades against the last price at once. A
// market buy needs cash for the current price; KIS holds the upper-limit
// price instead, so a buy near the edge of the cash may pass here and fail
// there.
// Errors: Invalid (shape, tick grid), NotFound, MarketClosed (with market
// hours), Rejected (a limit outside the daily price limits),
// InsufficientFunds (cash net of open buys, or shares net of open sells).
func (e *Exchange) PlaceOrder(ctx context.Context, req broker.OrderRequest) (broker.Order, error) {
	if err := ctx.Err(); err != nil {
		return broker.Order{}, fmt.Errorf("paper: place order: %w", err)
	}
	if err := req.Validate(); err != nil {
		return broker.Order{}, err
	}
	if _, ok := e.m.Lookup(req.Code); !ok {
		return broker.Order{}, notFound(req.Code)
	}
	if req.Type == broker.Limit {
		if err := broker.CheckTick(req.Price); err != nil {
			return broker.Order{}, err
		}
	}

	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return broker.Order{}, errClosed
	}
	now := e.clk.Now().In(broker.KST())
	events := e.advanceLocked(now)
	o, err := e.placeLocked(now, req)
	var snap *snapshot
	if err == nil || events > 0 {
		snap = e.snapshotLocked()
	}
	e.mu.Unlock()
	e.save(snap)
	if err != nil {
		return broker.Order{}, err
	}
	return o, nil
}

func (e *Exchange) placeLocked(now time.Time, req broker.OrderRequest) (broker.Order, error) {
	if e.marketHours {
		if err := e.cal.CheckOrderTime(now); err != nil {
			return broker.Order{}, err
		}
	}
	o, err := e.m.Place(now, req)
	if err != nil {
		return broker.Order{}, domainErr(err)
	}
	return o.Order, nil
}

// CancelOrder cancels an open order in full and releases what it reserved.
// The returned order is the cancelled one. Errors: NotFound (no such
// order), Rejected (already filled, cancelled or expired), MarketClosed
// (with market hours).
func (e *Exchange) CancelOrder(ctx context.Context, req broker.CancelRequest) (broker.Order, error) {
	if err := ctx.Err(); err != nil {
		return broker.Order{}, fmt.Errorf("paper: cancel order: %w", err)
	}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return broker.Order{}, errClosed
	}
	now := e.clk.Now()
	events := e.advanceLocked(now)
	o, err := e.cancelLocked(now, req.OrderID)
	var snap *snapshot
	if err == nil || events > 0 {
		snap = e.snapshotLocked()
	}
	e.mu.Unlock()
	e.save(snap)
	return o, err
}

func (e *Exchange) cancelLocked(now time.Time, id string) (broker.Order, error) {
	if e.marketHours {
		if err := e.cal.CheckOrderTime(now); err != nil {
			return broker.Order{}, err
		}
	}
	o, err := e.m.Cancel(now, id, 0)
	if err != nil {
		return broker.Order{}, domainErr(err)
	}
	return o.Order, nil
}

// OrdersToday lists the orders placed on the current KST date, oldest
// first. Older orders stay in the state file's history.
func (e *Exchange) OrdersToday(ctx context.Context) ([]broker.Order, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("paper: orders: %w", err)
	}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil, errClosed
	}
	now := e.clk.Now()
	var snap *snapshot
	if e.advanceLocked(now) > 0 {
		snap = e.snapshotLocked()
	}
	k := now.In(broker.KST())
	y, m, d := k.Date()
	out := []broker.Order{}
	for _, o := range e.m.Orders {
		oy, om, od := o.Time.In(broker.KST()).Date()
		if oy == y && om == m && od == d {
			out = append(out, o.Order)
		}
	}
	e.mu.Unlock()
	e.save(snap)
	return out, nil
}

// Balance returns the cash and the holdings valued at current prices.
// Orderable is the cash net of what open buys reserve; Sellable is the
// holding net of open sells. AvgPrice is the purchase amount over the
// quantity rounded to the won, without commission.
func (e *Exchange) Balance(ctx context.Context) (broker.Balance, error) {
	if err := ctx.Err(); err != nil {
		return broker.Balance{}, fmt.Errorf("paper: balance: %w", err)
	}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return broker.Balance{}, errClosed
	}
	var snap *snapshot
	if e.advanceLocked(e.clk.Now()) > 0 {
		snap = e.snapshotLocked()
	}
	m := e.m
	bal := broker.Balance{Cash: m.Cash, Orderable: m.Orderable(), Positions: []broker.Position{}}
	for i, l := range listings {
		p := m.Positions[l.Code]
		if p == nil || p.Qty == 0 {
			continue
		}
		_, sellable := m.Held(l.Code)
		price := m.Books[i].Price
		pos := broker.Position{
			Code:     l.Code,
			Name:     l.Name,
			Qty:      p.Qty,
			Sellable: sellable,
			AvgPrice: p.AvgPrice(),
			Price:    price,
			Cost:     p.Cost,
			Value:    p.Qty * price,
		}
		pos.PnL = pos.Value - pos.Cost
		if pos.Cost > 0 {
			pos.PnLPct = float64(pos.PnL) / float64(pos.Cost) * 100
		}
		bal.Positions = append(bal.Positions, pos)
		bal.StockValue += pos.Value
		bal.Cost += pos.Cost
	}
	e.mu.Unlock()
	e.save(snap)
	bal.Total = bal.Cash + bal.StockValue
	bal.PnL = bal.StockValue - bal.Cost
	return bal, nil
}
