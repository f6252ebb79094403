package kiwoom_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/broker/kiwoom"
	"github.com/hoga-trade/hoga/broker/tokencache"
	"github.com/hoga-trade/hoga/clock"
)

var ctx = context.Background()

// start is 10:00 KST on a trading day; fake clocks start here.
var start = time.Date(2026, 3, 3, 10, 0, 0, 0, broker.KST())

// autoAdvance moves clk forward by step whenever something waits on it
// (backoff, rate limiter), so a test needs no sleeps and no real waiting.
func autoAdvance(t *testing.T, clk *clock.Fake, step time.Duration) {
	t.Helper()
	done := make(chan struct{})
	stopped := make(chan struct{})
	t.Cleanup(func() { close(done); <-stopped })
	go func() {
		defer close(stopped)
		for clk.BlockUntil(1, done) {
			clk.Advance(step)
		}
	}()
}

// recorder keeps every request a client sends.
type recorder struct {
	mu   sync.Mutex
	reqs []recorded
	next http.RoundTripper
}

type recorded struct {
	method, path string
	header       http.Header
	body         string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	r.mu.Lock()
	r.reqs = append(r.reqs, recorded{req.Method, req.URL.Path, req.Header.Clone(), string(body)})
	r.mu.Unlock()
	return r.next.RoundTrip(req)
}

func (r *recorder) all() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.reqs...)
}

func kindIs(t *testing.T, err error, want broker.Kind) *broker.Error {
	t.Helper()
	e, ok := broker.AsError(err)
	if !ok || e.Kind != want {
		t.Fatalf("error = %v (kind %v); want kind %v", err, broker.KindOf(err), want)
	}
	return e
}

var encodings = []struct {
	name string
	enc  brokertest.KiwoomErrorEncoding
}{
	{"live_encoding", brokertest.KiwoomErrorsLive},
	{"code_encoding", brokertest.KiwoomErrorsCode},
}

func TestQuoteSignPrefixedNumbers(t *testing.T) {
	t.Parallel()
	c, _ := newClient(t, brokertest.KiwoomFakeOptions{Stocks: kwStocks}, kiwoom.Options{})
	tests := []struct {
		code                      broker.Code
		price, change, upper, low int64
		pct                       float64
		sign                      broker.Sign
	}{
		// 000660 is down: the fake sends cur_prc "-180000", pred_pre "-5000".
		{"000660", 180_000, -5_000, 240_500, 129_500, -2.70, broker.SignDown},
		{"005930", 71_000, 1_000, 91_000, 49_000, 1.43, broker.SignUp},
		{"035720", 42_000, 0, 54_600, 29_400, 0, broker.SignFlat},
	}
	for _, tt := range tests {
		q, err := c.Quote(ctx, tt.code)
		if err != nil {
			t.Fatalf("Quote(%s): %v", tt.code, err)
		}
		if q.Price != tt.price || q.Change != tt.change || q.ChangePct != tt.pct || q.Sign != tt.sign ||
			q.UpperLimit != tt.upper || q.LowerLimit != tt.low || q.PrevClose != tt.price-tt.change {
			t.Errorf("Quote(%s) = %+v", tt.code, q)
		}
		if q.Low <= 0 || q.High < q.Low || q.Tick != broker.TickSize(q.Price) || q.Name == "" {
			t.Errorf("Quote(%s) ranges = %+v", tt.code, q)
		}
	}
	if _, err := c.Quote(ctx, "12345"); broker.KindOf(err) != broker.Invalid {
		t.Errorf("a 5-character code: %v, want invalid", err)
	}
}

func TestUnknownCodeBothEncodings(t *testing.T) {
	t.Parallel()
	for _, enc := range encodings {
		t.Run(enc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := newClient(t, brokertest.KiwoomFakeOptions{Errors: enc.enc}, kiwoom.Options{})
			_, err := c.Quote(ctx, "999999")
			if e := kindIs(t, err, broker.NotFound); e.Code != "1902" {
				t.Errorf("code = %q, want 1902", e.Code)
			}
		})
	}
}

