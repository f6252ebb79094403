package strategy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
)

// DefaultInterval is the polling interval (HOGA_STRATEGY_INTERVAL): one
// quote per rule every two seconds stays well inside every broker's rate
// limit for a handful of rules, and a threshold strategy gains nothing
// from reacting faster than a person could read the alert.
const DefaultInterval = 2 * time.Second

// OrderTimeout bounds one order (or confirmation prompt) the engine sends.
// The order runs on a context detached from Run's, so a shutdown does not
// abort an order half-sent (which would make its outcome unknown).
const OrderTimeout = 30 * time.Second

// PriceSource gives the current price of a stock. The engine polls it; a
// streaming source (a WebSocket feed keeping the last trade per code) can
// replace polling by implementing the same method from its cache.
type PriceSource interface {
	// Quote returns code's current price. Errors: NotFound, Auth,
	// RateLimited, Transient.
	Quote(ctx context.Context, code broker.Code) (broker.Quote, error)
}

// TickSource is a realtime price feed (broker.TickBook fed by a broker's
// WebSocket, or the paper exchange's own trades). With one, the engine
// acts on each trade as it arrives instead of waiting for the next round,
// and its rounds skip the codes the feed streams, so no quote is polled
// for them while the stream is up.
type TickSource interface {
	// Wake receives when ticks are waiting.
	Wake() <-chan struct{}
	// Drain returns the latest tick of each code updated since the last
	// call, without waiting.
	Drain() []broker.Tick
	// Streaming reports whether code's price arrives as ticks now (the
	// stream is up and the code is within the subscription limit).
	Streaming(code broker.Code) bool
}

// Asker asks the owner to confirm an order instead of placing it (rules
// with confirm: true). cmd/hoga wires it to the router's confirmation
// buttons on the alert feed.
type Asker interface {
	// Ask shows the confirmation prompt for req. An error means nobody
	// was asked; its *broker.Error Kind is treated like an order's.
	Ask(ctx context.Context, req broker.OrderRequest) error
}

// AskerFunc adapts a function to Asker.
type AskerFunc func(ctx context.Context, req broker.OrderRequest) error

// Ask calls f.
func (f AskerFunc) Ask(ctx context.Context, req broker.OrderRequest) error { return f(ctx, req) }

// Options configures New. Zero values take the defaults noted.
type Options struct {
	// Broker places the orders and reports the balance. Give it the
	// guarded broker (broker/guard), so the strategy's orders take the same
	// checked, journaled path as manual ones. Required.
	Broker broker.Broker
	// Prices supplies quotes; nil uses Broker.
	Prices PriceSource
	// Store keeps chat edits and rule state across restarts; nil keeps
	// them in memory only (NewMemStore).
	Store StateStore
	// RulesFile is the YAML rules file (HOGA_RULES_FILE); empty means no
	// file rules. A malformed file makes New fail with a *FileError.
	RulesFile string
	// Rules are base rules given directly instead of a file (tests, tools).
	Rules []Rule
	// Ticks, when set, drives the rules from a realtime feed; polling
	// stays for the codes it does not stream.
	Ticks TickSource
	// OnTickDecision, when set, is told how long each tick waited between
	// its frame being read and the rule's decision (tick→decision
	// latency), on the engine's clock.
	OnTickDecision func(time.Duration)
	// Interval is the polling interval; DefaultInterval when 0.
	Interval time.Duration
	// Calendar is the KRX calendar; nil means broker.NewCalendar(nil).
	Calendar *broker.Calendar
	// MarketHours limits each rule to continuous trading on its venue
	// (HOGA_MARKET_HOURS=krx): the regular day, or with `sessions:
	// extended` NXT's pre- and after-market too. False evaluates at any
	// hour.
	MarketHours bool
	// DefaultVenue is the venue of a rule that names none (HOGA_VENUE);
	// empty is KRX.
	DefaultVenue broker.Venue
	// Venues is what the account can trade on; a rule naming another
	// venue is refused when loaded or put. The zero value checks nothing.
	Venues broker.VenueSupport
	// Halted reports the kill switch; while it is on the engine does
	// nothing. Nil means never halted.
	Halted func() bool
	// Unattended reports that the owner cannot be reached (Telegram lost
	// for longer than HOGA_TELEGRAM_OFFLINE_AFTER): the engine pauses as
	// for a halt, but says so as its own reason, because the owner's
	// remedy differs (fix the connection, not /resume). Nil means never.
	Unattended func() bool
	// Committed reports the unfilled quantity of hoga's own open buy and
	// sell orders in a code (broker/tracker's Tracker.Committed). The
	// balance shows only filled shares: without this a rule whose buy is
	// still open would buy again past its max_position, and a sell could
	// offer shares an open sell already offers (issue 14). Nil: none.
	Committed func(broker.Code) (buying, selling int64)
	// Asker handles rules with confirm: true; without it such rules fail
	// to fire (and say so). Like OnEvent, it must not call back into the
	// engine.
	Asker Asker
	// OnEvent receives the engine's events in order, on the engine's
	// goroutine; it must not block for long, nor call the engine's
	// rule-editing methods (they wait for the evaluation that is
	// reporting). Nil drops them.
	OnEvent func(Event)
	// OnEvaluate, when set, is called once each time a rule is checked
	// against a fresh price (per rule per round whose quote arrived), for
	// the evaluations counter in metrics. It runs on the engine's
	// goroutine and must not block.
	OnEvaluate func()
	// Clock is the time source; nil is the wall clock.
	Clock clock.Clock
	// Logger receives the engine's log; nil discards.
	Logger *slog.Logger
}

