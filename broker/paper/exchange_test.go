package paper

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/clock"
)

// start is a Wednesday morning in continuous trading.
var start = time.Date(2026, 11, 25, 10, 0, 0, 0, broker.KST())

const samsung = broker.Code("005930")

// newExchange opens an exchange on a fake clock at start (unless opts has
// a clock) with seed 1 (unless set), closed when the test ends.
func newExchange(t testing.TB, opts Options) (*Exchange, *clock.Fake) {
	t.Helper()
	fake, _ := opts.Clock.(*clock.Fake)
	if opts.Clock == nil {
		fake = clock.NewFake(start)
		opts.Clock = fake
	}
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	e, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		if err := e.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return e, fake
}

func mustKind(t *testing.T, err error, want broker.Kind) {
	t.Helper()
	if got := broker.KindOf(err); got != want || err == nil {
		t.Fatalf("error %v: kind %v, want %v", err, got, want)
	}
}

func quote(t testing.TB, e *Exchange, code broker.Code) broker.Quote {
	t.Helper()
	q, err := e.Quote(context.Background(), code)
	if err != nil {
		t.Fatalf("Quote(%s): %v", code, err)
	}
	return q
}

func balance(t testing.TB, e *Exchange) broker.Balance {
	t.Helper()
	b, err := e.Balance(context.Background())
	if err != nil {
		t.Fatalf("Balance: %v", err)
	}
	return b
}

func place(t testing.TB, e *Exchange, req broker.OrderRequest) broker.Order {
	t.Helper()
	o, err := e.PlaceOrder(context.Background(), req)
	if err != nil {
		t.Fatalf("PlaceOrder(%+v): %v", req, err)
	}
	return o
}

func setPrice(t testing.TB, e *Exchange, code broker.Code, price int64) {
	t.Helper()
	if err := e.SetPrice(code, price); err != nil {
		t.Fatalf("SetPrice(%s, %d): %v", code, price, err)
	}
}

func findOrder(t testing.TB, e *Exchange, id string) broker.Order {
	t.Helper()
	orders, err := e.OrdersToday(context.Background())
	if err != nil {
		t.Fatalf("OrdersToday: %v", err)
	}
	for _, o := range orders {
		if o.ID == id {
			return o
		}
	}
	t.Fatalf("order %s not in OrdersToday", id)
	return broker.Order{}
}

func TestConformance(t *testing.T) {
	t.Parallel()
	brokertest.Conformance(t, func(t *testing.T) broker.Broker {
		e, err := New(Options{Freeze: true})
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		t.Cleanup(func() { _ = e.Close() })
		return e
	})
}

func TestConformanceWithStateFile(t *testing.T) {
	t.Parallel()
	brokertest.Conformance(t, func(t *testing.T) broker.Broker {
		e, _ := newExchange(t, Options{Freeze: true, DataDir: t.TempDir()})
		return e
	})
}

func TestStocks(t *testing.T) {
	t.Parallel()
	s := Stocks()
	if len(s) != 21 {
		t.Errorf("%d stocks listed, want 21", len(s))
	}
	for code, name := range map[broker.Code]string{
		"005930": "삼성전자", "000660": "SK하이닉스", "373220": "LG에너지솔루션", "207940": "삼성바이오로직스",
		"035420": "NAVER", "247540": "에코프로비엠", "086520": "에코프로", "196170": "알테오젠",
	} {
		if s[code] != name {
			t.Errorf("Stocks()[%s] = %q, want %q", code, s[code], name)
		}
	}
	for i, l := range listings {
		if _, err := broker.ParseCode(string(l.Code)); err != nil {
			t.Errorf("%s: %v", l.Code, err)
		}
		if !broker.OnTick(l.Ref) {
			t.Errorf("%s reference %d off the tick grid", l.Code, l.Ref)
		}
		if l.Market != "KOSPI" && l.Market != "KOSDAQ" {
			t.Errorf("%s market %q", l.Code, l.Market)
		}
		if i > 0 && listings[i-1].Code >= l.Code {
			t.Errorf("listings not sorted at %s", l.Code)
		}
	}
}

