package bot

import (
	"context"
	"strings"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/strategy/exits"
)

// ExitBook is the protective exits as the chat edits them
// (strategy/exits.Book).
type ExitBook interface {
	// Put arms x; src says who asked (exits.SourceChat from here).
	Put(ctx context.Context, x exits.Exit, src exits.Source) error
	Delete(ctx context.Context, code broker.Code, kind exits.Kind) error
	List(ctx context.Context) ([]exits.Status, error)
}

// exitCmd runs /stop, /take and /trail: "CODE LEVEL" arms, "CODE del"
// removes.
func (r *Router) exitCmd(ctx context.Context, kind exits.Kind, args []string) Reply {
	if r.cfg.Exits == nil {
		return Reply{Text: r.t("exits.unavailable")}
	}
	if len(args) != 2 {
		return Reply{Text: r.exitUsage()}
	}
	code, ok := r.lookupCode(args[0])
	if !ok {
		return Reply{Text: r.t("bad.code", Esc(args[0])) + "\n" + r.exitUsage()}
	}
	switch strings.ToLower(args[1]) {
	case "del", "delete", "rm", "off":
		if err := r.cfg.Exits.Delete(ctx, code, kind); err != nil {
			if broker.KindOf(err) == broker.NotFound {
				return Reply{Text: r.t("exits.not_found", r.t("exits.kind."+string(kind)), code)}
			}
			return r.errorReply(err)
		}
		return Reply{Text: r.t("exits.deleted", r.t("exits.kind."+string(kind)), code)}
	}
	x, err := exits.ParseLevel(kind, args[1])
	if err == nil {
		x.Code = code
		err = x.Validate()
	}
	if err != nil {
		return Reply{Text: r.t("bad.exit", Esc(args[1])) + "\n" + r.exitUsage()}
	}
	if err := r.cfg.Exits.Put(ctx, x, exits.SourceChat); err != nil {
		if broker.KindOf(err) == broker.NotFound {
			return Reply{Text: r.t("exits.no_position", code)}
		}
		return r.errorReply(err)
	}
	line := r.FormatExit(exits.Status{Exit: x, State: exits.State{Armed: true}, Source: exits.SourceChat})
	for _, s := range r.listExits(ctx) {
		if s.Exit == x {
			line = r.FormatExit(s)
		}
	}
	return Reply{Text: r.t("exits.saved", line)}
}

func (r *Router) listExits(ctx context.Context) []exits.Status {
	l, err := r.cfg.Exits.List(ctx)
	if err != nil {
		return nil
	}
	return l
}

// exitsList runs /exits.
func (r *Router) exitsList(ctx context.Context) Reply {
	if r.cfg.Exits == nil {
		return Reply{Text: r.t("exits.unavailable")}
	}
	l, err := r.cfg.Exits.List(ctx)
	if err != nil {
		return r.errorReply(err)
	}
	if len(l) == 0 {
		return Reply{Text: r.t("exits.none", "-5%")}
	}
	lines := []string{r.t("exits.head")}
	for _, s := range l {
		lines = append(lines, r.FormatExit(s))
	}
	return Reply{Text: strings.Join(lines, "\n")}
}

// FormatExit renders one line of /exits.
func (r *Router) FormatExit(s exits.Status) string {
	return formatExit(r.cfg.Lang, s)
}

func formatExit(lang Lang, s exits.Status) string {
	t := func(key string, args ...any) string { return text(lang, key, args...) }
	level := t("exits.level_unknown")
	if s.Level > 0 {
		level = t("exits.level", Group(s.Level))
	}
	if s.Kind == exits.Trail && s.High > 0 {
		level += t("exits.high", Group(s.High))
	}
	state := t("exits.armed")
	if !s.Armed {
		state = t("exits.off." + s.Off)
		if s.Off == exits.OffFired && s.OrderID != "" {
			state += " · " + t("exits.order", Esc(s.OrderID))
		}
	}
	if s.FromFile {
		state += t("exits.from_file")
	}
	if s.Source == exits.SourceHTTP {
		state += t("exits.from_http")
	}
	return t("exits.line", s.Code, t("exits.kind."+string(s.Kind)), Esc(s.Spec()), level, state)
}

// ExitEvent formats an exit's event and publishes it. cmd/hoga sets
// exits.Options.OnEvent to call it.
func (f *Feed) ExitEvent(ctx context.Context, ev exits.Event) {
	f.Publish(ctx, f.FormatExitEvent(ev))
}

// FormatExitEvent renders an exit event as an alert: which exit acted,
// on what price against which level, and what was sold. The guard
// announces the order itself (placed, filled); this says why.
func (f *Feed) FormatExitEvent(ev exits.Event) Alert {
	lang := f.cfg.Lang
	t := func(key string, args ...any) string { return text(lang, key, args...) }
	x := ev.Exit
	// An exit that fires on a streamed trade has no quote's name: the
	// alert read "🛑 005930 손절(-1%) 발동" (issue 12, Kiwoom walk).
	name := ev.Name
	if name == "" && f.cfg.Names != nil && x.Code != "" {
		name = f.cfg.Names(x.Code)
	}
	label := string(x.Code)
	if name != "" {
		label = Esc(name) + " (" + string(x.Code) + ")"
	}
	kind := t("exits.kind." + string(x.Kind))
	spec := Esc(x.Spec())
	why := t("exit.why.avg", Group(ev.Avg))
	if x.Kind == exits.Trail {
		why = t("exit.why.high", Group(ev.High))
	}
	price := t("type.market")
	if ev.Request.Type == broker.Limit {
		price = t("type.limit", Group(ev.Request.Price))
	}
	a := Alert{Type: AlertStrategy}
	switch ev.Kind {
	case exits.EventFired:
		a.Text = t("exit.fired", f.modeTag(), label, kind, spec, Group(ev.Price), Group(ev.Level), why, Group(ev.Request.Qty), price, Esc(ev.Order.ID))
	case exits.EventRefused:
		a.Text = t("exit.refused", f.modeTag(), label, kind, Group(ev.Request.Qty), strategyErrText(lang, ev.Err), exits.MaxFailures)
	case exits.EventUnknown:
		a.Text = t("exit.unknown", f.modeTag(), label, kind, Group(ev.Request.Qty), strategyErrText(lang, ev.Err))
	case exits.EventCommitted:
		a.Text = t("exit.committed", label, kind, Group(ev.Price), Group(ev.Level))
	case exits.EventArmed:
		a.Text = t("exit.armed", label, kind, spec, Group(ev.Avg))
	case exits.EventOff:
		switch ev.Reason {
		case exits.OffGone:
			a.Text = t("exit.off.gone", label, kind, spec)
		case exits.OffNotHeld:
			a.Text = t("exit.off.not_held", label, kind, spec)
		default:
			a.Type = AlertErrors
			a.Text = t("exit.off.failures", label, kind, exits.MaxFailures, strategyErrText(lang, ev.Err), string(x.Kind), string(x.Code), spec)
		}
	default:
		a.Text = Esc(string(ev.Kind))
	}
	if ev.OnRestart {
		a.Text += t("exit.on_restart")
	}
	return a
}

// exitUsage is the usage line; the examples' percent signs go in as
// arguments, as a catalog format without arguments is shown verbatim.
func (r *Router) exitUsage() string { return r.t("usage.exit", "-5%", "+10%", "3%") }
