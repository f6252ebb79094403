package kis

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/broker/tokencache"
	"github.com/hoga-trade/hoga/clock"
)

func wantKind(t *testing.T, err error, kind broker.Kind) *broker.Error {
	t.Helper()
	e, ok := broker.AsError(err)
	if !ok || e.Kind != kind {
		t.Fatalf("error = %v (kind %v); want kind %v", err, broker.KindOf(err), kind)
	}
	return e
}

func TestNewValidatesOptions(t *testing.T) {
	t.Parallel()
	good := Options{AppKey: "k", AppSecret: "s", Account: "87654321-01"}
	cases := []struct {
		name string
		edit func(*Options)
		ok   bool
	}{
		{"defaults", func(o *Options) {}, true},
		{"ten_digit_account", func(o *Options) { o.Account = "8765432101" }, true},
		{"live", func(o *Options) { o.Mode = ModeLive }, true},
		{"bad_mode", func(o *Options) { o.Mode = "paper" }, false},
		{"no_key", func(o *Options) { o.AppKey = "" }, false},
		{"no_secret", func(o *Options) { o.AppSecret = " " }, false},
		{"short_account", func(o *Options) { o.Account = "1234-01" }, false},
		{"letters_in_account", func(o *Options) { o.Account = "1234567a-01" }, false},
		{"bad_url", func(o *Options) { o.BaseURL = "ftp://x" }, false},
		{"negative_rps", func(o *Options) { o.RPS = -1 }, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := good
			tc.edit(&o)
			c, err := New(o)
			if (err == nil) != tc.ok {
				t.Fatalf("New err = %v; want ok=%v", err, tc.ok)
			}
			if err != nil && o.Account != "" && strings.Contains(err.Error(), o.Account) {
				t.Errorf("error repeats the account: %v", err)
			}
			if c != nil && c.set.base != MockBaseURL && o.Mode != ModeLive {
				t.Errorf("mock base = %s", c.set.base)
			}
		})
	}
	c, _ := New(Options{AppKey: "k", AppSecret: "s", Account: "12345678-01", Mode: ModeLive})
	if c.set.base != LiveBaseURL || math.Abs(c.limiter.Rate()-DefaultLiveRPS) > 1e-6 {
		t.Errorf("live defaults: base %s, rps %v", c.set.base, c.limiter.Rate())
	}
	c, _ = New(good)
	if math.Abs(c.limiter.Rate()-DefaultMockRPS) > 1e-6 || c.Mode() != ModeMock || c.Name() != "kis" {
		t.Errorf("mock defaults: rps %v mode %s", c.limiter.Rate(), c.Mode())
	}
}

func TestMockTRIDs(t *testing.T) {
	t.Parallel()
	mock := &Client{set: settings{mode: ModeMock}}
	live := &Client{set: settings{mode: ModeLive}}
	for _, tc := range []struct{ in, mock string }{
		{"TTTC0012U", "VTTC0012U"}, {"TTTC8434R", "VTTC8434R"}, {"CTSC9215R", "VTSC9215R"},
		{"JTTT1002U", "VTTT1002U"}, {"FHKST01010100", "FHKST01010100"},
	} {
		if got := mock.tr(tc.in); got != tc.mock {
			t.Errorf("mock tr(%s) = %s; want %s", tc.in, got, tc.mock)
		}
		if got := live.tr(tc.in); got != tc.in {
			t.Errorf("live tr(%s) = %s", tc.in, got)
		}
	}
}

func TestQuoteFields(t *testing.T) {
	t.Parallel()
	c, f := newPair(t, brokertest.KISFakeOptions{Mode: "live", Stocks: kisStocks}, nil)
	f.SetPrice("005930", 64_000) // base 65,800: down 1,800
	q, err := c.Quote(bg(), "005930")
	if err != nil {
		t.Fatal(err)
	}
	want := broker.Quote{Code: "005930", Name: "삼성전자", Price: 64_000, Change: -1_800, Sign: broker.SignDown,
		Open: 65_800, High: 65_800, Low: 64_000, PrevClose: 65_800, UpperLimit: 85_500, LowerLimit: 46_100, Tick: 100, Venue: broker.VenueKRX}
	q.Time, want.ChangePct = time.Time{}, q.ChangePct
	if q != want {
		t.Fatalf("Quote =\n %+v\nwant\n %+v", q, want)
	}
	if q.ChangePct > -2.73 || q.ChangePct < -2.74 {
		t.Errorf("ChangePct = %v; want -2.74", q.ChangePct)
	}
	f.SetPrice("005930", 85_500)
	q, _ = c.Quote(bg(), "005930")
	if q.Sign != broker.SignUpperLimit || q.Change != 19_700 {
		t.Errorf("at the upper limit: sign %d change %d", q.Sign, q.Change)
	}
	if _, err := c.Quote(bg(), "12345"); broker.KindOf(err) != broker.Invalid {
		t.Errorf("malformed code: %v", err)
	}
	// The name is looked up once per code and cached.
	if n := f.CountRequests(pathChart); n != 1 {
		t.Errorf("name lookups = %d; want 1", n)
	}
}

func TestDecodeQuoteSigns(t *testing.T) {
	t.Parallel()
	body := func(vrss, sign, ctrt string) []byte {
		return []byte(fmt.Sprintf(`{"rt_cd":"0","msg_cd":"MCA00000","msg1":"ok","output":{"stck_prpr":"65850","prdy_vrss":%q,"prdy_vrss_sign":%q,"prdy_ctrt":%q,"aspr_unit":""}}`, vrss, sign, ctrt))
	}
	cases := []struct {
		name             string
		vrss, sign, ctrt string
		change           int64
		pct              float64
		wantSign         broker.Sign
	}{
		{"signed_down", "-150", "5", "-0.23", -150, -0.23, broker.SignDown},
		{"unsigned_down", "150", "5", "0.23", -150, -0.23, broker.SignDown},
		{"up", "150", "2", "0.23", 150, 0.23, broker.SignUp},
		{"up_with_minus_on_wire", "-150", "2", "-0.23", 150, 0.23, broker.SignUp},
		{"limit_up", "+19700", "1", "29.94", 19_700, 29.94, broker.SignUpperLimit},
		{"limit_down", "-19700", "4", "-29.94", -19_700, -29.94, broker.SignLowerLimit},
		{"flat_trusts_sign", "5", "3", "0.01", 0, 0, broker.SignFlat},
		{"no_sign_uses_number", "-150", "", "-0.23", -150, -0.23, broker.SignDown},
		{"bad_sign_uses_number", "150", "9", "0.23", 150, 0.23, broker.SignUp},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			q, err := decodeQuote("005930", body(tc.vrss, tc.sign, tc.ctrt))
			if err != nil {
				t.Fatal(err)
			}
			if q.Change != tc.change || q.ChangePct != tc.pct || q.Sign != tc.wantSign {
				t.Fatalf("change %d pct %v sign %d; want %d %v %d", q.Change, q.ChangePct, q.Sign, tc.change, tc.pct, tc.wantSign)
			}
			if q.Tick != 100 {
				t.Errorf("tick fallback = %d; want 100 from the KRX table", q.Tick)
			}
		})
	}
	if _, err := decodeQuote("005930", []byte(`{"output":{"stck_prpr":"0"}}`)); broker.KindOf(err) != broker.NotFound {
		t.Errorf("price 0: %v", err)
	}
	if _, err := decodeQuote("005930", []byte(`{"output":{"stck_prpr":"6a"}}`)); broker.KindOf(err) != broker.Internal {
		t.Errorf("bad price: %v", err)
	}
	if _, err := decodeQuote("005930", []byte(`{"output":{"stck_prpr":"100","acml_vol":"x"}}`)); broker.KindOf(err) != broker.Internal {
		t.Errorf("bad volume: %v", err)
	}
}

