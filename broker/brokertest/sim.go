package brokertest

import (
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/internal/market"
	"github.com/hoga-trade/hoga/clock"
)

// Both fakes trade on the one simulated market (broker/internal/market),
// the paper exchange's too: limits, matching, fills, holdings and
// reservations are the market's; a fake keeps its wire format, tokens,
// rate limits and faults.

// SimOptions are the simulation settings both fakes share.
type SimOptions struct {
	// Calendar supplies sessions and holidays with MarketHours; nil is
	// broker.NewCalendar(nil).
	Calendar *broker.Calendar
	// Walk makes prices follow the seeded random walk (one step per
	// second of the fake's clock) instead of holding still until SetPrice.
	Walk bool
	// Seed seeds the walk; 0 is 1, so a walking fake is repeatable.
	Seed int64
	// Tick, when positive, starts a goroutine that brings the market up
	// to the fake's clock on each tick of it, so that fills (and their
	// WebSocket notices) and day-order expiry happen while no request
	// comes in. Without it the market moves on each request, on Advance
	// and on the controls.
	Tick time.Duration
}

// openSim makes a fake's market, on the fake's clock, listing stocks
// (ListedStocks when nil): KRX sessions (day orders lapse at the close,
// 수능 and holidays included) with market hours, else one endless day as
// the fakes always had. It returns the calendar the sessions follow.
func (s *simAccount) openSim(name, idFormat string, marketHours bool, opts SimOptions, cash int64, stocks []Stock, onEvent func(market.Event)) (*broker.Calendar, error) {
	cal := opts.Calendar
	if cal == nil {
		var err error
		if cal, err = broker.NewCalendar(nil); err != nil {
			return nil, err
		}
	}
	var sessions market.Sessions = market.Endless{}
	if marketHours {
		sessions = market.NewKRX(cal)
	}
	seed := opts.Seed
	if seed == 0 {
		seed = 1
	}
	m := market.New(market.Config{
		Name:             name,
		Sessions:         sessions,
		Frozen:           !opts.Walk,
		MarketBuyAtUpper: true, // KIS and Kiwoom hold a market buy's cash at the upper limit
		IDFormat:         idFormat,
		OnEvent:          onEvent,
	}, s.simClk.Now(), seed, cash)
	m.PriceEvents = true // every price change is a trade frame on the WebSocket
	if stocks == nil {
		stocks = ListedStocks()
	}
	for _, st := range stocks {
		m.List(market.Instrument{Code: broker.Code(st.Code), Name: st.Name}, st.base(), st.Price)
	}
	s.m = m
	return cal, nil
}

// simStock is a stock as both fakes' handlers read it: a copy of its book.
type simStock struct {
	code, name                        string
	price, base, open, high, low, vol int64 // base: 기준가, the previous close
	up, lo                            int64
}

// The day's limits are the market's (market.Limits, KRX's rule). The KIS
// fake rounded its lower limit up from 70% of the base, Kiwoom's fake down,
// and paper cut the width to the base's tick: e.g. for a base of 2,015
// they gave 1,411, 1,410 and 1,415 — KRX's is 1,415.
func (s *simStock) upper() int64 { return s.up }
func (s *simStock) lower() int64 { return s.lo }

// sign is the price's direction against the base as both brokers code it
// (KIS prdy_vrss_sign, Kiwoom pre_sig): 1 upper limit, 2 up, 3 unchanged,
// 4 lower limit, 5 down.
func (s *simStock) sign() string {
	switch {
	case s.price >= s.upper():
		return "1"
	case s.price <= s.lower():
		return "4"
	case s.price > s.base:
		return "2"
	case s.price < s.base:
		return "5"
	}
	return "3"
}

// venueStock is stock as venue (KRX, NXT, SOR) quotes it: NXT's own last
// price where it has traded apart (the day's range stretched to it), and
// false when the venue does not list code (lock held).
func (a *simAccount) venueStock(code, venue string) (*simStock, bool) {
	s, ok := a.stock(code)
	if !ok {
		return nil, false
	}
	p, ok := a.venuePriceLocked(code, venue, s.price)
	if ok && p != s.price {
		s.price, s.open, s.high, s.low = p, p, max(p, s.high), min(p, s.low)
	}
	return s, ok
}

