package exits

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
	"github.com/hoga-trade/hoga/strategy"
)

// DefaultInterval is how often exits are checked. A stop is worth
// checking more often than a threshold rule, but one quote per watched
// stock per second still stays inside every broker's rate limit for a
// handful of positions; codes the stream carries cost no request.
const DefaultInterval = time.Second

// BalanceEvery is how long a balance (average prices, held quantities)
// is reused between rounds; a trigger always fetches a fresh one before
// it sells.
const BalanceEvery = 30 * time.Second

// MaxFailures is how many refused orders in a row turn an exit off.
const MaxFailures = 3

// StreamAge is how old the stream's last trade of a code may be and still
// stand for its price; older, the code is quoted.
const StreamAge = 10 * time.Second

// Ticks is the realtime stream's last trade per code (broker.TickBook).
// Exits read the book instead of draining it, so the strategy engine keeps
// its wake-ups.
type Ticks interface {
	Last(code broker.Code) (broker.Tick, bool)
	Streaming(code broker.Code) bool
}

// Options configures New. Zero values take the defaults noted.
type Options struct {
	// Broker places the sells and reports the balance: the guarded broker,
	// so an exit's order takes the checked, journaled path. Required.
	Broker broker.Broker
	// Store keeps the exits and their state (the SQLite settings table);
	// nil keeps them in memory only.
	Store Settings
	// Ticks, when set, supplies prices for the codes it streams.
	Ticks Ticks
	// Marketable sends a limit order SlipBP below the trigger price
	// instead of a market order (HOGA_EXIT_ORDER=limit): a cap on how bad
	// a fill in a thin book can be, at the cost of maybe not filling.
	Marketable bool
	// SlipBP is the marketable limit's distance below the price, in basis
	// points; 100 (1 %) when 0.
	SlipBP int64
	// Interval is the check interval; DefaultInterval when 0.
	Interval time.Duration
	// Calendar and MarketHours: with MarketHours, exits are checked only
	// in the continuous session of a KRX trading day.
	Calendar    *broker.Calendar
	MarketHours bool
	// Halted reports the kill switch: while on, exits neither trigger nor
	// disarm. Nil means never halted.
	Halted func() bool
	// FileExits are the rules file's exits (HOGA_RULES_FILE, ParseFile)
	// and FromFile says a file is configured. The first Check applies
	// them: a new or changed one is armed (or waits for its stock to be
	// held); one that fired or turned off is armed again when its stock is
	// held; one armed carries on (its high, a stop found crossed on
	// restart); a chat edit or delete stands until the file's exit
	// changes; an exit the file no longer has is removed, unless the chat
	// edited it. Without FromFile, exits that came from a file are kept as
	// they are.
	FileExits []Exit
	FromFile  bool
	// OnEvent receives every event, on the checking goroutine; it must
	// not block nor call back into the Book.
	OnEvent func(Event)
	// Clock is the time source; nil is the wall clock.
	Clock  clock.Clock
	Logger *slog.Logger
}

// EventKind names what an exit did.
type EventKind string

// Events.
const (
	// EventFired: the exit triggered and its sell was placed.
	EventFired EventKind = "fired"
	// EventRefused: the sell was refused before reaching the market; the
	// exit stays armed and tries again next round (MaxFailures turn it off).
	EventRefused EventKind = "refused"
	// EventUnknown: the sell's outcome is unknown; the guard reconciles it
	// and the exit stays off (never sent twice).
	EventUnknown EventKind = "unknown"
	// EventOff: the exit turned itself off (Reason: position gone, too
	// many refusals, another exit of the stock fired).
	EventOff EventKind = "off"
	// EventCommitted: the exit triggered but every held share is already
	// committed to open sells; it stays armed.
	EventCommitted EventKind = "committed"
	// EventArmed: an exit from the rules file that waited for its stock
	// is armed now that the stock is held.
	EventArmed EventKind = "armed"
)

// Event is one thing an exit did, for the alert feed.
type Event struct {
	Kind EventKind
	Time time.Time
	Exit Exit
	Name string
	// Price is the price that triggered; Level the exit's trigger price
	// then; Avg the position's average price; High a trail's high.
	Price, Level, Avg, High int64
	// Request and Order are the sell and the broker's answer.
	Request broker.OrderRequest
	Order   broker.Order
	Err     error
	// Reason is the Off* constant for EventOff.
	Reason string
	// OnRestart: the price was already past the level when hoga started
	// (it was down at the crossing).
	OnRestart bool
}

