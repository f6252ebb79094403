package telegram_test

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

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
	// 2,000 updates under -race on a busy machine can take longer than the
	// harness's usual 5 s wait; the deadline only stops a hung test, it
	// measures nothing.
	drained, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := h.srv.WaitDrained(drained); err != nil { // every update dispatched; the clock has not moved
		t.Fatal(err)
	}
	// The clock stands still: the owner's reply needs no wait of its own,
	// whatever the refusals queued ahead of it.
	reply := h.wait(mark, "the owner's reply without the clock moving", sent(owner, "삼성전자"))
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
	t.Logf("goroutines grew by %d for %d strangers; the owner's reply went out with the clock standing still, after %d refusals", grown, strangers, refusalsFirst)
	if grown > 50 {
		t.Errorf("goroutines grew by %d for %d strangers; want a bounded number", grown, strangers)
	}
	if refusalsFirst > 3 { // the refusals' own burst
		t.Errorf("%d refusals went out before the owner's reply", refusalsFirst)
	}
	if _, placed := h.brk.counts(); len(placed) != 0 {
		t.Errorf("a stranger's order reached the broker")
	}
}
