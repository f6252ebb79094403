package guard

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/clock"
	"github.com/hoga-trade/hoga/store"
)

// A Wednesday, mid-session.
var t0 = kst("2026-03-04 10:00:00")

func kst(s string) time.Time {
	t, err := time.ParseInLocation(time.DateTime, s, broker.KST())
	if err != nil {
		panic(err)
	}
	return t
}

// env is a guard over an in-memory journal (or, with sqlite, the real
// store in a temp dir) and a fake broker, with a fake clock. restart
// replaces the guard and reopens the journal, as a new process would; the
// journal's contents and the fake broker (the exchange) live on.
type env struct {
	t      *testing.T
	dir    string
	clk    *clock.Fake
	fb     *fakeBroker
	sqlite bool
	mem    *brokertest.Journal
	db     testJournal
	g      *Guard
	events chan broker.OrderEvent
	mod    func(*Options)
	wrap   func(Journal) Journal
	runs   []chan struct{}
}

func newEnv(t *testing.T, mod func(*Options)) *env {
	t.Helper()
	return newEnvAt(t, t0, mod)
}

func newEnvAt(t *testing.T, at time.Time, mod func(*Options)) *env {
	t.Helper()
	return startEnv(t, at, false, mod)
}

// newSQLiteEnv is newEnv over the real SQLite store.
func newSQLiteEnv(t *testing.T, mod func(*Options)) *env {
	t.Helper()
	return startEnv(t, t0, true, mod)
}

func startEnv(t *testing.T, at time.Time, sqlite bool, mod func(*Options)) *env {
	t.Helper()
	clk := clock.NewFake(at)
	e := &env{t: t, dir: t.TempDir(), clk: clk, fb: newFakeBroker(clk), sqlite: sqlite, events: make(chan broker.OrderEvent, 1000), mod: mod}
	e.open()
	t.Cleanup(e.shutdown)
	return e
}

// testJournal is a journal the tests can close, as a process exit would.
type testJournal interface {
	Journal
	Close() error
}

func (e *env) open() {
	e.t.Helper()
	if e.sqlite {
		db, err := store.Open(context.Background(), store.Options{Dir: e.dir, Clock: e.clk})
		if err != nil {
			e.t.Fatalf("store.Open: %v", err)
		}
		e.db = db
	} else {
		if e.mem == nil {
			e.mem = brokertest.NewJournal(e.clk)
		}
		e.db = e.mem
	}
	db := e.db
	var j Journal = db
	if e.wrap != nil {
		j = e.wrap(db)
	}
	opts := Options{
		Broker: e.fb, Journal: j, Clock: e.clk,
		OnEvent:        func(ev broker.OrderEvent) { e.events <- ev },
		MaxOrderKRW:    -1,
		MaxDailyOrders: -1,
	}
	if e.mod != nil {
		e.mod(&opts)
	}
	g, err := New(opts)
	if err != nil {
		e.t.Fatalf("guard.New: %v", err)
	}
	e.g = g
}

func (e *env) shutdown() {
	if e.g != nil {
		e.g.Close()
	}
	for _, done := range e.runs {
		<-done
	}
	e.runs = nil
	if e.db != nil {
		e.db.Close()
	}
	e.g, e.db = nil, nil
}

// restart is a new process on the same data directory.
func (e *env) restart() {
	e.t.Helper()
	e.shutdown()
	e.open()
}

// run starts the guard's background work.
func (e *env) run() {
	done := make(chan struct{})
	e.runs = append(e.runs, done)
	g := e.g
	go func() {
		defer close(done)
		if err := g.Run(context.Background()); err != nil {
			e.t.Errorf("Run: %v", err)
		}
	}()
}

func (e *env) nextEvent() broker.OrderEvent {
	e.t.Helper()
	select {
	case ev := <-e.events:
		return ev
	case <-time.After(5 * time.Second):
		e.t.Fatal("no event within 5s")
		return broker.OrderEvent{}
	}
}

// advanceUntilEvent moves the fake clock on by step whenever the guard is
// waiting on it, until an event arrives. The reconciler's own timing (a
// pass may start before or after a given Advance) then cannot wedge it.
func (e *env) advanceUntilEvent(step time.Duration) broker.OrderEvent {
	e.t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case ev := <-e.events:
			return ev
		case <-timeout:
			e.t.Fatal("no event within 5s")
		default:
		}
		stop := make(chan struct{})
		waiting := make(chan bool, 1)
		go func() { waiting <- e.clk.BlockUntil(1, stop) }()
		select {
		case ev := <-e.events:
			close(stop)
			return ev
		case <-waiting:
			e.clk.Advance(step)
		case <-timeout:
			close(stop)
			e.t.Fatal("no event within 5s")
		}
	}
}

func (e *env) expectEvents(kinds ...broker.EventKind) []broker.OrderEvent {
	e.t.Helper()
	var out []broker.OrderEvent
	for _, k := range kinds {
		ev := e.nextEvent()
		if ev.Kind != k {
			e.t.Fatalf("event %d = %s (%+v); want %s", len(out), ev.Kind, ev, k)
		}
		out = append(out, ev)
	}
	return out
}

func (e *env) noEvent() {
	e.t.Helper()
	select {
	case ev := <-e.events:
		e.t.Fatalf("unexpected event %s: %+v", ev.Kind, ev)
	default:
	}
}

func (e *env) entry(clientID string) broker.JournalEntry {
	e.t.Helper()
	en, err := e.db.OrderByClientID(context.Background(), clientID)
	if err != nil {
		e.t.Fatalf("journal row %s: %v", clientID, err)
	}
	return en
}

func limitBuy(qty, price int64) broker.OrderRequest {
	return broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: qty, Price: price, Source: "console", User: "console"}
}

func wantKind(t *testing.T, err error, k broker.Kind) {
	t.Helper()
	if got := broker.KindOf(err); got != k {
		t.Fatalf("error kind = %v (%v); want %v", got, err, k)
	}
}

