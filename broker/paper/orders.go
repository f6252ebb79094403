package paper

import (
	"context"
	"fmt"
	"math/bits"
	"slices"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// historyDays is how long finished orders stay in the state file. Open
// orders never last past their day, so only history is pruned.
const historyDays = 90

// order is an order as the exchange keeps it: the broker.Order plus what
// the account needs.
type order struct {
	broker.Order
	ExpireAt   time.Time // when an open order lapses (day order)
	FillTime   time.Time // when it filled
	Commission int64     // paid on the fill
	Tax        int64     // paid on the fill (sells)
}

// position is one holding. Cost is the exact purchase amount of the shares
// held (commission not included, as brokers show 매입금액); the average
// price is derived from it.
type position struct {
	Qty  int64
	Cost int64
}

// mulDiv returns a×b/c rounded down, for non-negative a, b and positive c
// with b ≤ c or a×b/c < 2⁶³, without overflowing in between.
func mulDiv(a, b, c int64) int64 {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	q, _ := bits.Div64(hi, lo, uint64(c))
	return int64(q)
}

// fee is amount×ppm/10⁶, rounded down to the won as brokers and the tax
// office do (원 미만 절사).
func fee(amount, ppm int64) int64 { return mulDiv(amount, ppm, ppmScale) }

// amountOf returns qty×price, or false when it passes maxMoney.
func amountOf(qty, price int64) (int64, bool) {
	if price <= 0 || qty > maxMoney/price {
		return 0, false
	}
	return qty * price, true
}

// reservedLocked is the cash held for all open buys, and the shares held
// for open sells and pending in open buys of code ("" for the cash only).
func (e *Exchange) reservedLocked(code broker.Code) (cash, selling, buying int64) {
	for _, o := range e.open {
		switch o.Side {
		case broker.Buy:
			cash += e.buyReservation(o.Qty, o.Price)
			if o.Code == code {
				buying += o.Qty
			}
		case broker.Sell:
			if o.Code == code {
				selling += o.Qty
			}
		}
	}
	return cash, selling, buying
}

// buyReservation is what a limit buy holds: its amount at the limit price
// plus the commission on it. The fill can only cost less.
func (e *Exchange) buyReservation(qty, price int64) int64 {
	a := qty * price
	return a + fee(a, e.commission)
}

// PlaceOrder takes a new order. A market order fills at once at the current
// price; a limit order fills at once if the price is already at or through
// the limit (at the current, better price), else it stays open until the
// walk or SetPrice crosses it, or until it expires with its day. Fills are
// whole (no partial fills), and there is no call auction: an order in the
// opening or closing auction trades against the last price at once. A
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
	i, ok := e.index[req.Code]
	if !ok {
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
	o, err := e.placeLocked(now, i, req)
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

func (e *Exchange) placeLocked(now time.Time, i int, req broker.OrderRequest) (broker.Order, error) {
	if e.marketHours {
		if err := e.cal.CheckOrderTime(now); err != nil {
			return broker.Order{}, err
		}
	}
	b := &e.books[i]
	if req.Type == broker.Limit && (req.Price > b.upper || req.Price < b.lower) {
		return broker.Order{}, &broker.Error{Kind: broker.Rejected, Code: "paper", Msg: fmt.Sprintf(
			"limit price %d is outside today's price limits %d–%d", req.Price, b.lower, b.upper)}
	}
	// The price the order is checked against: the limit, or for a market
	// order the current price it will fill at.
	px := req.Price
	if req.Type == broker.Market {
		px = b.Price
	}
	amount, ok := amountOf(req.Qty, px)
	if !ok {
		return broker.Order{}, &broker.Error{Kind: broker.InsufficientFunds, Code: "paper", Msg: fmt.Sprintf(
			"%d shares at %d won is more than any account could pay", req.Qty, px)}
	}
	resCash, resShares, buying := e.reservedLocked(req.Code)
	var held int64
	if p := e.positions[req.Code]; p != nil {
		held = p.Qty
	}
	switch req.Side {
	case broker.Buy:
		if req.Qty > maxQty-held-buying {
			return broker.Order{}, &broker.Error{Kind: broker.Rejected, Code: "paper", Msg: fmt.Sprintf(
				"a holding of more than %d shares is not simulated", maxQty)}
		}
		need := amount + fee(amount, e.commission)
		if avail := e.cash - resCash; need > avail {
			return broker.Order{}, &broker.Error{Kind: broker.InsufficientFunds, Code: "paper", Msg: fmt.Sprintf(
				"not enough cash: the order needs %d won with commission, %d won is orderable", need, avail)}
		}
	case broker.Sell:
		if avail := held - resShares; req.Qty > avail {
			return broker.Order{}, &broker.Error{Kind: broker.InsufficientFunds, Code: "paper", Msg: fmt.Sprintf(
				"not enough shares: selling %d of %s, %d sellable (%d held, %d in open sells)",
				req.Qty, req.Code, avail, held, resShares)}
		}
	}

	o := &order{Order: broker.Order{
		ID:       fmt.Sprintf("P%07d", e.nextID),
		Code:     req.Code,
		Name:     listings[i].name,
		Side:     req.Side,
		Type:     req.Type,
		Qty:      req.Qty,
		Price:    req.Price,
		Status:   broker.StatusAccepted,
		Time:     now,
		ClientID: req.ClientID,
		Source:   req.Source,
		User:     req.User,
	}, ExpireAt: e.expiryFor(now)}
	e.nextID++
	e.orders = append(e.orders, o)
	e.byID[o.ID] = o
	if crosses(o, b.Price) {
		e.fillLocked(o, b, now)
	} else {
		e.open = append(e.open, o)
	}
	e.log.Debug("paper order", "id", o.ID, "code", o.Code, "side", o.Side, "type", o.Type,
		"qty", o.Qty, "price", o.Price, "status", o.Status)
	return o.Order, nil
}

// crosses reports whether o trades at price: a market order always, a
// limit buy at or below its limit, a limit sell at or above it.
func crosses(o *order, price int64) bool {
	switch {
	case o.Type == broker.Market:
		return true
	case o.Side == broker.Buy:
		return price <= o.Price
	default:
		return price >= o.Price
	}
}

// fillLocked fills o in full at the book's price, which for a limit order
// is its limit or better. o must not be in e.open.
func (e *Exchange) fillLocked(o *order, b *book, ts time.Time) {
	price := b.Price
	amount := o.Qty * price // checked against maxMoney when placed (buys) or bounded by the holding (sells)
	comm := fee(amount, e.commission)
	p := e.positions[o.Code]
	switch o.Side {
	case broker.Buy:
		if p == nil {
			p = &position{}
			e.positions[o.Code] = p
		}
		p.Qty += o.Qty
		p.Cost += amount
		e.cash -= amount + comm
	case broker.Sell:
		tax := fee(amount, e.sellTax)
		cost := mulDiv(p.Cost, o.Qty, p.Qty)
		p.Qty -= o.Qty
		p.Cost -= cost
		if p.Qty == 0 {
			delete(e.positions, o.Code)
		}
		e.cash += amount - comm - tax
		e.realized += amount - cost
		e.paidTax += tax
		o.Tax = tax
	}
	e.paidComm += comm
	o.Commission = comm
	o.FilledQty = o.Qty
	o.AvgFillPrice = price
	o.Status = broker.StatusFilled
	o.FillTime = ts
	b.Volume += o.Qty
	e.log.Info("paper fill", "id", o.ID, "code", o.Code, "side", o.Side, "qty", o.Qty, "price", price,
		"commission", comm, "tax", o.Tax)
}

// matchLocked fills every open order the current prices cross and returns
// how many filled.
func (e *Exchange) matchLocked(ts time.Time) int {
	n := 0
	kept := e.open[:0]
	for _, o := range e.open {
		b := &e.books[e.index[o.Code]]
		if crosses(o, b.Price) {
			e.fillLocked(o, b, ts)
			n++
			continue
		}
		kept = append(kept, o)
	}
	clear(e.open[len(kept):])
	e.open = kept
	return n
}

// expireLocked cancels open orders whose day has ended and returns how
// many it cancelled.
func (e *Exchange) expireLocked(ts time.Time) int {
	n := 0
	kept := e.open[:0]
	for _, o := range e.open {
		if !ts.Before(o.ExpireAt) {
			o.Status = broker.StatusCancelled
			o.Note = "expired unfilled at the end of its day"
			n++
			e.log.Info("paper order expired", "id", o.ID, "code", o.Code)
			continue
		}
		kept = append(kept, o)
	}
	clear(e.open[len(kept):])
	e.open = kept
	return n
}

// pruneLocked drops finished orders older than historyDays.
func (e *Exchange) pruneLocked(ts time.Time) {
	cut := ts.AddDate(0, 0, -historyDays)
	kept := e.orders[:0]
	for _, o := range e.orders {
		if o.Status.Final() && o.Time.Before(cut) {
			delete(e.byID, o.ID)
			continue
		}
		kept = append(kept, o)
	}
	clear(e.orders[len(kept):])
	e.orders = kept
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
	o, ok := e.byID[id]
	if !ok {
		return broker.Order{}, &broker.Error{Kind: broker.NotFound, Code: "paper", Msg: fmt.Sprintf("no order %q", id)}
	}
	if !o.Status.Open() {
		return broker.Order{}, &broker.Error{Kind: broker.Rejected, Code: "paper", Msg: fmt.Sprintf(
			"order %s is already %s", id, o.Status)}
	}
	o.Status = broker.StatusCancelled
	e.open = slices.DeleteFunc(e.open, func(x *order) bool { return x == o })
	e.log.Debug("paper cancel", "id", o.ID)
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
	for _, o := range e.orders {
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
	resCash, _, _ := e.reservedLocked("")
	bal := broker.Balance{Cash: e.cash, Orderable: e.cash - resCash, Positions: []broker.Position{}}
	for i, l := range listings {
		p := e.positions[l.code]
		if p == nil {
			continue
		}
		_, resShares, _ := e.reservedLocked(l.code)
		price := e.books[i].Price
		pos := broker.Position{
			Code:     l.code,
			Name:     l.name,
			Qty:      p.Qty,
			Sellable: p.Qty - resShares,
			AvgPrice: (p.Cost + p.Qty/2) / p.Qty,
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
