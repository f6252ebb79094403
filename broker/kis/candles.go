package kis

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// 주식당일분봉조회 [v1_국내주식-022] (koreainvestment/open-trading-api,
// examples_llm/domestic_stock/inquire_time_itemchartprice/
// inquire_time_itemchartprice.py): GET, tr_id FHKST03010200 on real and
// mock alike, at most 30 candles a call, today's only ("당일 분봉 데이터만
// 제공됩니다"). It does not page with tr_cont: a caller asks again with an
// earlier FID_INPUT_HOUR_1, as python-kis's domestic_day_chart does
// (Soju06/python-kis, pykis/api/stock/day_chart.py: the next cursor is the
// oldest candle's time less a minute).
const (
	pathMinuteChart = "/uapi/domestic-stock/v1/quotations/inquire-time-itemchartprice"
	trMinuteChart   = "FHKST03010200"
	// minuteChartRows is what one call returns at most ("한 번의 호출에 최대
	// 30건").
	minuteChartRows = 30
	// maxChartCalls bounds one day's walk back: 30 calls are 900 minutes,
	// more than 08:00–20:00.
	maxChartCalls = 30
)

// minuteRow is one output2 row; the field names are those of the official
// sample's chk_inquire_time_itemchartprice.py COLUMN_MAPPING (주식 영업일자,
// 주식 체결시간, 주식 현재가, 시가, 최고가, 최저가, 체결 거래량).
type minuteRow struct {
	StckBsopDate string `json:"stck_bsop_date"`
	StckCntgHour string `json:"stck_cntg_hour"`
	StckPrpr     string `json:"stck_prpr"`
	StckOprc     string `json:"stck_oprc"`
	StckHgpr     string `json:"stck_hgpr"`
	StckLwpr     string `json:"stck_lwpr"`
	CntgVol      string `json:"cntg_vol"`
	AcmlTrPbmn   string `json:"acml_tr_pbmn"`
}

var _ broker.Charter = (*Client)(nil)

// MinuteCandles returns today's one-minute candles of code on KRX
// (FID_COND_MRKT_DIV_CODE J), oldest first (broker.Charter). It asks for
// the 30 candles up to now, then again from a minute before the oldest it
// got, until a call returns fewer than 30, reaches the day's first
// candle, or stops making progress: a full regular day (381 candles) is
// 13 calls, about 7 s at the mock service's 2 requests a second.
//
// Errors: Invalid (malformed code), Auth, RateLimited, Transient,
// Unreadable.
func (c *Client) MinuteCandles(ctx context.Context, code broker.Code) ([]broker.Candle, error) {
	code, err := broker.ParseCode(string(code))
	if err != nil {
		return nil, err
	}
	now := c.clock.Now().In(broker.KST())
	today := now.Format("20060102")
	// An hour after the last trade reads as the last candle ("미래일시 입력
	// 시에 현재가로 조회됩니다"), so now is a safe first cursor at any hour.
	cursor := now.Format("150405")
	var out []broker.Candle
	seen := map[string]bool{}
	for range maxChartCalls {
		q := url.Values{
			"FID_COND_MRKT_DIV_CODE": {"J"},
			"FID_INPUT_ISCD":         {string(code)},
			"FID_INPUT_HOUR_1":       {cursor},
			"FID_PW_DATA_INCU_YN":    {"Y"}, // as the official sample's example call
			"FID_ETC_CLS_CODE":       {""},
		}
		r, err := c.do(ctx, &request{method: http.MethodGet, path: pathMinuteChart, trID: trMinuteChart, query: q})
		if err != nil {
			return nil, err
		}
		rows, err := decodeMinuteRows(r.body)
		if err != nil {
			return nil, err
		}
		oldest := ""
		fresh := 0
		for _, row := range rows {
			date, hour := strings.TrimSpace(row.StckBsopDate), strings.TrimSpace(row.StckCntgHour)
			if date != today {
				continue // only today's; a stray earlier day is not drawn
			}
			cd, err := minuteCandle(row)
			if err != nil {
				return nil, err
			}
			if oldest == "" || hour < oldest {
				oldest = hour
			}
			if !seen[hour] {
				seen[hour] = true
				fresh++
				out = append(out, cd)
			}
		}
		if len(rows) < minuteChartRows || fresh == 0 || oldest == "" {
			break
		}
		t, ok := kstTime(today, oldest)
		if !ok {
			break
		}
		prev := t.Add(-time.Minute)
		if prev.Format("20060102") != today {
			break
		}
		cursor = prev.Format("150405")
	}
	return broker.SortCandles(out), nil
}

// decodeMinuteRows reads output2 of an inquire-time-itemchartprice answer.
func decodeMinuteRows(body []byte) ([]minuteRow, error) {
	var resp struct {
		Output2 json.RawMessage `json:"output2"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, &broker.Error{Kind: broker.Unreadable, Msg: "KIS sent an unreadable inquire-time-itemchartprice", Err: err}
	}
	var rows []minuteRow
	if err := decodeList(resp.Output2, "output2", "inquire-time-itemchartprice", &rows); err != nil {
		return nil, err
	}
	return rows, nil
}

// minuteCandle reads one row; prices are plain won, unsigned.
func minuteCandle(row minuteRow) (broker.Candle, error) {
	t, ok := kstTime(strings.TrimSpace(row.StckBsopDate), strings.TrimSpace(row.StckCntgHour))
	if !ok {
		return broker.Candle{}, &broker.Error{Kind: broker.Unreadable,
			Msg: fmt.Sprintf("KIS sent a minute candle at %q %q", row.StckBsopDate, row.StckCntgHour)}
	}
	var f fields
	cd := broker.Candle{
		Time:   t,
		Open:   f.won("stck_oprc", row.StckOprc),
		High:   f.won("stck_hgpr", row.StckHgpr),
		Low:    f.won("stck_lwpr", row.StckLwpr),
		Close:  f.won("stck_prpr", row.StckPrpr),
		Volume: f.won("cntg_vol", row.CntgVol),
	}
	if f.bad != "" {
		return broker.Candle{}, &broker.Error{Kind: broker.Unreadable, Msg: "KIS sent a minute candle with " + f.bad}
	}
	if cd.Close <= 0 || cd.Low <= 0 || cd.High < cd.Low {
		return broker.Candle{}, &broker.Error{Kind: broker.Unreadable,
			Msg: fmt.Sprintf("KIS sent an impossible minute candle at %s: %+v", row.StckCntgHour, cd)}
	}
	return cd, nil
}