// Status is an exit with its state and current level, for /exits.
type Status struct {
	Exit
	State
	// Level is the trigger price now (0 when unknown: no position or no
	// price yet).
	Level int64
	Avg   int64
	// FromFile: the exit is the rules file's (edited from the chat or
	// not).
	FromFile bool
	// Source is who set the exit's current level: SourceFile for the
	// file's own, SourceChat or SourceHTTP for one armed (or a file's
	// exit edited) from there.
	Source Source
}

// Book keeps the exits, checks them and fires them. It is safe for
// concurrent use; Run checks until its context ends.
type Book struct {
	opts  Options
	store Settings
	clk   clock.Clock
	log   *slog.Logger

	// checkMu serialises a check (price, decision, order, state) with
	// chat edits. Lock order: checkMu, then mu.
	checkMu sync.Mutex
	mu      sync.Mutex
	recs    map[string]*record
	// tombs are the file's exits deleted from the chat, by key.
	tombs map[string]record
	// declared: the rules file's exits were applied (the first Check).
	declared bool
	// restored: exits loaded from the store and not yet checked by this
	// process; a trigger on such an exit was found on restart.
	restored map[string]bool
	names    map[broker.Code]string
	// committed: exits whose "all shares committed" was said.
	committed map[string]bool
	bal       broker.Balance
	balAt     time.Time
	haveBal   bool
	// rounds counts the checks done (Rounds).
	rounds atomic.Int64
}

