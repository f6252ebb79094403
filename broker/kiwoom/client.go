package kiwoom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/internal/pace"
	"github.com/hoga-trade/hoga/broker/internal/token"
	"github.com/hoga-trade/hoga/clock"
	"github.com/hoga-trade/hoga/internal/redact"
)

// Client is a Kiwoom REST account. It is safe for concurrent use: the
// token, the per-api-id rate limiters and the HTTP client are shared by all
// callers.
type Client struct {
	base        string
	mode        string
	appKey      redact.Secret
	secretKey   redact.Secret
	hc          *http.Client
	log         *slog.Logger
	clk         clock.Clock
	waitClk     clock.Clock // paces and backs off (Options.WaitClock)
	rps         float64
	timeout     time.Duration
	timeoutClk  clock.Clock // Options.TimeoutClock; nil is the wall clock
	backoffBase time.Duration
	tokens      *token.Lifecycle
	onWait      func(api string, d time.Duration) // Options.OnRateLimitWait, never nil
	onLimited   func(api string)                  // Options.OnRateLimited, never nil
	// fallbackWarned: the warning that expires_dt could not be read (and
	// fallbackTTL was assumed) has been logged; later issuances log it at
	// debug level, so a token renewed every fallbackTTL does not fill the
	// log with the same warning.
	fallbackWarned atomic.Bool

	limMu    sync.Mutex
	limiters map[string]*pace.Limiter
}

var _ broker.Broker = (*Client)(nil)

// New builds a client. It does not contact Kiwoom: the token is issued (or
// read from Options.Tokens) on the first call.
func New(opts Options) (*Client, error) {
	o, err := opts.normalized()
	if err != nil {
		return nil, err
	}
	c := &Client{
		base:        o.BaseURL,
		mode:        o.Mode,
		appKey:      redact.Secret(o.AppKey),
		secretKey:   redact.Secret(o.SecretKey),
		hc:          o.HTTPClient,
		log:         o.Logger.With("mode", o.Mode), // cmd/hoga adds broker=kiwoom
		clk:         o.Clock,
		waitClk:     o.WaitClock,
		rps:         o.RPS,
		timeout:     o.Timeout,
		timeoutClk:  o.TimeoutClock,
		backoffBase: o.Backoff,
		onWait:      o.OnRateLimitWait,
		onLimited:   o.OnRateLimited,
		limiters:    make(map[string]*pace.Limiter),
	}
	c.tokens = newTokens(c, o)
	return c, nil
}

// Name is "kiwoom".
func (c *Client) Name() string { return "kiwoom" }

// Mode is ModeMock or ModeLive.
func (c *Client) Mode() string { return c.mode }

// TokenExpiry is when the current access token expires (zero before the
// first token), for /status.
func (c *Client) TokenExpiry() time.Time { return c.tokens.Expiry() }

// EnsureToken holds a valid access token, issuing one if needed, so that a
// setup check can tell a refused key (8001, 8030, 8050) from a failed call.
func (c *Client) EnsureToken(ctx context.Context) error {
	_, err := c.tokens.Get(ctx)
	return err
}

// LogValue keeps the client's secrets out of logs if it is ever logged
// whole.
func (c *Client) LogValue() slog.Value {
	return slog.GroupValue(slog.String("broker", "kiwoom"), slog.String("mode", c.mode), slog.String("base", c.base))
}

// tokenAnswer is au10001's answer.
type tokenAnswer struct {
	envelope
	Token     string `json:"token"`
	TokenType string `json:"token_type"`
	ExpiresDT string `json:"expires_dt"`
}