// placeHanging places req with the fake hanging after it recorded the
// order, and fires the client's request timer once it has: the client's
// timeout while the broker already has the order.
func (e *env) placeHanging(req broker.OrderRequest) (broker.Order, error) {
	recorded, timeout := make(chan struct{}), make(chan struct{})
	e.fb.then(step{do: hang, recorded: recorded, timeout: timeout})
	go func() {
		<-recorded
		close(timeout)
	}()
	return e.g.PlaceOrder(context.Background(), req)
}

// A caller going away (shutdown, an HTTP client hanging up) after the
// journal row is written must not cut the broker call in half: the order's
// answer is still awaited and journaled.
func TestCallerCancelDoesNotAbandonASentOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	recorded, gate := make(chan struct{}), make(chan struct{})
	e.fb.then(step{do: accept, recorded: recorded, gate: gate})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-recorded
		cancel() // the caller leaves while the broker is answering
		close(gate)
	}()
	o, err := e.g.PlaceOrder(ctx, limitBuy(1, 70_000))
	if err != nil {
		t.Fatalf("PlaceOrder: %v", err)
	}
	if o.ID == "" || o.Status != broker.StatusAccepted {
		t.Fatalf("order = %+v; want accepted with a number", o)
	}
	if got := e.entry(o.ClientID); got.State != broker.StatusAccepted || got.BrokerID != o.ID {
		t.Fatalf("journal = %+v; want accepted %s", got, o.ID)
	}
}

func TestDelayedAnswerReconciledAccepted(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.run()

	o, err := e.placeHanging(limitBuy(10, 70_000))
	wantKind(t, err, broker.UnknownOutcome)
	if o.ClientID == "" || o.Status != broker.StatusUnknown || o.ID != "" {
		t.Fatalf("returned order %+v; want the client id, status unknown, no number", o)
	}
	evs := e.expectEvents(broker.EventUnknown, broker.EventReconciled)
	if evs[0].Request.ClientID != o.ClientID || evs[0].Err == nil {
		t.Fatalf("unknown event %+v", evs[0])
	}
	orders, clientOf, calls := e.fb.snapshot()
	if len(orders) != 1 || calls[o.ClientID] != 1 {
		t.Fatalf("broker has %d orders, %d calls for %s; want exactly one", len(orders), calls[o.ClientID], o.ClientID)
	}
	if ev := evs[1]; ev.Err != nil || ev.Order.ID != orders[0].ID || ev.Order.ClientID != o.ClientID || ev.Request.User != "console" {
		t.Fatalf("reconciled event %+v; want order %s for %s", ev, orders[0].ID, o.ClientID)
	}
	en := e.entry(o.ClientID)
	if en.State != broker.StatusAccepted || en.BrokerID != orders[0].ID || en.Branch != "06590" || clientOf[en.BrokerID] != o.ClientID {
		t.Fatalf("journal row %+v; want accepted as %s", en, orders[0].ID)
	}
	all, _ := e.db.OrdersOn(context.Background(), t0)
	if len(all) != 1 {
		t.Fatalf("journal has %d rows; want 1", len(all))
	}
	// A repeat of the same client id is answered from the journal.
	again := limitBuy(10, 70_000)
	again.ClientID = o.ClientID
	got, err := e.g.PlaceOrder(context.Background(), again)
	if err != nil || got.ID != orders[0].ID {
		t.Fatalf("replay = %+v, %v; want order %s", got, err, orders[0].ID)
	}
	if _, _, calls := e.fb.snapshot(); calls[o.ClientID] != 1 {
		t.Fatalf("replay reached the broker")
	}
}

func TestUnknownNeverSentRejectedAfterGrace(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *Options) { o.ReconcileGrace = time.Minute })
	e.run()
	e.fb.then(step{do: notSent})
	o, err := e.g.PlaceOrder(context.Background(), limitBuy(1, 70_000))
	wantKind(t, err, broker.UnknownOutcome)
	e.expectEvents(broker.EventUnknown)
	e.noEvent()
	if en := e.entry(o.ClientID); en.State != broker.StatusUnknown {
		t.Fatalf("before grace: %s; want unknown", en.State)
	}
	// The reconciler has looked and is waiting; let the grace pass.
	ev := e.advanceUntilEvent(5 * time.Second)
	if ev.Kind != broker.EventReconciled {
		t.Fatalf("event %s; want reconciled", ev.Kind)
	}
	if now := e.clk.Now(); now.Before(t0.Add(time.Minute)) {
		t.Fatalf("rejected at %v, before the grace ended", now)
	}
	wantKind(t, ev.Err, broker.Rejected)
	if ev.Request.ClientID != o.ClientID || ev.Order.Status != broker.StatusRejected {
		t.Fatalf("reconciled event %+v", ev)
	}
	en := e.entry(o.ClientID)
	if en.State != broker.StatusRejected || en.BrokerID != "" || en.ErrCode != "not_at_broker" {
		t.Fatalf("journal row %+v; want rejected, not at broker", en)
	}
	if orders, _, _ := e.fb.snapshot(); len(orders) != 0 {
		t.Fatalf("broker has %d orders", len(orders))
	}
}

// crashJournal lets the pending row be written and then "dies": every
// later write fails, as if the process had been killed before the broker
// answered.
type crashJournal struct{ Journal }

func (crashJournal) UpdateOrder(context.Context, string, func(*broker.JournalEntry) error) (broker.JournalEntry, error) {
	return broker.JournalEntry{}, errors.New("process killed")
}

