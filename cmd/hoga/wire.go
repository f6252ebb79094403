package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/bot/httpapi"
	"github.com/hoga-trade/hoga/bot/telegram"
	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/guard"
	"github.com/hoga-trade/hoga/broker/paper"
	"github.com/hoga-trade/hoga/broker/tracker"
	"github.com/hoga-trade/hoga/clock"
	"github.com/hoga-trade/hoga/metrics"
	"github.com/hoga-trade/hoga/pnl"
	"github.com/hoga-trade/hoga/store"
	"github.com/hoga-trade/hoga/strategy"
	"github.com/hoga-trade/hoga/strategy/exits"
)

// This file is the wiring: the app holds every part, build makes them in
// order (journal, guard, strategy, router, transports) and connects them.

// app holds the built parts.
type app struct {
	cfg     *Config
	log     *slog.Logger
	cal     *broker.Calendar
	metrics *metrics.Metrics
	inner   broker.Broker // the configured broker
	guard   *guard.Guard  // what every order goes through
	tracker *tracker.Tracker
	// clock is the wall clock, or a test's (clockFrom): the guard and the
	// tracker read it.
	clock clock.Clock
	// brokerClock is the KIS/Kiwoom clients' clock: nil (the wall clock)
	// except in tests that run a fake broker on their clock
	// (withBrokerClock).
	brokerClock clock.Clock
	db          *store.DB
	engine      *strategy.Engine
	exits       *exits.Book
	fileExits   []exits.Exit  // the rules file's exits: list
	tg          *telegram.Bot // nil without a token
	askMu       sync.Mutex
	asked       []heldAsk // rule prompts waiting for their explanation (publishAsk)
	router      *bot.Router
	feed        *bot.Feed
	sinks       []bot.AlertSink
	paper       *paper.Exchange
	// tokenExpiry and account feed /status for real brokers; accountOf,
	// when set, asks the broker for the account after start-up
	// (loadAccount), which then fills kwAccount.
	tokenExpiry func() time.Time
	account     string
	accountOf   func(context.Context) (string, error)
	kwAccount   atomic.Pointer[string]
	// stream is the broker's realtime feed (nil: polling only) and ticks
	// the last trade per code it delivers to the strategy (stream.go).
	stream     realtime
	streamName string
	ticks      *broker.TickBook
	// tickLimits drops impossible stream trades (stream.go).
	tickLimits *broker.TickLimits
	// limitTold holds the codes whose subscription refusal at the
	// broker's limit the owner has heard of (broker.Code → true).
	limitTold sync.Map
	// inUseTold: the owner heard that another program holds the KIS
	// realtime session (reset when a session is up).
	inUseTold atomic.Bool
	// streamLooks counts the stream supervisor's observations, so a test
	// on a fake clock knows one happened after it moved the clock.
	streamLooks atomic.Int64
	// tickDecided, when a test sets it (withBuilt, before anything runs),
	// hears each tick→decision latency beside the metric, at the moment
	// of the decision: the run() benchmark times frame-sent → decided.
	tickDecided func(time.Duration)
	// reports is what the close report's scheduler did (report.go).
	reports reportState
	// services run until ctx ends and keep hoga alive after console input
	// ends (a service has no stdin); background parts run alongside but do
	// not keep it alive on their own.
	services   map[string]func(context.Context) error
	background map[string]func(context.Context) error
	closers    []func() error
	// startupErrors are published on the alert feed once its sinks exist.
	startupErrors []string
	// skew measures the broker's clock against this host's (KIS and
	// Kiwoom; nil for paper) and skewAlerts tells the owner when it is off.
	skew       *broker.Skew
	skewAlerts *skewAlerts
}

