package brokertest

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/internal/market"
)

// kisBranch is the fake's KRX_FWDG_ORD_ORGNO / ord_gno_brno.
const kisBranch = "06590"

func kisItoa(n int64) string { return strconv.FormatInt(n, 10) }

// kisPct formats a/b as a signed percentage with two decimals.
func kisPct(a, b int64) string {
	if b == 0 {
		return "0.00"
	}
	return strconv.FormatFloat(float64(a)*100/float64(b), 'f', 2, 64)
}

// kisDec4 formats a/b with four decimals, as KIS formats average prices.
func kisDec4(a, b int64) string {
	if b == 0 {
		return "0.0000"
	}
	return fmt.Sprintf("%d.%04d", a/b, (a%b)*10000/b)
}

func (f *KISFake) kstNow(now time.Time) time.Time { return now.In(broker.KST()) }

// handlePrice is inquire-price: every value a string, prdy_vrss signed on
// the wire; an unlisted code answers rt_cd "0" with stck_prpr "0".
func (f *KISFake) handlePrice(c *kisCall) kisAnswer {
	code := c.query.Get("FID_INPUT_ISCD")
	if f.quotesBy == nil {
		f.quotesBy = map[string]int{}
	}
	f.quotesBy[code]++
	// FID_COND_MRKT_DIV_CODE "J:KRX, NX:NXT, UN:통합" (examples_llm/
	// domestic_stock/inquire_price/inquire_price.py line 26). KIS does not
	// say whether its mock serves NX and UN; the mock fake keeps to J (its
	// refusal is the fake's own stand-in). A stock NXT does not list
	// answers NX like an unknown code, price 0 (also the fake's choice).
	venue := map[string]string{"J": "KRX", "NX": "NXT", "UN": "SOR"}[c.query.Get("FID_COND_MRKT_DIV_CODE")]
	if venue == "" || (f.mock && venue != "KRX") {
		return kisFailure(http.StatusOK, "1", "OPSQ2001", "ERROR : INPUT_FIELD_NAME FID_COND_MRKT_DIV_CODE")
	}
	s, ok := f.venueStock(code, venue)
	out := map[string]string{}
	if !ok {
		for _, k := range []string{"stck_prpr", "prdy_vrss", "prdy_ctrt", "acml_vol", "acml_tr_pbmn", "stck_oprc",
			"stck_hgpr", "stck_lwpr", "stck_mxpr", "stck_llam", "stck_sdpr", "aspr_unit", "per", "pbr", "eps", "bps"} {
			out[k] = "0"
		}
		out["prdy_vrss_sign"] = "3"
		out["stck_shrn_iscd"] = ""
		out["iscd_stat_cls_code"] = ""
		return kisSuccess("MCA00000", kisMsgOK, map[string]any{"output": out})
	}
	diff := s.price - s.base
	out = map[string]string{
		"iscd_stat_cls_code": "55", "marg_rate": "20.00", "rprs_mrkt_kor_name": "KOSPI200",
		"new_hgpr_lwpr_cls_code": "", "bstp_kor_isnm": "전기.전자", "temp_stop_yn": "N",
		"oprc_rang_cont_yn": "N", "clpr_rang_cont_yn": "N", "crdt_able_yn": "Y", "grmn_rate_cls_code": "40",
		"elw_pblc_yn":        "Y",
		"stck_prpr":          kisItoa(s.price),
		"prdy_vrss":          kisItoa(diff),
		"prdy_vrss_sign":     s.sign(),
		"prdy_ctrt":          kisPct(diff, s.base),
		"acml_tr_pbmn":       kisItoa(s.vol * s.price),
		"acml_vol":           kisItoa(s.vol),
		"prdy_vrss_vol_rate": "0.00",
		"stck_oprc":          kisItoa(s.open),
		"stck_hgpr":          kisItoa(s.high),
		"stck_lwpr":          kisItoa(s.low),
		"stck_mxpr":          kisItoa(s.upper()),
		"stck_llam":          kisItoa(s.lower()),
		"stck_sdpr":          kisItoa(s.base),
		"wghn_avrg_stck_prc": kisDec4(s.price, 1)[:len(kisItoa(s.price))+3],
		"hts_frgn_ehrt":      "50.00", "frgn_ntby_qty": "0", "pgtr_ntby_qty": "0",
		"pvt_scnd_dmrs_prc": kisItoa(s.base), "pvt_frst_dmrs_prc": kisItoa(s.base), "pvt_pont_val": kisItoa(s.base),
		"pvt_frst_dmsp_prc": kisItoa(s.base), "pvt_scnd_dmsp_prc": kisItoa(s.base), "dmrs_val": kisItoa(s.base), "dmsp_val": kisItoa(s.base),
		"cpfn": "7780", "rstc_wdth_prc": kisItoa(s.upper() - s.base), "stck_fcam": "100", "stck_sspr": kisItoa(s.base * 7 / 10),
		"aspr_unit":             kisItoa(broker.TickSize(s.price)),
		"hts_deal_qty_unit_val": "1", "lstn_stcn": "5919637922", "hts_avls": "3895000",
		"per": "13.30", "pbr": "1.14", "stac_month": "12", "vol_tnrt": "0.03", "eps": "4950.00", "bps": "57930.00",
		"d250_hgpr": kisItoa(s.upper()), "d250_hgpr_date": "20250102", "d250_hgpr_vrss_prpr_rate": "-10.00",
		"d250_lwpr": kisItoa(s.lower()), "d250_lwpr_date": "20250102", "d250_lwpr_vrss_prpr_rate": "10.00",
		"stck_dryy_hgpr": kisItoa(s.high), "dryy_hgpr_vrss_prpr_rate": "0.00", "dryy_hgpr_date": "20250102",
		"stck_dryy_lwpr": kisItoa(s.low), "dryy_lwpr_vrss_prpr_rate": "0.00", "dryy_lwpr_date": "20250102",
		"w52_hgpr": kisItoa(s.high), "w52_hgpr_vrss_prpr_ctrt": "0.00", "w52_hgpr_date": "20250102",
		"w52_lwpr": kisItoa(s.low), "w52_lwpr_vrss_prpr_ctrt": "0.00", "w52_lwpr_date": "20250102",
		"whol_loan_rmnd_rate": "0.10", "ssts_yn": "Y", "stck_shrn_iscd": s.code, "fcam_cnnm": "100",
		"cpfn_cnnm": "7,780 억", "frgn_hldn_qty": "0", "vi_cls_code": "N", "ovtm_vi_cls_code": "N",
		"last_ssts_cntg_qty": "0", "invt_caful_yn": "N", "mrkt_warn_cls_code": "00", "short_over_yn": "N",
		"sltr_yn": "N", "mang_issu_cls_code": "N",
	}
	return kisSuccess("MCA00000", kisMsgOK, map[string]any{"output": out})
}