// issueToken asks Kiwoom for an access token (au10001). Only Content-Type
// is sent: no api-id and no authorization, as the official client does.
func (c *Client) issueToken(ctx context.Context) (Token, bool, error) {
	payload, err := json.Marshal(map[string]string{
		"grant_type": "client_credentials",
		"appkey":     c.appKey.Reveal(),
		"secretkey":  c.secretKey.Reveal(),
	})
	if err != nil {
		return Token{}, false, &broker.Error{Kind: broker.Internal, Msg: "encoding token request", Err: err}
	}
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, c.base+tokenPath, bytes.NewReader(payload))
	if err != nil {
		return Token{}, false, &broker.Error{Kind: broker.Internal, Msg: "building token request", Err: err}
	}
	req.Header.Set("content-type", contentType)
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return Token{}, false, ctxErr(ctx.Err(), false)
		}
		return Token{}, false, &broker.Error{Kind: broker.Transient, Msg: "token request to Kiwoom failed", Err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return Token{}, true, &broker.Error{Kind: broker.Transient, Msg: "reading Kiwoom's token answer", Err: err}
	}
	var a tokenAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		kind := broker.Auth
		if resp.StatusCode == http.StatusTooManyRequests {
			kind = broker.RateLimited
		} else if resp.StatusCode >= 500 {
			kind = broker.Transient
		}
		return Token{}, true, &broker.Error{Kind: kind, Code: strconv.Itoa(resp.StatusCode),
			Msg: fmt.Sprintf("Kiwoom's token answer (HTTP %d) is not JSON: %s", resp.StatusCode, snippet(body)), Err: err}
	}
	rc, _ := a.ReturnCode.Int()
	if rc != 0 || resp.StatusCode != http.StatusOK {
		e := c.apiError(resp.StatusCode, rc, a.ReturnMsg, false)
		if e.Kind != broker.RateLimited && e.Kind != broker.Transient {
			e.Kind = broker.Auth
		}
		if rc == 0 && e.Msg == "" {
			e.Code, e.Msg = strconv.Itoa(resp.StatusCode), fmt.Sprintf("Kiwoom's token endpoint answered HTTP %d", resp.StatusCode)
		}
		return Token{}, true, e
	}
	if a.Token == "" {
		return Token{}, true, &broker.Error{Kind: broker.Auth, Msg: "Kiwoom's token answer has no token"}
	}
	if a.TokenType != "" && !strings.EqualFold(a.TokenType, "bearer") {
		return Token{}, true, &broker.Error{Kind: broker.Auth, Msg: fmt.Sprintf("Kiwoom issued a %q token; hoga speaks Bearer only", a.TokenType)}
	}
	now := c.clk.Now()
	exp, err := time.ParseInLocation("20060102150405", strings.TrimSpace(a.ExpiresDT), broker.KST())
	if err != nil {
		// Use the working token, but believe it for fallbackTTL only.
		lvl := slog.LevelDebug
		if c.fallbackWarned.CompareAndSwap(false, true) {
			lvl = slog.LevelWarn
		}
		c.log.Log(ctx, lvl, "kiwoom token has no readable expires_dt; assuming it lasts "+fallbackTTL.String()+" and renewing then",
			"expires_dt", a.ExpiresDT)
		exp = now.Add(fallbackTTL)
	}
	return Token{Value: redact.Secret(a.Token), Expiry: exp, IssuedAt: now}, true, nil
}

// Account returns the account number the app key is bound to (ka00001).
// Nothing else needs it: Kiwoom derives the account from the token. Show
// it through MaskAccount.
func (c *Client) Account(ctx context.Context) (string, error) {
	var a struct {
		AcctNo string `json:"acctNo"`
	}
	if err := c.do(ctx, epAccount, struct{}{}, &a); err != nil {
		return "", err
	}
	acct := strings.TrimSpace(a.AcctNo)
	if acct == "" {
		return "", &broker.Error{Kind: broker.Internal, Code: epAccount.id, Msg: "Kiwoom's ka00001 answer has no acctNo"}
	}
	return acct, nil
}

// nums parses several fields of one answer and keeps the first error.
type nums struct {
	tr  string
	err error
}

func (n *nums) fail(name string, err error) {
	if n.err == nil {
		n.err = &broker.Error{Kind: broker.Internal, Code: n.tr, Msg: fmt.Sprintf("Kiwoom's %s answer has a bad %s", n.tr, name), Err: err}
	}
}

func (n *nums) int(name string, f field) int64 {
	v, err := f.Int()
	if err != nil {
		n.fail(name, err)
	}
	return v
}

func (n *nums) abs(name string, f field) int64 {
	v, err := f.Abs()
	if err != nil {
		n.fail(name, err)
	}
	return v
}

func (n *nums) float(name string, f field) float64 {
	v, err := f.Float()
	if err != nil {
		n.fail(name, err)
	}
	return v
}

