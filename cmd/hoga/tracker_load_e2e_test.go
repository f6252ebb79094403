package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/broker/kis"
	"github.com/hoga-trade/hoga/clock"
	"github.com/hoga-trade/hoga/internal/redact"
	"github.com/hoga-trade/hoga/store"
)

// ccldPath is KIS's daily orders list (inquire-daily-ccld), the tracker's
// poll.
const ccldPath = "/uapi/domestic-stock/v1/trading/inquire-daily-ccld"

// paceDriver stands for the passing of the broker's seconds: whenever a
// request waits in the client's rate limiter (the only thing that waits on
// the pacing clock), it moves that clock on in 10 ms steps until the wait
// is over, and then no further until the request it let go has reached the
// fake: the fake stamps each request with the broker's time it arrives at,
// which is then the time the limiter let it go. Hold stops it, so a test
// can look at who is waiting.
type paceDriver struct {
	clk     *clock.Fake
	arrived func() int // requests the fake has seen
	hold    sync.Mutex
	stop    chan struct{}
	done    chan struct{}
}

func startPaceDriver(t *testing.T, clk *clock.Fake, arrived func() int) *paceDriver {
	d := &paceDriver{clk: clk, arrived: arrived, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(d.done)
		for clk.BlockUntil(1, d.stop) {
			d.hold.Lock()
			d.step()
			d.hold.Unlock()
		}
	}()
	t.Cleanup(func() { close(d.stop); <-d.done })
	return d
}

// step moves the clock 10 ms and, if that let requests go, waits until
// they have arrived at the fake (a wait given back on a stop never
// arrives: after 2 s of wall time the driver goes on; nothing measured
// depends on it).
func (d *paceDriver) step() (fired int) {
	n, before := d.arrived(), d.clk.Waiters()
	d.clk.Advance(10 * time.Millisecond)
	fired = before - d.clk.Waiters()
	if fired <= 0 {
		return 0
	}
	defer func() { fired = max(fired, 1) }()
	deadline := time.Now().Add(2 * time.Second)
	for d.arrived() < n+fired && time.Now().Before(deadline) {
		select {
		case <-d.stop:
			return fired
		case <-time.After(time.Millisecond):
		}
	}
	return fired
}

// fireOne moves the held pacing clock on until the one request waiting in
// the limiter is let go and has arrived (not the one it then queues).
func (d *paceDriver) fireOne() {
	for d.step() == 0 {
	}
}

// seedOpenOrders places n resting limit buys of 1 share at the fake (through
// a KIS client on the fake's clock, a second apart, inside its 2 requests/s)
// and journals them as hoga's guard would have, as accepted orders, so a
// hoga started on dataDir follows them from the start. It returns their
// order numbers.
func seedOpenOrders(t *testing.T, fake *brokertest.KISFake, pace *clock.Fake, dataDir string, at time.Time, n int) []string {
	t.Helper()
	ctx := context.Background()
	key, secret, account := fake.Credentials()
	cl, err := kis.New(kis.Options{AppKey: redact.Secret(key), AppSecret: redact.Secret(secret), Account: account, Mode: kis.ModeMock,
		BaseURL: fake.URL(), Clock: pace, WaitClock: pace, RPS: 2})
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, store.Options{Dir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ids []string
	for i := range n {
		pace.Advance(time.Second)
		req := broker.OrderRequest{ClientID: fmt.Sprintf("H20261204SEED%06d", i), Source: "console", User: "console",
			Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 69_000, Venue: broker.VenueKRX}
		o, err := cl.PlaceOrder(ctx, req)
		if err != nil {
			t.Fatalf("seed order %d: %v", i, err)
		}
		e := broker.JournalEntry{ClientID: req.ClientID, Source: req.Source, User: req.User, Code: req.Code, Side: req.Side,
			Type: req.Type, Qty: req.Qty, Price: req.Price, Venue: req.Venue, State: broker.StatusAccepted,
			BrokerID: o.ID, Branch: o.Branch, Created: at, Updated: at}
		if err := db.InsertOrder(ctx, e); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, o.ID)
	}
	pace.Advance(time.Second) // the seeding's second is over before hoga's first request
	return ids
}

