package kiwoom

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// orderRow is one row of ka10075's oso list or ka10076's cntr list; the
// two share these field names (shared/broker-api/kiwoom.md §6).
//
// cntr_pric (체결가) and cntr_qty (체결량) are in both lists; cntr_tot_amt
// (체결누계금액) only in ka10075's oso rows (Kiwoom-Securities/
// Kiwoom-REST-API, examples/국내주식/계좌/get_domestic_unfilled_orders.py;
// get_domestic_filled_orders.py lists no amount, and kenshin579/kiwoom-go
// domestic/account/get_domestic_filled_orders.go gives ka10076's
// CntrPric as "체결가 (단위: 원)", no average field). 체결가 is the price
// a trade happened at — the latest part's, not an average: the only
// average the lists allow is cntr_tot_amt ÷ cntr_qty. So an open order's
// AvgFillPrice comes from cntr_tot_amt, and an order in ka10076 alone
// (fully filled, or cancelled after a part) carries cntr_pric as
// LastFillPrice (and as AvgFillPrice, the best the list tells): the
// tracker records the new part at that price and averages the journal's
// parts. Exact when one part is new
// since the last poll; several at once are all put at the latest's price
// (the 00 notices, 910 체결가 / 911 체결량, give each execution's own).
type orderRow struct {
	OrdNo      string `json:"ord_no"`
	StkCd      string `json:"stk_cd"`
	StkNm      string `json:"stk_nm"`
	OrdStt     string `json:"ord_stt"`
	OrdQty     field  `json:"ord_qty"`
	OrdPric    field  `json:"ord_pric"`
	OsoQty     field  `json:"oso_qty"`
	CntrQty    field  `json:"cntr_qty"`
	CntrPric   field  `json:"cntr_pric"`
	CntrTotAmt field  `json:"cntr_tot_amt"`
	OrigOrdNo  string `json:"orig_ord_no"`
	IoTpNm     string `json:"io_tp_nm"`
	TrdeTp     string `json:"trde_tp"`
	Tm         string `json:"tm"`
	OrdTm      string `json:"ord_tm"`
	// StexTp, StexTpTxt and SorYn say where the order is: 거래소구분
	// "1" KRX / "2" NXT, its text, and "SOR 여부값" Y/N (Kiwoom-Securities/
	// Kiwoom-REST-API, examples/국내주식/계좌/get_domestic_unfilled_orders.py
	// and get_domestic_filled_orders.py list all three in ka10075's oso and
	// ka10076's cntr; the request's stex_tp is "0 : 통합, 1 : KRX, 2 : NXT"
	// in the same files, so the row's codes are read the same way).
	StexTp    string `json:"stex_tp"`
	StexTpTxt string `json:"stex_tp_txt"`
	SorYn     string `json:"sor_yn"`
}

// venue is where the row says the order was sent: SOR when sor_yn is Y
// (a cancel must name SOR again), else the exchange of stex_tp_txt or, if
// that is empty, stex_tp; empty when the row says nothing.
func (r orderRow) venue() broker.Venue {
	if strings.EqualFold(strings.TrimSpace(r.SorYn), "Y") {
		return broker.VenueSOR
	}
	if v, err := broker.ParseVenue(r.StexTpTxt); err == nil {
		return v
	}
	switch strings.TrimSpace(r.StexTp) {
	case "1":
		return broker.VenueKRX
	case "2":
		return broker.VenueNXT
	}
	return ""
}

// exchange is the exchange the row says the order is on — KRX or NXT, from
// stex_tp_txt or else stex_tp ("거래소구분", "거래소구분텍스트" in
// Kiwoom-Securities/Kiwoom-REST-API examples/국내주식/계좌/
// get_domestic_filled_orders.py, ka10076) — so a SOR order shows where
// Kiwoom routed it; empty when the row says neither.
func (r orderRow) exchange() broker.Venue {
	switch v, _ := broker.ParseVenue(r.StexTpTxt); v {
	case broker.VenueKRX, broker.VenueNXT:
		return v
	}
	switch strings.TrimSpace(r.StexTp) {
	case "1":
		return broker.VenueKRX
	case "2":
		return broker.VenueNXT
	}
	return ""
}

