package strategy

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
)

func rules(rs ...Rule) []Rule { return rs }

func TestLongDipBuysOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, rules(baseRule()), nil)
	h.b.setPrice("005930", 64_800)
	h.start() // first round
	for range 1_799 {
		h.tick(DefaultInterval)
	}
	if got := h.b.QuoteCalls("005930"); got != 1_800 {
		t.Fatalf("%d rounds, want 1800", got)
	}
	o := h.wantOrders(1)[0]
	want := broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 10, Price: 64_900, Source: "strategy", User: "rule:005930"}
	if o != want {
		t.Errorf("order %+v, want %+v", o, want)
	}
	if got := h.ev.kinds(); !slices.Equal(got, []EventKind{EventPlaced}) {
		t.Errorf("events %v", got)
	}
	if ev := h.ev.last(); ev.Order.ID == "" || ev.Price != 64_800 || ev.Request != want {
		t.Errorf("placed event %+v", ev)
	}
	rs := h.status("005930")
	if rs.BuyArmed || !rs.SellArmed || rs.FiresToday != 1 || rs.LastPrice != 64_800 || !rs.LastFire.Equal(t0) {
		t.Errorf("status %+v", rs)
	}
}

func TestRearmOnlyAfterTheBand(t *testing.T) {
	t.Parallel()
	h := newHarness(t, rules(baseRule()), nil)
	h.at(64_800)
	h.wantOrders(1)
	for _, p := range []int64{65_000, 65_600, 65_649, 64_000, 63_000} { // up to just inside the band, down again
		h.at(p)
	}
	h.wantOrders(1)
	if h.ev.count(EventRearmed) != 0 {
		t.Fatalf("re-armed inside the band: %v", h.ev.kinds())
	}
	h.at(65_650) // 1 % above 65,000
	if ev := h.ev.last(); ev.Kind != EventRearmed || ev.Side != broker.Buy || ev.Price != 65_650 {
		t.Fatalf("last event %+v", ev)
	}
	h.wantOrders(1)
	h.at(64_900)
	h.wantOrders(2)
}

func TestPositionCapAndSellingOnlyWhatIsHeld(t *testing.T) {
	t.Parallel()
	r := baseRule()
	r.MaxPosition = 50
	h := newHarness(t, rules(r), nil)
	h.b.MoveHoldings(true)
	h.b.setHeld("005930", 45, 45)
	h.at(64_800)
	if o := h.wantOrders(1)[0]; o.Side != broker.Buy || o.Qty != 5 {
		t.Fatalf("order %+v, want a buy of 5 (45 held, max 50)", o)
	}
	h.at(66_000) // re-arm
	h.at(64_800) // a new crossing with 50 held
	h.wantOrders(1)
	if ev := h.ev.last(); ev.Kind != EventSkipped || ev.Side != broker.Buy || !strings.Contains(ev.Reason, "50") {
		t.Fatalf("last event %+v, want skipped at the cap", ev)
	}
	for range 10 { // the skip uses up the crossing: said once
		h.at(64_700)
	}
	if n := h.ev.count(EventSkipped); n != 1 {
		t.Fatalf("%d skip events", n)
	}

	h.b.setHeld("005930", 3, 3)
	h.at(75_500)
	if o := h.wantOrders(2)[1]; o.Side != broker.Sell || o.Qty != 3 || o.Price != 75_100 {
		t.Fatalf("order %+v, want a sell of the 3 held at 75,100", o)
	}
	h.at(74_000) // re-arm the sell leg
	h.at(75_500) // nothing left
	h.wantOrders(2)
	if ev := h.ev.last(); ev.Kind != EventSkipped || ev.Side != broker.Sell {
		t.Fatalf("last event %+v, want the sell skipped", ev)
	}
}