// keepAlive says whether hoga goes on after the console's input ended,
// lines lines having been read. Telegram and the HTTP API are commanded
// from elsewhere: they keep it alive. A rules file alone keeps it alive
// only when no command came on stdin (a daemon whose stdin is /dev/null);
// commands piped in (`hoga < commands.txt`) are a script that is done when
// its input ends — it ran forever with HOGA_RULES_FILE set (issue 12.16).
func (a *app) keepAlive(lines int64) bool {
	for name := range a.services {
		if name != "strategy" || lines == 0 {
			return true
		}
	}
	return false
}

func (a *app) close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		if err := a.closers[i](); err != nil {
			a.log.Warn("shutdown", "err", err)
		}
	}
}

func (a *app) modeLabel() string {
	if a.cfg.Broker == "paper" {
		return "paper"
	}
	return a.cfg.Mode
}

// journalScope names the broker, mode and account whose orders the
// journal records (store.Options.Scope): a live session must never
// reconcile, cancel, count or dedupe against the mock account's rows, whose
// order numbers overlap (issue 12, item 9). The account enters only as the
// first 8 hex digits of a SHA-256 (of the KIS account, or of the Kiwoom app
// key, which Kiwoom issues per account): enough to tell accounts apart,
// nothing to read back from a backed-up data directory. A new Kiwoom app key
// for the same account therefore starts a new journal.
func journalScope(cfg *Config) string {
	short := func(s string) string {
		sum := sha256.Sum256([]byte(s))
		return hex.EncodeToString(sum[:4])
	}
	switch cfg.Broker {
	case "paper":
		return "paper"
	case "kis":
		return "kis-" + cfg.Mode + "-" + short(cfg.KISAccount.Reveal())
	case "kiwoom":
		return "kiwoom-" + cfg.Mode + "-" + short(cfg.KiwoomAppKey.Reveal())
	}
	return cfg.Broker + "-" + cfg.Mode
}

