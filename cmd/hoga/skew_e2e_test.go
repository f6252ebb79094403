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

// skewCase is one broker under test: how to start its fake on a clock,
// with the fake's clock offset from it.
type skewCase struct {
	name  string
	start func(t *testing.T, clk clock.Clock, offset time.Duration, dir string) liveFake
}

// liveFake is a started fake and its controls, for one run of hoga.
type liveFake struct {
	getenv func(string) string
	// loseNextAnswer makes the broker take the next order and the
	// connection drop before its answer: an unknown outcome.
	loseNextAnswer func()
	orders         func() int
	// setLag makes the order lists leave out orders younger than d.
	setLag func(d time.Duration)
	// badLists makes the next n order lists answer without their list
	// field (unreadable, never empty).
	badLists func(n int)
	// holdList keeps the broker's order list unanswered until release.
	holdList func() (release func())
	// expireTokens makes the broker refuse the tokens it issued.
	expireTokens func()
}

func kisSkewCase() skewCase {
	return skewCase{name: "kis", start: func(t *testing.T, clk clock.Clock, offset time.Duration, dir string) liveFake {
		fake := brokertest.NewKIS(t, brokertest.KISFakeOptions{IssueGap: -1, RateLimit: -1, Clock: clk, ClockOffset: offset, Stocks: kisStocks})
		fake.SetPrice("005930", 70_000)
		return liveFake{
			getenv: kisEnv(fake, dir),
			loseNextAnswer: func() {
				fake.Inject(brokertest.KISFault{Kind: brokertest.FaultReset, Path: "/uapi/domestic-stock/v1/trading/order-cash", AfterProcessing: true})
			},
			orders: func() int { return len(fake.Orders()) },
			setLag: fake.SetListLag,
			badLists: func(n int) {
				fake.Inject(brokertest.KISFault{Kind: brokertest.FaultListMissing, Path: "/uapi/domestic-stock/v1/trading/inquire-daily-ccld", Times: n})
			},
			holdList:     func() func() { return fake.Hold("/uapi/domestic-stock/v1/trading/inquire-daily-ccld") },
			expireTokens: fake.ExpireTokens,
		}
	}}
}

func kiwoomSkewCase() skewCase {
	return skewCase{name: "kiwoom", start: func(t *testing.T, clk clock.Clock, offset time.Duration, dir string) liveFake {
		fake := brokertest.NewKiwoomServer(brokertest.KiwoomFakeOptions{RateLimit: -1, Clock: clk, ClockOffset: offset, Stocks: kwStocks})
		t.Cleanup(fake.Close)
		getenv := env("HOGA_BROKER", "kiwoom", "HOGA_MODE", "mock",
			"HOGA_KIWOOM_APP_KEY", brokertest.KiwoomFakeAppKey, "HOGA_KIWOOM_SECRET_KEY", brokertest.KiwoomFakeSecretKey,
			"HOGA_KIWOOM_BASE_URL", fake.URL(), "HOGA_KIWOOM_RPS", "200", "HOGA_MARKET_HOURS", "always",
			"HOGA_DATA_DIR", filepath.Join(dir, "data"), "HOGA_LOG_LEVEL", "error")
		return liveFake{
			getenv:         getenv,
			loseNextAnswer: func() { fake.InjectFault("kt10000", brokertest.KiwoomFaultResetAfterAccept) },
			orders:         func() int { return len(fake.Orders()) },
			setLag:         fake.SetListLag,
			badLists: func(n int) {
				for range n {
					fake.InjectFault("ka10075", brokertest.KiwoomFaultListMissing)
				}
			},
			// OrdersToday reads ka10075 and ka10076; either held holds it.
			holdList:     func() func() { return fake.Hold("ka10075") },
			expireTokens: fake.ExpireTokens,
		}
	}}
}