// handleStockInfo is search-stock-info (주식기본조회): the fields hoga reads,
// cptt_trad_tr_psbl_yn "NXT 거래종목여부" and nxt_tr_stop_yn "NXT
// 거래정지여부" (chk_search_stock_info.py), with the code and name. An
// unknown code answers empty fields, as inquire-price does (the fake's
// choice).
func (f *KISFake) handleStockInfo(c *kisCall) kisAnswer {
	code := c.query.Get("PDNO")
	s, ok := f.stock(code)
	if !ok {
		return kisSuccess("KIOK0000", kisMsgOK, map[string]any{"output": map[string]string{
			"pdno": "", "prdt_abrv_name": "", "cptt_trad_tr_psbl_yn": "", "nxt_tr_stop_yn": ""}})
	}
	yn := "N"
	if f.nxtListedLocked(code) {
		yn = "Y"
	}
	return kisSuccess("KIOK0000", kisMsgOK, map[string]any{"output": map[string]string{
		"pdno": "00000000" + s.code, "prdt_type_cd": "300", "prdt_name": s.name, "prdt_abrv_name": s.name,
		"std_pdno": "KR7" + s.code + "003", "mket_id_cd": "STK", "scty_grp_id_cd": "ST",
		"cptt_trad_tr_psbl_yn": yn, "nxt_tr_stop_yn": "N"}})
}