func TestOrdersTodayMapping(t *testing.T) {
	t.Parallel()
	c, f := newPair(t, brokertest.KISFakeOptions{Mode: "live", Stocks: kisStocks}, nil)
	f.SetHolding("000660", 10, 190_000)
	place := func(req broker.OrderRequest) broker.Order {
		t.Helper()
		o, err := c.PlaceOrder(bg(), req)
		if err != nil {
			t.Fatalf("PlaceOrder %+v: %v", req, err)
		}
		return o
	}
	open := place(broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 5, Price: 60_000})
	filled := place(broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Market, Qty: 2})
	sold := place(broker.OrderRequest{Code: "000660", Side: broker.Sell, Type: broker.Limit, Qty: 4, Price: 198_500})
	cancelled := place(broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 3, Price: 55_000})
	if _, err := c.CancelOrder(bg(), broker.CancelRequest{OrderID: cancelled.ID, Branch: cancelled.Branch}); err != nil {
		t.Fatal(err)
	}
	partial := place(broker.OrderRequest{Code: "000660", Side: broker.Sell, Type: broker.Limit, Qty: 6, Price: 200_000})
	if open.Status != broker.StatusAccepted || open.Branch == "" || open.Time.IsZero() || open.Name != "" && open.Name != "삼성전자" {
		t.Errorf("placed order = %+v", open)
	}
	f.SetPrice("005930", 60_000) // fills the 60,000 buy
	orders, err := c.OrdersToday(bg())
	if err != nil {
		t.Fatal(err)
	}
	if len(orders) != 5 {
		t.Fatalf("OrdersToday has %d orders; want 5 (the cancel row folded in): %+v", len(orders), orders)
	}
	byID := map[string]broker.Order{}
	for _, o := range orders {
		byID[o.ID] = o
	}
	check := func(id string, status broker.OrderStatus, filledQty, avg int64) {
		t.Helper()
		o := byID[id]
		if o.Status != status || o.FilledQty != filledQty || o.AvgFillPrice != avg {
			t.Errorf("order %s = %s filled %d avg %d; want %s %d %d", id, o.Status, o.FilledQty, o.AvgFillPrice, status, filledQty, avg)
		}
	}
	check(open.ID, broker.StatusFilled, 5, 60_000)
	check(filled.ID, broker.StatusFilled, 2, 65_800)
	check(sold.ID, broker.StatusFilled, 4, 198_500)
	check(cancelled.ID, broker.StatusCancelled, 0, 0)
	check(partial.ID, broker.StatusAccepted, 0, 0)
	m := byID[filled.ID]
	if m.Type != broker.Market || m.Price != 0 || m.Side != broker.Buy || m.Code != "005930" || m.Name != "삼성전자" {
		t.Errorf("market order row = %+v", m)
	}
	if s := byID[sold.ID]; s.Side != broker.Sell || s.Price != 198_500 || s.Branch == "" || s.Time.Location().String() == "UTC" {
		t.Errorf("sell row = %+v", s)
	}
}

func TestOrderRowStatus(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		row       ccldRow
		hasCancel bool
		want      broker.OrderStatus
	}{
		{"open", ccldRow{OrdQty: "5", TotCcldQty: "0", RmnQty: "5"}, false, broker.StatusAccepted},
		{"open_without_rmn_field", ccldRow{OrdQty: "5", TotCcldQty: "0"}, false, broker.StatusAccepted},
		{"partial", ccldRow{OrdQty: "5", TotCcldQty: "2", RmnQty: "3"}, false, broker.StatusPartial},
		{"filled", ccldRow{OrdQty: "5", TotCcldQty: "5", RmnQty: "0"}, false, broker.StatusFilled},
		{"rejected", ccldRow{OrdQty: "5", RjctQty: "5", RmnQty: "0"}, false, broker.StatusRejected},
		{"cancel_row_seen", ccldRow{OrdQty: "5", RmnQty: "0"}, true, broker.StatusCancelled},
		{"cncl_yn", ccldRow{OrdQty: "5", CnclYn: "Y"}, false, broker.StatusCancelled},
		{"cancel_confirmed_after_partial", ccldRow{OrdQty: "5", TotCcldQty: "2", CncCfrmQty: "3", RmnQty: "0"}, false, broker.StatusCancelled},
		{"closed_without_marker", ccldRow{OrdQty: "5", TotCcldQty: "1", RmnQty: "0"}, false, broker.StatusCancelled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.row.Pdno, tc.row.Odno, tc.row.SllBuyDvsnCd = "005930", "0000000001", "02"
			o, err := orderFromRow(tc.row, tc.hasCancel)
			if err != nil || o.Status != tc.want {
				t.Fatalf("status = %s (%v); want %s", o.Status, err, tc.want)
			}
		})
	}
	if _, err := orderFromRow(ccldRow{OrdQty: "five"}, false); broker.KindOf(err) != broker.Internal {
		t.Errorf("malformed row: %v", err)
	}
}

func TestCancelLooksUpBranch(t *testing.T) {
	t.Parallel()
	c, f := newPair(t, brokertest.KISFakeOptions{Mode: "mock", RateLimit: -1, Stocks: kisStocks}, func(o *Options) { o.RPS = 1000 })
	o, err := c.PlaceOrder(bg(), broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 50_000})
	if err != nil {
		t.Fatal(err)
	}
	// The bot passes only the number, as typed: without leading zeros.
	short := strings.TrimLeft(o.ID, "0")
	cx, err := c.CancelOrder(bg(), broker.CancelRequest{OrderID: short})
	if err != nil {
		t.Fatalf("CancelOrder(%s): %v", short, err)
	}
	if cx.ID == "" || cx.ID == o.ID || cx.Status != broker.StatusCancelled || !strings.Contains(cx.Note, o.ID) || cx.Code != "005930" {
		t.Errorf("cancel = %+v", cx)
	}
	if n := f.CountRequests(pathCcld); n != 1 {
		t.Errorf("lookups = %d; want 1", n)
	}
	orders := f.Orders()
	if len(orders) != 2 || orders[0].Cancelled != 1 || orders[1].CancelOf != o.ID {
		t.Errorf("fake orders = %+v", orders)
	}
	// Cancelling again: nothing left.
	_, err = c.CancelOrder(bg(), broker.CancelRequest{OrderID: o.ID, Branch: o.Branch})
	wantKind(t, err, broker.NotFound)
	// An unknown number without a branch: not found before anything is sent.
	_, err = c.CancelOrder(bg(), broker.CancelRequest{OrderID: "777"})
	wantKind(t, err, broker.NotFound)
	if n := f.CountRequests(pathRvseCncl); n != 2 {
		t.Errorf("cancel requests = %d; want 2", n)
	}
	_, err = c.CancelOrder(bg(), broker.CancelRequest{})
	wantKind(t, err, broker.Invalid)
}

