package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
)

// AlertType groups alerts so each group can be on, silent or off.
type AlertType string

// Alert types, as HOGA_ALERTS names them.
const (
	AlertOrders   AlertType = "orders"   // placed, filled, rejected, unknown, reconciled, cancelled
	AlertStrategy AlertType = "strategy" // rule fired, limit reached, rule disarmed
	AlertErrors   AlertType = "errors"   // broker down, token problems, rate limits
	AlertSystem   AlertType = "system"   // start, stop, halt, resume
	// AlertConfirm carries [확인]/[취소] buttons for an order that waits on
	// the owner (an HTTP order in live mode, a rule with confirm: true).
	// HOGA_ALERTS cannot turn it off: a prompt nobody sees is an order
	// silently dropped.
	AlertConfirm AlertType = "confirm"
)

// AlertLevel is how an alert type is delivered.
type AlertLevel string

// Levels: on (notify), silent (deliver without a sound), off (drop).
const (
	LevelOn     AlertLevel = "on"
	LevelSilent AlertLevel = "silent"
	LevelOff    AlertLevel = "off"
)

// AlertSettings maps each type to its level; a missing type is on.
type AlertSettings map[AlertType]AlertLevel

// ParseAlertSettings reads "orders=on,strategy=on,errors=on,system=silent".
func ParseAlertSettings(s string) (AlertSettings, error) {
	out := AlertSettings{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return nil, &AlertSettingError{Wrong: "form", Part: part}
		}
		t, l := AlertType(strings.TrimSpace(k)), AlertLevel(strings.TrimSpace(v))
		switch t {
		case AlertOrders, AlertStrategy, AlertErrors, AlertSystem:
		default:
			return nil, &AlertSettingError{Wrong: "type", Part: part, Type: k}
		}
		switch l {
		case LevelOn, LevelSilent, LevelOff:
		default:
			return nil, &AlertSettingError{Wrong: "level", Part: part, Type: k, Level: v}
		}
		out[t] = l
	}
	return out, nil
}

// AlertSettingError is a part of HOGA_ALERTS that ParseAlertSettings
// refuses. Wrong is which part is wrong: "form" (no '='), "type" or
// "level". Its parts let start-up say it in the owner's language.
type AlertSettingError struct{ Wrong, Part, Type, Level string }

func (e *AlertSettingError) Error() string {
	switch e.Wrong {
	case "form":
		return fmt.Sprintf("alert setting %q must be type=level", e.Part)
	case "type":
		return fmt.Sprintf("alert type %q must be orders, strategy, errors or system", e.Type)
	}
	return fmt.Sprintf("alert level %q for %s must be on, silent or off", e.Level, e.Type)
}

// Alert is one message for the alert feed.
type Alert struct {
	Type    AlertType
	Text    string // HTML
	Silent  bool   // deliver without notification sound
	Buttons []Button
	// Echo names the transport ("console", "telegram", "http") whose user
	// was already told this in the reply to their command, so that sink can
	// skip repeating it. Outcomes learned later (a reconciliation, a fill)
	// have no Echo: everyone must hear them.
	Echo string
	// EchoUser is the user id that reply went to, so a sink sending to
	// private chats can skip that one person and still tell the others.
	EchoUser string
	// Expires is when a confirmation's buttons stop working (zero: they
	// do not); a transport takes them away then.
	Expires time.Time
	// Delivered, when set, is called once when the alert has reached the
	// owner (a sink that prints it, or Telegram having sent it to every
	// chat it was meant for); Feed makes it safe to call more than once.
	Delivered func()
	// Notify is the Telegram user who placed the order an alert is about
	// (a fill, an expiry): a transport whose alert targets do not include
	// that user's private chat (a group alert chat) sends them a copy too.
	Notify string
	// Photo, when set, is a picture Text is the caption of (the close
	// report's chart of a stock, Router.Chart): Telegram sends it with
	// sendPhoto, the console saves it and prints the path.
	Photo *Photo
}