func TestCrashBetweenJournalAndAnswer(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		do       behaviour
		atBroker bool
	}{
		{"broker_got_it", lostAnswer, true},
		{"broker_did_not", notSent, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, func(o *Options) { o.ReconcileGrace = 90 * time.Second })
			e.wrap = func(j Journal) Journal { return crashJournal{j} }
			e.restart()
			e.fb.then(step{do: tt.do})
			o, err := e.g.PlaceOrder(context.Background(), limitBuy(3, 69_900))
			wantKind(t, err, broker.UnknownOutcome)
			id := o.ClientID
			if en := e.entry(id); en.State != broker.StatusPending {
				t.Fatalf("row after the crash is %s; want pending", en.State)
			}

			// New process, same file, 30 s later.
			e.wrap = nil
			e.clk.Advance(30 * time.Second)
			e.restart()
			for len(e.events) > 0 {
				<-e.events // the dead process's events
			}
			// Recover returns after one pass (issue 20, item 1): a row too
			// young to call rejected is left to Run, which waits out the
			// grace in the background while commands are taken.
			if err := e.g.Recover(context.Background()); err != nil {
				t.Fatalf("Recover: %v", err)
			}
			if !tt.atBroker {
				if en := e.entry(id); en.State != broker.StatusUnknown {
					t.Fatalf("row after Recover is %s; want unknown until the grace has passed", en.State)
				}
			}
			e.run()
			var evs []broker.OrderEvent
			for len(evs) < 2 {
				evs = append(evs, e.advanceUntilEvent(10*time.Second))
			}
			if evs[0].Kind != broker.EventUnknown || evs[1].Kind != broker.EventReconciled {
				t.Fatalf("events %s, %s; want unknown, reconciled", evs[0].Kind, evs[1].Kind)
			}
			en := e.entry(id)
			orders, _, calls := e.fb.snapshot()
			if calls[id] != 1 {
				t.Fatalf("broker saw %s %d times; want 1 (never resent)", id, calls[id])
			}
			if tt.atBroker {
				if len(orders) != 1 || en.State != broker.StatusAccepted || en.BrokerID != orders[0].ID || evs[1].Err != nil {
					t.Fatalf("row %+v, broker %v, event %+v; want accepted", en, orders, evs[1])
				}
			} else {
				if len(orders) != 0 || en.State != broker.StatusRejected || en.BrokerID != "" {
					t.Fatalf("row %+v, broker %v; want rejected, nothing at broker", en, orders)
				}
				wantKind(t, evs[1].Err, broker.Rejected)
			}
			if un, _ := e.db.Unresolved(context.Background()); len(un) != 0 {
				t.Fatalf("%d rows still unresolved", len(un))
			}
		})
	}
}

func TestRecoverBrokerDownThenRunSettles(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.fb.then(step{do: lostAnswer})
	o, _ := e.g.PlaceOrder(context.Background(), limitBuy(1, 70_000))
	e.restart()
	e.fb.mu.Lock()
	e.fb.listErrs = []error{&broker.Error{Kind: broker.Transient, Msg: "503"}}
	e.fb.mu.Unlock()
	err := e.g.Recover(context.Background())
	wantKind(t, err, broker.Transient)
	if en := e.entry(o.ClientID); en.State != broker.StatusUnknown {
		t.Fatalf("row %s; want unknown while the broker is down", en.State)
	}
	e.run() // the first pass finds the broker back
	for {
		if ev := e.nextEvent(); ev.Kind == broker.EventReconciled {
			break
		}
	}
	if en := e.entry(o.ClientID); en.State != broker.StatusAccepted {
		t.Fatalf("row %s after Run; want accepted", en.State)
	}
}

func TestExpiredFromEarlierDay(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	old := broker.JournalEntry{ClientID: "H20260303OLD", Source: "strategy", User: "rule1", Code: "005930", Side: broker.Sell,
		Type: broker.Market, Qty: 2, State: broker.StatusPending, Created: t0.Add(-20 * time.Hour)}
	if err := e.db.InsertOrder(ctx, old); err != nil {
		t.Fatal(err)
	}
	if err := e.g.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	e.run()
	evs := e.expectEvents(broker.EventUnknown, broker.EventReconciled)
	if be, ok := broker.AsError(evs[1].Err); !ok || be.Code != "expired" || !strings.Contains(be.Msg, "2026-03-03") {
		t.Fatalf("expiry event error %v", evs[1].Err)
	}
	en := e.entry(old.ClientID)
	if !en.Expired || en.State != broker.StatusUnknown {
		t.Fatalf("row %+v; want unknown, expired", en)
	}
	if un, _ := e.db.Unresolved(ctx); len(un) != 0 {
		t.Fatalf("expired row still unresolved")
	}
	req := old.Request()
	_, err := e.g.PlaceOrder(ctx, req)
	wantKind(t, err, broker.UnknownOutcome)
	if e.fb.placeCalls != 0 {
		t.Fatal("an expired order was resent")
	}
}

func TestUnclassifiedErrorTreatedAsUnknown(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.fb.then(step{do: internal})
	o, err := e.g.PlaceOrder(context.Background(), limitBuy(1, 70_000))
	wantKind(t, err, broker.UnknownOutcome)
	if err := e.g.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	if en := e.entry(o.ClientID); en.State != broker.StatusAccepted {
		t.Fatalf("row %s; want accepted", en.State)
	}
}

func TestBrokerRejectionsJournaled(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		s    step
		kind broker.Kind
	}{
		{"insufficient_funds", step{do: reject, err: &broker.Error{Kind: broker.InsufficientFunds, Code: "APBK0952", Msg: "주문가능금액을 초과 했습니다"}}, broker.InsufficientFunds},
		{"transient_not_sent", step{do: transient}, broker.Transient},
		{"rate_limited", step{do: reject, err: &broker.Error{Kind: broker.RateLimited, Code: "EGW00201", Msg: "초당 거래건수를 초과하였습니다."}}, broker.RateLimited},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil)
			e.run()
			e.fb.then(tt.s)
			o, err := e.g.PlaceOrder(context.Background(), limitBuy(1, 70_000))
			wantKind(t, err, tt.kind)
			ev := e.expectEvents(broker.EventRejected)[0]
			wantKind(t, ev.Err, tt.kind)
			en := e.entry(o.ClientID)
			if en.State != broker.StatusRejected || en.ErrKind != tt.kind || o.Status != broker.StatusRejected {
				t.Fatalf("row %+v, order %+v", en, o)
			}
			// Replaying the id returns the same refusal without a call.
			req := limitBuy(1, 70_000)
			req.ClientID = o.ClientID
			_, err = e.g.PlaceOrder(context.Background(), req)
			wantKind(t, err, tt.kind)
			if e.fb.placeCalls != 1 {
				t.Fatalf("broker calls = %d; want 1", e.fb.placeCalls)
			}
		})
	}
}