// handleChart is inquire-daily-itemchartprice: output1 (with the Korean
// name) and a one-row output2 for today.
func (f *KISFake) handleChart(c *kisCall) kisAnswer {
	code := c.query.Get("FID_INPUT_ISCD")
	s, ok := f.stock(code)
	if !ok {
		return kisSuccess("MCA00000", kisMsgOK, map[string]any{
			"output1": map[string]string{"hts_kor_isnm": "", "stck_prpr": "0", "stck_shrn_iscd": ""},
			"output2": []map[string]string{},
		})
	}
	diff := s.price - s.base
	return kisSuccess("MCA00000", kisMsgOK, map[string]any{
		"output1": map[string]string{
			"prdy_vrss": kisItoa(diff), "prdy_vrss_sign": s.sign(), "prdy_ctrt": kisPct(diff, s.base),
			"stck_prdy_clpr": kisItoa(s.base), "acml_vol": kisItoa(s.vol), "acml_tr_pbmn": kisItoa(s.vol * s.price),
			"hts_kor_isnm": s.name, "stck_prpr": kisItoa(s.price), "stck_shrn_iscd": s.code, "prdy_vol": "0",
			"stck_mxpr": kisItoa(s.upper()), "stck_llam": kisItoa(s.lower()), "stck_oprc": kisItoa(s.open),
			"stck_hgpr": kisItoa(s.high), "stck_lwpr": kisItoa(s.low),
		},
		"output2": []map[string]string{{
			"stck_bsop_date": f.kstNow(c.now).Format("20060102"), "stck_clpr": kisItoa(s.price),
			"stck_oprc": kisItoa(s.open), "stck_hgpr": kisItoa(s.high), "stck_lwpr": kisItoa(s.low),
			"acml_vol": kisItoa(s.vol), "acml_tr_pbmn": kisItoa(s.vol * s.price), "flng_cls_code": "00",
			"prtt_rate": "0.00", "mod_yn": "N", "prdy_vrss_sign": s.sign(), "prdy_vrss": kisItoa(diff), "revl_issu_reas": "",
		}},
	})
}

// openSellLocked is shares of code promised to open sell orders.
func (f *KISFake) openSellLocked(code string) int64 {
	_, n, _ := f.m.Reserved(broker.Code(code))
	return n
}

// sessionCheck refuses orders outside the KRX session when MarketHours
// is on — broker.Calendar.AcceptsOrders: from the opening auction (08:30,
// or 09:30 on a late-opening day; kis.md "08:30–09:00 opening call
// auction") to the close (15:30, or 16:30 on the 수능 day), never on a
// holiday — with KIS's texts. The fake checked 09:00–15:30 on weekdays by
// hand: it took orders on holidays, refused them in the opening auction
// (which the Kiwoom fake and paper take) and after 15:30 on the 수능 day.
//
// An order for a KRX off-hours session (session set: ORD_DVSN 07) is
// taken only inside that session.
func (f *KISFake) sessionCheck(now time.Time, routed string, session broker.SessionKind) (kisAnswer, bool) {
	if !f.marketHours {
		return kisAnswer{}, true
	}
	open, early := orderWindowLocked(f.cal, routed, session, now)
	switch {
	case open:
		return kisAnswer{}, true
	case f.mock && early:
		return kisFailure(http.StatusOK, "1", "40570000", "모의투자 장시작전 입니다."), false // code: placeholder
	case f.mock:
		return kisFailure(http.StatusOK, "1", "40580000", "모의투자 장종료 입니다."), false // code: placeholder
	}
	return kisFailure(http.StatusOK, "1", "APBK0919", "장운영시간이 아닙니다."), false
}

