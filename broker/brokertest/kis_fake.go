package brokertest

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/internal/market"
	"github.com/hoga-trade/hoga/clock"
)

// Sample credentials the fake KIS accepts by default: the shapes KIS uses
// (36-character app key, 180-character secret, 8-2 account), values that
// are obviously fake.
const (
	KISSampleAppKey    = "PSfakeAppKey000000000000000000000KIS"
	KISSampleAppSecret = "fakeSecret00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	KISSampleAccount   = "50123456-01"
)

// Stock is a listed stock at a fake (KIS or Kiwoom): a test that depends
// on a price states it with one of these (KISFakeOptions.Stocks,
// KiwoomFakeOptions.Stocks) or with SetPrice, rather than leaning on the
// default table.
type Stock struct {
	Code  string
	Name  string
	Price int64 // current price
	// PrevClose is the day's base, which the price limits and the change
	// are reckoned from; 0 is Price (a stock that has not moved today).
	PrevClose int64
}

// base is the day's base: PrevClose, or Price when it is not given.
func (s Stock) base() int64 {
	if s.PrevClose > 0 {
		return s.PrevClose
	}
	return s.Price
}

// ListedStocks is the simulated market's one stock table (the paper
// exchange's, market.Listings) as a fake's stock list, each at its
// reference price: what both fakes list unless a test gives its own, and
// what cmd/fakebroker lists, so a name and a price are the same whichever
// of paper, the KIS fake and the Kiwoom fake answers, and /help's examples
// are inside the day's limits on all three.
func ListedStocks() []Stock {
	var out []Stock
	for _, in := range market.Listings() {
		out = append(out, Stock{Code: string(in.Code), Name: in.Name, Price: in.Ref})
	}
	return out
}

// KISFakeOptions configures a fake KIS server. Zero values take defaults.
type KISFakeOptions struct {
	// Mode is "mock" (default) or "live": it decides which tr_ids are
	// accepted, the rate limit, page sizes and the mock-only messages.
	Mode string
	// AppKey, AppSecret and Account are the only credentials accepted;
	// defaults are the KISSample constants.
	AppKey, AppSecret, Account string
	// Cash is the starting deposit; default 10,000,000 won.
	Cash int64
	// Stocks are the listed stocks; default ListedStocks.
	Stocks []Stock
	// Clock drives token expiry, the token throttle, rate windows and
	// order times; nil is the wall clock.
	Clock clock.Clock
	// ClockOffset puts the fake's clock this far ahead of Clock (negative:
	// behind), as a broker whose clock disagrees with the host's: its order
	// times and the Date header of every answer are its own.
	ClockOffset time.Duration
	// TokenTTL is a new token's lifetime; default 24h.
	TokenTTL time.Duration
	// IssueGap is the token endpoint's throttle per app key; default 60s,
	// negative disables it.
	IssueGap time.Duration
	// RateLimit is requests per second per app key (one-second windows);
	// 0 means KIS's 2 (mock) or 20 (live); negative disables it.
	RateLimit int
	// StrictWindow counts requests in a sliding one-second window
	// instead of calendar seconds: a request is refused when RateLimit
	// requests were accepted in the second up to and including its
	// arrival (one exactly 1 s earlier still counts). KIS does not publish
	// its algorithm; this is the harshest reading of "20 per second", and
	// a client that never trips it also passes calendar-second windows
	// and a token bucket of the same rate (issue 20.5).
	StrictWindow bool
	// BalancePageSize and OrdersPageSize override KIS's page sizes
	// (balance 20 mock / 50 live; daily orders 15 mock / 100 live).
	BalancePageSize, OrdersPageSize int
	// MarketHours makes orders outside the sessions of the exchange they
	// go to (KRX's regular session, NXT's three; broker.Calendar; SOR
	// routed as simAccount.routeLocked says; never on holidays) fail the
	// way KIS fails them, and open orders lapse at that exchange's close
	// (KRX 15:30, 16:30 on the 수능 day; NXT 20:00). Off by
	// default: tests place orders any time and orders never lapse.
	MarketHours bool
	// Sim sets the simulated market: calendar, walk, background ticks.
	Sim SimOptions
	// Addr is where NewKISServer listens; default 127.0.0.1:0.
	Addr string
	// Logger gets one debug line per request; nil discards.
	Logger *slog.Logger
	// OnRequest, if set, is told of each request once the fake has
	// answered it in its books (an order taken) and before any fault
	// plays: a test learns that a request arrived without polling.
	OnRequest func(KISRequest)
}