func TestHeadersAndNoAccountSent(t *testing.T) {
	t.Parallel()
	rec := &recorder{next: http.DefaultTransport}
	c, fake := newClient(t, brokertest.KiwoomFakeOptions{Stocks: kwStocks}, kiwoom.Options{HTTPClient: &http.Client{Transport: rec}})
	acct, err := c.Account(ctx)
	if err != nil || acct != brokertest.KiwoomFakeAccount {
		t.Fatalf("Account = %q, %v", acct, err)
	}
	if got := kiwoom.MaskAccount(acct); got != "5012****-11" {
		t.Errorf("MaskAccount = %q", got)
	}
	if _, err := c.Quote(ctx, "005930"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Balance(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.OrdersToday(ctx); err != nil {
		t.Fatal(err)
	}
	o, err := c.PlaceOrder(ctx, broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 60_000})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CancelOrder(ctx, broker.CancelRequest{OrderID: o.ID, Code: "005930"}); err != nil {
		t.Fatal(err)
	}
	reqs := rec.all()
	if len(reqs) < 8 {
		t.Fatalf("only %d requests recorded", len(reqs))
	}
	for i, r := range reqs {
		if r.method != http.MethodPost {
			t.Errorf("request %d %s is %s, want POST", i, r.path, r.method)
		}
		if ct := r.header.Get("content-type"); ct != "application/json;charset=UTF-8" {
			t.Errorf("request %d %s content-type %q", i, r.path, ct)
		}
		if strings.Contains(r.body, acct) || strings.Contains(fmt.Sprint(r.header), acct) {
			t.Errorf("request %d %s carries the account number", i, r.path)
		}
		if r.path == "/oauth2/token" {
			if r.header.Get("api-id") != "" || r.header.Get("authorization") != "" {
				t.Errorf("token request sent api-id/authorization: %v", r.header)
			}
			if !strings.Contains(r.body, `"grant_type":"client_credentials"`) || !strings.Contains(r.body, `"secretkey"`) {
				t.Errorf("token request body %s", r.body)
			}
			continue
		}
		if r.header.Get("api-id") == "" || !strings.HasPrefix(r.header.Get("authorization"), "Bearer ") {
			t.Errorf("request %d %s headers %v", i, r.path, r.header)
		}
	}
	for _, want := range []string{`"dmst_stex_tp":"KRX"`, `"trde_tp":"0"`, `"ord_uv":"60000"`, `"cond_uv":""`} {
		if !strings.Contains(reqs[len(reqs)-2].body, want) {
			t.Errorf("order body %s lacks %s", reqs[len(reqs)-2].body, want)
		}
	}
	if last := reqs[len(reqs)-1].body; !strings.Contains(last, `"cncl_qty":"0"`) || !strings.Contains(last, `"orig_ord_no":"`+o.ID+`"`) {
		t.Errorf("cancel body %s", last)
	}
	if fake.Issuances() != 1 {
		t.Errorf("issuances = %d, want 1", fake.Issuances())
	}
}

func TestBalanceZeroPaddedAndPaged(t *testing.T) {
	t.Parallel()
	c, fake := newClient(t, brokertest.KiwoomFakeOptions{Stocks: kwStocks}, kiwoom.Options{})
	fake.SetHolding("005930", 10, 75_000) // at a loss: evltv_prft "-0000000000040000"
	fake.SetHolding("000660", 3, 150_000)
	fake.SetHolding("035720", 7, 40_000)
	b, err := c.Balance(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Positions) != 3 || fake.Requests("kt00018") != 2 {
		t.Fatalf("positions %d over %d kt00018 pages; want 3 over 2", len(b.Positions), fake.Requests("kt00018"))
	}
	p, ok := b.Position("005930")
	if !ok || p.Qty != 10 || p.Sellable != 10 || p.AvgPrice != 75_000 || p.Price != 71_000 || p.Cost != 750_000 ||
		p.Value != 710_000 || p.PnL != -40_000 || p.PnLPct != -5.33 || p.Name != "삼성전자" {
		t.Errorf("005930 = %+v", p)
	}
	if b.Cash != brokertest.KiwoomFakeCash || b.Orderable != brokertest.KiwoomFakeCash {
		t.Errorf("cash %d orderable %d", b.Cash, b.Orderable)
	}
	wantValue := int64(710_000 + 540_000 + 294_000)
	wantCost := int64(750_000 + 450_000 + 280_000)
	if b.StockValue != wantValue || b.Cost != wantCost || b.PnL != wantValue-wantCost || b.Total != b.Cash+wantValue {
		t.Errorf("totals %+v", b)
	}
	// A buy moves the D+2 cash at once, while 예수금 waits for settlement.
	if _, err := c.PlaceOrder(ctx, broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Market, Qty: 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PlaceOrder(ctx, broker.OrderRequest{Code: "005930", Side: broker.Sell, Type: broker.Limit, Qty: 5, Price: 80_000}); err != nil {
		t.Fatal(err)
	}
	b, err = c.Balance(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if b.Cash != brokertest.KiwoomFakeCash-142_000 {
		t.Errorf("cash after buying 2 at 71,000 = %d", b.Cash)
	}
	if p, _ := b.Position("005930"); p.Qty != 12 || p.Sellable != 7 {
		t.Errorf("after buy and open sell: %+v", p)
	}
}

func TestOrdersTodayStatusesAndPaging(t *testing.T) {
	t.Parallel()
	c, fake := newClient(t, brokertest.KiwoomFakeOptions{Stocks: kwStocks}, kiwoom.Options{})
	fake.SetHolding("000660", 5, 150_000)
	place := func(r broker.OrderRequest) broker.Order {
		t.Helper()
		o, err := c.PlaceOrder(ctx, r)
		if err != nil {
			t.Fatalf("PlaceOrder(%+v): %v", r, err)
		}
		if o.Status != broker.StatusAccepted {
			t.Errorf("placed order status %s", o.Status)
		}
		return o
	}
	filled := place(broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Market, Qty: 3})
	open := place(broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 2, Price: 65_000})
	partial := place(broker.OrderRequest{Code: "000660", Side: broker.Sell, Type: broker.Limit, Qty: 4, Price: 190_000})
	if err := fake.Fill(partial.ID, 1); err != nil {
		t.Fatal(err)
	}
	cancelled := place(broker.OrderRequest{Code: "035720", Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 40_000})
	if _, err := c.CancelOrder(ctx, broker.CancelRequest{OrderID: cancelled.ID, Code: "035720"}); err != nil {
		t.Fatal(err)
	}
	crossed := place(broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 70_000})
	fake.SetPrice("005930", 69_900) // crosses the 70,000 bid

	orders, err := c.OrdersToday(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		status       broker.OrderStatus
		filled, avg  int64
		side         broker.Side
		typ          broker.OrderType
		price, qty   int64
		code         broker.Code
		wantRemained int64
	}{
		filled.ID:    {broker.StatusFilled, 3, 71_000, broker.Buy, broker.Market, 0, 3, "005930", 0},
		open.ID:      {broker.StatusAccepted, 0, 0, broker.Buy, broker.Limit, 65_000, 2, "005930", 2},
		partial.ID:   {broker.StatusPartial, 1, 190_000, broker.Sell, broker.Limit, 190_000, 4, "000660", 3},
		cancelled.ID: {broker.StatusCancelled, 0, 0, broker.Buy, broker.Limit, 40_000, 1, "035720", 0},
		crossed.ID:   {broker.StatusFilled, 1, 70_000, broker.Buy, broker.Limit, 70_000, 1, "005930", 0},
	}
	if len(orders) != len(want) {
		t.Fatalf("OrdersToday = %+v; want %d orders (cancel orders folded in)", orders, len(want))
	}
	for _, o := range orders {
		w, ok := want[o.ID]
		if !ok {
			t.Errorf("unexpected order %+v", o)
			continue
		}
		if o.Status != w.status || o.FilledQty != w.filled || o.AvgFillPrice != w.avg || o.Side != w.side ||
			o.Type != w.typ || o.Price != w.price || o.Qty != w.qty || o.Code != w.code || o.Remaining() != w.wantRemained || o.Time.IsZero() {
			t.Errorf("order %s = %+v; want %+v", o.ID, o, w)
		}
	}
	// Five orders and a cancel at two rows a page: ka10076 needs three
	// pages, each sent with the previous answer's cont-yn/next-key and the
	// same body.
	var pages []brokertest.KiwoomRequest
	for _, r := range fake.Log() {
		if r.APIID == "ka10076" {
			pages = append(pages, r)
		}
	}
	if len(pages) != 3 {
		t.Fatalf("ka10076 pages = %d, want 3", len(pages))
	}
	for i, p := range pages {
		if p.Body != pages[0].Body {
			t.Errorf("page %d body %s differs from %s", i, p.Body, pages[0].Body)
		}
		if (i == 0) != (p.ContYN == "") || (i > 0 && (p.ContYN != "Y" || p.NextKey == "")) {
			t.Errorf("page %d headers cont-yn=%q next-key=%q", i, p.ContYN, p.NextKey)
		}
	}
}