// handleOrder is order-cash: checks like KIS (account, code, order type,
// quantity, tick grid, daily limits, cash reserved at the limit price or,
// for market buys, the upper limit; shares to sell), then records the
// order; market orders and marketable limits fill at once at the current
// price. Output keys are upper case.
func (f *KISFake) handleOrder(c *kisCall) kisAnswer {
	b := c.body
	if ans, ok := f.checkAccount(b["CANO"], b["ACNT_PRDT_CD"]); !ok {
		return ans
	}
	side := broker.Buy
	if c.real == "TTTC0011U" {
		side = broker.Sell
	}
	if ex := b["EXCG_ID_DVSN_CD"]; ex != "" && ex != "KRX" && (f.mock || (ex != "NXT" && ex != "SOR")) {
		return kisFailure(http.StatusOK, "1", "APBK3009", "거래소ID구분코드를 확인하여 주십시오.") // code: placeholder
	}
	s, ok := f.stock(b["PDNO"])
	if !ok {
		if ans, ok := f.sessionCheck(c.now, "KRX", ""); !ok {
			return ans
		}
		return kisFailure(http.StatusOK, "1", "APBK0656", "해당종목정보가 없습니다.")
	}
	// The venue's own rules: NXT takes only the stocks it lists, and each
	// exchange only in its sessions (a SOR order goes where it can trade
	// now). The samples give no code for an NXT order of an unlisted
	// stock; FAKE0003 is the fake's stand-in.
	venue := venueOr(b["EXCG_ID_DVSN_CD"])
	if venue == "NXT" && !f.nxtListedLocked(s.code) {
		return kisFailure(http.StatusOK, "1", "FAKE0003", "NXT 거래 불가 종목입니다. (fake stand-in)")
	}
	routed := f.routeLocked(f.cal, venue, s.code, side, c.now)
	// ORD_DVSN 07 is 시간외 단일가 (MCP/Kis Trading MCP/configs/
	// domestic_stock.json: "07 : 시간외 단일가"), a KRX session's own type
	// and a real-account code (python-kis order.py). The texts for 07 on a
	// mock account or to another venue are the fake's stand-ins.
	// 05 장전 시간외 and 06 장후 시간외 (the same list) are the
	// closing-price sessions' types, taken only in their own session.
	var session broker.SessionKind
	switch b["ORD_DVSN"] {
	case "07":
		session = broker.KRXAfterSingle
	case "05":
		session = broker.KRXPreClosing
	case "06":
		session = broker.KRXAfterClosing
	}
	if session != "" {
		switch {
		case f.mock:
			return kisFailure(http.StatusOK, "1", "FAKE0004", "모의투자에서는 해당 주문구분을 사용할 수 없습니다. (fake stand-in)")
		case venue != "KRX":
			return kisFailure(http.StatusOK, "1", "FAKE0005", "시간외 주문은 KRX로만 할 수 있습니다. (fake stand-in)")
		}
	}
	if ans, ok := f.sessionCheck(c.now, routed, session); !ok {
		return ans
	}
	qty, err := strconv.ParseInt(b["ORD_QTY"], 10, 64)
	if err != nil || qty <= 0 {
		return kisFailure(http.StatusOK, "1", "APBK0012", "주문수량을 확인 하여 주십시요.") // code: placeholder
	}
	market := false
	var price int64
	switch b["ORD_DVSN"] {
	case "00", "07":
		price, err = strconv.ParseInt(b["ORD_UNPR"], 10, 64)
		if err != nil || price <= 0 {
			return kisFailure(http.StatusOK, "1", "APBK0014", "주문단가를 확인 하여 주십시요.") // code: placeholder
		}
		if !broker.OnTick(price) {
			if f.mock {
				return kisFailure(http.StatusOK, "1", "40540000", "모의투자 주문처리가 안되었습니다(호가단위 오류)") // code: placeholder
			}
			return kisFailure(http.StatusOK, "1", "APBK0506", "주식주문호가단위 오류입니다.") // code: placeholder
		}
		if price > s.upper() || price < s.lower() {
			if f.mock {
				return kisFailure(http.StatusOK, "1", "40550000", "모의투자 상/하한가 오류") // code: placeholder
			}
			return kisFailure(http.StatusOK, "1", "APBK0507", "상/하한가 오류 입니다.") // code: placeholder
		}
	case "01", "05", "06": // 05/06 trade at the close: ORD_UNPR "0", as 시장가
		market = true
	default:
		return kisFailure(http.StatusOK, "1", "APBK0015", "주문구분을 확인 하여 주십시요.") // code: placeholder
	}
	typ := broker.Limit
	if market {
		typ = broker.Market
	}
	f.placing = venue
	mo, err := f.m.Place(c.now, broker.OrderRequest{Code: broker.Code(s.code), Side: side, Type: typ, Qty: qty, Price: price,
		Venue: broker.Venue(routed), Session: session}) // expires with the exchange (or session) it rests on
	f.placing = ""
	if err != nil {
		return f.orderRefusal(err)
	}
	o := &kisFakeOrder{KISOrder: KISOrder{
		ODNO: mo.ID, Branch: kisBranch, Code: s.code, Side: side, Market: market,
		Qty: qty, Price: price, At: c.now, Venue: b["EXCG_ID_DVSN_CD"], Routed: routed, Dvsn: b["ORD_DVSN"],
	}, name: s.name, simRow: simRow{mo}}
	f.orders = append(f.orders, o)
	msg := "주문 전송 완료 되었습니다."
	if f.mock {
		msg = "모의투자 매수주문이 완료 되었습니다."
		if side == broker.Sell {
			msg = "모의투자 매도주문이 완료 되었습니다."
		}
	}
	return kisSuccess("APBK0013", msg, map[string]any{"output": map[string]string{
		"KRX_FWDG_ORD_ORGNO": o.Branch,
		"ODNO":               o.ODNO,
		"ORD_TMD":            f.kstNow(c.now).Format("150405"),
	}})
}

