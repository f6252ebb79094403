package kis

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/hoga-trade/hoga/broker"
)

const (
	pathOrderCash = "/uapi/domestic-stock/v1/trading/order-cash"
	pathRvseCncl  = "/uapi/domestic-stock/v1/trading/order-rvsecncl"
	pathCcld      = "/uapi/domestic-stock/v1/trading/inquire-daily-ccld"

	// maxOrderPages bounds inquire-daily-ccld paging (15 rows a page on
	// mock, 100 live). Exceeding it is an error, not a truncated list: a
	// reconciliation must never conclude an order is missing because a
	// page was not read. The list grows with every order of the day, and
	// while it is over the cap no row is settled and no fill is polled, so
	// the cap is a day no one trades through: 3,000 orders on mock, 20,000
	// live (it was 50 pages, 750 orders on mock, which the long kill loop
	// came within 160 of; Kiwoom's 30-page cap was passed at 61 orders and
	// left 32 rows unsettled, issue 20).
	maxOrderPages = 200
)

// PlaceOrder sends a cash order through order-cash (TTTC0012U buy,
// TTTC0011U sell; VTTC… on mock), limit (ORD_DVSN 00) or market (01).
// The order is sent at most once: see the package doc.
//
// Errors: Invalid (malformed request, off-tick price), Rejected,
// InsufficientFunds (cash, or shares to sell), MarketClosed, NotFound
// (unknown code), Auth, RateLimited (not sent), Transient (not sent),
// UnknownOutcome (sent; no readable answer).
func (c *Client) PlaceOrder(ctx context.Context, req broker.OrderRequest) (broker.Order, error) {
	if err := req.Validate(); err != nil {
		return broker.Order{}, err
	}
	trID, price := "TTTC0012U", req.Price
	if req.Side == broker.Sell {
		trID = "TTTC0011U"
	}
	dvsn := "00"
	if req.Type == broker.Market {
		dvsn, price = "01", 0
	}
	if kis, _ := req.Session.OrderType(); kis != "" {
		// A KRX off-hours session's own type: "07" 시간외 단일가 with the
		// owner's limit price, or "05"/"06" 장전/장후 시간외 (a
		// closing-price order, Type Market) with ORD_UNPR "0" ("장전/장후
		// 시간외, 시장가의 경우 "0" 입력 권고": MCP/Kis Trading MCP/configs/
		// domestic_stock.json, order_cash ORD_UNPR). broker.SessionKind.
		// OrderType cites the codes; broker/guard sets Session only on a
		// live account.
		dvsn = kis
	}
	// All nine keys, always, "" where unused, exactly as KIS's sample
	// sends them (open-trading-api examples_llm/domestic_stock/order_cash/
	// order_cash.py lines 120-130; MCP/Kis Trading MCP/configs/
	// domestic_stock.json order_cash marks SLL_TYPE and CNDT_PRIC required
	// with default ""). A body without SLL_TYPE/CNDT_PRIC is the shape a
	// third-party bot saw refused with IGW00007 (issue 12.1).
	sllType := "" // buy: no sell type
	if req.Side == broker.Sell {
		sllType = "01" // 일반매도
	}
	body := map[string]string{
		"CANO":         c.set.account.cano,
		"ACNT_PRDT_CD": c.set.account.prdt,
		"PDNO":         string(req.Code),
		"ORD_DVSN":     dvsn,
		"ORD_QTY":      itoa(req.Qty),
		"ORD_UNPR":     itoa(price),
		// KRX, NXT or SOR (domestic_stock_functions.py order_cash:
		// "KRX:한국거래소, NXT:넥스트레이드, SOR:SOR"); broker/guard has
		// already refused NXT/SOR on a mock account, which trades on KRX only.
		"EXCG_ID_DVSN_CD": string(req.Venue.Or(broker.VenueKRX)),
		"SLL_TYPE":        sllType,
		"CNDT_PRIC":       "", // stop-limit only
	}
	r, err := c.do(ctx, &request{method: http.MethodPost, path: pathOrderCash, trID: trID, body: body, order: true})
	if err != nil {
		return broker.Order{}, err
	}
	out, err := decodeOrderOutput(r.body)
	if err != nil || out.ODNO == "" {
		return broker.Order{}, &broker.Error{Kind: broker.UnknownOutcome, Code: strings.TrimSpace(r.env.MsgCd),
			Msg: "KIS accepted the order without an order number; check today's orders before sending it again", Err: err}
	}
	c.log.Info("kis: order accepted", "odno", out.ODNO, "code", string(req.Code), "side", req.Side.String(),
		"qty", req.Qty, "gt_uid", r.gtUID, "client_id", req.ClientID)
	return broker.Order{
		ID:       out.ODNO,
		Branch:   out.Branch,
		Code:     req.Code,
		Name:     c.names.get(req.Code),
		Side:     req.Side,
		Type:     req.Type,
		Qty:      req.Qty,
		Price:    price,
		Status:   broker.StatusAccepted,
		Time:     c.orderTime(out.Time),
		ClientID: req.ClientID,
		Source:   req.Source,
		User:     req.User,
	}, nil
}