func TestIdempotentClientID(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, nil)
	req := limitBuy(5, 70_000)
	req.ClientID = "http-key-1"
	first, err := e.g.PlaceOrder(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	second, err := e.g.PlaceOrder(ctx, req)
	if err != nil || second.ID != first.ID || second.ClientID != "http-key-1" {
		t.Fatalf("second = %+v, %v; want order %s again", second, err, first.ID)
	}
	// A different order under a used id is refused, not sent.
	other := req
	other.Qty = 6
	_, err = e.g.PlaceOrder(ctx, other)
	wantKind(t, err, broker.Invalid)
	if err := e.g.Check(ctx, other); broker.KindOf(err) != broker.Invalid {
		t.Fatalf("Check(reused id, other order) = %v; want invalid", err)
	}
	// Check passes a known id even while halted: placing it only replays.
	if err := e.g.Halt(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	if err := e.g.Check(ctx, req); err != nil {
		t.Fatalf("Check(known id) while halted = %v", err)
	}
	if o, err := e.g.PlaceOrder(ctx, req); err != nil || o.ID != first.ID {
		t.Fatalf("replay while halted = %+v, %v", o, err)
	}
	if err := e.g.Resume(ctx, "test"); err != nil {
		t.Fatal(err)
	}

	// Concurrent duplicates: exactly one reaches the broker.
	dup := limitBuy(1, 70_100)
	dup.ClientID = "confirm-abc"
	var wg sync.WaitGroup
	ids := make(chan string, 8)
	for i := 0; i < 8; i++ {
		wg.Go(func() {
			o, err := e.g.PlaceOrder(ctx, dup)
			if err != nil {
				t.Errorf("concurrent duplicate: %v", err)
			}
			ids <- o.ID
		})
	}
	wg.Wait()
	close(ids)
	var seen string
	for id := range ids {
		if seen != "" && id != seen {
			t.Fatalf("duplicates got different orders %s and %s", seen, id)
		}
		seen = id
	}
	_, _, calls := e.fb.snapshot()
	if calls["http-key-1"] != 1 || calls["confirm-abc"] != 1 {
		t.Fatalf("broker calls per id = %v; want 1 each", calls)
	}
}

func TestGeneratedClientIDs(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	seen := map[string]bool{}
	for i := 0; i < 20; i++ {
		o, err := e.g.PlaceOrder(context.Background(), limitBuy(1, 70_000))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(o.ClientID, "H20260304") || len(o.ClientID) != 19 || seen[o.ClientID] {
			t.Fatalf("client id %q: want a fresh H20260304 + 10 characters", o.ClientID)
		}
		seen[o.ClientID] = true
	}
}

func TestKillSwitchPersistsAcrossRestart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, nil)
	e.run()
	if on, _, _ := e.g.Halted(); on {
		t.Fatal("halted at start")
	}
	if err := e.g.Halt(ctx, "telegram:42"); err != nil {
		t.Fatal(err)
	}
	if err := e.g.Halt(ctx, "someone else"); err != nil { // no-op: keeps the first
		t.Fatal(err)
	}
	if ev := e.expectEvents(broker.EventHalted)[0]; ev.By != "telegram:42" {
		t.Fatalf("halt event by %q", ev.By)
	}
	e.clk.Advance(time.Hour)
	e.restart()
	e.run()
	on, since, by := e.g.Halted()
	if !on || !since.Equal(t0) || by != "telegram:42" {
		t.Fatalf("after restart Halted() = %v %v %q; want true %v telegram:42", on, since, by, t0)
	}
	_, err := e.g.PlaceOrder(ctx, limitBuy(1, 70_000))
	wantKind(t, err, broker.Halted)
	if !strings.Contains(err.Error(), "telegram:42") || !strings.Contains(err.Error(), "/resume") {
		t.Fatalf("halt message %q should say who and how to resume", err)
	}
	e.expectEvents(broker.EventRejected)
	if e.fb.placeCalls != 0 {
		t.Fatal("an order reached the broker while halted")
	}
	if err := e.g.Resume(ctx, "console"); err != nil {
		t.Fatal(err)
	}
	e.expectEvents(broker.EventResumed)
	e.restart()
	if on, _, _ := e.g.Halted(); on {
		t.Fatal("resume did not persist")
	}
	if _, err := e.g.PlaceOrder(ctx, limitBuy(1, 70_000)); err != nil {
		t.Fatalf("after resume: %v", err)
	}
}

// failingSettings fails PutSetting.
type failingSettings struct{ Journal }

func (failingSettings) PutSetting(context.Context, string, string) error {
	return errors.New("disk full")
}

func TestHaltTakesEffectEvenIfNotPersisted(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.wrap = func(j Journal) Journal { return failingSettings{j} }
	e.restart()
	err := e.g.Halt(context.Background(), "console")
	if err == nil || !strings.Contains(err.Error(), "restart") {
		t.Fatalf("Halt with a failing journal = %v; want an error about restarts", err)
	}
	if on, _, _ := e.g.Halted(); !on {
		t.Fatal("not halted")
	}
	_, err = e.g.PlaceOrder(context.Background(), limitBuy(1, 70_000))
	wantKind(t, err, broker.Halted)
}