// quoteAnswer is the part of ka10001 (주식기본정보요청) hoga reads.
type quoteAnswer struct {
	StkCd    string `json:"stk_cd"`
	StkNm    string `json:"stk_nm"`
	CurPrc   field  `json:"cur_prc"`
	PreSig   field  `json:"pre_sig"`
	PredPre  field  `json:"pred_pre"`
	FluRt    field  `json:"flu_rt"`
	TrdeQty  field  `json:"trde_qty"`
	OpenPric field  `json:"open_pric"`
	HighPric field  `json:"high_pric"`
	LowPric  field  `json:"low_pric"`
	UplPric  field  `json:"upl_pric"`
	LstPric  field  `json:"lst_pric"`
	BasePric field  `json:"base_pric"`
}

// Quote returns the current price of code (ka10001). Prices carry a + or -
// that is the direction against the previous close, not the sign of the
// price, and are read as magnitudes; pred_pre and flu_rt are truly signed.
func (c *Client) Quote(ctx context.Context, code broker.Code) (broker.Quote, error) {
	return c.QuoteOn(ctx, code, broker.VenueKRX)
}

// NXTListed reports whether Nextrade trades code: ka10100 종목정보 조회
// with stk_cd, whose nxtEnable is "NXT가능여부", "Y: 가능"
// (Kiwoom-Securities/Kiwoom-REST-API, examples/국내주식/종목정보/
// get_domestic_stock_detail.py; ka10099's list carries the same field).
func (c *Client) NXTListed(ctx context.Context, code broker.Code) (bool, error) {
	code, err := broker.ParseCode(string(code))
	if err != nil {
		return false, err
	}
	var a struct {
		Code      string `json:"code"`
		NxtEnable string `json:"nxtEnable"`
	}
	if err := c.do(ctx, epInfo, map[string]string{"stk_cd": string(code)}, &a); err != nil {
		return false, err
	}
	if strings.TrimSpace(a.Code) == "" {
		return false, &broker.Error{Kind: broker.NotFound, Code: epInfo.id, Msg: fmt.Sprintf("Kiwoom has no stock %s", code)}
	}
	return strings.EqualFold(strings.TrimSpace(a.NxtEnable), "Y"), nil
}

// codeSuffix is ka10001's stk_cd suffix for a venue: "거래소별 종목코드
// (KRX:039490,NXT:039490_NX,SOR:039490_AL)" (Kiwoom-Securities/
// Kiwoom-REST-API, examples/국내주식/종목정보/get_domestic_stock_info.py).
var codeSuffix = map[broker.Venue]string{broker.VenueKRX: "", broker.VenueNXT: "_NX", broker.VenueSOR: "_AL"}

// QuoteOn is Quote from one venue's book (broker.VenueQuoter).
func (c *Client) QuoteOn(ctx context.Context, code broker.Code, v broker.Venue) (broker.Quote, error) {
	code, err := broker.ParseCode(string(code))
	if err != nil {
		return broker.Quote{}, err
	}
	v = v.Or(broker.VenueKRX)
	suffix, ok := codeSuffix[v]
	if !ok {
		return broker.Quote{}, &broker.Error{Kind: broker.Invalid, Msg: fmt.Sprintf("venue %q must be KRX, NXT or SOR", v)}
	}
	var a quoteAnswer
	if err := c.do(ctx, epQuote, map[string]string{"stk_cd": string(code) + suffix}, &a); err != nil {
		return broker.Quote{}, err
	}
	q, err := c.quoteFrom(code, &a)
	q.Venue = v
	return q, err
}

