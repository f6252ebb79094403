package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
)

const testToken = "s3cret-token-for-tests-0123456789"

// t0 is a Wednesday 10:00 KST, inside the session.
var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, broker.KST())

// fakeBroker is the exchange behind the guard: it counts every call and
// answers with the configured errors.
type fakeBroker struct {
	mu       sync.Mutex
	calls    map[string]int
	errs     map[string]error // by call name
	placeErr []error          // consumed one per PlaceOrder before errs
	orders   []broker.Order
	next     int
	clock    clock.Clock
	// block, when set, holds PlaceOrder until closed; entered is signalled
	// when a PlaceOrder starts waiting on it.
	block   chan struct{}
	entered chan struct{}
}

func newFakeBroker(c clock.Clock) *fakeBroker {
	return &fakeBroker{calls: map[string]int{}, errs: map[string]error{}, clock: c}
}

func (f *fakeBroker) count(call string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[call]
}

func (f *fakeBroker) setErr(call string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs[call] = err
}

func (f *fakeBroker) begin(call string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[call]++
	return f.errs[call]
}

func (f *fakeBroker) Name() string { return "fake" }

func (f *fakeBroker) Quote(_ context.Context, code broker.Code) (broker.Quote, error) {
	if err := f.begin("quote"); err != nil {
		return broker.Quote{}, err
	}
	if code == "999999" {
		return broker.Quote{}, &broker.Error{Kind: broker.NotFound, Msg: "no such stock 999999"}
	}
	return broker.Quote{Code: code, Name: "삼성전자", Price: 70_000, Change: 500, ChangePct: 0.72, Sign: broker.SignUp,
		Volume: 1_234_567, Open: 69_500, High: 70_200, Low: 69_400, PrevClose: 69_500, UpperLimit: 90_300,
		LowerLimit: 48_700, Tick: 100, Time: f.clock.Now()}, nil
}

func (f *fakeBroker) PlaceOrder(ctx context.Context, req broker.OrderRequest) (broker.Order, error) {
	f.mu.Lock()
	f.calls["place"]++
	block, entered := f.block, f.entered
	var err error
	if len(f.placeErr) > 0 {
		err, f.placeErr = f.placeErr[0], f.placeErr[1:]
	} else {
		err = f.errs["place"]
	}
	f.mu.Unlock()
	if block != nil {
		if entered != nil {
			entered <- struct{}{}
		}
		<-block
	}
	if err != nil {
		return broker.Order{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next++
	o := broker.Order{ID: fmt.Sprintf("%010d", f.next), Code: req.Code, Name: "삼성전자", Side: req.Side, Type: req.Type,
		Qty: req.Qty, Price: req.Price, Venue: req.Venue, Status: broker.StatusAccepted, Time: f.clock.Now()}
	f.orders = append(f.orders, o)
	return o, nil
}

func (f *fakeBroker) CancelOrder(_ context.Context, req broker.CancelRequest) (broker.Order, error) {
	if err := f.begin("cancel"); err != nil {
		return broker.Order{}, err
	}
	return broker.Order{ID: req.OrderID, Status: broker.StatusCancelled}, nil
}

func (f *fakeBroker) OrdersToday(context.Context) ([]broker.Order, error) {
	if err := f.begin("orders"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]broker.Order(nil), f.orders...), nil
}

func (f *fakeBroker) Balance(context.Context) (broker.Balance, error) {
	if err := f.begin("balance"); err != nil {
		return broker.Balance{}, err
	}
	return broker.Balance{Cash: 5_000_000, Orderable: 4_300_000, StockValue: 700_000, Total: 5_700_000, Cost: 690_000, PnL: 10_000,
		Positions: []broker.Position{{Code: "005930", Name: "삼성전자", Qty: 10, Sellable: 10, AvgPrice: 69_000, Price: 70_000,
			Cost: 690_000, Value: 700_000, PnL: 10_000, PnLPct: 1.45}}}, nil
}

// setStatus changes an order at the fake broker (a fill).
func (f *fakeBroker) setStatus(id string, st broker.OrderStatus, filled int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.orders {
		if f.orders[i].ID == id {
			f.orders[i].Status, f.orders[i].FilledQty, f.orders[i].AvgFillPrice = st, filled, f.orders[i].Price
		}
	}
}

// addForeign adds an order placed outside hoga (HTS, MTS).
func (f *fakeBroker) addForeign(o broker.Order) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.orders = append(f.orders, o)
}