// build makes every part and connects them. Arrows point one way: the
// broker is observed (metrics, broker watch), then wrapped by the guard; the router, the
// strategy and the HTTP API all order through the guard; events flow from
// the guard and the strategy to the feed, and from the feed to the sinks.
func build(ctx context.Context, cfg *Config, logger *slog.Logger, steps *startSteps) (_ *app, err error) {
	a := &app{cfg: cfg, log: logger, services: map[string]func(context.Context) error{},
		background: map[string]func(context.Context) error{}, clock: clockFrom(ctx), brokerClock: brokerClockFrom(ctx)}
	defer func() {
		if err != nil { // close what was built before the failure
			a.close()
		}
	}()
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, &configError{lang: cfg.lang, lines: []string{cfgt(cfg.lang, "datadir.mkdir", cfg.DataDir, osReason(cfg.lang, err))}}
	}
	unlock, err := lockDataDir(cfg.DataDir, cfg.lang)
	if err != nil {
		return nil, err
	}
	a.closers = append(a.closers, unlock)
	steps.done("lock")
	a.cal, err = broker.NewCalendar(cfg.holidays)
	if err != nil {
		return nil, err
	}
	a.metrics = metrics.New()
	steps.done("calendar_metrics")
	if err := a.buildBroker(ctx); err != nil {
		return nil, err
	}
	steps.done("broker")
	if a.accountOf != nil {
		a.background["account"] = a.loadAccount
	}
	// Opening the journal (and migrating it) is quick local work that must
	// not be cut in half by a stop request arriving during start-up.
	a.db, err = store.Open(context.WithoutCancel(ctx), store.Options{Dir: cfg.DataDir, Scope: journalScope(cfg), Logger: logger.With("part", "store"),
		// The journal's own stamps (a row's Updated, a fill's Seen) on the
		// clock the guard and the tracker read, which compares them with
		// its last-checked mark (a test's fake clock; the wall clock else).
		Clock: a.clock})
	if err != nil {
		var de *store.DamagedError
		if errors.As(err, &de) {
			// The owner reads the one line below; SQLite's words are for
			// whoever looks closer (HOGA_LOG_LEVEL=info).
			logger.Info("the journal is damaged", "path", de.Path, "err", de.Err)
			return nil, &damagedJournal{line: st(cfg.lang, "journal.damaged", de.Path), err: err}
		}
		return nil, &startError{msg: cfgt(cfg.lang, "journal.open", cfg.DataDir, osReason(cfg.lang, err)), err: fmt.Errorf("journal: %w", err)}
	}
	a.closers = append(a.closers, a.db.Close)
	steps.done("journal")
	a.feed = bot.NewFeed(bot.FeedConfig{Lang: cfg.lang, Clock: a.clock, Settings: cfg.alerts, Mode: a.modeLabel(), Logger: logger.With("part", "alerts"),
		// The day's errors are stored as they are published, so the close
		// report counts an earlier run's too.
		Store: a.db,
		// The router is built below, before anything publishes.
		Names: func(c broker.Code) string {
			if a.router == nil {
				return ""
			}
			return a.router.NameOf(c)
		}})
	if err := a.feed.RestoreErrors(context.WithoutCancel(ctx)); err != nil {
		// The report then counts from this start, and says so.
		logger.Warn("the close report counts only this run's errors", "err", err)
	}

	// Below the guard (and the tracker) every caller's broker calls are
	// measured, and failures the owner must hear about (keys refused,
	// broker down, rate limits) reach the alert feed once, with the
	// recovery.
	observed := broker.Observe(a.inner, a.metrics.BrokerHook(a.inner.Name()),
		bot.NewBrokerWatch(a.inner.Name(), a.feed, nil).Observe)
	// Reconciliation and the tracker read today's orders in the
	// background: they share one walk of the list (Kiwoom pages it at 4
	// requests a second), where each used to walk it for itself (issue
	// 20). /orders still reads the broker's list afresh.
	lists := broker.NewSharedList(observed, a.clock.Now)
	// Which stocks Nextrade lists comes from the broker (KIS
	// search-stock-info, Kiwoom ka10100), asked once per stock a day.
	var nxtListed func(context.Context, broker.Code) (bool, error)
	if l, ok := a.inner.(broker.NXTLister); ok && cfg.venues.NXT {
		nxtListed = broker.NewNXTListCache(l, a.clock.Now).NXTListed
	}
	a.guard, err = guard.New(guard.Options{
		NXTListed: nxtListed,
		// Shares in open sells the tracker follows are not sold twice
		// (issue 14); the tracker is built just below, before any order.
		Committed: func(c broker.Code) (int64, int64) {
			if a.tracker == nil {
				return 0, 0
			}
			return a.tracker.Committed(c)
		},
		Broker:         observed,
		List:           lists,
		Clock:          a.clock,
		Journal:        a.db,
		Calendar:       a.cal,
		MarketHours:    cfg.marketHours,
		Venues:         cfg.venues,
		DefaultVenue:   cfg.venue,
		MaxOrderKRW:    cfg.MaxOrderKRW,
		MaxDailyOrders: cfg.MaxDailyOrders,
		Skew:           a.skew,
		Logger:         logger.With("part", "guard"),
		OnEvent: func(ev broker.OrderEvent) {
			a.metrics.OrderEvent(ev)
			if ev.Kind == broker.EventHalted || ev.Kind == broker.EventResumed {
				a.metrics.SetHalted(ev.Kind == broker.EventHalted)
			}
			a.feed.OrderEvent(context.Background(), ev)
			// After the feed: the placement is told before its fill.
			a.tracker.Observe(context.Background(), ev)
		},
	})
	if err != nil {
		return nil, err
	}
	a.closers = append(a.closers, a.guard.Close)
	if err := a.buildTracker(lists); err != nil {
		return nil, err
	}
	halted, _, _ := a.guard.Halted()
	a.metrics.SetHalted(halted)
	// Rows a crash left pending are marked unknown here; the broker's
	// list is read by the guard's first pass in the background, never
	// waited for (issue 20, item 1): the owner can /halt and /status at
	// once, and only an order that could duplicate an unsettled row is
	// held back. Paging the list took 2 s and more on Kiwoom.
	if err := a.guard.RecoverInBackground(ctx); err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		// The journal could not be read or written: start anyway so the
		// owner can /halt and see what /orders can show; the guard keeps
		// reconciling in the background and nothing unresolved is ever
		// resent.
		logger.Error("could not mark the journal's unsettled rows at start-up; retrying in the background", "err", err)
		a.startupErrors = append(a.startupErrors, "journal reconciliation at start-up failed, retrying: "+err.Error())
	}
	a.background["guard"] = a.guard.Run
	steps.done("guard_tracker")

	a.buildStream()
	if err := a.buildStrategy(); err != nil {
		return nil, err
	}
	if err := a.buildExits(); err != nil {
		return nil, err
	}
	steps.done("stream_strategy_exits")
	if cfg.reportAt >= 0 {
		a.background["report"] = a.runReports
	}
	a.router, err = bot.NewRouter(bot.Config{
		Clock:   a.clock,
		Broker:  a.guard,
		Kill:    a.guard,
		Checker: a.guard,
		Rules:   a.engine,
		Exits:   a.exits,
		// P&L from the journal's fills (the order tracker writes them).
		PnL: a.pnlReport,
		// The day's fills marked on /chart and the close report's charts.
		Fills:        a.db.FillsOn,
		Lang:         cfg.lang,
		Mode:         a.modeLabel(),
		ConfirmAll:   cfg.Confirm == "always",
		ConfirmTTL:   cfg.ConfirmTTL,
		StaleAfter:   cfg.StaleAfter,
		Allowed:      func(id string) bool { return cfg.allowed[id] },
		FillAlerts:   a.tracker != nil && cfg.alerts[bot.AlertOrders] != bot.LevelOff, // each fill is alerted to whoever placed it
		Calendar:     a.cal,
		MarketHours:  cfg.marketHours,
		NXT:          cfg.venues.NXT,
		DefaultVenue: cfg.venue,
		TokenExpiry:  a.tokenExpiry,
		Account:      a.account,
		AccountOf:    a.accountShown(),
		Errors:       a.feed.RecentErrors,
		Checking:     a.guard.Checking,
		Tracking: func() (int, time.Time) {
			st := a.tracker.Status()
			return st.Open, st.LastHeard
		},
		Surface: a.surface,
		// Names typed for codes, offline whatever the broker: the paper
		// table (KRX codes are the same at every broker).
		Stocks: paper.Stocks(),
		Stream: func() (broker.StreamStatus, bool) {
			if a.stream == nil {
				return broker.StreamStatus{}, false
			}
			return a.streamStatus(context.Background()), true
		},
		// The guard's limits, so a refusal names them (it said "한도 0원").
		MaxOrderKRW:    cfg.MaxOrderKRW,
		MaxDailyOrders: cfg.MaxDailyOrders,
		Logger:         logger.With("part", "bot"),
	})
	if err != nil {
		return nil, err
	}
	steps.done("router")
	if err := a.buildTelegram(); err != nil {
		return nil, err
	}
	if err := a.buildHTTP(); err != nil {
		return nil, err
	}
	steps.done("telegram_http")
	notifyBuilt(ctx, a)
	return a, nil
}