func (c *Client) quoteFrom(code broker.Code, a *quoteAnswer) (broker.Quote, error) {
	n := nums{tr: epQuote.id}
	price := n.abs("cur_prc", a.CurPrc)
	if n.err == nil && price == 0 && strings.TrimSpace(a.StkNm) == "" {
		// A code Kiwoom does not know has been seen to come back as an
		// empty success rather than 1902; either way there is no stock.
		return broker.Quote{}, &broker.Error{Kind: broker.NotFound, Code: epQuote.id, Msg: fmt.Sprintf("Kiwoom has no price for %s", code)}
	}
	if n.err == nil && price <= 0 {
		// A named stock with no price: no stock trades at 0 won, and a
		// rule or a market order's valuation must never see one (issue
		// 12.4). Unreadable, so callers retry rather than act on it.
		return broker.Quote{}, &broker.Error{Kind: broker.Unreadable, Code: epQuote.id,
			Msg: fmt.Sprintf("Kiwoom quoted %s (%s) at %q won", code, strings.TrimSpace(a.StkNm), strings.TrimSpace(a.CurPrc.raw))}
	}
	q := broker.Quote{
		Code:       code,
		Name:       strings.TrimSpace(a.StkNm),
		Price:      price,
		Change:     n.int("pred_pre", a.PredPre),
		ChangePct:  n.float("flu_rt", a.FluRt),
		Volume:     n.abs("trde_qty", a.TrdeQty),
		Open:       n.abs("open_pric", a.OpenPric),
		High:       n.abs("high_pric", a.HighPric),
		Low:        n.abs("low_pric", a.LowPric),
		PrevClose:  n.abs("base_pric", a.BasePric),
		UpperLimit: n.abs("upl_pric", a.UplPric),
		LowerLimit: n.abs("lst_pric", a.LstPric),
		Tick:       broker.TickSize(price),
		Time:       c.clk.Now(),
	}
	if n.err != nil {
		return broker.Quote{}, n.err
	}
	sig, err := a.PreSig.Int()
	if err == nil && sig >= 1 && sig <= 5 {
		q.Sign = broker.Sign(sig)
	} else {
		q.Sign = broker.SignOf(q.Change)
	}
	// pre_sig is Kiwoom's own verdict on the direction; a change that came
	// without its sign takes the sign from it, and a flat verdict with a
	// change is overruled by the change.
	switch d := q.Sign.Direction(); {
	case d > 0:
		q.Change, q.ChangePct = absInt(q.Change), absFloat(q.ChangePct)
	case d < 0:
		q.Change, q.ChangePct = -absInt(q.Change), -absFloat(q.ChangePct)
	case q.Change != 0:
		q.Sign = broker.SignOf(q.Change)
	}
	if err := q.Plausible(); err != nil {
		return broker.Quote{}, err
	}
	return q, nil
}

// orderAnswer is kt10000/kt10001/kt10003's answer.
type orderAnswer struct {
	OrdNo         string `json:"ord_no"`
	BaseOrigOrdNo string `json:"base_orig_ord_no"`
	CnclQty       field  `json:"cncl_qty"`
}

// PlaceOrder sends a buy (kt10000) or sell (kt10001) to the request's
// venue: trde_tp "0" (보통, limit) with ord_uv, or "3" (시장가, market) with
// ord_uv "", or "62" (시간외단일가) for a limit order in that session, or
// "61"/"81" (장시작전/장마감후시간외) for a closing-price order. The
// answer means Kiwoom accepted the order, not that it filled.
func (c *Client) PlaceOrder(ctx context.Context, req broker.OrderRequest) (broker.Order, error) {
	if err := req.Validate(); err != nil {
		return broker.Order{}, err
	}
	code, _ := broker.ParseCode(string(req.Code))
	ep := epBuy
	if req.Side == broker.Sell {
		ep = epSell
	}
	body := map[string]string{
		// KRX, NXT or SOR (Kiwoom-REST-API spec, kt10000 dmst_stex_tp
		// "국내거래소구분 KRX,NXT,SOR"); the mock server takes KRX only
		// ("mockapi.kiwoom.com(KRX만 지원가능)"), which broker/guard enforces.
		"dmst_stex_tp": string(req.Venue.Or(broker.VenueKRX)),
		"stk_cd":       string(code),
		"ord_qty":      strconv.FormatInt(req.Qty, 10),
		"ord_uv":       "",
		"trde_tp":      "3",
		"cond_uv":      "",
	}
	if req.Type == broker.Limit {
		body["ord_uv"] = strconv.FormatInt(req.Price, 10)
		body["trde_tp"] = "0"
	}
	if _, kw := req.Session.OrderType(); kw != "" {
		// A KRX off-hours session's own type: "62" 시간외단일가 with the
		// owner's limit price, or "61"/"81" 장시작전/장마감후시간외 (a
		// closing-price order, Type Market, ord_uv "" as for 시장가).
		// broker.SessionKind.OrderType cites the codes; broker/guard sets
		// Session only on a live account.
		body["trde_tp"] = kw
	}
	var a orderAnswer
	if err := c.do(ctx, ep, body, &a); err != nil {
		return broker.Order{}, err
	}
	no := strings.TrimSpace(a.OrdNo)
	if no == "" {
		return broker.Order{}, unknownOrder(ep.id, "Kiwoom accepted the order but sent no order number", nil)
	}
	c.log.Info("kiwoom order accepted", "api_id", ep.id, "ord_no", no, "code", code, "qty", req.Qty, "type", req.Type.String())
	o := broker.Order{
		ID: no, Code: code, Side: req.Side, Type: req.Type, Qty: req.Qty, Status: broker.StatusAccepted,
		Time: c.clk.Now(), ClientID: req.ClientID, Source: req.Source, User: req.User,
	}
	if req.Type == broker.Limit {
		o.Price = req.Price
	}
	return o, nil
}

