package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/broker/tracker"
	"github.com/hoga-trade/hoga/clock"
	"github.com/hoga-trade/hoga/store"
)

// step moves hoga's clock by d and, if that woke the tracker, waits until
// it sleeps again (its poll done and its alerts handed to the feed).
func (h *liveHoga) step(d time.Duration) {
	h.t.Helper()
	st := h.app.tracker.Status()
	h.clk.Advance(d)
	if !h.clk.Now().Before(st.NextCheck) {
		waitFor(h.t, "the tracker to sleep again", func() bool { return h.app.tracker.Status().Sleeps > st.Sleeps })
	}
}

// polled waits until cond holds, moving hoga's clock by step between
// looks: the strategy's polling interval runs on that clock, so a code it
// polls is asked for only as the clock moves.
func (h *liveHoga) polled(what string, step time.Duration, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(hangGuard)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s", what)
		}
		waitForOr(h.t, cond, 20*time.Millisecond)
		if !cond() {
			h.clk.Advance(step)
		}
	}
}

// settle waits until the tracker is asleep with its state as wanted.
func (h *liveHoga) settle(what string, cond func(s trackerStatus) bool) {
	h.t.Helper()
	waitFor(h.t, what, func() bool {
		st := h.app.tracker.Status()
		return cond(st) && h.clk.Now().Before(st.NextCheck)
	})
}

type trackerStatus = tracker.Status

func kstAt(y int, m time.Month, d, hh, mm, ss int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, 0, broker.KST())
}

func kisEnv(fake *brokertest.KISFake, dir string, extra ...string) func(string) string {
	key, secret, account := fake.Credentials()
	kv := append([]string{
		"HOGA_BROKER", "kis", "HOGA_MODE", "mock",
		"HOGA_KIS_APP_KEY", key, "HOGA_KIS_APP_SECRET", secret, "HOGA_KIS_ACCOUNT", account,
		"HOGA_KIS_BASE_URL", fake.URL(), "HOGA_KIS_RPS", "200", "HOGA_MARKET_HOURS", "always",
		"HOGA_DATA_DIR", filepath.Join(dir, "data"), "HOGA_LOG_LEVEL", "error",
	}, extra...)
	return env(kv...)
}

// Issue 14, Done when 1 (KIS): a resting limit order that fills 30 s later
// gives exactly one fill alert within 2 s of the fill, by polling.
func TestTrackerRestingFillKIS(t *testing.T) {
	t.Parallel()
	fake := brokertest.NewKIS(t, brokertest.KISFakeOptions{IssueGap: -1, RateLimit: -1, Stocks: kisStocks})
	fake.SetPrice("005930", 70_000)
	dir := t.TempDir()
	h := startHoga(t, clock.NewFake(kstAt(2026, 12, 4, 10, 0, 0)), kisEnv(fake, dir))
	h.send("/buy 005930 10 69000")
	waitFor(t, "the order at the fake", func() bool { return len(fake.Orders()) == 1 })
	h.settle("the tracker to follow it", func(s trackerStatus) bool { return s.Open == 1 && s.Polls >= 1 })
	for range 30 {
		h.step(time.Second)
	}
	if strings.Contains(h.out.String(), "체결") {
		t.Fatalf("a fill alert before the fill:\n%s", h.out.String())
	}
	h.send("/status")
	waitFor(t, "/status to count the open order", func() bool {
		return strings.Contains(h.out.String(), "미체결 주문 1건 추적 중 · 증권사 마지막 확인 ")
	})
	fake.SetPrice("005930", 68_900) // the resting buy at 69,000 fills
	took := fillLatency(h, "체결 완료")
	if took > 2*time.Second {
		t.Fatalf("fill alert %s after the fill, want ≤ 2 s", took)
	}
	for range 60 {
		h.step(time.Second)
	}
	out := h.out.String()
	if n := strings.Count(out, "체결 완료"); n != 1 {
		t.Fatalf("%d fill alerts, want 1:\n%s", n, out)
	}
	for _, want := range []string{"누적 10/10주", "평균 69,000원", "수수료 103원", "(모의투자)", "[콘솔]"} {
		if !strings.Contains(out, want) {
			t.Fatalf("fill alert lacks %q:\n%s", want, out)
		}
	}
	t.Logf("fill → alert %s (clock), polls %d\n%s", took, h.app.tracker.Status().Polls, out)
}