// stock returns code's book, or false when it is not listed; the caller
// holds the fake's lock.
func (a *simAccount) stock(code string) (*simStock, bool) {
	i, ok := a.m.Lookup(broker.Code(code))
	if !ok {
		return nil, false
	}
	b := &a.m.Books[i]
	return &simStock{code: code, name: a.m.Instruments[i].Name, price: b.Price, base: b.PrevClose, open: b.Open,
		high: b.High, low: b.Low, vol: b.Volume, up: b.Upper(), lo: b.Lower()}, true
}

// simCodes lists the market's codes, sorted.
func simCodes(m *market.Market) []string {
	out := make([]string, 0, len(m.Instruments))
	for _, in := range m.Instruments {
		out = append(out, string(in.Code))
	}
	sort.Strings(out)
	return out
}

// simTicker advances the market on each tick of clk until stop closes;
// lock guards the market.
func simTicker(t interface {
	C() <-chan time.Time
	Stop()
}, stop <-chan struct{}, advance func()) {
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C():
			advance()
		}
	}
}

// simAccount is the market side both fakes share, embedded in each: the
// market, the lock it lives under (the fake's own), and the controls
// tests drive it with.
type simAccount struct {
	lk      *sync.Mutex
	simClk  clock.Clock
	m       *market.Market
	stopSim chan struct{}
	ticked  func() // tests: runs after each background advance

	// nxtOff holds the codes Nextrade does not list (every stock of the
	// fakes' default table is one NXT trades, as the real ones are);
	// nxtPrice is NXT's last price where it differs from KRX's.
	nxtOff   map[string]bool
	nxtPrice map[string]int64
	// listLag leaves orders younger than it out of the order lists
	// (SetListLag).
	listLag time.Duration
}

// SetListLag makes the order lists (KIS inquire-daily-ccld, Kiwoom
// ka10075 and ka10076) lag: an order placed less than d ago is left out,
// as a lagging replica would. An order then reaches the broker but is
// missing from its list for d: the case where hoga must not call it "never
// placed" too early, and must correct itself when the order shows up
// (issue 21, item 3). 0 turns it off.
func (s *simAccount) SetListLag(d time.Duration) {
	s.lk.Lock()
	defer s.lk.Unlock()
	s.listLag = d
}

// laggingLocked reports an order placed at that the lagging lists do not
// show yet (lock held).
func (s *simAccount) laggingLocked(at time.Time) bool {
	return s.listLag > 0 && s.simClk.Now().Sub(at) < s.listLag
}

// SetNXTListed says whether Nextrade lists code: an unlisted stock has no
// NXT quote, and an NXT order for it is refused.
func (s *simAccount) SetNXTListed(code string, listed bool) {
	s.lk.Lock()
	defer s.lk.Unlock()
	if s.nxtOff == nil {
		s.nxtOff = map[string]bool{}
	}
	s.nxtOff[code] = !listed
}

// SetNXTPrice sets NXT's last price for code (the after-market trades
// away from KRX's close); 0 follows KRX's price again.
func (s *simAccount) SetNXTPrice(code string, price int64) {
	s.lk.Lock()
	defer s.lk.Unlock()
	if s.nxtPrice == nil {
		s.nxtPrice = map[string]int64{}
	}
	s.nxtPrice[code] = price
}

// nxtListedLocked reports whether NXT lists code (lock held).
func (s *simAccount) nxtListedLocked(code string) bool {
	_, ok := s.m.Lookup(broker.Code(code))
	return ok && !s.nxtOff[code]
}

// venuePriceLocked is code's last price on venue (KRX, NXT, or SOR for
// the integrated price: NXT's where it has traded apart, else KRX's), and
// false when the venue does not list code (lock held).
func (s *simAccount) venuePriceLocked(code, venue string, krx int64) (int64, bool) {
	if venue == "KRX" {
		return krx, true
	}
	if !s.nxtListedLocked(code) {
		return krx, venue == "SOR" // integrated: KRX's book alone
	}
	if p := s.nxtPrice[code]; p > 0 {
		return p, true
	}
	return krx, true
}

// orderWindowLocked says whether an order routed to an exchange (KRX,
// NXT; "" is KRX) for session (one of KRX's off-hours sessions, or "" for
// the exchange's plain sessions) is taken at now, and whether now is before
// the day's opening auction (a trading day not begun yet), which both
// brokers word apart from "closed". Each fake gives its own words.
func orderWindowLocked(cal *broker.Calendar, routed string, session broker.SessionKind, now time.Time) (open, early bool) {
	open = inSession(cal, session, now) || (session == "" && venueOpen(cal, venueOr(routed), now))
	s, trading := cal.SessionOn(now)
	return open, trading && now.Before(s.AuctionStart)
}

