package brokertest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
)

// KiwoomErrorEncoding chooses how the Kiwoom fake encodes a failure. The
// sources disagree (shared/broker-api/kiwoom.md §7), so the fake speaks
// both and clients are tested against both.
type KiwoomErrorEncoding int

const (
	// KiwoomErrorsLive is what live accounts report: HTTP 200 (429 for rate
	// limits), return_code a small class (2 input, 3 auth, 5 rate, 20
	// order desk) and the documented code inside return_msg, e.g.
	// "인증에 실패했습니다[8005:Token이 유효하지 않습니다]".
	KiwoomErrorsLive KiwoomErrorEncoding = iota
	// KiwoomErrorsCode is what the official Python client assumes:
	// return_code is the 4-digit code itself (2000 for order desk
	// rejections) and return_msg the bare message.
	KiwoomErrorsCode
)

// KiwoomFault is a failure the fake injects into the next request of an
// api-id (InjectFault).
type KiwoomFault int

// Faults. "After accept" faults carry the request out first (an order is
// placed) and then fail the answer: the case a client must report as an
// unknown outcome, never resend.
const (
	KiwoomFault500              KiwoomFault = iota + 1 // HTTP 500 with an HTML body; nothing done
	KiwoomFault401                                     // HTTP 401 with a plain-text body; nothing done
	KiwoomFault500AfterAccept                          // done, then HTTP 500
	KiwoomFaultDelayAfterAccept                        // done, then no answer until the client gives up
	KiwoomFaultResetAfterAccept                        // done, then the connection is reset
	// The list faults answer return_code 0 with the answer's list field
	// (cntr, oso, …) mangled: left out, null, or an object instead of an
	// array. A client must report such an answer as unreadable, never as an
	// empty list (issue 21.1).
	KiwoomFaultListMissing
	KiwoomFaultListNull
	KiwoomFaultListNotArray
)

// Defaults of the Kiwoom fake: the credentials it accepts, the account it
// keeps, and a key registered for the other environment (mock vs live).
const (
	KiwoomFakeAppKey          = "kiwoom-fake-app-key"
	KiwoomFakeSecretKey       = "kiwoom-fake-secret-key"
	KiwoomFakeOtherModeAppKey = "kiwoom-fake-other-mode-app-key"
	KiwoomFakeAccount         = "5012345611"
	KiwoomFakeCash            = 10_000_000
)

// KiwoomFakeOptions configure NewKiwoomServer. Zero values take defaults.
type KiwoomFakeOptions struct {
	// Mode is "mock" (default) or "live": which environment the fake
	// plays. Order desk messages differ ("모의투자 …" codes on mock).
	Mode string
	// AppKey/SecretKey are the credentials it accepts (KiwoomFakeAppKey,
	// KiwoomFakeSecretKey).
	AppKey, SecretKey string
	// OtherModeAppKey is registered for the other environment: issuing a
	// token with it answers 8030 (KiwoomFakeOtherModeAppKey).
	OtherModeAppKey string
	// Account is the account number ka00001 returns (KiwoomFakeAccount).
	Account string
	// Cash is the deposit at the start (KiwoomFakeCash).
	Cash int64
	// Stocks are the listed stocks (ListedStocks).
	Stocks []Stock
	// Clock drives token expiry, rate windows and order times (wall clock).
	Clock clock.Clock
	// ClockOffset puts the fake's clock this far ahead of Clock (negative:
	// behind), as a broker whose clock disagrees with the host's: its order
	// times and the Date header of every answer are its own.
	ClockOffset time.Duration
	// TokenTTL is a token's life (24h, what third parties report).
	TokenTTL time.Duration
	// RateLimit is requests per second per (app key, api-id) before 429
	// (5, Kiwoom's 유량=5); negative turns the limit off.
	RateLimit int
	// StrictWindow counts each (app key, api-id)'s requests in a sliding
	// one-second window instead of calendar seconds: a request is refused
	// (1700, HTTP 429) when RateLimit were accepted in the second up to and
	// including its arrival. Kiwoom does not publish its algorithm; this
	// is the harshest reading of 유량=5 (issue 20.5). Refused requests do
	// not spend the window.
	StrictWindow bool
	// PageSize is rows per page of ka10075/ka10076/kt00018 (2, small so
	// that tests page).
	PageSize int
	// ChartPageSize is rows per page of ka10080's minute candles (100;
	// Kiwoom does not publish its own, so a full day pages).
	ChartPageSize int
	// Errors is the failure encoding (KiwoomErrorsLive).
	Errors KiwoomErrorEncoding
	// MarketHours refuses orders outside the sessions of the exchange they
	// go to (KRX 08:30–15:30, NXT 08:00–08:50, 09:00:30–15:20 and
	// 15:30–20:00 KST on trading days, broker.Calendar; SOR routed as
	// simAccount.routeLocked says) with Kiwoom's closed-market answers;
	// off, orders are taken at any hour unless SetMarketOpen(false).
	MarketHours bool
	// Sim sets the simulated market: calendar, walk, background ticks.
	Sim SimOptions
	// Addr is where StartKiwoomServer listens (127.0.0.1:0, a free port).
	Addr string
	// Logger gets one debug line per request; nil discards.
	Logger *slog.Logger
	// OnRequest, if set, is told of each request once the fake has
	// answered it in its books (an order taken) and before any fault
	// plays: a test learns that a request arrived without polling.
	OnRequest func(KiwoomRequest)
}

