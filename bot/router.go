package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
	"github.com/hoga-trade/hoga/strategy"
)

// Request is one command as a transport received it.
type Request struct {
	Text   string
	UserID string // "console", a Telegram user id, "http"
	Source string // "console", "telegram", "http"
	// Sent is when the user sent it (Telegram's message date); zero when
	// the transport cannot tell. Older than Config.StaleAfter is refused.
	Sent time.Time
	// Paged marks a transport that shows long lists a page at a time with
	// ◀ ▶ and refresh buttons under the message (Telegram); others get the
	// whole list and no buttons.
	Paged bool
}

// Button is an inline button: a label and opaque callback data (≤ 64 bytes).
type Button struct {
	Text string
	Data string
}

// Reply is what a transport shows: HTML text and optional buttons in one row.
type Reply struct {
	Text    string
	Buttons []Button
	// Outcome says what a button press did, so a transport can tidy the
	// prompt (drop dead buttons) without recognising reply texts.
	Outcome PressOutcome
	// Expires is when a confirmation prompt's buttons stop working; a
	// transport edits the prompt then, and does not show it as live when it
	// could only arrive later (issue 19, item 11).
	Expires time.Time // Photo, when set, is a picture Text is the caption of (/chart).
	Photo   *Photo
}

// PressOutcome is what became of a button press.
type PressOutcome string

// Press outcomes. The zero value is a reply to anything else.
const (
	PressPlaced   PressOutcome = "placed"   // confirmed; the order was sent (see Text for its result)
	PressDeclined PressOutcome = "declined" // [취소]: nothing sent, the prompt is finished
	PressStale    PressOutcome = "stale"    // expired, already used, or unknown data: nothing sent
	PressRefused  PressOutcome = "refused"  // not this user's to press, or not authorized
	PressNav      PressOutcome = "nav"      // ◀ ▶ or refresh: the reply replaces the message it was under
)

// Press is a button press.
type Press struct {
	Data   string
	UserID string
	Source string
}

// KillSwitch stops every order path (broker/guard implements it).
type KillSwitch interface {
	Halt(ctx context.Context, by string) error
	Resume(ctx context.Context, by string) error
	Halted() (halted bool, since time.Time, by string)
}

// Checker dry-runs the guard's checks so an order that would be refused is
// refused before anyone is asked to confirm it (broker/guard implements it).
type Checker interface {
	Check(ctx context.Context, req broker.OrderRequest) error
}

// RuleBook is the strategy's rule set as the chat edits it.
type RuleBook interface {
	Rules(ctx context.Context) ([]strategy.RuleStatus, error)
	PutRule(ctx context.Context, r strategy.Rule) error
	DeleteRule(ctx context.Context, code broker.Code) error
	EnableRule(ctx context.Context, code broker.Code, on bool) error
	// Activity is what the engine is doing, for /status.
	Activity() strategy.Activity
}

// PositionedRules is a RuleBook that can also say each rule's position
// (strategy.Engine): /rules shows it; /status and the stream's
// subscription check use Rules, which asks the broker nothing.
type PositionedRules interface {
	RulesWithPositions(ctx context.Context) ([]strategy.RuleStatus, error)
}