// placedVenueLocked is where order id rests and the session it was placed
// for, as the market took it: what a cancel of it is checked against.
// An order the market does not know is KRX's plain session (lock held).
func (s *simAccount) placedVenueLocked(id string) (routed string, session broker.SessionKind) {
	if o := s.m.ByID[id]; o != nil {
		return venueOr(string(o.Venue)), o.Session
	}
	return "KRX", ""
}

// depositLocked is the deposit before today's trades (KIS dnca_tot_amt,
// Kiwoom 예수금): the D+2 deposit m.Cash less today's sales plus today's
// buys (lock held).
func (s *simAccount) depositLocked() int64 { return s.m.Cash + s.m.DayBought - s.m.DaySold }

// heldCodesLocked lists the codes of the account's holdings, sorted; with
// soldOut, those sold out today too (KIS lists them until settlement,
// Kiwoom drops them) (lock held).
func (s *simAccount) heldCodesLocked(soldOut bool) []string {
	codes := make([]string, 0, len(s.m.Positions))
	for c, p := range s.m.Positions {
		if soldOut || p.Qty > 0 {
			codes = append(codes, string(c))
		}
	}
	sort.Strings(codes)
	return codes
}

// Cash is the D+2 deposit: the start-of-day deposit plus today's sells
// minus today's buys.
func (s *simAccount) Cash() int64 {
	s.lk.Lock()
	defer s.lk.Unlock()
	return s.m.Cash
}

// Holding returns the shares held of code and their purchase amount.
func (s *simAccount) Holding(code string) (qty, cost int64) {
	s.lk.Lock()
	defer s.lk.Unlock()
	if p, ok := s.m.Positions[broker.Code(code)]; ok {
		return p.Qty, p.Cost
	}
	return 0, 0
}

// simRow is what both fakes' order-list rows keep of the market: the
// market's order behind a row, nil for a cancel order's own row.
type simRow struct{ mo *market.Order }

// remaining is the quantity still open.
func (r simRow) remaining() int64 {
	if r.mo == nil {
		return 0
	}
	return r.mo.Open()
}

// pageRows cuts rows[offset:] to size; end is where the next page starts,
// len(rows) when this one is the last.
func pageRows[T any](rows []T, offset, size int) (page []T, end int) {
	offset = min(offset, len(rows))
	end = min(offset+size, len(rows))
	return rows[offset:end], end
}

// startTicker runs the market on the clock's ticks (SimOptions.Tick).
func (s *simAccount) startTicker(tick time.Duration) {
	if tick <= 0 {
		return
	}
	s.stopSim = make(chan struct{})
	go simTicker(s.simClk.NewTicker(tick), s.stopSim, func() {
		s.Advance()
		if s.ticked != nil {
			s.ticked()
		}
	})
}

// stopTicker ends startTicker's goroutine.
func (s *simAccount) stopTicker() {
	s.lk.Lock()
	defer s.lk.Unlock()
	if s.stopSim != nil {
		close(s.stopSim)
		s.stopSim = nil
	}
}

// Advance brings the simulated market up to the fake's clock: scheduled
// prices, the walk (with SimOptions.Walk), fills of resting orders they
// cross (and their WebSocket notices) and, with MarketHours, day orders
// lapsing at the close. Every API request does this first; tests call it
// after moving a fake clock when no request follows.
func (s *simAccount) Advance() {
	s.lk.Lock()
	defer s.lk.Unlock()
	s.m.Advance(s.simClk.Now())
}

// SetPriceAt makes code trade at price when the fake's clock reaches at:
// a resting order it crosses fills then, at its limit.
func (s *simAccount) SetPriceAt(code string, price int64, at time.Time) {
	s.lk.Lock()
	defer s.lk.Unlock()
	s.m.PriceAt(at, broker.Code(code), price)
}

// SetPrice moves a listed stock's price now and fills the resting orders
// it crosses, at their limit prices. It reports whether code is listed.
func (s *simAccount) SetPrice(code string, price int64) bool {
	s.lk.Lock()
	defer s.lk.Unlock()
	if _, ok := s.m.Lookup(broker.Code(code)); !ok || price <= 0 {
		return false
	}
	now := s.simClk.Now()
	s.m.Advance(now)
	s.m.SetPrice(now, broker.Code(code), price)
	return true
}