// Engine runs the threshold rules. It implements the chat's rule book
// (bot.RuleBook) and is safe for concurrent use; Run evaluates the rules
// until its context ends.
type Engine struct {
	broker      broker.Broker
	prices      PriceSource
	store       StateStore
	interval    time.Duration
	cal         *broker.Calendar
	defVenue    broker.Venue
	venues      broker.VenueSupport
	marketHours bool
	halted      func() bool
	unattended  func() bool
	committed   func(broker.Code) (buying, selling int64)
	asker       Asker
	onEvent     func(Event)
	onEvaluate  func()
	ticks       TickSource
	onTickDec   func(time.Duration)
	names       map[broker.Code]string // last quoted name per code, for tick events
	clk         clock.Clock
	log         *slog.Logger

	// evalMu serialises one rule's evaluation (quote, decision, order,
	// state) with chat edits, so an edit never interleaves with an order
	// in flight and a fired leg's state is never overwritten by a stale
	// copy. Lock order: evalMu, then mu.
	evalMu sync.Mutex

	mu         sync.Mutex
	base       map[broker.Code]Rule // the file's rules
	rules      map[broker.Code]Rule // base overlaid with chat edits
	states     map[broker.Code]State
	quoteFails map[broker.Code]int
	balFails   int
	status     Activity
	// haltSeen: the kill switch (or unattended) was on at the last round
	// start. haltSaid: the reason EventHalted was last sent with for the
	// current pause; cleared by a resume or a placed order, so one pause
	// is announced once per reason even when only the guard (not
	// Options.Halted) reports it.
	haltSeen bool
	haltSaid string

	running atomic.Bool
}

// Activity is what the engine is doing, as Summary shows it and /status
// says it in the user's language.
type Activity string

// Engine activities.
const (
	ActivityStopped Activity = "not running"
	ActivityRunning Activity = "running"
	ActivityPaused  Activity = "paused (halted)"
	// ActivityUnattended: paused because no control surface works.
	ActivityUnattended Activity = "paused (owner unreachable)"
	ActivityClosed     Activity = "outside session"
)

// New loads the rules (file, then the chat's edits from the store) and
// their state. It fails on a malformed rules file (*FileError, one line per
// problem) or a store that cannot be read.
func New(opts Options) (*Engine, error) {
	if opts.Broker == nil {
		return nil, errors.New("strategy: Options.Broker is required")
	}
	if opts.RulesFile != "" && len(opts.Rules) > 0 {
		return nil, errors.New("strategy: give Options.RulesFile or Options.Rules, not both")
	}
	e := &Engine{
		broker:      opts.Broker,
		prices:      opts.Prices,
		store:       opts.Store,
		interval:    opts.Interval,
		cal:         opts.Calendar,
		marketHours: opts.MarketHours,
		defVenue:    opts.DefaultVenue.Or(broker.VenueKRX),
		venues:      opts.Venues,
		halted:      opts.Halted,
		unattended:  opts.Unattended,
		committed:   opts.Committed,
		asker:       opts.Asker,
		onEvent:     opts.OnEvent,
		onEvaluate:  opts.OnEvaluate,
		ticks:       opts.Ticks,
		onTickDec:   opts.OnTickDecision,
		names:       map[broker.Code]string{},
		clk:         clock.Or(opts.Clock),
		log:         opts.Logger,
		base:        map[broker.Code]Rule{},
		rules:       map[broker.Code]Rule{},
		states:      map[broker.Code]State{},
		quoteFails:  map[broker.Code]int{},
		status:      ActivityStopped,
	}
	if e.prices == nil {
		e.prices = opts.Broker
	}
	if e.store == nil {
		e.store = NewMemStore()
	}
	if e.interval <= 0 {
		e.interval = DefaultInterval
	}
	if e.cal == nil {
		cal, err := broker.NewCalendar(nil)
		if err != nil {
			return nil, err
		}
		e.cal = cal
	}
	if e.unattended == nil {
		e.unattended = func() bool { return false }
	}
	if e.halted == nil {
		e.halted = func() bool { return false }
	}
	if e.onEvaluate == nil {
		e.onEvaluate = func() {}
	}
	if e.onTickDec == nil {
		e.onTickDec = func(time.Duration) {}
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}

	base := opts.Rules
	if opts.RulesFile != "" {
		var err error
		if base, err = LoadRulesFile(opts.RulesFile); err != nil {
			return nil, err
		}
	}
	for _, r := range base {
		if err := CheckRule(r); err != nil {
			return nil, fmt.Errorf("strategy: %w", err)
		}
		if err := e.checkVenue(r); err != nil {
			return nil, fmt.Errorf("strategy: %w", err)
		}
		if _, dup := e.base[r.Code]; dup {
			return nil, fmt.Errorf("strategy: two rules for %s", r.Code)
		}
		e.base[r.Code] = r
		e.rules[r.Code] = r
	}
	if err := e.load(context.Background()); err != nil {
		return nil, err
	}
	return e, nil
}