// Config builds a Router. Broker is the guarded broker (broker/guard) so
// every order from every transport takes the same checked, journaled path.
type Config struct {
	Broker  broker.Broker
	Kill    KillSwitch // optional: /halt and /resume say unavailable without it
	Checker Checker    // optional: dry run before confirmation
	Rules   RuleBook   // optional: /rules
	Exits   ExitBook   // optional: /stop, /take, /trail, /exits
	PnL     PnLSource  // optional: /profit, /daily, /performance
	Fills   FillSource // optional: the day's fills marked on /chart (else the broker's filled orders)
	// ChartWidth and ChartHeight are the chart picture's size in pixels;
	// zero is chart.DefaultWidth×DefaultHeight, a phone screen's width.
	ChartWidth, ChartHeight int

	Lang Lang
	// Mode is "mock", "live" or "paper"; shown in /status and /help.
	Mode string
	// ConfirmAll asks for confirmation of every manual order (HOGA_CONFIRM=always);
	// otherwise only in live mode.
	ConfirmAll bool
	ConfirmTTL time.Duration // default 60s
	StaleAfter time.Duration // default 60s; <0 disables

	// Allowed reports whether a user id may give commands. The console
	// owner ("console") is always allowed.
	Allowed func(userID string) bool

	// Calendar and MarketHours feed /status's market line.
	Calendar    *broker.Calendar
	MarketHours bool
	// NXT says the account trades on Nextrade (a live KIS or Kiwoom
	// account): out of KRX's hours while NXT trades, /price quotes NXT's
	// book, the price the owner can trade at then; and /rule add takes a
	// rule trading there.
	NXT bool
	// DefaultVenue is HOGA_VENUE, where an order or rule naming no venue
	// goes; empty is KRX.
	DefaultVenue broker.Venue
	// Stream, when set, reports the realtime stream for /status (ok false
	// when there is none).
	Stream func() (st broker.StreamStatus, ok bool)
	// TokenExpiry, when set, reports the broker token's expiry for /status.
	TokenExpiry func() time.Time
	// Account is the masked account number shown in /status.
	Account string
	// AccountOf, when set, is read at each /status instead of Account: the
	// number may come from the broker after start-up (Kiwoom's ka00001 is
	// asked in the background, not before commands are taken); "" until
	// it has answered.
	AccountOf func() string
	// MaxOrderKRW and MaxDailyOrders are the guard's limits, named in the
	// reply when an order hits one.
	MaxOrderKRW    int64
	MaxDailyOrders int
	// Stocks are stock names known without asking the broker (the paper
	// exchange's table): /price without a code lists them, and a name is
	// accepted wherever a code is.
	Stocks map[broker.Code]string
	// Checking, when set, counts orders whose outcome is still being
	// checked against the broker's list, for /status.
	Checking func(ctx context.Context) int
	// Tracking, when set, gives the order tracker's open orders and when
	// it last heard from the broker (a poll or a fill notice), for
	// /status.
	Tracking func() (open int, lastHeard time.Time)
	// FillAlerts says every fill of an order reaches the one who placed
	// it as an alert of its own (the order tracker's, with fees, tax and
	// realised P&L; order alerts not off). An order's reply then leaves
	// out a fill the broker's answer already carried (the paper exchange
	// fills a market order at once), so the owner reads the trade once,
	// in full, as on KIS and Kiwoom, whose answers never carry one.
	FillAlerts bool
	// Errors, when set, gives the recent errors for /status.
	Errors func() []string
	// Surface, when set, reports a lost control surface (Telegram down for
	// longer than its setting): /status says so and that the strategy is
	// paused.
	Surface func() (down bool, since time.Time, reason string)

	Clock  clock.Clock
	Logger *slog.Logger
}

// Router turns requests into replies. Safe for concurrent use.
type Router struct {
	cfg     Config
	clock   clock.Clock
	log     *slog.Logger
	started time.Time

	mu      sync.Mutex
	pending map[string]*pendingOrder
	// seenNames maps the folded names of quotes shown so far to their codes.
	seenNames map[string]broker.Code
	seenCodes map[broker.Code]string // and the other way, for NameOf
}