// New loads the stored exits.
func New(opts Options) (*Book, error) {
	if opts.Broker == nil {
		return nil, errors.New("exits: Options.Broker is required")
	}
	if opts.Store == nil {
		opts.Store = NewMemSettings()
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	if opts.SlipBP <= 0 {
		opts.SlipBP = 100
	}
	if opts.Halted == nil {
		opts.Halted = func() bool { return false }
	}
	if opts.MarketHours && opts.Calendar == nil {
		cal, err := broker.NewCalendar(nil)
		if err != nil {
			return nil, err
		}
		opts.Calendar = cal
	}
	b := &Book{opts: opts, store: opts.Store, clk: clock.Or(opts.Clock), log: opts.Logger,
		recs: map[string]*record{}, tombs: map[string]record{}, restored: map[string]bool{}, names: map[broker.Code]string{}, committed: map[string]bool{}}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	recs, err := loadRecords(context.Background(), b.store)
	if err != nil {
		return nil, err
	}
	for i := range recs {
		r := recs[i]
		if r.Deleted {
			b.tombs[r.Exit.key()] = r
			continue
		}
		b.recs[r.Exit.key()] = &r
		if r.State.Armed {
			b.restored[r.Exit.key()] = true
		}
	}
	return b, nil
}

// Put arms x for src (who asked: SourceChat or SourceHTTP), replacing the
// exit of the same kind on the stock (its high and history start
// afresh). It refuses an exit on a stock not held: exits protect
// positions.
func (b *Book) Put(ctx context.Context, x Exit, src Source) error {
	_, err := b.PutOnce(ctx, x, "", src)
	return err
}

// ErrKeyReused is PutOnce's answer to a key that set a different exit.
var ErrKeyReused = errors.New("exits: the idempotency key set a different exit")

// PutOnce is Put for a request that may be retried (POST /exits with an
// Idempotency-Key): when the stored exit of x's code and kind was set by
// the same key and is x, it is left as it is (armed, fired or off — a
// retry never re-arms a stop that has sold) and replayed is true; a key
// that set a different exit is ErrKeyReused. key "" is Put.
func (b *Book) PutOnce(ctx context.Context, x Exit, key string, src Source) (replayed bool, err error) {
	if err := x.Validate(); err != nil {
		return false, err
	}
	if src != SourceChat && src != SourceHTTP {
		// The file's exits come through Options.FileExits; anything else
		// would be shown as someone it was not.
		return false, broker.Errorf(broker.Invalid, "exit %s: source %q must be chat or http", x, src)
	}
	hk := ""
	if key != "" {
		sum := sha256.Sum256([]byte(key))
		hk = hex.EncodeToString(sum[:16])
		b.mu.Lock()
		var same, other bool
		for _, r := range b.recs {
			if r.Key == hk {
				if r.Exit == x {
					same = true
				} else {
					other = true
				}
			}
		}
		b.mu.Unlock()
		if same {
			return true, nil
		}
		if other {
			return false, ErrKeyReused
		}
	}
	bal, err := b.opts.Broker.Balance(ctx)
	if err != nil {
		return false, fmt.Errorf("exits: balance: %w", err)
	}
	if p, ok := bal.Position(x.Code); !ok || p.Qty <= 0 {
		return false, &broker.Error{Kind: broker.NotFound, Msg: fmt.Sprintf("no holding of %s to protect", x.Code)}
	}
	b.checkMu.Lock()
	defer b.checkMu.Unlock()
	b.declareFirst(ctx)
	r := record{Exit: x, State: State{Armed: true}, Key: hk, Source: src}
	b.mu.Lock()
	// A chat edit of the file's exit remembers which file exit it
	// overrides: the file wins again only when that changes.
	if old, ok := b.recs[x.key()]; ok {
		r.File = old.File
	} else if t, ok := b.tombs[x.key()]; ok {
		r.File = t.File
	}
	b.mu.Unlock()
	if err := saveRecord(ctx, b.store, r); err != nil {
		return false, err
	}
	b.mu.Lock()
	b.recs[x.key()] = &r
	delete(b.tombs, x.key())
	delete(b.restored, x.key())
	delete(b.committed, x.key())
	b.bal, b.balAt, b.haveBal = bal, b.clk.Now(), true
	b.mu.Unlock()
	b.log.Info("exit armed", "exit", x.String(), "source", src)
	return false, nil
}

// Delete removes the exit of kind on code; kind "" removes all of code's.
// NotFound when there is none.
func (b *Book) Delete(ctx context.Context, code broker.Code, kind Kind) error {
	b.checkMu.Lock()
	defer b.checkMu.Unlock()
	b.declareFirst(ctx)
	b.mu.Lock()
	var keys []string
	files := map[string]*Exit{}
	for k, r := range b.recs {
		if r.Exit.Code == code && (kind == "" || r.Exit.Kind == kind) {
			keys = append(keys, k)
			files[k] = r.File
		}
	}
	b.mu.Unlock()
	if len(keys) == 0 {
		return &broker.Error{Kind: broker.NotFound, Msg: fmt.Sprintf("no exit on %s", code)}
	}
	for _, k := range keys {
		if f := files[k]; f != nil {
			// The file's exit: remembered as deleted, so a restart does
			// not bring it back until the file's exit changes.
			t := record{Exit: *f, File: f, Deleted: true}
			if err := saveRecord(ctx, b.store, t); err != nil {
				return fmt.Errorf("exits: delete %s: %w", k, err)
			}
			b.mu.Lock()
			b.tombs[k] = t
			b.mu.Unlock()
		} else if err := b.store.DeleteSetting(ctx, keyPrefix+k); err != nil {
			return fmt.Errorf("exits: delete %s: %w", k, err)
		}
		b.mu.Lock()
		delete(b.recs, k)
		delete(b.restored, k)
		b.mu.Unlock()
	}
	b.log.Info("exits deleted", "code", code, "kind", kind, "n", len(keys))
	return nil
}

// List returns every exit with its state, sorted by code then kind.
func (b *Book) List(ctx context.Context) ([]Status, error) {
	b.checkMu.Lock()
	b.declareFirst(ctx)
	b.checkMu.Unlock()
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]Status, 0, len(b.recs))
	for _, r := range b.recs {
		s := Status{Exit: r.Exit, State: r.State, FromFile: r.File != nil, Source: r.source()}
		if b.haveBal {
			if p, ok := b.bal.Position(r.Exit.Code); ok {
				s.Avg = p.AvgPrice
			}
		}
		s.Level = r.Exit.Level(s.Avg, r.State.High)
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Exit.key() < out[j].Exit.key() })
	return out, nil
}

// Armed lists the armed exits of code, for the chart's lines.
func (b *Book) Armed(code broker.Code) []Status {
	all, _ := b.List(context.Background())
	var out []Status
	for _, s := range all {
		if s.Code == code && s.Armed {
			out = append(out, s)
		}
	}
	return out
}

// Run checks the exits every Interval until ctx ends.
func (b *Book) Run(ctx context.Context) error {
	b.log.Info("exits started", "interval", b.opts.Interval, "marketable", b.opts.Marketable)
	for {
		b.Check(ctx)
		b.rounds.Add(1)
		select {
		case <-ctx.Done():
			return nil
		case <-b.clk.After(b.opts.Interval):
		}
	}
}