func TestCancelUsesJournal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, nil)
	e.run()
	o, err := e.g.PlaceOrder(ctx, limitBuy(2, 69_000))
	if err != nil {
		t.Fatal(err)
	}
	e.expectEvents(broker.EventPlaced)

	// Only the number: the branch (KIS) and code/type (Kiwoom) come from
	// the journal, without asking the broker's list.
	e.fb.mu.Lock()
	e.fb.listErrs = []error{errors.New("OrdersToday must not be needed")}
	e.fb.mu.Unlock()
	c, err := e.g.CancelOrder(ctx, broker.CancelRequest{OrderID: o.ID, Source: "telegram", User: "42"})
	if err != nil {
		t.Fatalf("CancelOrder: %v", err)
	}
	if c.ID == "" || c.ClientID != o.ClientID {
		t.Fatalf("cancel result %+v", c)
	}
	e.fb.mu.Lock()
	got := e.fb.cancels[0]
	e.fb.listErrs = nil
	e.fb.mu.Unlock()
	if got.Branch != "06590" || got.Code != "005930" || got.Type != broker.Limit {
		t.Fatalf("broker got cancel %+v; want branch 06590, code 005930, limit", got)
	}
	ev := e.expectEvents(broker.EventCancelled)[0]
	if ev.By != "telegram:42" || ev.Order.ID != o.ID || ev.Request.ClientID != o.ClientID {
		t.Fatalf("cancel event %+v", ev)
	}
	if en := e.entry(o.ClientID); en.State != broker.StatusCancelled {
		t.Fatalf("order row %s; want cancelled", en.State)
	}

	// Cancelling again: the journal says cancelled, so nothing is sent
	// (Kiwoom answered RC4033 "취소가능수량이 없습니다" to a /cancel of a
	// filled order, issue 12).
	sent := len(e.fb.cancels)
	_, err = e.g.CancelOrder(ctx, broker.CancelRequest{OrderID: o.ID, User: "42"})
	wantKind(t, err, broker.Invalid)
	if be, _ := broker.AsError(err); be.Say != "guard.final.cancelled" {
		t.Fatalf("second cancel said %q, want guard.final.cancelled", be.Say)
	}
	e.fb.mu.Lock()
	if len(e.fb.cancels) != sent {
		t.Fatal("a cancel of a cancelled order was sent")
	}
	e.fb.mu.Unlock()

	// Filled at the broker before hoga heard of it: the broker refuses;
	// journaled as rejected.
	o2, err := e.g.PlaceOrder(ctx, limitBuy(1, 69_000))
	if err != nil {
		t.Fatal(err)
	}
	e.expectEvents(broker.EventPlaced)
	e.fb.mu.Lock()
	for i := range e.fb.orders {
		if e.fb.orders[i].ID == o2.ID {
			e.fb.orders[i].Status = broker.StatusFilled
		}
	}
	e.fb.mu.Unlock()
	_, err = e.g.CancelOrder(ctx, broker.CancelRequest{OrderID: o2.ID, User: "42"})
	wantKind(t, err, broker.Rejected)

	// An order hoga did not place: the broker's list supplies the branch.
	e.fb.add(broker.Order{ID: "0000099999", Branch: "01234", Code: "000660", Side: broker.Sell, Type: broker.Limit,
		Qty: 1, Price: 200_000, Status: broker.StatusAccepted, Time: t0})
	if _, err := e.g.CancelOrder(ctx, broker.CancelRequest{OrderID: "0000099999", User: "console"}); err != nil {
		t.Fatalf("cancel of an outside order: %v", err)
	}
	e.fb.mu.Lock()
	got = e.fb.cancels[len(e.fb.cancels)-1]
	e.fb.mu.Unlock()
	if got.Branch != "01234" || got.Code != "000660" {
		t.Fatalf("outside cancel sent %+v", got)
	}

	// No such order: NotFound, nothing sent.
	n := len(e.fb.cancels)
	_, err = e.g.CancelOrder(ctx, broker.CancelRequest{OrderID: "42"})
	wantKind(t, err, broker.NotFound)
	_, err = e.g.CancelOrder(ctx, broker.CancelRequest{})
	wantKind(t, err, broker.Invalid)
	if len(e.fb.cancels) != n {
		t.Fatal("a cancel for an unknown order was sent")
	}

	cs, err := e.mem.Cancels(t0), error(nil)
	if err != nil {
		t.Fatal(err)
	}
	var states []string
	for _, c := range cs {
		states = append(states, fmt.Sprintf("%s:%s", c.OrderID, c.State))
	}
	want := fmt.Sprintf("%s:accepted %s:rejected 0000099999:accepted", o.ID, o2.ID)
	if strings.Join(states, " ") != want {
		t.Fatalf("cancel journal %v; want %s", states, want)
	}
	if cs[0].ClientID != o.ClientID || cs[0].User != "42" || cs[1].ErrCode != "40330000" {
		t.Fatalf("cancel rows %+v", cs)
	}
}

func TestConcurrentPlaceOrderSerialised(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, nil)
	e.fb.entered = make(chan string)
	e.fb.release = make(chan struct{})
	const n = 6
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Go(func() {
			req := limitBuy(1, 70_000+int64(i)*100)
			req.Source = []string{"console", "telegram", "http"}[i%3]
			if _, err := e.g.PlaceOrder(ctx, req); err != nil {
				t.Errorf("PlaceOrder: %v", err)
			}
		})
	}
	for i := 0; i < n; i++ {
		id := <-e.fb.entered
		// While this one is at the broker, it is the only journal row not
		// yet answered: the others have not even been journaled.
		un, err := e.db.Unresolved(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(un) != 1 || un[0].ClientID != id {
			t.Fatalf("call %d: %d unanswered rows while %s is in flight; want only it", i, len(un), id)
		}
		e.fb.mu.Lock()
		inflight := e.fb.inflight
		e.fb.mu.Unlock()
		if inflight != 1 {
			t.Fatalf("%d orders in flight at once", inflight)
		}
		e.fb.release <- struct{}{}
	}
	wg.Wait()
	if e.fb.maxInflight != 1 {
		t.Fatalf("max in flight = %d; want 1", e.fb.maxInflight)
	}
	rows, _ := e.db.OrdersOn(ctx, t0)
	if len(rows) != n {
		t.Fatalf("%d journal rows; want %d", len(rows), n)
	}
	for _, r := range rows {
		if r.State != broker.StatusAccepted {
			t.Fatalf("row %s is %s", r.ClientID, r.State)
		}
	}
}