func TestTokenReusedAcrossRestarts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fake := brokertest.NewKiwoomServer(brokertest.KiwoomFakeOptions{})
	t.Cleanup(fake.Close)
	for i := 0; i < 2; i++ {
		c, err := kiwoom.New(kiwoom.Options{AppKey: brokertest.KiwoomFakeAppKey, SecretKey: brokertest.KiwoomFakeSecretKey,
			BaseURL: fake.URL(), Tokens: tokencache.New(dir)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Quote(ctx, "005930"); err != nil {
			t.Fatalf("client %d: %v", i, err)
		}
		if c.TokenExpiry().IsZero() {
			t.Errorf("client %d has no token expiry", i)
		}
	}
	if n := fake.Issuances(); n != 1 {
		t.Fatalf("issuances = %d, want 1 (the second client reuses the cached token)", n)
	}
	// A key for the other mode gets its own entry.
	tok, ok, err := tokencache.New(dir).Load(kiwoom.TokenKey(kiwoom.ModeMock, brokertest.KiwoomFakeAppKey))
	if err != nil || !ok || tok.Value == "" || tok.IssuedAt.IsZero() {
		t.Fatalf("cached token %v, %v, %v", tok, ok, err)
	}
	if _, ok, _ := tokencache.New(dir).Load(kiwoom.TokenKey(kiwoom.ModeLive, brokertest.KiwoomFakeAppKey)); ok {
		t.Error("a live entry exists for a mock client")
	}
}

func TestTokenExpiryIsKST(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(start)
	c, _ := newClient(t, brokertest.KiwoomFakeOptions{Clock: clk, TokenTTL: 24 * time.Hour}, kiwoom.Options{Clock: clk})
	if _, err := c.Account(ctx); err != nil {
		t.Fatal(err)
	}
	// expires_dt is KST wall time; read as UTC it would be 9 h off
	// (jaminism/jsmstock #45).
	if got, want := c.TokenExpiry(), start.Add(24*time.Hour); !got.Equal(want) {
		t.Fatalf("TokenExpiry = %v, want %v", got, want)
	}
}

func TestTokenSingleFlight(t *testing.T) {
	t.Parallel()
	c, fake := newClient(t, brokertest.KiwoomFakeOptions{RateLimit: -1}, kiwoom.Options{RPS: 1000})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Quote(ctx, "005930")
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := fake.Issuances(); n != 1 {
		t.Fatalf("8 concurrent first calls issued %d tokens, want 1", n)
	}
}

func TestTokenRenewedBeforeExpiry(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(start)
	c, fake := newClient(t, brokertest.KiwoomFakeOptions{Clock: clk, TokenTTL: time.Hour}, kiwoom.Options{Clock: clk})
	if _, err := c.Account(ctx); err != nil {
		t.Fatal(err)
	}
	clk.Advance(49 * time.Minute) // 11 minutes left: still used
	if _, err := c.Account(ctx); err != nil || fake.Issuances() != 1 {
		t.Fatalf("at 11 minutes left: %v, issuances %d", err, fake.Issuances())
	}
	clk.Advance(2 * time.Minute) // 9 minutes left: renewed first
	if _, err := c.Account(ctx); err != nil || fake.Issuances() != 2 {
		t.Fatalf("at 9 minutes left: %v, issuances %d", err, fake.Issuances())
	}
	if got := c.TokenExpiry(); !got.Equal(start.Add(51*time.Minute + time.Hour)) {
		t.Errorf("expiry after renewal %v", got)
	}
}

// TestRenewalFailureKeepsTheToken: a renewal Kiwoom refuses while the
// token still has minutes left leaves that token in use, as on KIS (the
// shared token lifecycle); before, the one call that tried to renew failed.
func TestRenewalFailureKeepsTheToken(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(start)
	c, fake := newClient(t, brokertest.KiwoomFakeOptions{Clock: clk, TokenTTL: time.Hour}, kiwoom.Options{Clock: clk})
	if _, err := c.Account(ctx); err != nil {
		t.Fatal(err)
	}
	clk.Advance(55 * time.Minute) // 5 minutes left: renewal due
	fake.InjectError("au10001", 8050, "")
	if _, err := c.Quote(ctx, "005930"); err != nil {
		t.Fatalf("Quote with 5 minutes left and the renewal refused: %v", err)
	}
	if fake.Requests("au10001") != 2 || fake.Issuances() != 1 {
		t.Errorf("token requests %d, issuances %d; want 2 and 1", fake.Requests("au10001"), fake.Issuances())
	}
	if got := c.TokenExpiry(); !got.Equal(start.Add(time.Hour)) {
		t.Errorf("expiry %v; want the held token's", got)
	}
}

func TestInvalidTokenRefreshedOnce(t *testing.T) {
	t.Parallel()
	for _, enc := range encodings {
		t.Run(enc.name, func(t *testing.T) {
			t.Parallel()
			clk := clock.NewFake(start)
			autoAdvance(t, clk, 50*time.Millisecond) // the retry with a new token waits for the limiter
			c, fake := newClient(t, brokertest.KiwoomFakeOptions{Clock: clk, Errors: enc.enc}, kiwoom.Options{Clock: clk})
			if _, err := c.Quote(ctx, "005930"); err != nil {
				t.Fatal(err)
			}
			clk.Advance(2 * time.Minute)
			fake.ExpireTokens() // the next call answers 8005
			if _, err := c.Quote(ctx, "005930"); err != nil {
				t.Fatalf("Quote after 8005: %v", err)
			}
			if fake.Issuances() != 2 || fake.Requests("ka10001") != 3 {
				t.Fatalf("issuances %d, ka10001 requests %d; want 2 and 3 (ok, 8005, retry)", fake.Issuances(), fake.Requests("ka10001"))
			}
			// 8005 twice in a row: renewed once, then reported.
			clk.Advance(2 * time.Minute)
			fake.InjectError("ka10001", 8005, "")
			fake.InjectError("ka10001", 8005, "")
			_, err := c.Quote(ctx, "005930")
			if e := kindIs(t, err, broker.Auth); e.Code != "8005" {
				t.Errorf("code %q, want 8005", e.Code)
			}
			if fake.Issuances() != 3 || fake.Requests("ka10001") != 5 {
				t.Fatalf("issuances %d, ka10001 requests %d; want 3 and 5", fake.Issuances(), fake.Requests("ka10001"))
			}
		})
	}
}

func TestRefreshWaitsOutIssuanceGap(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(start)
	c, fake := newClient(t, brokertest.KiwoomFakeOptions{Clock: clk}, kiwoom.Options{Clock: clk})
	if _, err := c.Quote(ctx, "005930"); err != nil {
		t.Fatal(err)
	}
	clk.Advance(10 * time.Second)
	fake.ExpireTokens()
	_, err := c.Quote(ctx, "005930")
	e := kindIs(t, err, broker.Auth)
	if e.Code != "8005" || e.RetryAfter != 50*time.Second {
		t.Errorf("refused 10 s after issuance: code %q retry after %v; want 8005 and 50s", e.Code, e.RetryAfter)
	}
	if fake.Issuances() != 1 {
		t.Fatalf("issuances = %d; the 60 s gap was not kept", fake.Issuances())
	}
	clk.Advance(time.Minute)
	if _, err := c.Quote(ctx, "005930"); err != nil || fake.Issuances() != 2 {
		t.Fatalf("after the gap: %v, issuances %d", err, fake.Issuances())
	}
}

func TestWrongModeKey(t *testing.T) {
	t.Parallel()
	for _, enc := range encodings {
		t.Run(enc.name, func(t *testing.T) {
			t.Parallel()
			c, fake := newClient(t, brokertest.KiwoomFakeOptions{Errors: enc.enc}, kiwoom.Options{AppKey: brokertest.KiwoomFakeOtherModeAppKey})
			if err := c.EnsureToken(ctx); broker.KindOf(err) != broker.Auth {
				t.Fatalf("EnsureToken with a live key on mock: %v", err)
			}
			_, err := c.Quote(ctx, "005930")
			e := kindIs(t, err, broker.Auth)
			if e.Code != "8030" || !strings.Contains(e.Msg, "mock and live keys differ: HOGA_MODE=mock but the key is for live") {
				t.Errorf("8030 error = %v", e)
			}
			if fake.Requests("ka10001") != 0 {
				t.Error("a quote was sent without a token")
			}
			// The refusal is remembered for a minute, not asked again.
			if _, err := c.Quote(ctx, "005930"); broker.KindOf(err) != broker.Auth || fake.Requests("au10001") != 1 {
				t.Errorf("second call: %v; token requests %d", err, fake.Requests("au10001"))
			}
		})
	}
}

func TestWrongModeToken(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(start)
	autoAdvance(t, clk, 50*time.Millisecond) // the retry with a new token waits for the limiter
	c, fake := newClient(t, brokertest.KiwoomFakeOptions{Mode: "live", Clock: clk}, kiwoom.Options{Clock: clk})
	if _, err := c.Account(ctx); err != nil {
		t.Fatal(err)
	}
	clk.Advance(2 * time.Minute)
	fake.InjectError("ka10001", 8031, "")
	fake.InjectError("ka10001", 8031, "")
	_, err := c.Quote(ctx, "005930")
	e := kindIs(t, err, broker.Auth)
	if e.Code != "8031" || !strings.Contains(e.Msg, "HOGA_MODE=live but the key is for mock") {
		t.Errorf("8031 error = %v", e)
	}
	if fake.Issuances() != 2 {
		t.Errorf("issuances %d, want 2 (renewed once)", fake.Issuances())
	}
}

func TestDeviceAndKeyErrors(t *testing.T) {
	t.Parallel()
	for _, code := range []int{8050, 8040} {
		c, fake := newClient(t, brokertest.KiwoomFakeOptions{}, kiwoom.Options{})
		fake.InjectError("ka10001", code, "")
		_, err := c.Quote(ctx, "005930")
		if e := kindIs(t, err, broker.Auth); !strings.Contains(e.Msg, "register this server's public IP") {
			t.Errorf("%d: %v", code, e)
		}
	}
	c, _ := newClient(t, brokertest.KiwoomFakeOptions{}, kiwoom.Options{SecretKey: "wrong"})
	_, err := c.Quote(ctx, "005930")
	if e := kindIs(t, err, broker.Auth); e.Code != "8001" || !strings.Contains(e.Msg, "HOGA_KIWOOM_SECRET_KEY") {
		t.Errorf("wrong secret: %v", e)
	}
	// The token endpoint itself refusing the IP.
	c, fake := newClient(t, brokertest.KiwoomFakeOptions{}, kiwoom.Options{})
	fake.InjectError("au10001", 8050, "")
	_, err = c.Quote(ctx, "005930")
	if e := kindIs(t, err, broker.Auth); e.Code != "8050" || !strings.Contains(e.Msg, "openapi.kiwoom.com") {
		t.Errorf("token 8050: %v", e)
	}
}

func TestHTTP401RefreshesOnce(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(start)
	autoAdvance(t, clk, 50*time.Millisecond) // the retry with a new token waits for the limiter
	c, fake := newClient(t, brokertest.KiwoomFakeOptions{Clock: clk}, kiwoom.Options{Clock: clk})
	if _, err := c.Account(ctx); err != nil {
		t.Fatal(err)
	}
	clk.Advance(2 * time.Minute)
	fake.InjectFault("ka10001", brokertest.KiwoomFault401)
	if _, err := c.Quote(ctx, "005930"); err != nil {
		t.Fatalf("after 401: %v", err)
	}
	if fake.Issuances() != 2 {
		t.Errorf("issuances %d, want 2", fake.Issuances())
	}
}

func TestRateLimitBackoff(t *testing.T) {
	t.Parallel()
	for _, enc := range encodings {
		t.Run(enc.name, func(t *testing.T) {
			t.Parallel()
			clk := clock.NewFake(start)
			autoAdvance(t, clk, 100*time.Millisecond)
			// The fake allows one ka10001 a second; the client is told it
			// may send 50, so only backoff keeps it going.
			c, fake := newClient(t, brokertest.KiwoomFakeOptions{Clock: clk, RateLimit: 1, Errors: enc.enc}, kiwoom.Options{Clock: clk, RPS: 50})
			for i := 0; i < 3; i++ {
				if _, err := c.Quote(ctx, "005930"); err != nil {
					t.Fatalf("quote %d: %v", i, err)
				}
			}
			if fake.RateLimited() == 0 {
				t.Fatal("the fake never answered 429; the test proves nothing")
			}
			if got := fake.Requests("ka10001"); got != 3+fake.RateLimited() {
				t.Errorf("requests %d = 3 + %d rate-limited retries?", got, fake.RateLimited())
			}
			// Orders are retried after 429 too: Kiwoom refused them.
			if _, err := c.PlaceOrder(ctx, broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Market, Qty: 1}); err != nil {
				t.Fatal(err)
			}
			fake.InjectError("kt10000", 1700, "")
			if _, err := c.PlaceOrder(ctx, broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Market, Qty: 1}); err != nil {
				t.Fatalf("order after one 1700: %v", err)
			}
			if n := len(fake.Orders()); n != 2 {
				t.Errorf("orders at the fake = %d, want 2", n)
			}
		})
	}
}