// AlertSink delivers alerts (the Telegram alert chat, the console). It
// must not block for long: a slow transport queues.
type AlertSink interface {
	SendAlert(ctx context.Context, a Alert) error
}

// FeedConfig builds a Feed.
type FeedConfig struct {
	Lang     Lang
	Settings AlertSettings
	Clock    clock.Clock
	Logger   *slog.Logger
	// KeepErrors is how many recent errors /status shows (default 5).
	KeepErrors int
	// Mode is "paper", "mock" or "live": fills and expiries carry it, so
	// a mock fill is never read as money.
	Mode string
	// Names gives a stock's name for a code (Router.NameOf), for events
	// that carry only the code (a fill learned from the broker's list);
	// nil or "" shows the code alone.
	Names func(broker.Code) string
	// Store, when set, keeps the day's error count and last lines
	// (hoga's SQLite settings), so the close report counts the errors of
	// the whole day, also those of a run that stopped before it
	// (RestoreErrors reads them back at start).
	Store ErrorStore
}

// ErrorStore is the key/value part of hoga's store (*store.DB) the feed
// keeps the day's errors in. PutSetting is durable when it returns.
type ErrorStore interface {
	GetSetting(ctx context.Context, key string) (string, bool, error)
	PutSetting(ctx context.Context, key, value string) error
}

// errorsKey holds the day's errors as JSON (storedErrors): one row, the
// day's, overwritten by the next day's first error.
const errorsKey = "alerts.errors_today"

// storedErrors is dayErrors as stored.
type storedErrors struct {
	Day  string   `json:"day"`
	N    int      `json:"n"`
	Last []string `json:"last,omitempty"`
}

// Feed is the alert feed: it formats events in the configured language,
// applies the per-type settings and hands alerts to every sink. It also
// remembers the last few errors for /status.
type Feed struct {
	cfg   FeedConfig
	clock clock.Clock
	log   *slog.Logger

	mu     sync.Mutex
	sinks  []AlertSink
	errors []string
	// today holds the KST day's errors for the close report.
	today dayErrors
	// since is when today's count begins: the feed's start, or zero once
	// RestoreErrors has read the day's stored count (the whole day).
	since time.Time
	// saveMu orders the stored snapshots as the errors were counted.
	saveMu sync.Mutex
	// restored: RestoreErrors has read the stored count, so a save keeps
	// it (before, a save would overwrite an earlier run's count).
	restored bool
}

// dayErrors counts one KST day's error alerts and keeps the last few.
type dayErrors struct {
	day  string
	n    int
	last []string
}

// dayErrorLines is how many of a day's errors the close report quotes.
const dayErrorLines = 5

// NewFeed returns a Feed with no sinks.
func NewFeed(cfg FeedConfig) *Feed {
	if cfg.Lang == "" {
		cfg.Lang = Korean
	}
	if cfg.KeepErrors <= 0 {
		cfg.KeepErrors = 5
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	f := &Feed{cfg: cfg, clock: clock.Or(cfg.Clock), log: cfg.Logger}
	f.since = f.clock.Now()
	return f
}

// RestoreErrors reads the day's errors an earlier run stored (Store) and
// counts them with this run's, so the close report is true across
// restarts. Without a Store, or when the stored count cannot be read (the
// error says why), the count starts at this run's start (ErrorsSince).
func (f *Feed) RestoreErrors(ctx context.Context) error {
	if f.cfg.Store == nil {
		return nil
	}
	f.saveMu.Lock()
	defer f.saveMu.Unlock()
	v, ok, err := f.cfg.Store.GetSetting(ctx, errorsKey)
	if err != nil {
		return fmt.Errorf("alerts: the day's stored errors: %w", err)
	}
	var se storedErrors
	if ok {
		if err := json.Unmarshal([]byte(v), &se); err != nil {
			return fmt.Errorf("alerts: the day's stored errors are damaged: %w", err)
		}
	}
	f.mu.Lock()
	day := broker.Day(f.clock.Now())
	mine := 0 // this run's errors of today, before the restore
	if f.today.day == day {
		mine = f.today.n
	}
	if se.Day == day {
		if f.today.day != day {
			f.today = dayErrors{day: day}
		}
		// An error published since start is counted after the stored
		// ones (and stored with them by the next save).
		f.today.n += se.N
		f.today.last = append(append([]string(nil), se.Last...), f.today.last...)
		if len(f.today.last) > dayErrorLines {
			f.today.last = f.today.last[len(f.today.last)-dayErrorLines:]
		}
	}
	f.since = time.Time{}
	f.restored = true
	var save *storedErrors
	if mine > 0 {
		save = &storedErrors{Day: f.today.day, N: f.today.n, Last: append([]string(nil), f.today.last...)}
	}
	f.mu.Unlock()
	if save != nil {
		f.saveErrors(ctx, *save)
	}
	return nil
}

// ErrorsSince is when ErrorsOn's count begins: zero when it covers the
// whole day (the stored count was read), else this run's start.
func (f *Feed) ErrorsSince() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.since
}

