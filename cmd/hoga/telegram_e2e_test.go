package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/bot/telegramtest"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/clock"
)

// The whole program against the fake Bot API and a live-mode fake KIS: a
// live order is shown with buttons, a stranger's press and a second press
// place nothing, and the owner's press places exactly one order.
func TestTelegramLiveOrderAgainstFakeKIS(t *testing.T) {
	t.Parallel()
	const owner, stranger = 111, 999
	tg := telegramtest.Start(telegramtest.Config{Token: "7000000001:TESTTOKEN"})
	defer tg.Close()
	fake := brokertest.NewKIS(t, brokertest.KISFakeOptions{Mode: "live", IssueGap: -1, RateLimit: -1, Stocks: kisStocks})
	fake.SetPrice("005930", 70_000)
	key, secret, account := fake.Credentials()
	getenv := env(
		"HOGA_BROKER", "kis", "HOGA_MODE", "live",
		"HOGA_KIS_APP_KEY", key, "HOGA_KIS_APP_SECRET", secret, "HOGA_KIS_ACCOUNT", account,
		"HOGA_KIS_BASE_URL", fake.URL(), "HOGA_MARKET_HOURS", "always",
		"HOGA_TELEGRAM_TOKEN", "7000000001:TESTTOKEN", "HOGA_TELEGRAM_API_URL", tg.URL,
		"HOGA_TELEGRAM_ALLOWED_USERS", "111",
		"HOGA_DATA_DIR", filepath.Join(t.TempDir(), "data"), "HOGA_LOG_LEVEL", "error",
	)
	wait, stopWait := context.WithTimeout(context.Background(), testGuard)
	defer stopWait()
	h := startHoga(t, nil, getenv)
	if err := tg.WaitPolling(wait); err != nil {
		t.Fatal(err)
	}

	sentTo := func(chat int64, contains string) func(telegramtest.Call) bool {
		return func(c telegramtest.Call) bool {
			return c.OK() && c.Message != nil && c.Message.Chat.ID == chat && strings.Contains(c.Message.Text, contains)
		}
	}
	mark := tg.CallCount()
	tg.Send(telegramtest.Incoming{From: stranger, Text: "/buy 005930 1"})
	if _, err := tg.WaitCall(wait, mark, sentTo(stranger, "권한이 없습니다. 사용자 ID 999")); err != nil {
		t.Fatalf("stranger was not told: %v", err)
	}

	mark = tg.CallCount()
	tg.Send(telegramtest.Incoming{From: owner, Text: "/buy 005930 2 70000"})
	prompt, err := tg.WaitCall(wait, mark, sentTo(owner, "실전 주문 확인"))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(fake.Orders()); n != 0 {
		t.Fatalf("%d orders before the confirmation", n)
	}
	if _, err := tg.PressButton(stranger, owner, prompt.Message.MessageID, "확인"); err != nil {
		t.Fatal(err)
	}
	mark = tg.CallCount()
	if _, err := tg.PressButton(owner, owner, prompt.Message.MessageID, "확인"); err != nil {
		t.Fatal(err)
	}
	if _, err := tg.WaitCall(wait, mark, sentTo(owner, "주문 접수")); err != nil {
		t.Fatalf("no result after the press: %v", err)
	}
	if _, err := tg.PressButton(owner, owner, prompt.Message.MessageID, "확인"); err == nil {
		t.Error("the buttons were still on the prompt after it was used")
	}
	if n := len(fake.Orders()); n != 1 {
		t.Fatalf("%d orders at the broker; want exactly 1", n)
	}

	h.stop()
}

