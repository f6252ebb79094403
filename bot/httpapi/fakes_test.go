package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/broker/guard"
	"github.com/hoga-trade/hoga/clock"
)

const testToken = "s3cret-token-for-tests-0123456789"

// t0 is a Wednesday 10:00 KST, inside the session.
var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, broker.KST())

// samsung is the fake broker's quote, for every code the tests quote.
func samsung(code broker.Code) broker.Quote {
	return broker.Quote{Code: code, Name: "삼성전자", Price: 70_000, Change: 500, ChangePct: 0.72, Sign: broker.SignUp,
		Volume: 1_234_567, Open: 69_500, High: 70_200, Low: 69_400, PrevClose: 69_500, UpperLimit: 90_300,
		LowerLimit: 48_700, Tick: 100}
}

// newFakeBroker is the exchange behind the guard: the shared fake, quoting
// 005930 (and 0088M0) and holding ten shares.
func newFakeBroker(c clock.Clock) *brokertest.Broker {
	fb := brokertest.NewBroker("fake", c)
	fb.SetQuote(samsung("005930"))
	fb.SetQuote(samsung("0088M0"))
	fb.SetBalance(broker.Balance{Cash: 5_000_000, Orderable: 4_300_000, StockValue: 700_000, Total: 5_700_000, Cost: 690_000, PnL: 10_000,
		Positions: []broker.Position{{Code: "005930", Name: "삼성전자", Qty: 10, Sellable: 10, AvgPrice: 69_000, Price: 70_000,
			Cost: 690_000, Value: 700_000, PnL: 10_000, PnLPct: 1.45}}})
	return fb
}

// env is one server under test over the real guard, the shared fake
// broker and an in-memory journal.
type env struct {
	t     testing.TB
	clock *clock.Fake
	fb    *brokertest.Broker
	j     *brokertest.Journal
	g     *guard.Guard
	srv   *Server
	h     http.Handler
}

type envOpt func(*Config)

func newEnv(t testing.TB, opts ...envOpt) *env {
	t.Helper()
	c := clock.NewFake(t0)
	e := &env{t: t, clock: c, fb: newFakeBroker(c), j: brokertest.NewJournal(c)}
	e.g = e.newGuard()
	cfg := Config{Addr: "127.0.0.1:0", Token: testToken, Broker: e.g, Orders: e.g, Clock: c}
	for _, o := range opts {
		o(&cfg)
	}
	if rc, ok := cfg.Confirmer.(*recordingConfirmer); ok && rc.checker == nil {
		rc.checker = e.g // as bot.Confirmer runs the guard's dry run
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.srv, e.h = srv, srv.Handler()
	return e
}

// newGuard builds a guard over e's broker and journal with no order
// limits (the tests that want one set it) and the changes mod makes.
func (e *env) newGuard(mod ...func(*guard.Options)) *guard.Guard {
	e.t.Helper()
	o := guard.Options{Broker: e.fb, Journal: e.j, Clock: e.clock, MaxOrderKRW: -1, MaxDailyOrders: -1}
	for _, m := range mod {
		m(&o)
	}
	g, err := guard.New(o)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { g.Close() })
	return g
}

// reguard replaces the guard with one built with mod over the same broker
// and journal, and the server with one over it.
func (e *env) reguard(mod func(*guard.Options)) {
	e.t.Helper()
	e.g = e.newGuard(mod)
	if rc, ok := e.srv.cfg.Confirmer.(*recordingConfirmer); ok {
		rc.checker = e.g
	}
	e.restart(func(c *Config) { c.Broker, c.Orders = e.g, e.g })
}

// holdPlace makes the broker hold every order until release is called;
// entered gets a value as each order starts to wait.
func (e *env) holdPlace() (entered <-chan struct{}, release func()) {
	block, in := make(chan struct{}), make(chan struct{}, 1)
	e.fb.OnPlace(func(context.Context, broker.OrderRequest) error {
		in <- struct{}{}
		<-block
		return nil
	})
	return in, func() { close(block) }
}

// setHalted turns the guard's kill switch on or off.
func (e *env) setHalted(on bool) {
	e.t.Helper()
	set := e.g.Resume
	if on {
		set = e.g.Halt
	}
	if err := set(context.Background(), "test"); err != nil {
		e.t.Fatal(err)
	}
}

// restart builds a new server over the same broker and journal, as after
// a process restart (the in-memory key cache is gone).
func (e *env) restart(opts ...envOpt) {
	e.t.Helper()
	cfg := e.srv.cfg
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	e.srv, e.h = srv, srv.Handler()
}

type result struct {
	status int
	header http.Header
	body   []byte
}

func (r result) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

// errKind returns error.kind of an error envelope, failing unless the body
// is exactly {"error": {...}} with a kind and a message.
func (r result) errKind(t *testing.T) (string, map[string]any) {
	t.Helper()
	m := r.json(t)
	if len(m) != 1 {
		t.Fatalf("error body has keys besides error: %s", r.body)
	}
	e, ok := m["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error object: %s", r.body)
	}
	kind, _ := e["kind"].(string)
	msg, _ := e["message"].(string)
	if kind == "" || msg == "" {
		t.Fatalf("error without kind or message: %s", r.body)
	}
	return kind, e
}

func (e *env) do(method, path, body string, hdr ...string) result {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	req.Header.Set("Authorization", "Bearer "+testToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return result{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

// recordingConfirmer records what it was asked to confirm.
type recordingConfirmer struct {
	checker interface {
		Check(context.Context, broker.OrderRequest) error
	}
	mu   sync.Mutex
	reqs []broker.OrderRequest
	err  error
}

func (c *recordingConfirmer) AskConfirm(ctx context.Context, req broker.OrderRequest) error {
	if c.checker != nil {
		if err := c.checker.Check(ctx, req); err != nil {
			return err
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	c.reqs = append(c.reqs, req)
	return nil
}

func (c *recordingConfirmer) asked() []broker.OrderRequest {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]broker.OrderRequest(nil), c.reqs...)
}

// closedToday makes the guard keep to KRX hours on a calendar where t0's
// day is a holiday.
func closedToday(o *guard.Options) {
	cal, err := broker.NewCalendar([]string{t0.Format(time.DateOnly)})
	if err != nil {
		panic(err)
	}
	o.MarketHours, o.Calendar = true, cal
}