// mergeOrders turns Kiwoom's two order lists into broker orders.
//
// What each list shows, and the sources:
//   - ka10075 미체결 (oso) holds the orders with quantity still open
//     (oso_qty > 0): ord_stt 접수 (accepted) or 체결 (partly filled), with
//     cntr_qty and cntr_tot_amt so far ([SPEC] ka10075; the official
//     example row has ord_stt "접수", io_tp_nm "+매수", trde_tp "시장가").
//   - ka10076 체결 (cntr) holds today's orders with their fills: ord_qty,
//     cntr_qty, cntr_pric, oso_qty and ord_stt ([SPEC] ka10076; the official
//     example rows are "-매도" orders with ord_stt "체결" and oso_qty "0").
//     Whether it also lists orders that never traded is not documented; the
//     merge does not depend on it.
//   - io_tp_nm (주문구분) is "+매수", "-매도", "+매수정정", "-매도정정",
//     "매수취소", "매도취소" — the same words as FID 905 of the 00 real-time
//     feed ([FID]; the OpenAPI+ KOA documentation uses the same list).
//     A cancel is an order of its own whose orig_ord_no names the order
//     it cancels; ord_stt runs 접수 → 확인 for it, and 거부 marks a refusal.
//
// Statuses, in order of precedence:
//   - rejected: ord_stt 거부;
//   - accepted/partial: open in ka10075 (or oso_qty > 0 in ka10076 with no
//     cancel confirmed), partial once cntr_qty > 0;
//   - filled: cntr_qty ≥ ord_qty;
//   - cancelled: anything else — nothing is left open and not all of it
//     traded, which only a cancel (or a 정정 that moved the rest to a new
//     order number) does.
//
// A cancel row whose original order is in neither list (ka10076 holding
// only traded orders) still yields that order, rebuilt from the cancel row
// and marked cancelled, so a cancelled order never silently disappears.
func mergeOrders(all, open []orderRow, now time.Time) ([]broker.Order, error) {
	day := now.In(broker.KST())
	type acc struct {
		o          broker.Order
		open       bool
		remaining  int64
		haveRemain bool
		rejected   bool
		cancelConf bool // a confirmed cancel names it
		replacedBy string
		fillAmt    int64
		lastPrice  int64 // ka10076's cntr_pric: the latest part's price
	}
	byNo := map[string]*acc{}
	var cancels []orderRow
	n := nums{tr: "ka10075/ka10076"}

	get := func(r orderRow) *acc {
		no := strings.TrimSpace(r.OrdNo)
		a, ok := byNo[no]
		if !ok {
			a = &acc{o: broker.Order{ID: no}}
			byNo[no] = a
		}
		if a.o.Code == "" {
			if code, err := broker.ParseCode(r.StkCd); err == nil {
				a.o.Code = code
			}
		}
		if a.o.Name == "" {
			a.o.Name = strings.TrimSpace(r.StkNm)
		}
		if a.o.Side == 0 {
			a.o.Side = sideOf(r.IoTpNm)
		}
		if a.o.Type == 0 {
			a.o.Type, a.o.Session = typeOf(r.TrdeTp), sessionOf(r.TrdeTp)
		}
		if a.o.Venue == "" {
			a.o.Venue = r.venue()
		}
		if a.o.Exchange == "" {
			a.o.Exchange = r.exchange()
		}
		if q := n.int("ord_qty", r.OrdQty); q > a.o.Qty {
			a.o.Qty = q
		}
		if a.o.Price == 0 && a.o.Type == broker.Limit {
			a.o.Price = n.abs("ord_pric", r.OrdPric)
		}
		if a.o.Time.IsZero() {
			a.o.Time = atTime(day, r.Tm, r.OrdTm)
		}
		if strings.Contains(r.OrdStt, "거부") {
			a.rejected = true
		}
		return a
	}

	for _, r := range all {
		if strings.TrimSpace(r.OrdNo) == "" {
			continue
		}
		if strings.Contains(r.IoTpNm, "취소") {
			cancels = append(cancels, r)
			continue
		}
		a := get(r)
		// Several rows for one order (one per fill) would each carry the
		// running total; keep the most advanced one.
		if filled := n.int("cntr_qty", r.CntrQty); filled >= a.o.FilledQty {
			a.o.FilledQty = filled
			if p := n.abs("cntr_pric", r.CntrPric); p > 0 {
				a.lastPrice = p
			}
			if r.OsoQty.Present() {
				a.remaining, a.haveRemain = n.int("oso_qty", r.OsoQty), true
			}
		}
		if strings.Contains(r.OrdStt, "취소") {
			a.cancelConf = true
		}
		if orig := strings.TrimSpace(r.OrigOrdNo); strings.Contains(r.IoTpNm, "정정") && orig != "" && strings.Trim(orig, "0") != "" {
			if o, ok := byNo[orig]; ok {
				o.replacedBy = a.o.ID
			} else {
				byNo[orig] = &acc{o: broker.Order{ID: orig}, replacedBy: a.o.ID}
			}
		}
	}
	for _, r := range open {
		if strings.TrimSpace(r.OrdNo) == "" || strings.Contains(r.IoTpNm, "취소") {
			continue
		}
		a := get(r)
		remaining := n.int("oso_qty", r.OsoQty)
		a.open, a.remaining, a.haveRemain = remaining > 0, remaining, true
		if filled := n.int("cntr_qty", r.CntrQty); filled >= a.o.FilledQty {
			a.o.FilledQty = filled
		}
		if amt := n.int("cntr_tot_amt", r.CntrTotAmt); amt > 0 {
			a.fillAmt = amt
		}
	}
	for _, r := range cancels {
		orig := strings.TrimSpace(r.OrigOrdNo)
		if orig == "" {
			continue
		}
		confirmed := !strings.Contains(r.OrdStt, "거부") && !strings.Contains(r.OrdStt, "접수")
		a, ok := byNo[orig]
		if !ok || a.o.Code == "" {
			// Rebuild the original from its cancel.
			a = get(orderRow{OrdNo: orig, StkCd: r.StkCd, StkNm: r.StkNm, IoTpNm: r.IoTpNm, TrdeTp: r.TrdeTp,
				OrdQty: r.OrdQty, OrdPric: r.OrdPric, Tm: r.Tm, OrdTm: r.OrdTm})
			a.rejected = false
			a.o.Note = "rebuilt from cancel " + strings.TrimSpace(r.OrdNo)
		}
		if confirmed {
			a.cancelConf = true
		}
	}
	if n.err != nil {
		return nil, n.err
	}

	out := make([]broker.Order, 0, len(byNo))
	for _, a := range byNo {
		o := a.o
		if o.Code == "" {
			// Only named by a 정정 row; its own row is missing.
			continue
		}
		switch {
		case a.fillAmt > 0 && o.FilledQty > 0:
			o.AvgFillPrice = (a.fillAmt + o.FilledQty/2) / o.FilledQty
		case a.lastPrice > 0 && o.FilledQty > 0:
			o.AvgFillPrice, o.LastFillPrice = a.lastPrice, a.lastPrice
		}
		if o.Type == broker.Market {
			o.Price = 0
		}
		switch {
		case a.rejected:
			o.Status = broker.StatusRejected
		case a.open || (a.haveRemain && a.remaining > 0 && !a.cancelConf && a.replacedBy == ""):
			o.Status = broker.StatusAccepted
			if o.FilledQty > 0 {
				o.Status = broker.StatusPartial
			}
		case o.Qty > 0 && o.FilledQty >= o.Qty:
			o.Status = broker.StatusFilled
		default:
			o.Status = broker.StatusCancelled
			if a.replacedBy != "" && o.Note == "" {
				o.Note = "정정 → " + a.replacedBy
			}
		}
		if o.Side == 0 {
			return nil, &broker.Error{Kind: broker.Internal, Code: "ka10076", Msg: fmt.Sprintf("order %s has no side Kiwoom's words reveal", o.ID)}
		}
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// sideOf reads 주문구분: "+매수", "-매도정정", "매수취소" ….
func sideOf(ioTpNm string) broker.Side {
	switch {
	case strings.Contains(ioTpNm, "매수"):
		return broker.Buy
	case strings.Contains(ioTpNm, "매도"):
		return broker.Sell
	}
	return 0
}

// typeOf reads 매매구분: the lists give words ("보통", "시장가"); the
// order TRs' codes ("0", "3") are accepted too. A closing-price order
// (kt10000 trde_tp 61 장시작전시간외, 81 장마감후시간외: Kiwoom-REST-API
// examples/국내주식/주문/buy_domestic_stock.py) has no price of its own,
// so it reads as a market order.
func typeOf(trdeTp string) broker.OrderType {
	t := strings.TrimSpace(trdeTp)
	switch {
	case strings.Contains(t, "시장가"), t == "3", t == "03",
		strings.Contains(t, "장시작전시간외"), strings.Contains(t, "장마감후시간외"), t == "61", t == "81":
		return broker.Market
	}
	return broker.Limit
}

// sessionOf is the KRX off-hours session 매매구분 names: 61
// 장시작전시간외, 81 장마감후시간외, 62 시간외단일가 (Kiwoom-REST-API
// examples/국내주식/주문/buy_domestic_stock.py trde_tp), by word or code.
func sessionOf(trdeTp string) broker.SessionKind {
	switch t := strings.TrimSpace(trdeTp); {
	case strings.Contains(t, "장시작전시간외"), t == "61":
		return broker.KRXPreClosing
	case strings.Contains(t, "장마감후시간외"), t == "81":
		return broker.KRXAfterClosing
	case strings.Contains(t, "시간외단일가"), t == "62":
		return broker.KRXAfterSingle
	}
	return ""
}

// atTime puts an HHMMSS on the given KST day; zero if there is none.
func atTime(day time.Time, hhmmss ...string) time.Time {
	for _, s := range hhmmss {
		s = strings.TrimSpace(s)
		if len(s) != 6 {
			continue
		}
		t, err := time.ParseInLocation("150405", s, broker.KST())
		if err != nil {
			continue
		}
		return time.Date(day.Year(), day.Month(), day.Day(), t.Hour(), t.Minute(), t.Second(), 0, broker.KST())
	}
	return time.Time{}
}