// KiwoomRequest is one request the fake received, for assertions.
type KiwoomRequest struct {
	Time       time.Time
	Path       string
	APIID      string
	ContYN     string
	NextKey    string
	Body       string // secretkey redacted
	Status     int
	ReturnCode int
}

// KiwoomFakeOrder is an order as the fake holds it.
type KiwoomFakeOrder struct {
	No, OrigNo string
	Code       string
	Side       broker.Side
	Market     bool
	Qty, Price int64 // Price 0 for market orders
	Filled     int64
	FillAmount int64
	// LastFillPrice is the latest part's own price: what ka10075 and
	// ka10076 show as cntr_pric (체결가), which is not an average.
	LastFillPrice int64
	Cancelled     int64
	Cancel        bool // a cancel order (kt10003) rather than a buy or sell
	// Venue is dmst_stex_tp as sent (KRX, NXT, SOR); for a cancel, the
	// cancel's own dmst_stex_tp.
	Venue string
	// Routed is the exchange the order rests on: Venue, or for SOR the
	// exchange simAccount.routeLocked chose.
	Routed string
	// TrdeTp is trde_tp as sent: "0" 보통, "3" 시장가, "62" 시간외단일가.
	TrdeTp string
	Time   time.Time
}

// Remaining is the quantity still open.
func (o KiwoomFakeOrder) Remaining() int64 {
	if o.Cancel {
		return 0
	}
	return o.Qty - o.Filled - o.Cancelled
}

// KiwoomFake is an httptest server speaking Kiwoom's REST wire format
// (shared/broker-api/kiwoom.md) over a simulated account: stocks with
// prices, cash, holdings and orders. Market orders fill at once; limit
// orders fill when the price crosses them (on placement or SetPrice).
// Orders are accepted at any hour unless SetMarketOpen(false).
type KiwoomFake struct {
	srv    *httptest.Server
	opts   KiwoomFakeOptions
	clk    clock.Clock
	logger *slog.Logger
	cal    *broker.Calendar
	closed chan struct{}
	once   sync.Once

	mu     sync.Mutex
	tokens map[string]kwToken
	// simAccount.m is the simulated market: prices, limits, fills and the
	// account. Its Cash is the D+2 deposit; 예수금 at the start of the day
	// is m.Cash + m.DayBought − m.DaySold.
	simAccount
	orders     []*kwOrder // order and cancel rows, as Kiwoom lists them
	marketOpen bool
	faults     map[string][]KiwoomFault
	// quoteFields overrides fields of the next ka10001 answers
	// (InjectQuoteField).
	quoteFields []kwField
	injected    map[string][]kwInjected
	issuances   int
	requests    map[string]int
	limited     int
	rate        rateWindows // per (app key, api-id)
	log         []KiwoomRequest
	wsHub             // realtime sessions (ws.go)
	ws          kwWS  // and Kiwoom's own realtime state (kiwoom_fake_ws.go)
	held        holds // Hold
}