// CancelOrder cancels the whole remaining quantity of an order through
// order-rvsecncl (TTTC0013U; RVSE_CNCL_DVSN_CD 02, QTY_ALL_ORD_YN Y). KIS
// needs the order's branch (KRX_FWDG_ORD_ORGNO); when req.Branch is empty
// it is looked up in today's orders first. Order numbers may be given
// without their leading zeros.
//
// The returned Order describes the cancellation: ID is the number KIS gave
// the cancel order itself, Note names the cancelled order, Status is
// cancelled.
//
// Errors: Invalid (no order number), NotFound (no such order today, or
// nothing left to cancel), Rejected, MarketClosed, Auth, RateLimited,
// Transient, UnknownOutcome.
func (c *Client) CancelOrder(ctx context.Context, req broker.CancelRequest) (broker.Order, error) {
	id := strings.TrimSpace(req.OrderID)
	if id == "" {
		return broker.Order{}, &broker.Error{Kind: broker.Invalid, Msg: "an order number is needed to cancel"}
	}
	id = padODNO(id)
	branch, code := strings.TrimSpace(req.Branch), req.Code
	typ := req.Type
	if branch == "" {
		rows, err := c.ccldRows(ctx, id)
		if err != nil {
			return broker.Order{}, err
		}
		var found *ccldRow
		for i := range rows {
			if sameODNO(rows[i].Odno, id) && !isCancelRow(rows[i]) {
				found = &rows[i]
				break
			}
		}
		if found == nil {
			return broker.Order{}, &broker.Error{Kind: broker.NotFound, Msg: fmt.Sprintf("no order %s today", req.OrderID)}
		}
		branch, id = strings.TrimSpace(found.OrdGnoBrno), strings.TrimSpace(found.Odno)
		if code == "" {
			code = broker.Code(strings.TrimSpace(found.Pdno))
		}
		if typ == 0 && strings.TrimSpace(found.OrdDvsnCd) == "01" {
			typ = broker.Market
		}
	}
	dvsn := "00"
	if typ == broker.Market {
		dvsn = "01"
	}
	body := map[string]string{
		"CANO":               c.set.account.cano,
		"ACNT_PRDT_CD":       c.set.account.prdt,
		"KRX_FWDG_ORD_ORGNO": branch,
		"ORGN_ODNO":          id,
		"ORD_DVSN":           dvsn,
		"RVSE_CNCL_DVSN_CD":  "02", // cancel
		"ORD_QTY":            "0",  // with QTY_ALL_ORD_YN Y: all that remains
		"ORD_UNPR":           "0",
		"QTY_ALL_ORD_YN":     "Y",
		// The venue the order went to (order_rvsecncl.py line 36: "KRX:
		// 한국거래소, NXT:대체거래소, SOR:SOR"); KRX when the caller does
		// not know it.
		"EXCG_ID_DVSN_CD": string(req.Venue.Or(broker.VenueKRX)),
	}
	r, err := c.do(ctx, &request{method: http.MethodPost, path: pathRvseCncl, trID: "TTTC0013U", body: body, order: true})
	if err != nil {
		return broker.Order{}, err
	}
	out, err := decodeOrderOutput(r.body)
	if err != nil || out.ODNO == "" {
		return broker.Order{}, &broker.Error{Kind: broker.UnknownOutcome, Code: strings.TrimSpace(r.env.MsgCd),
			Msg: "KIS accepted the cancel without an order number; check today's orders", Err: err}
	}
	if out.Branch == "" {
		out.Branch = branch
	}
	c.log.Info("kis: cancel accepted", "odno", out.ODNO, "orgn_odno", id, "gt_uid", r.gtUID)
	return broker.Order{
		ID:     out.ODNO,
		Branch: out.Branch,
		Code:   code,
		Name:   c.names.get(code),
		Type:   typ,
		Status: broker.StatusCancelled,
		Time:   c.orderTime(out.Time),
		Source: req.Source,
		User:   req.User,
		Note:   "cancels order " + id,
	}, nil
}

