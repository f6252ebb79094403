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
	"github.com/hoga-trade/hoga/clock"
)

// skewCase is one broker under test: how to start its fake with a clock
// offset and make the next order's answer get lost after the broker took
// it, and how many orders the fake holds.
type skewCase struct {
	name  string
	start func(t *testing.T, clk clock.Clock, offset time.Duration, dir string) (getenv func(string) string, loseNextAnswer func(), orders func() int)
	// startLag is start without an offset, and with a way to make the
	// fake's order lists lag.
	startLag func(t *testing.T, clk clock.Clock, dir string) (getenv func(string) string, loseNextAnswer func(), orders func() int, setLag func(time.Duration))
}

func kisSkewCase() skewCase {
	start := func(t *testing.T, clk clock.Clock, offset time.Duration, dir string) (func(string) string, func(), func() int, func(time.Duration)) {
		fake := brokertest.NewKIS(t, brokertest.KISFakeOptions{IssueGap: -1, RateLimit: -1, Clock: clk, ClockOffset: offset})
		fake.SetPrice("005930", 70_000)
		lose := func() {
			fake.Inject(brokertest.KISFault{Kind: brokertest.FaultReset, Path: "/uapi/domestic-stock/v1/trading/order-cash", AfterProcessing: true})
		}
		return kisEnv(fake, dir), lose, func() int { return len(fake.Orders()) }, fake.SetListLag
	}
	return skewCase{name: "kis",
		start: func(t *testing.T, clk clock.Clock, offset time.Duration, dir string) (func(string) string, func(), func() int) {
			g, l, o, _ := start(t, clk, offset, dir)
			return g, l, o
		},
		startLag: func(t *testing.T, clk clock.Clock, dir string) (func(string) string, func(), func() int, func(time.Duration)) {
			return start(t, clk, 0, dir)
		}}
}

func kiwoomSkewCase() skewCase {
	start := func(t *testing.T, clk clock.Clock, offset time.Duration, dir string) (func(string) string, func(), func() int, func(time.Duration)) {
		fake := brokertest.NewKiwoomServer(brokertest.KiwoomFakeOptions{RateLimit: -1, Clock: clk, ClockOffset: offset})
		t.Cleanup(fake.Close)
		getenv := env("HOGA_BROKER", "kiwoom", "HOGA_MODE", "mock",
			"HOGA_KIWOOM_APP_KEY", brokertest.KiwoomFakeAppKey, "HOGA_KIWOOM_SECRET_KEY", brokertest.KiwoomFakeSecretKey,
			"HOGA_KIWOOM_BASE_URL", fake.URL(), "HOGA_KIWOOM_RPS", "200", "HOGA_MARKET_HOURS", "always",
			"HOGA_DATA_DIR", filepath.Join(dir, "data"), "HOGA_LOG_LEVEL", "error")
		lose := func() { fake.InjectFault("kt10000", brokertest.KiwoomFaultResetAfterAccept) }
		return getenv, lose, func() int { return len(fake.Orders()) }, fake.SetListLag
	}
	return skewCase{name: "kiwoom",
		start: func(t *testing.T, clk clock.Clock, offset time.Duration, dir string) (func(string) string, func(), func() int) {
			g, l, o, _ := start(t, clk, offset, dir)
			return g, l, o
		},
		startLag: func(t *testing.T, clk clock.Clock, dir string) (func(string) string, func(), func() int, func(time.Duration)) {
			return start(t, clk, 0, dir)
		}}
}

// Issue 21, item 2, through run(): with the broker's clock 3 or 10 minutes
// ahead of or behind the host's, an order whose answer was lost after the
// broker took it is found in the broker's list — never "never placed" —
// and the owner is warned once that the host clock is off.
func TestSkewedBrokerClockOrderIsMatched(t *testing.T) {
	t.Parallel()
	for _, bc := range []skewCase{kisSkewCase(), kiwoomSkewCase()} {
		for _, off := range []time.Duration{3 * time.Minute, -3 * time.Minute, 10 * time.Minute, -10 * time.Minute} {
			t.Run(fmt.Sprintf("%s_%v", bc.name, off), func(t *testing.T) {
				t.Parallel()
				clk := clock.NewFake(kstAt(2026, 12, 4, 10, 0, 0))
				getenv, lose, orders := bc.start(t, clk, off, t.TempDir())
				h := startHogaCtx(t, withBrokerClock(withClock(context.Background(), clk), clk), clk, getenv)
				lose()
				h.send("/buy 005930 1 70000")
				waitForOr(t, func() bool { return strings.Contains(h.out.String(), "다시 보내지 마세요") }, 3*time.Second)
				if !strings.Contains(h.out.String(), "다시 보내지 마세요") {
					t.Fatalf("no unknown-outcome reply:\n%s\n%s", h.out.String(), h.errOut.String())
				}
				// The clock stands still: with the skew taken off, the
				// first pass (at once) finds the order. Without it the row
				// would wait for the grace, which never comes.
				waitForOr(t, func() bool { return strings.Contains(h.out.String(), "결과 확인") }, 5*time.Second)
				out := h.out.String()
				if !strings.Contains(out, "결과 확인") || strings.Contains(out, "전송되지 않은") {
					t.Fatalf("no match at once with the clock standing still:\n%s", out)
				}
				if n := orders(); n != 1 {
					t.Fatalf("%d orders at the broker; want 1", n)
				}
				rows, err := h.app.db.OrdersOn(context.Background(), clk.Now())
				if err != nil || len(rows) != 1 || rows[0].State != broker.StatusAccepted || rows[0].BrokerID == "" {
					t.Fatalf("journal %+v, %v; want one accepted row with the broker's number", rows, err)
				}
				if n := strings.Count(out, "시계가 증권사"); n != 1 {
					t.Errorf("%d clock warnings; want exactly 1:\n%s", n, out)
				}
				dir := "느립니다"
				if off < 0 {
					dir = "빠릅니다"
				}
				if !strings.Contains(out, dir) {
					t.Errorf("clock warning does not say the host clock %s:\n%s", dir, out)
				}
			})
		}
	}
}