// AddSink adds a destination.
func (f *Feed) AddSink(s AlertSink) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sinks = append(f.sinks, s)
}

// Publish delivers a to every sink unless its type is off. Errors are
// remembered for /status whatever their setting.
func (f *Feed) Publish(ctx context.Context, a Alert) {
	var save *storedErrors
	counting := a.Type == AlertErrors && f.cfg.Store != nil
	if counting {
		f.saveMu.Lock() // until the count is stored, before the sinks
	}
	f.mu.Lock()
	if a.Type == AlertErrors { // kept for /status even when error alerts are off
		line := kstClock(f.clock.Now()) + " " + StripHTML(a.Text)
		f.errors = append(f.errors, line)
		if len(f.errors) > f.cfg.KeepErrors {
			f.errors = f.errors[len(f.errors)-f.cfg.KeepErrors:]
		}
		if day := broker.Day(f.clock.Now()); f.today.day != day {
			f.today = dayErrors{day: day}
		}
		f.today.n++
		f.today.last = append(f.today.last, line)
		if len(f.today.last) > dayErrorLines {
			f.today.last = f.today.last[len(f.today.last)-dayErrorLines:]
		}
		if f.cfg.Store != nil && f.restored {
			save = &storedErrors{Day: f.today.day, N: f.today.n, Last: append([]string(nil), f.today.last...)}
		}
	}
	sinks := append([]AlertSink(nil), f.sinks...)
	f.mu.Unlock()
	if save != nil {
		f.saveErrors(ctx, *save)
	}
	if counting {
		f.saveMu.Unlock()
	}
	if d := a.Delivered; d != nil {
		var once sync.Once
		a.Delivered = func() { once.Do(d) }
	}
	switch f.cfg.Settings[a.Type] {
	case LevelOff:
		if a.Delivered != nil { // the owner asked not to hear these: nothing to resend
			a.Delivered()
		}
		return
	case LevelSilent:
		a.Silent = true
	}
	for _, s := range sinks {
		if err := s.SendAlert(ctx, a); err != nil {
			f.log.Warn("alert not delivered", "type", a.Type, "err", err)
		}
	}
}

// saveErrors stores the day's errors. A failed write is logged: the
// alert itself went out, and only a restart later today would miss it.
func (f *Feed) saveErrors(ctx context.Context, se storedErrors) {
	b, err := json.Marshal(se)
	if err == nil {
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		err = f.cfg.Store.PutSetting(wctx, errorsKey, string(b))
		cancel()
	}
	if err != nil {
		f.log.Warn("the day's error count was not stored; a restart today would not count this error in the close report", "err", err)
	}
}

// Error publishes an error alert and keeps it for /status.
func (f *Feed) Error(ctx context.Context, format string, args ...any) {
	f.Publish(ctx, Alert{Type: AlertErrors, Text: "⚠️ " + Esc(fmt.Sprintf(format, args...))})
}

// System publishes a system alert from the catalog ("alert.started", …).
func (f *Feed) System(ctx context.Context, key string, args ...any) {
	f.Publish(ctx, Alert{Type: AlertSystem, Text: text(f.cfg.Lang, key, args...)})
}