// fillLatency steps hoga's clock a second at a time until want appears,
// and returns the clock time that took.
func fillLatency(h *liveHoga, want string) time.Duration {
	h.t.Helper()
	start := h.clk.Now()
	for !strings.Contains(h.out.String(), want) {
		if h.clk.Now().Sub(start) > time.Minute {
			h.t.Fatalf("no %q within a minute:\n%s", want, h.out.String())
		}
		h.step(time.Second)
	}
	return h.clk.Now().Sub(start)
}

// Issue 14, Done when 1 (Kiwoom): the same against the Kiwoom fake.
func TestTrackerRestingFillKiwoom(t *testing.T) {
	t.Parallel()
	fake := brokertest.NewKiwoomServer(brokertest.KiwoomFakeOptions{RateLimit: -1, Stocks: kwStocks})
	t.Cleanup(fake.Close)
	h := startHoga(t, clock.NewFake(kstAt(2026, 12, 4, 10, 0, 0)), kiwoomEnv(fake, t.TempDir()))
	h.send("/buy 005930 10 69000")
	waitFor(t, "the order at the fake", func() bool { return len(fake.Orders()) == 1 })
	h.settle("the tracker to follow it", func(s trackerStatus) bool { return s.Open == 1 && s.Polls >= 1 })
	for range 30 {
		h.step(time.Second)
	}
	if err := fake.Fill(fake.Orders()[0].No, 10); err != nil {
		t.Fatal(err)
	}
	took := fillLatency(h, "체결 완료")
	if took > 2*time.Second {
		t.Fatalf("fill alert %s after the fill, want ≤ 2 s", took)
	}
	for range 60 {
		h.step(time.Second)
	}
	if n := strings.Count(h.out.String(), "체결 완료"); n != 1 {
		t.Fatalf("%d fill alerts, want 1:\n%s", n, h.out.String())
	}
}

// Issue 14, Done when 2 and 4 (KIS): an order filled in four parts gives
// three partial alerts and one final with the right cumulative quantity
// and average, with a restart in the middle that re-alerts nothing; and
// a fill while hoga is down is told once at start, marked, the journal
// right.
func TestTrackerPartialsAndRestartKIS(t *testing.T) {
	t.Parallel()
	fake := brokertest.NewKIS(t, brokertest.KISFakeOptions{IssueGap: -1, RateLimit: -1, Stocks: kisStocks})
	fake.SetPrice("005930", 70_000)
	dir := t.TempDir()
	getenv := kisEnv(fake, dir)
	at := kstAt(2026, 12, 4, 10, 0, 0)
	h := startHoga(t, clock.NewFake(at), getenv)
	h.send("/buy 005930 10 69000")
	waitFor(t, "the order", func() bool { return len(fake.Orders()) == 1 })
	odno := fake.Orders()[0].ODNO
	h.settle("the tracker to follow it", func(s trackerStatus) bool { return s.Open == 1 })
	for i, qty := range []int64{2, 3} {
		if err := fake.Fill(odno, qty); err != nil {
			t.Fatal(err)
		}
		fillLatency(h, []string{"누적 2/10주", "누적 5/10주"}[i])
	}
	// What the owner sees of it meanwhile: /orders says filled/ordered and
	// the average, /balance today's costs from the journal's fills.
	h.send("/orders")
	waitFor(t, "/orders to show the partial fill", func() bool {
		return strings.Contains(h.out.String(), "부분체결 5/10주 · 평균 69,000원")
	})
	h.send("/balance")
	waitFor(t, "/balance to show today's trading", func() bool {
		return strings.Contains(h.out.String(), "오늘 실현손익 0원 (매도 0건, 매도 수수료·세금 차감)\n오늘 수수료 51원 · 세금 0원")
	})
	h.stop()
	if n := strings.Count(h.out.String(), "부분 체결"); n != 2 {
		t.Fatalf("%d partial alerts before the restart:\n%s", n, h.out.String())
	}

	// Restart: nothing is told again.
	h = startHoga(t, clock.NewFake(at.Add(time.Minute)), getenv)
	h.settle("the tracker to reload", func(s trackerStatus) bool { return s.Open == 1 && s.Polls >= 1 })
	for range 5 {
		h.step(time.Second)
	}
	if strings.Contains(h.out.String(), "체결") {
		t.Fatalf("a restart re-alerted:\n%s", h.out.String())
	}
	if err := fake.Fill(odno, 2); err != nil {
		t.Fatal(err)
	}
	fillLatency(h, "누적 7/10주")

	// Killed while the rest rests; the fake fills it; hoga restarts.
	h.stop()
	if err := fake.Fill(odno, 3); err != nil {
		t.Fatal(err)
	}
	h = startHoga(t, clock.NewFake(at.Add(2*time.Minute)), getenv)
	h.settle("the tracker to catch up", func(s trackerStatus) bool { return s.Open == 0 && s.Polls >= 1 })
	for range 5 {
		h.step(time.Second)
	}
	out := h.out.String()
	if n := strings.Count(out, "꺼져 있는 동안"); n != 1 || strings.Count(out, "체결 완료") != 1 {
		t.Fatalf("want one late final fill alert:\n%s", out)
	}
	if !strings.Contains(out, "누적 10/10주") || !strings.Contains(out, "평균 69,000원") {
		t.Fatalf("final alert:\n%s", out)
	}
	h.stop()

	db, err := store.Open(context.Background(), store.Options{Dir: filepath.Join(dir, "data")})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, _ := db.OrdersOn(context.Background(), at)
	if len(rows) != 1 || rows[0].State != broker.StatusFilled || rows[0].FilledQty != 10 || rows[0].AvgFillPrice() != 69_000 {
		t.Fatalf("journal rows %+v", rows)
	}
	fills, _ := db.FillsOn(context.Background(), at)
	if len(fills) != 4 || !fills[3].Late || fills[3].Qty != 3 || fills[3].CumQty != 10 {
		t.Fatalf("fills %+v", fills)
	}
}