// Issue 14, Done when 5: 40 open orders tracked on KIS mock at its real
// 2 requests/s (hoga's default pacing, 1.8/s) cost one list call per poll
// — one inquire-daily-ccld walk of 3 pages (15 rows a page on mock,
// inquire_daily_ccld.py: "모의계좌의 경우, 한 번의 호출에 최대 15건"), never
// a call per order — and a user's /price sent in the middle of a poll is
// answered behind at most the one page already waiting in the limiter: it
// goes before the poll's next page. Time is the test's: hoga's clock moves
// the tracker, a second fake clock the broker's seconds (the client's
// limiter and the fake's rate windows), moved only while a request waits
// its turn; nothing depends on how fast a step runs.
func TestTrackerFortyOpenOrdersKIS(t *testing.T) {
	t.Parallel()
	at := kstAt(2026, 12, 4, 10, 0, 0)
	pace := clock.NewFake(at)
	fake := brokertest.NewKIS(t, brokertest.KISFakeOptions{IssueGap: -1, Clock: pace, Stocks: kisStocks}) // RateLimit 0: KIS mock's 2/s
	fake.SetPrice("005930", 70_000)
	data := filepath.Join(t.TempDir(), "data")
	ids := seedOpenOrders(t, fake, pace, data, at, 40)
	drv := startPaceDriver(t, pace, func() int { return len(fake.RequestLog()) })

	key, secret, account := fake.Credentials()
	getenv := env("HOGA_BROKER", "kis", "HOGA_MODE", "mock",
		"HOGA_KIS_APP_KEY", key, "HOGA_KIS_APP_SECRET", secret, "HOGA_KIS_ACCOUNT", account,
		"HOGA_KIS_BASE_URL", fake.URL(), "HOGA_MARKET_HOURS", "always",
		"HOGA_DATA_DIR", data, "HOGA_LOG_LEVEL", "error") // HOGA_KIS_RPS unset: mock's default pacing
	clk := clock.NewFake(at.Add(time.Minute))
	h := startHogaCtx(t, withPaceClock(withBrokerClock(withClock(context.Background(), clk), pace), pace), clk, getenv)
	h.settle("the tracker to follow the 40 orders and poll", func(s trackerStatus) bool { return s.Open == 40 && s.Polls >= 1 })

	type counts struct{ polls, firstPages, pages, perOrder, other int }
	count := func() counts {
		c := counts{polls: int(h.app.tracker.Status().Polls)}
		for _, r := range fake.RequestLog() {
			switch {
			case r.Path == ccldPath && r.Query.Get("ODNO") != "":
				c.perOrder++
			case r.Path == ccldPath:
				c.pages++
				if r.TrCont == "" {
					c.firstPages++
				}
			default:
				c.other++
			}
		}
		return c
	}

	// A minute of polling: each poll is one list walk.
	before := count()
	for range 60 {
		h.step(time.Second)
	}
	h.settle("the tracker to sleep", func(trackerStatus) bool { return true })
	after := count()
	polls := after.polls - before.polls
	if polls < 4 {
		t.Fatalf("%d polls in a minute of quiet, want the adaptive pace's few", polls)
	}
	if d := after.firstPages - before.firstPages; d != polls {
		t.Errorf("%d list walks for %d polls; want one each", d, polls)
	}
	if d := after.pages - before.pages; d != 3*polls {
		t.Errorf("%d list pages for %d polls; want 3 each (40 rows, 15 a page)", d, polls)
	}
	if after.perOrder != 0 || after.other != before.other {
		t.Errorf("per-order list calls %d, other calls %d during polling; want none", after.perOrder, after.other-before.other)
	}
	t.Logf("%d polls in 60 s of hoga's clock: %d list walks, %d pages", polls, after.firstPages-before.firstPages, after.pages-before.pages)

	// /price in the middle of a poll: the driver held, the next poll is
	// let run until its second page waits in the limiter.
	drv.hold.Lock()
	held := true
	defer func() {
		if held {
			drv.hold.Unlock()
		}
	}()
	base := count()
	st := h.app.tracker.Status()
	h.clk.Set(st.NextCheck)
	waitFor(t, "the poll's first page", func() bool { return count().pages == base.pages+1 || pace.Waiters() > 0 })
	if count().pages == base.pages {
		drv.fireOne() // the first page waited its turn
		waitFor(t, "the first page answered", func() bool { return count().pages == base.pages+1 })
	}
	waitFor(t, "the second page to wait its turn", func() bool { return pace.Waiters() == 1 })
	if c := count(); c.pages != base.pages+1 {
		t.Fatalf("pages %d, want %d", c.pages, base.pages+1)
	}
	sent := pace.Now()
	logAt := len(fake.RequestLog())
	h.send("/price 005930")
	waitFor(t, "/price to wait its turn", func() bool { return pace.Waiters() == 2 })
	drv.hold.Unlock()
	held = false
	waitFor(t, "/price answered", func() bool { return strings.Contains(h.out.String(), "현재가") })
	h.settle("the poll to end", func(s trackerStatus) bool { return s.Polls > st.Polls })

	var order []string
	var priceAt time.Time
	for _, r := range fake.RequestLog()[logAt:] {
		if r.Path == ccldPath {
			order = append(order, "ccld")
		} else {
			order = append(order, r.Path[strings.LastIndex(r.Path, "/")+1:])
			if priceAt.IsZero() {
				priceAt = r.At
			}
		}
	}
	if got := strings.Join(order, " "); got != "ccld inquire-price ccld" {
		t.Errorf("requests after /price: %s; want the waiting page, the quote, then the poll's last page", got)
	}
	// The limiter's normal wait: the one request already waiting, then its
	// own turn — two intervals at the paced 1.8/s, plus a driver step.
	interval := time.Duration(float64(time.Second) / kis.PacedRPS(kis.ModeMock, 0))
	if wait := priceAt.Sub(sent); wait > 2*interval+10*time.Millisecond {
		t.Errorf("/price waited %s of the broker's time, want ≤ %s (one page ahead of it)", wait, 2*interval)
	} else {
		t.Logf("/price waited %s of the broker's time behind one page (interval %s)", wait, interval)
	}

	// Fills among the 40 are told once each.
	for _, id := range ids[:3] {
		if err := fake.Fill(id, 1); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; strings.Count(h.out.String(), "체결 완료") < 3; i++ {
		if i > 60 {
			t.Fatalf("3 fills not told within a minute:\n%s", h.out.String())
		}
		h.step(time.Second)
	}
	for range 30 {
		h.step(time.Second)
	}
	if n := strings.Count(h.out.String(), "체결 완료"); n != 3 {
		t.Fatalf("%d fill alerts for 3 fills:\n%s", n, h.out.String())
	}
	if st := h.app.tracker.Status(); st.Open != 37 {
		t.Fatalf("tracker follows %d orders, want 37", st.Open)
	}
	if n := fake.RateLimited(); n != 0 {
		for _, r := range fake.RequestLog() {
			t.Logf("%s %s %s %d %s", r.At.Format("15:04:05.000"), r.Path, r.TrCont, r.Status, r.MsgCd)
		}
		t.Errorf("the fake refused %d requests for the rate; want none", n)
	}
}