func TestBalancePaging(t *testing.T) {
	t.Parallel()
	c, f := newPair(t, brokertest.KISFakeOptions{Mode: "mock", RateLimit: -1, Cash: 50_000_000, Stocks: kisStocks}, func(o *Options) { o.RPS = 1000 })
	const held = 45 // three pages of 20 on mock
	var wantCost int64
	for i := 0; i < held; i++ {
		code := fmt.Sprintf("9%05d", i)
		f.AddStock(code, fmt.Sprintf("종목%02d", i), 10_000+int64(i)*10)
		f.SetHolding(code, int64(i+1), 9_000)
		wantCost += int64(i+1) * 9_000
	}
	f.AddStock("800000", "매도완료", 5_000)
	f.SetHolding("800000", 0, 0) // sold out today: KIS still lists it with hldg_qty 0
	bal, err := c.Balance(bg())
	if err != nil {
		t.Fatal(err)
	}
	if len(bal.Positions) != held {
		t.Fatalf("positions = %d; want %d", len(bal.Positions), held)
	}
	if _, ok := bal.Position("800000"); ok {
		t.Errorf("a zero-quantity holding was listed")
	}
	p, ok := bal.Position("900044")
	if !ok || p.Qty != 45 || p.Sellable != 45 || p.AvgPrice != 9_000 || p.Price != 10_440 || p.Cost != 405_000 ||
		p.Value != 469_800 || p.PnL != 64_800 || p.Name != "종목44" || p.PnLPct < 15.99 || p.PnLPct > 16.01 {
		t.Errorf("position = %+v", p)
	}
	if bal.Cash != 50_000_000 || bal.Orderable != 50_000_000 || bal.Cost != wantCost || bal.PnL != bal.StockValue-bal.Cost ||
		bal.Total != bal.StockValue+bal.Cash {
		t.Errorf("balance = %+v (cost want %d)", bal, wantCost)
	}
	var conts []string
	for _, r := range f.RequestLog() {
		if r.Path == pathBalance {
			conts = append(conts, r.TrCont)
		}
	}
	if strings.Join(conts, ",") != ",N,N" {
		t.Errorf("balance requests' tr_cont = %q; want first page then N, N", conts)
	}
	// Orderable reflects open buy orders (inquire-psbl-order), Cash does not.
	if _, err := c.PlaceOrder(bg(), broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 10, Price: 50_000}); err != nil {
		t.Fatal(err)
	}
	bal, _ = c.Balance(bg())
	if bal.Cash != 50_000_000 || bal.Orderable != 49_500_000 {
		t.Errorf("after an open buy: cash %d orderable %d", bal.Cash, bal.Orderable)
	}
}

func TestOrdersPaging(t *testing.T) {
	t.Parallel()
	c, f := newPair(t, brokertest.KISFakeOptions{Mode: "mock", RateLimit: -1, Cash: 100_000_000, Stocks: kisStocks}, func(o *Options) { o.RPS = 1000 })
	const n = 40 // 15 a page on mock: three pages
	ids := map[string]bool{}
	for i := 0; i < n; i++ {
		o, err := c.PlaceOrder(bg(), broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 60_000 - int64(i)*100})
		if err != nil {
			t.Fatal(err)
		}
		ids[o.ID] = true
	}
	orders, err := c.OrdersToday(bg())
	if err != nil {
		t.Fatal(err)
	}
	if len(orders) != n {
		t.Fatalf("orders = %d; want %d", len(orders), n)
	}
	for _, o := range orders {
		if !ids[o.ID] || o.Status != broker.StatusAccepted {
			t.Errorf("unexpected %+v", o)
		}
		delete(ids, o.ID)
	}
	if got := f.CountRequests(pathCcld); got != 3 {
		t.Errorf("ccld pages = %d; want 3", got)
	}
}

func TestTokenReuseAcrossRestarts(t *testing.T) {
	t.Parallel()
	fc := clock.NewFake(kstAt(10, 0)) // mock pacing (1.8/s) on the test's clock
	autoAdvance(t, fc, 50*time.Millisecond)
	f := brokertest.NewKIS(t, brokertest.KISFakeOptions{Mode: "mock", RateLimit: -1, Clock: fc})
	dir := t.TempDir()
	for run := 0; run < 2; run++ {
		o := optsFor(t, f)
		o.Tokens, o.Clock = tokencache.New(dir), fc
		c, err := New(o)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Quote(bg(), "005930"); err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		if c.TokenExpiry().IsZero() {
			t.Errorf("run %d: no token expiry", run)
		}
	}
	if n := f.Issuances(); n != 1 {
		t.Fatalf("issuances = %d; want 1 for two starts", n)
	}
	entries, _ := os.ReadDir(dir)
	key, _, _ := f.Credentials()
	if len(entries) != 1 || strings.Contains(entries[0].Name(), key) || !strings.HasPrefix(entries[0].Name(), "kis-mock-") {
		t.Errorf("token files = %v", entries)
	}
}

func TestTokenThrottleAfterRejection(t *testing.T) {
	t.Parallel()
	fc := clock.NewFake(kstAt(10, 0))
	c, f := newPair(t, brokertest.KISFakeOptions{Clock: fc, RateLimit: -1}, unlimited)
	if _, err := c.Quote(bg(), "005930"); err != nil {
		t.Fatal(err)
	}
	fc.Advance(10 * time.Second)
	f.RevokeTokens() // the next call gets EGW00121
	done := make(chan error, 1)
	go func() { _, err := c.Quote(bg(), "005930"); done <- err }()
	waitBlocked(t, fc, 1, nil) // waiting out the one-a-minute rule
	if n := f.Issuances(); n != 1 {
		t.Fatalf("issued %d tokens before the minute passed", n)
	}
	fc.Advance(49 * time.Second) // 59 s after the first issuance: still waiting
	select {
	case err := <-done:
		t.Fatalf("Quote returned %v before the minute passed", err)
	default:
	}
	fc.Advance(time.Second)
	if err := <-done; err != nil {
		t.Fatalf("Quote after reissue: %v", err)
	}
	if n, th := f.Issuances(), f.ThrottledIssuances(); n != 2 || th != 0 {
		t.Fatalf("issuances %d, throttled %d; want 2 and 0", n, th)
	}
}