// memJournal is an in-memory journal with the store's semantics, counting
// writes.
type memJournal struct {
	mu      sync.Mutex
	entries map[string]broker.JournalEntry
	order   []string
	writes  int
}

func newMemJournal() *memJournal { return &memJournal{entries: map[string]broker.JournalEntry{}} }

func (j *memJournal) put(e broker.JournalEntry) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if _, ok := j.entries[e.ClientID]; !ok {
		j.order = append(j.order, e.ClientID)
	}
	j.entries[e.ClientID] = e
	j.writes++
}

func (j *memJournal) writeCount() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.writes
}

func (j *memJournal) OrderByClientID(_ context.Context, id string) (broker.JournalEntry, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	e, ok := j.entries[id]
	if !ok {
		return broker.JournalEntry{}, broker.Errorf(broker.NotFound, "order %s is not in the journal", id)
	}
	return e, nil
}

func (j *memJournal) OrderByBrokerID(_ context.Context, day time.Time, id string) (broker.JournalEntry, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, cid := range j.order {
		e := j.entries[cid]
		if id != "" && e.BrokerID == id && broker.Day(e.Created) == broker.Day(day) {
			return e, nil
		}
	}
	return broker.JournalEntry{}, broker.Errorf(broker.NotFound, "broker order %s is not in the journal", id)
}

// miniGuard mirrors broker/guard's contract for these tests: checks,
// write-ahead journal, and the idempotent ClientID (a journaled id replays
// its result; a different order under it is Invalid "client_id").
type miniGuard struct {
	inner *fakeBroker
	j     *memJournal
	clock clock.Clock

	mu       sync.Mutex
	halted   bool
	closedAt bool // refuse as MarketClosed
	maxKRW   int64
}

var _ broker.Broker = (*miniGuard)(nil)

func (g *miniGuard) Name() string { return g.inner.Name() }
func (g *miniGuard) Quote(ctx context.Context, c broker.Code) (broker.Quote, error) {
	return g.inner.Quote(ctx, c)
}
func (g *miniGuard) Balance(ctx context.Context) (broker.Balance, error) { return g.inner.Balance(ctx) }
func (g *miniGuard) CancelOrder(ctx context.Context, r broker.CancelRequest) (broker.Order, error) {
	return g.inner.CancelOrder(ctx, r)
}

func (g *miniGuard) OrdersToday(ctx context.Context) ([]broker.Order, error) {
	list, err := g.inner.OrdersToday(ctx)
	if err != nil {
		return nil, err
	}
	for i, o := range list {
		if e, err := g.j.OrderByBrokerID(ctx, g.clock.Now(), o.ID); err == nil {
			list[i].ClientID, list[i].Source, list[i].User = e.ClientID, e.Source, e.User
		}
	}
	return list, nil
}

// OrderByClientID and OrderByBrokerID are the guard's journal lookups.
func (g *miniGuard) OrderByClientID(ctx context.Context, id string) (broker.JournalEntry, error) {
	return g.j.OrderByClientID(ctx, id)
}

func (g *miniGuard) OrderByBrokerID(ctx context.Context, day time.Time, id string) (broker.JournalEntry, error) {
	return g.j.OrderByBrokerID(ctx, day, id)
}

// NormalizeOrderID writes order numbers as the fake (and KIS) does: 10
// digits, like the real guard passing its broker's form through.
func (g *miniGuard) NormalizeOrderID(id string) string { return broker.PadOrderID(id, 10) }

func (g *miniGuard) setHalted(on bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.halted = on
}