type kwToken struct {
	appKey string
	expiry time.Time
}

type kwInjected struct {
	code int
	msg  string
}

// NewKiwoomServer starts a fake Kiwoom server for a test, on a free
// loopback port. Close it when done. Like httptest.NewServer it panics if
// it cannot start; StartKiwoomServer returns the error instead.
func NewKiwoomServer(opts KiwoomFakeOptions) *KiwoomFake {
	f, err := StartKiwoomServer(opts)
	if err != nil {
		panic("brokertest: " + err.Error())
	}
	return f
}

// StartKiwoomServer starts a fake Kiwoom server on opts.Addr (cmd/fakebroker).
// Close it when done.
func StartKiwoomServer(opts KiwoomFakeOptions) (*KiwoomFake, error) {
	switch opts.Mode {
	case "":
		opts.Mode = "mock"
	case "mock", "live":
	default:
		return nil, fmt.Errorf("kiwoom fake: mode %q must be mock or live", opts.Mode)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.AppKey == "" {
		opts.AppKey = KiwoomFakeAppKey
	}
	if opts.SecretKey == "" {
		opts.SecretKey = KiwoomFakeSecretKey
	}
	if opts.OtherModeAppKey == "" {
		opts.OtherModeAppKey = KiwoomFakeOtherModeAppKey
	}
	if opts.Account == "" {
		opts.Account = KiwoomFakeAccount
	}
	if opts.Cash == 0 {
		opts.Cash = KiwoomFakeCash
	}
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = 24 * time.Hour
	}
	if opts.RateLimit == 0 {
		opts.RateLimit = 5
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 2
	}
	if opts.ChartPageSize <= 0 {
		opts.ChartPageSize = 100
	}
	f := &KiwoomFake{
		opts:       opts,
		clk:        clock.Offset(opts.Clock, opts.ClockOffset),
		logger:     opts.Logger,
		closed:     make(chan struct{}),
		tokens:     map[string]kwToken{},
		marketOpen: true,
		faults:     map[string][]KiwoomFault{},
		injected:   map[string][]kwInjected{},
		requests:   map[string]int{},
		rate:       rateWindows{limit: opts.RateLimit, strict: opts.StrictWindow},
	}
	f.simAccount = simAccount{lk: &f.mu, simClk: f.clk}
	var err error
	if f.cal, err = f.openSim("kiwoom", "%07d", opts.MarketHours, opts.Sim, opts.Cash, opts.Stocks, f.onEvent); err != nil {
		return nil, err
	}
	f.startTicker(opts.Sim.Tick)
	if f.srv, err = startServer(http.HandlerFunc(f.serveHTTP), opts.Addr); err != nil {
		f.stopTicker()
		return nil, fmt.Errorf("kiwoom fake: %w", err)
	}
	return f, nil
}

// Mode is "mock" or "live".
func (f *KiwoomFake) Mode() string { return f.opts.Mode }

// Credentials are the app key, secret key and account the fake accepts.
func (f *KiwoomFake) Credentials() (appKey, secretKey, account string) {
	return f.opts.AppKey, f.opts.SecretKey, f.opts.Account
}

// URL is the base URL to give a client (Options.BaseURL).
func (f *KiwoomFake) URL() string { return f.srv.URL }

// Close stops the server, releasing any answer held by a delay fault.
func (f *KiwoomFake) Close() {
	f.once.Do(func() { close(f.closed) })
	f.held.releaseAll()
	f.srv.CloseClientConnections()
	f.srv.Close()
	f.stopTicker()
}