// Rounds is how many checks Run has done (halted or out-of-session ones
// too): a test on a fake clock waits on it to know a round has passed.
func (b *Book) Rounds() int64 { return b.rounds.Load() }

// Check is one round: every armed exit against its stock's price. It
// does nothing while halted or, with MarketHours, outside the continuous
// session.
func (b *Book) Check(ctx context.Context) {
	b.checkMu.Lock()
	defer b.checkMu.Unlock()
	if !b.isDeclared() {
		// The file's exits first, halted or not and at any hour: they
		// place nothing, and /exits should show them from the start.
		if err := b.declare(ctx); err != nil {
			if ctx.Err() != nil {
				return // stopping: the next start declares them
			}
			b.log.Warn("exits: the rules file's exits wait for a balance; trying next round", "err", err)
			return
		}
	}
	if b.opts.Halted() {
		return
	}
	if b.opts.MarketHours && !b.opts.Calendar.InContinuous(b.clk.Now()) {
		return
	}
	codes := b.armedCodes()
	waiting := b.waiting()
	if len(codes) == 0 && len(waiting) == 0 {
		return
	}
	bal, err := b.balance(ctx, false)
	if err != nil {
		if ctx.Err() != nil {
			return // stopping, not a failure: no warning at a normal exit
		}
		b.log.Warn("exits: balance failed; checking next round", "err", err)
		return
	}
	if b.wake(ctx, bal, waiting) {
		codes = b.armedCodes()
	}
	for _, code := range codes {
		if ctx.Err() != nil || b.opts.Halted() {
			return
		}
		pos, held := bal.Position(code)
		if !held || pos.Qty <= 0 {
			// The cached balance may be old: make sure before turning off.
			if bal, err = b.balance(ctx, true); err != nil {
				return
			}
			if pos, held = bal.Position(code); !held || pos.Qty <= 0 {
				b.gone(ctx, code)
				continue
			}
		}
		price, name, ok := b.price(ctx, code)
		if !ok {
			continue
		}
		b.checkCode(ctx, code, name, price, pos)
	}
}