// Issue 14, Done when 3: a day order still open at the close is reported
// expired — at 15:30, and on the 수능 day at 16:30, not 15:30.
func TestTrackerExpiryAtClose(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name        string
		start       time.Time
		quietUntil  time.Time
		expireAfter time.Time
	}{
		{"normal_day", kstAt(2026, 12, 4, 15, 29, 0), time.Time{}, kstAt(2026, 12, 4, 15, 30, 0)},
		{"suneung_late_close", kstAt(2026, 11, 19, 16, 29, 0), kstAt(2026, 11, 19, 16, 29, 59), kstAt(2026, 11, 19, 16, 30, 0)},
		{"suneung_1530_passes", kstAt(2026, 11, 19, 15, 29, 0), kstAt(2026, 11, 19, 15, 35, 0), time.Time{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := brokertest.NewKIS(t, brokertest.KISFakeOptions{IssueGap: -1, RateLimit: -1, Stocks: kisStocks})
			fake.SetPrice("005930", 70_000)
			h := startHoga(t, clock.NewFake(tt.start), kisEnv(fake, t.TempDir()))
			h.send("/buy 005930 1 69000")
			waitFor(t, "the order", func() bool { return len(fake.Orders()) == 1 })
			h.settle("the tracker to follow it", func(s trackerStatus) bool { return s.Open == 1 })
			if !tt.quietUntil.IsZero() {
				for h.clk.Now().Before(tt.quietUntil) {
					h.step(time.Second)
				}
				if strings.Contains(h.out.String(), "만료") {
					t.Fatalf("expired before the close:\n%s", h.out.String())
				}
			}
			if tt.expireAfter.IsZero() {
				return
			}
			for h.clk.Now().Before(tt.expireAfter) {
				h.step(time.Second)
			}
			waitFor(t, "the expiry alert", func() bool { return strings.Contains(h.out.String(), "장 마감으로 주문 만료") })
			if n := strings.Count(h.out.String(), "만료"); n != 1 {
				t.Fatalf("%d expiry alerts:\n%s", n, h.out.String())
			}
		})
	}
}

// kiwoomEnv is hoga on the Kiwoom fake (mock) with its data in dir.
func kiwoomEnv(fake *brokertest.KiwoomFake, dir string) func(string) string {
	return env("HOGA_BROKER", "kiwoom", "HOGA_MODE", "mock",
		"HOGA_KIWOOM_APP_KEY", brokertest.KiwoomFakeAppKey, "HOGA_KIWOOM_SECRET_KEY", brokertest.KiwoomFakeSecretKey,
		"HOGA_KIWOOM_BASE_URL", fake.URL(), "HOGA_KIWOOM_RPS", "200", "HOGA_MARKET_HOURS", "always",
		"HOGA_DATA_DIR", filepath.Join(dir, "data"), "HOGA_LOG_LEVEL", "error")
}