func TestDailyLimitFromTheGuard(t *testing.T) {
	t.Parallel()
	h := newHarness(t, rules(baseRule()), nil)
	limit := &broker.Error{Kind: broker.LimitExceeded, Msg: "20 orders today (HOGA_MAX_DAILY_ORDERS)"}
	h.b.FailPlace(limit)
	h.at(64_800)
	ev := h.ev.last()
	if ev.Kind != EventLimit || !errors.Is(ev.Err, limit) || ev.Request.Qty != 10 {
		t.Fatalf("event %+v, want limit reached", ev)
	}
	for range 20 {
		h.at(64_800)
	}
	if n := h.b.Calls("place"); n != 1 {
		t.Fatalf("%d attempts: the leg should wait to re-arm", n)
	}
	rs := h.status("005930")
	if rs.BuyArmed || rs.Failures != 0 || rs.Disabled != "" || rs.FiresToday != 0 {
		t.Fatalf("status %+v", rs)
	}
	h.at(65_700)
	h.at(64_800)
	h.wantOrders(1)
}

func TestCooldown(t *testing.T) {
	t.Parallel()
	r := baseRule()
	r.Cooldown = 10 * time.Minute
	h := newHarness(t, rules(r), nil)
	h.at(64_800)
	h.at(66_000)
	h.clk.Advance(time.Minute)
	h.at(64_800)
	h.wantOrders(1)
	h.clk.Advance(8*time.Minute + 59*time.Second)
	h.at(64_800)
	h.wantOrders(1)
	h.clk.Advance(time.Second)
	h.at(64_800)
	h.wantOrders(2)
	if rs := h.status("005930"); rs.FiresToday != 2 {
		t.Errorf("fires today %d", rs.FiresToday)
	}
}

func TestHaltAndResume(t *testing.T) {
	t.Parallel()
	h := newHarness(t, rules(baseRule()), nil)
	h.halt.set(true)
	h.b.setPrice("005930", 64_800)
	h.start()
	for range 30 {
		h.tick(DefaultInterval)
	}
	if n := h.b.QuoteCalls("005930"); n != 0 {
		t.Fatalf("%d quotes while halted", n)
	}
	if got := h.ev.kinds(); !slices.Equal(got, []EventKind{EventHalted}) {
		t.Fatalf("events %v, want one halted", got)
	}
	if s := summary(h.e); !strings.Contains(s, "paused (halted)") {
		t.Errorf("summary %q", s)
	}
	h.halt.set(false)
	h.tick(DefaultInterval)
	h.wantOrders(1)
	if s := summary(h.e); !strings.Contains(s, "running") {
		t.Errorf("summary %q", s)
	}
}

// Issue 19, item 5: a lost control surface pauses the engine like a halt
// but under its own reason, so /status and the alert do not tell the owner
// to /resume a halt that never happened; a halt on top is announced again,
// and the engine resumes by itself when the surface is back.
func TestUnattendedPausesWithItsOwnReason(t *testing.T) {
	t.Parallel()
	lost := &haltFlag{}
	h := newHarness(t, rules(baseRule()), func(o *Options) { o.Unattended = lost.get })
	lost.set(true)
	h.b.setPrice("005930", 64_800)
	h.start()
	for range 5 {
		h.tick(DefaultInterval)
	}
	h.wantOrders(0)
	if got := h.ev.reasons(EventHalted); !slices.Equal(got, []string{PauseUnattended}) {
		t.Fatalf("pause events %v, want one unattended", got)
	}
	if a := h.e.Activity(); a != ActivityUnattended {
		t.Fatalf("activity %q, want %q", a, ActivityUnattended)
	}
	h.halt.set(true)
	h.tick(DefaultInterval)
	if a := h.e.Activity(); a != ActivityPaused {
		t.Fatalf("activity %q: the kill switch wins over a lost surface", a)
	}
	if got := h.ev.reasons(EventHalted); !slices.Equal(got, []string{PauseUnattended, PauseHalted}) {
		t.Fatalf("pause events %v, want the halt announced too", got)
	}
	h.halt.set(false)
	lost.set(false)
	h.tick(DefaultInterval)
	h.wantOrders(1)
}

func TestHaltedByTheGuardMidRound(t *testing.T) {
	t.Parallel()
	h := newHarness(t, rules(baseRule()), func(o *Options) { o.Halted = nil }) // only the guard knows
	halted := &broker.Error{Kind: broker.Halted, Msg: "trading is halted"}
	h.b.FailPlace(halted, halted, halted, halted, halted)
	for range 5 {
		h.at(64_800)
	}
	h.wantOrders(0)
	if got := h.ev.kinds(); !slices.Equal(got, []EventKind{EventHalted}) {
		t.Fatalf("events %v, want the halt announced once", got)
	}
	rs := h.status("005930")
	if !rs.BuyArmed || rs.Failures != 0 || rs.FiresToday != 0 || rs.Disabled != "" {
		t.Fatalf("status %+v: a halted order must give the crossing back", rs)
	}
	h.at(64_800) // resumed
	h.wantOrders(1)
	h.at(66_000)
	h.b.FailPlace(halted)
	h.at(64_800)
	if n := h.ev.count(EventHalted); n != 2 {
		t.Fatalf("%d halted events: a new halt after an order is announced again", n)
	}
}

