package kis

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

const (
	pathPrice = "/uapi/domestic-stock/v1/quotations/inquire-price"
	pathChart = "/uapi/domestic-stock/v1/quotations/inquire-daily-itemchartprice"
	pathInfo  = "/uapi/domestic-stock/v1/quotations/search-stock-info"
)

// stockInfoResponse is the part of search-stock-info (주식기본조회,
// CTPF1002R) NXTListed reads: cptt_trad_tr_psbl_yn "NXT 거래종목여부" and
// nxt_tr_stop_yn "NXT 거래정지여부" (koreainvestment/open-trading-api,
// examples_llm/domestic_stock/search_stock_info/chk_search_stock_info.py
// line 90; the MCP data.csv lists both).
type stockInfoResponse struct {
	Output struct {
		CpttTradTrPsblYn string `json:"cptt_trad_tr_psbl_yn"`
		NxtTrStopYn      string `json:"nxt_tr_stop_yn"`
	} `json:"output"`
}

// NXTListed reports whether Nextrade trades code today: listed there
// (cptt_trad_tr_psbl_yn Y) and not halted there (nxt_tr_stop_yn not Y).
// It asks search-stock-info with PRDT_TYPE_CD 300 (주식, ETF, ETN, ELW) and
// PDNO the code (search_stock_info.py: tr_id CTPF1002R). KIS offers it on
// real accounts only; a mock account trades on KRX alone and never asks.
func (c *Client) NXTListed(ctx context.Context, code broker.Code) (bool, error) {
	code, err := broker.ParseCode(string(code))
	if err != nil {
		return false, err
	}
	q := url.Values{"PRDT_TYPE_CD": {"300"}, "PDNO": {string(code)}}
	r, err := c.do(ctx, &request{method: http.MethodGet, path: pathInfo, trID: "CTPF1002R", query: q})
	if err != nil {
		return false, err
	}
	var resp stockInfoResponse
	if err := json.Unmarshal(r.body, &resp); err != nil {
		return false, &broker.Error{Kind: broker.Unreadable, Msg: "KIS sent an unreadable search-stock-info", Err: err}
	}
	o := resp.Output
	switch strings.TrimSpace(o.CpttTradTrPsblYn) {
	case "Y":
		return strings.TrimSpace(o.NxtTrStopYn) != "Y", nil
	case "N":
		return false, nil
	}
	return false, &broker.Error{Kind: broker.Unreadable, Msg: fmt.Sprintf("KIS did not say whether NXT trades %s (cptt_trad_tr_psbl_yn %q)", code, o.CpttTradTrPsblYn)}
}

// Quote returns the current price of code from inquire-price (FHKST01010100).
//
// inquire-price has no stock name (its bstp_kor_isnm is the industry's
// name). The name comes from inquire-daily-itemchartprice's output1
// hts_kor_isnm, the one quotation with a name that the mock service also
// offers (search-stock-info and inquire-price-2 are real-only). It is
// looked up once per code and cached for the client's life, and filled
// from balance and order listings for free; if the lookup fails the quote
// is still returned, without a name.
//
// Errors: Invalid (malformed code), NotFound (KIS answers price 0 for a
// code it does not list), Auth, RateLimited, Transient.
func (c *Client) Quote(ctx context.Context, code broker.Code) (broker.Quote, error) {
	return c.QuoteOn(ctx, code, broker.VenueKRX)
}

// marketDiv is inquire-price's FID_COND_MRKT_DIV_CODE for a venue: "J:KRX,
// NX:NXT, UN:통합" (examples_llm/domestic_stock/inquire_price/
// inquire_price.py line 26; the same three in the MCP data.csv for
// volume_rank). SOR asks the integrated price, both books together.
var marketDiv = map[broker.Venue]string{broker.VenueKRX: "J", broker.VenueNXT: "NX", broker.VenueSOR: "UN"}

// QuoteOn is Quote from one venue's book (broker.VenueQuoter). KIS answers
// price 0 for a stock NXT does not list, as for an unknown code: NotFound.
func (c *Client) QuoteOn(ctx context.Context, code broker.Code, v broker.Venue) (broker.Quote, error) {
	code, err := broker.ParseCode(string(code))
	if err != nil {
		return broker.Quote{}, err
	}
	v = v.Or(broker.VenueKRX)
	div, ok := marketDiv[v]
	if !ok {
		return broker.Quote{}, &broker.Error{Kind: broker.Invalid, Msg: fmt.Sprintf("venue %q must be KRX, NXT or SOR", v)}
	}
	q := url.Values{"FID_COND_MRKT_DIV_CODE": {div}, "FID_INPUT_ISCD": {string(code)}}
	r, err := c.do(ctx, &request{method: http.MethodGet, path: pathPrice, trID: "FHKST01010100", query: q})
	if err != nil {
		return broker.Quote{}, err
	}
	quote, err := decodeQuote(code, r.body)
	if err != nil {
		return broker.Quote{}, err
	}
	if err := quote.Plausible(); err != nil {
		return broker.Quote{}, err
	}
	// inquire-price carries no timestamp: the quote is as of its arrival.
	quote.Time = c.clock.Now()
	quote.Name = c.stockName(ctx, code)
	quote.Venue = v
	return quote, nil
}