// Hold keeps every request of apiID (ka10075, say) unanswered until
// release is called: a broker slow to answer, for as long as a test needs,
// with no timer. Requests the client gives up on are dropped.
func (f *KiwoomFake) Hold(apiID string) (release func()) { return f.held.hold(apiID) }

// InjectFault makes the next request of apiID fail with fault, after it
// passed the token and rate checks. Faults queue in order.
func (f *KiwoomFake) InjectFault(apiID string, fault KiwoomFault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults[apiID] = append(f.faults[apiID], fault)
}

// InjectError makes the next request of apiID fail with an official error
// code (kiwoom.md §7) in the fake's encoding; msg "" uses the fake's
// wording for that code. apiID "au10001" targets token issuance.
func (f *KiwoomFake) InjectError(apiID string, code int, msg string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.injected[apiID] = append(f.injected[apiID], kwInjected{code, msg})
}

// ExpireTokens makes every issued token invalid, as Kiwoom does at expiry
// or revocation: the next call answers 8005.
func (f *KiwoomFake) ExpireTokens() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokens = map[string]kwToken{}
}

// SetMarketOpen makes the order desk accept (true, the default) or refuse
// orders as outside market hours.
func (f *KiwoomFake) SetMarketOpen(open bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.marketOpen = open
}

// Issuances is how many tokens the fake has issued.
func (f *KiwoomFake) Issuances() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.issuances
}

// Requests is how many requests with this api-id arrived (all answers).
func (f *KiwoomFake) Requests(apiID string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[apiID]
}

// RateLimited is how many 429 answers the fake has sent.
func (f *KiwoomFake) RateLimited() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.limited
}

// Log returns every request received so far.
func (f *KiwoomFake) Log() []KiwoomRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]KiwoomRequest(nil), f.log...)
}

// Orders returns today's orders, oldest first, cancel orders included.
func (f *KiwoomFake) Orders() []KiwoomFakeOrder {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]KiwoomFakeOrder, len(f.orders))
	for i, o := range f.orders {
		out[i] = o.view()
	}
	return out
}

// kwAnswer is an answer before faults are applied.
type kwAnswer struct {
	status  int
	body    any
	contYN  string
	nextKey string
	apiID   string
	rc      int
}

func (f *KiwoomFake) serveHTTP(w http.ResponseWriter, r *http.Request) {
	// Every answer carries the server's time (RFC 9110 §6.6.1); on the
	// fake's own clock, so a test clock or ClockOffset shows in it.
	w.Header().Set("Date", f.clk.Now().UTC().Format(http.TimeFormat))
	if strings.HasPrefix(r.URL.Path, "/_fake/") {
		f.serveControl(w, r)
		return
	}
	if r.URL.Path == "/api/dostk/websocket" {
		f.serveWS(w, r)
		return
	}
	if !f.held.wait(r.Context(), r.Header.Get("api-id")) {
		return // the client gave up waiting
	}
	raw := readBody(r)
	entry := KiwoomRequest{
		Time: f.clk.Now(), Path: r.URL.Path, APIID: r.Header.Get("api-id"),
		ContYN: r.Header.Get("cont-yn"), NextKey: r.Header.Get("next-key"), Body: redactSecret(raw),
	}
	a, fault := f.answer(r, raw)
	entry.Status, entry.ReturnCode = a.status, a.rc
	f.mu.Lock()
	f.log = append(f.log, entry)
	f.mu.Unlock()
	f.logger.Debug("kiwoom fake", "path", entry.Path, "api_id", entry.APIID, "status", entry.Status, "return_code", entry.ReturnCode, "fault", int(fault))
	if f.opts.OnRequest != nil {
		f.opts.OnRequest(entry)
	}

	switch fault {
	case KiwoomFault500, KiwoomFault500AfterAccept:
		gatewayError(w, "500 Internal Server Error")
		return
	case KiwoomFault401:
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, "Unauthorized")
		return
	case KiwoomFaultDelayAfterAccept:
		select {
		case <-r.Context().Done():
		case <-f.closed:
		}
		return
	case KiwoomFaultResetAfterAccept:
		resetConn(w)
		return
	}
	body, _ := json.Marshal(a.body)
	w.Header().Set("content-type", "application/json;charset=UTF-8")
	if a.apiID != "" {
		w.Header().Set("api-id", a.apiID)
		cont := a.contYN
		if cont == "" {
			cont = "N"
		}
		w.Header().Set("cont-yn", cont)
		w.Header().Set("next-key", a.nextKey)
	}
	w.WriteHeader(a.status)
	_, _ = w.Write(body)
}