// startOn runs hoga on clk with its broker clients on clk too.
func startOn(t *testing.T, clk *clock.Fake, fb liveFake) *liveHoga {
	t.Helper()
	return startHogaCtx(t, withBrokerClock(withClock(context.Background(), clk), clk), clk, fb.getenv)
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
				fb := bc.start(t, clk, off, t.TempDir())
				h := startOn(t, clk, fb)
				fb.loseNextAnswer()
				h.send("/buy 005930 1 70000")
				waitForOr(t, func() bool { return strings.Contains(h.out.String(), "다시 보내지 마세요") }, hangGuard)
				if !strings.Contains(h.out.String(), "다시 보내지 마세요") {
					t.Fatalf("no unknown-outcome reply:\n%s\n%s", h.out.String(), h.errOut.String())
				}
				// The clock stands still: with the skew taken off, the
				// first pass (at once) finds the order. Without it the row
				// would wait for the grace, which never comes.
				waitForOr(t, func() bool { return strings.Contains(h.out.String(), "결과 확인") }, hangGuard)
				out := h.out.String()
				if !strings.Contains(out, "결과 확인") || strings.Contains(out, "전송되지 않은") {
					t.Fatalf("no match at once with the clock standing still:\n%s", out)
				}
				if n := fb.orders(); n != 1 {
					t.Fatalf("%d orders at the broker; want 1", n)
				}
				rows, err := h.app.db.OrdersOn(context.Background(), clk.Now())
				if err != nil || len(rows) != 1 || !foundAtBroker(rows[0]) {
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
			fb := bc.start(t, clk, 0, t.TempDir())
			fb.setLag(lag)
			h := startOn(t, clk, fb)
			fb.loseNextAnswer()
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
			if n := fb.orders(); n != 1 {
				t.Fatalf("%d orders at the broker; want 1", n)
			}
			rows, err := h.app.db.OrdersOn(context.Background(), clk.Now())
			if err != nil || len(rows) != 1 || !foundAtBroker(rows[0]) {
				t.Fatalf("journal %+v, %v; want the row corrected to accepted with the broker's number", rows, err)
			}
			// When hoga corrected the row, by its own clock (the journal
			// stamps it): the test's clock, read after stepUntil saw the
			// text, ran on by 5 s every 20 ms of wall time while a loaded
			// machine kept hoga from reacting, and read 7m15s once.
			if took := rows[0].Updated.Sub(from); took > lag+2*time.Minute {
				t.Errorf("corrected %v after the order; the list showed it after %v", took, lag)
			}
			h.send("/orders")
			waitFor(t, "/orders", func() bool { return strings.Contains(h.out.String(), "오늘 주문 (1건)") })
			t.Logf("%s: never placed after %v, corrected %v after the order (hoga's clock; the test's read %v)", bc.name, verdict, rows[0].Updated.Sub(from), h.clk.Now().Sub(from))
		})
	}
}

// Issue 21, item 1, through run(): the broker's order list comes back
// without its list field eight times running while an order's outcome is
// unknown. The row is never called "never placed" from an unreadable list
// (the grace runs out meanwhile), the owner is told once that the list
// cannot be read and once that it can again, and the order is then found.
func TestUnreadableListsNeverGiveNeverPlaced(t *testing.T) {
	t.Parallel()
	const bad = 8
	for _, bc := range []skewCase{kisSkewCase(), kiwoomSkewCase()} {
		t.Run(bc.name, func(t *testing.T) {
			t.Parallel()
			clk := clock.NewFake(kstAt(2026, 12, 4, 10, 0, 0))
			fb := bc.start(t, clk, 0, t.TempDir())
			h := startOn(t, clk, fb)
			fb.badLists(bad)
			fb.loseNextAnswer()
			h.send("/buy 005930 1 70000")
			waitFor(t, "the unknown-outcome reply", func() bool { return strings.Contains(h.out.String(), "다시 보내지 마세요") })
			took := stepUntil(h, "the list readable again", 5*time.Second, 15*time.Minute, "주문 목록을 다시 읽을 수 있습니다")
			waitFor(t, "the verdict", func() bool { return strings.Contains(h.out.String(), "결과 확인") })
			out := h.out.String()
			if took < 2*time.Minute {
				t.Errorf("lists readable again after %v; the test wants the grace (2 min) out while they were not", took)
			}
			if strings.Contains(out, "전송되지 않은") {
				t.Fatalf("told never placed from unreadable lists:\n%s", out)
			}
			if n := strings.Count(out, "주문 목록을 3번 연속 읽을 수 없습니다"); n != 1 {
				t.Errorf("%d unreadable-list alerts; want 1:\n%s", n, out)
			}
			if n := strings.Count(out, "주문 목록을 다시 읽을 수 있습니다"); n != 1 {
				t.Errorf("%d readable-again alerts; want 1:\n%s", n, out)
			}
			rows, err := h.app.db.OrdersOn(context.Background(), clk.Now())
			if err != nil || len(rows) != 1 || !foundAtBroker(rows[0]) {
				t.Fatalf("journal %+v, %v; want one accepted row with the broker's number", rows, err)
			}
			if n := fb.orders(); n != 1 {
				t.Fatalf("%d orders at the broker; want 1", n)
			}
			t.Logf("%s: lists readable again after %v on the test clock", bc.name, took)
		})
	}
}

// foundAtBroker reports a journal row settled as at the broker: its number
// known, accepted or (the order at 70,000 crossing the fake's price)
// filled since.
func foundAtBroker(e broker.JournalEntry) bool {
	return e.BrokerID != "" && (e.State == broker.StatusAccepted || e.State == broker.StatusPartial || e.State == broker.StatusFilled)
}
