package brokertest

import (
	"strconv"
	"strings"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// minuteChart is ka10080 주식분봉차트조회요청 (POST /api/dostk/chart;
// Kiwoom-Securities/Kiwoom-REST-API, examples/국내주식/차트/
// get_domestic_stock_minute_chart.py): stk_cd, tic_scope (1, 3, 5, 10,
// 15, 30, 45 or 60 minutes) and upd_stkpc_tp required, base_dt
// (YYYYMMDD) optional. The list stk_min_pole_chart_qry holds cur_prc,
// trde_qty, cntr_tm (YYYYMMDDHHmmss), open_pric, high_pric, low_pric,
// acc_trde_qty, pred_pre and pred_pre_sig, newest first; prices carry
// their direction against the previous close as a sign, as ka10001's do
// (kenshin579/kiwoom-go, domestic/chart/get_domestic_stock_minute_chart.go:
// "부호가 포함된 숫자"). It pages with cont-yn/next-key like every list;
// Kiwoom does not publish the page size, so the fake's is
// KiwoomFakeOptions.ChartPageSize. The simulated market keeps today and
// the trading day before: a base_dt before today lists nothing, where
// Kiwoom would list that day's candles.
func (f *KiwoomFake) minuteChart(apiID string, body map[string]string, nextKey string) kwAnswer {
	if a, ok := f.requireFields(apiID, body, "stk_cd", "tic_scope", "upd_stkpc_tp"); !ok {
		return a
	}
	scope, err := strconv.Atoi(body["tic_scope"])
	switch scope {
	case 1, 3, 5, 10, 15, 30, 45, 60:
	default:
		err = strconv.ErrSyntax
	}
	if err != nil {
		return f.errAnswer(apiID, 1517, "입력 값 형식이 올바르지 않습니다. 파라미터=tic_scope")
	}
	code, suffix, _ := strings.Cut(body["stk_cd"], "_")
	if suffix != "" && (f.opts.Mode != "live" || (suffix != "NX" && suffix != "AL")) {
		return f.errAnswer(apiID, 1517, "입력 값 형식이 올바르지 않습니다. 파라미터=stk_cd")
	}
	s, ok := f.stock(code)
	if !ok {
		return f.errAnswer(apiID, 1902, "")
	}
	now := f.clk.Now().In(broker.KST())
	// Newest first: today's record, then the trading day before's (the
	// market keeps one earlier day), as Kiwoom goes on into earlier days.
	candles := f.m.Candles(now, broker.Code(code))
	if i, ok := f.m.Lookup(broker.Code(code)); ok {
		candles = append(aggregate(f.m.Books[i].PrevCandles(), scope), aggregate(candles, scope)...)
	}
	if bd := strings.TrimSpace(body["base_dt"]); bd != "" && bd < now.Format("20060102") {
		candles = nil
	}
	rows := []map[string]any{} // an empty list is [], never null
	var acc int64
	accs := make([]int64, len(candles))
	for i, c := range candles {
		acc += c.Volume
		accs[i] = acc
	}
	for i := len(candles) - 1; i >= 0; i-- {
		c := candles[i]
		sig := "3"
		switch {
		case c.Close > s.base:
			sig = "2"
		case c.Close < s.base:
			sig = "5"
		}
		rows = append(rows, map[string]any{
			"cur_prc": direction(c.Close, s.base), "trde_qty": strconv.FormatInt(c.Volume, 10),
			"cntr_tm": c.Time.Format("20060102150405"), "open_pric": direction(c.Open, s.base),
			"high_pric": direction(c.High, s.base), "low_pric": direction(c.Low, s.base),
			"acc_trde_qty": strconv.FormatInt(accs[i], 10), "pred_pre": signed(c.Close - s.base), "pred_pre_sig": sig,
		})
	}
	size := f.opts.ChartPageSize
	part, cont, next := pageOf(rows, nextKey, size)
	a := f.ok(map[string]any{"stk_cd": code, "stk_min_pole_chart_qry": part})
	a.contYN, a.nextKey = cont, next
	return a
}

// aggregate merges one-minute candles into n-minute ones, each labelled
// with its first minute.
func aggregate(cs []broker.Candle, n int) []broker.Candle {
	if n <= 1 {
		return cs
	}
	var out []broker.Candle
	for _, c := range cs {
		mins := c.Time.Hour()*60 + c.Time.Minute()
		start := c.Time.Add(-time.Duration(mins%n) * time.Minute)
		if k := len(out); k > 0 && out[k-1].Time.Equal(start) {
			o := &out[k-1]
			o.High, o.Low, o.Close = max(o.High, c.High), min(o.Low, c.Low), c.Close
			o.Volume += c.Volume
			continue
		}
		c.Time = start
		out = append(out, c)
	}
	return out
}