func TestTokenThrottledByServer(t *testing.T) {
	t.Parallel()
	fc := clock.NewFake(kstAt(10, 0))
	f := brokertest.NewKIS(t, brokertest.KISFakeOptions{Clock: fc, RateLimit: -1})
	mk := func() *Client {
		o := optsFor(t, f)
		o.Clock = fc // separate in-memory stores: neither knows the other issued
		c, err := New(o)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	a, b := mk(), mk()
	if err := a.EnsureToken(bg()); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- b.EnsureToken(bg()) }()
	waitBlocked(t, fc, 1, nil) // b was refused (EGW00133) and waits a minute
	if f.ThrottledIssuances() != 1 {
		t.Fatalf("throttled = %d; want 1", f.ThrottledIssuances())
	}
	fc.Advance(time.Minute)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Within six hours KIS hands back the same token.
	if a.tokens.Current().Value != b.tokens.Current().Value {
		t.Errorf("second issuance within 6h returned a different token")
	}
	if f.Issuances() != 2 || f.ThrottledIssuances() != 1 {
		t.Errorf("issuances %d throttled %d", f.Issuances(), f.ThrottledIssuances())
	}
}

// A read refused with EGW00123 (KIS expired the token early; the client
// still thinks it good) gets one new token and is asked again once. Within
// a minute of the last issuance KIS would refuse a new one (EGW00133, one
// a minute: README.md §5 of koreainvestment/open-trading-api), so the
// client waits out the rest of the minute on its clock first.
func TestExpiredTokenReissuedOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		after time.Duration // from the issuance to the early expiry
	}{
		{"hours later", 7 * time.Hour},
		{"within the minute", 10 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fc := clock.NewFake(kstAt(10, 0))
			c, f := newPair(t, brokertest.KISFakeOptions{Clock: fc, RateLimit: -1}, unlimited)
			if _, err := c.Quote(bg(), "005930"); err != nil {
				t.Fatal(err)
			}
			fc.Advance(tc.after)
			f.ExpireTokens() // KIS expired it early; the client still thinks it is good
			type result struct {
				q   broker.Quote
				err error
			}
			done := make(chan result, 1)
			go func() { q, err := c.Quote(bg(), "005930"); done <- result{q, err} }()
			if rest := time.Minute - tc.after; rest > 0 {
				waitBlocked(t, fc, 1, nil) // the rest of the minute
				if n := f.Issuances(); n != 1 {
					t.Fatalf("%d issuances before the minute was up; want 1", n)
				}
				fc.Advance(rest)
			}
			r := <-done
			if r.err != nil || r.q.Price == 0 {
				t.Fatalf("Quote after expiry: %v", r.err)
			}
			if n, th := f.Issuances(), f.ThrottledIssuances(); n != 2 || th != 0 {
				t.Fatalf("issuances %d, refused with EGW00133 %d; want 2 and 0", n, th)
			}
			var codes []string
			for _, r := range f.RequestLog() {
				codes = append(codes, r.MsgCd)
			}
			if got := strings.Join(codes, ","); got != "MCA00000,MCA00000,EGW00123,MCA00000" {
				t.Errorf("requests' msg_cd = %s", got)
			}

			// Refused again after the reissue: give up, do not loop.
			fc.Advance(2 * time.Minute)
			f.Inject(brokertest.KISFault{Kind: brokertest.FaultTokenExpired, Times: 2})
			_, err := c.Quote(bg(), "005930")
			if e := wantKind(t, err, broker.Auth); e.Code != "EGW00123" {
				t.Errorf("code = %s", e.Code)
			}
			if f.Issuances() != 3 {
				t.Errorf("issuances = %d; want 3 (one reissue, no more)", f.Issuances())
			}
		})
	}
}

// An order refused with EGW00123 (expired token; the official sample
// legacy/rest/current_price_samle.py re-issues and calls again on it, and
// python-kis pykis/kis.py drops the token on it) is sent again once with a
// new token: the gateway refused it, so nothing was placed. KIS issues one
// token a minute (README.md §5 "토큰 재발급 - 1분당 1회 발급됩니다"; the fake
// answers EGW00133 to a second issuance within the minute): when the
// refusal comes within a minute of the issuance, the client waits out the
// rest of that minute on its clock (the test's, moved by hand) instead of
// being refused, then issues once and sends once.
func TestOrderRetriedAfterTokenRejection(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		after time.Duration // from the issuance to the refused order
	}{
		{"after the minute", 2 * time.Minute},
		{"within the minute", 20 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fc := clock.NewFake(kstAt(10, 0))
			c, f := newPair(t, brokertest.KISFakeOptions{Clock: fc, RateLimit: -1}, unlimited)
			if err := c.EnsureToken(bg()); err != nil {
				t.Fatal(err)
			}
			fc.Advance(tc.after)
			f.Inject(brokertest.KISFault{Kind: brokertest.FaultTokenExpired, Path: pathOrderCash})
			type result struct {
				o   broker.Order
				err error
			}
			done := make(chan result, 1)
			go func() {
				o, err := c.PlaceOrder(bg(), broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Market, Qty: 1})
				done <- result{o, err}
			}()
			if rest := time.Minute - tc.after; rest > 0 {
				waitBlocked(t, fc, 1, nil) // the rest of the minute
				if n := f.Issuances(); n != 1 {
					t.Fatalf("%d issuances before the minute was up; want 1", n)
				}
				fc.Advance(rest)
			}
			r := <-done
			if r.err != nil {
				t.Fatal(r.err)
			}
			if got := f.Orders(); len(got) != 1 || got[0].ODNO != r.o.ID {
				t.Fatalf("fake holds %+v; want exactly the one order", got)
			}
			if n, th := f.Issuances(), f.ThrottledIssuances(); n != 2 || th != 0 {
				t.Fatalf("issuances %d, refused with EGW00133 %d; want 2 and 0", n, th)
			}
		})
	}
}