// load applies the stored chat edits over the file's rules and reads the
// rules' state.
func (e *Engine) load(ctx context.Context) error {
	edits, err := e.store.LoadRules(ctx)
	if err != nil {
		return fmt.Errorf("strategy: load chat rules: %w", err)
	}
	for _, ed := range edits {
		fileRule, inFile := e.base[ed.Code]
		switch {
		case ed.Base == nil && inFile, ed.Base != nil && (!inFile || *ed.Base != fileRule):
			// The file changed for this code after the chat edit: the
			// newer intent wins.
			e.log.Info("rules file changed since the chat edit; using the file's rule", "code", ed.Code)
			if err := e.store.DeleteRule(ctx, ed.Code); err != nil {
				return fmt.Errorf("strategy: drop stale chat rule %s: %w", ed.Code, err)
			}
		case ed.Deleted:
			delete(e.rules, ed.Code)
		default:
			if err := CheckRule(ed.Rule); err != nil || ed.Rule.Code != ed.Code {
				e.log.Warn("ignoring an invalid stored chat rule", "code", ed.Code, "err", err)
				continue
			}
			e.rules[ed.Code] = ed.Rule
		}
	}
	states, err := e.store.LoadState(ctx)
	if err != nil {
		return fmt.Errorf("strategy: load rule state: %w", err)
	}
	for code, r := range e.rules {
		st, ok := states[code]
		if !ok {
			st = NewState()
		}
		e.states[code] = align(st, r)
	}
	return nil
}

// align makes a state's armed flags belong to the rule's thresholds: a
// leg whose threshold changed (an edit in the file or from chat) starts
// armed, as a new rule does; an unchanged one keeps its flag, so a restart
// or a re-put of the same rule does not buy the same dip again.
func align(st State, r Rule) State {
	if st.BuyBelow != r.BuyBelow {
		st.BuyBelow, st.BuyArmed = r.BuyBelow, true
	}
	if st.SellAbove != r.SellAbove {
		st.SellAbove, st.SellArmed = r.SellAbove, true
	}
	return st
}

// Run evaluates the rules every Interval until ctx ends, then returns nil.
// A round quotes each active rule's code in turn (one quote per code per
// round), fetches the balance at most once, and acts; a round that
// overruns the interval makes the next ones skip rather than pile up. It
// may run once at a time.
func (e *Engine) Run(ctx context.Context) error {
	if !e.running.CompareAndSwap(false, true) {
		return errors.New("strategy: Run is already running")
	}
	defer e.running.Store(false)
	defer e.setStatus(ActivityStopped)
	e.mu.Lock()
	n := len(e.rules)
	e.mu.Unlock()
	e.log.Info("strategy started", "rules", n, "interval", e.interval, "market_hours", e.marketHours)
	next := e.clk.Now()
	var wake <-chan struct{}
	if e.ticks != nil {
		wake = e.ticks.Wake()
	}
	for {
		e.round(ctx)
		now := e.clk.Now()
		for next = next.Add(e.interval); !next.After(now); next = next.Add(e.interval) {
		}
		timer := e.clk.Until(next) // the round's instant, whatever the clock did since now
	wait:
		for {
			select {
			case <-ctx.Done():
				timer.Stop()
				e.log.Info("strategy stopped")
				return nil
			case <-wake:
				e.onTicks(ctx, e.ticks.Drain())
			case <-timer.C():
				break wait
			}
		}
	}
}