func TestNewOptions(t *testing.T) {
	t.Parallel()
	bad := []Options{
		{Cash: -1},
		{Cash: maxMoney + 1},
		{CommissionRate: ppmScale + 1},
		{SellTaxRate: ppmScale + 1},
		{Tick: -time.Second},
	}
	for _, o := range bad {
		if e, err := New(o); err == nil {
			e.Close()
			t.Errorf("New(%+v) succeeded", o)
		}
	}

	e, _ := newExchange(t, Options{Cash: 5_000_000})
	if b := balance(t, e); b.Cash != 5_000_000 || b.Orderable != 5_000_000 || b.Total != 5_000_000 || len(b.Positions) != 0 {
		t.Errorf("balance = %+v, want 5,000,000 cash and nothing else", b)
	}
	if e.Name() != "paper" {
		t.Errorf("Name = %q", e.Name())
	}
}

func TestRandomSeedIsReported(t *testing.T) {
	t.Parallel()
	e, err := New(Options{Clock: clock.NewFake(start)})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if e.Seed() == 0 {
		t.Fatal("Seed() = 0 with a random seed")
	}
	if e.Stats().Seed != e.Seed() || e.Stats().InitialCash != DefaultCash {
		t.Errorf("Stats = %+v", e.Stats())
	}
}

func TestQuoteFields(t *testing.T) {
	t.Parallel()
	e, _ := newExchange(t, Options{Freeze: true})
	q := quote(t, e, samsung)
	want := broker.Quote{Code: samsung, Name: "삼성전자", Price: 198_000, Change: 0, Sign: broker.SignFlat,
		Open: 198_000, High: 198_000, Low: 198_000, PrevClose: 198_000,
		UpperLimit: 257_000, LowerLimit: 138_600, Tick: 100, Time: start}
	if q != want {
		t.Fatalf("quote = %+v\nwant    %+v", q, want)
	}

	setPrice(t, e, samsung, 202_500)
	q = quote(t, e, samsung)
	if q.Change != 4_500 || q.ChangePct != 2.27 || q.Sign != broker.SignUp || q.Tick != 500 || q.High != 202_500 || q.Low != 198_000 {
		t.Errorf("after a rise: %+v", q)
	}
	setPrice(t, e, samsung, 257_000)
	if q = quote(t, e, samsung); q.Sign != broker.SignUpperLimit || q.Change != 59_000 {
		t.Errorf("at the upper limit: sign %d change %d", q.Sign, q.Change)
	}
	setPrice(t, e, samsung, 138_600)
	if q = quote(t, e, samsung); q.Sign != broker.SignLowerLimit || q.Change != -59_400 || q.ChangePct != -30 {
		t.Errorf("at the lower limit: %+v", q)
	}
	setPrice(t, e, samsung, 190_000)
	if q = quote(t, e, samsung); q.Sign != broker.SignDown || q.Low != 138_600 || q.High != 257_000 {
		t.Errorf("after a fall: %+v", q)
	}

	// Kakao's limits follow the KRX rounding: the width 18,360 is cut to
	// the 100-won tick of the base, 18,300.
	q = quote(t, e, "035720")
	if q.UpperLimit != 79_500 || q.LowerLimit != 42_900 {
		t.Errorf("Kakao limits %d–%d, want 42,900–79,500", q.LowerLimit, q.UpperLimit)
	}
}

