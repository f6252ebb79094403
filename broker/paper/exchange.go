package paper

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/internal/market"
	"github.com/hoga-trade/hoga/clock"
)

// Defaults for zero Options fields.
const (
	// DefaultCash is the starting deposit, 10,000,000 won (HOGA_PAPER_CASH).
	DefaultCash = 10_000_000

	// DefaultCommissionRate is 150 ppm = 0.015% of the trade amount on each
	// side: the usual online (HTS/MTS) brokerage rate at KIS, Kiwoom and
	// Toss in 2025–2026 comparisons, before promotions. The exchange and
	// depository fees (유관기관 제비용, about 0.0036%) are not charged
	// separately.
	DefaultCommissionRate = 150

	// DefaultSellTaxRate is 2,000 ppm = 0.20% of the sell amount: the
	// securities transaction tax in force from 2026-01-01, which is the
	// same for both markets — KOSPI 0.05% 증권거래세 plus 0.15%
	// 농어촌특별세, KOSDAQ 0.20% 증권거래세 — after the 2025 tax reform
	// (Ministry of Economy and Finance plan of 2025-07-31, Chosun Biz
	// 2025-08-01; confirmed for 2026-01-01 by the ministry, Yonhap
	// 2025-12-01). In 2025 both were 0.15%.
	DefaultSellTaxRate = 2_000

	// DefaultTick is the walk's step.
	DefaultTick = time.Second

	// StateFile is the name of the state file in Options.DataDir.
	StateFile = "paper.json"
)

// ppmScale is one in parts per million.
const ppmScale = 1_000_000

// Bounds that keep every sum of money in int64 (see market.MaxMoney).
const (
	maxMoney = market.MaxMoney
	maxPrice = market.MaxPrice
	maxQty   = market.MaxQty
)

// Options configure an Exchange. Zero values take the defaults.
type Options struct {
	// Cash is the starting deposit in won; DefaultCash when 0. Ignored
	// when a state file is loaded: the saved account wins.
	Cash int64
	// Seed seeds the price walk. 0 picks a random seed, reported by
	// Exchange.Seed so a run can be repeated with HOGA_PAPER_SEED. A
	// non-zero seed that differs from a loaded state's reseeds the walk
	// from the saved prices.
	Seed int64
	// DataDir holds the state file (StateFile). Empty keeps the account in
	// memory only. The directory is created 0700 if missing; the file is
	// written 0600.
	DataDir string
	// Clock is the time source; nil means the wall clock.
	Clock clock.Clock
	// MarketHours makes the exchange keep KRX sessions and holidays (see
	// the package doc). Calendar supplies them; nil means
	// broker.NewCalendar(nil).
	MarketHours bool
	Calendar    *broker.Calendar
	// CommissionRate is the brokerage commission on each side in parts per
	// million of the trade amount, rounded down to the won; 0 means
	// DefaultCommissionRate, a negative value means none.
	CommissionRate int64
	// SellTaxRate is the transaction tax on sells in parts per million of
	// the sell amount, rounded down to the won; 0 means DefaultSellTaxRate,
	// a negative value means none.
	SellTaxRate int64
	// Logger receives fills and state-file trouble; nil discards.
	Logger *slog.Logger
	// Tick is the walk's step; DefaultTick when 0.
	Tick time.Duration
	// Freeze starts with the walk stopped: prices change only by SetPrice.
	// Tests use it to make prices hold still (SetFrozen changes it later).
	Freeze bool

	// onTick, for this package's tests, runs after the goroutine has
	// handled a tick of the clock.
	onTick func()
}

// Exchange is the simulated exchange and the single account on it. It is
// safe for concurrent use. Close it to stop its goroutine and save.
type Exchange struct {
	clk         clock.Clock
	cal         *broker.Calendar
	marketHours bool
	commission  int64 // ppm
	sellTax     int64 // ppm
	tick        time.Duration
	log         *slog.Logger
	path        string // state file; "" = memory only
	frozen      bool   // Options.Freeze, until the market exists

	mu      sync.Mutex
	closed  bool
	m       *market.Market // prices, orders and the account (broker/internal/market)
	version uint64         // bumped on every snapshot taken
	subs    subscribers    // fill and tick listeners (events.go)

	saveMu   sync.Mutex
	savedVer uint64
	// candlesAt is the minute the candle record was last written
	// (CandlesFile): once a minute, and at Close.
	candlesAt time.Time

	stop   chan struct{}
	done   chan struct{}
	onTick func()
}

var _ broker.Broker = (*Exchange)(nil)