// onTicks acts on the trades a feed delivered: each code with an active
// rule is decided at once on the trade's price, so a crossing is acted on
// at the first trade past the threshold.
func (e *Engine) onTicks(ctx context.Context, ticks []broker.Tick) {
	if len(ticks) == 0 || e.checkHalt() {
		return
	}
	now := e.clk.Now()
	if !e.anyInSession(now) {
		e.setStatus(ActivityClosed)
		return
	}
	e.setStatus(ActivityRunning)
	bal := &balanceCache{}
	for i := range ticks {
		if ctx.Err() != nil {
			return
		}
		if !e.codeInSession(ticks[i].Code, now) {
			continue
		}
		e.evaluateTick(ctx, ticks[i].Code, bal, &ticks[i])
	}
	if bal.done {
		e.noteBalance(bal.err)
	}
}

func (e *Engine) setStatus(s Activity) {
	e.mu.Lock()
	e.status = s
	e.mu.Unlock()
}

// Activity reports what the engine is doing now.
func (e *Engine) Activity() Activity {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.status
}

// Pause reasons, as EventHalted's Reason carries them.
const (
	PauseHalted     = "halted"
	PauseUnattended = "unattended"
)

// pauseReason says why the engine must not place orders now, "" when it
// may. The kill switch wins: its remedy (/resume) is the owner's to give.
func (e *Engine) pauseReason() string {
	switch {
	case e.halted():
		return PauseHalted
	case e.unattended():
		return PauseUnattended
	}
	return ""
}

// pause records that the engine is paused and announces it once per
// reason.
func (e *Engine) pause(reason string) {
	e.mu.Lock()
	e.status = ActivityPaused
	if reason == PauseUnattended {
		e.status = ActivityUnattended
	}
	say := e.haltSaid != reason
	e.haltSaid = reason
	e.mu.Unlock()
	if say {
		e.log.Info("strategy paused", "reason", reason)
		e.emit(Event{Kind: EventHalted, Reason: reason})
	}
}

// checkHalt consults Options.Halted and Options.Unattended at the start
// of a round.
func (e *Engine) checkHalt() bool {
	reason := e.pauseReason()
	on := reason != ""
	e.mu.Lock()
	was := e.haltSeen
	e.haltSeen = on
	if was && !on {
		e.haltSaid = ""
	}
	e.mu.Unlock()
	if on {
		e.pause(reason)
	} else if was {
		e.log.Info("strategy resumed")
	}
	return on
}

func (e *Engine) emit(ev Event) {
	if ev.Time.IsZero() {
		ev.Time = e.clk.Now()
	}
	if e.onEvent != nil {
		e.onEvent(ev)
	}
}

// round is one evaluation of every active rule.
func (e *Engine) round(ctx context.Context) {
	if e.checkHalt() {
		return
	}
	now := e.clk.Now()
	if !e.anyInSession(now) {
		e.setStatus(ActivityClosed)
		return
	}
	e.setStatus(ActivityRunning)
	bal := &balanceCache{}
	for _, code := range e.activeCodes() {
		if ctx.Err() != nil {
			return
		}
		if !e.codeInSession(code, now) {
			continue
		}
		if e.ticks != nil && e.ticks.Streaming(code) && !e.nxtQuoted(code, now) {
			continue // its trades arrive as ticks; no polling
		}
		if reason := e.pauseReason(); reason != "" {
			e.pause(reason)
			return
		}
		e.evaluate(ctx, code, bal)
	}
	if bal.done {
		e.noteBalance(bal.err)
	}
}

// activeCodes lists the rules to evaluate: on, and not turned off by
// errors. Sorted, so rounds are reproducible.
// checkVenue refuses a rule whose venue the account cannot trade on, and
// an extended rule whose orders would go to KRX (HOGA_VENUE=krx), whose
// off-hours sessions take only their own order types.
func (e *Engine) checkVenue(r Rule) error {
	v := r.Venue.Or(e.defVenue)
	if e.venues != (broker.VenueSupport{}) && !e.venues.Supports(v) {
		return broker.Errorf(broker.Invalid, "rule %s: this account cannot send orders to %s (mock accounts trade on KRX only)", r.Code, v)
	}
	if r.Extended && !v.ReachesNXT() {
		return broker.Errorf(broker.Invalid, "rule %s: sessions: extended needs venue nxt or sor; its orders would go to %s, whose off-hours sessions take only their own order types", r.Code, v)
	}
	return nil
}

// inSession reports whether rule r may act at now: at any hour without
// MarketHours, else in continuous trading on its venue, in the regular
// sessions only unless it is extended.
func (e *Engine) inSession(r Rule, now time.Time) bool {
	return !e.marketHours || e.cal.InVenueContinuous(r.Venue.Or(e.defVenue), now, r.Extended)
}