// failingJournal fails every journal call named in fail.
type failingJournal struct {
	Journal
	insert, lookup bool
}

func (f failingJournal) InsertOrder(ctx context.Context, e broker.JournalEntry) error {
	if f.insert {
		return errors.New("disk I/O error")
	}
	return f.Journal.InsertOrder(ctx, e)
}

func (f failingJournal) OrderByClientID(ctx context.Context, id string) (broker.JournalEntry, error) {
	if f.lookup {
		return broker.JournalEntry{}, errors.New("disk I/O error")
	}
	return f.Journal.OrderByClientID(ctx, id)
}

func TestNothingSentWithoutJournal(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name           string
		insert, lookup bool
		clientID       string
	}{
		{"insert_fails", true, false, ""},
		{"lookup_fails", false, true, "K1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil)
			e.wrap = func(j Journal) Journal { return failingJournal{Journal: j, insert: tt.insert, lookup: tt.lookup} }
			e.restart()
			req := limitBuy(1, 70_000)
			req.ClientID = tt.clientID
			_, err := e.g.PlaceOrder(context.Background(), req)
			wantKind(t, err, broker.Internal)
			if e.fb.placeCalls != 0 {
				t.Fatal("an order reached the broker without a journal row")
			}
		})
	}
}

func TestOrdersTodayMerge(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, nil)
	placed, err := e.g.PlaceOrder(ctx, limitBuy(1, 70_000))
	if err != nil {
		t.Fatal(err)
	}
	e.clk.Advance(time.Second)
	tg := limitBuy(2, 69_500)
	tg.Source, tg.User = "telegram", "42"
	lost, err := e.placeHanging(tg)
	wantKind(t, err, broker.UnknownOutcome)
	e.clk.Advance(time.Second)
	e.fb.then(step{do: reject, err: &broker.Error{Kind: broker.InsufficientFunds, Code: "APBK0952", Msg: "주문가능금액을 초과 했습니다"}})
	rej, _ := e.g.PlaceOrder(ctx, limitBuy(1000, 70_000))
	e.fb.add(broker.Order{ID: "0000077777", Code: "000660", Side: broker.Sell, Type: broker.Limit, Qty: 1, Price: 200_000,
		Status: broker.StatusAccepted, Time: t0.Add(5 * time.Second)})

	view := func() map[string]broker.Order {
		t.Helper()
		orders, err := e.g.OrdersToday(ctx)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]broker.Order{}
		for i, o := range orders {
			if i > 0 && o.Time.Before(orders[i-1].Time) {
				t.Fatalf("not sorted by time: %v", orders)
			}
			key := o.ClientID
			if key == "" {
				key = "broker:" + o.ID
			}
			m[key] = o
		}
		return m
	}
	m := view()
	if len(m) != 5 {
		t.Fatalf("merged view has %d orders; want 5 (placed, lost at broker unattributed, lost in journal, rejected, outside): %v", len(m), m)
	}
	if o := m[placed.ClientID]; o.ID != placed.ID || o.Source != "console" || o.Status != broker.StatusAccepted {
		t.Fatalf("placed order %+v", o)
	}
	if o := m[lost.ClientID]; o.Status != broker.StatusUnknown || o.Note == "" || o.User != "42" || o.ID != "" {
		t.Fatalf("unresolved order %+v; want status unknown with a note", o)
	}
	if o := m[rej.ClientID]; o.Status != broker.StatusRejected || !strings.Contains(o.Note, "주문가능금액") {
		t.Fatalf("rejected order %+v; want its reason", o)
	}
	if o := m["broker:0000077777"]; o.Source != "" || o.Code != "000660" {
		t.Fatalf("outside order %+v", o)
	}

	if err := e.g.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	m = view()
	if len(m) != 4 {
		t.Fatalf("after reconciliation %d orders; want 4: %v", len(m), m)
	}
	if o := m[lost.ClientID]; o.Status != broker.StatusAccepted || o.ID == "" || o.User != "42" || !strings.Contains(o.Note, "found") {
		t.Fatalf("reconciled order %+v", o)
	}
}

func TestEventsNeverBlockOrders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	gate := make(chan struct{})
	stuck := make(chan struct{}, 10)
	got := make(chan broker.OrderEvent, 10)
	e := newEnv(t, func(o *Options) {
		o.EventQueue = 3
		o.OnEvent = func(ev broker.OrderEvent) {
			stuck <- struct{}{}
			<-gate
			got <- ev
		}
	})
	e.run()
	var ids []string
	for i := 0; i < 5; i++ { // the consumer is stuck the whole time
		o, err := e.g.PlaceOrder(ctx, limitBuy(1, 70_000))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, o.ClientID)
		if i == 0 {
			<-stuck // the dispatcher holds the first event
		}
	}
	close(gate)
	// The dispatcher had taken the first event before blocking; the queue
	// held three more; the fifth was dropped (and logged).
	for i := 0; i < 4; i++ {
		select {
		case ev := <-got:
			if ev.Kind != broker.EventPlaced || ev.Request.ClientID != ids[i] {
				t.Fatalf("event %d = %s %s; want placed %s", i, ev.Kind, ev.Request.ClientID, ids[i])
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("event %d not delivered", i)
		}
	}
	e.g.Close()
	select {
	case ev := <-got:
		t.Fatalf("fifth event delivered despite a full queue: %+v", ev)
	default:
	}
}

func TestRunCloseLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, nil)
	e.run()
	e.g.Halt(ctx, "x") // makes sure Run's goroutine is up before the second call
	e.nextEvent()
	if err := e.g.Run(ctx); err == nil {
		t.Fatal("second Run succeeded")
	}
	if err := e.g.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.g.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := e.g.PlaceOrder(ctx, limitBuy(1, 70_000))
	wantKind(t, err, broker.Transient)
	_, err = e.g.CancelOrder(ctx, broker.CancelRequest{OrderID: "1"})
	wantKind(t, err, broker.Transient)
	if err := e.g.Run(ctx); err == nil {
		t.Fatal("Run after Close succeeded")
	}
	if e.fb.placeCalls != 0 {
		t.Fatal("sent after Close")
	}
	// Run also stops with its context.
	e2 := newEnv(t, nil)
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- e2.g.Run(cctx) }()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after cancel = %v", err)
	}
}

