package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/clock"
)

// Issue 17's Done-when for exits, end to end: run() against the KIS fake
// on a fake clock, driven through the console as the owner would.

// exitFake is the KIS fake with 005930 at 70,000, and an order cap high
// enough for the test's sells (exit sells are exempt anyway; the manual
// ones are not).
func exitFake(t *testing.T, clk clock.Clock) *brokertest.KISFake {
	t.Helper()
	fake := brokertest.NewKIS(t, brokertest.KISFakeOptions{IssueGap: -1, RateLimit: -1, Clock: clk, Stocks: kisStocks})
	fake.SetPrice("005930", 70_000)
	return fake
}

// startOnClock starts hoga with the fake's clock for hoga, its broker
// client and the fake alike, so that days pass for all three.
func startOnClock(t *testing.T, clk *clock.Fake, getenv func(string) string) *liveHoga {
	t.Helper()
	return startHogaCtx(t, withBrokerClock(withClock(context.Background(), clk), clk), clk, getenv)
}

// sells counts the sell orders the fake took.
func sells(fake *brokertest.KISFake) int {
	n := 0
	for _, o := range fake.Orders() {
		if o.Side == broker.Sell && o.CancelOf == "" {
			n++
		}
	}
	return n
}

// rounds moves hoga's clock a second at a time until the exits have
// checked n more times (each check quotes the armed stocks and decides).
func (h *liveHoga) rounds(n int64) {
	h.t.Helper()
	target := h.app.exits.Rounds() + n
	h.until("exit checks", func() bool { return h.app.exits.Rounds() >= target })
}

// stays runs n more exit checks and fails unless count is still want: the
// exits did nothing more (no second sell, none while halted, none above
// the level).
func (h *liveHoga) stays(n int64, what string, count func() int, want int) {
	h.t.Helper()
	h.rounds(n)
	if got := count(); got != want {
		h.t.Fatalf("%d %s, want %d", got, what, want)
	}
}

// until moves hoga's clock a second at a time until cond holds.
func (h *liveHoga) until(what string, cond func() bool) {
	h.t.Helper()
	waitFor(h.t, what, func() bool {
		if cond() {
			return true
		}
		h.clk.Advance(time.Second)
		return false
	})
}

// see waits for the console to show want.
func (h *liveHoga) see(want string) {
	h.t.Helper()
	start := h.clk.Now()
	h.until("the console to show "+want, func() bool {
		if strings.Contains(h.out.String(), want) {
			return true
		}
		if h.clk.Now().Sub(start) > 10*time.Minute {
			h.t.Fatalf("no %q within 10 minutes of hoga's clock:\n%s\n%s", want, h.out.String(), h.errOut.String())
		}
		return false
	})
}

// hold buys 10 shares of 005930 at the fake's price (a market order).
func (h *liveHoga) hold() {
	h.t.Helper()
	h.send("/buy 005930 10")
	h.see("체결 완료")
}

// A stop at -5% on a held position sells exactly once when the price
// crosses it, and once more restarts do not sell again.
func TestExitStopSellsOnceThroughRun(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(kstAt(2026, 12, 4, 10, 0, 0))
	fake := exitFake(t, clk)
	getenv := kisEnv(fake, t.TempDir())
	h := startOnClock(t, clk, getenv)
	h.hold()
	h.send("/stop 005930 -5%")
	h.see("005930 손절 -5% — 발동가 66,500원 · 감시 중")
	fake.SetPrice("005930", 66_600)
	h.stays(5, "sells above the stop", func() int { return sells(fake) }, 0)
	fake.SetPrice("005930", 66_400)
	h.until("the stop's sell", func() bool { return sells(fake) == 1 })
	h.see("🛑 (모의투자) 삼성전자 (005930) 손절(-5%) 발동: 현재가 66,400원, 발동가 66,500원 (평균단가 70,000원)\n매도 10주 시장가")
	fake.SetPrice("005930", 60_000)
	h.rounds(20)
	h.send("/exits")
	h.see("005930 손절 -5% — 발동가 66,500원 · 발동됨")
	h.stop()
	h = startOnClock(t, clk, getenv)
	h.stays(20, "sells", func() int { return sells(fake) }, 1)
	if strings.Contains(h.out.String(), "발동:") {
		t.Fatalf("a restart fired again:\n%s", h.out.String())
	}
}