func TestRateLimitGivesUp(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(start)
	autoAdvance(t, clk, 500*time.Millisecond)
	c, fake := newClient(t, brokertest.KiwoomFakeOptions{Clock: clk}, kiwoom.Options{Clock: clk})
	for i := 0; i < 10; i++ {
		fake.InjectError("ka10001", 1700, "")
	}
	_, err := c.Quote(ctx, "005930")
	e := kindIs(t, err, broker.RateLimited)
	if e.Code != "1700" || e.RetryAfter != time.Second || !strings.Contains(e.Msg, "유량=") {
		t.Errorf("error %+v", e)
	}
	if n := fake.Requests("ka10001"); n != 5 {
		t.Errorf("requests %d, want 5 (1 + 4 retries)", n)
	}
}

func TestLimiterPerAPIID(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(start)
	c, fake := newClient(t, brokertest.KiwoomFakeOptions{Clock: clk}, kiwoom.Options{Clock: clk, RPS: 4})
	if _, err := c.Quote(ctx, "005930"); err != nil { // issues the token, spends ka10001's slot
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := c.Quote(ctx, "005930")
		done <- err
	}()
	// The second quote waits on the clock for a quarter second …
	if !clk.BlockUntil(1, t.Context().Done()) {
		t.Fatal("test ended")
	}
	select {
	case err := <-done:
		t.Fatalf("second quote did not wait for the limiter: %v", err)
	default:
	}
	// … while another api-id goes straight through.
	if _, err := c.Account(ctx); err != nil {
		t.Fatal(err)
	}
	if fake.Requests("ka10001") != 1 || fake.Requests("ka00001") != 1 {
		t.Fatalf("requests ka10001 %d ka00001 %d", fake.Requests("ka10001"), fake.Requests("ka00001"))
	}
	clk.Advance(250 * time.Millisecond)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if fake.Requests("ka10001") != 2 {
		t.Errorf("ka10001 requests %d", fake.Requests("ka10001"))
	}
}