// buildStrategy makes the rules engine. It exists even without a rules
// file so /rule add works from chat; it keeps hoga alive only when a file
// gives it rules.
func (a *app) buildStrategy() error {
	var err error
	var ticks strategy.TickSource
	if a.stream != nil {
		ticks = a.ticks
	}
	// The file's exits: list is read first, so one start reports the
	// problems of the rules and the exits together.
	var exitsErr error
	if a.cfg.RulesFile != "" {
		a.fileExits, exitsErr = exits.LoadFile(a.cfg.RulesFile)
	}
	a.engine, err = strategy.New(strategy.Options{
		// The app's clock (a test's, through run()): sessions, cooldowns
		// and the polling interval follow the same time as the guard.
		Clock:        a.clock,
		Ticks:        ticks,
		Broker:       a.guard,
		Store:        strategy.NewDBStore(a.db), // beside the journal: one file, one backup
		RulesFile:    a.cfg.RulesFile,
		Interval:     a.cfg.StrategyInterval,
		Calendar:     a.cal,
		MarketHours:  a.cfg.marketHours,
		DefaultVenue: a.cfg.venue,
		Venues:       a.cfg.venues,
		Halted:       func() bool { on, _, _ := a.guard.Halted(); return on },
		// No working control surface: no automatic orders while the owner
		// cannot be reached (issue 19, item 5), said as its own reason.
		Unattended: a.surfaceDown,
		// Open orders the tracker follows: a resting buy counts toward
		// max_position, shares in an open sell are not offered again.
		Committed: a.tracker.Committed,
		Asker:     strategy.AskerFunc(a.askOwner),
		OnEvent: func(ev strategy.Event) {
			if ev.Kind == strategy.EventPlaced || ev.Kind == strategy.EventAsked {
				a.metrics.StrategyFire(string(ev.Rule.Code), ev.Side.String())
			}
			if ev.Kind == strategy.EventAsked && a.publishAsk(ev) {
				return
			}
			a.feed.StrategyEvent(context.Background(), ev)
		},
		OnEvaluate: a.metrics.StrategyEvaluation,
		OnTickDecision: func(d time.Duration) {
			a.metrics.TickDecision(d)
			if a.tickDecided != nil {
				a.tickDecided(d)
			}
		},
		Logger: a.log.With("part", "strategy"),
	})
	if err == nil && exitsErr != nil {
		err = exitsErr
	}
	if err != nil {
		var fe *strategy.FileError
		if errors.As(err, &fe) {
			var xe *strategy.FileError
			if errors.As(exitsErr, &xe) && xe != fe {
				fe = &strategy.FileError{Path: fe.Path, Problems: append(append([]strategy.Problem(nil), fe.Problems...), xe.Problems...)}
				sort.SliceStable(fe.Problems, func(i, j int) bool { return fe.Problems[i].Line < fe.Problems[j].Line })
			}
			return &configError{lang: a.cfg.lang, lines: fileProblemLines(a.cfg.lang, fe)}
		}
		var re *strategy.ReadError
		if errors.As(err, &re) {
			return &configError{lang: a.cfg.lang, lines: []string{cfgt(a.cfg.lang, "rules.read", re.Path, fileReason(a.cfg.lang, re.Path, re.Err))}}
		}
		return err
	}
	if a.cfg.RulesFile != "" {
		a.services["strategy"] = a.engine.Run
	} else {
		a.background["strategy"] = a.engine.Run
	}
	return nil
}

