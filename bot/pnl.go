package bot

import (
	"context"
	"strconv"
	"strings"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/pnl"
)

// PnLSource computes the P&L of the n KST days ending today (pnl.Compute
// over the journal's fills; cmd/hoga binds the store and the clock).
type PnLSource func(ctx context.Context, n int) (pnl.Report, error)

// Period bounds for /profit, /daily and /performance.
const (
	defaultProfitDays = 30
	defaultDailyDays  = 7
	maxPnLDays        = 366
)

// pnlDays reads the optional day count.
func pnlDays(args []string, def int) (int, bool) {
	switch len(args) {
	case 0:
		return def, true
	case 1:
		n, err := strconv.Atoi(args[0])
		if err != nil || n < 1 || n > maxPnLDays {
			return 0, false
		}
		return n, true
	}
	return 0, false
}

// pnlReport is the common start of /profit, /daily and /performance:
// the day count (def when none is given) and the report, or the reply
// that says why there is none.
func (r *Router) pnlReport(ctx context.Context, args []string, def int) (int, pnl.Report, *Reply) {
	if r.cfg.PnL == nil {
		return 0, pnl.Report{}, &Reply{Text: r.t("pnl.unavailable")}
	}
	n, ok := pnlDays(args, def)
	if !ok {
		return 0, pnl.Report{}, &Reply{Text: r.t("usage.pnl", maxPnLDays)}
	}
	rep, err := r.cfg.PnL(ctx, n)
	if err != nil {
		e := r.errorReply(err)
		return 0, pnl.Report{}, &e
	}
	return n, rep, nil
}

// profit runs /profit [days]: realised P&L of the period with fees and
// tax, and the unrealised P&L of what is held now.
func (r *Router) profit(ctx context.Context, args []string) Reply {
	n, rep, fail := r.pnlReport(ctx, args, defaultProfitDays)
	if fail != nil {
		return *fail
	}
	tot := rep.Total()
	lines := []string{
		r.t("pnl.profit.head", n),
		r.t("pnl.realised", signed(tot.Realised), tot.Sells),
		r.t("pnl.fees", Group(tot.Commission), Group(tot.Tax)),
		r.t("pnl.net", signed(tot.Net())),
	}
	if bal, err := r.cfg.Broker.Balance(ctx); err == nil {
		lines = append(lines, r.t("pnl.unrealised", signed(bal.PnL), len(bal.Positions)))
	}
	if tot.Unknown > 0 {
		lines = append(lines, r.t("pnl.unknown", tot.Unknown))
	}
	return Reply{Text: strings.Join(lines, "\n")}
}

// daily runs /daily [n]: one line per KST day, newest first.
func (r *Router) daily(ctx context.Context, args []string) Reply {
	n, rep, fail := r.pnlReport(ctx, args, defaultDailyDays)
	if fail != nil {
		return *fail
	}
	lines := []string{r.t("pnl.daily.head", n)}
	for i := len(rep.Days) - 1; i >= 0; i-- {
		d := rep.Days[i]
		lines = append(lines, r.t("pnl.daily.line", d.Date[5:], signed(d.Realised), Group(d.Bought), Group(d.Sold), d.Fills, Group(d.Commission+d.Tax)))
	}
	tot := rep.Total()
	lines = append(lines, r.t("pnl.daily.total", signed(tot.Realised), signed(tot.Net())))
	return Reply{Text: strings.Join(lines, "\n")}
}

// performance runs /performance [days]: realised P&L per stock, best first.
func (r *Router) performance(ctx context.Context, args []string) Reply {
	n, rep, fail := r.pnlReport(ctx, args, defaultProfitDays)
	if fail != nil {
		return *fail
	}
	if len(rep.Stocks) == 0 {
		return Reply{Text: r.t("pnl.none", n)}
	}
	lines := []string{r.t("pnl.perf.head", n)}
	for _, s := range rep.Stocks {
		lines = append(lines, r.t("pnl.perf.line", r.stockLabel(s.Code), signed(s.Realised), s.Sells, s.Wins, Group(s.Commission+s.Tax)))
	}
	return Reply{Text: strings.Join(lines, "\n")}
}

// stockLabel is "name (code)" when the name is known offline, else the code.
func (r *Router) stockLabel(code broker.Code) string {
	if name := r.cfg.Stocks[code]; name != "" {
		return Esc(name) + " (" + string(code) + ")"
	}
	return string(code)
}
