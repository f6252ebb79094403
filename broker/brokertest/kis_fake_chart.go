package brokertest

import (
	"net/http"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// kisMinuteRows is how many candles one inquire-time-itemchartprice call
// returns at most: "한 번의 호출에 최대 30건까지 확인 가능합니다"
// (koreainvestment/open-trading-api, examples_llm/domestic_stock/
// inquire_time_itemchartprice/inquire_time_itemchartprice.py).
const kisMinuteRows = 30

// handleMinuteChart is 주식당일분봉조회 (inquire-time-itemchartprice,
// FHKST03010200, the same tr_id on real and mock): output1 the stock now
// (the fields of the sample's COLUMN_MAPPING), output2 at most 30 of
// today's minute candles from the simulated market's record at or before
// FID_INPUT_HOUR_1 (HHMMSS, KST), newest first. Today's only ("당일 분봉
// 데이터만 제공됩니다"); an hour later than now reads as now ("미래일시 입력
// 시에 현재가로 조회됩니다"). It has no tr_cont paging: a caller asks again
// with an earlier hour. stck_cntg_hour is the minute's HHMM00.
func (f *KISFake) handleMinuteChart(c *kisCall) kisAnswer {
	code := c.query.Get("FID_INPUT_ISCD")
	hour := c.query.Get("FID_INPUT_HOUR_1")
	now := f.kstNow(c.now)
	day := now.Format("20060102")
	until, err := time.ParseInLocation("20060102150405", day+hour, broker.KST())
	if err != nil || len(hour) != 6 {
		// The wording KIS uses for a malformed input field is not known;
		// OPSQ2002 and its text are placeholders.
		return kisFailure(http.StatusOK, "1", "OPSQ2002", "ERROR : INPUT_FIELD FID_INPUT_HOUR_1")
	}
	if until.After(now) {
		until = now
	}
	s, ok := f.stock(code)
	if !ok {
		return kisSuccess("MCA00000", kisMsgOK, map[string]any{
			"output1": map[string]string{"hts_kor_isnm": "", "stck_prpr": "0"},
			"output2": []map[string]string{},
		})
	}
	candles := f.m.Candles(c.now, broker.Code(code))
	// acml_tr_pbmn is the day's turnover up to each candle.
	turnover := make([]int64, len(candles))
	var sum int64
	for i, cd := range candles {
		sum += cd.Volume * cd.Close
		turnover[i] = sum
	}
	rows := []map[string]string{}
	for i := len(candles) - 1; i >= 0 && len(rows) < kisMinuteRows; i-- {
		cd := candles[i]
		if cd.Time.After(until) {
			continue
		}
		rows = append(rows, map[string]string{
			"stck_bsop_date": cd.Time.Format("20060102"), "stck_cntg_hour": cd.Time.Format("150405"),
			"stck_prpr": kisItoa(cd.Close), "stck_oprc": kisItoa(cd.Open), "stck_hgpr": kisItoa(cd.High),
			"stck_lwpr": kisItoa(cd.Low), "cntg_vol": kisItoa(cd.Volume), "acml_tr_pbmn": kisItoa(turnover[i]),
		})
	}
	diff := s.price - s.base
	return kisSuccess("MCA00000", kisMsgOK, map[string]any{
		"output1": map[string]string{
			"prdy_vrss": kisItoa(diff), "prdy_vrss_sign": s.sign(), "prdy_ctrt": kisPct(diff, s.base),
			"stck_prdy_clpr": kisItoa(s.base), "acml_vol": kisItoa(s.vol), "acml_tr_pbmn": kisItoa(sum),
			"hts_kor_isnm": s.name, "stck_prpr": kisItoa(s.price),
		},
		"output2": rows,
	})
}