func TestOrderAmbiguousFailuresAreUnknown(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		fault brokertest.KiwoomFault
	}{
		{"timeout", brokertest.KiwoomFaultDelayAfterAccept},
		{"reset", brokertest.KiwoomFaultResetAfterAccept},
		{"http500", brokertest.KiwoomFault500AfterAccept},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// The order's timeout runs on a clock of its own, moved once
			// the fake has taken the order: a 300 ms wall-clock timeout
			// fired before the request arrived on a loaded machine, and a
			// reset or a 500 needs no short timeout at all (issue 12,
			// item 16).
			timeoutClk := clock.NewFake(start)
			arrived := make(chan struct{}, 1)
			fo := brokertest.KiwoomFakeOptions{Stocks: kwStocks, OnRequest: func(r brokertest.KiwoomRequest) {
				if r.APIID == "kt10000" {
					select {
					case arrived <- struct{}{}:
					default: // a second would fail the count below
					}
				}
			}}
			co := kiwoom.Options{}
			if tt.fault == brokertest.KiwoomFaultDelayAfterAccept {
				co.Timeout, co.TimeoutClock = time.Second, timeoutClk
			}
			c, fake := newClient(t, fo, co)
			if _, err := c.Account(ctx); err != nil { // token first, so the timeout is the order's
				t.Fatal(err)
			}
			fake.InjectFault("kt10000", tt.fault)
			errc := make(chan error, 1)
			go func() {
				_, err := c.PlaceOrder(ctx, broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 60_000})
				errc <- err
			}()
			<-arrived
			timeoutClk.Advance(time.Second) // the answer never comes: the client gives up
			e := kindIs(t, <-errc, broker.UnknownOutcome)
			if !strings.Contains(e.Msg, "check today's orders") {
				t.Errorf("message %q", e.Msg)
			}
			if n := len(fake.Orders()); n != 1 || fake.Requests("kt10000") != 1 {
				t.Fatalf("orders at the fake %d, kt10000 requests %d; want exactly 1 and 1", n, fake.Requests("kt10000"))
			}
			// The order is there to reconcile.
			orders, err := c.OrdersToday(ctx)
			if err != nil || len(orders) != 1 || orders[0].Status != broker.StatusAccepted {
				t.Fatalf("OrdersToday = %+v, %v", orders, err)
			}
		})
	}
}

