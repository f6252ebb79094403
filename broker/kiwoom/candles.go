package kiwoom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// epMinuteChart is ka10080 주식분봉차트조회요청 (Kiwoom-Securities/
// Kiwoom-REST-API, examples/국내주식/차트/get_domestic_stock_minute_chart.py:
// api_url /api/dostk/chart; body stk_cd, tic_scope "1:1분 … 60:60분",
// upd_stkpc_tp "0 or 1", base_dt YYYYMMDD; list stk_min_pole_chart_qry;
// continuation by cont-yn/next-key headers).
var epMinuteChart = endpoint{"ka10080", "/api/dostk/chart", false, 0}

// minuteRow is one stk_min_pole_chart_qry row. Field meanings from the
// official sample's COLUMNS (현재가, 거래량, 체결시간, 시가, 고가, 저가) and
// kenshin579/kiwoom-go (domestic/chart/get_domestic_stock_minute_chart.go:
// cntr_tm "YYYYMMDDHHmmss"; prices "부호가 포함된 숫자", the sign being the
// direction against the previous close, so read as magnitudes).
type minuteRow struct {
	CurPrc   field `json:"cur_prc"`
	TrdeQty  field `json:"trde_qty"`
	CntrTm   field `json:"cntr_tm"`
	OpenPric field `json:"open_pric"`
	HighPric field `json:"high_pric"`
	LowPric  field `json:"low_pric"`
}

// errEnough ends a paged query early: the rows reached an earlier day.
var errEnough = errors.New("enough pages")

var _ broker.Charter = (*Client)(nil)

// MinuteCandles returns today's one-minute candles of code on KRX (stk_cd
// without a venue suffix), oldest first (broker.Charter): ka10080 with
// tic_scope 1, upd_stkpc_tp 1 (수정주가, as the official example) and
// base_dt today. Kiwoom lists newest first and goes on into earlier days;
// paging stops at the first row of an earlier day.
//
// Errors: Invalid (malformed code), NotFound, Auth, RateLimited,
// Transient, Unreadable.
func (c *Client) MinuteCandles(ctx context.Context, code broker.Code) ([]broker.Candle, error) {
	code, err := broker.ParseCode(string(code))
	if err != nil {
		return nil, err
	}
	today := c.clk.Now().In(broker.KST()).Format("20060102")
	body := map[string]string{"stk_cd": string(code), "tic_scope": "1", "upd_stkpc_tp": "1", "base_dt": today}
	var out []broker.Candle
	err = c.doPages(ctx, epMinuteChart, body, func(page []byte) error {
		var a struct {
			Rows json.RawMessage `json:"stk_min_pole_chart_qry"`
		}
		if err := decode(epMinuteChart, page, &a); err != nil {
			return err
		}
		var rows []minuteRow
		if err := decodeList(epMinuteChart, "stk_min_pole_chart_qry", a.Rows, &rows); err != nil {
			return err
		}
		for _, r := range rows {
			cd, err := minuteCandle(r)
			if err != nil {
				return err
			}
			if cd.Time.Format("20060102") != today {
				if cd.Time.Format("20060102") < today {
					return errEnough
				}
				continue
			}
			out = append(out, cd)
		}
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		return nil, err
	}
	return broker.SortCandles(out), nil
}

// minuteCandle reads one row.
func minuteCandle(r minuteRow) (broker.Candle, error) {
	t, err := time.ParseInLocation("20060102150405", r.CntrTm.Text(), broker.KST())
	if err != nil {
		return broker.Candle{}, &broker.Error{Kind: broker.Unreadable, Code: epMinuteChart.id,
			Msg: fmt.Sprintf("Kiwoom's ka10080 has a candle at %q", strings.TrimSpace(r.CntrTm.raw))}
	}
	n := nums{tr: epMinuteChart.id}
	cd := broker.Candle{
		Time:   t,
		Open:   n.abs("open_pric", r.OpenPric),
		High:   n.abs("high_pric", r.HighPric),
		Low:    n.abs("low_pric", r.LowPric),
		Close:  n.abs("cur_prc", r.CurPrc),
		Volume: n.abs("trde_qty", r.TrdeQty),
	}
	if n.err != nil {
		return broker.Candle{}, n.err
	}
	if cd.Close <= 0 || cd.Low <= 0 || cd.High < cd.Low {
		return broker.Candle{}, &broker.Error{Kind: broker.Unreadable, Code: epMinuteChart.id,
			Msg: fmt.Sprintf("Kiwoom's ka10080 has an impossible candle at %s: %+v", t.Format("15:04"), cd)}
	}
	return cd, nil
}