// orderRefusal answers a refusal of the market with KIS's code for it.
func (f *KISFake) orderRefusal(err error) kisAnswer {
	var rej *market.Reject
	if !errors.As(err, &rej) {
		return kisFailure(http.StatusOK, "1", "FAKE0002", err.Error())
	}
	switch rej.Reason {
	case market.NotListed:
		return kisFailure(http.StatusOK, "1", "APBK0656", "해당종목정보가 없습니다.")
	case market.OutsideLimits:
		if f.mock {
			return kisFailure(http.StatusOK, "1", "40550000", "모의투자 상/하한가 오류") // code: placeholder
		}
		return kisFailure(http.StatusOK, "1", "APBK0507", "상/하한가 오류 입니다.") // code: placeholder
	case market.NoShares:
		if rej.Held <= 0 && f.mock {
			return kisFailure(http.StatusOK, "1", "40240000", "모의투자 잔고내역이 없습니다.")
		}
		return kisFailure(http.StatusOK, "1", "APBK0400", "주문가능수량을 초과 했습니다.") // code: placeholder
	}
	// NoCash, TooLarge: more than the account can buy.
	if f.mock {
		return kisFailure(http.StatusOK, "1", "40250000", "모의투자 주문가능금액이 부족합니다.")
	}
	return kisFailure(http.StatusOK, "7", "APBK0952", "주문가능금액을 초과 했습니다")
}

// handleCancel is order-rvsecncl, cancel only (RVSE_CNCL_DVSN_CD 02). A
// cancel becomes an order of its own pointing at the original
// (orgn_odno), as KIS lists it. Output keys: upper case on mock (seen on
// the mock service), lower case live (as the docs list them), so clients
// exercise both.
func (f *KISFake) handleCancel(c *kisCall) kisAnswer {
	b := c.body
	if ans, ok := f.checkAccount(b["CANO"], b["ACNT_PRDT_CD"]); !ok {
		return ans
	}
	if b["RVSE_CNCL_DVSN_CD"] != "02" {
		return kisFailure(http.StatusOK, "1", "FAKE0001", "the fake KIS supports cancellation (02) only")
	}
	routed, session := f.placedVenueLocked(b["ORGN_ODNO"])
	if ans, ok := f.sessionCheck(c.now, routed, session); !ok {
		return ans
	}
	var orig *kisFakeOrder
	for _, o := range f.orders {
		if o.ODNO == b["ORGN_ODNO"] && o.CancelOf == "" && o.Branch == b["KRX_FWDG_ORD_ORGNO"] {
			orig = o
		}
	}
	nothing := func() kisAnswer {
		if f.mock {
			return kisFailure(http.StatusOK, "1", "40330000", "모의투자 정정/취소할 수량이 없습니다.") // code: placeholder
		}
		return kisFailure(http.StatusOK, "1", "APBK0918", "정정/취소할 수량이 없습니다.")
	}
	if orig == nil || orig.remaining() == 0 {
		return nothing()
	}
	// A cancel names the venue of its order (EXCG_ID_DVSN_CD is 필수 on
	// order-rvsecncl, "KRX: 한국거래소, NXT:대체거래소,SOR:SOR":
	// examples_llm/domestic_stock/order_rvsecncl/order_rvsecncl.py line
	// 36). An order resting on NXT is not on KRX's book, so a cancel sent
	// to the other venue finds nothing to cancel. The answer is the fake's
	// stand-in: the samples give no code for a venue mismatch, so it
	// answers as for an order with nothing left (APBK0918).
	if venueOr(b["EXCG_ID_DVSN_CD"]) != venueOr(orig.Venue) {
		return nothing()
	}
	qty := orig.remaining()
	if b["QTY_ALL_ORD_YN"] != "Y" {
		n, err := strconv.ParseInt(b["ORD_QTY"], 10, 64)
		if err != nil || n <= 0 || n > qty {
			return kisFailure(http.StatusOK, "1", "APBK0012", "주문수량을 확인 하여 주십시요.") // code: placeholder
		}
		qty = n
	}
	if _, err := f.m.Cancel(c.now, orig.ODNO, qty); err != nil {
		return nothing()
	}
	cx := &kisFakeOrder{KISOrder: KISOrder{
		ODNO: f.m.NewID(), Branch: orig.Branch, Code: orig.Code, Side: orig.Side, Market: orig.Market,
		Qty: qty, CancelOf: orig.ODNO, At: c.now, Venue: b["EXCG_ID_DVSN_CD"], Routed: orig.Routed,
	}, name: orig.name}
	f.orders = append(f.orders, cx)
	tmd := f.kstNow(c.now).Format("150405")
	if f.mock {
		return kisSuccess("APBK0013", "모의투자 취소주문이 완료 되었습니다.", map[string]any{"output": map[string]string{
			"KRX_FWDG_ORD_ORGNO": cx.Branch, "ODNO": cx.ODNO, "ORD_TMD": tmd}})
	}
	return kisSuccess("APBK0013", "주문 전송 완료 되었습니다.", map[string]any{"output": map[string]string{
		"krx_fwdg_ord_orgno": cx.Branch, "odno": cx.ODNO, "ord_tmd": tmd}})
}