// New opens the exchange: it loads the state file if there is one, and
// starts the goroutine that keeps the walk (and open orders) moving. A
// state file that cannot be read is an error naming the file: the account
// is never silently reset.
func New(opts Options) (*Exchange, error) {
	e, err := build(opts)
	if err != nil {
		return nil, err
	}
	now := e.clk.Now()
	loaded := false
	if opts.DataDir != "" {
		e.path = filepath.Join(opts.DataDir, StateFile)
		st, err := readState(e.path)
		if err != nil {
			return nil, err
		}
		if st != nil {
			if err := e.restore(st, opts.Seed); err != nil {
				return nil, fmt.Errorf("paper: state file %s: %w", e.path, err)
			}
			loaded = true
		}
	}
	if !loaded {
		e.fresh(opts.Seed, opts.Cash, now)
	}
	e.settleLocked(now)
	if loaded {
		// After the day's turn (settleLocked): yesterday's record is not
		// today's chart.
		e.restoreCandlesLocked(now)
	}
	e.candlesAt = now.Truncate(time.Minute)
	e.log.Info("paper exchange open", "seed", e.m.Seed, "cash", e.m.Cash, "loaded", loaded,
		"market_hours", e.marketHours, "state", e.path)

	go e.run(e.clk.NewTicker(e.tick))
	return e, nil
}

// build checks the options and makes an exchange with no account yet.
func build(opts Options) (*Exchange, error) {
	e := &Exchange{
		clk:         clock.Or(opts.Clock),
		cal:         opts.Calendar,
		marketHours: opts.MarketHours,
		commission:  rate(opts.CommissionRate, DefaultCommissionRate),
		sellTax:     rate(opts.SellTaxRate, DefaultSellTaxRate),
		tick:        opts.Tick,
		log:         opts.Logger,
		frozen:      opts.Freeze,
		stop:        make(chan struct{}),
		done:        make(chan struct{}),
		onTick:      opts.onTick,
	}
	switch {
	case opts.Cash < 0 || opts.Cash > maxMoney:
		return nil, fmt.Errorf("paper: starting cash %d out of range", opts.Cash)
	case e.commission > ppmScale:
		return nil, fmt.Errorf("paper: commission rate %d ppm is over 100%%", e.commission)
	case e.sellTax > ppmScale:
		return nil, fmt.Errorf("paper: sell tax rate %d ppm is over 100%%", e.sellTax)
	case e.tick < 0:
		return nil, fmt.Errorf("paper: negative tick %s", e.tick)
	}
	if e.tick == 0 {
		e.tick = DefaultTick
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.cal == nil {
		cal, err := broker.NewCalendar(nil)
		if err != nil {
			return nil, fmt.Errorf("paper: calendar: %w", err)
		}
		e.cal = cal
	}
	// A market exists from the start (tests restore into it); fresh or
	// restore replaces its account.
	e.m = e.newMarket(e.clk.Now(), 1, 0)
	return e, nil
}

// newMarket makes the simulated market with the exchange's rules: KRX
// sessions with market hours, else days that turn at midnight KST.
func (e *Exchange) newMarket(now time.Time, seed, cash int64) *market.Market {
	var sessions market.Sessions = market.Midnight{}
	if e.marketHours {
		sessions = market.NewKRX(e.cal)
	}
	m := market.New(market.Config{
		Name:           "paper",
		Instruments:    instruments(),
		Sessions:       sessions,
		Tick:           e.tick,
		Frozen:         e.frozen,
		CommissionRate: e.commission,
		SellTaxRate:    e.sellTax,
		IDFormat:       "P%07d",
		HistoryDays:    historyDays,
		OnEvent:        e.onEvent,
		Log:            e.log,
	}, now, seed, cash)
	return m
}

// fresh opens a new account: the starting cash, the listings at their
// reference prices, and the walk seeded (randomly when seed is 0).
func (e *Exchange) fresh(seed, cash int64, now time.Time) {
	if cash == 0 {
		cash = DefaultCash
	}
	e.m = e.newMarket(now, seed, cash)
}

// rate resolves a fee option: 0 is the default, negative is none.
func rate(v, def int64) int64 {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}

// run is the Exchange's one goroutine: on each tick of the clock it brings
// the walk up to date, so open orders fill and day orders expire while no
// one is asking, and saves when they did.
func (e *Exchange) run(t clock.Ticker) {
	defer close(e.done)
	defer t.Stop()
	for {
		select {
		case <-e.stop:
			return
		case <-t.C():
			e.mu.Lock()
			var snap *snapshot
			now := e.clk.Now()
			if e.advanceLocked(now) > 0 {
				snap = e.snapshotLocked()
			}
			var candles []byte
			if m := now.Truncate(time.Minute); m.After(e.candlesAt) {
				e.candlesAt, candles = m, e.candlesLocked(now)
			}
			e.mu.Unlock()
			e.save(snap)
			e.saveCandles(candles)
			if e.onTick != nil {
				e.onTick()
			}
		}
	}
}

// Close stops the goroutine, brings the walk up to the clock and saves the
// state, returning the save's error. Calls after Close fail.
func (e *Exchange) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	e.mu.Unlock()
	close(e.stop)
	<-e.done
	e.mu.Lock()
	now := e.clk.Now()
	e.advanceLocked(now)
	snap := e.snapshotLocked()
	candles := e.candlesLocked(now)
	e.mu.Unlock()
	err := e.save(snap)
	e.saveCandles(candles)
	e.subs.closeAll(&e.mu)
	return err
}