func (g *miniGuard) check(req broker.OrderRequest) error {
	if err := req.Validate(); err != nil {
		return err
	}
	g.mu.Lock()
	halted, closed, maxKRW := g.halted, g.closedAt, g.maxKRW
	g.mu.Unlock()
	if halted {
		return &broker.Error{Kind: broker.Halted, Msg: "trading is halted"}
	}
	if req.Type == broker.Limit {
		if err := broker.CheckTick(req.Price); err != nil {
			return err
		}
	}
	if closed {
		return &broker.Error{Kind: broker.MarketClosed, Code: "krx", Msg: "장 운영시간 외", NextOpen: t0.Add(23 * time.Hour)}
	}
	if maxKRW > 0 && req.Price*req.Qty > maxKRW {
		return &broker.Error{Kind: broker.LimitExceeded, Code: "order_krw", Msg: "over the per-order limit"}
	}
	return nil
}

func (g *miniGuard) Check(ctx context.Context, req broker.OrderRequest) error {
	if req.ClientID != "" {
		if _, err := g.j.OrderByClientID(ctx, req.ClientID); err == nil {
			return nil
		}
	}
	return g.check(req)
}

func (g *miniGuard) PlaceOrder(ctx context.Context, req broker.OrderRequest) (broker.Order, error) {
	if req.ClientID == "" {
		return broker.Order{}, fmt.Errorf("miniGuard: test requests carry a ClientID")
	}
	if e, err := g.j.OrderByClientID(ctx, req.ClientID); err == nil {
		if e.Code != req.Code || e.Side != req.Side || e.Type != req.Type || e.Qty != req.Qty || e.Price != req.Price {
			return broker.Order{}, &broker.Error{Kind: broker.Invalid, Code: "client_id", Msg: "client order id used for a different order"}
		}
		o := broker.Order{ID: e.BrokerID, ClientID: e.ClientID, Code: e.Code, Side: e.Side, Type: e.Type, Qty: e.Qty,
			Price: e.Price, Status: e.State, Source: e.Source, User: e.User}
		switch e.State {
		case broker.StatusRejected:
			return o, e.Err()
		case broker.StatusUnknown, broker.StatusPending:
			return o, &broker.Error{Kind: broker.UnknownOutcome, Msg: "still being checked"}
		}
		return o, nil
	}
	if err := g.check(req); err != nil {
		return broker.Order{}, err
	}
	now := g.clock.Now()
	e := broker.JournalEntry{ClientID: req.ClientID, Source: req.Source, User: req.User, Code: req.Code, Side: req.Side,
		Type: req.Type, Qty: req.Qty, Price: req.Price, State: broker.StatusPending, Created: now, Updated: now}
	g.j.put(e)
	o, err := g.inner.PlaceOrder(ctx, req)
	switch {
	case err == nil:
		e.State, e.BrokerID = broker.StatusAccepted, o.ID
		g.j.put(e)
		o.ClientID, o.Source, o.User = req.ClientID, req.Source, req.User
		return o, nil
	case broker.KindOf(err) == broker.UnknownOutcome:
		e.State = broker.StatusUnknown
		e.SetErr(err)
		g.j.put(e)
		return broker.Order{ClientID: req.ClientID, Status: broker.StatusUnknown}, err
	}
	e.State = broker.StatusRejected
	e.SetErr(err)
	g.j.put(e)
	return broker.Order{ClientID: req.ClientID, Status: broker.StatusRejected}, err
}

// env is one server under test with its fakes.
type env struct {
	t     testing.TB
	clock *clock.Fake
	fb    *fakeBroker
	j     *memJournal
	g     *miniGuard
	srv   *Server
	h     http.Handler
}

type envOpt func(*Config)

func newEnv(t testing.TB, opts ...envOpt) *env {
	t.Helper()
	c := clock.NewFake(t0)
	fb := newFakeBroker(c)
	j := newMemJournal()
	g := &miniGuard{inner: fb, j: j, clock: c}
	cfg := Config{Addr: "127.0.0.1:0", Token: testToken, Broker: g, Orders: g, Clock: c}
	for _, o := range opts {
		o(&cfg)
	}
	if rc, ok := cfg.Confirmer.(*recordingConfirmer); ok && rc.checker == nil {
		rc.checker = g // as bot.Confirmer runs the guard's dry run
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, clock: c, fb: fb, j: j, g: g, srv: srv, h: srv.Handler()}
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
