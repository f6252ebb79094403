package market

import (
	"fmt"
	"log/slog"
	"math/bits"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// Bounds that keep every sum of money in int64: an order's amount stays
// under MaxMoney (about 1.1 quadrillion won), a price under MaxPrice and a
// holding under MaxQty shares, so that even the sum of every holding's
// value fits.
const (
	MaxMoney = 1 << 50
	MaxQty   = 1 << 30
)

// ppmScale is one in parts per million.
const ppmScale = 1_000_000

// maxCatchUp bounds how many steps one Advance replays (about 14 hours at
// a 1 s tick): after a laptop slept, the walk skips the gap instead of
// stalling the first quote.
const maxCatchUp = 50_000

// Config sets up a Market. Zero values take the defaults noted.
type Config struct {
	// Name is the Code of the *broker.Error values the market returns
	// ("paper"); the fakes map Reject.Reason to their own wire codes.
	Name string
	// Instruments are listed in this order; the walk draws its random
	// numbers in it, so the order is part of what a seed reproduces.
	Instruments []Instrument
	// Sessions is the timetable; nil is Endless.
	Sessions Sessions
	// Tick is the walk's step; one second when 0.
	Tick time.Duration
	// Frozen starts with the walk stopped: prices change only by SetPrice
	// and scheduled prices. The fakes run frozen unless asked to walk.
	Frozen bool
	// CommissionRate and SellTaxRate are in parts per million of the
	// trade amount, rounded down to the won; 0 charges nothing.
	CommissionRate, SellTaxRate int64
	// MarketBuyAtUpper values a market buy at the upper limit for the cash
	// check, as KIS and Kiwoom hold it back; otherwise at the current
	// price (the paper exchange, which says so in its doc).
	MarketBuyAtUpper bool
	// IDFormat renders order numbers from a running counter starting at 1
	// ("P%07d" paper, "%010d" KIS, "%07d" Kiwoom); "%d" when empty.
	IDFormat string
	// HistoryDays drops final orders older than this many days at each day
	// turnover; 0 keeps them all.
	HistoryDays int
	// OnEvent hears every event synchronously, under the owner's lock.
	// Price events of the walk go to it only while Market.PriceEvents is
	// on (an owner with no one listening to ticks saves the calls).
	OnEvent func(Event)
	// Log receives fills, cancels and expiries at debug/info; nil discards.
	Log *slog.Logger
}

// Position is one holding. Cost is the exact purchase amount of the shares
// held (commission not included, as brokers show 매입금액). A holding sold
// out today stays with Qty 0 (KIS lists it until settlement); owners that
// do not show it skip it.
type Position struct {
	Qty, Cost int64
	// Today's trades in this stock.
	BoughtQty, SoldQty, BoughtAmt, SoldAmt int64
}

// AvgPrice is the purchase amount over the quantity, rounded to the won
// (what paper shows and Kiwoom's pur_pric gives); 0 when none is held.
func (p *Position) AvgPrice() int64 {
	if p.Qty <= 0 {
		return 0
	}
	return (p.Cost + p.Qty/2) / p.Qty
}

// Order is an order as the market keeps it: the domain's broker.Order
// (ID, side, type, quantities, status, average fill price) plus what the
// ledger needs.
type Order struct {
	broker.Order
	ExpireAt   time.Time // when an open order lapses (day order)
	FillTime   time.Time // when it last filled
	Commission int64     // paid on its fills
	Tax        int64     // paid on its fills (sells)
	Cancelled  int64     // quantity cancelled or lapsed
	FillAmount int64     // Σ fill quantity × fill price
	// LastFillPrice is its latest fill's own price: Kiwoom's order lists
	// give it (체결가) rather than an average.
	LastFillPrice int64
	Lapsed        bool // cancelled by the close, not by a request
	// Ext is the owner's own data (a fake's branch or wire fields).
	Ext any
}

// Open is the quantity still open.
func (o *Order) Open() int64 {
	if !o.Status.Open() {
		return 0
	}
	return o.Qty - o.FilledQty - o.Cancelled
}

// Market is one simulated market and the single account trading on it.
// See the package doc; it is not safe for concurrent use.
type Market struct {
	cfg      Config
	sessions Sessions
	always   bool // sessions move prices at every hour (no call per step)
	tick     time.Duration
	log      *slog.Logger

	// PriceEvents sends the walk's price changes to OnEvent as EventPrice
	// (SetPrice and scheduled prices always send theirs).
	PriceEvents bool

	Seed        int64
	pcg         *rand.PCG
	rng         *rand.Rand
	Frozen      bool
	LastStep    time.Time
	Day         string
	nextRoll    time.Time
	Instruments []Instrument
	Books       []Book // indexed like Instruments
	index       map[broker.Code]int

	InitialCash int64
	Cash        int64
	Realized    int64 // Σ (sell amount − average cost), before fees
	PaidComm    int64
	PaidTax     int64
	// DayBought and DaySold are today's buy and sell amounts.
	DayBought, DaySold int64
	Positions          map[broker.Code]*Position
	Orders             []*Order // history, oldest first
	ByID               map[string]*Order
	open               []*Order // open orders, oldest first
	NextID             int64
	fillSeq            int64
	schedule           []scheduled
}

type scheduled struct {
	at    time.Time
	code  broker.Code
	price int64
}

// New makes a market at now with cash in the account, every instrument at
// its reference price, and the walk seeded from seed (randomly when 0).
func New(cfg Config, now time.Time, seed, cash int64) *Market {
	m := &Market{
		cfg:       cfg,
		sessions:  cfg.Sessions,
		tick:      cfg.Tick,
		log:       cfg.Log,
		Frozen:    cfg.Frozen,
		index:     make(map[broker.Code]int, len(cfg.Instruments)),
		Positions: make(map[broker.Code]*Position),
		ByID:      make(map[string]*Order),
		NextID:    1,
		LastStep:  now,
		nextRoll:  now,
	}
	if m.sessions == nil {
		m.sessions = Endless{}
	}
	switch m.sessions.(type) {
	case Endless, Midnight:
		m.always = true
	}
	if m.tick <= 0 {
		m.tick = time.Second
	}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	if m.cfg.IDFormat == "" {
		m.cfg.IDFormat = "%d"
	}
	m.Seed = seed
	for m.Seed == 0 {
		m.Seed = rand.Int64()
	}
	m.Reseed()
	m.InitialCash, m.Cash = cash, cash
	for _, in := range cfg.Instruments {
		m.List(in, in.Ref, in.Ref)
	}
	m.Day, m.nextRoll = m.sessions.DayAt(now)
	return m
}

// Reseed restarts the walk's generator from m.Seed.
func (m *Market) Reseed() {
	m.pcg = rand.NewPCG(uint64(m.Seed), uint64(m.Seed)^0x9e3779b97f4a7c15)
	m.rng = rand.New(m.pcg)
}

// RNG returns the walk generator's state, for saving.
func (m *Market) RNG() []byte {
	b, _ := m.pcg.MarshalBinary() // PCG's encoding never fails
	return b
}

// SetRNG restores the walk generator's state.
func (m *Market) SetRNG(state []byte) error {
	pcg := &rand.PCG{}
	if err := pcg.UnmarshalBinary(state); err != nil {
		return err
	}
	m.pcg, m.rng = pcg, rand.New(pcg)
	return nil
}

// List lists (or relists) a stock with its base (previous close) and
// current price; the walk reverts to the current price.
func (m *Market) List(in Instrument, base, price int64) {
	in.Ref = price
	b := Book{Price: price, PrevClose: base, Open: base, High: max(base, price), Low: min(base, price), Ref: price}
	b.Derive()
	if i, ok := m.index[in.Code]; ok {
		m.Instruments[i], m.Books[i] = in, b
		return
	}
	m.index[in.Code] = len(m.Books)
	m.Instruments = append(m.Instruments, in)
	m.Books = append(m.Books, b)
}

// Lookup returns a listed stock's index into Instruments and Books.
func (m *Market) Lookup(code broker.Code) (int, bool) {
	i, ok := m.index[code]
	return i, ok
}

// Book returns code's book, or nil.
func (m *Market) Book(code broker.Code) *Book {
	if i, ok := m.index[code]; ok {
		return &m.Books[i]
	}
	return nil
}

// NewID takes the next order number, for orders and for an owner's own
// rows that share the numbering (a KIS cancel order).
func (m *Market) NewID() string {
	id := fmt.Sprintf(m.cfg.IDFormat, m.NextID)
	m.NextID++
	return id
}

// mulDiv returns a×b/c rounded down, for non-negative a, b and positive c
// with b ≤ c or a×b/c < 2⁶³, without overflowing in between.
func mulDiv(a, b, c int64) int64 {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	q, _ := bits.Div64(hi, lo, uint64(c))
	return int64(q)
}

// Fee is amount×ppm/10⁶, rounded down to the won as brokers and the tax
// office do (원 미만 절사).
func Fee(amount, ppm int64) int64 { return mulDiv(amount, ppm, ppmScale) }

// AmountOf returns qty×price, or false when it passes MaxMoney.
func AmountOf(qty, price int64) (int64, bool) {
	if price <= 0 || qty > MaxMoney/price {
		return 0, false
	}
	return qty * price, true
}

// BuyReservation is what a limit buy holds: its amount at the limit price
// plus the commission on it. A fill can only cost less.
func (m *Market) BuyReservation(qty, price int64) int64 {
	a := qty * price
	return a + Fee(a, m.cfg.CommissionRate)
}

// Reserved is the cash held for all open buys, and the shares committed to
// open sells and pending in open buys of code ("" for the cash only).
func (m *Market) Reserved(code broker.Code) (cash, selling, buying int64) {
	for _, o := range m.open {
		switch o.Side {
		case broker.Buy:
			if o.Type == broker.Limit {
				cash += m.BuyReservation(o.Open(), o.Price)
			}
			if o.Code == code {
				buying += o.Open()
			}
		case broker.Sell:
			if o.Code == code {
				selling += o.Open()
			}
		}
	}
	return cash, selling, buying
}

// Orderable is the cash not held for open buys.
func (m *Market) Orderable() int64 {
	res, _, _ := m.Reserved("")
	return m.Cash - res
}

// Held is the shares of code held, and how many of them are not committed
// to open sells.
func (m *Market) Held(code broker.Code) (held, sellable int64) {
	if p := m.Positions[code]; p != nil {
		held = p.Qty
	}
	_, selling, _ := m.Reserved(code)
	return held, held - selling
}

// SetCash sets the cash and forgets today's trade amounts.
func (m *Market) SetCash(won int64) {
	m.Cash, m.DayBought, m.DaySold = won, 0, 0
}

// SetHolding gives the account qty shares of code bought at avgPrice, with
// no trades today. Qty 0 keeps an empty holding (one sold out today, which
// KIS lists until settlement); a negative qty removes it.
func (m *Market) SetHolding(code broker.Code, qty, avgPrice int64) {
	if qty < 0 {
		delete(m.Positions, code)
		return
	}
	m.Positions[code] = &Position{Qty: qty, Cost: qty * avgPrice}
}

// Reason says why the market refused an order or a cancel, for owners that
// answer in a broker's own codes.
type Reason int

// Reasons.
const (
	NotListed     Reason = iota + 1 // no such stock
	OutsideLimits                   // a limit price outside the day's limits
	NoCash                          // the buy needs more than is orderable
	NoShares                        // the sell is more than is sellable
	TooLarge                        // a holding past MaxQty
	NoOrder                         // cancel or fill: no such order
	NotOpen                         // cancel or fill: nothing left open
	BadQty                          // cancel or fill: more than is open
)

// Reject is a refusal. It unwraps to Err, the *broker.Error an owner
// speaking the domain returns as is.
type Reject struct {
	Reason
	Err *broker.Error
	// For NoCash: what the order needs and what is orderable. For
	// NoShares: what is held and sellable.
	Need, Avail    int64
	Held, Sellable int64
}

func (r *Reject) Error() string { return r.Err.Error() }
func (r *Reject) Unwrap() error { return r.Err }

func (m *Market) reject(r Reason, k broker.Kind, format string, args ...any) *Reject {
	return &Reject{Reason: r, Err: &broker.Error{Kind: k, Code: m.cfg.Name, Msg: fmt.Sprintf(format, args...)}}
}

// say gives r's error its catalog sentence ("say.market."+key).
func (m *Market) say(r *Reject, key string, args ...any) *Reject {
	r.Err.Saying("market."+key, args...)
	return r
}

// Place takes an order at now (shape and tick grid already checked; the
// session check is the owner's, with its broker's words). A marketable
// order fills at once at the current price; a limit order that is not
// stays open until the price reaches it (and fills at its limit), until it
// is cancelled, or until it lapses at its session's close.
func (m *Market) Place(now time.Time, req broker.OrderRequest) (*Order, error) {
	i, ok := m.index[req.Code]
	if !ok {
		return nil, m.say(m.reject(NotListed, broker.NotFound, "stock %s is not listed on the %s exchange", req.Code, m.cfg.Name), "not_listed", string(req.Code))
	}
	b := &m.Books[i]
	if req.Type == broker.Limit && (req.Price > b.upper || req.Price < b.lower) {
		return nil, m.say(m.reject(OutsideLimits, broker.Rejected,
			"limit price %d is outside today's price limits %d–%d", req.Price, b.lower, b.upper), "outside_limits", req.Price, b.lower, b.upper)
	}
	// The price the order is checked against: the limit, or for a market
	// order the price it may fill at.
	px := req.Price
	if req.Type == broker.Market {
		px = b.Price
		if req.Side == broker.Buy && m.cfg.MarketBuyAtUpper {
			px = b.upper
		}
	}
	amount, ok := AmountOf(req.Qty, px)
	if !ok {
		r := m.say(m.reject(NoCash, broker.InsufficientFunds, "%d shares at %d won is more than any account could pay", req.Qty, px), "too_much", req.Qty, px)
		r.Need, r.Avail = MaxMoney, m.Orderable()
		return nil, r
	}
	resCash, resShares, buying := m.Reserved(req.Code)
	var held int64
	if p := m.Positions[req.Code]; p != nil {
		held = p.Qty
	}
	switch req.Side {
	case broker.Buy:
		if req.Qty > MaxQty-held-buying {
			return nil, m.say(m.reject(TooLarge, broker.Rejected, "a holding of more than %d shares is not simulated", MaxQty), "too_large", int64(MaxQty))
		}
		need := amount + Fee(amount, m.cfg.CommissionRate)
		if avail := m.Cash - resCash; need > avail {
			r := m.say(m.reject(NoCash, broker.InsufficientFunds,
				"not enough cash: the order needs %d won with commission, %d won is orderable", need, avail), "no_cash", need, avail)
			r.Need, r.Avail = need, avail
			return nil, r
		}
	case broker.Sell:
		if avail := held - resShares; req.Qty > avail {
			r := m.say(m.reject(NoShares, broker.InsufficientFunds,
				"not enough shares: selling %d of %s, %d sellable (%d held, %d in open sells)",
				req.Qty, req.Code, avail, held, resShares), "no_shares", req.Qty, string(req.Code), avail, held, resShares)
			r.Held, r.Sellable = held, avail
			return nil, r
		}
	}
	o := &Order{Order: broker.Order{
		ID:       m.NewID(),
		Code:     req.Code,
		Name:     m.Instruments[i].Name,
		Side:     req.Side,
		Type:     req.Type,
		Qty:      req.Qty,
		Price:    req.Price,
		Status:   broker.StatusAccepted,
		Time:     now,
		ClientID: req.ClientID,
		Source:   req.Source,
		User:     req.User,
	}, ExpireAt: expiryFor(m.sessions, now, req.Venue, req.Session)}
	o.Venue, o.Session = req.Venue, req.Session
	m.Orders = append(m.Orders, o)
	m.ByID[o.ID] = o
	if crosses(o, b.Price) {
		m.fill(o, b, o.Qty, b.Price, now)
	} else {
		m.open = append(m.open, o)
	}
	m.log.Debug(m.cfg.Name+" order", "id", o.ID, "code", o.Code, "side", o.Side, "type", o.Type,
		"qty", o.Qty, "price", o.Price, "status", o.Status)
	return o, nil
}

// crosses reports whether o trades at price: a market order always, a
// limit buy at or below its limit, a limit sell at or above it.
func crosses(o *Order, price int64) bool {
	switch {
	case o.Type == broker.Market:
		return true
	case o.Side == broker.Buy:
		return price <= o.Price
	default:
		return price >= o.Price
	}
}

// fill trades qty of o at price: the ledger, the order, the day's volume
// and a Fill event. The caller takes o out of the open list when it is
// done.
func (m *Market) fill(o *Order, b *Book, qty, price int64, ts time.Time) {
	amount := qty * price // checked against MaxMoney when placed (buys) or bounded by the holding (sells)
	comm := Fee(amount, m.cfg.CommissionRate)
	var tax int64
	p := m.Positions[o.Code]
	if p == nil {
		p = &Position{}
		m.Positions[o.Code] = p
	}
	switch o.Side {
	case broker.Buy:
		p.Qty += qty
		p.Cost += amount
		p.BoughtQty += qty
		p.BoughtAmt += amount
		m.Cash -= amount + comm
		m.DayBought += amount
	case broker.Sell:
		tax = Fee(amount, m.cfg.SellTaxRate)
		var cost int64
		if p.Qty > 0 {
			cost = mulDiv(p.Cost, min(qty, p.Qty), p.Qty)
		}
		p.Qty -= qty
		p.Cost -= cost
		p.SoldQty += qty
		p.SoldAmt += amount
		m.Cash += amount - comm - tax
		m.DaySold += amount
		m.Realized += amount - cost
		m.PaidTax += tax
		o.Tax += tax
	}
	m.PaidComm += comm
	o.Commission += comm
	o.FilledQty += qty
	o.FillAmount += amount
	o.AvgFillPrice = o.FillAmount / o.FilledQty
	o.LastFillPrice = price
	o.FillTime = ts
	o.Status = broker.StatusPartial
	if o.FilledQty+o.Cancelled >= o.Qty {
		o.Status = broker.StatusFilled
	}
	b.Volume += qty
	b.record(ts.Truncate(time.Minute))
	m.fillSeq++
	m.log.Info(m.cfg.Name+" fill", "id", o.ID, "code", o.Code, "side", o.Side, "qty", qty, "price", price,
		"commission", comm, "tax", tax)
	m.emit(Event{Kind: EventFill, Time: ts, Code: o.Code, Order: o, Qty: qty, Price: price,
		Commission: comm, Tax: tax, Seq: m.fillSeq})
}

// match fills every open order the current prices cross (at its limit, or
// the current price for a market order) and returns how many filled.
func (m *Market) match(ts time.Time) int {
	n := 0
	kept := m.open[:0]
	for _, o := range m.open {
		b := &m.Books[m.index[o.Code]]
		if crosses(o, b.Price) {
			px := o.Price
			if o.Type == broker.Market {
				px = b.Price
			}
			m.fill(o, b, o.Open(), px, ts)
			n++
			continue
		}
		kept = append(kept, o)
	}
	clear(m.open[len(kept):])
	m.open = kept
	return n
}

// Fill trades qty of an open order now, as the market would in part: at
// its limit price, or the current price for a market order. Tests use it
// for partial fills.
func (m *Market) Fill(now time.Time, id string, qty int64) error {
	o, ok := m.ByID[id]
	if !ok {
		return m.say(m.reject(NoOrder, broker.NotFound, "no order %q", id), "no_order", id)
	}
	if qty <= 0 || qty > o.Open() {
		return m.say(m.reject(BadQty, broker.Invalid, "order %s has %d open, cannot fill %d", id, o.Open(), qty), "bad_qty", id, o.Open(), qty)
	}
	b := &m.Books[m.index[o.Code]]
	px := o.Price
	if o.Type == broker.Market {
		px = b.Price
	}
	m.fill(o, b, qty, px, now)
	if o.Open() == 0 {
		m.drop(o)
	}
	return nil
}

// FillAt is Fill at price px, which a limit order must allow (at or
// below a buy's limit, at or above a sell's): the parts of one order
// trading at different prices, as they do when the book moves.
func (m *Market) FillAt(now time.Time, id string, qty, px int64) error {
	o, ok := m.ByID[id]
	if !ok {
		return m.say(m.reject(NoOrder, broker.NotFound, "no order %q", id), "no_order", id)
	}
	if qty <= 0 || qty > o.Open() {
		return m.say(m.reject(BadQty, broker.Invalid, "order %s has %d open, cannot fill %d", id, o.Open(), qty), "bad_qty", id, o.Open(), qty)
	}
	if px <= 0 || o.Type == broker.Limit && (o.Side == broker.Buy && px > o.Price || o.Side == broker.Sell && px < o.Price) {
		return fmt.Errorf("market: order %s cannot fill at %d (limit %d)", id, px, o.Price)
	}
	m.fill(o, &m.Books[m.index[o.Code]], qty, px, now)
	if o.Open() == 0 {
		m.drop(o)
	}
	return nil
}

func (m *Market) drop(o *Order) {
	m.open = slices.DeleteFunc(m.open, func(x *Order) bool { return x == o })
}

// Cancel cancels qty of an open order (all that is open when qty is 0)
// and releases what it reserved. A cancel after a partial fill leaves the
// order cancelled with its fills.
func (m *Market) Cancel(now time.Time, id string, qty int64) (*Order, error) {
	o, ok := m.ByID[id]
	if !ok {
		return nil, m.say(m.reject(NoOrder, broker.NotFound, "no order %q", id), "no_order", id)
	}
	left := o.Open()
	if left == 0 {
		return nil, m.say(m.reject(NotOpen, broker.Rejected, "order %s is already %s", id, o.Status), "not_open", id)
	}
	if qty == 0 {
		qty = left
	}
	if qty < 0 || qty > left {
		return nil, m.say(m.reject(BadQty, broker.Invalid, "order %s has %d open, cannot cancel %d", id, left, qty), "bad_qty", id, left, qty)
	}
	o.Cancelled += qty
	if o.Open() == 0 {
		o.Status = broker.StatusCancelled
		m.drop(o)
	}
	m.log.Debug(m.cfg.Name+" cancel", "id", o.ID, "qty", qty)
	m.emit(Event{Kind: EventCancel, Time: now, Code: o.Code, Order: o, Qty: qty})
	return o, nil
}

// expire cancels open orders whose day has ended and returns how many.
func (m *Market) expire(ts time.Time) int {
	n := 0
	kept := m.open[:0]
	for _, o := range m.open {
		if !ts.Before(o.ExpireAt) {
			left := o.Open()
			o.Cancelled += left
			o.Status = broker.StatusCancelled
			o.Lapsed = true
			o.Note = "expired unfilled at the end of its day"
			n++
			m.log.Info(m.cfg.Name+" order expired", "id", o.ID, "code", o.Code)
			m.emit(Event{Kind: EventExpire, Time: o.ExpireAt, Code: o.Code, Order: o, Qty: left})
			continue
		}
		kept = append(kept, o)
	}
	clear(m.open[len(kept):])
	m.open = kept
	return n
}

// prune drops final orders older than HistoryDays.
func (m *Market) prune(ts time.Time) {
	if m.cfg.HistoryDays <= 0 {
		return
	}
	cut := ts.AddDate(0, 0, -m.cfg.HistoryDays)
	kept := m.Orders[:0]
	for _, o := range m.Orders {
		if o.Status.Final() && o.Time.Before(cut) {
			delete(m.ByID, o.ID)
			continue
		}
		kept = append(kept, o)
	}
	clear(m.Orders[len(kept):])
	m.Orders = kept
}

// Restore adds a saved order (the owner checked it) and keeps it open if
// its status is.
func (m *Market) Restore(o *Order) {
	if o.Status == broker.StatusCancelled && o.Cancelled == 0 {
		o.Cancelled = o.Qty - o.FilledQty
	}
	if o.FilledQty > 0 && o.FillAmount == 0 {
		o.FillAmount = o.FilledQty * o.AvgFillPrice
	}
	m.Orders = append(m.Orders, o)
	m.ByID[o.ID] = o
}

// Reopen rebuilds the open list from Orders, after restoring.
func (m *Market) Reopen() {
	m.open = m.open[:0]
	for _, o := range m.Orders {
		if o.Status.Open() {
			m.open = append(m.open, o)
		}
	}
}

// SetPrice makes code trade at price now and fills the open orders it
// crosses (SetPrice does not move the walk's reference; the owner may).
func (m *Market) SetPrice(now time.Time, code broker.Code, price int64) int {
	b := m.Book(code)
	if b == nil {
		return 0
	}
	b.Trade(price)
	b.record(now.Truncate(time.Minute))
	m.emit(Event{Kind: EventPrice, Time: now, Code: code, Price: price, Volume: b.Volume})
	return m.match(now)
}

// Candles returns today's minute candles of code (the KST day of now),
// oldest first: every minute in which the walk stepped, SetPrice traded
// or an order filled. Nil for an unknown code.
func (m *Market) Candles(now time.Time, code broker.Code) []broker.Candle {
	b := m.Book(code)
	if b == nil {
		return nil
	}
	return b.Candles(now)
}

// PriceAt schedules code to trade at price when the clock reaches at:
// Advance applies it then, in time order with the walk, so a test can
// have a resting order fill "30 s later" on a fake clock, deterministically.
func (m *Market) PriceAt(at time.Time, code broker.Code, price int64) {
	m.schedule = append(m.schedule, scheduled{at: at, code: code, price: price})
	slices.SortStableFunc(m.schedule, func(a, b scheduled) int { return a.at.Compare(b.at) })
}

// Advance brings the market up to now, one walk step at a time (one jump
// when frozen), with day turnover, expiry and scheduled prices on the
// way, and returns how many orders changed (filled or lapsed).
func (m *Market) Advance(now time.Time) int {
	events := 0
	for len(m.schedule) > 0 && !m.schedule[0].at.After(now) {
		s := m.schedule[0]
		m.schedule = m.schedule[1:]
		events += m.advance(s.at)
		events += m.SetPrice(s.at, s.code, s.price)
	}
	return events + m.advance(now)
}

func (m *Market) advance(now time.Time) int {
	n := int64(now.Sub(m.LastStep) / m.tick)
	if n <= 0 {
		return 0
	}
	if m.Frozen {
		m.LastStep = m.LastStep.Add(time.Duration(n) * m.tick)
		return m.Settle(m.LastStep)
	}
	events := 0
	if n > maxCatchUp {
		skip := n - maxCatchUp
		m.LastStep = m.LastStep.Add(time.Duration(skip) * m.tick)
		events += m.Settle(m.LastStep)
		n = maxCatchUp
	}
	for range n {
		m.LastStep = m.LastStep.Add(m.tick)
		events += m.step(m.LastStep)
	}
	return events
}

// step runs the walk step due at ts: day turnover and order expiry, then a
// move of every price (in listing order) and a check of open orders.
func (m *Market) step(ts time.Time) int {
	events := m.Settle(ts)
	if m.Frozen || (!m.always && !m.sessions.Moving(ts)) {
		return events
	}
	minute := ts.Truncate(time.Minute)
	for i := range m.Books {
		moved := m.Books[i].step(m.rng)
		m.Books[i].record(minute)
		if moved && m.PriceEvents && m.cfg.OnEvent != nil {
			b := &m.Books[i]
			m.emit(Event{Kind: EventPrice, Time: ts, Code: m.Instruments[i].Code, Price: b.Price, Volume: b.Volume})
		}
	}
	return events + m.match(ts)
}

// Settle starts a new trading day when one has begun by ts (every book's
// base becomes its last price, old history is pruned, today's amounts
// reset) and lapses day orders whose session has ended.
func (m *Market) Settle(ts time.Time) int {
	if !ts.Before(m.nextRoll) {
		day, next := m.sessions.DayAt(ts)
		if day != m.Day {
			m.Day = day
			for i := range m.Books {
				m.Books[i].NewDay()
				m.Books[i].forget()
			}
			m.prune(ts)
			m.DayBought, m.DaySold = 0, 0
			for c, p := range m.Positions {
				p.BoughtQty, p.SoldQty, p.BoughtAmt, p.SoldAmt = 0, 0, 0, 0
				if p.Qty == 0 {
					delete(m.Positions, c)
				}
			}
		}
		m.nextRoll = next
	}
	return m.expire(ts)
}

// SetDay sets the current trading day and re-reads when the next begins
// (a restored state).
func (m *Market) SetDay(day string) {
	m.Day = day
	m.nextRoll = m.LastStep
}