// codeInSession is inSession for code's rule (false when there is none).
func (e *Engine) codeInSession(code broker.Code, now time.Time) bool {
	e.mu.Lock()
	r, ok := e.rules[code]
	e.mu.Unlock()
	return ok && e.inSession(r, now)
}

// anyInSession reports whether some enabled rule may act at now, so a
// round outside every rule's sessions reads as closed and asks nothing.
func (e *Engine) anyInSession(now time.Time) bool {
	if !e.marketHours {
		return true
	}
	codes := e.activeCodes()
	if len(codes) == 0 {
		return e.cal.InContinuous(now) // no rules: say what the market does
	}
	for _, code := range codes {
		if e.codeInSession(code, now) {
			return true
		}
	}
	return false
}

// nxtQuoted reports whether code's rule acts on NXT's quote at now (see
// quote): the stream carries KRX's trades, so such a rule is polled.
func (e *Engine) nxtQuoted(code broker.Code, now time.Time) bool {
	e.mu.Lock()
	r, ok := e.rules[code]
	e.mu.Unlock()
	return ok && r.Extended && r.Venue.Or(e.defVenue).ReachesNXT() && !e.cal.AcceptsOrders(now)
}

// quote is the price rule r acts on: NXT's book for an extended rule out
// of KRX's hours (KRX's quote then is the close, hours old), where the
// price source can quote venues; else the plain quote.
func (e *Engine) quote(ctx context.Context, r Rule) (broker.Quote, error) {
	if e.nxtQuoted(r.Code, e.clk.Now()) {
		if vq, ok := e.prices.(broker.VenueQuoter); ok {
			return vq.QuoteOn(ctx, r.Code, broker.VenueNXT)
		}
	}
	return e.prices.Quote(ctx, r.Code)
}