func TestNewValidation(t *testing.T) {
	t.Parallel()
	if _, err := New(Options{Journal: failingJournal{}}); err == nil {
		t.Error("New without a broker succeeded")
	}
	if _, err := New(Options{Broker: newFakeBroker(clock.Real{})}); err == nil {
		t.Error("New without a journal succeeded")
	}
	e := newEnv(t, nil)
	if e.g.Name() != "fake" {
		t.Errorf("Name = %q", e.g.Name())
	}
	if _, err := e.g.Quote(context.Background(), "005930"); err != nil {
		t.Error(err)
	}
	if _, err := e.g.Balance(context.Background()); err != nil {
		t.Error(err)
	}
	// A corrupt kill switch is a reason not to start.
	if err := e.db.PutSetting(context.Background(), haltKey, "{"); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{Broker: e.fb, Journal: e.db}); err == nil {
		t.Error("New with a corrupt kill switch succeeded")
	}
}

func TestAcceptedWithoutNumberReconciled(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.fb.then(step{do: acceptNoID})
	o, err := e.g.PlaceOrder(context.Background(), limitBuy(1, 70_000))
	wantKind(t, err, broker.UnknownOutcome)
	if err := e.g.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	orders, _, _ := e.fb.snapshot()
	if en := e.entry(o.ClientID); en.State != broker.StatusAccepted || en.BrokerID != orders[0].ID {
		t.Fatalf("row %+v; want accepted as %s", en, orders[0].ID)
	}
}

func TestEchoedClientIDBeatsTimeMatching(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, func(o *Options) { o.ReconcileGrace = time.Minute })
	e.fb.echoClientID = true // as the paper broker does
	// Two identical orders at the same instant: the older never arrived,
	// the newer did. By time alone they tie and the older would win.
	e.fb.then(step{do: notSent}, step{do: lostAnswer})
	a, _ := e.g.PlaceOrder(ctx, limitBuy(1, 70_000))
	b, _ := e.g.PlaceOrder(ctx, limitBuy(1, 70_000))

	// Before reconciliation the merged view already knows b by its id.
	orders, err := e.g.OrdersToday(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(orders) != 2 {
		t.Fatalf("merged view %+v; want b (at the broker, annotated) and a (unknown)", orders)
	}

	e.clk.Advance(time.Minute)
	// Two reads after the grace, recheckAfter apart, before "never placed".
	for range neverPlacedReads {
		if err := e.g.Recover(ctx); err != nil {
			t.Fatal(err)
		}
		e.clk.Advance(recheckAfter)
	}
	if ra, rb := e.entry(a.ClientID), e.entry(b.ClientID); ra.State != broker.StatusRejected || rb.State != broker.StatusAccepted {
		t.Fatalf("a %s, b %s; want a rejected, b accepted", ra.State, rb.State)
	}
}

func TestCancelledContextSendsNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := e.g.PlaceOrder(ctx, limitBuy(1, 70_000))
	wantKind(t, err, broker.Transient)

	// Waiting for the order ahead, then giving up.
	e.fb.entered = make(chan string)
	e.fb.release = make(chan struct{})
	first := make(chan error)
	go func() {
		_, err := e.g.PlaceOrder(context.Background(), limitBuy(1, 70_000))
		first <- err
	}()
	<-e.fb.entered
	wctx, wcancel := context.WithCancel(context.Background())
	second := make(chan error)
	go func() {
		_, err := e.g.PlaceOrder(wctx, limitBuy(2, 70_000))
		second <- err
	}()
	wcancel()
	wantKind(t, <-second, broker.Transient)
	e.fb.release <- struct{}{}
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if e.fb.placeCalls != 1 {
		t.Fatalf("broker calls = %d; want 1", e.fb.placeCalls)
	}
	if n, _ := e.db.CountOrdersOn(context.Background(), t0); n != 1 {
		t.Fatalf("journal rows = %d; want 1", n)
	}
}

func TestAcceptedButAnswerNotJournaled(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.wrap = func(j Journal) Journal { return crashJournal{j} }
	e.restart()
	o, err := e.g.PlaceOrder(context.Background(), limitBuy(1, 70_000))
	if err != nil || o.ID == "" {
		// The broker took it: the caller is told so even though the
		// journal could not record the answer.
		t.Fatalf("PlaceOrder = %+v, %v; want the broker's order", o, err)
	}
	if en := e.entry(o.ClientID); en.State != broker.StatusPending {
		t.Fatalf("row %s; want still pending", en.State)
	}
	e.wrap = nil
	e.restart()
	if err := e.g.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	if en := e.entry(o.ClientID); en.State != broker.StatusAccepted || en.BrokerID != o.ID {
		t.Fatalf("row %+v; want accepted as %s", en, o.ID)
	}
}

// The in-memory journal the unit tests run on is a Journal like the store.
var _ Journal = (*brokertest.Journal)(nil)