// kisCtxArea builds the 100-character continuation fields KIS pads with
// spaces; nk carries the next row offset.
func kisCtxArea(kind string, offset int) (fk, nk string) {
	return fmt.Sprintf("%-100s", kind), fmt.Sprintf("%-100s", kind+"^"+strconv.Itoa(offset))
}

// kisPageOffset reads the offset from a continuation request: only when the
// request says tr_cont N, as KIS requires; otherwise it is a first page.
func kisPageOffset(c *kisCall, kind string) int {
	if c.trCont != "N" {
		return 0
	}
	nk := strings.TrimSpace(c.query.Get("CTX_AREA_NK100"))
	k, off, ok := strings.Cut(nk, "^")
	if !ok || k != kind {
		return 0
	}
	n, err := strconv.Atoi(off)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// kisPage cuts rows[offset:] to size and says what tr_cont to answer: F or M
// when more follow, D or E on the last page.
func kisPage[T any](rows []T, offset, size int) ([]T, string, int) {
	page, end := pageRows(rows, offset, size)
	more, first := end < len(rows), end == len(page) // first: offset (clamped) 0
	switch {
	case more && first:
		return page, "F", end
	case more:
		return page, "M", end
	case first:
		return page, "D", end
	}
	return page, "E", end
}

// handleCcld is inquire-daily-ccld: today's orders with KIS's filters,
// newest first unless INQR_DVSN 01, paged (15 mock / 100 live).
func (f *KISFake) handleCcld(c *kisCall) kisAnswer {
	q := c.query
	if ans, ok := f.checkAccount(q.Get("CANO"), q.Get("ACNT_PRDT_CD")); !ok {
		return ans
	}
	from, to := q.Get("INQR_STRT_DT"), q.Get("INQR_END_DT")
	rows := []map[string]string{} // an empty list is [], never null
	var totQty, totFilled, totAmt int64
	for _, o := range f.orders {
		day := f.kstNow(o.At).Format("20060102")
		switch {
		case day < from || day > to:
			continue
		case f.laggingLocked(o.At):
			continue // not in the (lagging) list yet
		case q.Get("SLL_BUY_DVSN_CD") == "01" && o.Side != broker.Sell,
			q.Get("SLL_BUY_DVSN_CD") == "02" && o.Side != broker.Buy:
			continue
		case q.Get("PDNO") != "" && q.Get("PDNO") != o.Code:
			continue
		case q.Get("ODNO") != "" && q.Get("ODNO") != o.ODNO:
			continue
		case q.Get("CCLD_DVSN") == "01" && o.view().Filled == 0,
			q.Get("CCLD_DVSN") == "02" && o.remaining() == 0:
			continue
		}
		rows = append(rows, f.ccldRow(o))
		v := o.view()
		totQty += v.Qty
		totFilled += v.Filled
		totAmt += v.FillAmount
	}
	if q.Get("INQR_DVSN") != "01" {
		for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
			rows[i], rows[j] = rows[j], rows[i]
		}
	}
	pg, trCont, next := kisPage(rows, kisPageOffset(c, "ccld"), f.ccldPag)
	fk, nk := kisCtxArea("ccld", next)
	if trCont == "D" || trCont == "E" {
		fk, nk = fmt.Sprintf("%-100s", ""), fmt.Sprintf("%-100s", "")
	}
	ans := kisSuccess("KIOK0000", "조회가 완료되었습니다.", map[string]any{
		"ctx_area_fk100": fk,
		"ctx_area_nk100": nk,
		"output1":        pg,
		"output2": map[string]string{
			"tot_ord_qty": kisItoa(totQty), "tot_ccld_qty": kisItoa(totFilled), "tot_ccld_amt": kisItoa(totAmt),
			"prsm_tlex_smtl": "0", "pchs_avg_pric": kisDec4(totAmt, max(totFilled, 1)),
		},
	})
	ans.trCont = trCont
	return ans
}