// hoga is down when the price crosses the stop and restarts below it:
// the stop sells once, and the alert says it was found on restart.
func TestExitStopFoundOnRestartThroughRun(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(kstAt(2026, 12, 4, 10, 0, 0))
	fake := exitFake(t, clk)
	getenv := kisEnv(fake, t.TempDir())
	h := startOnClock(t, clk, getenv)
	h.hold()
	h.send("/stop 005930 -5%")
	h.see("발동가 66,500원 · 감시 중")
	fake.SetPrice("005930", 68_000)
	h.rounds(3)
	h.stop()

	fake.SetPrice("005930", 65_000) // crossed while hoga is down
	clk.Advance(10 * time.Minute)
	h = startOnClock(t, clk, getenv)
	h.until("the stop's sell after the restart", func() bool { return sells(fake) == 1 })
	h.see("손절(-5%) 발동: 현재가 65,000원, 발동가 66,500원")
	h.see("(hoga가 꺼져 있는 동안 가격이 발동가를 지나, 재시작 때 발견했습니다.)")
	h.rounds(20)
	h.stop()
	h = startOnClock(t, clk, getenv)
	h.stays(20, "sells", func() int { return sells(fake) }, 1)
}

// A trailing stop follows the high (kept across a restart) and sells on
// the pullback from it, once.
func TestExitTrailThroughRun(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(kstAt(2026, 12, 4, 10, 0, 0))
	fake := exitFake(t, clk)
	getenv := kisEnv(fake, t.TempDir())
	h := startOnClock(t, clk, getenv)
	h.hold()
	h.send("/trail 005930 3%")
	h.see("추적손절 3%")
	for _, p := range []int64{72_000, 75_000, 73_000} {
		fake.SetPrice("005930", p)
		h.rounds(2)
	}
	h.send("/exits")
	h.see("005930 추적손절 3% — 발동가 72,700원 (고점 75,000원) · 감시 중")
	h.stop()
	h = startOnClock(t, clk, getenv)
	fake.SetPrice("005930", 76_000) // a new high: 73,720, level 73,700 on the tick
	h.rounds(2)
	fake.SetPrice("005930", 73_800)
	h.stays(3, "sells above the trailing level", func() int { return sells(fake) }, 0)
	fake.SetPrice("005930", 73_700)
	h.until("the trail's sell", func() bool { return sells(fake) == 1 })
	h.see("추적손절(3%) 발동: 현재가 73,700원, 발동가 73,700원 (고점 76,000원)")
	h.stays(20, "sells", func() int { return sells(fake) }, 1)
}

// /halt prevents both the stop and the trail from selling, however far
// the price falls; /resume lets one of them sell, once.
func TestExitHaltPreventsThroughRun(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(kstAt(2026, 12, 4, 10, 0, 0))
	fake := exitFake(t, clk)
	getenv := kisEnv(fake, t.TempDir())
	h := startOnClock(t, clk, getenv)
	h.hold()
	h.send("/stop 005930 -5%")
	h.send("/trail 005930 3%")
	h.see("추적손절 3%")
	fake.SetPrice("005930", 75_000)
	h.rounds(2)
	h.send("/halt")
	h.see("/resume")
	fake.SetPrice("005930", 60_000) // past both: 66,500 and 72,700
	h.stays(30, "sells while halted", func() int { return sells(fake) }, 0)
	// A restart while halted: the kill switch is kept, nothing sells.
	h.stop()
	h = startOnClock(t, clk, getenv)
	h.stays(30, "sells while halted after a restart", func() int { return sells(fake) }, 0)
	h.send("/resume")
	h.until("the sell after /resume", func() bool { return sells(fake) == 1 })
	h.stays(20, "sells after /resume", func() int { return sells(fake) }, 1)
}

