package brokertest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/internal/market"
)

// kwOrder is one row of Kiwoom's order list: an order (mo, the market's
// order) or a cancel order (Cancel, OrigNo).
type kwOrder struct {
	KiwoomFakeOrder
	simRow
}

// view is the row with the market's fill state.
func (o *kwOrder) view() KiwoomFakeOrder {
	v := o.KiwoomFakeOrder
	if o.mo != nil {
		v.Filled, v.FillAmount, v.Cancelled, v.LastFillPrice = o.mo.FilledQty, o.mo.FillAmount, o.mo.Cancelled, o.mo.LastFillPrice
	}
	return v
}

// AddStock lists a stock with its previous close and current price.
func (f *KiwoomFake) AddStock(code, name string, prevClose, price int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.m.List(market.Instrument{Code: broker.Code(code), Name: name}, prevClose, price)
}

// onEvent turns the market's events into WebSocket rows; called with f.mu
// held. A fill is a 00 row, a price change a 0B row.
func (f *KiwoomFake) onEvent(ev market.Event) {
	switch ev.Kind {
	case market.EventFill:
		f.kwWSFill(ev.Order, ev.Qty, ev.Price)
	case market.EventPrice:
		if b := f.m.Book(ev.Code); b != nil {
			f.kwWSTrade(string(ev.Code), ev.Price, b.PrevClose, ev.Volume)
		}
	}
}

// sessionCheck refuses orders when the market is closed: by SetMarketOpen,
// or outside KRX order hours with MarketHours. The mock answers are the
// observed "[2000](RC4057:모의투자 장시작전)" and "(RC4058:모의투자 장종료)";
// live, "(571489:장이 열리지 않는 날입니다.)" was seen for a closed day, and
// the fake gives it for any closed hour (no live off-hours answer has been
// seen).
//
// An order for a KRX off-hours session (session set: trde_tp 62) is taken
// only inside that session.
func (f *KiwoomFake) sessionCheck(apiID, routed string, session broker.SessionKind) (kwAnswer, bool) {
	open, early := f.marketOpen, false
	if open && f.opts.MarketHours {
		open, early = orderWindowLocked(f.cal, routed, session, f.clk.Now())
	}
	switch {
	case open:
		return kwAnswer{}, true
	case f.opts.Mode == "live":
		return f.deskReject(apiID, "571489", "장이 열리지 않는 날입니다."), false
	case early:
		return f.deskReject(apiID, "RC4057", "모의투자 장시작전"), false
	}
	return f.deskReject(apiID, "RC4058", "모의투자 장종료"), false
}

// sellableLocked is held shares less those open sell orders hold back.
func (f *KiwoomFake) sellableLocked(code string) int64 {
	_, n := f.m.Held(broker.Code(code))
	return n
}

// index is a listed code's place in the market.
func (f *KiwoomFake) index(code string) int {
	i, _ := f.m.Lookup(broker.Code(code))
	return i
}

// direction prefixes a price with its direction against base, as ka10001
// does: "+71000" up, "-180000" down, bare when unchanged.
func direction(price, base int64) string {
	switch {
	case price > base:
		return "+" + strconv.FormatInt(price, 10)
	case price < base:
		return "-" + strconv.FormatInt(price, 10)
	}
	return strconv.FormatInt(price, 10)
}

