package telegram_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/bot/telegram"
	"github.com/hoga-trade/hoga/bot/telegramtest"
	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/clock"
	"github.com/hoga-trade/hoga/internal/redact"
)

const (
	token    = "123456:hoga-test-SECRET-token-value"
	secret   = "hoga-test-SECRET-token-value"
	owner    = int64(111)
	other    = int64(222)
	third    = int64(333)
	stranger = int64(999)
)

// fakeBroker is the shared fake (brokertest.Broker) quoting 삼성전자 for
// 005930, with the harness's hooks to observe and hold orders.
type fakeBroker struct {
	*brokertest.Broker

	mu          sync.Mutex
	inflight    int
	maxInflight int
	onPlace     func(broker.OrderRequest) // runs inside PlaceOrder, before it returns
	gate        chan struct{}             // when set, PlaceOrder waits until it is closed
	entered     chan struct{}             // when set, PlaceOrder signals it has started
	kill        *fakeKill                 // when set, PlaceOrder refuses while halted, as the guard does
	quoteGate   chan struct{}             // when set, Quote waits until it is closed
	quoteIn     chan struct{}             // when set, Quote signals it has started
}

func newFakeBroker() *fakeBroker {
	f := &fakeBroker{Broker: brokertest.NewBroker("fake", nil)}
	f.SetQuote(broker.Quote{Code: "005930", Name: "삼성전자", Price: 70000, Change: 500, ChangePct: 0.72, Sign: broker.SignUp,
		Volume: 1234567, Open: 69500, High: 70500, Low: 69400, PrevClose: 69500, UpperLimit: 90300, LowerLimit: 48700, Tick: 100})
	f.SetBalance(broker.Balance{Cash: 10_000_000, Orderable: 10_000_000, Total: 10_000_000})
	f.OnQuote(f.beforeQuote)
	f.OnPlace(f.beforePlace)
	return f
}

func (f *fakeBroker) beforeQuote(ctx context.Context, _ broker.Code) error {
	f.mu.Lock()
	gate, in := f.quoteGate, f.quoteIn
	f.mu.Unlock()
	if in != nil {
		in <- struct{}{}
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
		}
	}
	return nil
}

func (f *fakeBroker) beforePlace(ctx context.Context, req broker.OrderRequest) error {
	f.mu.Lock()
	f.inflight++
	f.maxInflight = max(f.maxInflight, f.inflight)
	hook, gate, entered, kill := f.onPlace, f.gate, f.entered, f.kill
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inflight--
		f.mu.Unlock()
	}()
	if kill != nil {
		if on, _, _ := kill.Halted(); on {
			return &broker.Error{Kind: broker.Halted, Msg: "halted"}
		}
	}
	if entered != nil {
		entered <- struct{}{}
	}
	if hook != nil {
		hook(req)
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
		}
	}
	for range 100 { // give an interleaving order every chance to show up
		runtime.Gosched()
	}
	return nil
}

func (f *fakeBroker) counts() (quotes int, placed []broker.OrderRequest) {
	return f.Calls("quote"), f.Placed()
}

// fakeKill is the guard's kill switch as the router sees it.
type fakeKill struct {
	mu    sync.Mutex
	on    bool
	since time.Time
	by    string
}

func (k *fakeKill) Halt(_ context.Context, by string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.on, k.by = true, by
	return nil
}

func (k *fakeKill) Resume(_ context.Context, by string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.on, k.by = false, by
	return nil
}

func (k *fakeKill) Halted() (bool, time.Time, string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.on, k.since, k.by
}