// /profit and /daily against a table of trades worked by hand, to the
// won, the trades placed through hoga on three KST trading days and their
// fills recorded by its order tracker.
//
// Rates: commission 0.015 % a side (Kiwoom's HTS/online rate, the usual
// KIS/Kiwoom online rate before promotions), and the 0.20 % securities
// transaction tax on sells from 2026-01-01 (KOSPI: 0.05 % tax + 0.15 %
// 농어촌특별세; KOSDAQ 0.20 %), set by the 증권거래세법 시행령 amendment
// the Ministry of Economy and Finance announced on 2025-12-01 (reported
// e.g. at livein.co.kr/bbs/board.php?bo_table=n04&wr_id=242737); each
// floored to the won (broker.DefaultFees).
//
//	12-02 buy  10 × 70,000 =   700,000  commission 105
//	      buy  10 × 72,000 =   720,000  commission 108     20 sh, cost 1,420,000
//	12-03 sell 15 × 75,000 = 1,125,000  commission 168, tax 2,250
//	      cost 1,420,000 × 15/20 = 1,065,000 → realised +57,582
//	      buy   5 × 74,000 =   370,000  commission 55      10 sh, cost 725,000
//	12-04 sell 10 × 70,000 =   700,000  commission 105, tax 1,400
//	      cost 725,000 → realised −26,505
//	total realised +31,077; commission 541, tax 3,650;
//	net of the buys' commission (268) +30,809
func TestProfitAndDailyThroughRun(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(kstAt(2026, 12, 2, 10, 0, 0))
	fake := exitFake(t, clk)
	getenv := kisEnv(fake, t.TempDir(), "HOGA_MAX_ORDER_KRW", "5000000")
	trade := func(h *liveHoga, side string, qty, price int64, nth int) {
		t.Helper()
		fake.SetPrice("005930", price)
		h.send("/" + side + " 005930 " + strconv.FormatInt(qty, 10))
		h.until("fill alert", func() bool { return strings.Count(h.out.String(), "체결 완료") == nth })
	}
	days := []struct {
		at     time.Time
		trades func(h *liveHoga)
	}{
		{kstAt(2026, 12, 2, 10, 0, 0), func(h *liveHoga) {
			trade(h, "buy", 10, 70_000, 1)
			trade(h, "buy", 10, 72_000, 2)
		}},
		{kstAt(2026, 12, 3, 10, 0, 0), func(h *liveHoga) {
			trade(h, "sell", 15, 75_000, 1)
			trade(h, "buy", 5, 74_000, 2)
		}},
		{kstAt(2026, 12, 4, 10, 0, 0), func(h *liveHoga) {
			trade(h, "sell", 10, 70_000, 1)
		}},
	}
	var h *liveHoga
	for _, d := range days {
		if h != nil {
			h.stop()
		}
		clk.Set(d.at)
		h = startOnClock(t, clk, getenv)
		d.trades(h)
	}
	h.send("/daily 3")
	h.see("합계 실현 +31,077원 · 순손익 +30,809원")
	h.send("/profit 3")
	h.see("매수 수수료까지 뺀 순손익 +30,809원")
	out := h.out.String()
	for _, want := range []string{
		"일별 손익 (최근 3일)\n" +
			"12-04 실현 -26,505원 · 매수 0 · 매도 700,000 · 체결 1건 · 비용 1,505\n" +
			"12-03 실현 +57,582원 · 매수 370,000 · 매도 1,125,000 · 체결 2건 · 비용 2,473\n" +
			"12-02 실현 0원 · 매수 1,420,000 · 매도 0 · 체결 2건 · 비용 213\n" +
			"합계 실현 +31,077원 · 순손익 +30,809원",
		"손익 (최근 3일, 체결 기준)\n" +
			"실현손익 +31,077원 (매도 2건, 매도 수수료·세금 차감)\n" +
			"수수료 541원 · 세금 3,650원\n" +
			"매수 수수료까지 뺀 순손익 +30,809원",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("console lacks\n%s\n--- got:\n%s", want, out)
		}
	}
}

