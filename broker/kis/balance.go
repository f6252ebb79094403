package kis

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/hoga-trade/hoga/broker"
)

const (
	pathBalance   = "/uapi/domestic-stock/v1/trading/inquire-balance"
	pathPsblOrder = "/uapi/domestic-stock/v1/trading/inquire-psbl-order"

	// maxBalancePages bounds inquire-balance paging (20 holdings a page on
	// mock, 50 live): a thousand holdings on mock.
	maxBalancePages = 50
)

// Balance returns cash and holdings from inquire-balance (TTTC8434R),
// following every page, plus the orderable cash from inquire-psbl-order
// (TTTC8908R).
//
// Cash is prvs_rcdl_excc_amt, the D+2 deposit: the cash the account will
// hold once today's trades settle. KIS's dnca_tot_amt (예수금총금액) does not
// move until settlement, so a buy made today would not show in it.
// Orderable is inquire-psbl-order's nrcvb_buy_amt (미수없는매수금액), the
// broker's own figure of buying power without margin, which counts today's
// sale proceeds (ord_psbl_cash does not) and sets aside open buy orders; if that call fails for any reason
// but cancellation, Orderable falls back to the D+2 deposit (logged).
// Holdings with hldg_qty 0 (sold today, shown until settlement) are left
// out.
//
// Errors: Auth, RateLimited, Transient, Internal (malformed answer).
func (c *Client) Balance(ctx context.Context) (broker.Balance, error) {
	q := url.Values{
		"CANO":                  {c.set.account.cano},
		"ACNT_PRDT_CD":          {c.set.account.prdt},
		"AFHR_FLPR_YN":          {"N"},
		"OFL_YN":                {""},
		"INQR_DVSN":             {"02"}, // by stock
		"UNPR_DVSN":             {"01"},
		"FUND_STTL_ICLD_YN":     {"N"},
		"FNCG_AMT_AUTO_RDPT_YN": {"N"},
		"PRCS_DVSN":             {"00"}, // include the previous day's trades
		"CTX_AREA_FK100":        {""},
		"CTX_AREA_NK100":        {""},
	}
	var bal broker.Balance
	var sum *balanceSummary
	err := c.pages(ctx, pathBalance, "TTTC8434R", q, maxBalancePages, func(body []byte) (string, string, error) {
		var resp balanceResponse
		if err := json.Unmarshal(body, &resp); err != nil {
			return "", "", &broker.Error{Kind: broker.Internal, Msg: "KIS sent an unreadable balance", Err: err}
		}
		for _, row := range resp.Output1 {
			p, err := positionFromRow(row)
			if err != nil {
				return "", "", err
			}
			if p.Qty == 0 {
				continue
			}
			c.names.remember(p.Code, p.Name)
			bal.Positions = append(bal.Positions, p)
		}
		if len(resp.Output2) > 0 {
			sum = &resp.Output2[0]
		}
		return resp.CtxAreaFK100, resp.CtxAreaNK100, nil
	})
	if err != nil {
		return broker.Balance{}, err
	}
	if sum == nil {
		return broker.Balance{}, &broker.Error{Kind: broker.Internal, Msg: "KIS sent a balance without its account summary (output2)"}
	}
	var f fields
	bal.Cash = f.won("prvs_rcdl_excc_amt", sum.PrvsRcdlExccAmt)
	bal.StockValue = f.won("scts_evlu_amt", sum.SctsEvluAmt)
	bal.Total = f.won("tot_evlu_amt", sum.TotEvluAmt)
	bal.Cost = f.won("pchs_amt_smtl_amt", sum.PchsAmtSmtlAmt)
	bal.PnL = f.won("evlu_pfls_smtl_amt", sum.EvluPflsSmtlAmt)
	if f.bad != "" {
		return broker.Balance{}, malformed("balance", f.bad)
	}
	orderable, err := c.orderableCash(ctx)
	switch {
	case err == nil:
		bal.Orderable = orderable
	case ctx.Err() != nil:
		return broker.Balance{}, err
	default:
		c.log.Warn("kis: orderable cash unavailable; using the D+2 deposit", "err", err)
		bal.Orderable = max(bal.Cash, 0)
	}
	return bal, nil
}

func positionFromRow(r balanceRow) (broker.Position, error) {
	var f fields
	p := broker.Position{
		Name:     strings.TrimSpace(r.PrdtName),
		Qty:      f.won("hldg_qty", r.HldgQty),
		Sellable: f.won("ord_psbl_qty", r.OrdPsblQty),
		AvgPrice: f.won("pchs_avg_pric", r.PchsAvgPric),
		Price:    f.won("prpr", r.Prpr),
		Cost:     f.won("pchs_amt", r.PchsAmt),
		Value:    f.won("evlu_amt", r.EvluAmt),
		PnL:      f.won("evlu_pfls_amt", r.EvluPflsAmt),
		PnLPct:   f.ratio("evlu_pfls_rt", r.EvluPflsRt),
	}
	if f.bad != "" {
		return broker.Position{}, malformed("holding", f.bad)
	}
	if code, err := broker.ParseCode(r.Pdno); err == nil {
		p.Code = code
	} else {
		p.Code = broker.Code(strings.TrimSpace(r.Pdno))
	}
	return p, nil
}

// orderableCash asks inquire-psbl-order for amounts only (no PDNO, no
// price), as the docs allow.
func (c *Client) orderableCash(ctx context.Context) (int64, error) {
	q := url.Values{
		"CANO":                 {c.set.account.cano},
		"ACNT_PRDT_CD":         {c.set.account.prdt},
		"PDNO":                 {""},
		"ORD_UNPR":             {""},
		"ORD_DVSN":             {"01"},
		"CMA_EVLU_AMT_ICLD_YN": {"N"},
		"OVRS_ICLD_YN":         {"N"},
	}
	r, err := c.do(ctx, &request{method: http.MethodGet, path: pathPsblOrder, trID: "TTTC8908R", query: q})
	if err != nil {
		return 0, err
	}
	var resp psblOrderResponse
	if err := json.Unmarshal(r.body, &resp); err != nil {
		return 0, err
	}
	// nrcvb_buy_amt (미수없는매수금액), not ord_psbl_cash: ord_psbl_cash
	// leaves out today's sale proceeds, so after a sell it understates
	// what a cash buy can use; KIS's portal calls nrcvb_buy_amt the buying
	// power without margin (issue 12.2; output fields per open-trading-api
	// examples_llm/domestic_stock/inquire_psbl_order/
	// chk_inquire_psbl_order.py lines 23-31).
	if strings.TrimSpace(resp.Output.NrcvbBuyAmt) == "" {
		return 0, errors.New("inquire-psbl-order gave no nrcvb_buy_amt")
	}
	n, err := parseWon(resp.Output.NrcvbBuyAmt)
	if err != nil {
		return 0, malformed("orderable cash", resp.Output.NrcvbBuyAmt)
	}
	return n, nil
}