// RecentErrors returns the last few errors, oldest first.
func (f *Feed) RecentErrors() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.errors...)
}

// ErrorsOn returns how many error alerts were published on the KST day
// (YYYY-MM-DD) and the last few of them ("15:04:05 text"), for the daily
// close report: this run's, and an earlier run's of the same day once
// RestoreErrors has read them (ErrorsSince says from when).
func (f *Feed) ErrorsOn(day string) (int, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.today.day != day {
		return 0, nil
	}
	return f.today.n, append([]string(nil), f.today.last...)
}

// OrderEvent formats a guard event and publishes it. A strategy order's
// placement, rejection or unknown outcome is skipped: the strategy's own
// event says the same with the rule and the price that fired it, and one
// message per fire is what the owner wants on the phone. Its later
// reconciliation, fill or cancel has no strategy twin and is published.
func (f *Feed) OrderEvent(ctx context.Context, ev broker.OrderEvent) {
	if ev.Request.Source == "strategy" {
		switch ev.Kind {
		case broker.EventPlaced, broker.EventRejected, broker.EventUnknown:
			return
		}
	}
	f.Publish(ctx, f.FormatOrderEvent(ev))
}

// FormatOrderEvent renders an order event as an alert.
func (f *Feed) FormatOrderEvent(ev broker.OrderEvent) Alert {
	lang := f.cfg.Lang
	t := func(key string, args ...any) string { return text(lang, key, args...) }
	req := ev.Request
	if req.Code == "" {
		req.Code, req.Side, req.Qty, req.Type, req.Price = ev.Order.Code, ev.Order.Side, ev.Order.Qty, ev.Order.Type, ev.Order.Price
	}
	side := t("side.buy")
	if req.Side == broker.Sell {
		side = t("side.sell")
	}
	stock := ev.Order.Name
	if stock == "" && f.cfg.Names != nil {
		stock = f.cfg.Names(req.Code)
	}
	name := label(stock, req.Code)
	price := t("type.market")
	switch {
	case req.AtClose:
		price = t("type.close") // the journal keeps the flag (migration 0006)
	case req.Type == broker.Limit:
		price = t("type.limit", Group(req.Price))
	}
	who := Who(lang, strings.Trim(req.Source+":"+req.User, ":"))
	errText := func() string {
		if e, ok := broker.AsError(ev.Err); ok {
			return reasonText(lang, e)
		}
		if ev.Err != nil {
			return Esc(ev.Err.Error())
		}
		return ""
	}
	a := Alert{Type: AlertOrders}
	switch ev.Kind {
	case broker.EventPlaced, broker.EventRejected, broker.EventUnknown, broker.EventCancelled:
		a.Echo, a.EchoUser = req.Source, req.User // the command's reply said it
	}
	switch ev.Kind {
	case broker.EventPlaced:
		a.Text = t("alert.placed", f.modeTag(), who, side, name, Group(req.Qty), price, Esc(ev.Order.ID))
	case broker.EventFilled, broker.EventPartial, broker.EventExpired:
		a.Text = f.fillText(ev, who, side, name, price)
		a.Delivered = ev.Delivered
		a.Notify = req.User
		if req.Source != "telegram" {
			a.Notify = ""
		}
	case broker.EventRejected:
		a.Text = t("alert.rejected", f.modeTag(), who, side, name, Group(req.Qty), price, errText())
	case broker.EventUnknown:
		a.Text = t("alert.unknown", f.modeTag(), who, side, name, Group(req.Qty), price, errText())
	case broker.EventReconciled:
		outcome := statusText(lang, ev.Order)
		if ev.Order.ID != "" {
			outcome += " · " + Esc(ev.Order.ID)
		}
		if ev.Err != nil && ev.Order.Status != broker.StatusRejected { // a rejection's cause is in statusText
			outcome += " · " + errText()
		}
		a.Text = t("alert.reconciled", f.modeTag(), who, side, name, Group(req.Qty), outcome)
	case broker.EventCorrected:
		// The owner was told to resend: everyone must hear this at once,
		// with sound, and the one who placed it in private too.
		a.Type, a.Notify = AlertErrors, req.User
		if req.Source != "telegram" {
			a.Notify = ""
		}
		a.Text = t("alert.corrected", f.modeTag(), who, side, name, Group(req.Qty), price, Esc(ev.Order.ID))
	case broker.EventCancelled:
		if ev.By == "" { // the broker's doing, learned by the tracker: nobody was told
			a.Echo, a.EchoUser = "", ""
			a.Text = f.fillText(ev, who, side, name, price)
			break
		}
		a.Text = t("alert.cancelled", f.modeTag(), Esc(ev.Order.ID), Who(lang, ev.By))
	case broker.EventHalted:
		a.Type, a.Text = AlertSystem, t("alert.halted", Who(lang, ev.By))
		if e, ok := broker.AsError(ev.Err); ok && e.Code == "journal_lost" {
			// hoga halted itself: the owner must hear why and what to do,
			// even with system alerts silenced.
			a.Type, a.Text = AlertErrors, JournalLostText(lang, ev.Err)
		}
	case broker.EventResumed:
		a.Type, a.Text = AlertSystem, t("alert.resumed", Who(lang, ev.By))
	default:
		a.Text = Esc(string(ev.Kind))
	}
	return a
}