func (e *Engine) activeCodes() []broker.Code {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]broker.Code, 0, len(e.rules))
	for code, r := range e.rules {
		if r.Enabled && e.states[code].Disabled == "" {
			out = append(out, code)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// balanceCache fetches the balance at most once per round, and only when
// some rule may fire.
type balanceCache struct {
	done bool
	b    broker.Balance
	err  error
}

func (c *balanceCache) get(ctx context.Context, b broker.Broker) (broker.Balance, error) {
	if !c.done {
		c.b, c.err = b.Balance(ctx)
		c.done = true
	}
	return c.b, c.err
}

// noteBalance tracks balance failures across rounds: logged each time,
// announced once per run of MaxFailures.
func (e *Engine) noteBalance(err error) {
	e.mu.Lock()
	if err == nil {
		e.balFails = 0
		e.mu.Unlock()
		return
	}
	e.balFails++
	n := e.balFails
	e.mu.Unlock()
	e.log.Warn("balance failed; rules that would fire wait", "err", err, "in_a_row", n)
	if n == MaxFailures {
		e.emit(Event{Kind: EventQuoteFailed, Err: err, Reason: "balance"})
	}
}

// evaluate runs one rule for one round: quote, decide, and act.
func (e *Engine) evaluate(ctx context.Context, code broker.Code, bal *balanceCache) {
	e.evaluateTick(ctx, code, bal, nil)
}

// evaluateTick is evaluate on a tick's price instead of a fresh quote
// when tick is set.
func (e *Engine) evaluateTick(ctx context.Context, code broker.Code, bal *balanceCache, tick *broker.Tick) {
	e.evalMu.Lock()
	defer e.evalMu.Unlock()
	e.mu.Lock()
	r, ok := e.rules[code]
	st := e.states[code]
	e.mu.Unlock()
	if !ok || !r.Enabled || st.Disabled != "" {
		return // edited since the round started
	}

	var q broker.Quote
	if tick != nil {
		e.mu.Lock()
		name := e.names[code]
		e.mu.Unlock()
		q = broker.Quote{Code: code, Name: name, Price: tick.Price, Time: tick.Time}
	} else {
		var err error
		q, err = e.quote(ctx, r)
		if err != nil {
			if ctx.Err() == nil {
				e.quoteFailed(ctx, r, err)
			}
			return
		}
		if q.Name != "" {
			e.mu.Lock()
			e.names[code] = q.Name
			e.mu.Unlock()
		}
	}
	e.onEvaluate()
	e.mu.Lock()
	if n := e.quoteFails[code]; n > 0 {
		e.log.Info("quotes work again", "code", code, "after_failures", n)
		delete(e.quoteFails, code)
	}
	e.mu.Unlock()

	st = align(st, r)
	var pos broker.Position
	if mayFire(st, r, q.Price) {
		b, err := bal.get(ctx, e.broker)
		if err != nil {
			e.keep(ctx, code, st, withPrice(st, q.Price))
			return
		}
		pos, _ = b.Position(code)
		if e.committed != nil {
			buying, selling := e.committed(code)
			pos = withCommitted(pos, buying, selling)
		}
	}
	now := e.clk.Now()
	a, next := Decide(st, r, q, pos, now)
	if tick != nil && !tick.Received.IsZero() {
		e.onTickDec(e.clk.Now().Sub(tick.Received))
	}
	if a.RearmedBuy {
		e.log.Info("rule re-armed", "code", code, "side", "buy", "price", q.Price)
		e.emit(Event{Kind: EventRearmed, Rule: r, Name: q.Name, Side: broker.Buy, Price: q.Price})
	}
	if a.RearmedSell {
		e.log.Info("rule re-armed", "code", code, "side", "sell", "price", q.Price)
		e.emit(Event{Kind: EventRearmed, Rule: r, Name: q.Name, Side: broker.Sell, Price: q.Price})
	}
	switch a.Kind {
	case ActNone:
		e.keep(ctx, code, st, next)
	case ActSkip:
		e.keep(ctx, code, st, next)
		e.log.Info("rule crossed with nothing to do", "code", code, "side", a.Side, "price", q.Price, "reason", a.Reason)
		e.emit(Event{Kind: EventSkipped, Rule: r, Name: q.Name, Side: a.Side, Price: q.Price, Reason: a.Reason})
	case ActOrder:
		e.fire(ctx, r, q.Name, st, next, a)
	}
}

func withPrice(st State, price int64) State {
	if price > 0 {
		st.LastPrice = price
	}
	return st
}

// keep stores next as the rule's state: in memory always, in the store
// when something other than the last price changed (a quote every two
// seconds must not mean a disk write every two seconds).
func (e *Engine) keep(ctx context.Context, code broker.Code, prev, next State) {
	e.mu.Lock()
	e.states[code] = next
	e.mu.Unlock()
	a, b := prev, next
	a.LastPrice, b.LastPrice = 0, 0
	if a == b {
		return
	}
	// The state reached is written even when the engine is being stopped:
	// a crossing seen in the last round must survive the restart, and a
	// normal exit must not log a failure (issue 12.16). The write is
	// bounded on its own.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), stateSaveTimeout)
	defer cancel()
	if err := e.store.SaveState(sctx, code, next); err != nil {
		e.log.Error("strategy state not saved", "code", code, "err", err)
	}
}

// stateSaveTimeout bounds the state write of keep once the engine's
// context may already be cancelled.
const stateSaveTimeout = 5 * time.Second

// fire acts on an ActOrder. The disarmed state is made durable first and
// the order goes out only after: if hoga dies between the two, the restart
// finds the leg disarmed and the worst case is a missed order, never a
// second one. (Ordering first and saving after would, on a crash between
// the two, re-arm the leg on restart and buy the same dip again.) A state
// that cannot be saved means no order.
func (e *Engine) fire(ctx context.Context, r Rule, name string, prev, fired State, a Action) {
	code := r.Code
	req := a.Request(code)
	req.Venue = r.Venue
	if err := e.store.SaveState(ctx, code, fired); err != nil {
		if ctx.Err() != nil {
			return // shutting down: nothing was sent, nothing to report
		}
		err = &broker.Error{Kind: broker.Internal, Msg: "rule state could not be saved, so no order was sent", Err: err}
		e.log.Error("rule fired but its state could not be saved; not ordering", "code", code, "err", err)
		// Nothing was sent: count it like a refusal, so a store that
		// stays broken turns the rule off instead of retrying forever.
		st, off := settle(prev, fired, a, &broker.Error{Kind: broker.Transient, Err: err}, e.clk.Now())
		e.mu.Lock()
		e.states[code] = st
		e.mu.Unlock()
		e.emit(Event{Kind: EventRejected, Rule: r, Name: name, Side: a.Side, Price: a.Trigger, Request: req, Err: err})
		if off {
			e.emit(Event{Kind: EventDisabled, Rule: r, Name: name, Reason: st.Disabled, Err: err})
		}
		return
	}
	e.mu.Lock()
	e.states[code] = fired
	e.mu.Unlock()

	e.log.Info("rule fired", "code", code, "side", a.Side, "price", a.Trigger, "qty", a.Qty, "type", a.Type, "limit", a.Price, "confirm", r.Confirm)
	octx, cancel := context.WithTimeout(context.WithoutCancel(ctx), OrderTimeout)
	var o broker.Order
	var err error
	switch {
	case r.Confirm && e.asker == nil:
		err = (&broker.Error{Kind: broker.Invalid, Msg: "the rule asks for confirmation (confirm: true) but hoga has no chat to ask in"}).Saying("strategy.no_chat")
	case r.Confirm:
		err = e.asker.Ask(octx, req)
	default:
		o, err = e.broker.PlaceOrder(octx, req)
	}
	cancel()

	st, off := settle(prev, fired, a, err, e.clk.Now())
	// Record the outcome even if Run's context ended while the order was
	// out: the order happened.
	e.keep(context.WithoutCancel(ctx), code, fired, st)
	ev := Event{Rule: r, Name: name, Side: a.Side, Price: a.Trigger, Request: req, Order: o, Err: err}
	switch Classify(err) {
	case OutPlaced:
		ev.Kind = EventPlaced
		if r.Confirm {
			ev.Kind = EventAsked
		}
		e.mu.Lock()
		e.haltSaid = ""
		e.mu.Unlock()
		e.log.Info("rule order placed", "code", code, "order", o.ID, "asked", r.Confirm)
	case OutNotSent:
		ev.Kind = EventRejected
		e.log.Warn("rule order refused; the leg stays armed", "code", code, "err", err, "failures", st.Failures)
	case OutUnknown:
		ev.Kind = EventUnknown
		e.log.Warn("rule order outcome unknown; the guard reconciles it", "code", code, "err", err)
	case OutLimit:
		ev.Kind = EventLimit
		e.log.Warn("rule order refused by a risk limit; the leg waits to re-arm", "code", code, "err", err)
	case OutHalted:
		e.log.Info("rule order refused: halted", "code", code)
		e.pause(PauseHalted)
		return
	}
	e.emit(ev)
	if off {
		e.log.Warn("rule turned off after repeated failures", "code", code, "reason", st.Disabled)
		e.emit(Event{Kind: EventDisabled, Rule: r, Name: name, Reason: st.Disabled, Err: err})
	}
}

// quoteFailed handles a failed quote. A code the broker does not know
// counts towards turning the rule off; anything else (network, rate
// limits) is waited out, and announced once per run of failures.
func (e *Engine) quoteFailed(ctx context.Context, r Rule, err error) {
	e.mu.Lock()
	e.quoteFails[r.Code]++
	n := e.quoteFails[r.Code]
	st := e.states[r.Code]
	e.mu.Unlock()
	if n == 1 {
		e.log.Warn("quote failed", "code", r.Code, "err", err)
	} else {
		e.log.Debug("quote failed", "code", r.Code, "err", err, "in_a_row", n)
	}
	switch broker.KindOf(err) {
	case broker.NotFound, broker.Invalid:
		next := st
		next.Failures++
		if next.Failures >= MaxFailures {
			next.Disabled = fmt.Sprintf("quote failed %d times in a row, last: %v", next.Failures, err)
		}
		e.keep(ctx, r.Code, st, next)
		if next.Disabled != "" {
			e.log.Warn("rule turned off: its code cannot be quoted", "code", r.Code, "err", err)
			e.emit(Event{Kind: EventDisabled, Rule: r, Reason: next.Disabled, Err: err})
		}
		return
	}
	if n == MaxFailures {
		e.emit(Event{Kind: EventQuoteFailed, Rule: r, Err: err, Reason: "quote"})
	}
}

// Rules lists every rule with its state, sorted by code (bot.RuleBook).
// It asks the broker nothing: the stream's subscription check calls it
// every second.
func (e *Engine) Rules(ctx context.Context) ([]RuleStatus, error) {
	return e.ruleStates(), nil
}

// RulesWithPositions is Rules with each rule's position (what /rules
// shows): the shares held (one balance call for all rules, made outside
// the engine's lock) and the open orders the tracker follows, so the owner
// sees what the rule decides on — a resting buy counted toward
// max_position until it fills, then held.
func (e *Engine) RulesWithPositions(ctx context.Context) ([]RuleStatus, error) {
	out := e.ruleStates()
	if len(out) == 0 {
		return out, nil
	}
	bal, err := e.broker.Balance(ctx)
	if err != nil {
		e.log.Warn("rules: the balance could not be read; positions left out", "err", err)
	}
	for i := range out {
		if err == nil {
			pos, _ := bal.Position(out[i].Code)
			out[i].Held, out[i].PositionKnown = pos.Qty, true
		}
		if e.committed != nil {
			out[i].Buying, out[i].Selling = e.committed(out[i].Code)
		}
	}
	return out, nil
}

// ruleStates is every rule with its state, by code.
func (e *Engine) ruleStates() []RuleStatus {
	e.mu.Lock()
	defer e.mu.Unlock()
	today := kstDay(e.clk.Now())
	out := make([]RuleStatus, 0, len(e.rules))
	for code, r := range e.rules {
		st := align(e.states[code], r)
		rs := RuleStatus{Rule: r, BuyArmed: st.BuyArmed, SellArmed: st.SellArmed, LastFire: st.LastFire,
			LastPrice: st.LastPrice, Failures: st.Failures, Disabled: st.Disabled}
		if st.Day == today {
			rs.FiresToday = st.FiresToday
		}
		out = append(out, rs)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// PutRule adds or replaces the rule for r.Code from chat (bot.RuleBook).
// The edit is stored, so it survives a restart and overrides the file's
// rule for that code. It clears a rule turned off by errors; a leg keeps
// its armed state when its threshold is unchanged, so re-sending the same
// rule does not buy the same dip again.
func (e *Engine) PutRule(ctx context.Context, r Rule) error {
	if err := CheckRule(r); err != nil {
		return err
	}
	if err := e.checkVenue(r); err != nil {
		return err
	}
	e.evalMu.Lock()
	defer e.evalMu.Unlock()
	if err := e.saveEdit(ctx, r); err != nil {
		return err
	}
	e.mu.Lock()
	st, ok := e.states[r.Code]
	e.mu.Unlock()
	if !ok {
		st = NewState()
	}
	next := align(st, r)
	next.Failures, next.RetryAt, next.Disabled = 0, time.Time{}, ""
	if err := e.store.SaveState(ctx, r.Code, next); err != nil {
		return fmt.Errorf("strategy: save rule state: %w", err)
	}
	e.mu.Lock()
	e.rules[r.Code] = r
	e.states[r.Code] = next
	delete(e.quoteFails, r.Code)
	e.mu.Unlock()
	e.log.Info("rule put from chat", "rule", r.String())
	return nil
}

// saveEdit stores r as the chat's rule for its code; a rule equal to the
// file's needs no override, so any stored edit is dropped instead.
func (e *Engine) saveEdit(ctx context.Context, r Rule) error {
	e.mu.Lock()
	fileRule, inFile := e.base[r.Code]
	e.mu.Unlock()
	var err error
	if inFile && fileRule == r {
		err = e.store.DeleteRule(ctx, r.Code)
	} else {
		ed := StoredRule{Code: r.Code, Rule: r, Updated: e.clk.Now()}
		if inFile {
			ed.Base = &fileRule
		}
		err = e.store.SaveRule(ctx, ed)
	}
	if err != nil {
		return fmt.Errorf("strategy: save rule: %w", err)
	}
	return nil
}

// DeleteRule removes the rule for code from chat (bot.RuleBook). A rule
// from the file is remembered as deleted (a tombstone), so it stays
// deleted after a restart until the file's rule for the code changes.
func (e *Engine) DeleteRule(ctx context.Context, code broker.Code) error {
	e.evalMu.Lock()
	defer e.evalMu.Unlock()
	e.mu.Lock()
	_, exists := e.rules[code]
	fileRule, inFile := e.base[code]
	e.mu.Unlock()
	if !exists {
		return broker.Errorf(broker.NotFound, "no rule for %s", code)
	}
	var err error
	if inFile {
		err = e.store.SaveRule(ctx, StoredRule{Code: code, Deleted: true, Base: &fileRule, Updated: e.clk.Now()})
	} else {
		err = e.store.DeleteRule(ctx, code)
	}
	if err != nil {
		return fmt.Errorf("strategy: delete rule: %w", err)
	}
	if err := e.store.DeleteState(ctx, code); err != nil {
		e.log.Warn("state of a deleted rule not removed", "code", code, "err", err)
	}
	e.mu.Lock()
	delete(e.rules, code)
	delete(e.states, code)
	delete(e.quoteFails, code)
	e.mu.Unlock()
	e.log.Info("rule deleted from chat", "code", code, "tombstone", inFile)
	return nil
}

// EnableRule turns the rule for code on or off from chat (bot.RuleBook).
// Turning on also clears a rule the engine turned off for errors.
func (e *Engine) EnableRule(ctx context.Context, code broker.Code, on bool) error {
	e.evalMu.Lock()
	defer e.evalMu.Unlock()
	e.mu.Lock()
	r, exists := e.rules[code]
	st := e.states[code]
	e.mu.Unlock()
	if !exists {
		return broker.Errorf(broker.NotFound, "no rule for %s", code)
	}
	r.Enabled = on
	if err := e.saveEdit(ctx, r); err != nil {
		return err
	}
	next := align(st, r)
	if on {
		next.Failures, next.RetryAt, next.Disabled = 0, time.Time{}, ""
	}
	if next != st {
		if err := e.store.SaveState(ctx, code, next); err != nil {
			return fmt.Errorf("strategy: save rule state: %w", err)
		}
	}
	e.mu.Lock()
	e.rules[code] = r
	e.states[code] = next
	delete(e.quoteFails, code)
	e.mu.Unlock()
	e.log.Info("rule toggled from chat", "code", code, "on", on)
	return nil
}