// Issue 20, item 1: after a restart, Recover returns after one pass even
// when a row is too young to settle; until Run settles it, only an order
// that could duplicate it (same code, side and quantity) is refused, and
// Checking counts it for /status.
func TestUnsettledRowFromEarlierRunBlocksOnlyItsDuplicates(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *Options) { o.ReconcileGrace = 90 * time.Second })
	ctx := context.Background()
	e.fb.then(step{do: notSent})
	first, err := e.g.PlaceOrder(ctx, limitBuy(3, 69_900))
	wantKind(t, err, broker.UnknownOutcome)
	e.clk.Advance(time.Second)
	e.restart()
	for len(e.events) > 0 {
		<-e.events
	}
	if err := e.g.Recover(ctx); err != nil {
		t.Fatalf("Recover: %v", err)
	}
	if n := e.g.Checking(ctx); n != 1 {
		t.Fatalf("Checking = %d, want 1", n)
	}
	for _, tc := range []struct {
		name    string
		req     broker.OrderRequest
		refused bool
	}{
		{"same order", limitBuy(3, 69_900), true},
		{"same order at another price", limitBuy(3, 70_000), true},
		{"another quantity", limitBuy(2, 69_900), false},
		{"the other side", func() broker.OrderRequest { r := limitBuy(3, 69_900); r.Side = broker.Sell; return r }(), false},
	} {
		_, err := e.g.PlaceOrder(ctx, tc.req)
		be, _ := broker.AsError(err)
		if got := be != nil && be.Code == "unsettled"; got != tc.refused {
			t.Errorf("%s: err %v, want refused=%t", tc.name, err, tc.refused)
		}
		if tc.refused && be.Kind != broker.LimitExceeded {
			t.Errorf("%s: kind %s; a rule must wait, not count a failure", tc.name, be.Kind)
		}
	}
	e.run()
	for {
		if ev := e.advanceUntilEvent(10 * time.Second); ev.Kind == broker.EventReconciled && ev.Request.ClientID == first.ClientID {
			break
		}
	}
	if n := e.g.Checking(ctx); n != 0 {
		t.Fatalf("Checking = %d after the row settled", n)
	}
	if _, err := e.g.PlaceOrder(ctx, limitBuy(3, 69_900)); err != nil && broker.KindOf(err) == broker.LimitExceeded {
		t.Fatalf("still refused after the row settled: %v", err)
	}
}

// Issue 20, item 1, the rest: the reconciler used to hold the guard's turn
// while it read the broker's list, so after a restart every order waited
// for the list to be paged (Kiwoom: 4 requests a second, seconds with a
// few orders today). Start-up now marks the rows and leaves the list to
// Run, and an order that cannot duplicate an unsettled row goes through
// while the list is still being read; its duplicate is still refused.
func TestOrderDoesNotWaitForTheReconcilersList(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *Options) { o.ReconcileGrace = 90 * time.Second })
	ctx := context.Background()
	e.fb.then(step{do: lostAnswer})
	first, err := e.g.PlaceOrder(ctx, limitBuy(3, 69_900))
	wantKind(t, err, broker.UnknownOutcome)
	e.clk.Advance(time.Second)
	e.restart()
	for len(e.events) > 0 {
		<-e.events
	}
	e.fb.listGate, e.fb.listAsked = make(chan struct{}), make(chan struct{}, 1)
	if err := e.g.RecoverInBackground(ctx); err != nil {
		t.Fatalf("RecoverInBackground: %v", err)
	}
	if n := e.g.Checking(ctx); n != 1 {
		t.Fatalf("Checking = %d, want 1", n)
	}
	e.run()
	<-e.fb.listAsked // Run's first pass is reading the list now

	// A deadline only to fail rather than hang if the order waits for
	// the list; it passes at once when it does not.
	octx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := e.g.PlaceOrder(octx, limitBuy(2, 69_900)); err != nil {
		t.Fatalf("another order while the list is read: %v", err)
	}
	_, err = e.g.PlaceOrder(octx, limitBuy(3, 70_000))
	if be, ok := broker.AsError(err); !ok || be.Code != "unsettled" {
		t.Fatalf("its duplicate: %v; want refused as unsettled", err)
	}
	close(e.fb.listGate)
	for {
		if ev := e.advanceUntilEvent(10 * time.Second); ev.Kind == broker.EventReconciled && ev.Request.ClientID == first.ClientID {
			break
		}
	}
	if en := e.entry(first.ClientID); en.State != broker.StatusAccepted {
		t.Fatalf("row %s after the list answered; want accepted", en.State)
	}
}

// /status counted the order being sent as "being checked" (대조 중인 주문
// 1건): its row is pending until the answer comes, and Checking counted
// every pending row. The order in flight is not counted; a row whose
// outcome is unknown is, before and after.
func TestCheckingLeavesOutTheOrderBeingSent(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	e.fb.then(step{do: lostAnswer})
	if _, err := e.g.PlaceOrder(ctx, limitBuy(3, 69_900)); broker.KindOf(err) != broker.UnknownOutcome {
		t.Fatalf("first order: %v; want an unknown outcome", err)
	}
	if n := e.g.Checking(ctx); n != 1 {
		t.Fatalf("Checking = %d with one unknown row; want 1", n)
	}
	gate, recorded := make(chan struct{}), make(chan struct{})
	e.fb.then(step{do: accept, gate: gate, recorded: recorded})
	done := make(chan error, 1)
	go func() { _, err := e.g.PlaceOrder(ctx, limitBuy(1, 70_000)); done <- err }()
	<-recorded // the broker has it; its answer is held
	if n := e.g.Checking(ctx); n != 1 {
		t.Fatalf("Checking = %d while an order is being sent; want 1 (the unknown row only)", n)
	}
	close(gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := e.g.Checking(ctx); n != 1 {
		t.Fatalf("Checking = %d after the answer; want 1", n)
	}
}

// A broker whose list does not say where an order was sent (paper's
// orders restored after a restart) is annotated with the venue the
// journal kept: /orders read "· KRX" before a restart and nothing after.
// (The guard's test account is mock, which trades on KRX only.)
func TestOrdersTodayVenueFromTheJournal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, venue := range []broker.Venue{broker.VenueKRX} {
		t.Run(string(venue), func(t *testing.T) {
			e := newEnv(t, nil)
			req := limitBuy(1, 70_000)
			req.Venue = venue
			placed, err := e.g.PlaceOrder(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			e.fb.mu.Lock()
			for i := range e.fb.orders {
				e.fb.orders[i].Venue = "" // as a list that names no venue
			}
			e.fb.mu.Unlock()
			orders, err := e.g.OrdersToday(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(orders) != 1 || orders[0].ID != placed.ID || orders[0].Venue != venue {
				t.Fatalf("orders %+v; want %s with venue %s", orders, placed.ID, venue)
			}
		})
	}
}