func TestTokenRenewal(t *testing.T) {
	t.Parallel()
	t.Run("at_0850_when_expiring_in_session", func(t *testing.T) {
		t.Parallel()
		fc := clock.NewFake(kstAt(10, 0)) // token will expire tomorrow 10:00, during the session
		c, f := newPair(t, brokertest.KISFakeOptions{Clock: fc, RateLimit: -1}, unlimited)
		if err := c.EnsureToken(bg()); err != nil {
			t.Fatal(err)
		}
		first := c.TokenExpiry()
		fc.Set(kstAt(8, 49).AddDate(0, 0, 1))
		if err := c.EnsureToken(bg()); err != nil || f.Issuances() != 1 {
			t.Fatalf("renewed before 08:50 (issuances %d, %v)", f.Issuances(), err)
		}
		fc.Set(kstAt(8, 50).AddDate(0, 0, 1))
		if err := c.EnsureToken(bg()); err != nil || f.Issuances() != 2 {
			t.Fatalf("not renewed at 08:50 (issuances %d, %v)", f.Issuances(), err)
		}
		if !c.TokenExpiry().After(first) {
			t.Errorf("expiry %v not after %v", c.TokenExpiry(), first)
		}
		fc.Set(kstAt(9, 30).AddDate(0, 0, 1))
		if err := c.EnsureToken(bg()); err != nil || f.Issuances() != 2 {
			t.Fatalf("renewed twice (issuances %d)", f.Issuances())
		}
	})
	t.Run("not_at_0850_when_expiring_after_session", func(t *testing.T) {
		t.Parallel()
		fc := clock.NewFake(kstAt(16, 0)) // expires tomorrow 16:00, after the session
		c, f := newPair(t, brokertest.KISFakeOptions{Clock: fc, RateLimit: -1}, unlimited)
		_ = c.EnsureToken(bg())
		fc.Set(kstAt(8, 55).AddDate(0, 0, 1))
		if err := c.EnsureToken(bg()); err != nil || f.Issuances() != 1 {
			t.Fatalf("renewed needlessly (issuances %d)", f.Issuances())
		}
	})
	t.Run("ten_minutes_before_expiry", func(t *testing.T) {
		t.Parallel()
		fc := clock.NewFake(kstAt(20, 0))
		c, f := newPair(t, brokertest.KISFakeOptions{Clock: fc, RateLimit: -1, TokenTTL: time.Hour}, unlimited)
		_ = c.EnsureToken(bg())
		fc.Advance(49 * time.Minute)
		_ = c.EnsureToken(bg())
		if f.Issuances() != 1 {
			t.Fatalf("renewed with 11 minutes left")
		}
		fc.Advance(time.Minute)
		if err := c.EnsureToken(bg()); err != nil || f.Issuances() != 2 {
			t.Fatalf("not renewed with 10 minutes left (issuances %d, %v)", f.Issuances(), err)
		}
	})
}

func TestTokenErrors(t *testing.T) {
	t.Parallel()
	c, f := newPair(t, brokertest.KISFakeOptions{RateLimit: -1}, func(o *Options) { o.AppKey = "PSwrongKey" })
	err := c.EnsureToken(bg())
	if e := wantKind(t, err, broker.Auth); e.Code != "EGW00103" || !strings.Contains(e.Msg, "app key") {
		t.Errorf("error = %+v", e)
	}
	if strings.Contains(err.Error(), "PSwrongKey") {
		t.Errorf("error shows the key: %v", err)
	}
	if f.Issuances() != 0 {
		t.Errorf("issuances = %d", f.Issuances())
	}
	c2, _ := newPair(t, brokertest.KISFakeOptions{RateLimit: -1}, func(o *Options) { o.AppSecret = "nope" })
	if e := wantKind(t, c2.EnsureToken(bg()), broker.Auth); e.Code != "EGW00105" {
		t.Errorf("bad secret code = %s", e.Code)
	}
}

func TestTokenExpiryParsing(t *testing.T) {
	t.Parallel()
	now := time.Date(2022, 8, 29, 0, 0, 0, 0, time.UTC)
	got, err := tokenExpiry(tokenResponse{AccessTokenExpired: "2022-08-30 08:10:10", ExpiresIn: "86400"}, now)
	want := time.Date(2022, 8, 29, 23, 10, 10, 0, time.UTC)
	if err != nil || !got.Equal(want) {
		t.Errorf("expiry = %v, %v; want %v (KST wall time)", got, err, want)
	}
	got, err = tokenExpiry(tokenResponse{ExpiresIn: "3600"}, now)
	if err != nil || !got.Equal(now.Add(time.Hour)) {
		t.Errorf("fallback expiry = %v, %v", got, err)
	}
	if _, err := tokenExpiry(tokenResponse{}, now); err == nil {
		t.Errorf("no expiry accepted")
	}
	if _, err := tokenExpiry(tokenResponse{AccessTokenExpired: "tomorrow"}, now); err == nil {
		t.Errorf("bad expiry accepted")
	}
}

func TestLimiterBurst(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"mock", "live"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			// Client and fake share a fake clock; the fake keeps KIS's
			// limit (2/s mock, 20/s live) and the client its defaults
			// (2/s, 18/s). The driver moves time only while every caller
			// waits on the limiter, so 25 s of mock pacing takes no real
			// time and nothing is in flight when a window turns over.
			fc := clock.NewFake(kstAt(10, 0))
			c, f := newPair(t, brokertest.KISFakeOptions{Mode: mode, Clock: fc, StrictWindow: true}, func(o *Options) { o.Backoff = time.Hour })
			warm := newWorkers(1)
			go func() { _, _ = c.Quote(bg(), "005930"); warm.finish() }()
			warm.drive(fc, 10*time.Millisecond) // token and name, so each burst call is one request

			const burst = 50
			start := fc.Now()
			w := newWorkers(burst)
			errs := make(chan error, burst)
			for i := 0; i < burst; i++ {
				go func() {
					_, err := c.Quote(bg(), "005930")
					errs <- err
					w.finish()
				}()
			}
			w.drive(fc, 10*time.Millisecond)
			for i := 0; i < burst; i++ {
				if err := <-errs; err != nil {
					t.Fatalf("quote: %v", err)
				}
			}
			if n := f.RateLimited(); n != 0 {
				t.Fatalf("fake sent %d EGW00201", n)
			}
			elapsed := fc.Now().Sub(start)
			rps := float64(DefaultMockRPS)
			if mode == "live" {
				rps = DefaultLiveRPS
			}
			if min := time.Duration(float64(burst-1) / rps * float64(time.Second)); elapsed < min {
				t.Errorf("burst took %v of fake time; the limiter should need at least %v", elapsed, min)
			}
		})
	}
}

func TestLimiterSharedByClients(t *testing.T) {
	t.Parallel()
	fc := clock.NewFake(kstAt(10, 0))
	f := brokertest.NewKIS(t, brokertest.KISFakeOptions{Clock: fc})
	// Two clients on one app key share a limiter and a token store (the
	// second would otherwise be refused a token for a minute).
	lim := NewLimiter(ModeMock, 0)
	store := tokencache.New(t.TempDir())
	var cs []*Client
	for i := 0; i < 2; i++ {
		o := optsFor(t, f)
		o.Clock, o.Limiter, o.Backoff, o.Tokens = fc, lim, time.Hour, store
		c, err := New(o)
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	for _, c := range cs {
		if err := c.EnsureToken(bg()); err != nil {
			t.Fatal(err)
		}
	}
	if f.Issuances() != 1 {
		t.Fatalf("issuances = %d; want 1 for two clients sharing a store", f.Issuances())
	}
	const each = 6
	w := newWorkers(2 * each)
	errs := make(chan error, 2*each)
	for i := 0; i < 2*each; i++ {
		go func() {
			_, err := cs[i%2].orderableCash(bg())
			errs <- err
			w.finish()
		}()
	}
	w.drive(fc, 10*time.Millisecond)
	for i := 0; i < 2*each; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if f.RateLimited() != 0 {
		t.Fatalf("two clients on one key and one limiter drew %d EGW00201", f.RateLimited())
	}
}

func TestRateLimitRetry(t *testing.T) {
	t.Parallel()
	c, f := newPair(t, brokertest.KISFakeOptions{Mode: "live", Stocks: kisStocks}, nil)
	f.Inject(brokertest.KISFault{Kind: brokertest.FaultRateLimit, Path: pathOrderCash, Times: 2})
	o, err := c.PlaceOrder(bg(), broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 60_000})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Orders(); len(got) != 1 || got[0].ODNO != o.ID || f.RateLimited() != 2 || f.CountRequests(pathOrderCash) != 3 {
		t.Fatalf("orders %+v, EGW00201 %d, requests %d", got, f.RateLimited(), f.CountRequests(pathOrderCash))
	}
	// Never accepted: give up after the retries, saying so.
	f.Inject(brokertest.KISFault{Kind: brokertest.FaultRateLimit, Path: pathPrice, Times: 100})
	_, err = c.Quote(bg(), "005930")
	if e := wantKind(t, err, broker.RateLimited); e.Code != "EGW00201" || e.RetryAfter <= 0 {
		t.Errorf("error = %+v", e)
	}
	if n := f.CountRequests(pathPrice); n != maxRetries+1 {
		t.Errorf("quote attempts = %d; want %d", n, maxRetries+1)
	}
}