func TestReadsRetriedOnTransientFailures(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(start)
	autoAdvance(t, clk, time.Second)
	c, fake := newClient(t, brokertest.KiwoomFakeOptions{Clock: clk}, kiwoom.Options{Clock: clk}) // no short wall-clock timeout: no fault here hangs, and 300 ms ran out under load (issue 12.16)
	fake.InjectFault("ka10001", brokertest.KiwoomFault500)
	fake.InjectFault("ka10001", brokertest.KiwoomFaultResetAfterAccept)
	fake.InjectError("ka10001", 1999, "")
	if _, err := c.Quote(ctx, "005930"); err != nil {
		t.Fatalf("quote after 500, reset and 1999: %v", err)
	}
	if n := fake.Requests("ka10001"); n != 4 {
		t.Errorf("requests %d, want 4", n)
	}
	// An order is not retried after a 500 before acceptance either: the
	// client cannot tell it from one after.
	fake.InjectFault("kt10001", brokertest.KiwoomFault500)
	fake.SetHolding("005930", 1, 70_000)
	_, err := c.PlaceOrder(ctx, broker.OrderRequest{Code: "005930", Side: broker.Sell, Type: broker.Market, Qty: 1})
	kindIs(t, err, broker.UnknownOutcome)
	if fake.Requests("kt10001") != 1 {
		t.Errorf("sell sent %d times", fake.Requests("kt10001"))
	}
}

func TestOrderRetriedOnlyWhenConnectionRefused(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens: every dial is refused
	clk := clock.NewFake(start)
	autoAdvance(t, clk, time.Second)
	rec := &recorder{next: http.DefaultTransport}
	c, err := kiwoom.New(kiwoom.Options{AppKey: "k", SecretKey: "s", BaseURL: "http://" + addr, Clock: clk, HTTPClient: &http.Client{Transport: rec}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.PlaceOrder(ctx, broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Market, Qty: 1})
	kindIs(t, err, broker.Transient)
	if n := len(rec.all()); n != 5 {
		t.Errorf("attempts %d, want 5 (1 + 4 retries of a refused connection)", n)
	}
}

func TestOrderRejections(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"mock", "live"} {
		for _, enc := range encodings {
			t.Run(mode+"_"+enc.name, func(t *testing.T) {
				t.Parallel()
				c, fake := newClient(t, brokertest.KiwoomFakeOptions{Mode: mode, Errors: enc.enc, Stocks: kwStocks}, kiwoom.Options{})
				fake.SetHolding("000660", 1, 150_000)
				tests := []struct {
					name string
					req  broker.OrderRequest
					want broker.Kind
				}{
					{"funds", broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 1000, Price: 71_000}, broker.InsufficientFunds},
					{"market_funds", broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Market, Qty: 120}, broker.InsufficientFunds},
					{"shares", broker.OrderRequest{Code: "000660", Side: broker.Sell, Type: broker.Market, Qty: 2}, broker.InsufficientFunds},
					{"tick", broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 70_050}, broker.Invalid},
					{"limit_band", broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 95_000}, broker.Invalid},
					{"unlisted", broker.OrderRequest{Code: "999999", Side: broker.Buy, Type: broker.Market, Qty: 1}, broker.NotFound},
					{"shape", broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Market, Qty: 0}, broker.Invalid},
				}
				for _, tt := range tests {
					_, err := c.PlaceOrder(ctx, tt.req)
					if k := broker.KindOf(err); k != tt.want {
						t.Errorf("%s: %v (kind %v), want %v", tt.name, err, k, tt.want)
					}
				}
				fake.SetMarketOpen(false)
				_, err := c.PlaceOrder(ctx, broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Market, Qty: 1})
				kindIs(t, err, broker.MarketClosed)
				fake.SetMarketOpen(true)
				if n := len(fake.Orders()); n != 0 {
					t.Errorf("%d orders placed by rejected requests", n)
				}
				_, err = c.CancelOrder(ctx, broker.CancelRequest{OrderID: "9999999", Code: "005930"})
				kindIs(t, err, broker.NotFound)
				o, err := c.PlaceOrder(ctx, broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Market, Qty: 1})
				if err != nil {
					t.Fatal(err)
				}
				_, err = c.CancelOrder(ctx, broker.CancelRequest{OrderID: o.ID, Code: "005930"})
				kindIs(t, err, broker.Rejected) // filled already: nothing to cancel
				_, err = c.CancelOrder(ctx, broker.CancelRequest{OrderID: o.ID})
				kindIs(t, err, broker.Invalid) // Kiwoom needs the code
			})
		}
	}
}

