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

// Issue 14: a fill is stored before its alert goes, and the alert waits in
// memory; when it is not delivered (here Telegram refuses the chat; in life
// a restart during an outage, or a crash between the two steps) the next
// start sends it, once, saying so, and the start after that sends nothing.
func TestUndeliveredFillAlertIsResentAfterRestart(t *testing.T) {
	t.Parallel()
	const owner = 111
	dir := t.TempDir()
	fake := brokertest.NewKIS(t, brokertest.KISFakeOptions{IssueGap: -1, RateLimit: -1, Stocks: kisStocks})
	fake.SetPrice("005930", 70_000)
	at := kstAt(2026, 12, 4, 10, 0, 0)
	withTelegram := func(tg *telegramtest.Server) func(string) string {
		return kisEnv(fake, dir, "HOGA_TELEGRAM_TOKEN", "7000000001:TESTTOKEN", "HOGA_TELEGRAM_API_URL", tg.URL,
			"HOGA_TELEGRAM_ALLOWED_USERS", "111")
	}
	resent := func(c telegramtest.Call) bool {
		return c.OK() && c.Is("sendMessage") && c.ChatID() == owner && strings.Contains(c.Message.Text, "지금 보냅니다")
	}

	tg1 := telegramtest.Start(telegramtest.Config{Token: "7000000001:TESTTOKEN"})
	defer tg1.Close()
	tg1.Forbid(owner) // the fill alert cannot be delivered
	clk := clock.NewFake(at)
	h := startHoga(t, clk, withTelegram(tg1))
	h.send("/buy 005930 10")
	waitFor(t, "the order at the fake", func() bool { return len(fake.Orders()) == 1 })
	fills := func() int {
		f, err := h.app.db.FillsOn(context.Background(), clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		return len(f)
	}
	// The guard tells the tracker of the order through its event queue:
	// stepping the clock before the tracker follows it would let the steps
	// run out on a loaded machine.
	waitFor(t, "the tracker to follow the order", func() bool { return h.app.tracker.Status().Open == 1 || fills() > 0 })
	for i := 0; fills() == 0; i++ {
		if i == 30 {
			t.Fatal("the fill was not journaled")
		}
		h.step(time.Second)
	}
	t0 := time.Now()
	h.stop()
	t.Logf("first stop took %v", time.Since(t0))
	for _, c := range tg1.Calls() {
		if c.OK() && c.Is("sendMessage") && strings.Contains(c.Message.Text, "체결 완료") {
			t.Fatalf("the fill alert was delivered in the first run: %q", c.Message.Text)
		}
	}

	tg2 := telegramtest.Start(telegramtest.Config{Token: "7000000001:TESTTOKEN"})
	defer tg2.Close()
	h2 := startHoga(t, clock.NewFake(at.Add(time.Minute)), withTelegram(tg2))
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	c, err := tg2.WaitCall(ctx, 0, resent)
	if err != nil {
		t.Fatalf("the undelivered fill alert was not re-sent: %v", err)
	}
	if !strings.Contains(c.Message.Text, "체결 완료") || !strings.Contains(c.Message.Text, "10/10주") {
		t.Errorf("re-sent alert: %q", c.Message.Text)
	}
	waitFor(t, "the re-sent alert marked delivered", func() bool {
		f, err := h2.app.db.UnalertedFills(context.Background(), "2026-12-03")
		return err == nil && len(f) == 0
	})
	t0 = time.Now()
	h2.stop()
	t.Logf("second stop took %v", time.Since(t0))

	tg3 := telegramtest.Start(telegramtest.Config{Token: "7000000001:TESTTOKEN"})
	defer tg3.Close()
	h3 := startHoga(t, clock.NewFake(at.Add(2*time.Minute)), withTelegram(tg3))
	waitFor(t, "the tracker past its start", func() bool { return h3.app.tracker.Status().Sleeps > 0 })
	h3.stop()
	for _, c := range tg3.Calls() {
		if resent(c) {
			t.Fatalf("re-sent again after it was delivered: %q", c.Message.Text)
		}
	}
}