func redactSecret(raw []byte) string {
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return string(raw)
	}
	if _, ok := m["secretkey"]; ok {
		m["secretkey"] = "[REDACTED]"
		b, _ := json.Marshal(m)
		return string(b)
	}
	return string(raw)
}

// kwRoutes maps each api-id the fake serves to its category path.
var kwRoutes = map[string]string{
	"ka10100": "/api/dostk/stkinfo",
	"ka10001": "/api/dostk/stkinfo",
	"kt10000": "/api/dostk/ordr",
	"kt10001": "/api/dostk/ordr",
	"kt10003": "/api/dostk/ordr",
	"ka00001": "/api/dostk/acnt",
	"kt00001": "/api/dostk/acnt",
	"kt00018": "/api/dostk/acnt",
	"ka10075": "/api/dostk/acnt",
	"ka10076": "/api/dostk/acnt",
	"ka10080": "/api/dostk/chart",
}

// answer checks a request the way Kiwoom does and carries it out. It
// returns the fault to apply to the answer, if any.
func (f *KiwoomFake) answer(r *http.Request, raw []byte) (kwAnswer, KiwoomFault) {
	if r.Method != http.MethodPost {
		return kwAnswer{status: http.StatusMethodNotAllowed, body: map[string]any{"return_code": 2, "return_msg": "POST만 지원합니다"}, rc: 2}, 0
	}
	switch r.URL.Path {
	case "/oauth2/token":
		// An injected KiwoomFault500 on au10001 is the gateway failing
		// before the token service looked: nothing issued.
		f.mu.Lock()
		var fault KiwoomFault
		if fs := f.faults["au10001"]; len(fs) > 0 && fs[0] == KiwoomFault500 {
			fault, f.faults["au10001"] = fs[0], fs[1:]
			f.requests["au10001"]++
		}
		f.mu.Unlock()
		if fault != 0 {
			return kwAnswer{status: http.StatusInternalServerError}, fault
		}
		return f.issue(raw), 0
	case "/oauth2/revoke":
		return f.revoke(raw), 0
	}
	apiID := r.Header.Get("api-id")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.m.Advance(f.clk.Now())
	if apiID != "" {
		f.requests[apiID]++
	}
	path, known := kwRoutes[apiID]
	switch {
	case apiID == "":
		return f.errAnswer("", 1501, ""), 0
	case !known:
		return f.errAnswer(apiID, 1505, ""), 0
	case path != r.URL.Path:
		return f.errAnswer(apiID, 1504, ""), 0
	}
	auth := r.Header.Get("authorization")
	tok, hasBearer := strings.CutPrefix(auth, "Bearer ")
	switch {
	case auth == "":
		return f.errAnswer(apiID, 1513, ""), 0
	case !hasBearer || strings.TrimSpace(tok) == "":
		return f.errAnswer(apiID, 1514, ""), 0
	}
	t, ok := f.tokens[tok]
	if !ok || !f.clk.Now().Before(t.expiry) {
		return f.errAnswer(apiID, 8005, ""), 0
	}
	if inj := f.injected[apiID]; len(inj) > 0 {
		f.injected[apiID] = inj[1:]
		return f.errAnswer(apiID, inj[0].code, inj[0].msg), 0
	}
	// Over the limit Kiwoom answers 1700 (the official client's
	// RATE_LIMIT_CODES = {1700}, kiwoom/core/errors.py in
	// Kiwoom-Securities/Kiwoom-REST-API), with HTTP 429 (errAnswer).
	if !f.rate.admit(t.appKey+"|"+apiID, f.clk.Now()) {
		return f.errAnswer(apiID, 1700, ""), 0
	}
	var fault KiwoomFault
	if q := f.faults[apiID]; len(q) > 0 {
		fault, f.faults[apiID] = q[0], q[1:]
		if fault == KiwoomFault500 || fault == KiwoomFault401 {
			return kwAnswer{status: 500, apiID: apiID}, fault
		}
	}
	var body map[string]string
	if len(bytes.TrimSpace(raw)) > 0 {
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			return f.errAnswer(apiID, 1517, ""), fault
		}
		body = map[string]string{}
		for k, v := range m {
			s, ok := v.(string)
			if !ok {
				return f.errAnswer(apiID, 1517, fmt.Sprintf("입력 값 형식이 올바르지 않습니다. 파라미터=%s", k)), fault
			}
			body[k] = s
		}
	}
	a := f.dispatch(apiID, body, r.Header.Get("cont-yn"), r.Header.Get("next-key"))
	a.apiID = apiID
	if m, ok := a.body.(map[string]any); ok {
		mangleLists(m, int(fault-KiwoomFaultListMissing))
	}
	return a, fault
}