// KISFaultKind is a way the fake can misbehave on purpose.
type KISFaultKind int

// Fault kinds.
const (
	// FaultHTTP500 answers HTTP 500 with a non-JSON body, as a gateway
	// or load balancer might.
	FaultHTTP500 KISFaultKind = iota + 1
	// FaultReset closes the connection without answering.
	FaultReset
	// FaultDelay answers Delay late (by the fake's clock), after the
	// request has taken effect, or not at all if the client gives up.
	FaultDelay
	// FaultRateLimit answers EGW00201 exactly as KIS does; nothing is done.
	FaultRateLimit
	// FaultTokenExpired answers EGW00123 as KIS does; nothing is done.
	FaultTokenExpired
	// The list faults answer rt_cd 0 with the answer's list fields
	// (output1 of inquire-daily-ccld, …) mangled: left out, null, or an
	// object instead of an array. A client must report such an answer as
	// unreadable, never as an empty list (issue 21.1).
	FaultListMissing
	FaultListNull
	FaultListNotArray
	// FaultOutputField answers rt_cd 0 with the answer's "output" field
	// Field set to Value: one implausible value in an otherwise good
	// answer (a quote of 100 won under a lower limit of 49,490).
	FaultOutputField
)

// KISFault injects a misbehaviour into the next Times requests (default 1)
// to Path (empty: any API path; the token endpoint is never affected).
type KISFault struct {
	Kind KISFaultKind
	Path string
	// AfterProcessing, for FaultHTTP500 and FaultReset, lets the request
	// take effect (an order is recorded) before the fault: the client's
	// "unknown outcome". FaultDelay always acts after processing;
	// FaultRateLimit and FaultTokenExpired always before.
	AfterProcessing bool
	Delay           time.Duration
	Times           int
	// Field and Value are FaultOutputField's change.
	Field, Value string
}

// KISRequest is one API request as the fake saw it.
type KISRequest struct {
	At     time.Time
	Method string
	Path   string
	TrID   string
	TrCont string
	// Query is a GET request's query (FID_INPUT_HOUR_1 of a minute-chart
	// walk back, for instance).
	Query  url.Values
	Status int
	MsgCd  string
}

// KISOrder is an order (or a cancel order) held by the fake.
type KISOrder struct {
	ODNO, Branch, Code string
	Side               broker.Side
	Market             bool
	Qty, Price         int64 // Price 0 for market orders
	Filled, Cancelled  int64
	FillAmount         int64
	// CancelOf is the original order number when this is a cancel order.
	CancelOf string
	// Venue is the order's EXCG_ID_DVSN_CD as sent (KRX, NXT, SOR), echoed
	// in the order list's excg_id_dvsn_Cd.
	Venue string
	// Dvsn is ORD_DVSN as sent: "00" limit, "01" market, "07" 시간외
	// 단일가; echoed in the order list's ord_dvsn_cd.
	Dvsn string
	// Routed is the exchange the order rests on: Venue, or for SOR the one
	// open when it was placed (NXT when only NXT trades).
	Routed string
	At     time.Time
}

// KISFake is an HTTP server speaking the KIS REST wire format with a
// simulated account behind it. See NewKIS.
type KISFake struct {
	srv   *httptest.Server
	clock clock.Clock
	log   *slog.Logger
	// onRequest is KISFakeOptions.OnRequest.
	onRequest func(KISRequest)

	mock                 bool
	appKey, appSecret    string
	cano, prdt           string
	tokenTTL, issueGap   time.Duration
	rate                 rateWindows // per app key
	balancePage, ccldPag int
	marketHours          bool

	mu        sync.Mutex
	tokens    map[string]*kisToken // by value
	current   map[string]*kisToken // by app key
	lastIssue map[string]time.Time
	// simAccount.m is the simulated market: prices, limits, the account (m.Cash is
	// the D+2 deposit, moving with every fill; today's sale proceeds
	// m.DaySold are in nrcvb_buy_amt but not in ord_psbl_cash, as on
	// KIS's portal) and the orders' fills. dnca_tot_amt is the deposit
	// before today's trades: m.Cash + m.DayBought − m.DaySold.
	simAccount
	cal    *broker.Calendar
	orders []*kisFakeOrder // order and cancel rows, as KIS lists them
	// placing is the EXCG_ID_DVSN_CD of the order being placed, for the
	// notice of a fill that happens inside market.Place, before the
	// order's row exists (wsNotice).
	placing  string
	gtSeq    int64
	tokenSeq int64
	faults   []*KISFault

	wsHub                   // realtime sessions (ws.go)
	ws       kisWS          // and KIS's own realtime state (kis_fake_ws.go)
	quotesBy map[string]int // inquire-price calls per code

	issuances, throttled, requests, rateLimited int
	reqLog                                      []KISRequest
	held                                        holds // Hold
}

