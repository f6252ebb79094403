package telegram_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/bot/telegram"
	"github.com/hoga-trade/hoga/bot/telegramtest"
)

// advanceUntil moves the fake clock a second at a time, whenever the bot
// waits on it, until match sees a call.
func (h *harness) advanceUntil(what string, match func(telegramtest.Call) bool) telegramtest.Call {
	h.t.Helper()
	ctx := h.ctx()
	found := make(chan telegramtest.Call, 1)
	done := make(chan struct{})
	go func() {
		c, err := h.srv.WaitCall(ctx, 0, match)
		if err == nil {
			found <- c
		}
		close(done)
	}()
	for h.clk.BlockUntil(1, done) {
		h.clk.Advance(time.Second)
	}
	select {
	case c := <-found:
		return c
	default:
		h.t.Fatalf("%s: never sent\ncalls:\n%s", what, h.dump())
		return telegramtest.Call{}
	}
}

// Telegram allows 20 messages a minute in a group, counted in any minute:
// a burst on top of the rate drew 429s (issue 19, item 2). The fake
// answers 429 past 20 in 60 s, as Telegram does.
func TestGroupLimitHoldsInEveryMinute(t *testing.T) {
	t.Parallel()
	const group = int64(-1004000000001)
	h := newHarness(t, options{alertChat: group, limits: &telegram.Limits{}})
	const n = 45
	for i := 1; i <= n; i++ {
		if err := h.tb.SendAlert(context.Background(), bot.Alert{Text: fmt.Sprintf("A%02d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	h.advanceUntil("the last alert", sent(group, fmt.Sprintf("A%02d", n)))
	var dates []int64
	for _, c := range h.srv.Calls() {
		if c.Is("sendMessage") && c.ChatID() == group {
			if c.Status == 429 {
				t.Errorf("Telegram refused a message to the group: %s", c.Description)
			} else if c.OK() {
				dates = append(dates, c.Message.Date)
			}
		}
	}
	if len(dates) != n {
		t.Fatalf("%d messages delivered, want %d", len(dates), n)
	}
	for i := range dates {
		in := 0
		for _, d := range dates[i:] {
			if d-dates[i] < 60 {
				in++
			}
		}
		if in > 20 {
			t.Fatalf("%d messages in the minute from %d", in, dates[i])
		}
	}
}