// Name is "paper".
func (e *Exchange) Name() string { return "paper" }

// Seed returns the walk's seed, the one chosen when Options.Seed was 0, so
// the start-up banner can show it and HOGA_PAPER_SEED can repeat the run.
func (e *Exchange) Seed() int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.m.Seed
}

// Stats are the account's running totals.
type Stats struct {
	Seed        int64
	InitialCash int64
	// Realized is the trading result of sells against the average cost
	// of the shares sold, before fees: Σ (sell amount − average cost).
	Realized int64
	// Commission is all commission paid, on buys and sells; Tax all sell
	// tax paid.
	Commission int64
	Tax        int64
}

// Net is the realised result after all fees paid so far.
func (s Stats) Net() int64 { return s.Realized - s.Commission - s.Tax }

// Stats returns the running totals. They satisfy
// Cash + Σ position cost = InitialCash + Realized − Commission − Tax.
func (e *Exchange) Stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	m := e.m
	return Stats{Seed: m.Seed, InitialCash: m.InitialCash, Realized: m.Realized, Commission: m.PaidComm, Tax: m.PaidTax}
}

// SetFrozen stops (true) or restarts (false) the walk. Time keeps passing
// while frozen — days turn over and day orders expire — but prices change
// only by SetPrice, and no random numbers are drawn.
func (e *Exchange) SetFrozen(frozen bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.advanceLocked(e.clk.Now())
	e.m.Frozen = frozen
}

// SetPrice makes code trade at price now, for tests and demonstrations:
// open orders are checked against it at once, and the walk (unless frozen)
// continues from it and reverts to it. A price outside today's ±30% limits
// starts a new base, as after a corporate action: PrevClose, Open, High and
// Low become the price. Errors: NotFound, Invalid (off the tick grid).
func (e *Exchange) SetPrice(code broker.Code, price int64) error {
	i, ok := e.m.Lookup(code)
	if !ok {
		return notFound(code)
	}
	if err := broker.CheckTick(price); err != nil {
		return err
	}
	if price > maxPrice {
		return (&broker.Error{Kind: broker.Invalid, Code: "paper", Msg: fmt.Sprintf("price %d is above %d", price, maxPrice)}).Saying("paper.price_max", price, int64(maxPrice))
	}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return errClosed
	}
	now := e.clk.Now()
	events := e.advanceLocked(now)
	b := &e.m.Books[i]
	b.Ref = price
	if price > b.Upper() || price < b.Lower() {
		b.Price = price
		b.NewDay()
	}
	b.Derive()
	events += e.m.SetPrice(now, code, price)
	var snap *snapshot
	if events > 0 {
		snap = e.snapshotLocked()
	}
	e.mu.Unlock()
	e.save(snap)
	return nil
}

// Quote returns code's current price. Errors: NotFound.
func (e *Exchange) Quote(ctx context.Context, code broker.Code) (broker.Quote, error) {
	if err := ctx.Err(); err != nil {
		return broker.Quote{}, fmt.Errorf("paper: quote %s: %w", code, err)
	}
	i, ok := e.m.Lookup(code)
	if !ok {
		return broker.Quote{}, notFound(code)
	}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return broker.Quote{}, errClosed
	}
	now := e.clk.Now()
	var snap *snapshot
	if e.advanceLocked(now) > 0 {
		snap = e.snapshotLocked()
	}
	q := e.m.Books[i].Quote(e.m.Instruments[i], now)
	e.mu.Unlock()
	e.save(snap)
	return q, nil
}

var errClosed = &broker.Error{Kind: broker.Internal, Code: "paper", Msg: "the paper exchange is closed"}

func notFound(code broker.Code) error {
	return (&broker.Error{Kind: broker.NotFound, Code: "paper", Msg: fmt.Sprintf("stock %s is not listed on the paper exchange", code)}).Saying("market.not_listed", string(code))
}

var _ broker.Charter = (*Exchange)(nil)

// MinuteCandles returns today's minute candles of code from the exchange's
// own record (broker.Charter): every minute since the day began (KRX's
// day with market hours, midnight KST otherwise) in which the walk moved,
// SetPrice traded or an order filled. The record is kept in CandlesFile
// (once a minute and at Close), so a restart the same day keeps the
// chart. Errors: NotFound.
func (e *Exchange) MinuteCandles(ctx context.Context, code broker.Code) ([]broker.Candle, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("paper: candles %s: %w", code, err)
	}
	if _, ok := e.m.Lookup(code); !ok {
		return nil, notFound(code)
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
	cs := e.m.Candles(now, code)
	e.mu.Unlock()
	e.save(snap)
	return cs, nil
}