// waitForOr polls cond for up to d of wall time; it is how a test gives
// hoga's goroutines a moment to react before moving the fake clock on.
func waitForOr(t *testing.T, cond func() bool, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for !cond() && time.Now().Before(deadline) {
		<-tick.C
	}
}

// stepUntil moves hoga's clock by step until want appears on its console,
// giving hoga a moment of wall time between steps, and returns the test
// clock time that took (at most limit).
func stepUntil(h *liveHoga, what string, step, limit time.Duration, want string) time.Duration {
	h.t.Helper()
	start := h.clk.Now()
	for {
		found := false
		waitForOr(h.t, func() bool { found = strings.Contains(h.out.String(), want); return found }, 20*time.Millisecond)
		if found {
			return h.clk.Now().Sub(start)
		}
		if h.clk.Now().Sub(start) > limit {
			h.t.Fatalf("no %s (%q) within %v on the test clock:\n%s", what, want, limit, h.out.String())
		}
		h.clk.Advance(step)
	}
}

// Issue 21, item 3, through run(): the broker took the order but its list
// lags five minutes. hoga asks twice after the grace before it says
// "never placed", keeps reading the list, and when the order shows up
// corrects the journal and tells the owner at once, loudly, not to resend.
func TestNeverPlacedCorrectedWhenOrderShowsUp(t *testing.T) {
	t.Parallel()
	const lag = 5 * time.Minute
	for _, bc := range []skewCase{kisSkewCase(), kiwoomSkewCase()} {
		t.Run(bc.name, func(t *testing.T) {
			t.Parallel()
			clk := clock.NewFake(kstAt(2026, 12, 4, 10, 0, 0))
			getenv, lose, orders, setLag := bc.startLag(t, clk, t.TempDir())
			setLag(lag)
			h := startHogaCtx(t, withBrokerClock(withClock(context.Background(), clk), clk), clk, getenv)
			lose()
			h.send("/buy 005930 1 70000")
			waitFor(t, "the unknown-outcome reply", func() bool { return strings.Contains(h.out.String(), "다시 보내지 마세요") })
			from := h.clk.Now()
			verdict := stepUntil(h, "the never-placed verdict", 5*time.Second, 10*time.Minute, "전송되지 않은")
			if verdict < 2*time.Minute {
				t.Fatalf("never placed after %v, before the grace (2 min) was out", verdict)
			}
			stepUntil(h, "the correction", 5*time.Second, 10*time.Minute, "정정")
			out := h.out.String()
			if n := strings.Count(out, "정정"); n != 1 {
				t.Errorf("%d corrections; want 1:\n%s", n, out)
			}
			if !strings.Contains(out, "전송되지 않았다고 알려 드린 주문이 증권사에 있습니다 — 다시 보내지 마세요!") {
				t.Errorf("correction does not say loudly not to resend:\n%s", out)
			}
			if took := h.clk.Now().Sub(from); took > lag+2*time.Minute {
				t.Errorf("corrected %v after the order; the list showed it after %v", took, lag)
			}
			if n := orders(); n != 1 {
				t.Fatalf("%d orders at the broker; want 1", n)
			}
			rows, err := h.app.db.OrdersOn(context.Background(), clk.Now())
			if err != nil || len(rows) != 1 || rows[0].State != broker.StatusAccepted || rows[0].BrokerID == "" {
				t.Fatalf("journal %+v, %v; want the row corrected to accepted with the broker's number", rows, err)
			}
			h.send("/orders")
			waitFor(t, "/orders", func() bool { return strings.Contains(h.out.String(), "오늘 주문 (1건)") })
			t.Logf("%s: never placed after %v, corrected %v after the order (test clock)", bc.name, verdict, h.clk.Now().Sub(from))
		})
	}
}