type kisToken struct {
	value, appKey  string
	issued, expiry time.Time
}

// kisFakeOrder is one row of KIS's order list: an order (mo, the market's
// order) or a cancel order pointing at one (CancelOf).
type kisFakeOrder struct {
	KISOrder
	name string
	simRow
}

// view is the row with the market's fill state.
func (o *kisFakeOrder) view() KISOrder {
	v := o.KISOrder
	if o.mo != nil {
		v.Filled, v.Cancelled, v.FillAmount = o.mo.FilledQty, o.mo.Cancelled, o.mo.FillAmount
	}
	return v
}

// NewKIS starts a fake KIS server for a test and closes it when the test
// ends. It fails the test if the server cannot start.
func NewKIS(t testing.TB, opts KISFakeOptions) *KISFake {
	t.Helper()
	f, err := NewKISServer(opts)
	if err != nil {
		t.Fatalf("fake KIS: %v", err)
	}
	t.Cleanup(f.Close)
	return f
}

// NewKISServer starts a fake KIS server outside a test (cmd/fakebroker).
// Close it when done.
func NewKISServer(opts KISFakeOptions) (*KISFake, error) {
	f := &KISFake{
		clock:       clock.Offset(opts.Clock, opts.ClockOffset),
		log:         opts.Logger,
		onRequest:   opts.OnRequest,
		appKey:      opts.AppKey,
		appSecret:   opts.AppSecret,
		tokenTTL:    opts.TokenTTL,
		issueGap:    opts.IssueGap,
		rate:        rateWindows{limit: opts.RateLimit, strict: opts.StrictWindow},
		tokens:      make(map[string]*kisToken),
		current:     make(map[string]*kisToken),
		lastIssue:   make(map[string]time.Time),
		marketHours: opts.MarketHours,
	}
	switch opts.Mode {
	case "", "mock":
		f.mock = true
	case "live":
	default:
		return nil, fmt.Errorf("mode %q must be mock or live", opts.Mode)
	}
	if f.log == nil {
		f.log = slog.New(slog.DiscardHandler)
	}
	if f.appKey == "" {
		f.appKey = KISSampleAppKey
	}
	if f.appSecret == "" {
		f.appSecret = KISSampleAppSecret
	}
	acct := opts.Account
	if acct == "" {
		acct = KISSampleAccount
	}
	cano, prdt, ok := strings.Cut(acct, "-")
	if !ok || len(cano) != 8 || len(prdt) != 2 {
		return nil, fmt.Errorf("account %q must look like 12345678-01", acct)
	}
	f.cano, f.prdt = cano, prdt
	if f.tokenTTL <= 0 {
		f.tokenTTL = 24 * time.Hour
	}
	if f.issueGap == 0 {
		f.issueGap = time.Minute
	}
	if f.rate.limit == 0 {
		f.rate.limit = 20
		if f.mock {
			f.rate.limit = 2
		}
	}
	f.balancePage, f.ccldPag = opts.BalancePageSize, opts.OrdersPageSize
	if f.balancePage <= 0 {
		f.balancePage = 50
		if f.mock {
			f.balancePage = 20
		}
	}
	if f.ccldPag <= 0 {
		f.ccldPag = 100
		if f.mock {
			f.ccldPag = 15
		}
	}
	cash := opts.Cash
	if cash == 0 {
		cash = 10_000_000
	}
	var err error
	f.simAccount = simAccount{lk: &f.mu, simClk: f.clock}
	if f.cal, err = f.openSim("kis", "%010d", f.marketHours, opts.Sim, cash, opts.Stocks, f.onEvent); err != nil {
		return nil, err
	}

	if f.srv, err = startServer(http.HandlerFunc(f.serveHTTP), opts.Addr); err != nil {
		return nil, err
	}
	f.startTicker(opts.Sim.Tick)
	return f, nil
}