func TestCancelReturnsOriginal(t *testing.T) {
	t.Parallel()
	c, fake := newClient(t, brokertest.KiwoomFakeOptions{Stocks: kwStocks}, kiwoom.Options{})
	o, err := c.PlaceOrder(ctx, broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 5, Price: 60_000, ClientID: "c1", Source: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if o.ClientID != "c1" || o.Source != "test" || o.Price != 60_000 || o.Qty != 5 {
		t.Errorf("placed %+v", o)
	}
	if err := fake.Fill(o.ID, 2); err != nil {
		t.Fatal(err)
	}
	got, err := c.CancelOrder(ctx, broker.CancelRequest{OrderID: o.ID, Code: "005930", Type: broker.Limit, User: "u"})
	if err != nil {
		t.Fatal(err)
	}
	cancels := fake.Orders()
	if got.ID != o.ID || got.Status != broker.StatusCancelled || got.Qty != 3 || got.Note != "취소주문번호 "+cancels[1].No || got.User != "u" {
		t.Errorf("cancel = %+v", got)
	}
	if !cancels[1].Cancel || cancels[1].OrigNo != o.ID || cancels[0].Cancelled != 3 {
		t.Errorf("fake orders %+v", cancels)
	}
}

// TestPagingGuards uses hand-written servers for answers the fake never
// gives: endless continuation, and an empty success for an unknown code.
func TestPagingGuards(t *testing.T) {
	t.Parallel()
	n := 0
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.URL.Path == "/oauth2/token" {
			fmt.Fprint(w, `{"token":"t","token_type":"Bearer","expires_dt":"20991231235959","return_code":0}`)
			return
		}
		switch r.Header.Get("api-id") {
		case "ka10001":
			fmt.Fprint(w, `{"stk_cd":"005930","stk_nm":"","cur_prc":"","return_code":0,"return_msg":""}`)
			return
		case "ka10076":
			// Same key forever.
			w.Header().Set("cont-yn", "Y")
			w.Header().Set("next-key", "same")
		default:
			n++
			w.Header().Set("cont-yn", "Y")
			w.Header().Set("next-key", fmt.Sprint(n))
		}
		fmt.Fprint(w, `{"return_code":0,"cntr":[],"acnt_evlt_remn_indv_tot":[]}`)
	}))
	t.Cleanup(srv.Close)
	c, err := kiwoom.New(kiwoom.Options{AppKey: "k", SecretKey: "s", BaseURL: srv.URL, RPS: 10_000})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Quote(ctx, "005930"); broker.KindOf(err) != broker.NotFound {
		t.Errorf("empty cur_prc: %v, want not_found", err)
	}
	_, err = c.OrdersToday(ctx)
	if e := kindIs(t, err, broker.Transient); !strings.Contains(e.Msg, "repeated the continuation key") {
		t.Errorf("looping key: %v", e)
	}
	_, err = c.Balance(ctx)
	if e := kindIs(t, err, broker.Transient); !strings.Contains(e.Msg, "more than 30 pages") {
		t.Errorf("endless pages: %v", e)
	}
}

func TestContextCancelledWhileBackingOff(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(start)
	c, fake := newClient(t, brokertest.KiwoomFakeOptions{Clock: clk}, kiwoom.Options{Clock: clk})
	fake.InjectError("ka10001", 1700, "")
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		_, err := c.Quote(cctx, "005930")
		done <- err
	}()
	clk.BlockUntil(1, t.Context().Done()) // waiting out the backoff
	cancel()
	err := <-done
	if e := kindIs(t, err, broker.RateLimited); e.Code != "1700" {
		t.Errorf("cancelled backoff reported %v", e)
	}
}