// A stop from the rules file, on a stock bought after start: it waits,
// arms once the stock is held (an alert says so) and sells once on the
// crossing; /exits marks it as the file's.
func TestFileStopThroughRun(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(kstAt(2026, 12, 4, 10, 0, 0))
	fake := exitFake(t, clk)
	dir := t.TempDir()
	rules := filepath.Join(dir, "rules.yaml")
	if err := os.WriteFile(rules, []byte("exits:\n  - code: \"005930\"\n    stop: -5%\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := startOnClock(t, clk, kisEnv(fake, dir, "HOGA_RULES_FILE", rules))
	h.rounds(2)
	h.send("/exits")
	h.see("005930 손절 -5% — 발동가 미정 · 보유 없음 — 보유하면 켜짐 · 규칙 파일")
	h.hold()
	h.see("🛡 삼성전자 (005930) 손절(-5%): 규칙 파일의 청산을 켰습니다 (보유 확인, 평균단가 70,000원).")
	fake.SetPrice("005930", 66_400)
	h.until("the file stop's sell", func() bool { return sells(fake) == 1 })
	h.see("손절(-5%) 발동: 현재가 66,400원, 발동가 66,500원")
	h.stays(20, "sells", func() int { return sells(fake) }, 1)
}

// The stop's Done-when against the Kiwoom fake too: one sell on the
// crossing, none more after a restart.
func TestExitStopSellsOnceThroughRunKiwoom(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(kstAt(2026, 12, 4, 10, 0, 0))
	fake := brokertest.NewKiwoomServer(brokertest.KiwoomFakeOptions{RateLimit: -1, Clock: clk, Stocks: kwStocks})
	t.Cleanup(fake.Close)
	fake.SetPrice("005930", 70_000)
	kwSells := func() int {
		n := 0
		for _, o := range fake.Orders() {
			if o.Side == broker.Sell && !o.Cancel {
				n++
			}
		}
		return n
	}
	getenv := kiwoomEnv(fake, t.TempDir())
	h := startOnClock(t, clk, getenv)
	h.hold()
	h.send("/stop 005930 -5%")
	h.see("005930 손절 -5% — 발동가 66,500원 · 감시 중")
	fake.SetPrice("005930", 66_600)
	h.stays(5, "sells above the stop", kwSells, 0)
	fake.SetPrice("005930", 66_400)
	h.until("the stop's sell", func() bool { return kwSells() == 1 })
	h.see("손절(-5%) 발동: 현재가 66,400원, 발동가 66,500원 (평균단가 70,000원)")
	h.rounds(20)
	h.stop()
	h = startOnClock(t, clk, getenv)
	h.stays(20, "sells", kwSells, 1)
}

// A stop fires while hoga has another sell of the stock open: the round
// that sells reads the balance twice at the KIS fake — the exit's own
// fresh read for the shares it may sell, and the guard's one read that
// serves both its open-sell check and the order-limit exemption (it read
// it once for each, three in all) — and sells only the uncommitted shares.
func TestExitWithAnOpenSellBalanceReadsThroughRun(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(kstAt(2026, 12, 4, 10, 0, 0))
	fake := exitFake(t, clk)
	h := startOnClock(t, clk, kisEnv(fake, t.TempDir()))
	h.hold()
	h.send("/sell 005930 4 80000") // rests: 4 of the 10 shares committed
	h.see("매도 주문 접수")
	h.send("/stop 005930 -5%")
	h.see("발동가 66,500원 · 감시 중")
	h.rounds(2)
	fake.SetPrice("005930", 66_400)
	h.until("the stop's sell", func() bool { return sells(fake) == 2 })
	const (
		balance = "/uapi/domestic-stock/v1/trading/inquire-balance"
		quote   = "/uapi/domestic-stock/v1/quotations/inquire-price"
		order   = "/uapi/domestic-stock/v1/trading/order-cash"
	)
	// The round: the exit's quote, then its reads, then its order.
	log := fake.RequestLog()
	last := -1
	for i, r := range log {
		if r.Path == order {
			last = i
		}
	}
	reads := 0
	for i := last - 1; i >= 0 && log[i].Path != quote; i-- {
		if log[i].Path == balance {
			reads++
		}
	}
	if reads != 2 {
		t.Errorf("the selling round read the balance %d times at the fake; want 2 (the exit's, the guard's)", reads)
	}
	if o := fake.Orders(); o[len(o)-1].Qty != 6 {
		t.Errorf("the exit sold %d; want the 6 shares not in the open sell", o[len(o)-1].Qty)
	}
	h.see("손절(-5%) 발동: 현재가 66,400원")
}