// lockedBuffer collects log output from many goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type options struct {
	mode       string // mock (default) or live
	allowed    []int64
	alertChat  int64
	alertTopic int
	limits     *telegram.Limits
	token      string // the token the bot uses (default: the fake's)
	beforeRun  func(*telegramtest.Server)
	noRun      bool
	onAPICall  func(method, outcome string)
	kill       bool // a kill switch the fake broker obeys
	pollGrace  time.Duration
	offline    time.Duration
	onSurface  func(up bool, reason string)
	lang       bot.Lang
	calendar   bool // the router knows the KRX calendar (market state in /price)
	keyboard   [][]string
	chartWidth int // /chart's picture width (height 3/4 of it); 0 the default
}

// harness is the real adapter and router against the fake Bot API and a
// fake broker, on a fake clock.
type harness struct {
	t      *testing.T
	srv    *telegramtest.Server
	clk    *clock.Fake
	brk    *fakeBroker
	router *bot.Router
	tb     *telegram.Bot
	logs   *lockedBuffer
	cancel context.CancelFunc
	done   chan error

	started  bool
	stopOnce sync.Once
	runErr   error
}

func newHarness(t *testing.T, o options) *harness {
	t.Helper()
	clk := clock.NewFake(time.Date(2026, 3, 10, 1, 0, 0, 0, time.UTC)) // 10:00 KST
	srv := telegramtest.Start(telegramtest.Config{Token: token, Clock: clk})
	if o.beforeRun != nil {
		o.beforeRun(srv)
	}
	logs := &lockedBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if o.allowed == nil {
		o.allowed = []int64{owner, other}
	}
	if o.mode == "" {
		o.mode = "mock"
	}
	set := map[string]bool{}
	for _, id := range o.allowed {
		set[strconv.FormatInt(id, 10)] = true
	}
	brk := newFakeBroker()
	rcfg := bot.Config{Broker: brk, Mode: o.mode, Allowed: func(id string) bool { return set[id] },
		ConfirmTTL: time.Minute, StaleAfter: time.Minute, Clock: clk, Logger: log, Lang: o.lang,
		ChartWidth: o.chartWidth, ChartHeight: o.chartWidth * 3 / 4}
	if o.calendar {
		cal, err := broker.NewCalendar(nil)
		if err != nil {
			t.Fatal(err)
		}
		rcfg.Calendar = cal
	}
	if o.kill {
		brk.kill = &fakeKill{}
		rcfg.Kill = brk.kill
	}
	router, err := bot.NewRouter(rcfg)
	if err != nil {
		t.Fatal(err)
	}
	limits := telegram.Unlimited()
	if o.limits != nil {
		limits = *o.limits
	}
	tok := token
	if o.token != "" {
		tok = o.token
	}
	tb, err := telegram.New(telegram.Config{Token: redact.Secret(tok), APIURL: srv.URL, Allowed: o.allowed, AlertChat: o.alertChat,
		AlertTopic: o.alertTopic, Router: router, Logger: log, Clock: clk, PollTimeout: 2 * time.Second, Limits: limits,
		OnAPICall: o.onAPICall, PollGrace: o.pollGrace, OfflineAfter: o.offline, OnSurface: o.onSurface, Keyboard: o.keyboard})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &harness{t: t, srv: srv, clk: clk, brk: brk, router: router, tb: tb, logs: logs, cancel: cancel, done: make(chan error, 1)}
	t.Cleanup(func() {
		h.stop()
		srv.Close()
		if l := logs.String(); strings.Contains(l, secret) {
			t.Errorf("the token appears in the logs:\n%s", l)
		}
	})
	if o.noRun {
		return h
	}
	h.started = true
	go func() { h.done <- tb.Run(ctx) }()
	if err := srv.WaitPolling(h.ctx()); err != nil {
		t.Fatalf("the bot never polled: %v\nlogs:\n%s", err, logs.String())
	}
	return h
}

// stop ends Run and returns its error; idempotent.
func (h *harness) stop() error {
	h.stopOnce.Do(func() {
		h.clk.Advance(time.Hour) // release anything parked on the fake clock
		h.cancel()
		if !h.started {
			return
		}
		select {
		case h.runErr = <-h.done:
		case <-time.After(time.Minute): // a bound on a hang, as ctx's
			h.runErr = errors.New("Run did not return")
			h.t.Error("Run did not return within a minute of cancel")
		}
	})
	return h.runErr
}