func TestSetPrice(t *testing.T) {
	t.Parallel()
	e, _ := newExchange(t, Options{Freeze: true})
	mustKind(t, e.SetPrice("999999", 1000), broker.NotFound)
	mustKind(t, e.SetPrice(samsung, 198_050), broker.Invalid)
	mustKind(t, e.SetPrice(samsung, 0), broker.Invalid)
	mustKind(t, e.SetPrice(samsung, 2*maxPrice), broker.Invalid)

	// Outside the band: a new base.
	setPrice(t, e, samsung, 60_000)
	q := quote(t, e, samsung)
	if q.Price != 60_000 || q.PrevClose != 60_000 || q.Change != 0 || q.Open != 60_000 || q.UpperLimit != 78_000 || q.LowerLimit != 42_000 {
		t.Errorf("rebased quote = %+v", q)
	}
}

func TestUnknownCodeAndCancelledContext(t *testing.T) {
	t.Parallel()
	e, _ := newExchange(t, Options{})
	ctx := context.Background()
	_, err := e.Quote(ctx, "999999")
	mustKind(t, err, broker.NotFound)
	_, err = e.PlaceOrder(ctx, broker.OrderRequest{Code: "999999", Side: broker.Buy, Type: broker.Market, Qty: 1})
	mustKind(t, err, broker.NotFound)

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := e.Quote(cctx, samsung); !errors.Is(err, context.Canceled) {
		t.Errorf("Quote: %v", err)
	}
	if _, err := e.PlaceOrder(cctx, broker.OrderRequest{Code: samsung, Side: broker.Buy, Type: broker.Market, Qty: 1}); !errors.Is(err, context.Canceled) {
		t.Errorf("PlaceOrder: %v", err)
	}
	if _, err := e.CancelOrder(cctx, broker.CancelRequest{OrderID: "P0000001"}); !errors.Is(err, context.Canceled) {
		t.Errorf("CancelOrder: %v", err)
	}
	if _, err := e.OrdersToday(cctx); !errors.Is(err, context.Canceled) {
		t.Errorf("OrdersToday: %v", err)
	}
	if _, err := e.Balance(cctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Balance: %v", err)
	}
}

func TestCloseStopsTheGoroutine(t *testing.T) {
	t.Parallel()
	fake := clock.NewFake(start)
	e, err := New(Options{Clock: fake, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if n := fake.Waiters(); n != 1 {
		t.Fatalf("%d waiters on the clock, want the exchange's ticker", n)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if n := fake.Waiters(); n != 0 {
		t.Errorf("%d waiters after Close", n)
	}
	if err := e.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := e.Quote(context.Background(), samsung); err == nil {
		t.Error("Quote after Close succeeded")
	}
	if _, err := e.PlaceOrder(context.Background(), broker.OrderRequest{Code: samsung, Side: broker.Buy, Type: broker.Market, Qty: 1}); err == nil {
		t.Error("PlaceOrder after Close succeeded")
	}
	if err := e.SetPrice(samsung, 198_000); err == nil {
		t.Error("SetPrice after Close succeeded")
	}
}

// The ticker goroutine fills an open order when the walk crosses it, with
// nobody calling the exchange: the test only moves the clock, waits for
// the goroutine to handle each tick, and reads the state directly.
func TestTickerFillsWithoutCalls(t *testing.T) {
	t.Parallel()
	ticked := make(chan struct{})
	e, fake := newExchange(t, Options{Seed: 7, onTick: func() { ticked <- struct{}{} }})
	o := place(t, e, broker.OrderRequest{Code: samsung, Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 197_500})
	for i := 1; i <= 20_000; i++ {
		fake.Advance(time.Second)
		<-ticked
		e.mu.Lock()
		status, last := e.m.ByID[o.ID].Status, e.m.LastStep
		e.mu.Unlock()
		if !last.Equal(fake.Now()) {
			t.Fatalf("step %d: the goroutine left the walk at %v, clock at %v", i, last, fake.Now())
		}
		if status == broker.StatusFilled {
			t.Logf("filled by the goroutine after %d steps", i)
			return
		}
	}
	t.Fatal("order not filled by the goroutine in 20,000 steps")
}