func TestMarketHours(t *testing.T) {
	t.Parallel()
	kst := broker.KST()
	holiday := time.Date(2026, 2, 17, 10, 0, 0, 0, kst) // 설날
	h := newHarness(t, rules(baseRule()), func(o *Options) { o.MarketHours = true; o.Clock = clock.NewFake(holiday) })
	h.start()
	steps := []struct {
		at    time.Time
		quote bool
	}{
		{holiday.Add(2 * time.Hour), false},
		{time.Date(2026, 2, 18, 11, 0, 0, 0, kst), false},   // 설날 연휴
		{time.Date(2026, 2, 19, 8, 59, 58, 0, kst), false},  // before the open
		{time.Date(2026, 2, 19, 9, 0, 0, 0, kst), true},     // the open
		{time.Date(2026, 2, 19, 15, 19, 58, 0, kst), true},  // last round before the closing auction
		{time.Date(2026, 2, 19, 15, 20, 0, 0, kst), false},  // closing auction
		{time.Date(2026, 2, 21, 10, 0, 0, 0, kst), false},   // Saturday
		{time.Date(2026, 11, 19, 9, 30, 0, 0, kst), false},  // 수능: opens at 10:00
		{time.Date(2026, 11, 19, 16, 19, 58, 0, kst), true}, // …and trades until 16:20
	}
	quotes := h.b.QuoteCalls("005930")
	if quotes != 0 {
		t.Fatalf("quoted on a holiday")
	}
	for _, s := range steps {
		h.clk.Set(s.at)
		h.wait()
		n := h.b.QuoteCalls("005930")
		if got := n > quotes; got != s.quote {
			t.Errorf("%s: quoted=%t, want %t", s.at.Format("2006-01-02 15:04:05"), got, s.quote)
		}
		quotes = n
		if !s.quote && !strings.Contains(summary(h.e), "outside session") {
			t.Errorf("%s: summary %q", s.at, summary(h.e))
		}
	}

	sunday := time.Date(2026, 2, 22, 3, 0, 0, 0, kst)
	always := newHarness(t, rules(baseRule()), func(o *Options) { o.Clock = clock.NewFake(sunday) }) // MarketHours false
	always.round()
	if always.b.QuoteCalls("005930") != 1 {
		t.Error("MarketHours=false did not evaluate on a Sunday night")
	}
}

func TestRestartWhileStillLowDoesNotBuyAgain(t *testing.T) {
	t.Parallel()
	for name, opener := range openers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			testRestartWhileStillLow(t, func() StateStore { return opener(t, dir) })
		})
	}
}

func testRestartWhileStillLow(t *testing.T, open func() StateStore) {
	h1 := newHarness(t, rules(baseRule()), func(o *Options) { o.Store = open() })
	h1.at(64_800)
	h1.wantOrders(1)

	h2 := newHarness(t, rules(baseRule()), func(o *Options) { o.Store = open() })
	for range 100 {
		h2.at(64_500)
	}
	h2.wantOrders(0)
	if rs := h2.status("005930"); rs.BuyArmed || rs.FiresToday != 1 {
		t.Fatalf("restored status %+v", rs)
	}
	h2.at(65_700)
	h2.at(64_500)
	h2.wantOrders(1)
}

func TestStateIsSavedBeforeTheOrder(t *testing.T) {
	t.Parallel()
	h := newHarness(t, rules(baseRule()), nil)
	checked := false
	h.b.onPlace = func(broker.OrderRequest) {
		states, err := h.store.LoadState(context.Background())
		if err != nil {
			t.Error(err)
		}
		if st := states["005930"]; st.BuyArmed || st.FiresToday != 1 {
			t.Errorf("state at order time %+v: the leg must be disarmed on disk first", st)
		}
		checked = true
	}
	h.at(64_800)
	h.wantOrders(1)
	if !checked {
		t.Fatal("order hook not run")
	}
}