// ctx bounds one wait on the bot's progress. It only bounds a hang: every
// wait is for a call or a state the bot reaches, and none waits it out when
// the bot works. It was 5 s, which a loaded machine (go test -race
// -count=3 ./... beside other builds) ran past: TestPressRefusals/late_press
// among others failed and passed on rerun (issue 12, item 16).
func (h *harness) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	h.t.Cleanup(cancel)
	return ctx
}

func (h *harness) dump() string {
	var b strings.Builder
	for _, c := range h.srv.Calls() {
		if c.Is("getUpdates") {
			continue
		}
		text := ""
		if c.Message != nil {
			text = c.Message.Text
		}
		fmt.Fprintf(&b, "  #%d %s chat=%s status=%d %s %q data=%q\n", c.Seq, c.Method, c.Params["chat_id"], c.Status, c.Description,
			truncate(text, 80), c.Params["callback_query_id"]+c.Params["text"])
	}
	return b.String()
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// wait returns the first call after mark that match accepts.
func (h *harness) wait(mark int, what string, match func(telegramtest.Call) bool) telegramtest.Call {
	h.t.Helper()
	c, err := h.srv.WaitCall(h.ctx(), mark, match)
	if err != nil {
		h.t.Fatalf("%s: %v\ncalls:\n%s\nlogs:\n%s", what, err, h.dump(), h.logs.String())
	}
	return c
}

// sent matches a successful sendMessage to chat whose text contains want.
func sent(chat int64, want string) func(telegramtest.Call) bool {
	return func(c telegramtest.Call) bool {
		return c.Is("sendMessage") && c.OK() && c.ChatID() == chat && strings.Contains(c.Message.Text, want)
	}
}

// edited matches a successful editMessageText of message id whose text
// contains want.
func edited(chat int64, id int, want string) func(telegramtest.Call) bool {
	return func(c telegramtest.Call) bool {
		return c.Is("editMessageText") && c.OK() && c.ChatID() == chat && c.Params["message_id"] == strconv.Itoa(id) &&
			strings.Contains(c.Message.Text, want)
	}
}

// answered matches the answer to callback query id.
func answered(id string) func(telegramtest.Call) bool {
	return func(c telegramtest.Call) bool {
		return c.Is("answerCallbackQuery") && c.Params["callback_query_id"] == id
	}
}

// send injects a message and returns a call mark taken before it.
func (h *harness) send(in telegramtest.Incoming) int {
	mark := h.srv.CallCount()
	h.srv.Send(in)
	return mark
}

// barrier sends an order-lane command from the owner and waits for its
// reply: every update injected before it has been dispatched and every
// earlier order-lane job has finished.
func (h *harness) barrier() {
	h.t.Helper()
	mark := h.send(telegramtest.Incoming{From: owner, Text: "/halt"})
	h.wait(mark, "barrier reply", sent(owner, "설정되지 않았습니다"))
}

// count counts the calls match accepts.
func (h *harness) count(match func(telegramtest.Call) bool) int {
	n := 0
	for _, c := range h.srv.Calls() {
		if match(c) {
			n++
		}
	}
	return n
}

// prompt sends a live /buy from user and returns the confirmation prompt.
func (h *harness) prompt(user int64) (telegramtest.Message, telegramtest.Call) {
	h.t.Helper()
	mark := h.send(telegramtest.Incoming{From: user, Text: "/buy 005930 10 70000"})
	c := h.wait(mark, "confirmation prompt", func(c telegramtest.Call) bool {
		return c.Is("sendMessage") && c.OK() && c.ChatID() == user && len(c.Message.Buttons()) == 2
	})
	return *c.Message, c
}