// Fill trades qty of an open order now at its limit price (the current
// price for a market order): a partial fill, as the market gives one when
// only part of the other side is there.
func (s *simAccount) Fill(orderNo string, qty int64) error {
	s.lk.Lock()
	defer s.lk.Unlock()
	now := s.simClk.Now()
	s.m.Advance(now)
	if err := s.m.Fill(now, orderNo, qty); err != nil {
		return fmt.Errorf("brokertest: %w", err)
	}
	return nil
}

// FillAt is Fill at price px (at or better than a limit order's limit):
// one order's parts at different prices.
func (s *simAccount) FillAt(orderNo string, qty, px int64) error {
	s.lk.Lock()
	defer s.lk.Unlock()
	now := s.simClk.Now()
	s.m.Advance(now)
	if err := s.m.FillAt(now, orderNo, qty, px); err != nil {
		return fmt.Errorf("brokertest: %w", err)
	}
	return nil
}

// Price returns a stock's current price.
func (s *simAccount) Price(code string) (int64, bool) {
	s.lk.Lock()
	defer s.lk.Unlock()
	b := s.m.Book(broker.Code(code))
	if b == nil {
		return 0, false
	}
	return b.Price, true
}

// Codes lists the listed stocks' codes, sorted.
func (s *simAccount) Codes() []string {
	s.lk.Lock()
	defer s.lk.Unlock()
	return simCodes(s.m)
}

// SetCash sets the deposit and forgets today's unsettled trades.
func (s *simAccount) SetCash(won int64) {
	s.lk.Lock()
	defer s.lk.Unlock()
	s.m.SetCash(won)
}

// SetHolding gives the account qty shares of code bought at avgPrice
// (qty 0: a holding sold out today, which KIS still lists).
func (s *simAccount) SetHolding(code string, qty, avgPrice int64) {
	s.lk.Lock()
	defer s.lk.Unlock()
	s.m.SetHolding(broker.Code(code), qty, avgPrice)
}

// prices are every listed stock's current price, for /_fake/prices.
func (s *simAccount) prices() map[string]int64 {
	s.lk.Lock()
	defer s.lk.Unlock()
	out := make(map[string]int64, len(s.m.Books))
	for i, b := range s.m.Books {
		out[string(s.m.Instruments[i].Code)] = b.Price
	}
	return out
}

// routeLocked is the exchange an order to venue rests on at now: KRX and
// NXT are themselves. SOR is smart order routing, and the fakes assume
// what the brokers describe of it in general terms (no official sample
// spells the algorithm out): a stock NXT does not list always goes to KRX;
// when only one exchange takes plain orders (NXT's pre-market before
// KRX's auction, its after-market after 15:30) the order goes there; when
// both do, it goes to NXT only where NXT's last price is the better one
// for the side (lower for a buy, higher for a sell; SetNXTPrice), to KRX
// otherwise — the better-price rule of 최선집행 with KRX winning ties.
// With both closed it is KRX, whose session check then refuses it (lock
// held).
func (s *simAccount) routeLocked(cal *broker.Calendar, venue, code string, side broker.Side, now time.Time) string {
	if venue != "SOR" {
		return venueOr(venue)
	}
	if !s.nxtListedLocked(code) {
		return "KRX"
	}
	_, krx := cal.OrderWindow(broker.VenueKRX, now)
	_, nxt := cal.OrderWindow(broker.VenueNXT, now)
	switch {
	case nxt && !krx:
		return "NXT"
	case nxt && krx:
		b := s.m.Book(broker.Code(code))
		np := s.nxtPrice[code]
		if b != nil && np > 0 && ((side == broker.Buy && np < b.Price) || (side == broker.Sell && np > b.Price)) {
			return "NXT"
		}
	}
	return "KRX"
}

// inSession reports whether now is inside session k (false for k "").
func inSession(cal *broker.Calendar, k broker.SessionKind, now time.Time) bool {
	if k == "" {
		return false
	}
	for _, w := range cal.Windows(now) {
		if w.Kind == k && w.Contains(now) {
			return true
		}
	}
	return false
}

// venueOpen reports whether the exchange routed (KRX or NXT) takes plain
// orders at now.
func venueOpen(cal *broker.Calendar, routed string, now time.Time) bool {
	_, ok := cal.OrderWindow(broker.Venue(routed), now)
	return ok
}