// failingStore refuses to save state.
type failingStore struct{ *MemStore }

func (failingStore) SaveState(context.Context, broker.Code, State) error {
	return errors.New("disk full")
}

func TestNoOrderWhenStateCannotBeSaved(t *testing.T) {
	t.Parallel()
	h := newHarness(t, rules(baseRule()), func(o *Options) { o.Store = failingStore{NewMemStore()} })
	h.at(64_800)
	h.wantOrders(0)
	if h.b.Calls("place") != 0 {
		t.Fatal("an order was attempted without its state on disk")
	}
	if ev := h.ev.last(); ev.Kind != EventRejected || !strings.Contains(ev.Err.Error(), "disk full") {
		t.Fatalf("event %+v", ev)
	}
	for range 2 {
		h.clk.Advance(time.Minute)
		h.at(64_800)
	}
	if ev := h.ev.last(); ev.Kind != EventDisabled {
		t.Fatalf("a store that stays broken should turn the rule off; events %v", h.ev.kinds())
	}
}

func TestThreeFailuresTurnTheRuleOff(t *testing.T) {
	t.Parallel()
	h := newHarness(t, rules(baseRule()), nil)
	rej := func(msg string) error { return &broker.Error{Kind: broker.Rejected, Code: "APBK0919", Msg: msg} }
	h.b.FailPlace(rej("one"), rej("two"), rej("three"))
	h.at(64_800)
	if ev := h.ev.last(); ev.Kind != EventRejected {
		t.Fatalf("event %+v", ev)
	}
	h.at(64_800) // backing off: no attempt
	if n := h.b.Calls("place"); n != 1 {
		t.Fatalf("%d attempts during the back-off", n)
	}
	h.clk.Advance(5 * time.Second)
	h.at(64_800)
	h.clk.Advance(10 * time.Second)
	h.at(64_800)
	if n := h.b.Calls("place"); n != 3 {
		t.Fatalf("%d attempts, want 3", n)
	}
	got := h.ev.kinds()
	want := []EventKind{EventRejected, EventRejected, EventRejected, EventDisabled}
	if !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	rs := h.status("005930")
	if !strings.Contains(rs.Disabled, "3 broker failures") || !strings.Contains(rs.Disabled, "three") || !rs.Enabled {
		t.Fatalf("status %+v", rs)
	}
	if s := summary(h.e); !strings.Contains(s, "1 off after errors") {
		t.Errorf("summary %q", s)
	}
	quotes := h.b.QuoteCalls("005930")
	h.clk.Advance(time.Hour)
	h.at(64_800)
	if h.b.QuoteCalls("005930") != quotes {
		t.Fatal("a rule turned off is still quoted")
	}
	if err := h.e.EnableRule(context.Background(), "005930", true); err != nil {
		t.Fatal(err)
	}
	h.at(64_800)
	h.wantOrders(1)
}

func TestUnknownOutcomeIsNeverRetried(t *testing.T) {
	t.Parallel()
	h := newHarness(t, rules(baseRule()), nil)
	h.b.FailPlace(&broker.Error{Kind: broker.UnknownOutcome, Msg: "timeout"})
	h.at(64_800)
	for range 10 {
		h.clk.Advance(time.Minute)
		h.at(64_800)
	}
	if n := h.b.Calls("place"); n != 1 {
		t.Fatalf("%d attempts after an unknown outcome", n)
	}
	if got := h.ev.kinds(); !slices.Equal(got, []EventKind{EventUnknown}) {
		t.Fatalf("events %v", got)
	}
}

type recordingAsker struct {
	mu   sync.Mutex
	reqs []broker.OrderRequest
	err  error
}

func (a *recordingAsker) Ask(_ context.Context, req broker.OrderRequest) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.reqs = append(a.reqs, req)
	return a.err
}

