package main

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/hoga-trade/hoga/bot/telegramtest"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/store"
)

// Issue 20, item 3, through run(): the journal (the database, its WAL and
// shared memory) removed while hoga runs. Before the fix orders kept going
// to the broker with their rows written to a file no one could open, and a
// restart found broker orders with no row. Now the next /buy is refused,
// no order reaches the fake broker, trading halts, and the owner's phone is
// told what happened and where the saved copy is.
func TestJournalRemovedWhileRunningRefusesAndAlerts(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("an open SQLite file cannot be removed on Windows")
	}
	t.Parallel()
	tg := telegramtest.Start(telegramtest.Config{Token: "7000000001:TESTTOKEN"})
	defer tg.Close()
	fake := brokertest.NewKIS(t, brokertest.KISFakeOptions{IssueGap: -1, RateLimit: -1, Stocks: kisStocks})
	fake.SetPrice("005930", 70_000)
	key, secret, account := fake.Credentials()
	dir := filepath.Join(t.TempDir(), "data")
	getenv := env(
		"HOGA_BROKER", "kis", "HOGA_MODE", "mock",
		"HOGA_KIS_APP_KEY", key, "HOGA_KIS_APP_SECRET", secret, "HOGA_KIS_ACCOUNT", account,
		"HOGA_KIS_BASE_URL", fake.URL(), "HOGA_KIS_RPS", "200", "HOGA_MARKET_HOURS", "always",
		"HOGA_TELEGRAM_TOKEN", "7000000001:TESTTOKEN", "HOGA_TELEGRAM_API_URL", tg.URL,
		"HOGA_TELEGRAM_ALLOWED_USERS", "111",
		"HOGA_DATA_DIR", dir, "HOGA_LOG_LEVEL", "error",
	)
	wait, stopWait := context.WithTimeout(context.Background(), testGuard)
	defer stopWait()
	h := startHoga(t, nil, getenv)
	out := &h.out
	if err := tg.WaitPolling(wait); err != nil {
		t.Fatal(err)
	}

	h.send("/buy 005930 1 70000")
	waitFor(t, "the first order placed", func() bool { return strings.Contains(out.String(), "매수 주문 접수") })
	if n := len(fake.Orders()); n != 1 {
		t.Fatalf("%d orders at the broker after the first /buy; want 1", n)
	}

	path := filepath.Join(dir, store.FileName)
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	mark := tg.CallCount()
	h.send("/buy 005930 2 70000")
	waitFor(t, "the refusal", func() bool { return strings.Contains(out.String(), "삭제되거나 다른 파일로 바뀌어") })
	alert, err := tg.WaitCall(wait, mark, func(c telegramtest.Call) bool {
		return c.OK() && c.Message != nil && c.Message.Chat.ID == 111 && strings.Contains(c.Message.Text, "주문 기록 파일")
	})
	if err != nil {
		t.Fatalf("the owner was not alerted: %v\n%s", err, out.String())
	}
	if !strings.Contains(alert.Message.Text, path+".saved-") || !strings.Contains(alert.Message.Text, "옮긴 뒤 다시 시작") {
		t.Errorf("the alert does not say where the copy is and what to do:\n%s", alert.Message.Text)
	}
	if n := len(fake.Orders()); n != 1 {
		t.Fatalf("%d orders at the broker; the order after the loss reached it", n)
	}
	h.send("/status")
	waitFor(t, "/status says halted", func() bool { return strings.Contains(out.String(), "⛔ 정지") })
	h.stop()
}