// Issue 14, Done when 2 (Kiwoom): an order filled in four parts gives
// three partial alerts and one final, with the right cumulative quantity
// and average, and a restart after the second part re-alerts nothing. The
// poll reads Kiwoom's ka10075/ka10076 lists (cntr_qty, cntr_pric,
// oso_qty; broker/kiwoom/orders.go cites them).
func TestTrackerPartialsAndRestartKiwoom(t *testing.T) {
	t.Parallel()
	fake := brokertest.NewKiwoomServer(brokertest.KiwoomFakeOptions{RateLimit: -1, Stocks: kwStocks})
	t.Cleanup(fake.Close)
	dir := t.TempDir()
	getenv := kiwoomEnv(fake, dir)
	at := kstAt(2026, 12, 4, 10, 0, 0)
	h := startHoga(t, clock.NewFake(at), getenv)
	h.send("/buy 005930 10 69000")
	waitFor(t, "the order at the fake", func() bool { return len(fake.Orders()) == 1 })
	no := fake.Orders()[0].No
	h.settle("the tracker to follow it", func(s trackerStatus) bool { return s.Open == 1 })
	fill := func(qty int64, want string) {
		t.Helper()
		if err := fake.Fill(no, qty); err != nil {
			t.Fatal(err)
		}
		fillLatency(h, want)
	}
	fill(2, "누적 2/10주")
	fill(3, "누적 5/10주")
	h.stop()
	if n := strings.Count(h.out.String(), "부분 체결"); n != 2 {
		t.Fatalf("%d partial alerts before the restart, want 2:\n%s", n, h.out.String())
	}

	// Restart in the middle: the two parts are not told again.
	h = startHoga(t, clock.NewFake(at.Add(time.Minute)), getenv)
	h.settle("the tracker to reload", func(s trackerStatus) bool { return s.Open == 1 && s.Polls >= 1 })
	for range 5 {
		h.step(time.Second)
	}
	if strings.Contains(h.out.String(), "체결") {
		t.Fatalf("a restart re-alerted:\n%s", h.out.String())
	}
	fill(2, "누적 7/10주")
	fill(3, "누적 10/10주")
	for range 30 {
		h.step(time.Second)
	}
	out := h.out.String()
	if p, f := strings.Count(out, "부분 체결"), strings.Count(out, "체결 완료"); p != 1 || f != 1 {
		t.Fatalf("after the restart %d partial and %d final alerts, want 1 and 1:\n%s", p, f, out)
	}
	if !strings.Contains(out, "평균 69,000원") || strings.Contains(out, "꺼져 있는 동안") {
		t.Fatalf("final alert:\n%s", out)
	}
	h.stop()

	db, err := store.Open(context.Background(), store.Options{Dir: filepath.Join(dir, "data")})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, _ := db.OrdersOn(context.Background(), at)
	if len(rows) != 1 || rows[0].State != broker.StatusFilled || rows[0].FilledQty != 10 || rows[0].AvgFillPrice() != 69_000 {
		t.Fatalf("journal rows %+v", rows)
	}
	fills, _ := db.FillsOn(context.Background(), at)
	var cum []int64
	for _, f := range fills {
		cum = append(cum, f.CumQty)
	}
	if fmt.Sprint(cum) != "[2 5 7 10]" {
		t.Fatalf("fills' cumulative quantities %v, want [2 5 7 10]: %+v", cum, fills)
	}
}