// A bot token Telegram refuses at start-up is a settings error: one clear
// line and exit status 2, as `hoga check` reports it (issue 19, item 5).
func TestTelegramTokenRefusedAtStartIsASettingsError(t *testing.T) {
	t.Parallel()
	tg := telegramtest.Start(telegramtest.Config{Token: "7000000001:RIGHTTOKEN"})
	defer tg.Close()
	getenv := env(
		"HOGA_BROKER", "paper", "HOGA_TELEGRAM_TOKEN", "7000000001:REVOKEDTOKEN", "HOGA_TELEGRAM_API_URL", tg.URL,
		"HOGA_TELEGRAM_ALLOWED_USERS", "111",
		"HOGA_DATA_DIR", filepath.Join(t.TempDir(), "data"), "HOGA_LOG_LEVEL", "error",
	)
	ctx, cancel := context.WithTimeout(context.Background(), testGuard)
	defer cancel()
	stdin, closeStdin := io.Pipe()
	defer closeStdin.Close()
	var out, errOut bytes.Buffer
	err := run(ctx, nil, getenv, stdin, &out, &errOut)
	var msg bytes.Buffer
	if code := exitCode(err, &msg); code != 2 {
		t.Fatalf("exit %d (err %v); want 2", code, err)
	}
	// In the owner's language, Korean by default (issue 12, item 12).
	if !strings.Contains(msg.String(), "HOGA_TELEGRAM_TOKEN: 텔레그램이 봇 토큰을 거부했습니다") || !strings.Contains(msg.String(), "401") || strings.Contains(msg.String(), "REVOKEDTOKEN") {
		t.Errorf("message = %q", msg.String())
	}
}

// A rule with confirm: true asks in one message: why it fired and the
// prompt with its buttons (issue 19, item 11: they came as two).
func TestRuleAsksInOneMessage(t *testing.T) {
	t.Parallel()
	const owner = 111
	tg := telegramtest.Start(telegramtest.Config{Token: "7000000001:TESTTOKEN"})
	defer tg.Close()
	fake := brokertest.NewKIS(t, brokertest.KISFakeOptions{IssueGap: -1, RateLimit: -1, Stocks: kisStocks})
	fake.SetPrice("005930", 64_000)
	key, secret, account := fake.Credentials()
	dir := t.TempDir()
	rulesFile := filepath.Join(dir, "rules.yaml")
	rules := "rules:\n  - code: \"005930\"\n    buy_below: 65000\n    sell_above: 75000\n    qty: 1\n    confirm: true\n"
	if err := os.WriteFile(rulesFile, []byte(rules), 0o600); err != nil {
		t.Fatal(err)
	}
	getenv := env(
		"HOGA_BROKER", "kis", "HOGA_MODE", "mock",
		"HOGA_KIS_APP_KEY", key, "HOGA_KIS_APP_SECRET", secret, "HOGA_KIS_ACCOUNT", account,
		"HOGA_KIS_BASE_URL", fake.URL(), "HOGA_KIS_RPS", "200", "HOGA_MARKET_HOURS", "always",
		"HOGA_RULES_FILE", rulesFile, "HOGA_STRATEGY_INTERVAL", "100ms",
		"HOGA_TELEGRAM_TOKEN", "7000000001:TESTTOKEN", "HOGA_TELEGRAM_API_URL", tg.URL,
		"HOGA_TELEGRAM_ALLOWED_USERS", "111",
		"HOGA_DATA_DIR", filepath.Join(dir, "data"), "HOGA_LOG_LEVEL", "error",
	)
	wait, stopWait := context.WithTimeout(context.Background(), testGuard)
	defer stopWait()
	h := startHoga(t, nil, getenv)
	c, err := tg.WaitCall(wait, 0, func(c telegramtest.Call) bool {
		return c.OK() && c.Message != nil && c.Message.Chat.ID == owner && len(c.Message.Buttons()) == 2
	})
	if err != nil {
		t.Fatalf("no prompt: %v", err)
	}
	if !strings.Contains(c.Message.Text, "자동매매 삼성전자 (005930) 현재가 64,000원") || !strings.Contains(c.Message.Text, "주문 확인") {
		t.Errorf("the prompt does not say why the rule fired: %q", c.Message.Text)
	}
	for _, m := range tg.BotMessages(owner) {
		if strings.Contains(m.Text, "확인을 기다립니다") && len(m.Buttons()) == 0 {
			t.Errorf("the explanation came as a message of its own: %q", m.Text)
		}
	}
	h.stop()
}