// padODNO restores the 10-digit zero-padded form KIS uses, so "6555"
// typed on a phone matches "0000006555".
func padODNO(id string) string { return broker.PadOrderID(id, 10) }

// NormalizeOrderID writes an order number the way KIS does: 10 digits,
// zero-padded (odno in order-cash's answer and inquire-daily-ccld's rows),
// so that every comparison up the stack matches "6555" with "0000006555".
func (c *Client) NormalizeOrderID(id string) string { return padODNO(id) }

func sameODNO(a, b string) bool {
	return strings.TrimLeft(strings.TrimSpace(a), "0") == strings.TrimLeft(strings.TrimSpace(b), "0")
}

// OrdersToday lists today's (KST) orders from inquire-daily-ccld
// (TTTC0081R; VTTC0081R on mock), following every page. Cancel orders —
// the rows KIS adds when an order is cancelled, pointing back through
// orgn_odno — are folded into the order they cancel.
//
// Errors: Auth, RateLimited, Transient, Internal (malformed rows),
// Unreadable (output1 missing, null or not an array: never read as empty).
func (c *Client) OrdersToday(ctx context.Context) ([]broker.Order, error) {
	rows, err := c.ccldRows(ctx, "")
	if err != nil {
		return nil, err
	}
	out, err := c.ordersFromRows(rows)
	if err != nil {
		return nil, err
	}
	day := c.today()
	for i := range out {
		out[i].Exchange = c.routed.exchange(day, out[i].ID)
	}
	return out, nil
}

// ccldRows fetches today's rows, all of them or those of one order number.
func (c *Client) ccldRows(ctx context.Context, odno string) ([]ccldRow, error) {
	day := c.today().Format("20060102")
	q := url.Values{
		"CANO":            {c.set.account.cano},
		"ACNT_PRDT_CD":    {c.set.account.prdt},
		"INQR_STRT_DT":    {day},
		"INQR_END_DT":     {day},
		"SLL_BUY_DVSN_CD": {"00"}, // both sides
		"PDNO":            {""},
		"ORD_GNO_BRNO":    {""},
		"ODNO":            {odno},
		"CCLD_DVSN":       {"00"}, // filled and open
		"INQR_DVSN":       {"00"}, // newest first
		"INQR_DVSN_1":     {""},
		"INQR_DVSN_3":     {"00"},
		// ALL on a live account, so an order routed to NXT by SOR is never
		// missing from reconciliation (inquire_daily_ccld.py line 44: "KRX /
		// NXT / SOR / ALL"); a mock account trades on KRX only.
		"EXCG_ID_DVSN_CD": {c.listVenue()},
		"CTX_AREA_FK100":  {""},
		"CTX_AREA_NK100":  {""},
	}
	var rows []ccldRow
	err := c.pages(ctx, pathCcld, "TTTC0081R", q, maxOrderPages, func(body []byte) (string, string, error) {
		var resp ccldResponse
		if err := json.Unmarshal(body, &resp); err != nil {
			return "", "", &broker.Error{Kind: broker.Internal, Msg: "KIS sent an unreadable order list", Err: err}
		}
		var page []ccldRow
		if err := decodeList(resp.Output1, "output1", "an order list", &page); err != nil {
			return "", "", err
		}
		rows = append(rows, page...)
		return resp.CtxAreaFK100, resp.CtxAreaNK100, nil
	})
	return rows, err
}

// isCancelRow reports a cancel order's own row: it points at the order it
// cancels (orgn_odno) and is marked as a cancellation.
func isCancelRow(r ccldRow) bool {
	return strings.TrimSpace(r.OrgnOdno) != "" &&
		(strings.TrimSpace(r.CnclYn) == "Y" || strings.Contains(r.SllBuyDvsnCdName, "취소"))
}

