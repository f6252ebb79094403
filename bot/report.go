package bot

import (
	"context"
	"strings"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/pnl"
)

// CloseReportInput is what the daily close report needs from outside the
// router: facts only the caller (cmd/hoga's scheduler) knows.
type CloseReportInput struct {
	// Again: an earlier run handed this report to the feed and stopped
	// before it was confirmed delivered, so the owner may have it already.
	Again bool
	// Errors is the day's count of error alerts, ErrorLines the last few
	// ("15:04:05 text", Feed.ErrorsOn).
	Errors     int
	ErrorLines []string
	// Since is when the error count begins (Feed.ErrorsSince): zero when
	// it covers the whole day, every run's (the count is stored); a run
	// that could not read the stored count counts from its start, and
	// the report says so when that was today.
	Since time.Time
}

// CloseReport is the daily close report (issue 17), one message for the
// alert chat: the day's fills per stock and the realised P&L with
// commission and tax (pnl.Compute, as /daily), the balance with each
// holding's unrealised P&L (as /balance), each rule's and exit's state
// (as /rules and /exits), and the day's errors. Each part that cannot be
// read says so and the others still go: the owner reads this once a day.
func (r *Router) CloseReport(ctx context.Context, in CloseReportInput) string {
	lines := []string{r.t("report.head", broker.Day(r.clock.Now()), r.modeName())}
	if in.Again {
		lines = append(lines, r.t("report.again"))
	}

	lines = append(lines, "")
	_, rep, fail := r.pnlReport(ctx, []string{"1"}, 1)
	switch {
	case fail != nil:
		lines = append(lines, fail.Text)
	case rep.Total().Fills == 0:
		lines = append(lines, r.t("report.no_fills"))
	default:
		d := rep.Total()
		lines = append(lines, r.t("report.fills", d.Fills, Group(d.Bought), Group(d.Sold)))
		for _, s := range rep.Stocks {
			lines = append(lines, "• "+r.stockLabel(s.Code)+" "+r.stockDay(s))
		}
		lines = append(lines,
			r.t("pnl.realised", signed(d.Realised), d.Sells),
			r.t("pnl.fees", Group(d.Commission), Group(d.Tax)),
			r.t("pnl.net", signed(d.Net())))
		if d.Unknown > 0 {
			lines = append(lines, r.t("pnl.unknown", d.Unknown))
		}
	}

	lines = append(lines, "")
	if bal, fail := r.balanceLines(ctx); fail != nil {
		lines = append(lines, r.t("report.no_balance"), fail.Text)
	} else {
		lines = append(lines, bal...)
	}

	if watch := r.reportWatch(ctx); len(watch) > 0 {
		lines = append(lines, "")
		lines = append(lines, watch...)
	}

	lines = append(lines, "")
	if in.Errors == 0 {
		lines = append(lines, r.t("report.no_errors"))
	} else {
		lines = append(lines, r.t("report.errors", in.Errors))
		for _, e := range in.ErrorLines {
			lines = append(lines, "• "+Esc(e))
		}
	}
	if !in.Since.IsZero() && broker.Day(in.Since) == broker.Day(r.clock.Now()) {
		lines = append(lines, r.t("report.errors_since", kstClock(in.Since)))
	}
	return strings.Join(lines, "\n")
}

// ReportCodes are the stocks the close report draws a chart of (issue
// 17): those traded today, then those a rule or an exit watches, each
// once, in that order.
func (r *Router) ReportCodes(ctx context.Context) []broker.Code {
	var out []broker.Code
	seen := map[broker.Code]bool{}
	add := func(c broker.Code) {
		if c != "" && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	if _, rep, fail := r.pnlReport(ctx, []string{"1"}, 1); fail == nil {
		for _, s := range rep.Stocks {
			add(s.Code)
		}
	}
	if r.cfg.Rules != nil {
		if list, err := r.cfg.Rules.Rules(ctx); err == nil {
			for _, rs := range list {
				add(rs.Code)
			}
		}
	}
	if r.cfg.Exits != nil {
		if list, err := r.cfg.Exits.List(ctx); err == nil {
			for _, s := range list {
				add(s.Code)
			}
		}
	}
	return out
}

// stockDay is one stock's day in the close report, its parts that are
// not zero: a phone line is short.
func (r *Router) stockDay(s pnl.Stock) string {
	var parts []string
	if s.Bought > 0 {
		parts = append(parts, r.t("report.bought", Group(s.Bought)))
	}
	if s.Sold > 0 {
		parts = append(parts, r.t("report.sold", Group(s.Sold)))
	}
	if s.Sells > 0 {
		parts = append(parts, r.t("report.realised", signed(s.Realised)))
	}
	return strings.Join(parts, " · ")
}

// reportWatch is the rules and exits part of the close report: each one's
// state as /rules and /exits show it, a section left out when there is
// none, one line when there are neither.
func (r *Router) reportWatch(ctx context.Context) []string {
	var lines []string
	if r.cfg.Rules != nil {
		list, err := r.cfg.Rules.Rules(ctx)
		if pr, ok := r.cfg.Rules.(PositionedRules); ok {
			list, err = pr.RulesWithPositions(ctx)
		}
		switch {
		case err != nil:
			lines = append(lines, r.t("rules.head"), r.errorReply(err).Text)
		case len(list) > 0:
			lines = append(lines, r.t("rules.head"))
			for _, rs := range list {
				lines = append(lines, r.FormatRule(rs))
				if pos := r.rulePosition(rs); pos != "" {
					lines = append(lines, pos)
				}
			}
		}
	}
	if r.cfg.Exits != nil {
		list, err := r.cfg.Exits.List(ctx)
		switch {
		case err != nil:
			lines = append(lines, r.t("exits.head"), r.errorReply(err).Text)
		case len(list) > 0:
			lines = append(lines, r.t("exits.head"))
			for _, s := range list {
				lines = append(lines, r.FormatExit(s))
			}
		}
	}
	if len(lines) == 0 && (r.cfg.Rules != nil || r.cfg.Exits != nil) {
		lines = append(lines, r.t("report.no_watch"))
	}
	return lines
}