// NewRouter checks cfg and returns a Router.
func NewRouter(cfg Config) (*Router, error) {
	if cfg.Broker == nil {
		return nil, errors.New("bot: Config.Broker is required")
	}
	if cfg.Lang == "" {
		cfg.Lang = Korean
	}
	if _, ok := catalogs[cfg.Lang]; !ok {
		return nil, fmt.Errorf("bot: unsupported language %q", cfg.Lang)
	}
	if cfg.ConfirmTTL <= 0 {
		cfg.ConfirmTTL = 60 * time.Second
	}
	if cfg.StaleAfter == 0 {
		cfg.StaleAfter = 60 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	c := clock.Or(cfg.Clock)
	return &Router{cfg: cfg, clock: c, log: cfg.Logger, started: c.Now(), pending: map[string]*pendingOrder{}}, nil
}

// Lang is the reply language.
func (r *Router) Lang() Lang { return r.cfg.Lang }

func (r *Router) t(key string, args ...any) string { return text(r.cfg.Lang, key, args...) }

// Authorized reports whether userID may command hoga.
func (r *Router) Authorized(userID string) bool {
	if userID == "console" {
		return true
	}
	return r.cfg.Allowed != nil && r.cfg.Allowed(userID)
}

// Unauthorized is the reply to a sender who is not allowed: it names their
// id so the owner can add it, and says nothing else.
func (r *Router) Unauthorized(userID string) Reply {
	return Reply{Text: r.t("unauthorized", Esc(userID))}
}

// Handle runs one command and returns the reply. It never panics on input:
// bad input gets a one-line usage and nothing reaches the broker.
func (r *Router) Handle(ctx context.Context, req Request) Reply {
	if !r.Authorized(req.UserID) {
		r.log.Warn("refused command from unauthorized user", "user", req.UserID, "source", req.Source)
		return r.Unauthorized(req.UserID)
	}
	fields := strings.Fields(req.Text)
	if len(fields) == 0 {
		return Reply{Text: r.t("not_command")}
	}
	cmd := CommandWord(fields[0])
	if !strings.HasPrefix(cmd, "/") {
		return Reply{Text: r.t("not_command")}
	}
	staleNote := ""
	if !req.Sent.IsZero() && r.cfg.StaleAfter > 0 {
		if age := r.clock.Now().Sub(req.Sent); age > r.cfg.StaleAfter {
			if Acts(cmd) {
				r.log.Warn("ignored stale command", "user", req.UserID, "age", age, "text", req.Text)
				// The refusal names the command: after an outage several
				// answers arrive at once, and the day-of-use trial could not
				// tell which one this was.
				return Reply{Text: r.t("stale", duration(r.cfg.Lang, age), Esc(clip(req.Text, 60)), duration(r.cfg.Lang, r.cfg.StaleAfter))}
			}
			// A question from an outage: answer it with what is true now,
			// and say it was old (issue 19, item 10).
			r.log.Info("answering an old question with current data", "user", req.UserID, "age", age, "command", cmd)
			staleNote = r.t("stale.read", duration(r.cfg.Lang, age)) + "\n"
		}
	}
	if staleNote != "" {
		rep := r.dispatch(ctx, req, cmd, fields)
		rep.Text = staleNote + rep.Text
		return rep
	}
	return r.dispatch(ctx, req, cmd, fields)
}

// dispatch runs the command's row of the table (table.go).
func (r *Router) dispatch(ctx context.Context, req Request, cmd string, fields []string) Reply {
	if c, ok := LookupCommand(cmd); ok {
		return c.run(r, ctx, req, fields[1:])
	}
	return Reply{Text: r.t("unknown_command", Esc(fields[0]))}
}

func (r *Router) help() Reply {
	return Reply{Text: r.t("help", r.modeName(), BrokerLabel(r.cfg.Lang, r.cfg.Broker.Name()))}
}

func (r *Router) modeName() string { return ModeLabel(r.cfg.Lang, r.cfg.Mode) }

// ModeLabel is mode ("live", "mock", "paper") as the owner reads it (실전,
// 모의투자, …); anything else reads as mock, the safe assumption.
func ModeLabel(lang Lang, mode string) string {
	switch mode {
	case "live":
		return text(lang, "mode.live")
	case "paper":
		return text(lang, "mode.paper")
	}
	return text(lang, "mode.mock")
}

// BrokerLabel is a broker's name as the owner knows it (한국투자증권 for
// "kis"): the day-of-use trial of issue 19 read "(실전 · kis)" in /help and
// /status. A name the catalog lacks (a test double) is shown as it is.
func BrokerLabel(lang Lang, name string) string {
	if k := "broker." + name; hasText(lang, k) {
		return text(lang, k)
	}
	return Esc(name)
}

func (r *Router) price(ctx context.Context, args []string) Reply {
	if len(args) == 0 {
		return Reply{Text: r.stockList()}
	}
	code, ok := r.lookupCode(strings.Join(args, " "))
	if !ok {
		return Reply{Text: r.t("bad.code", Esc(strings.Join(args, " "))) + "\n" + r.t("usage.price")}
	}
	q, err := r.quote(ctx, code)
	if err != nil {
		return r.errorReply(err)
	}
	r.learnName(q)
	text := r.FormatQuote(q) + "\n" + r.quoteWhen(q)
	if q.Venue != "" {
		text += "\n" + r.t("quote.venue."+q.Venue.Lower())
	}
	return Reply{Text: text}
}

// quote is code's price where the owner can trade now: NXT's book out of
// KRX's hours while Nextrade trades (when the account reaches NXT), else
// the broker's plain quote (KRX's). A stock NXT does not list, or a broker
// that cannot quote NXT, gets the plain quote (KRX's last price).
func (r *Router) quote(ctx context.Context, code broker.Code) (broker.Quote, error) {
	if r.cfg.NXT && r.cfg.Calendar != nil {
		now := r.clock.Now()
		if _, nxtOpen := r.cfg.Calendar.OrderWindow(broker.VenueNXT, now); nxtOpen && !r.cfg.Calendar.AcceptsOrders(now) {
			q, err := broker.QuoteOn(ctx, r.cfg.Broker, code, broker.VenueNXT)
			if err == nil {
				return q, nil
			}
			r.log.Debug("no NXT quote; quoting KRX", "code", code, "err", err)
		}
	}
	return r.cfg.Broker.Quote(ctx, code)
}

// quoteWhen says when the quote is from and what the market is doing
// then (issue 19, item 12): a price at 19:00 is the close, or NXT's.
func (r *Router) quoteWhen(q broker.Quote) string {
	when := q.Time
	if when.IsZero() {
		when = r.clock.Now()
	}
	if r.cfg.Calendar == nil {
		return r.t("quote.when", kstClock(when))
	}
	return r.t("quote.when_market", kstClock(when), r.t(MarketState(r.cfg.Calendar, when)))
}

// MarketState is the catalog key of what the Korean market is doing at t:
// KRX's regular session and its auctions, and Nextrade's (NXT) pre- and
// after-market (/work/shared/krx-calendar.md: NXT 08:00–08:50 and
// 15:30–20:00 on KRX trading days).
func MarketState(cal *broker.Calendar, t time.Time) string {
	s, ok := cal.SessionOn(t)
	if !ok {
		return "mkt.holiday"
	}
	kt := t.In(broker.KST())
	at := func(h, m int) time.Time { return s.Date.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
	switch {
	case kt.Before(at(8, 0)):
		return "mkt.before"
	case kt.Before(s.AuctionStart) && kt.Before(at(8, 50)):
		return "mkt.nxt_pre"
	case kt.Before(s.Open):
		return "mkt.auction_open"
	case kt.Before(s.ContinuousEnd):
		return "mkt.open"
	case kt.Before(s.Close):
		return "mkt.auction_close"
	case kt.Before(at(20, 0)):
		return "mkt.nxt_after"
	}
	return "mkt.closed"
}

// FormatQuote renders a quote the way /price shows it.
func (r *Router) FormatQuote(q broker.Quote) string {
	name := q.Name
	if name == "" {
		name = string(q.Code)
	}
	return r.t("quote", Esc(name), q.Code, Group(q.Price), change(q.Sign, q.Change), pct(q.ChangePct),
		Group(q.Open), Group(q.High), Group(q.Low), Group(q.Volume), Group(q.UpperLimit), Group(q.LowerLimit))
}

// errorReply tells the user what went wrong and what to do, by error kind.
// Internal errors say only that; the log keeps the chain.
func (r *Router) errorReply(err error) Reply {
	return Reply{Text: r.ErrorText(err)}
}

// ErrorText is the user-facing sentence for err.
func (r *Router) ErrorText(err error) string {
	var te *broker.TickError
	if errors.As(err, &te) {
		return r.t("bad.tick", Group(te.Price), Group(te.Tick), Group(te.Below), Group(te.Above))
	}
	e, ok := broker.AsError(err)
	if ok && e.Code == "journal_write" { // guard.CodeJournalWrite
		r.log.Error("order not sent: journal write failed", "err", err)
		return r.t("err.journal_write")
	}
	if !ok || e.Kind == broker.Internal {
		r.log.Error("internal error", "err", err)
		return r.t("err.internal")
	}
	switch e.Code { // hoga's own refusals, said in the user's language
	case "order_krw":
		var v *broker.OrderValue
		if errors.As(err, &v) {
			basis := map[broker.ValueBasis]string{broker.BasisLimit: "basis.limit",
				broker.BasisUpperLimit: "basis.upper", broker.BasisCurrent: "basis.current"}[v.Basis]
			return r.t("err.order_krw_sum", Group(v.Qty), Group(v.Price), Group(v.Amount), r.t(basis), Group(v.Limit))
		}
		return r.t("err.order_krw", Group(r.cfg.MaxOrderKRW))
	case "daily_orders":
		return r.t("err.daily_orders", r.cfg.MaxDailyOrders)
	case "order_final":
		if said, ok := sayText(r.cfg.Lang, e); ok {
			return r.t("err.order_final", said)
		}
	case "sell_committed":
		var s *broker.SellRoom
		if errors.As(err, &s) {
			return r.t("err.sell_committed", Group(s.Qty), Group(s.Held), Group(s.Committed), Group(s.Free))
		}
	case "unsettled":
		return r.t("err.unsettled")
	case "journal_lost":
		return JournalLostText(r.cfg.Lang, err)
	case "venue_unsupported":
		return r.t("err.venue_unsupported", venueFrom(e.Msg))
	case "nxt_unlisted":
		return r.t("err.nxt_unlisted")
	case "krx_session":
		if !e.NextOpen.IsZero() {
			return r.t("err.krx_session", r.t("krx_session."+e.Msg), r.kstWhen(e.NextOpen))
		}
	case "offhours_mock":
		return r.t("err.offhours_mock", r.kstWhen(e.NextOpen))
	case "krx_close":
		if !e.NextOpen.IsZero() {
			return r.t("err.krx_close", r.kstWhen(e.NextOpen), r.t("close_session."+e.Msg))
		}
	case "close_venue":
		return r.t("err.close_venue")
	case "close_mock":
		return r.t("err.close_mock")
	case "nxt", "sor":
		if e.Kind == broker.MarketClosed && !e.NextOpen.IsZero() {
			v := strings.ToUpper(e.Code)
			return r.t("err.market_closed_venue", v, Esc(e.Msg), v, r.kstWhen(e.NextOpen))
		}
	}
	if e.Kind == broker.UnknownOutcome {
		// The guard's and the client's sentences are for the log; the user
		// gets what the broker itself said, if it said anything, and what
		// hoga does about it.
		if cause, ok := broker.AsError(e.Err); ok && cause.Code != "" {
			return r.t("err.unknown_outcome", brokerDetail(r.cfg.Lang, cause))
		}
		return r.t("err.unknown_outcome_plain")
	}
	detail := brokerDetail(r.cfg.Lang, e)
	switch e.Kind {
	case broker.MarketClosed:
		if !e.NextOpen.IsZero() {
			return r.t("err.market_closed", detail, r.kstWhen(e.NextOpen))
		}
		return r.t("err.market_closed_nt", detail)
	case broker.Halted:
		return r.t("err.halted")
	}
	return r.t("err."+e.Kind.String(), detail)
}

// JournalLostText is what the owner is told when the order journal's file
// was removed or replaced under a running hoga: what happened, that nothing
// was sent, and what to do with the copy hoga saved (or without one).
func JournalLostText(lang Lang, err error) string {
	var jl *broker.JournalLost
	if !errors.As(err, &jl) {
		return text(lang, "err.journal_lost", "hoga.db", text(lang, "err.journal_lost_nocopy"))
	}
	next := text(lang, "err.journal_lost_nocopy")
	if jl.Copy != "" {
		next = text(lang, "err.journal_lost_copy", Esc(jl.Copy), Esc(jl.Path))
	}
	return text(lang, "err.journal_lost", Esc(jl.Path), next)
}

// venueFrom picks the venue (KRX, NXT, SOR) a guard refusal names.
func venueFrom(msg string) string {
	for _, v := range broker.Venues {
		if strings.Contains(msg, "orders to "+string(v)) { // the guard's sentence

			return string(v)
		}
	}
	return "NXT"
}

// brokerDetail is "[code] message" for the user, escaped; for hoga's own
// refusals (e.Say set) it is hoga's sentence in lang instead, so a Korean
// reply never carries the English log sentence (issue 12, item 12).
func brokerDetail(lang Lang, e *broker.Error) string {
	if said, ok := sayText(lang, e); ok {
		return said
	}
	detail := e.Msg
	if e.Code != "" && e.Code != "krx" && e.Code != "tick" {
		detail = "[" + e.Code + "] " + detail
	}
	if e.Err != nil && detail == "" {
		detail = e.Err.Error()
	}
	return Esc(strings.TrimSpace(detail))
}

// sayText renders e's catalog sentence (broker.Error.Say) in lang:
// integers grouped, everything else escaped.
func sayText(lang Lang, e *broker.Error) (string, bool) {
	if e.Say == "" || !hasText(lang, "say."+e.Say) {
		return "", false
	}
	args := make([]any, len(e.Args))
	for i, a := range e.Args {
		switch v := a.(type) {
		case int64:
			args[i] = Group(v)
		case int:
			args[i] = Group(int64(v))
		default:
			args[i] = Esc(fmt.Sprint(v))
		}
	}
	return text(lang, "say."+e.Say, args...), true
}