func TestOrderUnknownOutcome(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		fault      brokertest.KISFault
		wantOrders int
	}{
		{"timeout_after_accept", brokertest.KISFault{Kind: brokertest.FaultDelay, Delay: time.Hour}, 1},
		{"reset_after_accept", brokertest.KISFault{Kind: brokertest.FaultReset, AfterProcessing: true}, 1},
		{"http500_after_accept", brokertest.KISFault{Kind: brokertest.FaultHTTP500, AfterProcessing: true}, 1},
		{"http500_before_accept", brokertest.KISFault{Kind: brokertest.FaultHTTP500}, 0},
		{"reset_before_accept", brokertest.KISFault{Kind: brokertest.FaultReset}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// The fake's delay is on the wall clock (an hour: it ends when
			// the client gives up); the client's timeout on a clock of
			// its own, moved once the fake has the order. A 300 ms
			// wall-clock timeout fired before the request arrived on a
			// loaded machine, and the other faults need no short timeout
			// at all (issue 12, item 16).
			timeoutClk := clock.NewFake(kstAt(10, 0))
			arrived := make(chan struct{}, 1)
			fo := brokertest.KISFakeOptions{Mode: "live", Clock: clock.Real{}, Stocks: kisStocks, OnRequest: func(r brokertest.KISRequest) {
				if r.Path == pathOrderCash {
					select {
					case arrived <- struct{}{}:
					default: // a second fails the count below
					}
				}
			}}
			c, f := newPair(t, fo, func(o *Options) {
				if tc.fault.Kind == brokertest.FaultDelay {
					o.Timeout, o.TimeoutClock = time.Second, timeoutClk
				}
			})
			if err := c.EnsureToken(bg()); err != nil {
				t.Fatal(err)
			}
			tc.fault.Path = pathOrderCash
			f.Inject(tc.fault)
			errc := make(chan error, 1)
			go func() {
				_, err := c.PlaceOrder(bg(), broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 60_000})
				errc <- err
			}()
			<-arrived
			timeoutClk.Advance(time.Second) // no answer comes: the client gives up
			wantKind(t, <-errc, broker.UnknownOutcome)
			if n := len(f.Orders()); n != tc.wantOrders {
				t.Errorf("fake holds %d orders; want %d", n, tc.wantOrders)
			}
			if n := f.CountRequests(pathOrderCash); n != 1 {
				t.Errorf("order sent %d times; want exactly once", n)
			}
		})
	}
}

func TestReadsRetryTransientFailures(t *testing.T) {
	t.Parallel()
	// The delay is an hour of wall time (it ends when the client gives
	// up); the client's timeout runs on a clock of its own, moved once the
	// delayed attempt has arrived: a 300 ms wall-clock timeout could fire
	// before any attempt arrived on a loaded machine (issue 12, item 16).
	timeoutClk := clock.NewFake(kstAt(10, 0))
	arrived := make(chan struct{}, 8)
	fo := brokertest.KISFakeOptions{Mode: "live", Clock: clock.Real{}, OnRequest: func(r brokertest.KISRequest) {
		if r.Path == pathPrice {
			arrived <- struct{}{}
		}
	}}
	c, f := newPair(t, fo, func(o *Options) { o.Timeout, o.TimeoutClock = time.Second, timeoutClk })
	f.Inject(brokertest.KISFault{Kind: brokertest.FaultHTTP500, Path: pathPrice})
	f.Inject(brokertest.KISFault{Kind: brokertest.FaultReset, Path: pathPrice})
	f.Inject(brokertest.KISFault{Kind: brokertest.FaultDelay, Path: pathPrice, Delay: time.Hour})
	errc := make(chan error, 1)
	go func() { _, err := c.Quote(bg(), "005930"); errc <- err }()
	for range 3 { // the 500, the reset, the delayed one
		<-arrived
	}
	timeoutClk.Advance(time.Second)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if n := f.CountRequests(pathPrice); n != 4 {
		t.Errorf("quote attempts = %d; want 4", n)
	}
}

// dialFailer refuses the first n dials the way a closed port does.
type dialFailer struct {
	fails atomic.Int32
	dials atomic.Int32
}

func (d *dialFailer) client() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DisableKeepAlives = true
	var dialer net.Dialer
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		d.dials.Add(1)
		if d.fails.Add(-1) >= 0 {
			return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("connection refused")}
		}
		return dialer.DialContext(ctx, network, addr)
	}
	return &http.Client{Transport: tr}
}

func TestOrderRetriedWhenConnectionRefused(t *testing.T) {
	t.Parallel()
	d := &dialFailer{}
	c, f := newPair(t, brokertest.KISFakeOptions{Mode: "live"}, func(o *Options) { o.HTTPClient = d.client() })
	if err := c.EnsureToken(bg()); err != nil {
		t.Fatal(err)
	}
	d.fails.Store(2)
	if _, err := c.PlaceOrder(bg(), broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Market, Qty: 1}); err != nil {
		t.Fatal(err)
	}
	if n := len(f.Orders()); n != 1 {
		t.Fatalf("orders = %d; want 1", n)
	}
	if n := f.CountRequests(pathOrderCash); n != 1 {
		t.Errorf("order requests reaching KIS = %d; want 1", n)
	}
}

