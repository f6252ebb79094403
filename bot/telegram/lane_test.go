package telegram_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/bot/telegramtest"
	"github.com/hoga-trade/hoga/broker"
)

// /halt is the kill switch: it must not wait behind orders queued on the
// lane, and the orders queued before it are refused (issue 21, item 4).
func TestHaltJumpsTheQueue(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{kill: true})
	gate := make(chan struct{})
	h.brk.mu.Lock()
	h.brk.gate, h.brk.entered = gate, make(chan struct{}, 10)
	h.brk.mu.Unlock()
	mark := h.srv.CallCount()
	for range 5 {
		h.srv.Send(telegramtest.Incoming{From: owner, Text: "/buy 005930 1 70000"})
	}
	select { // the first order is at the (slow) broker
	case <-h.brk.entered:
	case <-h.ctx().Done():
		t.Fatal("no order reached the broker")
	}
	h.srv.Send(telegramtest.Incoming{From: owner, Text: "/halt"})
	// The halt is answered while the first order still hangs at the broker.
	h.wait(mark, "halt reply before the slow order returns", sent(owner, "긴급 정지했습니다"))
	close(gate)
	_, err := h.srv.WaitCalls(h.ctx(), func(calls []telegramtest.Call) bool {
		n := 0
		for _, c := range calls[mark:] {
			if sent(owner, "긴급 정지 중이라 주문하지 않았습니다")(c) {
				n++
			}
		}
		return n == 4
	})
	if err != nil {
		t.Fatalf("the queued orders were not refused: %v\n%s", err, h.dump())
	}
	if _, placed := h.brk.counts(); len(placed) != 1 {
		t.Fatalf("%d orders reached the broker after /halt; want only the one already in flight", len(placed))
	}
}

// A message dated more than a minute ahead of hoga's clock cannot come from
// Telegram: an order command in it is refused and logged, reads still run
// (issue 20, item 6).
func TestFutureDatedOrderCommandsRefused(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{kill: true})
	for _, text := range []string{"/halt", "/buy 005930 1 70000", "/rule del 005930"} {
		mark := h.send(telegramtest.Incoming{From: owner, Text: text, Date: h.clk.Now().Add(24 * time.Hour)})
		h.wait(mark, "refusal of "+text, sent(owner, "1일 앞서 있습니다"))
	}
	if on, _, _ := h.brk.kill.Halted(); on {
		t.Error("a future-dated /halt was executed")
	}
	if _, placed := h.brk.counts(); len(placed) != 0 {
		t.Errorf("a future-dated /buy reached the broker: %v", placed)
	}
	if !strings.Contains(h.logs.String(), "dated in the future") {
		t.Errorf("the refusal was not logged:\n%s", h.logs.String())
	}
	// Within a minute is clock noise; a read is harmless either way.
	mark := h.send(telegramtest.Incoming{From: owner, Text: "/buy 005930 1 70000", Date: h.clk.Now().Add(30 * time.Second)})
	h.wait(mark, "a slightly early order runs", sent(owner, "주문 접수"))
	mark = h.send(telegramtest.Incoming{From: owner, Text: "/price 005930", Date: h.clk.Now().Add(time.Hour)})
	h.wait(mark, "a future-dated read runs", sent(owner, "삼성전자"))
}

// A question sent during an outage is answered with current data and says
// it was old; only what acts is refused (issue 19, item 10).
func TestOldQuestionsAreAnswered(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{})
	for _, text := range []string{"/price 005930", "/orders", "/balance"} {
		mark := h.send(telegramtest.Incoming{From: owner, Text: text, Date: h.clk.Now().Add(-5 * time.Minute)})
		c := h.wait(mark, "answer to an old "+text, sent(owner, "5분 전에 보낸 질문입니다"))
		if text == "/price 005930" && !strings.Contains(c.Message.Text, "70,000") {
			t.Errorf("old /price not answered with the quote: %q", c.Message.Text)
		}
	}
	mark := h.send(telegramtest.Incoming{From: owner, Text: "/sell 005930 1", Date: h.clk.Now().Add(-5 * time.Minute)})
	h.wait(mark, "old /sell refused", sent(owner, "실행하지 않았습니다"))
	if _, placed := h.brk.counts(); len(placed) != 0 {
		t.Errorf("an old /sell reached the broker")
	}
}