func (c *Client) ordersFromRows(rows []ccldRow) ([]broker.Order, error) {
	cancelled := make(map[string]bool)
	for _, r := range rows {
		if isCancelRow(r) {
			cancelled[strings.TrimLeft(strings.TrimSpace(r.OrgnOdno), "0")] = true
		}
	}
	out := make([]broker.Order, 0, len(rows))
	for _, r := range rows {
		if isCancelRow(r) {
			continue
		}
		o, err := orderFromRow(r, cancelled[strings.TrimLeft(strings.TrimSpace(r.Odno), "0")])
		if err != nil {
			return nil, err
		}
		c.names.remember(o.Code, o.Name)
		out = append(out, o)
	}
	return out, nil
}

// orderFromRow maps one inquire-daily-ccld row. Status, in order of
// precedence: everything filled → filled; a rejected quantity and no
// fill → rejected; a cancel row, cncl_yn Y or a confirmed cancelled
// quantity → cancelled; nothing remaining though not all filled →
// cancelled (closed early); some filled → partial; else accepted.
func orderFromRow(r ccldRow, hasCancel bool) (broker.Order, error) {
	var f fields
	qty := f.won("ord_qty", r.OrdQty)
	filled := f.won("tot_ccld_qty", r.TotCcldQty)
	cnc := f.won("cnc_cfrm_qty", r.CncCfrmQty)
	rjct := f.won("rjct_qty", r.RjctQty)
	unpr := f.won("ord_unpr", r.OrdUnpr)
	avg := f.won("avg_prvs", r.AvgPrvs)
	amt := f.won("tot_ccld_amt", r.TotCcldAmt)
	rmnKnown := strings.TrimSpace(r.RmnQty) != ""
	rmn := f.won("rmn_qty", r.RmnQty)
	if f.bad != "" {
		return broker.Order{}, malformed("order row", f.bad)
	}
	o := broker.Order{
		Venue:     rowVenue(r.ExcgIDDvsnCd),
		ID:        strings.TrimSpace(r.Odno),
		Branch:    strings.TrimSpace(r.OrdGnoBrno),
		Name:      strings.TrimSpace(r.PrdtName),
		Qty:       qty,
		FilledQty: filled,
		Type:      broker.Limit,
		Price:     unpr,
	}
	if code, err := broker.ParseCode(r.Pdno); err == nil {
		o.Code = code
	} else {
		o.Code = broker.Code(strings.TrimSpace(r.Pdno))
	}
	switch strings.TrimSpace(r.SllBuyDvsnCd) {
	case "01":
		o.Side = broker.Sell
	case "02":
		o.Side = broker.Buy
	}
	switch d := strings.TrimSpace(r.OrdDvsnCd); d {
	case "01", "05", "06": // 시장가; 장전/장후 시간외, priced at the close
		o.Type, o.Price = broker.Market, 0
		o.Session = map[string]broker.SessionKind{"05": broker.KRXPreClosing, "06": broker.KRXAfterClosing}[d]
	case "07":
		o.Session = broker.KRXAfterSingle
	}
	o.AvgFillPrice = avg
	if o.AvgFillPrice == 0 && filled > 0 && amt > 0 {
		o.AvgFillPrice = (amt + filled/2) / filled
	}
	if t, ok := kstTime(r.OrdDt, r.OrdTmd); ok {
		o.Time = t
	}
	switch {
	case qty > 0 && filled >= qty:
		o.Status = broker.StatusFilled
	case rjct > 0 && filled == 0:
		o.Status = broker.StatusRejected
	case hasCancel || strings.TrimSpace(r.CnclYn) == "Y" || cnc > 0:
		o.Status = broker.StatusCancelled
	case rmnKnown && rmn == 0:
		o.Status = broker.StatusCancelled
	case filled > 0:
		o.Status = broker.StatusPartial
	default:
		o.Status = broker.StatusAccepted
	}
	return o, nil
}

// listVenue is the EXCG_ID_DVSN_CD of the order list: every venue on a live
// account, KRX on a mock one.
func (c *Client) listVenue() string {
	if c.set.mode == ModeMock {
		return "KRX"
	}
	return "ALL"
}

// rowVenue reads excg_id_dvsn_Cd (sic: chk_inquire_daily_ccld.py line 55
// spells it with a capital C; encoding/json matches it case-insensitively).
func rowVenue(s string) broker.Venue {
	v, err := broker.ParseVenue(s)
	if err != nil {
		return ""
	}
	return v
}
