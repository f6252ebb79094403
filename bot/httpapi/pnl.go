package httpapi

import (
	"context"
	"net/http"
	"strconv"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/pnl"
)

// PnLSource computes the P&L of the n KST days ending today (pnl.Compute
// over the journal's fills), the same source the chat's /profit, /daily
// and /performance read.
type PnLSource func(ctx context.Context, n int) (pnl.Report, error)

// Day counts of the P&L routes, as the chat's commands take them.
const (
	defaultProfitDays = 30
	defaultDailyDays  = 7
	maxPnLDays        = 366
)

// pnlTotals is a period's or a day's P&L, every amount in won.
type pnlTotals struct {
	// Realised is the sells' profit: proceeds − moving-average cost − the
	// sells' commission and tax.
	Realised int64 `json:"realised"`
	// Net is Realised less the commission on the buys too.
	Net        int64 `json:"net"`
	Bought     int64 `json:"bought"`
	Sold       int64 `json:"sold"`
	Commission int64 `json:"commission"`
	Tax        int64 `json:"tax"`
	Fills      int   `json:"fills"`
	Sells      int   `json:"sells"`
	// Unknown counts sells whose cost hoga cannot know (left out of
	// Realised).
	Unknown int `json:"unknown_cost_sells"`
}

func totalsOf(d pnl.Day) pnlTotals {
	return pnlTotals{Realised: d.Realised, Net: d.Net(), Bought: d.Bought, Sold: d.Sold, Commission: d.Commission,
		Tax: d.Tax, Fills: d.Fills, Sells: d.Sells, Unknown: d.Unknown}
}

// pnlPeriod is the period a P&L answer covers (KST dates).
type pnlPeriod struct {
	Days int    `json:"days"`
	From string `json:"from"`
	To   string `json:"to"`
	// Basis names the cost basis: moving_average, the Korean brokers'
	// convention (see package pnl).
	Basis string `json:"cost_basis"`
}

// pnlReport reads ?days= (def when absent) and computes the report; on
// failure it has answered and ok is false.
func (s *Server) pnlReport(w http.ResponseWriter, r *http.Request, def int) (pnlPeriod, pnl.Report, bool) {
	if s.cfg.PnL == nil {
		s.writeError(w, http.StatusNotFound, apiError{Kind: kindRouteNotFound, Message: plain(bot.Text(s.lang, "pnl.unavailable"))})
		return pnlPeriod{}, pnl.Report{}, false
	}
	n := def
	if v, ok := r.URL.Query()["days"]; ok {
		d, err := strconv.Atoi(v[0])
		if err != nil || d < 1 || d > maxPnLDays || len(v) > 1 {
			s.writeError(w, http.StatusBadRequest, apiError{Kind: broker.Invalid.String(), Message: s.msg("bad_days", maxPnLDays, v[0])})
			return pnlPeriod{}, pnl.Report{}, false
		}
		n = d
	}
	rep, err := s.cfg.PnL(r.Context(), n)
	if err != nil {
		s.fail(w, err)
		return pnlPeriod{}, pnl.Report{}, false
	}
	p := pnlPeriod{Days: n, Basis: "moving_average"}
	if len(rep.Days) > 0 {
		p.From, p.To = rep.Days[0].Date, rep.Days[len(rep.Days)-1].Date
	}
	return p, rep, true
}

// handleProfit answers GET /profit?days=30, the chat's /profit: the
// period's totals, and the unrealised P&L of what is held now (null when
// the broker cannot be asked).
func (s *Server) handleProfit(w http.ResponseWriter, r *http.Request) {
	p, rep, ok := s.pnlReport(w, r, defaultProfitDays)
	if !ok {
		return
	}
	out := struct {
		pnlPeriod
		Total      pnlTotals `json:"total"`
		Unrealised *int64    `json:"unrealised"`
		Positions  *int      `json:"positions"`
	}{pnlPeriod: p, Total: totalsOf(rep.Total())}
	if bal, err := s.cfg.Broker.Balance(r.Context()); err == nil {
		n := len(bal.Positions)
		out.Unrealised, out.Positions = &bal.PnL, &n
	} else {
		s.log.Debug("profit without the unrealised part", "err", err)
	}
	s.writeJSON(w, http.StatusOK, out)
}

// handleDaily answers GET /daily?days=7, the chat's /daily: one entry per
// KST day, oldest first, and the total.
func (s *Server) handleDaily(w http.ResponseWriter, r *http.Request) {
	p, rep, ok := s.pnlReport(w, r, defaultDailyDays)
	if !ok {
		return
	}
	type dayJSON struct {
		Date string `json:"date"`
		pnlTotals
	}
	out := struct {
		pnlPeriod
		Days  []dayJSON `json:"daily"`
		Total pnlTotals `json:"total"`
	}{pnlPeriod: p, Days: make([]dayJSON, 0, len(rep.Days)), Total: totalsOf(rep.Total())}
	for _, d := range rep.Days {
		out.Days = append(out.Days, dayJSON{Date: d.Date, pnlTotals: totalsOf(d)})
	}
	s.writeJSON(w, http.StatusOK, out)
}

// handlePerformance answers GET /performance?days=30, the chat's
// /performance: realised P&L per stock, best first, and the total.
func (s *Server) handlePerformance(w http.ResponseWriter, r *http.Request) {
	p, rep, ok := s.pnlReport(w, r, defaultProfitDays)
	if !ok {
		return
	}
	type stockJSON struct {
		Code       string `json:"code"`
		Realised   int64  `json:"realised"`
		Bought     int64  `json:"bought"`
		Sold       int64  `json:"sold"`
		Sells      int    `json:"sells"`
		Wins       int    `json:"profitable_sells"`
		Commission int64  `json:"commission"`
		Tax        int64  `json:"tax"`
	}
	out := struct {
		pnlPeriod
		Stocks []stockJSON `json:"stocks"`
		Total  pnlTotals   `json:"total"`
	}{pnlPeriod: p, Stocks: make([]stockJSON, 0, len(rep.Stocks)), Total: totalsOf(rep.Total())}
	for _, st := range rep.Stocks {
		out.Stocks = append(out.Stocks, stockJSON{Code: string(st.Code), Realised: st.Realised, Bought: st.Bought, Sold: st.Sold,
			Sells: st.Sells, Wins: st.Wins, Commission: st.Commission, Tax: st.Tax})
	}
	s.writeJSON(w, http.StatusOK, out)
}