// buildExits makes the protective exits (/stop, /take, /trail). They keep
// their state beside the journal and sell through the guard; they run in
// the background, checking only while some exit is armed.
func (a *app) buildExits() error {
	var ticks exits.Ticks
	if a.stream != nil {
		ticks = a.ticks
	}
	var err error
	a.exits, err = exits.New(exits.Options{
		Broker:      a.guard,
		Store:       a.db,
		Ticks:       ticks,
		Marketable:  a.cfg.ExitOrder == "limit",
		FileExits:   a.fileExits,
		FromFile:    a.cfg.RulesFile != "",
		Clock:       a.clock,
		Calendar:    a.cal,
		MarketHours: a.cfg.marketHours,
		// Halted by the kill switch only, not while Telegram is lost
		// (unlike the strategy): a stop protects most exactly when the
		// owner cannot watch.
		Halted:  func() bool { on, _, _ := a.guard.Halted(); return on },
		OnEvent: func(ev exits.Event) { a.feed.ExitEvent(context.Background(), ev) },
		Logger:  a.log.With("part", "exits"),
	})
	if err != nil {
		return err
	}
	a.background["exits"] = a.exits.Run
	return nil
}

// pnlReport is the P&L of the n KST days ending today, for the chat's
// /profit, /daily, /performance and the HTTP API's equivalents. Until the
// order tracker writes every fill, days without rows in the fills table
// are read from the orders (pnl.WithOrders); then the source is a.db
// alone.
func (a *app) pnlReport(ctx context.Context, n int) (pnl.Report, error) {
	src := pnl.WithOrders{Fills: a.db, Journal: a.db, Broker: a.guard, Fees: broker.DefaultFees, Now: a.clock.Now}
	return pnl.Compute(ctx, src, a.clock.Now(), n)
}