func (f *KISFake) ccldRow(row *kisFakeOrder) map[string]string {
	o := row.view()
	k := f.kstNow(o.At)
	sideCd, sideName := "02", "현금매수"
	if o.Side == broker.Sell {
		sideCd, sideName = "01", "현금매도"
	}
	dvsnCd, dvsnName := "00", "지정가"
	switch {
	case o.Dvsn == "05": // ord_dvsn_name as the ORD_DVSN list words it
		dvsnCd, dvsnName = "05", "장전 시간외"
	case o.Dvsn == "06":
		dvsnCd, dvsnName = "06", "장후 시간외"
	case o.Market:
		dvsnCd, dvsnName = "01", "시장가"
	case o.Dvsn == "07":
		dvsnCd, dvsnName = "07", "시간외단일가"
	}
	cncl, cnc, price := "N", o.Cancelled, o.Price
	if o.CancelOf != "" {
		cncl, cnc, price = "Y", o.Qty, 0
		sideName = map[string]string{"02": "매수취소", "01": "매도취소"}[sideCd]
	}
	avg := "0"
	if o.Filled > 0 {
		avg = kisItoa(o.FillAmount / o.Filled)
	}
	return map[string]string{
		"ord_dt": k.Format("20060102"), "ord_gno_brno": o.Branch, "odno": o.ODNO, "orgn_odno": o.CancelOf,
		"ord_dvsn_name": dvsnName, "sll_buy_dvsn_cd": sideCd, "sll_buy_dvsn_cd_name": sideName,
		"pdno": o.Code, "prdt_name": row.name, "ord_qty": kisItoa(o.Qty), "ord_unpr": kisItoa(price),
		"ord_tmd": k.Format("150405"), "tot_ccld_qty": kisItoa(o.Filled), "avg_prvs": avg, "cncl_yn": cncl,
		"tot_ccld_amt": kisItoa(o.FillAmount), "loan_dt": "", "ordr_empno": "", "ord_dvsn_cd": dvsnCd,
		"cnc_cfrm_qty": kisItoa(cnc), "rmn_qty": kisItoa(row.remaining()), "rjct_qty": "0", "ccld_cndt_name": "없음",
		"inqr_ip_addr": "", "cpbc_ordp_ord_rcit_dvsn_cd": "", "cpbc_ordp_infm_mthd_dvsn_cd": "",
		"infm_tmd": "", "ctac_tlno": "", "prdt_type_cd": "300", "excg_dvsn_cd": "02",
		"cpbc_ordp_mtrl_dvsn_cd": "", "ord_orgno": o.Branch, "rsvn_ord_end_dt": "",
		"excg_id_dvsn_Cd": o.Venue, "stpm_cndt_pric": "0", "stpm_efct_occr_dtmd": "",
	}
}