func TestErrorKindsFromFake(t *testing.T) {
	t.Parallel()
	t.Run("market_closed_mock", func(t *testing.T) {
		t.Parallel()
		fc := clock.NewFake(kstAt(8, 0))
		c, _ := newPair(t, brokertest.KISFakeOptions{Clock: fc, RateLimit: -1, MarketHours: true}, unlimited)
		_, err := c.PlaceOrder(bg(), broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Market, Qty: 1})
		if e := wantKind(t, err, broker.MarketClosed); !strings.Contains(e.Msg, "장시작전") {
			t.Errorf("msg = %q", e.Msg)
		}
	})
	t.Run("market_closed_live", func(t *testing.T) {
		t.Parallel()
		fc := clock.NewFake(kstAt(16, 0))
		c, _ := newPair(t, brokertest.KISFakeOptions{Mode: "live", Clock: fc, RateLimit: -1, MarketHours: true}, unlimited)
		_, err := c.PlaceOrder(bg(), broker.OrderRequest{Code: "005930", Side: broker.Sell, Type: broker.Market, Qty: 1})
		if e := wantKind(t, err, broker.MarketClosed); e.Code != "APBK0919" {
			t.Errorf("code = %s", e.Code)
		}
	})
	t.Run("insufficient_cash_live", func(t *testing.T) {
		t.Parallel()
		c, _ := newPair(t, brokertest.KISFakeOptions{Mode: "live", Cash: 100_000}, nil)
		_, err := c.PlaceOrder(bg(), broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Market, Qty: 2})
		if e := wantKind(t, err, broker.InsufficientFunds); e.Code != "APBK0952" {
			t.Errorf("code = %s", e.Code)
		}
	})
	t.Run("unknown_code_order", func(t *testing.T) {
		t.Parallel()
		c, _ := newPair(t, brokertest.KISFakeOptions{Mode: "live"}, nil)
		_, err := c.PlaceOrder(bg(), broker.OrderRequest{Code: "999999", Side: broker.Buy, Type: broker.Market, Qty: 1})
		wantKind(t, err, broker.NotFound)
	})
	t.Run("out_of_limits_mock", func(t *testing.T) {
		t.Parallel()
		c, _ := newPair(t, brokertest.KISFakeOptions{Mode: "mock", RateLimit: -1}, nil)
		_, err := c.PlaceOrder(bg(), broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 90_000})
		wantKind(t, err, broker.Invalid)
	})
	t.Run("live_client_on_mock_host", func(t *testing.T) {
		t.Parallel()
		c, _ := newPair(t, brokertest.KISFakeOptions{Mode: "mock", RateLimit: -1}, func(o *Options) { o.Mode = ModeLive })
		_, err := c.Balance(bg())
		if e := wantKind(t, err, broker.Auth); e.Code != "EGW02006" || !strings.Contains(e.Msg, "모의투자 TR") {
			t.Errorf("error = %+v", e)
		}
	})
	t.Run("invalid_request", func(t *testing.T) {
		t.Parallel()
		c, f := newPair(t, brokertest.KISFakeOptions{Mode: "live"}, nil)
		_, err := c.PlaceOrder(bg(), broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 0, Price: 60_000})
		wantKind(t, err, broker.Invalid)
		if f.Requests() != 0 {
			t.Errorf("an invalid order reached KIS")
		}
	})
}

func TestAPIErrorTable(t *testing.T) {
	t.Parallel()
	cases := []struct {
		code, msg string
		status    int
		order     bool
		want      broker.Kind
	}{
		{"EGW00201", "초당 거래건수를 초과하였습니다.", 500, false, broker.RateLimited},
		{"EGW00201", "초당 거래건수를 초과하였습니다.", 200, true, broker.RateLimited},
		{"EGW00215", "원장에서 허용 가능한 초당 거래건수 초과", 500, true, broker.RateLimited},
		{"EGW00123", "기간이 만료된 token 입니다.", 500, false, broker.Auth},
		{"EGW00121", "유효하지 않은 token 입니다.", 200, true, broker.Auth},
		{"EGW00103", "유효하지 않은 AppKey입니다.", 500, false, broker.Auth},
		{"APBK0952", "주문가능금액을 초과 했습니다", 200, true, broker.InsufficientFunds},
		{"APBK0919", "장운영시간이 아닙니다", 200, true, broker.MarketClosed},
		{"APBK0656", "해당종목정보가 없습니다.", 200, true, broker.NotFound},
		{"APBK0918", "정정/취소할 수량이 없습니다.", 200, true, broker.NotFound},
		{"APBK0506", "주식주문호가단위 오류입니다.", 200, true, broker.Invalid},
		{"40540000", "모의투자 주문처리가 안되었습니다(호가단위 오류)", 200, true, broker.Invalid},
		{"40570000", "모의투자 장시작전 입니다.", 200, true, broker.MarketClosed},
		{"40580000", "모의투자 장종료 입니다.", 200, true, broker.MarketClosed},
		{"40250000", "모의투자 주문가능금액이 부족합니다.", 200, true, broker.InsufficientFunds},
		{"40240000", "모의투자 잔고내역이 없습니다.", 200, true, broker.InsufficientFunds},
		{"40330000", "모의투자 정정/취소할 수량이 없습니다.", 200, true, broker.NotFound},
		{"IGW00007", "MCA 전문바디 구성 중 오류가 발생하였습니다.", 500, true, broker.Internal},
		{"OPSQ2001", "ERROR : INPUT_FIELD_NAME CANO", 500, false, broker.Internal},
		{"EGW02006", "모의투자 TR 이 아닙니다.", 500, false, broker.Auth},
		{"APBK9999", "알 수 없는 거부", 200, true, broker.Rejected},
		{"EGW99999", "처리 중 오류", 500, true, broker.UnknownOutcome},
		{"EGW99999", "처리 중 오류", 500, false, broker.Transient},
		{"ABCD0000", "무언가", 200, false, broker.Internal},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s_%d_order_%v", tc.code, tc.status, tc.order), func(t *testing.T) {
			t.Parallel()
			e := apiError(tc.code, tc.msg, tc.status, tc.order)
			if e.Kind != tc.want || e.Code != tc.code || !strings.HasPrefix(e.Msg, tc.msg) {
				t.Fatalf("apiError = %+v; want kind %v keeping code and message", e, tc.want)
			}
		})
	}
}

func TestCheckWithoutEnvelope(t *testing.T) {
	t.Parallel()
	c := &Client{}
	read, order := &request{}, &request{order: true}
	cases := []struct {
		rq     *request
		status int
		body   string
		want   broker.Kind
	}{
		{read, 500, "<html>", broker.Transient},
		{read, 429, "", broker.Transient},
		{read, 404, "not found", broker.Internal},
		{read, 200, `{"output":{}}`, broker.Internal},
		{order, 500, "<html>", broker.UnknownOutcome},
		{order, 200, "{", broker.UnknownOutcome},
		{order, 404, "", broker.UnknownOutcome},
	}
	for i, tc := range cases {
		r := &reply{status: tc.status, body: []byte(tc.body)}
		err := c.check(tc.rq, r, jsonErr(tc.body, &r.env))
		if broker.KindOf(err) != tc.want {
			t.Errorf("case %d: %v; want %v", i, err, tc.want)
		}
	}
}