func TestSecretsNeverLogged(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	var mu sync.Mutex
	log := slog.New(slog.NewJSONHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return buf.Write(p)
	}), &slog.HandlerOptions{Level: slog.LevelDebug}))
	clk := clock.NewFake(start)
	autoAdvance(t, clk, time.Second)
	tokens := kiwoom.NewMemoryTokens()
	c, fake := newClient(t, brokertest.KiwoomFakeOptions{Clock: clk}, kiwoom.Options{Logger: log, Clock: clk, Tokens: tokens})
	acct, _ := c.Account(ctx)
	_, _ = c.Quote(ctx, "005930")
	fake.InjectError("ka10001", 1700, "")
	_, _ = c.Quote(ctx, "005930")
	clk.Advance(2 * time.Minute)
	fake.ExpireTokens()
	_, _ = c.Balance(ctx)
	_, _ = c.PlaceOrder(ctx, broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Market, Qty: 1})
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	if !strings.Contains(out, "kiwoom token issued") || !strings.Contains(out, "rate limited") {
		t.Fatalf("log lacks the expected events:\n%s", out)
	}
	secrets := []string{brokertest.KiwoomFakeAppKey, brokertest.KiwoomFakeSecretKey, acct}
	for _, r := range fake.Log() {
		if strings.Contains(r.Body, `"secretkey"`) && strings.Contains(r.Body, brokertest.KiwoomFakeSecretKey) {
			t.Error("the fake's request log kept the secret key")
		}
	}
	tok, ok, _ := tokens.Load(kiwoom.TokenKey(kiwoom.ModeMock, brokertest.KiwoomFakeAppKey))
	if !ok || tok.Value == "" {
		t.Fatal("no token in the store")
	}
	secrets = append(secrets, tok.Value.Reveal())
	for _, s := range secrets {
		if s != "" && strings.Contains(out, s) {
			t.Errorf("log contains a secret %q", s)
		}
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestAccountErrors(t *testing.T) {
	t.Parallel()
	c, fake := newClient(t, brokertest.KiwoomFakeOptions{}, kiwoom.Options{})
	fake.InjectError("ka00001", 8104, "")
	_, err := c.Account(ctx)
	if e := kindIs(t, err, broker.Rejected); e.Code != "8104" {
		t.Errorf("8104: %v", e)
	}
}

func TestTokenEndpointRateLimited(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(start)
	autoAdvance(t, clk, 30*time.Second)
	c, fake := newClient(t, brokertest.KiwoomFakeOptions{Clock: clk}, kiwoom.Options{Clock: clk})
	fake.InjectError("au10001", 1700, "")
	// The 429 starts the one-minute issuance gap; the quote backs off as
	// for any rate limit and gets its token once the gap is over.
	if _, err := c.Quote(ctx, "005930"); err != nil {
		t.Fatalf("Quote: %v", err)
	}
	if fake.Requests("au10001") != 2 || fake.Issuances() != 1 {
		t.Errorf("token requests %d issuances %d; want 2 and 1", fake.Requests("au10001"), fake.Issuances())
	}
}

func TestBackoffOption(t *testing.T) {
	t.Parallel()
	// Real clock, 1 ms first wait: four rate-limit answers cost about
	// 15 ms of backoff, where the 250 ms default would cost 3.75 s.
	c, fake := newClient(t, brokertest.KiwoomFakeOptions{RateLimit: -1}, kiwoom.Options{Backoff: time.Millisecond, RPS: 1000})
	for i := 0; i < 4; i++ {
		fake.InjectError("ka10001", 1700, "")
	}
	began := time.Now()
	if _, err := c.Quote(ctx, "005930"); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(began); d > 1500*time.Millisecond {
		t.Errorf("four 1 ms-based backoffs took %v", d)
	}
	if fake.Requests("ka10001") != 5 {
		t.Errorf("requests %d, want 5", fake.Requests("ka10001"))
	}
}

// TestRecursiveCallNotRetried: 1687 (재귀 호출) is Kiwoom's own client
// refusing a looping caller, an input error: retrying it only repeats the
// loop, so it is reported at once as invalid (issue 12.3).
func TestRecursiveCallNotRetried(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(start)
	autoAdvance(t, clk, 500*time.Millisecond)
	c, fake := newClient(t, brokertest.KiwoomFakeOptions{Clock: clk}, kiwoom.Options{Clock: clk})
	for i := 0; i < 5; i++ {
		fake.InjectError("ka10001", 1687, "재귀 호출이 발생하여 API 호출을 제한합니다")
	}
	_, err := c.Quote(ctx, "005930")
	if e := kindIs(t, err, broker.Invalid); e.Code != "1687" {
		t.Errorf("error %+v, want code 1687", e)
	}
	if n := fake.Requests("ka10001"); n != 1 {
		t.Errorf("requests %d, want 1 (no retry)", n)
	}
}

// TestOrdersTodayMalformedList: a ka10076/ka10075 answer with return_code
// 0 whose cntr or oso is missing, null or not an array is unreadable,
// never "no orders today" (issue 21.1); an empty list ([]) is no orders.
func TestOrdersTodayMalformedList(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(start)
	c, fake := newClient(t, brokertest.KiwoomFakeOptions{Clock: clk}, kiwoom.Options{Clock: clk})
	orders, err := c.OrdersToday(ctx)
	if err != nil || len(orders) != 0 {
		t.Fatalf("empty day: %v, %v; want no orders and no error", orders, err)
	}
	for _, api := range []string{"ka10076", "ka10075"} {
		for _, k := range []brokertest.KiwoomFault{brokertest.KiwoomFaultListMissing, brokertest.KiwoomFaultListNull, brokertest.KiwoomFaultListNotArray} {
			clk.Advance(time.Second) // stay inside the fake's rate window
			fake.InjectFault(api, k)
			orders, err := c.OrdersToday(ctx)
			if broker.KindOf(err) != broker.Unreadable {
				t.Errorf("%s fault %d: orders %v, err %v; want unreadable", api, k, orders, err)
			}
		}
	}
}

// TestTokenWithoutExpiryIsBelievedShortly: an au10001 answer whose
// expires_dt cannot be read is used, but believed for 10 minutes only
// (kiwoom-go's fallback), not a day: a token believed valid past its real
// expiry would fail an order. The warning is logged once, not at every
// renewal.
func TestTokenWithoutExpiryIsBelievedShortly(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, body string }{
		{"missing", `{"token":"t%d","token_type":"Bearer","return_code":0}`},
		{"garbled", `{"token":"t%d","token_type":"Bearer","expires_dt":"2026-03-04 10:00","return_code":0}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			issued := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				if r.URL.Path == "/oauth2/token" {
					issued++
					fmt.Fprintf(w, tc.body, issued)
					return
				}
				fmt.Fprint(w, `{"acctNo":"1234567890","return_code":0,"return_msg":""}`)
			}))
			t.Cleanup(srv.Close)
			clk := clock.NewFake(start)
			var buf syncBuffer
			c, err := kiwoom.New(kiwoom.Options{AppKey: "k", SecretKey: "s", BaseURL: srv.URL, RPS: 10_000, Clock: clk,
				Logger: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))})
			if err != nil {
				t.Fatal(err)
			}
			for i := range 3 {
				if _, err := c.Account(ctx); err != nil {
					t.Fatal(err)
				}
				if got, want := c.TokenExpiry(), clk.Now().Add(10*time.Minute); !got.Equal(want) {
					t.Fatalf("issuance %d: TokenExpiry = %v, want %v (10 minutes)", i+1, got, want)
				}
				// Still believed just before it lapses: no new issuance.
				clk.Advance(10*time.Minute - time.Second)
				if _, err := c.Account(ctx); err != nil {
					t.Fatal(err)
				}
				mu.Lock()
				n := issued
				mu.Unlock()
				if n != i+1 {
					t.Fatalf("%d issuances before the fallback lapsed, want %d", n, i+1)
				}
				clk.Advance(time.Second)
			}
			logs := buf.String()
			if n := strings.Count(logs, "level=WARN"); n != 1 || !strings.Contains(logs, "no readable expires_dt") {
				t.Errorf("%d warnings over 3 issuances, want 1:\n%s", n, logs)
			}
			if n := strings.Count(logs, "no readable expires_dt"); n != 3 {
				t.Errorf("the fallback was logged %d times over 3 issuances, want 3 (2 at debug)", n)
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe for a logger and a test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