func (f *KiwoomFake) dispatch(apiID string, body map[string]string, contYN, nextKey string) kwAnswer {
	switch apiID {
	case "ka10001":
		return f.quote(body)
	case "ka10100":
		return f.stockInfo(body)
	case "kt10000":
		return f.place(apiID, broker.Buy, body)
	case "kt10001":
		return f.place(apiID, broker.Sell, body)
	case "kt10003":
		return f.cancel(apiID, body)
	case "ka00001":
		return f.ok(map[string]any{"acctNo": f.opts.Account})
	case "kt00001":
		return f.depositDetail(apiID, body)
	case "kt00018":
		return f.balance(apiID, body, nextKey)
	case "ka10075":
		return f.openOrders(apiID, body, nextKey)
	case "ka10076":
		return f.filledOrders(apiID, body, nextKey)
	case "ka10080":
		return f.minuteChart(apiID, body, nextKey)
	}
	return f.errAnswer(apiID, 1505, "")
}

// issue is au10001.
func (f *KiwoomFake) issue(raw []byte) kwAnswer {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests["au10001"]++
	var in map[string]string
	if err := json.Unmarshal(raw, &in); err != nil {
		return f.errAnswer("", 1517, "")
	}
	if inj := f.injected["au10001"]; len(inj) > 0 {
		f.injected["au10001"] = inj[1:]
		return f.errAnswer("", inj[0].code, inj[0].msg)
	}
	switch {
	case in["grant_type"] == "":
		return f.errAnswer("", 8011, "")
	case in["grant_type"] != "client_credentials":
		return f.errAnswer("", 8012, "")
	case in["appkey"] == "" || in["secretkey"] == "":
		return f.errAnswer("", 8020, "")
	case in["appkey"] == f.opts.OtherModeAppKey:
		return f.errAnswer("", 8030, "")
	case in["appkey"] != f.opts.AppKey || in["secretkey"] != f.opts.SecretKey:
		return f.errAnswer("", 8001, "")
	}
	var b [24]byte
	_, _ = rand.Read(b[:])
	tok := hex.EncodeToString(b[:])
	exp := f.clk.Now().Add(f.opts.TokenTTL)
	f.tokens[tok] = kwToken{appKey: in["appkey"], expiry: exp}
	f.issuances++
	return f.ok(map[string]any{
		"expires_dt": exp.In(broker.KST()).Format("20060102150405"),
		"token_type": "bearer",
		"token":      tok,
	})
}