// CancelOrder cancels all that is left of an order (kt10003 with cncl_qty
// "0"). Kiwoom needs the stock code as well as the order number. The
// returned order is the original one, marked cancelled; Kiwoom's number for
// the cancel itself is in Note.
func (c *Client) CancelOrder(ctx context.Context, req broker.CancelRequest) (broker.Order, error) {
	id := c.NormalizeOrderID(req.OrderID)
	if id == "" {
		return broker.Order{}, &broker.Error{Kind: broker.Invalid, Msg: "cancel needs an order number"}
	}
	code, err := broker.ParseCode(string(req.Code))
	if err != nil {
		return broker.Order{}, &broker.Error{Kind: broker.Invalid, Msg: "Kiwoom needs the stock code of the order to cancel it", Err: err}
	}
	var a orderAnswer
	err = c.do(ctx, epCancel, map[string]string{
		"dmst_stex_tp": string(req.Venue.Or(broker.VenueKRX)),
		"orig_ord_no":  id,
		"stk_cd":       string(code),
		"cncl_qty":     "0",
	}, &a)
	if err != nil {
		return broker.Order{}, err
	}
	cancelNo := strings.TrimSpace(a.OrdNo)
	c.log.Info("kiwoom cancel accepted", "orig_ord_no", id, "ord_no", cancelNo)
	o := broker.Order{ID: id, Code: code, Type: req.Type, Status: broker.StatusCancelled, Time: c.clk.Now(), Source: req.Source, User: req.User}
	if cancelNo != "" {
		o.Note = "취소주문번호 " + cancelNo
	}
	if q, err := a.CnclQty.Int(); err == nil && q > 0 {
		o.Qty = q
	}
	return o, nil
}

// balanceAnswer is one page of kt00018 (계좌평가잔고내역요청).
type balanceAnswer struct {
	TotPurAmt       field        `json:"tot_pur_amt"`
	TotEvltAmt      field        `json:"tot_evlt_amt"`
	TotEvltPl       field        `json:"tot_evlt_pl"`
	PrsmDpstAsetAmt field        `json:"prsm_dpst_aset_amt"`
	Rows            []holdingRow `json:"acnt_evlt_remn_indv_tot"`
}

type holdingRow struct {
	StkCd       string `json:"stk_cd"`
	StkNm       string `json:"stk_nm"`
	RmndQty     field  `json:"rmnd_qty"`
	TrdeAbleQty field  `json:"trde_able_qty"`
	PurPric     field  `json:"pur_pric"`
	CurPrc      field  `json:"cur_prc"`
	PurAmt      field  `json:"pur_amt"`
	EvltAmt     field  `json:"evlt_amt"`
	EvltvPrft   field  `json:"evltv_prft"`
	PrftRt      field  `json:"prft_rt"`
}

// depositAnswer is the part of kt00001 (예수금상세현황요청) hoga reads.
type depositAnswer struct {
	Entr       field `json:"entr"`
	D2Entra    field `json:"d2_entra"`
	OrdAlowAmt field `json:"ord_alow_amt"`
}