func (b *Book) armedCodes() []broker.Code {
	b.mu.Lock()
	defer b.mu.Unlock()
	seen := map[broker.Code]bool{}
	var out []broker.Code
	for _, r := range b.recs {
		if r.State.Armed && !seen[r.Exit.Code] {
			seen[r.Exit.Code] = true
			out = append(out, r.Exit.Code)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// balance returns the cached balance, or a fresh one when it is older
// than BalanceEvery or fresh is asked for.
func (b *Book) balance(ctx context.Context, fresh bool) (broker.Balance, error) {
	now := b.clk.Now()
	b.mu.Lock()
	if b.haveBal && !fresh && now.Sub(b.balAt) < BalanceEvery {
		bal := b.bal
		b.mu.Unlock()
		return bal, nil
	}
	b.mu.Unlock()
	bal, err := b.opts.Broker.Balance(ctx)
	if err != nil {
		return broker.Balance{}, err
	}
	b.mu.Lock()
	b.bal, b.balAt, b.haveBal = bal, now, true
	b.mu.Unlock()
	return bal, nil
}

// price is code's price: the stream's last trade when it streams the code
// and the trade is recent, a quote otherwise.
func (b *Book) price(ctx context.Context, code broker.Code) (int64, string, bool) {
	b.mu.Lock()
	name := b.names[code]
	b.mu.Unlock()
	if t := b.opts.Ticks; t != nil && t.Streaming(code) {
		if tk, ok := t.Last(code); ok && tk.Price > 0 && b.clk.Now().Sub(tk.Received) < StreamAge {
			return tk.Price, name, true
		}
	}
	q, err := b.opts.Broker.Quote(ctx, code)
	if err != nil || q.Price <= 0 {
		if ctx.Err() != nil {
			return 0, "", false
		}
		b.log.Warn("exits: quote failed", "code", code, "err", err)
		return 0, "", false
	}
	if q.Name != "" {
		b.mu.Lock()
		b.names[code] = q.Name
		b.mu.Unlock()
		name = q.Name
	}
	return q.Price, name, true
}

// gone turns off the armed exits of a code no longer held; the rules
// file's wait for the stock to be held again.
func (b *Book) gone(ctx context.Context, code broker.Code) {
	for _, r := range b.armed(code) {
		st := r.State
		st.Armed, st.Off = false, OffGone
		if r.File != nil {
			st.Off = OffNotHeld
		}
		b.save(ctx, r.Exit, st)
		b.log.Info("exit off: position gone", "exit", r.Exit.String(), "waits", r.File != nil)
		b.emit(Event{Kind: EventOff, Exit: r.Exit, Reason: st.Off, Name: b.nameOf(code)})
	}
}

func (b *Book) nameOf(code broker.Code) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.names[code]
}

// armed returns copies of code's armed exits, stop before take before
// trail: when two trigger on one price, the stop's reason is told.
func (b *Book) armed(code broker.Code) []record {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []record
	for _, r := range b.recs {
		if r.Exit.Code == code && r.State.Armed {
			out = append(out, *r)
		}
	}
	order := map[Kind]int{Stop: 0, Take: 1, Trail: 2}
	sort.Slice(out, func(i, j int) bool { return order[out[i].Exit.Kind] < order[out[j].Exit.Kind] })
	return out
}

// save keeps st in memory and, when it changed more than the last price,
// in the store. A failed write is logged: the caller that needs
// durability (fire) uses saveDurable.
func (b *Book) save(ctx context.Context, x Exit, st State) {
	b.mu.Lock()
	r, ok := b.recs[x.key()]
	if !ok || r.Exit != x {
		b.mu.Unlock()
		return // deleted or replaced meanwhile
	}
	prev := r.State
	r.State = st
	full := *r
	b.mu.Unlock()
	prev.LastPrice, st.LastPrice = 0, 0
	if prev == st {
		return
	}
	if err := saveRecord(ctx, b.store, full); err != nil {
		b.log.Error("exit state not saved", "exit", x.String(), "err", err)
	}
}

// checkCode decides code's exits on price.
func (b *Book) checkCode(ctx context.Context, code broker.Code, name string, price int64, pos broker.Position) {
	for _, r := range b.armed(code) {
		st := r.State
		st.LastPrice = price
		if r.Exit.Kind == Trail && price > st.High {
			st.High = price // the high-water mark, durable: a restart keeps following it
		}
		level := r.Exit.Level(pos.AvgPrice, st.High)
		b.mu.Lock()
		restored := b.restored[r.Exit.key()]
		delete(b.restored, r.Exit.key())
		b.mu.Unlock()
		if !r.Exit.Crossed(price, r.Exit.trigger(pos.AvgPrice, st.High)) {
			b.save(ctx, r.Exit, st)
			continue
		}
		ev := Event{Exit: r.Exit, Name: name, Price: price, Level: level, Avg: pos.AvgPrice, High: st.High, OnRestart: restored}
		if b.fire(ctx, r.Exit, st, ev) {
			return // the position is sold: the others of the code are off
		}
	}
}

// fire sells for a triggered exit: a fresh balance for the quantity not
// committed, the exit disarmed durably, then the order. It reports
// whether the sell went out (or may have).
func (b *Book) fire(ctx context.Context, x Exit, st State, ev Event) bool {
	bal, err := b.balance(ctx, true)
	if err != nil {
		b.log.Warn("exit triggered but the balance failed; trying next round", "exit", x.String(), "err", err)
		b.save(ctx, x, st)
		return false
	}
	pos, _ := bal.Position(x.Code)
	if pos.Qty <= 0 {
		b.gone(ctx, x.Code)
		return true
	}
	if pos.Sellable <= 0 {
		b.save(ctx, x, st)
		b.mu.Lock()
		said := b.committed[x.key()]
		b.committed[x.key()] = true
		b.mu.Unlock()
		if !said { // say it once, not every round
			b.log.Info("exit triggered but all shares are committed to open sells", "exit", x.String())
			ev.Kind = EventCommitted
			b.emit(ev)
		}
		return false
	}
	req := broker.OrderRequest{Code: x.Code, Side: broker.Sell, Type: broker.Market, Qty: pos.Sellable,
		Source: strategy.Source, User: broker.ExitUserPrefix + string(x.Code) + ":" + string(x.Kind)}
	if b.opts.Marketable {
		req.Type = broker.Limit
		req.Price = broker.SnapUp(floorDiv(ev.Price*(10000-b.opts.SlipBP), 10000))
	}
	ev.Request = req

	fired := st
	fired.Armed, fired.Off = false, OffFired
	fired.Fired, fired.FiredAt = b.clk.Now().UTC().Format(time.RFC3339), ev.Price
	// Disarm durably before the order: a crash between the two loses at
	// most this order, never sends it twice.
	if err := saveRecord(ctx, b.store, b.withState(x, fired)); err != nil {
		b.log.Error("exit triggered but its state could not be saved; not selling", "exit", x.String(), "err", err)
		ev.Kind, ev.Err = EventRefused, &broker.Error{Kind: broker.Internal, Msg: "exit state could not be saved, so no order was sent", Err: err}
		st.Failures++
		b.afterRefusal(ctx, x, st, ev)
		return false
	}
	b.mu.Lock()
	if r, ok := b.recs[x.key()]; ok && r.Exit == x {
		r.State = fired
	}
	b.mu.Unlock()

	b.log.Info("exit triggered", "exit", x.String(), "price", ev.Price, "level", ev.Level, "qty", req.Qty, "on_restart", ev.OnRestart)
	octx, cancel := context.WithTimeout(context.WithoutCancel(ctx), strategy.OrderTimeout)
	o, err := b.opts.Broker.PlaceOrder(octx, req)
	cancel()
	ev.Order, ev.Err = o, err
	ctx = context.WithoutCancel(ctx) // the order happened: record it
	switch strategy.Classify(err) {
	case strategy.OutPlaced:
		fired.OrderID, fired.Failures = o.ID, 0
		b.save(ctx, x, fired)
		ev.Kind = EventFired
		b.emit(ev)
		b.siblingsOff(ctx, x)
		return true
	case strategy.OutUnknown:
		fired.Off = OffUnknown
		b.save(ctx, x, fired)
		ev.Kind = EventUnknown
		b.emit(ev)
		b.siblingsOff(ctx, x)
		return true
	case strategy.OutHalted:
		// The kill switch came on between the check and the order: stay
		// armed, quietly; the halt has its own alert.
		st.Failures = 0
		b.saveForce(ctx, x, st)
		return false
	default: // not sent, or a risk limit
		st.Failures++
		ev.Kind = EventRefused
		b.afterRefusal(ctx, x, st, ev)
		return false
	}
}

// afterRefusal re-arms an exit whose sell was refused, or turns it off
// after MaxFailures.
func (b *Book) afterRefusal(ctx context.Context, x Exit, st State, ev Event) {
	st.Armed = true
	if st.Failures >= MaxFailures {
		st.Armed, st.Off = false, OffFailures
	}
	b.saveForce(ctx, x, st)
	b.log.Warn("exit sell refused", "exit", x.String(), "err", ev.Err, "failures", st.Failures)
	b.emit(ev)
	if !st.Armed {
		b.emit(Event{Kind: EventOff, Exit: x, Name: ev.Name, Reason: OffFailures, Err: ev.Err})
	}
}

// withState is x's record with st: what it came from (File, Source) and
// the key that set it (Key) kept, as every stored state must keep them.
func (b *Book) withState(x Exit, st State) record {
	b.mu.Lock()
	defer b.mu.Unlock()
	r := record{Exit: x, State: st}
	if cur, ok := b.recs[x.key()]; ok && cur.Exit == x {
		r.File, r.Key, r.Source = cur.File, cur.Key, cur.Source
	}
	return r
}

// saveForce stores st even if only counters changed.
func (b *Book) saveForce(ctx context.Context, x Exit, st State) {
	b.mu.Lock()
	if r, ok := b.recs[x.key()]; ok && r.Exit == x {
		r.State = st
	}
	b.mu.Unlock()
	if err := saveRecord(ctx, b.store, b.withState(x, st)); err != nil {
		b.log.Error("exit state not saved", "exit", x.String(), "err", err)
	}
}

// siblingsOff turns off the code's other armed exits once one has sold
// the position: one-cancels-the-others, so a take does not try to sell
// shares the stop already sold.
func (b *Book) siblingsOff(ctx context.Context, fired Exit) {
	for _, r := range b.armed(fired.Code) {
		st := r.State
		st.Armed, st.Off = false, OffSibling
		b.save(ctx, r.Exit, st)
	}
}

func (b *Book) emit(ev Event) {
	if ev.Time.IsZero() {
		ev.Time = b.clk.Now()
	}
	if b.opts.OnEvent != nil {
		b.opts.OnEvent(ev)
	}
}