// handleBalance is inquire-balance: one output1 row per stock held today
// (a stock sold out today still shows with hldg_qty 0, as KIS shows it
// until settlement), paged (20 mock / 50 live), and the account summary
// as a one-element output2 array on every page.
func (f *KISFake) handleBalance(c *kisCall) kisAnswer {
	q := c.query
	if ans, ok := f.checkAccount(q.Get("CANO"), q.Get("ACNT_PRDT_CD")); !ok {
		return ans
	}
	rows := []map[string]string{} // an empty list is [], never null
	var value, cost, buyAmt, sellAmt int64
	for _, code := range f.heldCodesLocked(true) {
		p := f.m.Positions[broker.Code(code)]
		name, price := code, int64(0)
		if s, ok := f.stock(code); ok {
			name, price = s.name, s.price
		}
		ev := p.Qty * price
		value += ev
		cost += p.Cost
		buyAmt += p.BoughtAmt
		sellAmt += p.SoldAmt
		rows = append(rows, map[string]string{
			"pdno": code, "prdt_name": name, "trad_dvsn_name": "현금", "bfdy_buy_qty": "0", "bfdy_sll_qty": "0",
			"thdt_buyqty": kisItoa(p.BoughtQty), "thdt_sll_qty": kisItoa(p.SoldQty), "hldg_qty": kisItoa(p.Qty),
			"ord_psbl_qty": kisItoa(p.Qty - f.openSellLocked(code)), "pchs_avg_pric": kisDec4(p.Cost, p.Qty),
			"pchs_amt": kisItoa(p.Cost), "prpr": kisItoa(price), "evlu_amt": kisItoa(ev), "evlu_pfls_amt": kisItoa(ev - p.Cost),
			"evlu_pfls_rt": kisPct(ev-p.Cost, p.Cost), "evlu_erng_rt": "0.00000000", "loan_dt": "", "loan_amt": "0",
			"stln_slng_chgs": "0", "expd_dt": "", "fltt_rt": "0.00000000", "bfdy_cprs_icdc": "0",
			"item_mgna_rt_name": "20%", "grta_rt_name": "", "sbst_pric": "0", "stck_loan_unpr": "0.0000",
		})
	}
	pg, trCont, next := kisPage(rows, kisPageOffset(c, "bal"), f.balancePage)
	fk, nk := kisCtxArea("bal", next)
	if trCont == "D" || trCont == "E" {
		fk, nk = fmt.Sprintf("%-100s", ""), fmt.Sprintf("%-100s", "")
	}
	total := value + f.m.Cash
	deposit := f.depositLocked()
	ans := kisSuccess("KIOK0510", "조회가 완료되었습니다", map[string]any{
		"ctx_area_fk100": fk,
		"ctx_area_nk100": nk,
		"output1":        pg,
		"output2": []map[string]string{{
			"dnca_tot_amt": kisItoa(deposit), "nxdy_excc_amt": kisItoa(f.m.Cash), "prvs_rcdl_excc_amt": kisItoa(f.m.Cash),
			"cma_evlu_amt": "0", "bfdy_buy_amt": "0", "thdt_buy_amt": kisItoa(buyAmt), "nxdy_auto_rdpt_amt": "0",
			"bfdy_sll_amt": "0", "thdt_sll_amt": kisItoa(sellAmt), "d2_auto_rdpt_amt": "0", "bfdy_tlex_amt": "0",
			"thdt_tlex_amt": "0", "tot_loan_amt": "0", "scts_evlu_amt": kisItoa(value), "tot_evlu_amt": kisItoa(total),
			"nass_amt": kisItoa(total), "fncg_gld_auto_rdpt_yn": "", "pchs_amt_smtl_amt": kisItoa(cost),
			"evlu_amt_smtl_amt": kisItoa(value), "evlu_pfls_smtl_amt": kisItoa(value - cost), "tot_stln_slng_chgs": "0",
			"bfdy_tot_asst_evlu_amt": kisItoa(deposit), "asst_icdc_amt": kisItoa(total - deposit),
			"asst_icdc_erng_rt": "0.00000000",
		}},
	})
	ans.trCont = trCont
	return ans
}

// handlePsblOrder is inquire-psbl-order: cash available for new buys
// (the D+2 deposit less open buy orders), and quantities when a code and
// price are given.
func (f *KISFake) handlePsblOrder(c *kisCall) kisAnswer {
	q := c.query
	if ans, ok := f.checkAccount(q.Get("CANO"), q.Get("ACNT_PRDT_CD")); !ok {
		return ans
	}
	avail := max(f.m.Orderable(), 0)
	soldToday := f.m.DaySold
	unit, _ := strconv.ParseInt(q.Get("ORD_UNPR"), 10, 64)
	if s, ok := f.stock(q.Get("PDNO")); ok && unit <= 0 {
		unit = s.price
		if q.Get("ORD_DVSN") == "01" {
			unit = s.upper()
		}
	}
	qty := int64(0)
	if unit > 0 {
		qty = avail / unit
	}
	return kisSuccess("KIOK0000", "조회가 완료되었습니다", map[string]any{"output": map[string]string{
		// ord_psbl_cash leaves today's sale proceeds out (they are
		// ruse_psbl_amt, 재사용가능금액); nrcvb_buy_amt (미수없는매수금액) is
		// what a cash buy can really use (field names: open-trading-api
		// examples_llm/domestic_stock/inquire_psbl_order/
		// chk_inquire_psbl_order.py lines 23-31).
		"ord_psbl_cash": kisItoa(max(avail-soldToday, 0)), "ord_psbl_sbst": "0",
		"ruse_psbl_amt": kisItoa(min(soldToday, avail)), "fund_rpch_chgs": "0",
		"psbl_qty_calc_unpr": kisItoa(unit), "nrcvb_buy_amt": kisItoa(avail), "nrcvb_buy_qty": kisItoa(qty),
		"max_buy_amt": kisItoa(avail), "max_buy_qty": kisItoa(qty), "cma_evlu_amt": "0",
		"ovrs_re_use_amt_wcrc": "0", "ord_psbl_frcr_amt_wcrc": "0",
	}})
}

// venueOr is an EXCG_ID_DVSN_CD as sent, KRX when empty (the value every
// order had before the field: order_cash.py documents only "(KRX)").
func venueOr(v string) string {
	if v == "" {
		return "KRX"
	}
	return v
}
