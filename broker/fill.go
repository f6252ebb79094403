package broker

import (
	"context"
	"math/bits"
	"time"
)

// FillSource is how hoga learned of a fill. Counted per source in the
// metrics, and kept with the fill so a report can say which path is slow.
type FillSource string

// Fill sources.
const (
	FillStream FillSource = "stream" // the broker's push (KIS H0STCNI0/9, Kiwoom 00)
	FillPoll   FillSource = "poll"   // a change in the broker's order list
	FillPaper  FillSource = "paper"  // the simulated exchange's own event
)

// Fill is one execution of an order: some shares changed hands at a price.
// A broker's order list reports only the cumulative filled quantity and
// its average price, so a fill learned by polling may stand for several
// executions at their average price; its identity is therefore the order
// and the cumulative quantity after it (Day, OrderID, CumQty), which the
// push and the poll agree on. A journal stores a fill once under that
// identity, however often and from wherever it is seen.
type Fill struct {
	// Day is the KST trading date of the order (YYYY-MM-DD): brokers
	// number orders per day.
	Day string
	// OrderID is the broker's order number, in the broker's own form.
	OrderID string
	// ClientID is hoga's id for the order, when hoga placed it.
	ClientID string
	Code     Code
	Side     Side
	// Qty and Price are this fill's shares and price (for a fill that
	// stands for several executions, their average, rounded to the won).
	Qty   int64
	Price int64
	// CumQty is the order's filled quantity after this fill.
	CumQty int64
	// ExecID is the broker's execution number when it gives one (Kiwoom
	// 909); KIS gives none.
	ExecID string
	// Commission and Tax are what the fill costs, by the fee schedule
	// (brokers charge per day and round per day; the journal's sums are
	// within a won per fill of the statement).
	Commission int64
	Tax        int64
	// CostPrice is, for a sell, the average purchase price of the shares
	// sold (the broker's balance view), so the fill's realised P&L needs
	// nothing else; 0 when unknown, and for buys.
	CostPrice int64
	Source    FillSource
	// Late marks a fill learned by the first poll after a start: it came
	// after hoga's last look at the order (tracker.Mark).
	Late bool
	// LateSince, on a Late fill, is the instant after which it came when
	// hoga cannot say it came after the stop: the previous run was killed,
	// or its final check at the stop failed or did not cover the order.
	// The fill may then have come before the stop, in the last poll gap.
	// Zero on a Late fill: the previous run's final check looked at the
	// order as it stopped, so it filled while hoga was down.
	LateSince time.Time
	// Resent marks a fill stored by an earlier run whose alert no
	// transport reported delivered (a restart, maybe during a Telegram
	// outage): its alert is sent again at start-up. Not stored.
	Resent bool
	// Time is when the broker filled it (when the broker gives no time,
	// when hoga learned of it); Seen is when hoga recorded it.
	Time time.Time
	Seen time.Time
}

// Amount is Qty × Price in won.
func (f Fill) Amount() int64 { return f.Qty * f.Price }

// RealisedPnL is a sell fill's profit in won after its commission and
// tax, and as a percentage of the cost of the shares sold; ok is false for
// a buy or when the cost is unknown.
func (f Fill) RealisedPnL() (won int64, pct float64, ok bool) {
	if f.Side != Sell || f.CostPrice <= 0 || f.Qty <= 0 {
		return 0, 0, false
	}
	cost := f.Qty * f.CostPrice
	won = f.Amount() - cost - f.Commission - f.Tax
	return won, float64(won) * 100 / float64(cost), true
}

// Fees is a brokerage fee schedule in parts per million of the trade
// amount, each rounded down to the won (원 미만 절사) as brokers and the
// tax office do.
type Fees struct {
	// CommissionPPM is charged on both sides.
	CommissionPPM int64
	// SellTaxPPM is the securities transaction tax on sells.
	SellTaxPPM int64
}

// DefaultFees are 0.015% commission a side, the usual online rate at KIS
// and Kiwoom before promotions, and the 0.20% transaction tax on sells in
// force from 2026-01-01 for both KOSPI (0.05% + 0.15% 농어촌특별세) and
// KOSDAQ, as broker/paper charges. The tax is the 증권거래세법 시행령
// amendment the Ministry of Economy and Finance announced on 2025-12-01
// for sales from 2026-01-01 (reported e.g. at
// livein.co.kr/bbs/board.php?bo_table=n04&wr_id=242737); the commission
// is the broker's and the account's (Kiwoom's HTS rate is 0.015 %), so an
// owner on another rate sees hoga's fees differ from the statement by that.
var DefaultFees = Fees{CommissionPPM: 150, SellTaxPPM: 2_000}

// For returns the commission and tax on a trade of amount won.
func (f Fees) For(side Side, amount int64) (commission, tax int64) {
	if amount <= 0 {
		return 0, 0
	}
	commission = ppmOf(amount, f.CommissionPPM)
	if side == Sell {
		tax = ppmOf(amount, f.SellTaxPPM)
	}
	return commission, tax
}

func ppmOf(amount, ppm int64) int64 {
	if ppm <= 0 {
		return 0
	}
	ppm = min(ppm, 1_000_000) // keeps the high word below the divisor
	hi, lo := bits.Mul64(uint64(amount), uint64(ppm))
	q, _ := bits.Div64(hi, lo, 1_000_000)
	return int64(q)
}

// FillJournal keeps fills durably. store.DB implements it; the order
// tracker writes through it and reports (P&L, /balance) read it.
type FillJournal interface {
	// InsertFill stores f unless a fill with the same (Day, OrderID,
	// CumQty), or the same non-empty ExecID on that day, is already
	// stored; inserted reports which. When hoga placed the order
	// (ClientID set, or the row found by OrderID) its journal row's
	// filled quantity, fill amount and state (partial/filled) follow in
	// the same transaction.
	InsertFill(ctx context.Context, f Fill) (inserted bool, err error)
	// FillsOn lists the fills of day's KST date, oldest first.
	FillsOn(ctx context.Context, day time.Time) ([]Fill, error)
	// FillsForOrder lists one order's fills, by cumulative quantity.
	FillsForOrder(ctx context.Context, day time.Time, orderID string) ([]Fill, error)
}