// revoke is au10002.
func (f *KiwoomFake) revoke(raw []byte) kwAnswer {
	f.mu.Lock()
	defer f.mu.Unlock()
	var in map[string]string
	if err := json.Unmarshal(raw, &in); err != nil {
		return f.errAnswer("", 1517, "")
	}
	if in["appkey"] != f.opts.AppKey || in["secretkey"] != f.opts.SecretKey {
		return f.errAnswer("", 8001, "")
	}
	if _, ok := f.tokens[in["token"]]; !ok {
		return f.errAnswer("", 8016, "")
	}
	delete(f.tokens, in["token"])
	return f.ok(map[string]any{})
}

func (f *KiwoomFake) ok(body map[string]any) kwAnswer {
	body["return_code"] = 0
	body["return_msg"] = "정상적으로 처리되었습니다"
	return kwAnswer{status: http.StatusOK, body: body}
}

// kwMessages words the official codes the way Kiwoom's error table does
// (paraphrased from [SPEC] error_codes; 8005's text is the live one).
var kwMessages = map[int]string{
	1501: "API ID가 Null이거나 값이 없습니다",
	1504: "해당 URI에서는 지원하는 API ID가 아닙니다",
	1505: "해당 API ID는 존재하지 않습니다",
	1511: "필수 입력 값에 값이 존재하지 않습니다",
	1513: "Http header에 authorization 필드가 설정되어 있어야 합니다",
	1514: "입력으로 들어온 Http Header의 authorization 필드 형식이 맞지 않습니다",
	1517: "입력 값 형식이 올바르지 않습니다",
	1700: "허용된 API 요청 개수를 초과하였습니다",
	1701: "허용된 총 API 요청 개수를 초과하였습니다",
	1902: "종목 정보가 없습니다",
	1999: "예기치 못한 에러입니다",
	8001: "App Key와 Secret Key 검증에 실패했습니다",
	8005: "Token이 유효하지 않습니다",
	8010: "Token을 발급받은 IP와 서비스를 요청한 IP가 동일하지 않습니다",
	8011: "grant_type이 들어오지 않았습니다",
	8012: "grant_type 값이 잘못되었습니다",
	8016: "폐기할 Token이 존재하지 않습니다",
	8020: "appkey 또는 secretkey가 들어오지 않았습니다",
	8030: "투자구분(실전/모의)이 달라서 Appkey를 사용할 수 없습니다",
	8031: "투자구분(실전/모의)이 달라서 Token를 사용할 수 없습니다",
	8040: "단말기 인증에 실패했습니다",
	8050: "지정단말기 인증에 실패했습니다",
	8103: "Token 인증 또는 단말기 인증에 실패했습니다",
	8104: "모의투자에서는 지원하지 않는 API입니다",
}

// errAnswer encodes an official error code. In the live encoding the
// class and its words (2 입력 값 오류, 3 인증 실패, 5 요청 개수 초과) are the
// observed ones; 1 for 1999 and 2 for 19xx are the fake's guesses.
func (f *KiwoomFake) errAnswer(apiID string, code int, msg string) kwAnswer {
	if msg == "" && code == 1700 {
		msg = fmt.Sprintf("허용된 API 요청 개수를 초과하였습니다. 유량=%d, API ID=%s", max(f.opts.RateLimit, 0), apiID)
	}
	if msg == "" {
		msg = kwMessages[code]
	}
	if msg == "" {
		msg = "오류가 발생했습니다"
	}
	status := http.StatusOK
	if code >= 1700 && code <= 1702 {
		status = http.StatusTooManyRequests
		f.limited++ // every caller holds f.mu
	}
	rc, text := code, msg
	if f.opts.Errors == KiwoomErrorsLive {
		var class int
		var words string
		switch {
		case code >= 1700 && code <= 1702:
			class, words = 5, "허용된 요청 개수를 초과하였습니다"
		case code >= 8000:
			class, words = 3, "인증에 실패했습니다"
		case code == 1999:
			class, words = 1, "시스템 오류입니다"
		default:
			class, words = 2, "입력 값 오류입니다"
		}
		rc, text = class, fmt.Sprintf("%s[%d:%s]", words, code, msg)
	}
	return kwAnswer{status: status, apiID: apiID, rc: rc, body: map[string]any{"return_code": rc, "return_msg": text}}
}

