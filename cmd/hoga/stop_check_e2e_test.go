package main

import (
	"context"

	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/bot/telegramtest"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/clock"
)

// A fill in the last poll gap before a stop, a fill while hoga is down
// and a fill around a stop whose final check failed, through run() against
// the KIS fake (no stream, so the poll is the only way hoga learns of a
// fill): what the owner reads of each.
//
// Before the stop's final check, the first was found by the next start's
// first poll and said "hoga 가 꺼져 있는 동안 체결" although hoga was
// running when it filled; now it is an ordinary fill alert, sent before
// hoga exits.
func TestFillsAroundAStopThroughRun(t *testing.T) {
	t.Parallel()
	at := kstAt(2026, 12, 4, 10, 0, 0)
	begin := func(t *testing.T) (*brokertest.KISFake, func(string) string, *liveHoga, string) {
		fake := brokertest.NewKIS(t, brokertest.KISFakeOptions{IssueGap: -1, RateLimit: -1, Stocks: kisStocks})
		fake.SetPrice("005930", 70_000)
		getenv := kisEnv(fake, t.TempDir())
		h := startHoga(t, clock.NewFake(at), getenv)
		h.send("/buy 005930 10 69000")
		waitFor(t, "the order", func() bool { return len(fake.Orders()) == 1 })
		h.settle("the tracker to follow it", func(s trackerStatus) bool { return s.Open == 1 && s.Polls >= 1 })
		h.step(time.Second) // one more quiet poll
		return fake, getenv, h, fake.Orders()[0].ODNO
	}

	t.Run("in_the_last_gap", func(t *testing.T) {
		t.Parallel()
		fake, getenv, h, odno := begin(t)
		if err := fake.Fill(odno, 10); err != nil { // before the next poll
			t.Fatal(err)
		}
		h.stop()
		out := h.out.String()
		if strings.Count(out, "체결 완료") != 1 || strings.Contains(out, "시작하며") {
			t.Fatalf("want one ordinary fill alert at the stop:\n%s", out)
		}
		h = startHoga(t, clock.NewFake(at.Add(time.Minute)), getenv)
		h.settle("the tracker to start", func(s trackerStatus) bool { return s.Open == 0 })
		for range 3 {
			h.step(time.Second)
		}
		if out := h.out.String(); strings.Contains(out, "체결") {
			t.Fatalf("the fill was told again at the restart:\n%s", out)
		}
	})

	t.Run("while_down", func(t *testing.T) {
		t.Parallel()
		fake, getenv, h, odno := begin(t)
		h.stop()
		if err := fake.Fill(odno, 10); err != nil {
			t.Fatal(err)
		}
		h = startHoga(t, clock.NewFake(at.Add(time.Minute)), getenv)
		h.waitOut("the fill found at start-up", "체결 완료")
		if !strings.Contains(h.out.String(), "⏰ hoga 가 꺼져 있는 동안 체결된 것을 시작하며 확인했습니다.") {
			t.Fatalf("want it labelled as filled while down:\n%s", h.out.String())
		}
	})

	// A kill cannot be made in-process; a stop whose final look at the
	// broker fails leaves the journal as a kill does: marked only by the
	// last successful poll.
	t.Run("final_check_failed", func(t *testing.T) {
		t.Parallel()
		fake, getenv, h, odno := begin(t)
		lastPoll := h.app.tracker.Status().LastHeard
		if err := fake.Fill(odno, 10); err != nil {
			t.Fatal(err)
		}
		fake.Inject(brokertest.KISFault{Kind: brokertest.FaultListMissing, Path: "/uapi/domestic-stock/v1/trading/inquire-daily-ccld"})
		h.stop()
		if out := h.out.String(); strings.Contains(out, "체결 완료") {
			t.Fatalf("a fill alert although the final check failed:\n%s", out)
		}
		h = startHoga(t, clock.NewFake(at.Add(time.Minute)), getenv)
		h.waitOut("the fill found at start-up", "체결 완료")
		want := "⏰ 시작하며 확인한 체결입니다. hoga 가 이 주문을 " + lastPoll.In(kstAt(2026, 1, 1, 0, 0, 0).Location()).Format("15:04:05") + " 에 마지막으로 확인한 뒤 체결됐습니다."
		if !strings.Contains(h.out.String(), want) {
			t.Fatalf("want %q:\n%s", want, h.out.String())
		}
		if strings.Contains(h.out.String(), "꺼져 있는 동안 체결된") {
			t.Fatalf("said filled while down:\n%s", h.out.String())
		}
	})
}

// On Telegram, the fill the stop's final check finds reaches the owner
// before "hoga 종료", as an ordinary fill alert.
func TestFillInLastGapReachesTelegramBeforeTheGoodbye(t *testing.T) {
	t.Parallel()
	const owner = 111
	tg := telegramtest.Start(telegramtest.Config{Token: "7000000001:TESTTOKEN"})
	defer tg.Close()
	fake := brokertest.NewKIS(t, brokertest.KISFakeOptions{IssueGap: -1, RateLimit: -1, Stocks: kisStocks})
	fake.SetPrice("005930", 70_000)
	getenv := kisEnv(fake, t.TempDir(), "HOGA_TELEGRAM_TOKEN", "7000000001:TESTTOKEN", "HOGA_TELEGRAM_API_URL", tg.URL,
		"HOGA_TELEGRAM_ALLOWED_USERS", "111")
	wait, stopWait := context.WithTimeout(context.Background(), testGuard)
	defer stopWait()
	h := startHoga(t, clock.NewFake(kstAt(2026, 12, 4, 10, 0, 0)), getenv)
	if err := tg.WaitPolling(wait); err != nil {
		t.Fatal(err)
	}
	tg.Send(telegramtest.Incoming{From: owner, Text: "/buy 005930 10 69000"})
	waitFor(t, "the order", func() bool { return len(fake.Orders()) == 1 })
	h.settle("the tracker to follow it", func(s trackerStatus) bool { return s.Open == 1 && s.Polls >= 1 })
	if err := fake.Fill(fake.Orders()[0].ODNO, 10); err != nil {
		t.Fatal(err)
	}
	h.stop()
	var texts []string
	for _, m := range tg.Messages(owner) {
		texts = append(texts, m.Text)
	}
	fill, bye := -1, -1
	for i, s := range texts {
		if strings.Contains(s, "체결 완료") && !strings.Contains(s, "시작하며") {
			fill = i
		}
		if strings.Contains(s, "🛑 hoga 종료") {
			bye = i
		}
	}
	if fill < 0 || bye < fill {
		t.Fatalf("want the fill alert, then the goodbye:\n%s", strings.Join(texts, "\n---\n"))
	}
}