// A prompt that could only be delivered after it expired (here, behind a
// 429 with a minute's retry_after) is not sent as a live one: it arrives
// without buttons, saying it expired (issue 19, item 11).
func TestLatePromptIsNotSentLive(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{mode: "live"})
	h.srv.TooManyRequests(1, 60)
	mark := h.send(telegramtest.Incoming{From: owner, Text: "/buy 005930 10 70000"})
	h.wait(mark, "the 429", func(c telegramtest.Call) bool { return c.Is("sendMessage") && c.Status == 429 })
	c := h.advanceUntil("the prompt after retry_after", sent(owner, "실전 주문 확인"))
	if len(c.Message.Buttons()) != 0 || !strings.Contains(c.Message.Text, "확인 시간이 지났습니다") {
		t.Errorf("a prompt delivered after it expired: buttons %v, text %q", c.Message.Buttons(), c.Message.Text)
	}
}

// While a broker call is slow, the chat shows "typing…" after a second;
// /price says when the quote is from and what the market is doing
// (issue 19, item 12).
func TestSlowReplyShowsTypingAndPriceSaysWhen(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{calendar: true})
	gate := make(chan struct{})
	h.brk.mu.Lock()
	h.brk.quoteGate, h.brk.quoteIn = gate, make(chan struct{}, 1)
	h.brk.mu.Unlock()
	mark := h.send(telegramtest.Incoming{From: owner, Text: "/price 005930"})
	select {
	case <-h.brk.quoteIn:
	case <-h.ctx().Done():
		t.Fatal("the quote never started")
	}
	if h.count(func(c telegramtest.Call) bool { return c.Is("sendChatAction") }) != 0 {
		t.Fatal("typing shown before a second had passed")
	}
	if !h.clk.BlockUntil(1, h.ctx().Done()) {
		t.Fatal("nothing waits on the clock while the quote hangs")
	}
	h.clk.Advance(time.Second)
	c := h.wait(mark, "typing after a second", func(c telegramtest.Call) bool { return c.Is("sendChatAction") && c.OK() })
	if c.ChatID() != owner || c.Params["action"] != "typing" {
		t.Errorf("chat action %v", c.Params)
	}
	close(gate)
	r := h.wait(mark, "the price", sent(owner, "삼성전자"))
	// 10:00:01 KST on a Tuesday: the regular session.
	if !strings.Contains(r.Message.Text, "⏱ 10:00:01 시세 · 장중") {
		t.Errorf("price reply without its time and market state: %q", r.Message.Text)
	}
}

// With no alert chat, a rule's confirmation prompt goes to every owner's
// private chat. Once one owner answers it, the other copies take the
// outcome and lose their buttons at once: they used to stay live-looking
// until pressed or expired, inviting a second press (issue 19, item 11).
func TestPromptCopiesCloseWhenOneIsAnswered(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		button, want string
		orders       int
	}{
		{"확인", "주문 접수", 1},
		{"주문 안 함", "증권사에 아무것도 보내지 않았습니다", 0},
	} {
		t.Run(tc.button, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, options{mode: "live"})
			ask := h.router.AskConfirm(h.ctx(), broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 2, Price: 70000, Source: "strategy"}, "")
			mark := h.srv.CallCount()
			if err := h.tb.SendAlert(h.ctx(), bot.Alert{Type: bot.AlertConfirm, Text: ask.Text, Buttons: ask.Buttons, Expires: ask.Expires}); err != nil {
				t.Fatal(err)
			}
			withButtons := func(chat int64) func(telegramtest.Call) bool {
				return func(c telegramtest.Call) bool {
					return c.Is("sendMessage") && c.OK() && c.ChatID() == chat && len(c.Message.Buttons()) == 2
				}
			}
			mine := h.wait(mark, "the owner's copy", withButtons(owner)).Message
			theirs := h.wait(mark, "the other owner's copy", withButtons(other)).Message
			mark = h.srv.CallCount()
			if _, err := h.srv.PressButton(owner, owner, mine.MessageID, tc.button); err != nil {
				t.Fatal(err)
			}
			h.wait(mark, "the pressed prompt edited", edited(owner, mine.MessageID, tc.want))
			h.wait(mark, "the other copy closed", edited(other, theirs.MessageID, tc.want))
			if got, _ := h.srv.Message(other, theirs.MessageID); len(got.Buttons()) != 0 {
				t.Errorf("the other copy still has buttons: %+v", got)
			}
			if _, placed := h.brk.counts(); len(placed) != tc.orders {
				t.Errorf("%d orders, want %d", len(placed), tc.orders)
			}
		})
	}
}