// modeTag is " (모의투자)", " (LIVE)" …: every alert that speaks of an
// order says which account it is on. Only fills said it; the alert chat
// read "🟢 Order accepted …" and "🤖 Rule 005930: … placed" with no mode
// on a live account (issue 12 item 15, Kiwoom walk).
func (f *Feed) modeTag() string {
	if f.cfg.Mode == "" {
		return ""
	}
	return text(f.cfg.Lang, "alert.mode_tag", text(f.cfg.Lang, "mode."+f.cfg.Mode))
}

// fillText renders the tracker's events: a fill or partial fill with its
// quantity, price, cumulative/ordered, average, commission and tax (a sell
// with its realised P&L), an expiry or a cancel by the broker; each with
// the order's origin and the mode tag.
func (f *Feed) fillText(ev broker.OrderEvent, who, side, name, price string) string {
	lang := f.cfg.Lang
	t := func(key string, args ...any) string { return text(lang, key, args...) }
	tag := f.modeTag()
	o, fl := ev.Order, ev.Fill
	switch ev.Kind {
	case broker.EventExpired:
		return t("alert.expired", tag, who, side, name, Group(o.Qty), price, Group(o.FilledQty), Group(o.Qty), Esc(o.ID))
	case broker.EventCancelled:
		note := ""
		if o.Note != "" {
			note = " · " + Esc(o.Note)
		}
		return t("alert.cancelled_broker", tag, who, side, name, Group(o.Qty), price, Group(o.FilledQty), Group(o.Qty), Esc(o.ID), note)
	}
	key := "alert.partial"
	if ev.Kind == broker.EventFilled {
		key = "alert.filled"
	}
	// The order number with where the order went when that is not KRX,
	// the default: "· NXT", "· SOR→NXT" (the journal keeps where a KIS
	// SOR order traded across restarts).
	id := Esc(o.ID)
	if o.Venue != "" && o.Venue != broker.VenueKRX {
		id += venueTag(o)
	}
	s := t(key, tag, who, side, name, Group(fl.Qty), Group(fl.Price), Group(o.FilledQty), Group(o.Qty),
		Group(o.AvgFillPrice), Group(fl.Commission), Group(fl.Tax), id)
	if won, p, ok := fl.RealisedPnL(); ok {
		s += t("alert.fill_pnl", signed(won), pct(p))
	}
	switch {
	case fl.Late && !fl.LateSince.IsZero():
		// Found at start-up, maybe from before the stop (tracker.Mark).
		s += t("alert.fill_late_unsure", kstClock(fl.LateSince))
	case fl.Late:
		s += t("alert.fill_late")
	}
	if fl.Resent {
		s += t("alert.fill_resent")
	}
	return s
}