func TestConfirmAsksInsteadOfOrdering(t *testing.T) {
	t.Parallel()
	r := baseRule()
	r.Confirm = true
	asker := &recordingAsker{}
	h := newHarness(t, rules(r), func(o *Options) { o.Asker = asker })
	for range 5 {
		h.at(64_800)
	}
	h.wantOrders(0)
	if len(asker.reqs) != 1 || asker.reqs[0].Price != 64_900 || asker.reqs[0].Source != "strategy" {
		t.Fatalf("asked %+v", asker.reqs)
	}
	if got := h.ev.kinds(); !slices.Equal(got, []EventKind{EventAsked}) {
		t.Fatalf("events %v", got)
	}

	// Refused by the guard's dry run: a limit, handled like an order's.
	asker.err = &broker.Error{Kind: broker.LimitExceeded, Msg: "order of 649,000 won is over 500,000"}
	h.at(66_000)
	h.at(64_800)
	if ev := h.ev.last(); ev.Kind != EventLimit {
		t.Fatalf("event %+v", ev)
	}

	none := newHarness(t, rules(r), nil) // nobody to ask
	none.at(64_800)
	none.wantOrders(0)
	if ev := none.ev.last(); ev.Kind != EventRejected || !strings.Contains(ev.Err.Error(), "confirm") {
		t.Fatalf("event %+v", ev)
	}
}

func TestBalanceIsFetchedOncePerRoundAndOnlyWhenNeeded(t *testing.T) {
	t.Parallel()
	other := Rule{Code: "000660", BuyBelow: 200_000, Qty: 1, Type: broker.Market, Enabled: true}
	h := newHarness(t, rules(baseRule(), other), nil)
	h.b.setPrice("000660", 210_000)
	h.at(70_000)
	if n := h.b.Calls("balance"); n != 0 {
		t.Fatalf("%d balance calls with nothing to fire", n)
	}
	h.b.setPrice("000660", 190_000)
	h.at(64_800)
	h.wantOrders(2)
	if n := h.b.Calls("balance"); n != 1 {
		t.Fatalf("%d balance calls for two fires in one round", n)
	}

	h.b.Fail("balance", &broker.Error{Kind: broker.Transient, Msg: "down"})
	h.at(66_000)
	h.at(64_800)
	h.wantOrders(2)
	if rs := h.status("005930"); !rs.BuyArmed {
		t.Fatal("a balance failure used up the crossing")
	}
	h.b.Fail("balance", nil)
	h.at(64_800)
	h.wantOrders(3)
}

func TestQuoteFailures(t *testing.T) {
	t.Parallel()
	typo := Rule{Code: "999999", BuyBelow: 1_000, Qty: 1, Type: broker.Limit, Enabled: true}
	h := newHarness(t, rules(baseRule(), typo), nil)
	h.b.FailQuote("005930", &broker.Error{Kind: broker.Transient, Msg: "connection reset"})
	for range 6 {
		h.round()
	}
	if n := h.ev.count(EventQuoteFailed); n != 1 {
		t.Fatalf("%d quote-failed events, want 1 per run of failures: %v", n, h.ev.kinds())
	}
	if n := h.ev.count(EventDisabled); n != 1 {
		t.Fatalf("%d disabled events: the unknown code should be turned off once", n)
	}
	if rs := h.status("999999"); rs.Disabled == "" {
		t.Fatalf("status %+v", rs)
	}
	if rs := h.status("005930"); rs.Disabled != "" {
		t.Fatalf("a network failure turned the rule off: %+v", rs)
	}
	if n := h.b.QuoteCalls("999999"); n != 3 {
		t.Fatalf("%d quotes for the unknown code", n)
	}
	h.b.FailQuote("005930", nil)
	h.at(64_800)
	h.wantOrders(1)
}

func TestOverrunningRoundsAreSkipped(t *testing.T) {
	t.Parallel()
	h := newHarness(t, rules(baseRule()), nil)
	h.start()
	gate, started := make(chan struct{}), make(chan struct{})
	h.b.mu.Lock()
	h.b.quoteGate, h.b.quoting = gate, started
	h.b.mu.Unlock()
	h.clk.Advance(DefaultInterval) // round 2 starts and blocks in Quote
	<-started
	h.clk.Advance(5 * time.Second) // it takes 5 s: the rounds due at 4 s and 6 s are skipped
	h.b.mu.Lock()
	h.b.quoteGate = nil
	h.b.mu.Unlock()
	close(gate)
	h.wait()
	if n := h.b.QuoteCalls("005930"); n != 2 {
		t.Fatalf("%d quotes, want 2", n)
	}
	h.tick(999 * time.Millisecond) // now 7.999 s: the next round is at 8 s
	if n := h.b.QuoteCalls("005930"); n != 2 {
		t.Fatalf("%d quotes before the next slot", n)
	}
	h.tick(time.Millisecond)
	if n := h.b.QuoteCalls("005930"); n != 3 {
		t.Fatalf("%d quotes, want 3", n)
	}
}

func TestRunOnlyOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, rules(baseRule()), nil)
	h.start()
	if err := h.e.Run(context.Background()); err == nil {
		t.Fatal("second Run did not fail")
	}
}

func TestPutRuleKeepsTheLegForTheSameThreshold(t *testing.T) {
	t.Parallel()
	h := newHarness(t, rules(baseRule()), nil)
	ctx := context.Background()
	h.at(64_800)
	if err := h.e.PutRule(ctx, baseRule()); err != nil {
		t.Fatal(err)
	}
	h.at(64_800)
	h.wantOrders(1)

	r := baseRule()
	r.BuyBelow = 64_000
	if err := h.e.PutRule(ctx, r); err != nil {
		t.Fatal(err)
	}
	h.at(64_800)
	h.wantOrders(1) // armed again, but 64,800 is not below 64,000
	h.at(63_900)
	if o := h.wantOrders(2)[1]; o.Price != 63_900 {
		t.Fatalf("order %+v", o)
	}

	bad := baseRule()
	bad.Qty = 0
	if err := h.e.PutRule(ctx, bad); broker.KindOf(err) != broker.Invalid {
		t.Fatalf("PutRule(qty 0) = %v", err)
	}
	if err := h.e.DeleteRule(ctx, "000660"); broker.KindOf(err) != broker.NotFound {
		t.Fatalf("DeleteRule(unknown) = %v", err)
	}
	if err := h.e.EnableRule(ctx, "000660", true); broker.KindOf(err) != broker.NotFound {
		t.Fatalf("EnableRule(unknown) = %v", err)
	}
}

func TestChatEditsSurviveARestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "rules.yaml")
	write := func(s string) {
		if err := os.WriteFile(file, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(`rules:
  - code: "005930"
    buy_below: 65000
    sell_above: 75000
    qty: 10
  - code: "000660"
    buy_below: 200000
    qty: 1
`)
	ctx := context.Background()
	start := func() *Engine {
		t.Helper()
		st := openers["sqlite"](t, filepath.Join(dir, "data"))
		e, err := New(Options{Broker: newFakeBroker(), RulesFile: file, Store: st, Clock: clock.NewFake(t0)})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	list := func(e *Engine) string {
		rs, err := e.Rules(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var parts []string
		for _, r := range rs {
			parts = append(parts, r.Rule.String())
		}
		return strings.Join(parts, "\n")
	}

	e := start()
	kakao := Rule{Code: "035720", BuyBelow: 40_000, Qty: 5, Type: broker.Market, Enabled: true, Cooldown: time.Hour}
	for _, err := range []error{
		e.PutRule(ctx, kakao),
		e.DeleteRule(ctx, "000660"),
		e.EnableRule(ctx, "005930", false),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	before := list(e)
	after := list(start())
	if after != before {
		t.Fatalf("after restart:\n%s\nbefore:\n%s", after, before)
	}
	if strings.Contains(after, "000660") || !strings.Contains(after, "035720") || !strings.Contains(after, "005930 buy<65000 sell>75000 qty=10 limit max=0 cooldown=0s enabled=false") {
		t.Fatalf("rules after restart:\n%s", after)
	}

	// A chat rule deleted from chat is gone; a chat edit equal to the file
	// needs no override.
	e = start()
	if err := e.DeleteRule(ctx, "035720"); err != nil {
		t.Fatal(err)
	}
	if err := e.EnableRule(ctx, "005930", true); err != nil {
		t.Fatal(err)
	}
	st := openers["sqlite"](t, filepath.Join(dir, "data"))
	edits, _ := st.LoadRules(ctx)
	if len(edits) != 1 || edits[0].Code != "000660" || !edits[0].Deleted {
		t.Fatalf("stored edits %+v, want only the 000660 tombstone", edits)
	}

	// Editing the file's rule for a code deleted from chat brings it back:
	// the newer intent wins.
	write(`rules:
  - code: "005930"
    buy_below: 65000
    sell_above: 75000
    qty: 10
  - code: "000660"
    buy_below: 190000
    qty: 1
`)
	got := list(start())
	if !strings.Contains(got, "000660 buy<190000") {
		t.Fatalf("file edit did not win over the tombstone:\n%s", got)
	}
}

func TestSummary(t *testing.T) {
	t.Parallel()
	off := Rule{Code: "000660", BuyBelow: 200_000, Qty: 1, Type: broker.Limit}
	h := newHarness(t, rules(baseRule(), off), nil)
	if s := summary(h.e); s != "2 rules, 1 enabled, not running" {
		t.Errorf("summary %q", s)
	}
	h.at(64_800)
	if s := summary(h.e); s != "2 rules, 1 enabled, running, 1 fired today" {
		t.Errorf("summary %q", s)
	}
	h.clk.Advance(24 * time.Hour)
	if s := summary(h.e); s != "2 rules, 1 enabled, running" {
		t.Errorf("next day: summary %q", s)
	}
}

func TestNewRefusesBadInput(t *testing.T) {
	t.Parallel()
	if _, err := New(Options{}); err == nil {
		t.Error("New without a broker")
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "rules.yaml")
	if err := os.WriteFile(bad, []byte("rules:\n  - code: \"005930\"\n    qty: 10\n    buy_belw: 65000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := New(Options{Broker: newFakeBroker(), RulesFile: bad})
	var fe *FileError
	if !errors.As(err, &fe) || fe.Problems[0].Line != 4 {
		t.Fatalf("New with a bad file: %v", err)
	}
	if _, err := New(Options{Broker: newFakeBroker(), Rules: rules(baseRule(), baseRule())}); err == nil {
		t.Error("two rules for one code")
	}
	if _, err := New(Options{Broker: newFakeBroker(), Rules: rules(baseRule()), RulesFile: bad}); err == nil {
		t.Error("Rules and RulesFile together")
	}
}

// summary is a one-line account of the engine for assertions: "3 rules,
// 2 enabled, running", with today's fires and rules turned off by errors
// when there are any. (It was Engine.Summary, which nothing but tests
// read: /status has its own, translated, view.)
func summary(e *Engine) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	today := kstDay(e.clk.Now())
	enabled, fires, off := 0, 0, 0
	for code, r := range e.rules {
		st := e.states[code]
		switch {
		case st.Disabled != "":
			off++
		case r.Enabled:
			enabled++
		}
		if st.Day == today {
			fires += st.FiresToday
		}
	}
	s := fmt.Sprintf("%d rules, %d enabled, %s", len(e.rules), enabled, e.status)
	if fires > 0 {
		s += fmt.Sprintf(", %d fired today", fires)
	}
	if off > 0 {
		s += fmt.Sprintf(", %d off after errors", off)
	}
	return s
}

// A rule's open buy counts toward its max_position and shares in open
// sells are not offered again (issue 14): the balance shows only filled
// shares, so without Committed a rule whose buy rests unfilled buys again
// past its cap on the next crossing.
func TestCommittedOrdersCountTowardTheCap(t *testing.T) {
	t.Parallel()
	var buying, selling int64
	r := baseRule()
	r.MaxPosition = 10
	r.Qty = 5
	h := newHarness(t, rules(r), func(o *Options) {
		o.Committed = func(c broker.Code) (int64, int64) {
			if c != "005930" {
				t.Errorf("Committed asked for %s", c)
			}
			return buying, selling
		}
	})
	h.b.setHeld("005930", 5, 5)
	buying = 5 // a buy of 5 rests unfilled
	h.at(64_800)
	h.wantOrders(0)
	if ev := h.ev.last(); ev.Kind != EventSkipped || ev.Side != broker.Buy || !strings.Contains(ev.Reason, "buying 10 of at most 10") {
		t.Fatalf("last event %+v, want skipped at the cap counting the open buy", ev)
	}
	h.at(66_000) // re-arm
	buying = 3   // partly filled meanwhile: 2 more may come
	h.at(64_800)
	if o := h.wantOrders(1)[0]; o.Side != broker.Buy || o.Qty != 2 {
		t.Fatalf("order %+v, want a buy of 2 (5 held + 3 coming, max 10)", o)
	}

	// Sells: 8 held, the broker says 8 may be sold (it has not yet netted
	// hoga's open sell of 6): only 2 are offered.
	h.b.setHeld("005930", 8, 8)
	buying, selling = 0, 6
	h.at(75_500)
	if o := h.wantOrders(2)[1]; o.Side != broker.Sell || o.Qty != 2 {
		t.Fatalf("order %+v, want a sell of 2 (8 held, 6 in an open sell)", o)
	}
}

func TestWithCommitted(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name                     string
		qty, sellable, buy, sell int64
		wantQty, wantSellable    int64
	}{
		{"nothing open", 10, 10, 0, 0, 10, 10},
		{"open buy counts toward the cap", 10, 10, 5, 0, 15, 10},
		{"open sell not offered twice", 10, 10, 0, 4, 10, 6},
		{"broker already netted the sell", 10, 6, 0, 4, 10, 6},
		{"broker's sellable lower still wins", 10, 3, 0, 4, 10, 3},
		{"more in sells than held", 2, 2, 0, 5, 2, 0},
	} {
		got := withCommitted(broker.Position{Qty: tc.qty, Sellable: tc.sellable}, tc.buy, tc.sell)
		if got.Qty != tc.wantQty || got.Sellable != tc.wantSellable {
			t.Errorf("%s: qty %d sellable %d, want %d %d", tc.name, got.Qty, got.Sellable, tc.wantQty, tc.wantSellable)
		}
	}
}

// /rules shows what a rule decides on (issue 14, positions): the shares
// held and the unfilled rest of its open orders. A buy resting unfilled is
// an open buy; once it fills (the balance holds it, the tracker's count
// drops) it is held. Rules, which the stream's subscription check calls
// every second, asks the broker nothing; RulesWithPositions asks once for
// all rules, and an unreadable balance leaves the holding unknown.
func TestRulesWithPositions(t *testing.T) {
	t.Parallel()
	var buying, selling int64
	h := newHarness(t, rules(baseRule()), func(o *Options) {
		o.Committed = func(c broker.Code) (int64, int64) { return buying, selling }
	})
	ctx := context.Background()
	balances := func() int { return h.b.Calls("balance") }
	tests := []struct {
		name                 string
		held                 int64
		buying, selling      int64
		balErr               error
		wantHeld, wantBuying int64
		wantSelling          int64
		wantKnown            bool
	}{
		{name: "buy_resting", held: 0, buying: 5, wantBuying: 5, wantKnown: true},
		{name: "buy_partly_filled", held: 2, buying: 3, wantHeld: 2, wantBuying: 3, wantKnown: true},
		{name: "buy_filled", held: 5, wantHeld: 5, wantKnown: true},
		{name: "sell_resting", held: 5, selling: 5, wantHeld: 5, wantSelling: 5, wantKnown: true},
		{name: "balance_unreadable", held: 5, selling: 5, balErr: errors.New("down"), wantSelling: 5},
	}
	for _, tt := range tests {
		h.b.setHeld("005930", tt.held, tt.held)
		h.b.Fail("balance", tt.balErr)
		buying, selling = tt.buying, tt.selling

		before := balances()
		if _, err := h.e.Rules(ctx); err != nil {
			t.Fatal(err)
		}
		if n := balances() - before; n != 0 {
			t.Errorf("%s: Rules asked the balance %d times; want 0", tt.name, n)
		}
		list, err := h.e.RulesWithPositions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n := balances() - before; n != 1 {
			t.Errorf("%s: RulesWithPositions asked the balance %d times; want 1", tt.name, n)
		}
		rs := list[0]
		if rs.Held != tt.wantHeld || rs.Buying != tt.wantBuying || rs.Selling != tt.wantSelling || rs.PositionKnown != tt.wantKnown {
			t.Errorf("%s: held %d buying %d selling %d known %v; want %d %d %d %v", tt.name,
				rs.Held, rs.Buying, rs.Selling, rs.PositionKnown, tt.wantHeld, tt.wantBuying, tt.wantSelling, tt.wantKnown)
		}
	}
}