// deskReject is an order desk refusal: "[2000](CODE:message)" with
// return_code 20 live (2000 in the code encoding), as seen on real
// kt10000/kt10001 answers (see broker/kiwoom orderCodes).
func (f *KiwoomFake) deskReject(apiID, code, msg string) kwAnswer {
	rc := 20
	if f.opts.Errors == KiwoomErrorsCode {
		rc = 2000
	}
	return kwAnswer{status: http.StatusOK, apiID: apiID, rc: rc,
		body: map[string]any{"return_code": rc, "return_msg": fmt.Sprintf("[2000](%s:%s)", code, msg)}}
}

// mock prefixes a desk message the way the mock server does.
func (f *KiwoomFake) mock(msg string) string {
	if f.opts.Mode == "live" {
		return msg
	}
	return "모의투자 " + msg
}

// page cuts rows into the fake's page size; next-key is the offset.
func (f *KiwoomFake) page(rows []map[string]any, nextKey string) ([]map[string]any, string, string) {
	return pageOf(rows, nextKey, f.opts.PageSize)
}

// pageOf cuts rows into pages of size; next-key is the offset.
func pageOf(rows []map[string]any, nextKey string, size int) ([]map[string]any, string, string) {
	start := 0
	if nextKey != "" {
		if n, err := strconv.Atoi(strings.TrimPrefix(nextKey, "kw-")); err == nil && n >= 0 && n <= len(rows) {
			start = n
		}
	}
	page, end := pageRows(rows, start, size)
	if end == len(rows) {
		return page, "N", ""
	}
	return page, "Y", fmt.Sprintf("kw-%d", end)
}

func (f *KiwoomFake) requireFields(apiID string, body map[string]string, names ...string) (kwAnswer, bool) {
	for _, n := range names {
		if strings.TrimSpace(body[n]) == "" {
			return f.errAnswer(apiID, 1511, "필수 입력 값에 값이 존재하지 않습니다. 필수입력 파라미터="+n), false
		}
	}
	return kwAnswer{}, true
}

// mangleLists applies a list fault to every array field of an answer body:
// how 0 leaves the field out, 1 makes it null, 2 an object. Any other how
// leaves the body alone. Shared by both fakes.
func mangleLists(body map[string]any, how int) {
	if how < 0 || how > 2 {
		return
	}
	for k, v := range body {
		switch reflect.ValueOf(v).Kind() {
		case reflect.Slice, reflect.Array:
		default:
			continue
		}
		switch how {
		case 0:
			delete(body, k)
		case 1:
			body[k] = nil
		case 2:
			body[k] = map[string]any{}
		}
	}
}

// kwField is one ka10001 field to override, for times answers.
type kwField struct {
	name, value string
	times       int
}

// InjectQuoteField makes the next times ka10001 answers carry value in
// field (cur_prc, lst_pric, …), whatever the market says: a quote no
// exchange could produce, as the red team's price of 100 won under a lower
// limit of 49,490 (issue 21, item 6). times ≤ 0 means once.
func (f *KiwoomFake) InjectQuoteField(field, value string, times int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.quoteFields = append(f.quoteFields, kwField{name: field, value: value, times: max(times, 1)})
}

// applyQuoteFieldsLocked applies and counts down the injected overrides.
func (f *KiwoomFake) applyQuoteFieldsLocked(m map[string]any) {
	kept := f.quoteFields[:0]
	for _, q := range f.quoteFields {
		m[q.name] = q.value
		if q.times--; q.times > 0 {
			kept = append(kept, q)
		}
	}
	f.quoteFields = kept
}