// Issue 14 on the paper broker: its fills reach the tracker as a broker's
// pushes do (one alert per fill, journaled with source paper), and a
// market order that fills at once is told once — its reply says it was
// accepted, the fill alert says the trade with fees and tax — not twice in
// the same chat. With order alerts off nothing else would tell the fill,
// so the reply keeps it.
func TestPaperFillsThroughTheTracker(t *testing.T) {
	t.Parallel()
	t.Run("alerts_on", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		h := startHoga(t, clock.NewFake(kstAt(2026, 12, 4, 10, 0, 0)), env(
			"HOGA_DATA_DIR", filepath.Join(dir, "data"), "HOGA_PAPER_SEED", "7", "HOGA_LOG_LEVEL", "error"))
		ex := h.app.paper
		ex.SetFrozen(true)
		if err := ex.SetPrice("005930", 70_000); err != nil {
			t.Fatal(err)
		}
		h.send("/buy 005930 2")
		waitFor(t, "the market order's fill alert", func() bool { return strings.Contains(h.out.String(), "체결 완료") })
		// The tracker polls a new order once when it is added. That poll
		// must be over before the price crosses, or (on a loaded machine)
		// it can read the fill before the exchange's push is handled, and
		// the fill is journaled as polled: settled means the loop, which
		// also handles pushes, polled it and sleeps.
		before := h.app.tracker.Status().Polls
		h.send("/buy 005930 1 69000")
		h.settle("the limit order to rest", func(s trackerStatus) bool { return s.Open == 1 && s.Polls > before })
		if err := ex.SetPrice("005930", 68_900); err != nil { // crosses: the exchange fills it
			t.Fatal(err)
		}
		// No step of hoga's clock: the exchange's push alone tells it.
		waitFor(t, "the resting order's fill alert", func() bool { return strings.Count(h.out.String(), "체결 완료") == 2 })
		h.stop()
		out := h.out.String()
		if strings.Contains(out, "체결: ") {
			t.Errorf("an order reply repeats the fill its alert tells:\n%s", out)
		}
		for _, want := range []string{"✅ 매수 주문 접수 (가상 거래): 삼성전자 (005930) 2주 시장가", "누적 2/2주 · 평균 70,000원", "수수료 21원",
			"누적 1/1주 · 평균 69,000원"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		if n := strings.Count(out, "체결 완료"); n != 2 {
			t.Errorf("%d fill alerts for two fills:\n%s", n, out)
		}
		db, err := store.Open(context.Background(), store.Options{Dir: filepath.Join(dir, "data")})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		fills, _ := db.FillsOn(context.Background(), h.clk.Now())
		if len(fills) != 2 || fills[0].Source != broker.FillPaper || fills[1].Source != broker.FillPaper || fills[0].ExecID == "" {
			t.Fatalf("fills %+v; want two from the paper exchange's push", fills)
		}
	})
	t.Run("alerts_off", func(t *testing.T) {
		t.Parallel()
		h := startHoga(t, clock.NewFake(kstAt(2026, 12, 4, 10, 0, 0)), env(
			"HOGA_DATA_DIR", filepath.Join(t.TempDir(), "data"), "HOGA_PAPER_SEED", "7", "HOGA_LOG_LEVEL", "error",
			"HOGA_ALERTS", "orders=off"))
		h.app.paper.SetFrozen(true)
		if err := h.app.paper.SetPrice("005930", 70_000); err != nil {
			t.Fatal(err)
		}
		h.send("/buy 005930 2")
		waitFor(t, "the reply with its fill", func() bool { return strings.Contains(h.out.String(), "체결: 2주 @ 70,000원") })
		h.stop()
		if strings.Contains(h.out.String(), "체결 완료") {
			t.Fatalf("a fill alert with order alerts off:\n%s", h.out.String())
		}
	})
}

// A Kiwoom order filled in two parts at two prices, seen by polling: the
// first part while the order is open (ka10075's cntr_tot_amt gives the
// amount so far), the last with the order complete and so only in
// ka10076, whose cntr_pric is the last part's price, not an average
// (broker/kiwoom/orders.go cites the field lists). The last part is
// recorded at its own price and the average is the parts': 4 × 68,800 +
// 6 × 69,000 = 689,200 → 68,920 (read as an average, cntr_pric made the
// last part 69,133 and the average 69,000).
func TestTrackerKiwoomAverageFromTheParts(t *testing.T) {
	t.Parallel()
	fake := brokertest.NewKiwoomServer(brokertest.KiwoomFakeOptions{RateLimit: -1, Stocks: kwStocks})
	t.Cleanup(fake.Close)
	dir := t.TempDir()
	at := kstAt(2026, 12, 4, 10, 0, 0)
	h := startHoga(t, clock.NewFake(at), kiwoomEnv(fake, dir))
	h.send("/buy 005930 10 69000")
	waitFor(t, "the order at the fake", func() bool { return len(fake.Orders()) == 1 })
	no := fake.Orders()[0].No
	h.settle("the tracker to follow it", func(s trackerStatus) bool { return s.Open == 1 })
	if err := fake.FillAt(no, 4, 68_800); err != nil {
		t.Fatal(err)
	}
	fillLatency(h, "누적 4/10주 · 평균 68,800원")
	if err := fake.FillAt(no, 6, 69_000); err != nil {
		t.Fatal(err)
	}
	fillLatency(h, "체결 완료")
	out := h.out.String()
	if !strings.Contains(out, "매수 삼성전자(005930) 6주 @ 69,000원\n누적 10/10주 · 평균 68,920원") {
		t.Fatalf("the final fill alert:\n%s", out)
	}
	h.send("/orders") // the broker's list, with the journal's parts
	h.see("체결 10주 @68,920")
	h.stop()
	db, err := store.Open(context.Background(), store.Options{Dir: filepath.Join(dir, "data")})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fills, _ := db.FillsOn(context.Background(), at)
	var parts []string
	for _, f := range fills {
		parts = append(parts, fmt.Sprintf("%d@%d", f.Qty, f.Price))
	}
	if got := strings.Join(parts, " "); got != "4@68800 6@69000" {
		t.Fatalf("fills %s, want 4@68800 6@69000", got)
	}
	rows, _ := db.OrdersOn(context.Background(), at)
	if len(rows) != 1 || rows[0].AvgFillPrice() != 68_920 {
		t.Fatalf("journal rows %+v", rows)
	}
}