// onEvent turns the market's events into WebSocket frames; called with
// f.mu held. A fill is a CNTG_YN 2 notice; a price change a trade frame.
func (f *KISFake) onEvent(ev market.Event) {
	switch ev.Kind {
	case market.EventFill:
		f.wsNotice(ev.Order, ev.Qty, ev.Price)
	case market.EventPrice:
		f.wsTrade(string(ev.Code), ev.Price, 1, ev.Volume)
	}
}

// WSURL is the WebSocket host to give a stream (StreamOptions.URL).
func (f *KISFake) WSURL() string { return "ws" + strings.TrimPrefix(f.srv.URL, "http") }

// URL is the base URL to give a client (Options.BaseURL).
func (f *KISFake) URL() string { return f.srv.URL }

// Close stops the server.
func (f *KISFake) Close() {
	f.held.releaseAll()
	f.srv.Close()
	f.stopTicker()
}

// Mode is "mock" or "live".
func (f *KISFake) Mode() string {
	if f.mock {
		return "mock"
	}
	return "live"
}

// Credentials are the app key, secret and account the fake accepts.
func (f *KISFake) Credentials() (appKey, appSecret, account string) {
	return f.appKey, f.appSecret, f.cano + "-" + f.prdt
}

// AddStock lists a stock (or resets an existing one) at price.
func (f *KISFake) AddStock(code, name string, price int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.m.List(market.Instrument{Code: broker.Code(code), Name: name}, price, price)
}

// ExpireTokens makes every issued token expired: the next API call with
// one gets EGW00123, and tokenP issues a new one.
func (f *KISFake) ExpireTokens() {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.clock.Now()
	for _, t := range f.tokens {
		t.expiry = now
	}
}

// RevokeTokens forgets every issued token: the next API call with one
// gets EGW00121.
func (f *KISFake) RevokeTokens() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokens = make(map[string]*kisToken)
	f.current = make(map[string]*kisToken)
}

// Inject queues a fault.
func (f *KISFake) Inject(fault KISFault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if fault.Times <= 0 {
		fault.Times = 1
	}
	f.faults = append(f.faults, &fault)
}

// Issuances counts successful token endpoint answers (new tokens and the
// same token handed back within six hours).
func (f *KISFake) Issuances() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.issuances
}

// ThrottledIssuances counts token requests refused with EGW00133.
func (f *KISFake) ThrottledIssuances() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.throttled
}

// Requests counts API requests (everything but the token endpoint).
func (f *KISFake) Requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests
}

// RateLimited counts EGW00201 answers sent, injected ones included.
func (f *KISFake) RateLimited() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rateLimited
}

// RequestLog returns the API requests seen so far, oldest first.
func (f *KISFake) RequestLog() []KISRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]KISRequest(nil), f.reqLog...)
}

// CountRequests counts logged API requests to path.
func (f *KISFake) CountRequests(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, r := range f.reqLog {
		if r.Path == path {
			n++
		}
	}
	return n
}

// QuoteCalls is how many inquire-price calls asked for code.
func (f *KISFake) QuoteCalls(code string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.quotesBy[code]
}

// Orders returns every order the fake holds, cancel orders included,
// oldest first.
func (f *KISFake) Orders() []KISOrder {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]KISOrder, len(f.orders))
	for i, o := range f.orders {
		out[i] = o.view()
	}
	return out
}

// serveHTTP routes the token endpoint, the fake's own control endpoints
// and the API.
func (f *KISFake) serveHTTP(w http.ResponseWriter, r *http.Request) {
	// Every answer carries the server's time (RFC 9110 §6.6.1); on the
	// fake's own clock, so a test clock or ClockOffset shows in it.
	w.Header().Set("Date", f.clock.Now().UTC().Format(http.TimeFormat))
	switch {
	case r.URL.Path == "/oauth2/tokenP":
		f.serveToken(w, r)
	case r.URL.Path == "/oauth2/Approval":
		f.serveApproval(w, r)
	case r.URL.Path == "/tryitout":
		f.serveWS(w, r)
	case strings.HasPrefix(r.URL.Path, "/_fake/"):
		f.serveControl(w, r)
	default:
		if !f.held.wait(r.Context(), r.URL.Path) {
			return // the client gave up waiting
		}
		f.serveAPI(w, r)
	}
}

// Hold keeps every request to path (an API path such as
// /uapi/domestic-stock/v1/trading/inquire-daily-ccld) unanswered until
// release is called: a broker slow to answer, for as long as a test
// needs, with no timer. Requests the client gives up on are dropped.
func (f *KISFake) Hold(path string) (release func()) { return f.held.hold(path) }