func signed(n int64) string {
	if n > 0 {
		return "+" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

// padded is kt00018's "좌측 0-padding 처리된 부호 포함" style: width
// characters, a leading "-" taking one of them ("-00000000196888").
func padded(n int64, width int) string {
	if n < 0 {
		return "-" + fmt.Sprintf("%0*d", width-1, -n)
	}
	return fmt.Sprintf("%0*d", width, n)
}

func pct(num, den int64) float64 {
	if den == 0 {
		return 0
	}
	return float64(num) * 100 / float64(den)
}

// quote is ka10001 주식기본정보요청.
func (f *KiwoomFake) quote(body map[string]string) kwAnswer {
	if a, ok := f.requireFields("ka10001", body, "stk_cd"); !ok {
		return a
	}
	// stk_cd is "거래소별 종목코드 (KRX:039490,NXT:039490_NX,SOR:039490_AL)"
	// (examples/국내주식/종목정보/get_domestic_stock_info.py). The mock is
	// "KRX만 지원가능"; its refusal of a suffix, and 1902 for a stock NXT does
	// not list, are the fake's stand-ins (no real answer seen).
	code, suffix, _ := strings.Cut(body["stk_cd"], "_")
	venue := map[string]string{"": "KRX", "NX": "NXT", "AL": "SOR"}[suffix]
	if venue == "" || (venue != "KRX" && f.opts.Mode != "live") {
		return f.errAnswer("ka10001", 1517, "입력 값 형식이 올바르지 않습니다. 파라미터=stk_cd")
	}
	s, ok := f.venueStock(code, venue)
	if !ok {
		return f.errAnswer("ka10001", 1902, "")
	}
	rate := pct(s.price-s.base, s.base)
	flu := fmt.Sprintf("%+.2f", rate)
	if s.price == s.base {
		flu = "0.00"
	}
	out := map[string]any{
		"stk_cd": s.code, "stk_nm": s.name, "setl_mm": "12", "fav": "100", "fav_unit": "원",
		"cur_prc": direction(s.price, s.base), "pre_sig": s.sign(), "pred_pre": signed(s.price - s.base),
		"flu_rt": flu, "trde_qty": strconv.FormatInt(s.vol, 10), "trde_pre": "+12.50",
		"open_pric": direction(s.open, s.base), "high_pric": direction(s.high, s.base), "low_pric": direction(s.low, s.base),
		"upl_pric": direction(s.upper(), s.base), "lst_pric": direction(s.lower(), s.base), "base_pric": strconv.FormatInt(s.base, 10),
		"250hgst": direction(s.base*12/10, s.base), "250lwst": direction(s.base*8/10, s.base),
		"per": "", "eps": "", "roe": "", "pbr": "", "exp_cntr_pric": "", "exp_cntr_qty": "",
	}
	f.applyQuoteFieldsLocked(out)
	return f.ok(out)
}

// stockInfo is ka10100 종목정보 조회: the code, its name and nxtEnable
// ("NXT가능여부", "Y: 가능": examples/국내주식/종목정보/
// get_domestic_stock_detail.py); an unknown code answers 1902 as ka10001
// does (the fake's choice). The mock answers too: the TR is information,
// not trading.
func (f *KiwoomFake) stockInfo(body map[string]string) kwAnswer {
	if a, ok := f.requireFields("ka10100", body, "stk_cd"); !ok {
		return a
	}
	s, ok := f.stock(body["stk_cd"])
	if !ok {
		return f.errAnswer("ka10100", 1902, "")
	}
	nxt := "N"
	if f.nxtListedLocked(s.code) {
		nxt = "Y"
	}
	return f.ok(map[string]any{
		"code": s.code, "name": s.name, "listCount": "0000000005919637922", "auditInfo": "정상", "regDay": "19750611",
		"lastPrice": strconv.FormatInt(s.base, 10), "state": "증거금20%|담보대출|신용가능", "marketCode": "0", "marketName": "거래소",
		"upName": "전기전자", "upSizeName": "대형주", "companyClassName": "", "orderWarning": "0", "nxtEnable": nxt,
	})
}

// place is kt10000 (buy) and kt10001 (sell).
func (f *KiwoomFake) place(apiID string, side broker.Side, body map[string]string) kwAnswer {
	if a, ok := f.requireFields(apiID, body, "dmst_stex_tp", "stk_cd", "ord_qty", "trde_tp"); !ok {
		return a
	}
	// dmst_stex_tp is "국내거래소구분 KRX,NXT,SOR" (Kiwoom-REST-API spec,
	// kt10000); the mock domain is "KRX만 지원가능" (the same spec, on every
	// API). The answer for another value on the mock is the fake's own.
	venue := body["dmst_stex_tp"]
	switch {
	case venue == "KRX":
	case (venue == "NXT" || venue == "SOR") && f.opts.Mode == "live":
	default:
		return f.errAnswer(apiID, 1517, "입력 값 형식이 올바르지 않습니다. 거래소구분=KRX만 지원합니다")
	}
	s, ok := f.stock(body["stk_cd"])
	if !ok {
		return f.errAnswer(apiID, 1902, "")
	}
	qty, err := strconv.ParseInt(body["ord_qty"], 10, 64)
	if err != nil || qty <= 0 {
		return f.errAnswer(apiID, 1517, "입력 값 형식이 올바르지 않습니다. 파라미터=ord_qty")
	}
	market := false
	var session broker.SessionKind
	switch body["trde_tp"] {
	case "0":
	case "3":
		market = true
	case "62", "61", "81":
		// 62 시간외단일가, 61 장시작전시간외, 81 장마감후시간외
		// (Kiwoom-REST-API spec, kt10000 trde_tp) are KRX sessions' own
		// types; 61/81 trade at the close with ord_uv "" as 시장가. The
		// answers for them on the mock or to another venue are the fake's
		// stand-ins (none has been seen).
		switch {
		case f.opts.Mode != "live":
			return f.deskReject(apiID, "FAKE02", "모의투자에서는 해당 매매구분을 사용할 수 없습니다. (fake stand-in)")
		case venue != "KRX":
			return f.deskReject(apiID, "FAKE03", "시간외 주문은 KRX로만 할 수 있습니다. (fake stand-in)")
		}
		session = map[string]broker.SessionKind{"62": broker.KRXAfterSingle, "61": broker.KRXPreClosing, "81": broker.KRXAfterClosing}[body["trde_tp"]]
		market = body["trde_tp"] != "62"
	default:
		return f.errAnswer(apiID, 1517, "입력 값 형식이 올바르지 않습니다. 파라미터=trde_tp (the fake serves 0, 3, 61, 62 and 81)")
	}
	// NXT takes only the stocks it lists, and each exchange only in its
	// sessions (a SOR order goes where it can trade now). No real answer
	// for an NXT order of an unlisted stock has been seen; FAKE01 is the
	// fake's stand-in.
	if venue == "NXT" && !f.nxtListedLocked(s.code) {
		return f.deskReject(apiID, "FAKE01", "NXT 거래 불가 종목입니다. (fake stand-in)")
	}
	routed := f.routeLocked(f.cal, venue, s.code, side, f.clk.Now())
	if a, ok := f.sessionCheck(apiID, routed, session); !ok {
		return a
	}
	var price int64
	if market {
		if uv := strings.TrimSpace(body["ord_uv"]); uv != "" && uv != "0" {
			return f.errAnswer(apiID, 1517, "입력 값 형식이 올바르지 않습니다. 시장가 주문은 ord_uv를 비워야 합니다")
		}
	} else {
		price, err = strconv.ParseInt(strings.TrimSpace(body["ord_uv"]), 10, 64)
		switch {
		case err != nil || price <= 0:
			return f.deskReject(apiID, "308003", "주문단가를 입력하십시요")
		case !broker.OnTick(price):
			return f.deskReject(apiID, "RC4003", f.mock("호가단위 오류입니다."))
		case price > s.upper() || price < s.lower():
			return f.deskReject(apiID, "RC4027", f.mock("상/하한가 오류입니다."))
		}
	}
	typ := broker.Limit
	if market {
		typ = broker.Market
	}
	now := f.clk.Now()
	mo, err := f.m.Place(now, broker.OrderRequest{Code: broker.Code(s.code), Side: side, Type: typ, Qty: qty, Price: price,
		Venue: broker.Venue(routed), Session: session}) // expires with the exchange (or session) it rests on
	if err != nil {
		return f.orderRefusal(apiID, err, qty, price, s)
	}
	o := &kwOrder{KiwoomFakeOrder: KiwoomFakeOrder{No: mo.ID, Code: s.code, Side: side, Market: market, Qty: qty, Price: price,
		Venue: venue, Routed: routed, TrdeTp: body["trde_tp"], Time: now}, simRow: simRow{mo}}
	f.orders = append(f.orders, o)
	return f.ok(map[string]any{"ord_no": o.No, "dmst_stex_tp": venue})
}

// orderRefusal answers a refusal of the market with Kiwoom's code for it.
func (f *KiwoomFake) orderRefusal(apiID string, err error, qty, price int64, s *simStock) kwAnswer {
	var rej *errReject
	if !errors.As(err, &rej) {
		return f.errAnswer(apiID, 1517, err.Error())
	}
	switch rej.Reason {
	case market.OutsideLimits:
		return f.deskReject(apiID, "RC4027", f.mock("상/하한가 오류입니다."))
	case market.NoShares:
		return f.deskReject(apiID, "800033", f.mock(fmt.Sprintf("매도가능수량이 부족합니다. %d주 매도가능", max(rej.Sellable, 0))))
	case market.NotListed:
		return f.errAnswer(apiID, 1902, "")
	}
	// NoCash, TooLarge: a market buy holds back cash at the upper limit.
	ref := price
	if ref == 0 {
		ref = s.upper()
	}
	if f.opts.Mode == "live" {
		return f.deskReject(apiID, "855056", fmt.Sprintf("매수증거금이 부족합니다. %d주 매수가능", max(f.m.Orderable(), 0)/ref))
	}
	return f.deskReject(apiID, "RC4025", f.mock("주문가능금액을 확인하세요."))
}

type errReject = market.Reject

// cancel is kt10003. The refusals for an unknown order (RC4032) and for
// nothing left to cancel (RC4033) are the fake's own: no real answer for
// them has been seen.
func (f *KiwoomFake) cancel(apiID string, body map[string]string) kwAnswer {
	if a, ok := f.requireFields(apiID, body, "dmst_stex_tp", "orig_ord_no", "stk_cd", "cncl_qty"); !ok {
		return a
	}
	routed, session := f.placedVenueLocked(body["orig_ord_no"])
	if a, ok := f.sessionCheck(apiID, routed, session); !ok {
		return a
	}
	var orig *kwOrder
	for _, o := range f.orders {
		if o.No == body["orig_ord_no"] && o.Code == body["stk_cd"] && !o.Cancel {
			orig = o
		}
	}
	// A cancel names its order's venue (kt10003 dmst_stex_tp, "KRX,NXT,SOR"):
	// an order resting on NXT is not on KRX's book. The fake answers a
	// mismatch as an unknown order (its own RC4032; no real answer seen).
	if orig == nil || orig.Venue != body["dmst_stex_tp"] {
		return f.deskReject(apiID, "RC4032", f.mock("원주문번호가 존재하지 않습니다."))
	}
	n, err := strconv.ParseInt(body["cncl_qty"], 10, 64)
	if err != nil || n < 0 {
		return f.errAnswer(apiID, 1517, "입력 값 형식이 올바르지 않습니다. 파라미터=cncl_qty")
	}
	left := orig.remaining()
	if left == 0 || n > left {
		return f.deskReject(apiID, "RC4033", f.mock("취소가능수량이 없습니다."))
	}
	if n == 0 {
		n = left // "0" cancels all that is left
	}
	now := f.clk.Now()
	if _, err := f.m.Cancel(now, orig.No, n); err != nil {
		return f.deskReject(apiID, "RC4033", f.mock("취소가능수량이 없습니다."))
	}
	c := &kwOrder{KiwoomFakeOrder: KiwoomFakeOrder{No: f.m.NewID(), OrigNo: orig.No, Code: orig.Code, Side: orig.Side, Market: orig.Market, Qty: n, Cancel: true,
		Venue: body["dmst_stex_tp"], Routed: orig.Routed, Time: now}}
	f.orders = append(f.orders, c)
	return f.ok(map[string]any{"ord_no": c.No, "base_orig_ord_no": orig.No, "cncl_qty": strconv.FormatInt(n, 10)})
}

// depositDetail is kt00001 예수금상세현황요청, in the 15-character padded style of
// the official example.
func (f *KiwoomFake) depositDetail(apiID string, body map[string]string) kwAnswer {
	if a, ok := f.requireFields(apiID, body, "qry_tp"); !ok {
		return a
	}
	orderable := max(f.m.Orderable(), 0)
	deposit := f.depositLocked()
	return f.ok(map[string]any{
		"entr": padded(deposit, 15), "d1_entra": padded(deposit, 15), "d2_entra": padded(f.m.Cash, 15),
		"ord_alow_amt": padded(orderable, 15), "pymn_alow_amt": padded(min(orderable, deposit), 15),
		"100stk_ord_alow_amt": padded(orderable, 15), "profa_ch": padded(0, 15), "crd_grnt_rt": "0.00",
		"stk_entr_prst": []any{},
	})
}

// balance is kt00018 계좌평가잔고내역요청: zero-padded signed 15-character
// amounts and "A"-prefixed codes, paged.
func (f *KiwoomFake) balance(apiID string, body map[string]string, nextKey string) kwAnswer {
	if a, ok := f.requireFields(apiID, body, "qry_tp", "dmst_stex_tp"); !ok {
		return a
	}
	codes := f.heldCodesLocked(false) // Kiwoom drops a holding sold out
	var totCost, totValue int64
	rows := make([]map[string]any, 0, len(codes))
	for _, c := range codes {
		p := f.m.Positions[broker.Code(c)]
		s, _ := f.stock(c)
		value := p.Qty * s.price
		totCost += p.Cost
		totValue += value
		rows = append(rows, map[string]any{
			"stk_cd": "A" + c, "stk_nm": s.name,
			"evltv_prft": padded(value-p.Cost, 15), "prft_rt": fmt.Sprintf("%.2f", pct(value-p.Cost, p.Cost)),
			"pur_pric": padded(p.AvgPrice(), 15), "pred_close_pric": padded(s.base, 12),
			"rmnd_qty": padded(p.Qty, 15), "trde_able_qty": padded(f.sellableLocked(c), 15),
			"cur_prc": padded(s.price, 12), "pred_buyq": padded(0, 15), "pred_sellq": padded(0, 15),
			"tdy_buyq": padded(0, 15), "tdy_sellq": padded(0, 15), "pur_amt": padded(p.Cost, 15),
			"pur_cmsn": padded(0, 15), "evlt_amt": padded(value, 15), "sell_cmsn": padded(0, 15),
			"tax": padded(0, 15), "sum_cmsn": padded(0, 15), "poss_rt": "0.00", "crd_tp": "00", "crd_tp_nm": "", "crd_loan_dt": "",
		})
	}
	part, cont, next := f.page(rows, nextKey)
	a := f.ok(map[string]any{
		"tot_pur_amt": padded(totCost, 15), "tot_evlt_amt": padded(totValue, 15), "tot_evlt_pl": padded(totValue-totCost, 15),
		"tot_prft_rt": fmt.Sprintf("%.2f", pct(totValue-totCost, totCost)), "prsm_dpst_aset_amt": padded(f.m.Cash+totValue, 15),
		"tot_loan_amt": padded(0, 15), "tot_crd_loan_amt": padded(0, 15), "tot_crd_ls_amt": padded(0, 15),
		"acnt_evlt_remn_indv_tot": part,
	})
	a.contYN, a.nextKey = cont, next
	return a
}

func ioTpNm(o *KiwoomFakeOrder) string {
	switch {
	case o.Cancel && o.Side == broker.Buy:
		return "매수취소"
	case o.Cancel:
		return "매도취소"
	case o.Side == broker.Buy:
		return "+매수"
	}
	return "-매도"
}

func trdeTpName(o *KiwoomFakeOrder) string {
	switch {
	case o.TrdeTp == "61":
		return "장시작전시간외" // the spec's names for 61, 81 and 62; no list row with them has been seen
	case o.TrdeTp == "81":
		return "장마감후시간외"
	case o.Market:
		return "시장가"
	case o.TrdeTp == "62":
		return "시간외단일가"
	}
	return "보통"
}

// selected applies the stk_cd and buy/sell filters of ka10075/ka10076.
func selected(o *KiwoomFakeOrder, byCode bool, code, side string) bool {
	if byCode && o.Code != code {
		return false
	}
	switch side {
	case "1":
		return o.Side == broker.Sell
	case "2":
		return o.Side == broker.Buy
	}
	return true
}

// openOrders is ka10075 미체결요청: orders with quantity still open, newest
// first.
func (f *KiwoomFake) openOrders(apiID string, body map[string]string, nextKey string) kwAnswer {
	if a, ok := f.requireFields(apiID, body, "all_stk_tp", "trde_tp", "stex_tp"); !ok {
		return a
	}
	rows := []map[string]any{} // an empty list is [], never null
	for i := len(f.orders) - 1; i >= 0; i-- {
		v := f.orders[i].view()
		o := &v
		if o.Cancel || o.Remaining() == 0 || f.laggingLocked(o.Time) || !selected(o, body["all_stk_tp"] == "1", body["stk_cd"], body["trde_tp"]) {
			continue
		}
		s, _ := f.stock(o.Code)
		stt := "접수"
		if o.Filled > 0 {
			stt = "체결"
		}
		rows = append(rows, map[string]any{
			"acnt_no": f.opts.Account, "ord_no": o.No, "mang_empno": "", "stk_cd": o.Code, "tsk_tp": "", "ord_stt": stt,
			"stk_nm": s.name, "ord_qty": strconv.FormatInt(o.Qty, 10), "ord_pric": strconv.FormatInt(o.Price, 10),
			"oso_qty": strconv.FormatInt(o.Remaining(), 10), "cntr_tot_amt": strconv.FormatInt(o.FillAmount, 10),
			"orig_ord_no": "0000000", "io_tp_nm": ioTpNm(o), "trde_tp": trdeTpName(o), "tm": o.Time.In(broker.KST()).Format("150405"),
			"cntr_no": "", "cntr_pric": strconv.FormatInt(o.LastFillPrice, 10), "cntr_qty": strconv.FormatInt(o.Filled, 10),
			"cur_prc": direction(s.price, s.base), "sel_bid": "0", "buy_bid": "0", "unit_cntr_pric": "", "unit_cntr_qty": "",
			"tdy_trde_cmsn": "0", "tdy_trde_tax": "0", "ind_invsr": "", "stex_tp": stexTp(o), "stex_tp_txt": o.Routed, "sor_yn": sorYn(o), "stop_pric": "",
		})
	}
	part, cont, next := f.page(rows, nextKey)
	a := f.ok(map[string]any{"oso": part})
	a.contYN, a.nextKey = cont, next
	return a
}

// filledOrders is ka10076 체결요청. cntr_pric (체결가) is the latest part's
// price, not an average: the field list (Kiwoom-Securities/Kiwoom-REST-API,
// examples/국내주식/계좌/get_domestic_filled_orders.py) has no average nor an
// amount, and ka10075 beside it carries cntr_tot_amt (체결누계금액) for the
// average; a fake that averaged would hide a client that reads cntr_pric
// as one. The fake lists every order of the day,
// newest first, and a cancel as a row of its own ("매수취소", ord_stt 확인,
// orig_ord_no naming the order it cancelled).
func (f *KiwoomFake) filledOrders(apiID string, body map[string]string, nextKey string) kwAnswer {
	if a, ok := f.requireFields(apiID, body, "qry_tp", "sell_tp", "stex_tp"); !ok {
		return a
	}
	rows := []map[string]any{} // an empty list is [], never null
	for i := len(f.orders) - 1; i >= 0; i-- {
		v := f.orders[i].view()
		o := &v
		if f.laggingLocked(o.Time) || !selected(o, body["qry_tp"] == "1", body["stk_cd"], body["sell_tp"]) {
			continue
		}
		stt, orig := "접수", "0000000"
		switch {
		case o.Cancel:
			stt, orig = "확인", o.OrigNo
		case o.Filled > 0:
			stt = "체결"
		}
		rows = append(rows, map[string]any{
			"ord_no": o.No, "stk_nm": f.m.Instruments[f.index(o.Code)].Name, "io_tp_nm": ioTpNm(o),
			"ord_pric": strconv.FormatInt(o.Price, 10), "ord_qty": strconv.FormatInt(o.Qty, 10),
			"cntr_pric": strconv.FormatInt(o.LastFillPrice, 10), "cntr_qty": strconv.FormatInt(o.Filled, 10),
			"oso_qty": strconv.FormatInt(o.Remaining(), 10), "tdy_trde_cmsn": "0", "tdy_trde_tax": "0",
			"ord_stt": stt, "trde_tp": trdeTpName(o), "orig_ord_no": orig, "ord_tm": o.Time.In(broker.KST()).Format("150405"),
			"stk_cd": o.Code, "stex_tp": stexTp(o), "stex_tp_txt": o.Routed, "sor_yn": sorYn(o), "stop_pric": "",
		})
	}
	part, cont, next := f.page(rows, nextKey)
	a := f.ok(map[string]any{"cntr": part})
	a.contYN, a.nextKey = cont, next
	return a
}

// stexTp is a row's 거래소구분 code: "1" KRX, "2" NXT (ka10075/ka10076;
// see broker/kiwoom orderRow).
func stexTp(o *KiwoomFakeOrder) string {
	if o.Routed == "NXT" {
		return "2"
	}
	return "1"
}

// sorYn is a row's "SOR 여부값": Y for an order sent to SOR.
func sorYn(o *KiwoomFakeOrder) string {
	if o.Venue == "SOR" {
		return "Y"
	}
	return "N"
}
