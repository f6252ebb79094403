package telegram_test

import (
	"runtime"
	"strings"
	"testing"

	"github.com/hoga-trade/hoga/bot/telegram"
	"github.com/hoga-trade/hoga/bot/telegramtest"
)

// 2,000 strangers write to the bot, then the owner asks for a price, with
// Telegram's real sending limits on the fake clock. Strangers must not
// cost a goroutine each, and the owner's reply must not wait behind their
// refusals (issue 21, item 5: ~2,000 goroutines; 300 strangers delayed an
// owner reply by 9.1 s).
func TestStrangersCostNoGoroutinesAndDoNotDelayTheOwner(t *testing.T) {
	h := newHarness(t, options{allowed: []int64{owner}, limits: &telegram.Limits{}})
	base := runtime.NumGoroutine()
	const strangers = 2000
	for i := range strangers {
		h.srv.Send(telegramtest.Incoming{From: 1_000_000 + int64(i), Text: "/buy 005930 1"})
	}
	mark := h.send(telegramtest.Incoming{From: owner, Text: "/price 005930"})
	if err := h.srv.WaitDrained(h.ctx()); err != nil { // every update dispatched; the clock has not moved
		t.Fatal(err)
	}
	asked := h.clk.Now()
	reply := h.advanceUntil("the owner's reply", sent(owner, "삼성전자"))
	delay := reply.Message.Date - asked.Unix()
	grown := runtime.NumGoroutine() - base
	refusalsFirst := 0
	for _, c := range h.srv.Calls()[mark:] {
		if c.Seq >= reply.Seq {
			break
		}
		if c.Is("sendMessage") && c.OK() && strings.Contains(c.Message.Text, "권한이 없습니다") {
			refusalsFirst++
		}
	}
	t.Logf("goroutines grew by %d for %d strangers; the owner's reply went out %d s (Telegram's clock) after the question, after %d refusals", grown, strangers, delay, refusalsFirst)
	if grown > 50 {
		t.Errorf("goroutines grew by %d for %d strangers; want a bounded number", grown, strangers)
	}
	if delay > 3 { // the clock moves a second at a time while the quote runs
		t.Errorf("the owner's reply waited %d s behind %d refusals", delay, refusalsFirst)
	}
	if _, placed := h.brk.counts(); len(placed) != 0 {
		t.Errorf("a stranger's order reached the broker")
	}
}