func TestSecretsNeverLogged(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(lockedWriter{&mu, &buf}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, f := newPair(t, brokertest.KISFakeOptions{Mode: "live"}, func(o *Options) { o.Logger = logger })
	if _, err := c.Quote(bg(), "005930"); err != nil {
		t.Fatal(err)
	}
	o, err := c.PlaceOrder(bg(), broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Market, Qty: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = c.Balance(bg())
	logger.Info("options", "key", c.set.appKey, "secret", c.set.appSecret, "account", c.Account())
	fmt.Fprintf(&buf, "%v %+v %#v %s %d %x", c.set.appKey, c.set.appSecret, c.Account(), c.Account(), c.set.appKey, c.set.appSecret)
	key, secret, acct := f.Credentials()
	token := c.tokens.Current().Value.Reveal()
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	for name, s := range map[string]string{"app key": key, "secret": secret, "token": token, "account": acct, "cano": acct[:8]} {
		if strings.Contains(out, s) {
			t.Errorf("log contains the %s", name)
		}
	}
	for _, want := range []string{"FHKST01010100", "TTTC0012U", "gt_uid", o.ID, "5012****-01", "[redacted]"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q", want)
		}
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestCancelledContext(t *testing.T) {
	t.Parallel()
	c, f := newPair(t, brokertest.KISFakeOptions{Mode: "live"}, nil)
	ctx, cancel := context.WithCancel(bg())
	cancel()
	_, err := c.PlaceOrder(ctx, broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Market, Qty: 1})
	if !errors.Is(err, context.Canceled) || broker.KindOf(err) == broker.UnknownOutcome {
		t.Fatalf("cancelled order: %v (kind %v); want context.Canceled and not unknown", err, broker.KindOf(err))
	}
	if f.Requests() != 0 || f.Issuances() != 0 {
		t.Errorf("a cancelled call reached KIS")
	}
}

func TestTransportErrorsHideTheAccount(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(lockedWriter{&mu, &buf}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	withLog := func(o *Options) { o.Logger, o.Timeout = logger, 200*time.Millisecond }
	c, f := newPair(t, brokertest.KISFakeOptions{Mode: "live"}, withLog)
	f.Inject(brokertest.KISFault{Kind: brokertest.FaultReset, Path: pathBalance, Times: 100})
	_, err := c.Balance(bg())
	wantKind(t, err, broker.Transient)
	// The wall clock for the timeout: it is wall time, and the fake's
	// delay must outlast it.
	c, f = newPair(t, brokertest.KISFakeOptions{Mode: "live", Clock: clock.Real{}}, withLog)
	f.Inject(brokertest.KISFault{Kind: brokertest.FaultDelay, Path: pathCcld, Delay: time.Hour, Times: 100})
	_, err2 := c.OrdersToday(bg())
	if !errors.Is(err2, context.DeadlineExceeded) {
		t.Errorf("timeout error %v does not say deadline exceeded", err2)
	}
	_, _, acct := f.Credentials()
	mu.Lock()
	out := buf.String() + err.Error() + err2.Error()
	mu.Unlock()
	if strings.Contains(out, acct[:8]) {
		t.Fatalf("account number leaked: %s", out)
	}
	if !strings.Contains(err.Error(), pathBalance) {
		t.Errorf("error lost the path: %v", err)
	}
}

// TestOrdersTodayMalformedList: a successful inquire-daily-ccld whose
// output1 is missing, null or not an array is unreadable, never "no
// orders today" (issue 21.1); an empty list ([]) is still no orders.
func TestOrdersTodayMalformedList(t *testing.T) {
	t.Parallel()
	c, f := newPair(t, brokertest.KISFakeOptions{Mode: "live", Stocks: kisStocks}, nil)
	orders, err := c.OrdersToday(bg())
	if err != nil || len(orders) != 0 {
		t.Fatalf("empty day: %v, %v; want no orders and no error", orders, err)
	}
	if _, err := c.PlaceOrder(bg(), broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 60_000}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []brokertest.KISFaultKind{brokertest.FaultListMissing, brokertest.FaultListNull, brokertest.FaultListNotArray} {
		f.Inject(brokertest.KISFault{Kind: k, Path: "/uapi/domestic-stock/v1/trading/inquire-daily-ccld"})
		orders, err := c.OrdersToday(bg())
		if broker.KindOf(err) != broker.Unreadable {
			t.Errorf("fault %d: orders %v, err %v; want unreadable", k, orders, err)
		}
		// Cancel looks the order up in the same list: it must not say
		// "no such order" either.
		f.Inject(brokertest.KISFault{Kind: k, Path: "/uapi/domestic-stock/v1/trading/inquire-daily-ccld"})
		if _, err := c.CancelOrder(bg(), broker.CancelRequest{OrderID: "1"}); broker.KindOf(err) != broker.Unreadable {
			t.Errorf("fault %d: cancel lookup %v; want unreadable", k, err)
		}
	}
	if orders, err := c.OrdersToday(bg()); err != nil || len(orders) != 1 {
		t.Errorf("after the faults: %v, %v; want the one order", orders, err)
	}
}

// TestOrderableCountsTodaysSales: after a sell fills, buying power
// includes its proceeds. ord_psbl_cash leaves them out; nrcvb_buy_amt
// (미수없는매수금액, what KIS's portal shows as buying power) has them
// (issue 12.2).
func TestOrderableCountsTodaysSales(t *testing.T) {
	t.Parallel()
	c, f := newPair(t, brokertest.KISFakeOptions{Mode: "live", Cash: 1_000_000}, nil)
	f.SetHolding("000660", 10, 190_000)
	if _, err := c.PlaceOrder(bg(), broker.OrderRequest{Code: "000660", Side: broker.Sell, Type: broker.Market, Qty: 10}); err != nil {
		t.Fatal(err)
	}
	bal, err := c.Balance(bg())
	if err != nil {
		t.Fatal(err)
	}
	if bal.Cash <= 1_000_000 || bal.Orderable != bal.Cash {
		t.Errorf("after selling 10: cash %d, orderable %d; want orderable = cash with the proceeds", bal.Cash, bal.Orderable)
	}
}

// TestLongDayOfOrdersIsReadWhole: a day's order list longer than the old
// 50-page cap was refused whole, every time, so reconciliation and the
// tracker went blind for the rest of the day (issue 20; Kiwoom's lists hit
// the same wall at 61 orders in the long kill loop).
func TestLongDayOfOrdersIsReadWhole(t *testing.T) {
	t.Parallel()
	c, f := newPair(t, brokertest.KISFakeOptions{Mode: "mock", RateLimit: -1, OrdersPageSize: 2, Cash: 1 << 50, Stocks: kisStocks}, func(o *Options) { o.RPS = 1000 })
	const n = 120
	for i := range n {
		if _, err := c.PlaceOrder(bg(), broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: int64(i + 1), Price: 50_000}); err != nil {
			t.Fatal(err)
		}
	}
	orders, err := c.OrdersToday(bg())
	if err != nil {
		t.Fatalf("OrdersToday with %d orders at 2 a page: %v", n, err)
	}
	if len(orders) != n {
		t.Fatalf("OrdersToday = %d orders, want %d", len(orders), n)
	}
	if got := f.CountRequests(pathCcld); got != n/2 {
		t.Errorf("%d pages read, want %d", got, n/2)
	}
}