// decodeQuote turns an inquire-price body into a Quote (without Name and
// Time). The change's magnitude comes from |prdy_vrss| and its direction
// from prdy_vrss_sign: real payloads carry a signed prdy_vrss, some
// fixtures an unsigned one, so neither sign on the number is trusted.
func decodeQuote(code broker.Code, body []byte) (broker.Quote, error) {
	var resp quoteResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		return broker.Quote{}, &broker.Error{Kind: broker.Internal, Msg: "KIS sent an unreadable quote", Err: err}
	}
	o := &resp.Output
	var f fields
	price := f.won("stck_prpr", o.StckPrpr)
	if f.bad != "" {
		return broker.Quote{}, malformed("quote", f.bad)
	}
	if price <= 0 {
		return broker.Quote{}, &broker.Error{Kind: broker.NotFound, Msg: fmt.Sprintf("KIS lists no stock with code %s", code)}
	}
	q := broker.Quote{
		Code:       code,
		Price:      price,
		Volume:     f.won("acml_vol", o.AcmlVol),
		Open:       f.won("stck_oprc", o.StckOprc),
		High:       f.won("stck_hgpr", o.StckHgpr),
		Low:        f.won("stck_lwpr", o.StckLwpr),
		PrevClose:  f.won("stck_sdpr", o.StckSdpr),
		UpperLimit: f.won("stck_mxpr", o.StckMxpr),
		LowerLimit: f.won("stck_llam", o.StckLlam),
		Tick:       f.won("aspr_unit", o.AsprUnit),
	}
	change := f.won("prdy_vrss", o.PrdyVrss)
	pct := f.ratio("prdy_ctrt", o.PrdyCtrt)
	if f.bad != "" {
		return broker.Quote{}, malformed("quote", f.bad)
	}
	sign := parseSign(o.PrdyVrssSign)
	if sign == 0 {
		sign = broker.SignOf(change)
	}
	dir := int64(sign.Direction())
	q.Sign = sign
	q.Change = abs(change) * dir
	if pct < 0 {
		pct = -pct
	}
	q.ChangePct = pct * float64(dir)
	if q.Tick <= 0 {
		q.Tick = broker.TickSize(price)
	}
	return q, nil
}

// parseSign reads prdy_vrss_sign; 0 when it is not 1–5.
func parseSign(s string) broker.Sign {
	s = strings.TrimSpace(s)
	if len(s) == 1 && s[0] >= '1' && s[0] <= '5' {
		return broker.Sign(s[0] - '0')
	}
	return 0
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// nameCache remembers stock names and makes concurrent lookups of one code
// share a single request.
type nameCache struct {
	mu      sync.Mutex
	names   map[broker.Code]string
	pending map[broker.Code]chan struct{}
}

func (n *nameCache) init() {
	n.names = make(map[broker.Code]string)
	n.pending = make(map[broker.Code]chan struct{})
}

func (n *nameCache) get(code broker.Code) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.names[code]
}

func (n *nameCache) remember(code broker.Code, name string) {
	name = strings.TrimSpace(name)
	if name == "" || code == "" {
		return
	}
	n.mu.Lock()
	n.names[code] = name
	n.mu.Unlock()
}

// stockName returns code's name, looking it up once if it is not known.
func (c *Client) stockName(ctx context.Context, code broker.Code) string {
	n := &c.names
	n.mu.Lock()
	if name, ok := n.names[code]; ok {
		n.mu.Unlock()
		return name
	}
	if ch, ok := n.pending[code]; ok {
		n.mu.Unlock()
		select {
		case <-ch:
			return n.get(code)
		case <-ctx.Done():
			return ""
		}
	}
	ch := make(chan struct{})
	n.pending[code] = ch
	n.mu.Unlock()

	name := c.lookupName(ctx, code)

	n.mu.Lock()
	if name != "" {
		n.names[code] = name
	}
	delete(n.pending, code)
	close(ch)
	n.mu.Unlock()
	return name
}

func (c *Client) lookupName(ctx context.Context, code broker.Code) string {
	today := c.today()
	q := url.Values{
		"FID_COND_MRKT_DIV_CODE": {"J"},
		"FID_INPUT_ISCD":         {string(code)},
		"FID_INPUT_DATE_1":       {today.AddDate(0, 0, -7).Format("20060102")},
		"FID_INPUT_DATE_2":       {today.Format("20060102")},
		"FID_PERIOD_DIV_CODE":    {"D"},
		"FID_ORG_ADJ_PRC":        {"0"},
	}
	r, err := c.do(ctx, &request{method: http.MethodGet, path: pathChart, trID: "FHKST03010100", query: q})
	if err != nil {
		c.log.Debug("kis: stock name lookup failed", "code", string(code), "err", err)
		return ""
	}
	var resp chartResponse
	if err := json.Unmarshal(r.body, &resp); err != nil {
		c.log.Debug("kis: stock name lookup unreadable", "code", string(code), "err", err)
		return ""
	}
	return strings.TrimSpace(resp.Output1.HtsKorIsnm)
}

// orderTime is today's date at KIS's HHMMSS order time, or now when the
// time is missing or malformed.
func (c *Client) orderTime(hhmmss string) time.Time {
	if t, ok := kstTime(c.today().Format("20060102"), hhmmss); ok {
		return t
	}
	return c.clock.Now()
}