// Balance returns cash and holdings: holdings and their totals from
// kt00018 (qry_tp "1" 합산, KRX), cash from kt00001 (qry_tp "3" 추정조회).
// Cash is the D+2 estimated deposit (d2_entra) when Kiwoom sends it,
// because 예수금 (entr) does not move until settlement and a buy made a
// minute ago would still look unpaid; Orderable is ord_alow_amt.
func (c *Client) Balance(ctx context.Context) (broker.Balance, error) {
	var b broker.Balance
	first := true
	err := c.doPages(ctx, epBalance, map[string]string{"qry_tp": "1", "dmst_stex_tp": "KRX"}, func(body []byte) error {
		var a balanceAnswer
		if err := decode(epBalance, body, &a); err != nil {
			return err
		}
		n := nums{tr: epBalance.id}
		if first {
			first = false
			b.Cost = n.int("tot_pur_amt", a.TotPurAmt)
			b.StockValue = n.int("tot_evlt_amt", a.TotEvltAmt)
			b.PnL = n.int("tot_evlt_pl", a.TotEvltPl)
			b.Total = n.int("prsm_dpst_aset_amt", a.PrsmDpstAsetAmt)
		}
		for _, r := range a.Rows {
			p := broker.Position{
				Name:     strings.TrimSpace(r.StkNm),
				Qty:      n.int("rmnd_qty", r.RmndQty),
				Sellable: n.int("trde_able_qty", r.TrdeAbleQty),
				AvgPrice: n.abs("pur_pric", r.PurPric),
				Price:    n.abs("cur_prc", r.CurPrc),
				Cost:     n.int("pur_amt", r.PurAmt),
				Value:    n.int("evlt_amt", r.EvltAmt),
				PnL:      n.int("evltv_prft", r.EvltvPrft),
				PnLPct:   n.float("prft_rt", r.PrftRt),
			}
			if n.err != nil {
				return n.err
			}
			code, err := broker.ParseCode(r.StkCd) // strips Kiwoom's "A" prefix
			if err != nil {
				c.log.Warn("kiwoom holding with an unreadable code left out", "stk_cd", r.StkCd)
				continue
			}
			if p.Qty == 0 {
				continue
			}
			p.Code = code
			if !r.TrdeAbleQty.Present() {
				p.Sellable = p.Qty
			}
			b.Positions = append(b.Positions, p)
		}
		return n.err
	})
	if err != nil {
		return broker.Balance{}, err
	}
	var d depositAnswer
	if err := c.do(ctx, epDeposit, map[string]string{"qry_tp": "3"}, &d); err != nil {
		return broker.Balance{}, err
	}
	n := nums{tr: epDeposit.id}
	b.Cash = n.int("entr", d.Entr)
	if d.D2Entra.Present() {
		b.Cash = n.int("d2_entra", d.D2Entra)
	}
	b.Orderable = n.int("ord_alow_amt", d.OrdAlowAmt)
	if n.err != nil {
		return broker.Balance{}, n.err
	}
	if b.Total == 0 {
		b.Total = b.Cash + b.StockValue
	}
	return b, nil
}

// OrdersToday lists today's orders: ka10075 (미체결, the open ones) merged
// with ka10076 (체결, today's orders with their fills) by order number; see
// mergeOrders for how statuses are read.
func (c *Client) OrdersToday(ctx context.Context) ([]broker.Order, error) {
	var all, open []orderRow
	// Every key Kiwoom's own examples send (get_domestic_filled_orders.py,
	// get_domestic_unfilled_orders.py; kiwoom-go sends the same), the
	// optional ones empty: stk_cd "" with qry_tp/all_stk_tp "0" (전체), and
	// ord_no "" (no "older than this order" cursor). See doc.go.
	err := c.doPages(ctx, epFilled, map[string]string{"qry_tp": "0", "sell_tp": "0", "stex_tp": "0", "stk_cd": "", "ord_no": ""}, func(body []byte) error {
		var a struct {
			Rows json.RawMessage `json:"cntr"`
		}
		if err := decode(epFilled, body, &a); err != nil {
			return err
		}
		var rows []orderRow
		if err := decodeList(epFilled, "cntr", a.Rows, &rows); err != nil {
			return err
		}
		all = append(all, rows...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = c.doPages(ctx, epOpen, map[string]string{"all_stk_tp": "0", "trde_tp": "0", "stex_tp": "0", "stk_cd": ""}, func(body []byte) error {
		var a struct {
			Rows json.RawMessage `json:"oso"`
		}
		if err := decode(epOpen, body, &a); err != nil {
			return err
		}
		var rows []orderRow
		if err := decodeList(epOpen, "oso", a.Rows, &rows); err != nil {
			return err
		}
		open = append(open, rows...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	orders, err := mergeOrders(all, open, c.clk.Now())
	if err != nil {
		var e *broker.Error
		if !errors.As(err, &e) {
			err = &broker.Error{Kind: broker.Internal, Msg: "reading Kiwoom's order lists", Err: err}
		}
		return nil, err
	}
	return orders, nil
}

func absInt(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

func absFloat(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

// NormalizeOrderID writes an order number the way Kiwoom does: 7 digits,
// zero-padded (ord_no "0000139" in the official kt10000/ka10075 examples),
// so that "6555" typed on a phone matches "0006555" everywhere.
func (c *Client) NormalizeOrderID(id string) string { return broker.PadOrderID(id, 7) }