// fileProblemLines words a rules file's problems for start-up: those with
// a catalog key (the exits') in the owner's language, the rest as the
// strategy wrote them.
func fileProblemLines(lang bot.Lang, fe *strategy.FileError) []string {
	return fe.Lines(func(p strategy.Problem) string {
		if p.Key != "" {
			return bot.Text(lang, p.Key, p.Args...)
		}
		return p.Msg
	})
}

// askOwner is how a rule with confirm: true asks: the same confirmation as
// a live manual order, sent to the alert feed so any allowed user can
// press it.
func (a *app) askOwner(ctx context.Context, req broker.OrderRequest) error {
	rep, err := bot.Confirmer{Router: a.router, Feed: a.feed}.Prompt(ctx, req)
	if err != nil {
		return err
	}
	// Held for the rule's EventAsked, which the engine emits right after
	// Ask returns: the rule's explanation and its prompt go out as one
	// message (issue 19, item 11).
	a.askMu.Lock()
	a.asked = append(a.asked, heldAsk{req: req, rep: rep})
	a.askMu.Unlock()
	return nil
}

// heldAsk is a rule's confirmation prompt waiting for its explanation.
type heldAsk struct {
	req broker.OrderRequest
	rep bot.Reply
}

// publishAsk sends the prompt askOwner held for ev together with the
// rule's explanation; false when none was held.
func (a *app) publishAsk(ev strategy.Event) bool {
	a.askMu.Lock()
	var held *heldAsk
	for i, h := range a.asked {
		if h.req.Code == ev.Request.Code && h.req.Side == ev.Request.Side && h.req.Qty == ev.Request.Qty {
			held = &a.asked[i]
			a.asked = append(a.asked[:i:i], a.asked[i+1:]...)
			break
		}
	}
	a.askMu.Unlock()
	if held == nil {
		return false
	}
	why := a.feed.FormatStrategyEvent(ev)
	a.feed.Publish(context.Background(), bot.Alert{Type: bot.AlertConfirm, Text: why.Text + "\n\n" + held.rep.Text,
		Buttons: held.rep.Buttons, Expires: held.rep.Expires})
	return true
}

