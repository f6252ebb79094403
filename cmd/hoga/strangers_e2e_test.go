package main

import (
	"context"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/bot/telegramtest"
)

// Issue 21, item 5, through the whole program: 2,000 strangers write to
// the bot (each asking to buy), then the owner asks for a price. No
// stranger's order is journaled, they do not cost a goroutine each, and
// the owner's reply does not wait behind their refusals. Not parallel, so
// the goroutine count is hoga's alone. (bot/telegram's
// TestStrangersCostNoGoroutinesAndDoNotDelayTheOwner holds the adapter on
// a fake clock; this one holds the wiring: run() on the paper broker.)
func TestTwoThousandStrangersThroughRun(t *testing.T) {
	const owner = 111
	tg := telegramtest.Start(telegramtest.Config{Token: "7000000001:TESTTOKEN"})
	defer tg.Close()
	dir := t.TempDir()
	getenv := env(
		"HOGA_TELEGRAM_TOKEN", "7000000001:TESTTOKEN", "HOGA_TELEGRAM_API_URL", tg.URL,
		"HOGA_TELEGRAM_ALLOWED_USERS", "111", "HOGA_PAPER_SEED", "7",
		"HOGA_DATA_DIR", filepath.Join(dir, "data"), "HOGA_LOG_LEVEL", "error",
	)
	wait, stopWait := context.WithTimeout(context.Background(), testGuard)
	defer stopWait()
	h := startHoga(t, nil, getenv)
	a := h.app
	if err := tg.WaitPolling(wait); err != nil {
		t.Fatal(err)
	}
	base := runtime.NumGoroutine()
	const strangers = 2000
	for i := range int64(strangers) {
		tg.Send(telegramtest.Incoming{From: 1_000_000 + i, Text: "/buy 005930 1"})
	}
	mark := tg.CallCount()
	tg.Send(telegramtest.Incoming{From: owner, Text: "/price 005930"})
	reply, err := tg.WaitCall(wait, mark, func(c telegramtest.Call) bool {
		return c.OK() && c.Message != nil && c.Message.Chat.ID == owner && strings.Contains(c.Message.Text, "삼성전자")
	})
	if err != nil {
		t.Fatalf("no reply to the owner: %v", err)
	}
	if err := tg.WaitDrained(wait); err != nil {
		t.Fatal(err)
	}
	grown := runtime.NumGoroutine() - base
	refusalsFirst := 0
	for _, c := range tg.Calls()[mark:] {
		if c.Seq >= reply.Seq {
			break
		}
		if c.Is("sendMessage") && c.OK() && c.Message != nil && c.Message.Chat.ID != owner {
			refusalsFirst++
		}
	}
	rows, err := a.db.OrdersOn(context.Background(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("goroutines grew by %d for %d strangers; %d stranger messages went out before the owner's reply", grown, strangers, refusalsFirst)
	if len(rows) != 0 {
		t.Errorf("%d orders journaled; a stranger's order got through", len(rows))
	}
	if grown > 100 {
		t.Errorf("goroutines grew by %d for %d strangers; want a bounded number", grown, strangers)
	}
	if refusalsFirst > 30 { // at most one second of Telegram's 30 messages/s
		t.Errorf("%d refusals went out before the owner's reply", refusalsFirst)
	}
	h.stop()
}
