package bot

import (
	"context"
	"errors"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/strategy"
)

// StrategyEvent formats a strategy engine event and publishes it.
// cmd/hoga sets strategy.Options.OnEvent to call it.
func (f *Feed) StrategyEvent(ctx context.Context, ev strategy.Event) {
	if ev.Kind == strategy.EventHalted && ev.Reason == strategy.PauseUnattended {
		// The transport that was lost already said so, with its reason
		// (alert.surface_down); the owner got the same news twice in the
		// day-of-use trial of issue 19.
		return
	}
	f.Publish(ctx, f.FormatStrategyEvent(ev))
}

// FormatStrategyEvent renders a strategy event as an alert. The guard
// announces the order itself (placed, filled, rejected); these say which
// rule acted, on what price, and what it will do next. A failing quote or
// balance is an error alert (kept for /status); a re-armed leg is silent.
func (f *Feed) FormatStrategyEvent(ev strategy.Event) Alert {
	lang := f.cfg.Lang
	t := func(key string, args ...any) string { return text(lang, key, args...) }
	r := ev.Rule
	// A rule that first acts on a streamed trade has no quote's name yet:
	// the alert read "Rule 005930" where the same rule, fired on a
	// polled quote, read "삼성전자 (005930)" (issue 12, Kiwoom walk).
	name := ev.Name
	if name == "" && f.cfg.Names != nil && r.Code != "" {
		name = f.cfg.Names(r.Code)
	}
	label := string(r.Code)
	if name != "" {
		label = Esc(name) + " (" + string(r.Code) + ")"
	}
	side := t("side.buy")
	if ev.Side == broker.Sell {
		side = t("side.sell")
	}
	cond := t("strategy.below", Group(r.BuyBelow))
	rearm := t("strategy.rearm.buy", Group(r.RearmBuyAt()))
	if ev.Side == broker.Sell {
		cond = t("strategy.above", Group(r.SellAbove))
		rearm = t("strategy.rearm.sell", Group(r.RearmSellAt()))
	}
	req := ev.Request
	price := t("type.market")
	if req.Type == broker.Limit {
		price = t("type.limit", Group(req.Price))
	}
	errText := strategyErrText(lang, ev.Err)
	if iq := implausibleText(lang, ev.Err); iq != "" {
		errText = iq
	}

	a := Alert{Type: AlertStrategy}
	switch ev.Kind {
	case strategy.EventPlaced:
		a.Text = t("strategy.placed", f.modeTag(), label, Group(ev.Price), cond, side, Group(req.Qty), price, Esc(ev.Order.ID))
	case strategy.EventAsked:
		// No mode tag: the confirmation prompt that follows in the same
		// message names the mode.
		a.Text = t("strategy.asked", label, Group(ev.Price), cond, side, Group(req.Qty), price)
	case strategy.EventRejected:
		a.Text = t("strategy.rejected", f.modeTag(), label, side, Group(req.Qty), price, errText, strategy.MaxFailures)
	case strategy.EventUnknown:
		a.Text = t("strategy.unknown", f.modeTag(), label, side, Group(req.Qty), price, errText)
	case strategy.EventLimit:
		a.Text = t("strategy.limit", f.modeTag(), label, side, Group(req.Qty), price, errText, rearm)
	case strategy.EventSkipped:
		if ev.Side == broker.Sell {
			a.Text = t("strategy.skipped.sell", label, Group(ev.Price), cond)
		} else {
			a.Text = t("strategy.skipped.buy", label, Group(ev.Price), cond, Group(r.MaxPosition))
		}
	case strategy.EventDisabled:
		a.Text = t("strategy.disabled", label, strategy.MaxFailures, errText, string(r.Code))
	case strategy.EventRearmed:
		a.Text, a.Silent = t("strategy.rearmed", label, side, Group(ev.Price)), true
	case strategy.EventHalted:
		a.Text = t("strategy.halted")
		if ev.Reason == strategy.PauseUnattended {
			a.Text = t("strategy.unattended")
		}
	case strategy.EventQuoteFailed:
		a.Type = AlertErrors
		if ev.Reason == "balance" || r.Code == "" {
			a.Text = t("strategy.balance_failed", strategy.MaxFailures, errText)
		} else {
			a.Text = t("strategy.quote_failed", label, strategy.MaxFailures, errText)
		}
	default:
		a.Text = Esc(string(ev.Kind))
	}
	return a
}

// strategyErrText is the broker's (or hoga's) words for err, escaped.
func strategyErrText(lang Lang, err error) string {
	if err == nil {
		return ""
	}
	if e, ok := broker.AsError(err); ok {
		if said, ok := sayText(lang, e); ok {
			return said
		}
		s := e.Msg
		if s == "" && e.Err != nil {
			s = e.Err.Error()
		}
		if s == "" {
			s = e.Kind.String()
		}
		if e.Code != "" {
			s = "[" + e.Code + "] " + s
		}
		return Esc(s)
	}
	return Esc(err.Error())
}

// implausibleText says in lang what was impossible about a quote the
// clients refused (broker.Quote.Plausible), or "" for any other error:
// the clients' own sentence is English and for the log.
func implausibleText(lang Lang, err error) string {
	var iq *broker.ImplausibleQuote
	if !errors.As(err, &iq) {
		return ""
	}
	q := iq.Quote
	return text(lang, "err.implausible_quote", Esc(string(q.Code)), Group(q.Price), Group(q.LowerLimit), Group(q.UpperLimit))
}