func (a *app) buildTelegram() error {
	cfg := a.cfg
	if cfg.TelegramToken == "" {
		return nil
	}
	chat, topic, err := telegram.ParseAlertChat(cfg.TelegramAlertChat)
	if err != nil {
		return &configError{lang: cfg.lang, lines: []string{cfgt(cfg.lang, "alert.chat", cfg.TelegramAlertChat)}}
	}
	var allowed []int64
	for id := range cfg.allowed {
		n, _ := strconv.ParseInt(id, 10, 64) // validated in Config.validate
		allowed = append(allowed, n)
	}
	keyboard, _ := telegram.ParseKeyboard(cfg.TelegramKeyboard) // checked in Config.validate
	tg, err := telegram.New(telegram.Config{
		Token:         cfg.TelegramToken,
		APIURL:        cfg.TelegramAPIURL,
		Allowed:       allowed,
		AlertChat:     chat,
		AlertTopic:    topic,
		Router:        a.router,
		AlertSettings: cfg.alerts,
		Logger:        a.log.With("part", "telegram"),
		OnAPICall:     a.metrics.TelegramSend,
		OfflineAfter:  cfg.TelegramOfflineAfter,
		Keyboard:      keyboard,
		OnSurface: func(up bool, reason string) {
			if !up { // Telegram itself cannot carry this; the console and the log do
				a.feed.System(context.Background(), "alert.surface_down", bot.Text(cfg.lang, "surface."+reason))
				a.log.Error("no control surface: automatic trading paused", "reason", reason)
			}
		},
	})
	if err != nil {
		return &configError{lang: cfg.lang, lines: []string{cfgt(cfg.lang, "defect", "Telegram", err)}}
	}
	a.tg = tg
	a.feed.AddSink(tg)
	a.sinks = append(a.sinks, tg)
	a.services["telegram"] = func(ctx context.Context) error {
		err := tg.Run(ctx)
		if errors.Is(err, telegram.ErrTokenRefused) { // a settings error, as `hoga check` says: exit 2
			return &configError{lang: cfg.lang, lines: []string{cfgt(cfg.lang, "telegram.refused")}}
		}
		return err
	}
	return nil
}

// surface reports a lost Telegram control surface for /status.
func (a *app) surface() (down bool, since time.Time, reason string) {
	if a.tg == nil {
		return false, time.Time{}, ""
	}
	return a.tg.ControlSurface()
}

func (a *app) surfaceDown() bool {
	down, _, _ := a.surface()
	return down
}

func (a *app) buildHTTP() error {
	cfg := a.cfg
	if cfg.HTTPAddr == "" {
		return nil
	}
	// A decline in the chat reaches the server at once (issue 12.10); hs
	// is set before the server listens, so before anyone can be asked.
	var hs *httpapi.Server
	declined := func(req broker.OrderRequest) {
		if hs != nil {
			hs.Declined(req.ClientID)
		}
	}
	hs, err := httpapi.New(httpapi.Config{
		Addr:       cfg.HTTPAddr,
		Token:      cfg.HTTPToken,
		Broker:     a.guard,
		Orders:     a.guard,
		Router:     a.router,
		Exits:      a.exits,
		PnL:        a.pnlReport,
		Live:       cfg.Confirm == "always" || a.modeLabel() == "live",
		Confirmer:  bot.Confirmer{Router: a.router, Feed: a.feed, OnDecline: declined},
		ConfirmTTL: cfg.ConfirmTTL,
		Ready: []httpapi.ReadyCheck{{Name: "store", Check: func(ctx context.Context) error {
			return a.db.PutSetting(ctx, "httpapi.ready_probe", time.Now().UTC().Format(time.RFC3339))
		}}, {Name: "telegram", Check: func(context.Context) error {
			if down, since, reason := a.surface(); down {
				return fmt.Errorf("telegram unreachable since %s (%s): the strategy is paused", since.UTC().Format(time.RFC3339), reason)
			}
			return nil
		}}},
		Metrics: a.metrics,
		Logger:  a.log.With("part", "http"),
	})
	if err != nil {
		return &configError{lang: cfg.lang, lines: []string{cfgt(cfg.lang, "defect", "HTTP API", err)}}
	}
	if _, err := hs.Listen(); err != nil {
		return &startError{msg: cfgt(cfg.lang, "http.listen", cfg.HTTPAddr, osReason(cfg.lang, err)), err: fmt.Errorf("HTTP API: %w", err)}
	}
	a.services["http"] = hs.Run
	return nil
}

// damagedJournal is start-up refusing a journal SQLite cannot read: its
// text is the one line the owner reads (where the file is, move it aside
// or restore it), in their language; SQLite's words go to the log.
type damagedJournal struct {
	line string
	err  error
}

func (e *damagedJournal) Error() string { return e.line }
func (e *damagedJournal) Unwrap() error { return e.err }