// Issue 21, item 4, through the whole program: five /buy queued behind a
// broker that answers orders late, then /halt. The halt is answered while
// the first order still hangs, and the four queued orders are refused by
// the halted guard: exactly one order reaches the broker.
func TestHaltJumpsFiveSlowOrders(t *testing.T) {
	t.Parallel()
	const owner = 111
	tg := telegramtest.Start(telegramtest.Config{Token: "7000000001:TESTTOKEN"})
	defer tg.Close()
	kisClock := clock.NewFake(time.Now())
	fake := brokertest.NewKIS(t, brokertest.KISFakeOptions{IssueGap: -1, RateLimit: -1, Clock: kisClock, Stocks: kisStocks})
	fake.SetPrice("005930", 70_000)
	fake.Inject(brokertest.KISFault{Kind: brokertest.FaultDelay, Path: "/uapi/domestic-stock/v1/trading/order-cash", Delay: 2500 * time.Millisecond, Times: 5})
	key, secret, account := fake.Credentials()
	getenv := env(
		"HOGA_BROKER", "kis", "HOGA_MODE", "mock",
		"HOGA_KIS_APP_KEY", key, "HOGA_KIS_APP_SECRET", secret, "HOGA_KIS_ACCOUNT", account,
		"HOGA_KIS_BASE_URL", fake.URL(), "HOGA_KIS_RPS", "200", "HOGA_MARKET_HOURS", "always",
		"HOGA_TELEGRAM_TOKEN", "7000000001:TESTTOKEN", "HOGA_TELEGRAM_API_URL", tg.URL,
		// Five owners and an alert group, so the replies are not paced one a
		// second in one chat behind each other and the alerts.
		"HOGA_TELEGRAM_ALLOWED_USERS", "111,112,113,114,115", "HOGA_TELEGRAM_ALERT_CHAT", "-1001",
		"HOGA_ALERTS", "orders=off,strategy=off,errors=off,system=off",
		"HOGA_DATA_DIR", filepath.Join(t.TempDir(), "data"), "HOGA_LOG_LEVEL", "error",
	)
	wait, stopWait := context.WithTimeout(context.Background(), testGuard)
	defer stopWait()
	h := startHoga(t, nil, getenv)
	if err := tg.WaitPolling(wait); err != nil {
		t.Fatal(err)
	}
	mark := tg.CallCount()
	for i := range int64(5) {
		tg.Send(telegramtest.Incoming{From: owner + i, Text: "/buy 005930 1 70000"})
	}
	waitFor(t, "the first order at the broker", func() bool { return len(fake.Orders()) >= 1 })
	tg.Send(telegramtest.Incoming{From: owner, Text: "/halt"})
	sentTo := func(contains string) func(telegramtest.Call) bool {
		return func(c telegramtest.Call) bool {
			return c.OK() && c.Message != nil && c.Message.Chat.ID > 0 && strings.Contains(c.Message.Text, contains)
		}
	}
	if _, err := tg.WaitCall(wait, mark, sentTo("긴급 정지했습니다")); err != nil {
		t.Fatalf("/halt waited behind the slow order: %v", err)
	}
	// Let the slow order answer; the rest must be refused, not sent.
	refused := make(chan struct{})
	go func() {
		_, _ = tg.WaitCalls(wait, func(calls []telegramtest.Call) bool {
			n := 0
			for _, c := range calls[mark:] {
				if sentTo("긴급 정지 중이라 주문하지 않았습니다")(c) {
					n++
				}
			}
			return n == 4
		})
		close(refused)
	}()
	for kisClock.BlockUntil(1, refused) {
		kisClock.Advance(time.Second)
	}
	if wait.Err() != nil {
		t.Fatal("the four queued orders were not refused")
	}
	if n := len(fake.Orders()); n != 1 {
		t.Errorf("%d orders reached the broker after /halt; want only the one already in flight", n)
	}
	h.stop()
}
