package telegram_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/bot/telegramtest"
	"github.com/hoga-trade/hoga/broker"
)

// 76 orders: /orders shows one page, newest first, the header on every
// page, and ◀ ▶ 🔄 edit the same message; /orders open lists only the
// open ones (issue 19, item 14). /price and /balance have a refresh
// button that edits in place (item 13).
func TestOrdersArePagedAndRefreshInPlace(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{})
	base := time.Date(2026, 3, 10, 0, 30, 0, 0, time.UTC)
	for i := range 76 {
		st := broker.StatusFilled
		if i%4 == 0 {
			st = broker.StatusAccepted
		}
		h.brk.AddOrder(broker.Order{ID: "00000" + strconv.Itoa(10000+i), Code: "005930", Name: "삼성전자",
			Side: broker.Buy, Type: broker.Limit, Qty: int64(i + 1), Price: 70000, Status: st, FilledQty: int64(i + 1), AvgFillPrice: 70000,
			Time: base.Add(time.Duration(i) * time.Second), Source: "telegram", User: "111"})
	}
	mark := h.send(telegramtest.Incoming{From: owner, Text: "/orders"})
	first := h.wait(mark, "page 1", sent(owner, "오늘 주문 (76건) · 1/6쪽"))
	lines := strings.Split(first.Message.Text, "\n")
	if len(lines) != 16 || !strings.Contains(lines[1], "0000010075") || !strings.Contains(lines[15], "0000010061") {
		t.Fatalf("page 1 is not the 15 newest:\n%s", first.Message.Text)
	}
	labels := func(m telegramtest.Message) (out []string) {
		for _, b := range m.Buttons() {
			out = append(out, b.Text)
		}
		return out
	}
	if got := strings.Join(labels(*first.Message), " "); got != "🔄 새로고침 다음 ▶" {
		t.Errorf("page 1 buttons: %s", got)
	}
	id := first.Message.MessageID
	mark = h.srv.CallCount()
	if _, err := h.srv.PressButton(owner, owner, id, "다음 ▶"); err != nil {
		t.Fatal(err)
	}
	second := h.wait(mark, "page 2 in place", edited(owner, id, "오늘 주문 (76건) · 2/6쪽"))
	if !strings.Contains(second.Message.Text, "0000010060") || strings.Contains(second.Message.Text, "0000010061") {
		t.Errorf("page 2:\n%s", second.Message.Text)
	}
	if got := strings.Join(labels(*second.Message), " "); got != "◀ 이전 🔄 새로고침 다음 ▶" {
		t.Errorf("page 2 buttons: %s", got)
	}
	// Refreshing an unchanged page: Telegram says "not modified"; nothing breaks, nothing new is sent.
	mark = h.srv.CallCount()
	qid, err := h.srv.PressButton(owner, owner, id, "🔄 새로고침")
	if err != nil {
		t.Fatal(err)
	}
	h.wait(mark, "the refresh answered", answered(qid))
	h.barrier()
	if n := h.count(func(c telegramtest.Call) bool {
		return c.Is("sendMessage") && c.ChatID() == owner && strings.Contains(c.Params["text"], "오늘 주문")
	}); n != 1 {
		t.Errorf("%d order-list messages sent; paging must edit the one", n)
	}
	// Only the open ones.
	mark = h.send(telegramtest.Incoming{From: owner, Text: "/orders open"})
	open := h.wait(mark, "open orders", sent(owner, "오늘 미체결 주문 (19건) · 1/2쪽"))
	if strings.Contains(open.Message.Text, "— 체결") {
		t.Errorf("a filled order in /orders open:\n%s", open.Message.Text)
	}
	// /price refreshes in place.
	mark = h.send(telegramtest.Incoming{From: owner, Text: "/price 005930"})
	price := h.wait(mark, "price", sent(owner, "삼성전자"))
	mark = h.srv.CallCount()
	h.clk.Advance(time.Minute)
	if _, err := h.srv.PressButton(owner, owner, price.Message.MessageID, "🔄 새로고침"); err != nil {
		t.Fatal(err)
	}
	h.wait(mark, "price refreshed in place", edited(owner, price.Message.MessageID, "10:01:00 시세"))
	// By name too: the day-of-use trial found /price 삼성전자 had no button.
	mark = h.send(telegramtest.Incoming{From: owner, Text: "/price 삼성전자"})
	byName := h.wait(mark, "price by name", sent(owner, "삼성전자"))
	if got := strings.Join(labels(*byName.Message), " "); got != "🔄 새로고침" {
		t.Errorf("/price by name buttons: %q", got)
	}
	mark = h.send(telegramtest.Incoming{From: owner, Text: "/balance"})
	bal := h.wait(mark, "balance", sent(owner, "잔고"))
	if got := strings.Join(labels(*bal.Message), " "); got != "🔄 새로고침" {
		t.Errorf("balance buttons: %s", got)
	}
}
