package telegram_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"golang.org/x/time/rate"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/bot/telegram"
	"github.com/hoga-trade/hoga/bot/telegramtest"
	"github.com/hoga-trade/hoga/broker"
)

func TestStartup(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{beforeRun: func(s *telegramtest.Server) { s.SetWebhook("https://old.example/hook") }})
	calls := h.srv.Calls()
	order := map[string]int{}
	for _, c := range calls {
		if _, seen := order[c.Method]; !seen {
			order[c.Method] = c.Seq
		}
	}
	// A webhook was set: polling works only because deleteWebhook came first.
	if !(order["getMe"] < order["deleteWebhook"] && order["deleteWebhook"] < order["setMyCommands"]) {
		t.Errorf("startup order: %v", order)
	}
	if n := h.count(func(c telegramtest.Call) bool { return c.Status == 409 }); n != 0 {
		t.Errorf("%d getUpdates refused while a webhook was set", n)
	}
	if !strings.Contains(h.logs.String(), "bot=@hoga_bot") {
		t.Errorf("connected log missing:\n%s", h.logs.String())
	}
}

// The full menu only in the allowed users' private chats (and for them in
// the alert group), read-only for the alert group's other members, none
// for anyone else; each in the client's language, the default one in
// hoga's (issue 19, item 3). A user whose chat did not exist at start
// gets the menu at their first message.
func TestCommandMenusByScopeAndLanguage(t *testing.T) {
	t.Parallel()
	const group = int64(-1004000000003)
	for _, lang := range []bot.Lang{bot.Korean, bot.English} {
		t.Run(string(lang), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, options{alertChat: group, lang: lang, beforeRun: func(s *telegramtest.Server) {
				s.AddChat(telegramtest.Chat{ID: owner, Type: "private"})
				s.AddChat(telegramtest.Chat{ID: group, Type: "supergroup"})
			}})
			names := func(cmds []telegramtest.BotCommand) string {
				var out []string
				for _, c := range cmds {
					out = append(out, c.Command)
				}
				return strings.Join(out, " ")
			}
			full := "help price chart buy sell cancel orders balance rules rule stop take trail exits profit daily performance halt resume status"
			read := "help price chart orders balance rules exits profit daily performance status"
			for _, tt := range []struct {
				what       string
				chat, user int64
				client     string
				want       string
			}{
				{"owner, private", owner, owner, "", full},
				{"owner, private, en client", owner, owner, "en", full},
				{"stranger, private", stranger, stranger, "ko", ""},
				{"stranger, private, no language", stranger, stranger, "", ""},
				{"owner in the alert group", group, owner, "ko", full},
				{"stranger in the alert group", group, stranger, "ko", read},
				{"owner in another group", -555, owner, "ko", ""},
			} {
				if got := names(h.srv.MenuFor(tt.chat, tt.user, tt.client)); got != tt.want {
					t.Errorf("%s: menu %q, want %q", tt.what, got, tt.want)
				}
			}
			def, en, ko := h.srv.MenuFor(owner, owner, "fr"), h.srv.MenuFor(owner, owner, "en"), h.srv.MenuFor(owner, owner, "ko")
			wantDefault := "현재가"
			if lang == bot.English {
				wantDefault = "Current price"
			}
			if !strings.Contains(def[1].Description, wantDefault) || !strings.Contains(en[1].Description, "Current price") || !strings.Contains(ko[1].Description, "현재가") {
				t.Errorf("descriptions: default %q, en %q, ko %q", def[1].Description, en[1].Description, ko[1].Description)
			}
			// The other allowed user's chat did not exist at start: their
			// first message brings their menu.
			if got := h.srv.MenuFor(other, other, "ko"); len(got) != 0 {
				t.Fatalf("menu for a chat that did not exist: %v", got)
			}
			mark := h.send(telegramtest.Incoming{From: other, Text: "/help"})
			h.wait(mark, "the menu at the first message", func(c telegramtest.Call) bool {
				return c.Is("setMyCommands") && c.OK() && strings.Contains(c.Params["scope"], "222") && c.Params["language_code"] == "en"
			})
			if got := names(h.srv.MenuFor(other, other, "ko")); got != full {
				t.Errorf("other user's menu after a message: %q", got)
			}
		})
	}
}

func TestPrice(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{})
	mark := h.send(telegramtest.Incoming{From: owner, Text: "/price 005930"})
	c := h.wait(mark, "price reply", sent(owner, "삼성전자"))
	if !strings.Contains(c.Message.Text, "70,000원") || c.Params["parse_mode"] != "HTML" || !strings.Contains(c.Message.HTML, "<b>") {
		t.Errorf("price reply: parse_mode=%q html=%q", c.Params["parse_mode"], c.Message.HTML)
	}
	if c.Params["link_preview_options"] == "" {
		t.Error("link previews not disabled")
	}
}

func TestGroupCommandForms(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{})
	group := int64(-1001234567890)
	h.send(telegramtest.Incoming{From: owner, Chat: group, Text: "/price@other_bot 005930"})
	h.send(telegramtest.Incoming{From: owner, Chat: group, Text: "good morning everyone"})
	mark := h.send(telegramtest.Incoming{From: owner, Chat: group, Text: "/price@hoga_bot 005930"})
	h.wait(mark, "reply to /price@hoga_bot", sent(group, "삼성전자"))
	mark = h.send(telegramtest.Incoming{From: owner, Chat: group, Text: "/PRICE@Hoga_Bot 005930", Thread: 77})
	c := h.wait(mark, "reply to /PRICE@Hoga_Bot in a topic", sent(group, "삼성전자"))
	if c.Params["message_thread_id"] != "77" {
		t.Errorf("reply in a forum topic went to thread %q, want 77", c.Params["message_thread_id"])
	}
	if n := len(h.srv.BotMessages(group)); n != 2 {
		t.Errorf("%d bot messages in the group, want 2 (other bots' commands and chatter ignored)", n)
	}
	if q, _ := h.brk.counts(); q != 2 {
		t.Errorf("%d quotes, want 2", q)
	}
}

func TestStaleCommand(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{})
	mark := h.send(telegramtest.Incoming{From: owner, Text: "/buy 005930 1", Date: h.clk.Now().Add(-2 * time.Minute)})
	h.wait(mark, "stale reply", sent(owner, "실행하지 않았습니다"))
	if q, placed := h.brk.counts(); q != 0 || len(placed) != 0 {
		t.Errorf("stale command reached the broker: %d quotes, %d orders", q, len(placed))
	}
}

func TestRefusedSenders(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		in     telegramtest.Incoming
		chat   int64  // where the refusal goes
		id     string // the id it names
		reason string
	}{
		{"unauthorized_user", telegramtest.Incoming{From: stranger, Text: "/price 005930"}, stranger, "999", "not on the allowed list"},
		{"anonymous_admin", telegramtest.Incoming{Chat: -1005000000000, SenderChat: -1005000000000, Text: "/buy 005930 1"},
			-1005000000000, "-1005000000000", "on behalf of a chat"},
		{"sender_chat_with_allowed_from", telegramtest.Incoming{From: owner, Chat: -1005010000000, SenderChat: -1007770000000, Text: "/buy 005930 1"},
			-1005010000000, "-1007770000000", "on behalf of a chat"},
		{"channel_post", telegramtest.Incoming{Chat: -1006000000000, Channel: true, Text: "/price 005930"},
			-1006000000000, "-1006000000000", "channel post"},
		{"bot_with_allowed_id", telegramtest.Incoming{From: owner, IsBot: true, Text: "/price 005930"}, owner, "111", "is a bot"},
		{"unauthorized_plain_text", telegramtest.Incoming{From: stranger, Text: "hello 005930"}, stranger, "999", "not on the allowed list"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, options{})
			mark := h.send(tc.in)
			c := h.wait(mark, "refusal", sent(tc.chat, "권한이 없습니다"))
			if !strings.Contains(c.Message.Text, tc.id) {
				t.Errorf("refusal does not name %s: %q", tc.id, c.Message.Text)
			}
			h.barrier()
			if n := len(h.srv.BotMessages(tc.chat)); tc.chat != owner && n != 1 {
				t.Errorf("%d messages to chat %d, want exactly the refusal", n, tc.chat)
			}
			if q, placed := h.brk.counts(); q != 0 || len(placed) != 0 {
				t.Errorf("a refused sender reached the broker: %d quotes, %d orders", q, len(placed))
			}
			logs := h.logs.String()
			if !strings.Contains(logs, "refused a message") || !strings.Contains(logs, "user="+tc.id) || !strings.Contains(logs, tc.reason) {
				t.Errorf("refusal not logged with user and reason:\n%s", logs)
			}
			if strings.Contains(logs, "005930") {
				t.Errorf("the log carries message text beyond the command word:\n%s", logs)
			}
		})
	}
}

func TestRefusalRepliesAreThrottled(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{})
	mark := h.send(telegramtest.Incoming{From: stranger, Text: "/price 005930"})
	h.wait(mark, "first refusal", sent(stranger, "권한이 없습니다"))
	h.send(telegramtest.Incoming{From: stranger, Text: "/buy 005930 1"})
	h.barrier()
	if n := len(h.srv.BotMessages(stranger)); n != 1 {
		t.Errorf("%d refusals within a minute, want 1", n)
	}
	if n := strings.Count(h.logs.String(), "refused a message"); n != 2 {
		t.Errorf("%d refusals logged, want 2", n)
	}
	h.clk.Advance(2 * time.Minute)
	mark = h.send(telegramtest.Incoming{From: stranger, Text: "/price 005930"})
	h.wait(mark, "refusal after the interval", sent(stranger, "권한이 없습니다"))
}

func TestLiveBuyConfirm(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{mode: "live"})
	prompt, call := h.prompt(owner)
	// The wire: our own keyboard, no copy_text, callback data within 64 bytes.
	raw := call.Params["reply_markup"]
	if strings.Contains(raw, "copy_text") {
		t.Errorf("reply_markup carries copy_text: %s", raw)
	}
	var kb struct {
		InlineKeyboard [][]map[string]string `json:"inline_keyboard"`
	}
	if err := json.Unmarshal([]byte(raw), &kb); err != nil || len(kb.InlineKeyboard) != 1 || len(kb.InlineKeyboard[0]) != 2 {
		t.Fatalf("reply_markup = %s (%v)", raw, err)
	}
	for _, b := range kb.InlineKeyboard[0] {
		if d := b["callback_data"]; len(d) > 64 || !(strings.HasPrefix(d, "ok:") || strings.HasPrefix(d, "no:")) {
			t.Errorf("callback data %q", d)
		}
	}
	if !strings.Contains(prompt.Text, "실전 주문 확인") {
		t.Errorf("prompt text %q", prompt.Text)
	}

	// When the order reaches the broker, the prompt must already have lost
	// its buttons and say it is sending, and the press must be answered.
	var seen struct {
		sync.Mutex
		buttons  int
		text     string
		answered bool
	}
	h.brk.mu.Lock()
	h.brk.onPlace = func(broker.OrderRequest) {
		m, _ := h.srv.Message(owner, prompt.MessageID)
		seen.Lock()
		defer seen.Unlock()
		seen.buttons, seen.text = len(m.Buttons()), m.Text
		seen.answered = h.count(func(c telegramtest.Call) bool { return c.Is("answerCallbackQuery") && c.OK() }) == 1
	}
	h.brk.mu.Unlock()
	mark := h.srv.CallCount()
	qid, err := h.srv.PressButton(owner, owner, prompt.MessageID, "확인")
	if err != nil {
		t.Fatal(err)
	}
	h.wait(mark, "result edited into the prompt", edited(owner, prompt.MessageID, "주문 접수"))
	seen.Lock()
	if seen.buttons != 0 || !strings.Contains(seen.text, "주문 전송 중") || !seen.answered {
		t.Errorf("at PlaceOrder the prompt had %d buttons, text %q, answered=%v; want 0, sending…, true", seen.buttons, seen.text, seen.answered)
	}
	seen.Unlock()
	if _, placed := h.brk.counts(); len(placed) != 1 || placed[0].Qty != 10 || placed[0].Price != 70000 || placed[0].User != "111" ||
		placed[0].Source != "telegram" {
		t.Errorf("orders = %+v, want one 10 @ 70000 by telegram:111", placed)
	}
	if got, _ := h.srv.Message(owner, prompt.MessageID); got.ReplyMarkup != nil || !strings.Contains(got.Text, "주문번호") {
		t.Errorf("prompt after the order: %+v", got)
	}
	if u := h.srv.Unanswered(); len(u) != 0 {
		t.Errorf("unanswered callback queries: %v", u)
	}
	if c := h.wait(0, "answer", answered(qid)); c.Params["text"] != "" {
		t.Errorf("accepted press answered with %q", c.Params["text"])
	}
}

func TestPressRefusals(t *testing.T) {
	t.Parallel()
	t.Run("another_users_press", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, options{mode: "live"})
		prompt, _ := h.prompt(owner)
		mark := h.srv.CallCount()
		qid, err := h.srv.PressButton(other, owner, prompt.MessageID, "확인")
		if err != nil {
			t.Fatal(err)
		}
		c := h.wait(mark, "answer to another user's press", answered(qid))
		if !strings.Contains(c.Params["text"], "주문한 사람만") || c.Params["show_alert"] != "true" {
			t.Errorf("answer = %v", c.Params)
		}
		if m, _ := h.srv.Message(owner, prompt.MessageID); len(m.Buttons()) != 2 {
			t.Errorf("the requester's buttons were taken away: %+v", m)
		}
		if _, placed := h.brk.counts(); len(placed) != 0 {
			t.Fatalf("another user's press placed %d orders", len(placed))
		}
		// The requester still can.
		mark = h.srv.CallCount()
		if _, err := h.srv.PressButton(owner, owner, prompt.MessageID, "확인"); err != nil {
			t.Fatal(err)
		}
		h.wait(mark, "result", edited(owner, prompt.MessageID, "주문 접수"))
		if _, placed := h.brk.counts(); len(placed) != 1 {
			t.Errorf("%d orders, want 1", len(placed))
		}
	})
	t.Run("second_press", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, options{mode: "live"})
		prompt, _ := h.prompt(owner)
		data := prompt.Buttons()[0].CallbackData
		mark := h.srv.CallCount()
		if _, err := h.srv.Press(owner, owner, prompt.MessageID, data); err != nil {
			t.Fatal(err)
		}
		// A double tap: the second press was made before the buttons went.
		qid, err := h.srv.Press(owner, owner, prompt.MessageID, data)
		if err != nil {
			t.Fatal(err)
		}
		c := h.wait(mark, "answer to the second press", answered(qid))
		if !strings.Contains(c.Params["text"], "이미 사용") {
			t.Errorf("second press answered %q", c.Params["text"])
		}
		h.wait(mark, "result", edited(owner, prompt.MessageID, "주문 접수"))
		if _, placed := h.brk.counts(); len(placed) != 1 {
			t.Errorf("%d orders after two presses, want 1", len(placed))
		}
		if u := h.srv.Unanswered(); len(u) != 0 {
			t.Errorf("unanswered: %v", u)
		}
	})
	t.Run("late_press", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, options{mode: "live"})
		prompt, _ := h.prompt(owner)
		data := prompt.Buttons()[0].CallbackData
		mark := h.srv.CallCount()
		h.clk.Advance(61 * time.Second)
		// The prompt says at once that it expired and loses its buttons
		// (issue 19, item 11), without waiting for a press.
		h.wait(mark, "the expired prompt edited", edited(owner, prompt.MessageID, "확인 시간이 지났습니다"))
		if m, _ := h.srv.Message(owner, prompt.MessageID); m.ReplyMarkup != nil || !strings.Contains(m.Text, "실전 주문 확인") {
			t.Errorf("prompt after it expired: %+v", m)
		}
		// A phone that still showed the old keyboard presses it anyway.
		mark = h.srv.CallCount()
		qid, err := h.srv.Press(owner, owner, prompt.MessageID, data)
		if err != nil {
			t.Fatal(err)
		}
		c := h.wait(mark, "answer to a late press", answered(qid))
		if !strings.Contains(c.Params["text"], "만료") || c.Params["show_alert"] != "true" {
			t.Errorf("late press answered %v", c.Params)
		}
		if _, placed := h.brk.counts(); len(placed) != 0 {
			t.Errorf("a late press placed %d orders", len(placed))
		}
	})
	t.Run("forged_data", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, options{mode: "live"})
		prompt, _ := h.prompt(owner)
		mark := h.srv.CallCount()
		qid, err := h.srv.Press(owner, owner, prompt.MessageID, "ok:AAAAAAAAAAAAAAAA")
		if err != nil {
			t.Fatal(err)
		}
		c := h.wait(mark, "answer to forged data", answered(qid))
		if !strings.Contains(c.Params["text"], "만료") {
			t.Errorf("forged press answered %q", c.Params["text"])
		}
		for _, data := range []string{"garbage", "ok:", strings.Repeat("x", 64)} {
			q, _ := h.srv.Press(owner, owner, prompt.MessageID, data)
			h.wait(mark, "answer to "+data, answered(q))
		}
		if _, placed := h.brk.counts(); len(placed) != 0 {
			t.Fatalf("forged data placed %d orders", len(placed))
		}
		// The real prompt keeps working, and its buttons were never touched.
		mark = h.srv.CallCount()
		if _, err := h.srv.PressButton(owner, owner, prompt.MessageID, "확인"); err != nil {
			t.Fatalf("real buttons gone after a forged press: %v", err)
		}
		h.wait(mark, "result", edited(owner, prompt.MessageID, "주문 접수"))
		if n := h.count(func(c telegramtest.Call) bool { return c.Is("editMessageReplyMarkup") }); n != 0 {
			t.Errorf("a forged press removed buttons (%d calls)", n)
		}
		if _, placed := h.brk.counts(); len(placed) != 1 {
			t.Errorf("%d orders, want 1", len(placed))
		}
	})
	t.Run("unauthorized_press", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, options{mode: "live"})
		prompt, _ := h.prompt(owner)
		mark := h.srv.CallCount()
		qid, err := h.srv.PressButton(stranger, owner, prompt.MessageID, "확인")
		if err != nil {
			t.Fatal(err)
		}
		c := h.wait(mark, "answer to a stranger's press", answered(qid))
		if !strings.Contains(c.Params["text"], "999") || !strings.Contains(c.Params["text"], "권한") {
			t.Errorf("stranger's press answered %q", c.Params["text"])
		}
		h.barrier()
		if m, _ := h.srv.Message(owner, prompt.MessageID); len(m.Buttons()) != 2 {
			t.Errorf("prompt changed by a stranger's press: %+v", m)
		}
		if _, placed := h.brk.counts(); len(placed) != 0 {
			t.Errorf("a stranger's press placed %d orders", len(placed))
		}
		if !strings.Contains(h.logs.String(), "refused a button press") {
			t.Error("refused press not logged")
		}
	})
	t.Run("cancel_button", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, options{mode: "live"})
		prompt, _ := h.prompt(owner)
		mark := h.srv.CallCount()
		qid, err := h.srv.PressButton(owner, owner, prompt.MessageID, "주문 안 함")
		if err != nil {
			t.Fatal(err)
		}
		h.wait(mark, "cancelled text edited in", edited(owner, prompt.MessageID, "주문하지 않았습니다"))
		h.wait(mark, "answer", answered(qid))
		if m, _ := h.srv.Message(owner, prompt.MessageID); m.ReplyMarkup != nil {
			t.Errorf("buttons left after cancel: %+v", m.ReplyMarkup)
		}
		if _, placed := h.brk.counts(); len(placed) != 0 {
			t.Errorf("cancel placed %d orders", len(placed))
		}
	})
}

func TestOrdersAreSerialised(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{allowed: []int64{owner, other, third}})
	users := []int64{owner, other, third}
	mark := h.srv.CallCount()
	const n = 12
	for i := range n {
		h.srv.Send(telegramtest.Incoming{From: users[i%3], Text: "/buy 005930 " + strconv.Itoa(i+1)})
	}
	if _, err := h.srv.WaitCalls(h.ctx(), func(calls []telegramtest.Call) bool {
		k := 0
		for _, c := range calls[mark:] {
			if c.Is("sendMessage") && c.OK() && strings.Contains(c.Message.Text, "주문 접수") {
				k++
			}
		}
		return k == n
	}); err != nil {
		t.Fatalf("replies: %v\n%s", err, h.dump())
	}
	_, placed := h.brk.counts()
	h.brk.mu.Lock()
	maxIn := h.brk.maxInflight
	h.brk.mu.Unlock()
	if maxIn != 1 {
		t.Errorf("%d orders were at the broker at once, want 1", maxIn)
	}
	for i, o := range placed {
		if o.Qty != int64(i+1) {
			t.Fatalf("orders placed out of arrival order: %d has qty %d", i, o.Qty)
		}
	}
}

func TestReadsDoNotWaitForOrders(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{})
	gate, entered := make(chan struct{}), make(chan struct{}, 1)
	h.brk.mu.Lock()
	h.brk.gate, h.brk.entered = gate, entered
	h.brk.mu.Unlock()
	mark := h.send(telegramtest.Incoming{From: owner, Text: "/buy 005930 1"})
	select {
	case <-entered:
	case <-h.ctx().Done():
		t.Fatal("the order never reached the broker")
	}
	h.send(telegramtest.Incoming{From: other, Text: "/price 005930"})
	h.wait(mark, "price while an order is at the broker", sent(other, "삼성전자"))
	close(gate)
	h.wait(mark, "order reply", sent(owner, "주문 접수"))
}

func TestTooManyRequests(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{allowed: []int64{owner}})
	h.srv.TooManyRequests(2, 1)
	ctx := context.Background()
	for _, a := range []string{"A1", "A2", "A3"} {
		if err := h.tb.SendAlert(ctx, bot.Alert{Type: bot.AlertOrders, Text: "<b>" + a + "</b>"}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i <= 2; i++ {
		if _, err := h.srv.WaitCalls(h.ctx(), func(calls []telegramtest.Call) bool {
			n := 0
			for _, c := range calls {
				if c.Status == 429 {
					n++
				}
			}
			return n >= i
		}); err != nil {
			t.Fatalf("429 number %d: %v", i, err)
		}
		if !h.clk.BlockUntil(1, h.ctx().Done()) {
			t.Fatal("the queue did not wait for retry_after")
		}
		h.clk.Advance(time.Second)
	}
	h.wait(0, "A3 delivered", sent(owner, "A3"))
	var got []string
	for _, c := range h.srv.Calls() {
		if c.Is("sendMessage") && c.OK() && c.ChatID() == owner {
			got = append(got, c.Message.Text)
		}
	}
	if strings.Join(got, ",") != "A1,A2,A3" {
		t.Errorf("delivered %q, want A1,A2,A3 once each in order", got)
	}
	if n := h.count(func(c telegramtest.Call) bool { return c.Status == 429 }); n != 2 {
		t.Errorf("%d 429 answers, want 2", n)
	}

	// A command reply recovers the same way.
	h.srv.TooManyRequests(1, 1)
	mark := h.send(telegramtest.Incoming{From: owner, Text: "/price 005930"})
	h.wait(mark, "429 on the reply", func(c telegramtest.Call) bool { return c.Status == 429 })
	// Stepped while anything waits: the command's "typing…" ticker may be
	// the first waiter, before the resend's sleep (see TestChartPhoto).
	refusedAt := h.clk.Now()
	h.advanceUntil("reply after 429", sent(owner, "삼성전자"))
	if waited := h.clk.Now().Sub(refusedAt); waited < time.Second {
		t.Fatalf("the reply was resent after %v, before Telegram's retry_after of 1 s", waited)
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{allowed: []int64{owner}, limits: &telegram.Limits{PerChat: 1, PerChatBurst: 2, PerGroup: rate.Inf, Global: rate.Inf}})
	for _, a := range []string{"A1", "A2", "A3", "A4"} {
		if err := h.tb.SendAlert(context.Background(), bot.Alert{Text: a}); err != nil {
			t.Fatal(err)
		}
	}
	delivered := func() int {
		return h.count(func(c telegramtest.Call) bool { return c.Is("sendMessage") && c.OK() && c.ChatID() == owner })
	}
	h.wait(0, "burst", sent(owner, "A2"))
	for want := 2; want < 4; want++ {
		if !h.clk.BlockUntil(1, h.ctx().Done()) {
			t.Fatal("the queue is not pacing on the clock")
		}
		if n := delivered(); n != want {
			t.Fatalf("%d delivered while waiting for the limiter, want %d", n, want)
		}
		h.clk.Advance(time.Second)
		h.wait(0, "next after a second", sent(owner, "A"+strconv.Itoa(want+1)))
	}
}

func TestSplitLongReply(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{})
	base := time.Date(2026, 3, 10, 0, 30, 0, 0, time.UTC)
	for i := range 70 {
		h.brk.AddOrder(broker.Order{ID: "00000" + strconv.Itoa(10000+i), Code: "005930", Name: "삼성전자",
			Side: broker.Buy, Type: broker.Limit, Qty: int64(i + 1), Price: 70000, Status: broker.StatusAccepted,
			Time: base.Add(time.Duration(i) * time.Second), Source: "telegram", User: "111"})
	}
	full := h.router.Handle(context.Background(), bot.Request{Text: "/orders", UserID: "111", Source: "telegram"}).Text
	if n := telegramtest.UTF16Len(full); n < 5000 || n > 8000 {
		t.Fatalf("the /orders reply is %d units; the test wants 5000–8000", n)
	}
	// /orders pages on Telegram now; a long alert still splits.
	mark := h.srv.CallCount()
	if err := h.tb.SendAlert(context.Background(), bot.Alert{Text: full}); err != nil {
		t.Fatal(err)
	}
	h.wait(mark, "second part", func(c telegramtest.Call) bool {
		return c.Is("sendMessage") && c.OK() && c.ChatID() == owner && strings.Contains(c.Message.Text, "0000010000")
	})
	h.barrier()
	var parts []string
	for _, c := range h.srv.Calls()[mark:] {
		if c.Is("sendMessage") && c.ChatID() == owner && !strings.Contains(c.Params["text"], "설정되지") {
			if !c.OK() {
				t.Errorf("a part was refused: %s", c.Description)
			}
			parts = append(parts, c.Message.Text)
		}
	}
	if len(parts) != 2 {
		t.Fatalf("%d messages, want 2", len(parts))
	}
	squash := func(s string) string {
		return strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) {
				return -1
			}
			return r
		}, s)
	}
	want, _ := telegramtest.ParseHTML(full)
	if squash(parts[0]+parts[1]) != squash(want) {
		t.Error("the two parts do not read as the whole reply")
	}
}

func TestAlertChatMigration(t *testing.T) {
	t.Parallel()
	const oldID, newID = int64(-555), int64(-1005550000000)
	h := newHarness(t, options{alertChat: oldID})
	h.srv.Migrate(oldID, newID)
	if err := h.tb.SendAlert(context.Background(), bot.Alert{Text: "A1"}); err != nil {
		t.Fatal(err)
	}
	h.wait(0, "A1 in the supergroup", sent(newID, "A1"))
	if err := h.tb.SendAlert(context.Background(), bot.Alert{Text: "A2"}); err != nil {
		t.Fatal(err)
	}
	h.wait(0, "A2 in the supergroup", sent(newID, "A2"))
	if n := h.count(func(c telegramtest.Call) bool { return c.ChatID() == oldID }); n != 1 {
		t.Errorf("%d calls to the old group id, want 1", n)
	}
	logs := h.logs.String()
	if !strings.Contains(logs, "level=ERROR") || !strings.Contains(logs, "HOGA_TELEGRAM_ALERT_CHAT") || !strings.Contains(logs, "-1005550000000") {
		t.Errorf("migration not logged loudly with the new id:\n%s", logs)
	}
}

// An alert chat that refuses the bot (403) or no longer exists (400 chat
// not found, issue 19 item 6): alerts go to the allowed users' private
// chats, and they are told once why.
func TestAlertChatLostFallsBack(t *testing.T) {
	t.Parallel()
	for name, lose := range map[string]func(*telegramtest.Server, int64){
		"403 forbidden":  (*telegramtest.Server).Forbid,
		"chat not found": (*telegramtest.Server).Lose,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			const group = int64(-777)
			h := newHarness(t, options{alertChat: group})
			lose(h.srv, group)
			if err := h.tb.SendAlert(context.Background(), bot.Alert{Text: "A1"}); err != nil {
				t.Fatal(err)
			}
			h.wait(0, "A1 to the owner", sent(owner, "A1"))
			h.wait(0, "A1 to the other user", sent(other, "A1"))
			if err := h.tb.SendAlert(context.Background(), bot.Alert{Text: "A2"}); err != nil {
				t.Fatal(err)
			}
			h.wait(0, "A2 to the owner", sent(owner, "A2"))
			h.wait(0, "A2 to the other user", sent(other, "A2"))
			if n := h.count(func(c telegramtest.Call) bool { return c.ChatID() == group }); n != 1 {
				t.Errorf("%d calls to the lost group, want 1", n)
			}
			for _, u := range []int64{owner, other} {
				if n := h.count(sent(u, "알림 채팅(-777)에 알림을 보낼 수 없습니다")); n != 1 {
					t.Errorf("user %d was told %d times that alerts moved, want once\n%s", u, n, h.dump())
				}
			}
			if !strings.Contains(h.logs.String(), "private chats") {
				t.Errorf("fallback not logged:\n%s", h.logs.String())
			}
		})
	}
}

func TestAlertTopicSilentAndButtons(t *testing.T) {
	t.Parallel()
	const group = int64(-1004000000000)
	h := newHarness(t, options{alertChat: group, alertTopic: 42})
	if err := h.tb.SendAlert(context.Background(), bot.Alert{Type: bot.AlertSystem, Text: "<b>quiet</b>", Silent: true}); err != nil {
		t.Fatal(err)
	}
	c := h.wait(0, "silent alert", sent(group, "quiet"))
	if c.Params["message_thread_id"] != "42" || c.Params["disable_notification"] != "true" || c.Params["parse_mode"] != "HTML" {
		t.Errorf("alert params = %v", c.Params)
	}
	// A strategy confirmation: anyone allowed may press it.
	ask := h.router.AskConfirm(context.Background(), broker.OrderRequest{Code: "005930", Side: broker.Sell, Type: broker.Market, Qty: 3,
		Source: "strategy", User: "rule:005930"}, "")
	if err := h.tb.SendAlert(context.Background(), bot.Alert{Type: bot.AlertStrategy, Text: ask.Text, Buttons: ask.Buttons}); err != nil {
		t.Fatal(err)
	}
	pc := h.wait(0, "confirmation in the alert chat", func(c telegramtest.Call) bool {
		return c.Is("sendMessage") && c.OK() && c.ChatID() == group && len(c.Message.Buttons()) == 2
	})
	mark := h.srv.CallCount()
	if _, err := h.srv.PressButton(other, group, pc.Message.MessageID, "확인"); err != nil {
		t.Fatal(err)
	}
	h.wait(mark, "result in the alert message", edited(group, pc.Message.MessageID, "주문 접수"))
	if _, placed := h.brk.counts(); len(placed) != 1 || placed[0].Side != broker.Sell || placed[0].User != "222" {
		t.Errorf("orders = %+v", placed)
	}
}

func TestShutdownSaysGoodbye(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{allowed: []int64{owner}})
	if err := h.stop(); !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v, want context.Canceled", err)
	}
	msgs := h.srv.BotMessages(owner)
	if len(msgs) == 0 || !strings.Contains(msgs[len(msgs)-1].Text, "hoga 종료") {
		t.Errorf("no stop message: %+v", msgs)
	}
	if err := h.tb.SendAlert(context.Background(), bot.Alert{Text: "late"}); err == nil {
		t.Error("SendAlert after Run returned accepted the alert")
	}
}

func TestWrongToken(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{token: "123456:WRONG-secret-token-value", noRun: true})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := h.tb.Run(ctx)
	if !errors.Is(err, telegram.ErrTokenRefused) || strings.Contains(err.Error(), "WRONG-secret") {
		t.Errorf("Run with a wrong token = %v", err)
	}
	if strings.Contains(h.logs.String(), "WRONG-secret") {
		t.Error("the wrong token was logged")
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	t.Parallel()
	router, err := bot.NewRouter(bot.Config{Broker: newFakeBroker()})
	if err != nil {
		t.Fatal(err)
	}
	good := telegram.Config{Token: token, Allowed: []int64{owner}, Router: router}
	cases := []struct {
		name string
		edit func(*telegram.Config)
		want string
	}{
		{"no_token", func(c *telegram.Config) { c.Token = " " }, "Token"},
		{"no_allowed_users", func(c *telegram.Config) { c.Allowed = nil }, "without allowed users"},
		{"group_as_user", func(c *telegram.Config) { c.Allowed = []int64{owner, -100} }, "not a user id"},
		{"no_router", func(c *telegram.Config) { c.Router = nil }, "Router"},
		{"topic_without_chat", func(c *telegram.Config) { c.AlertTopic = 3 }, "alert topic"},
		{"bad_url", func(c *telegram.Config) { c.APIURL = "api.telegram.org" }, "API URL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := good
			tc.edit(&cfg)
			_, err := telegram.New(cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New = %v, want an error about %q", err, tc.want)
			}
		})
	}
	if _, err := telegram.New(good); err != nil {
		t.Errorf("good config: %v", err)
	}
}

func TestParseAlertChat(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in      string
		chat    int64
		topic   int
		wantErr bool
	}{
		{"", 0, 0, false},
		{"-1001234567890", -1001234567890, 0, false},
		{" -1001234567890:42 ", -1001234567890, 42, false},
		{"111", 111, 0, false},
		{"abc", 0, 0, true},
		{"0", 0, 0, true},
		{"-100:0", 0, 0, true},
		{"-100:x", 0, 0, true},
	}
	for _, tc := range cases {
		chat, topic, err := telegram.ParseAlertChat(tc.in)
		if chat != tc.chat || topic != tc.topic || (err != nil) != tc.wantErr {
			t.Errorf("ParseAlertChat(%q) = %d, %d, %v", tc.in, chat, topic, err)
		}
	}
}

func TestConfigLogValueHidesToken(t *testing.T) {
	t.Parallel()
	var buf lockedBuffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("config", "telegram", telegram.Config{Token: token, Allowed: []int64{owner}})
	if strings.Contains(buf.String(), secret) || !strings.Contains(buf.String(), "REDACTED") {
		t.Errorf("logged config: %s", buf.String())
	}
}

// TestConfigNeverPrintsToken: a Config printed whole with any verb (%d
// printed the token while it was a plain string) shows no token.
func TestConfigNeverPrintsToken(t *testing.T) {
	t.Parallel()
	cfg := telegram.Config{Token: token, Allowed: []int64{owner}}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x"} {
		if out := fmt.Sprintf(verb, cfg); strings.Contains(out, secret) || strings.Contains(out, "hoga-test") {
			t.Errorf("%s printed the token: %s", verb, out)
		}
	}
}

// Without an alert chat, alerts go to the allowed users' private chats;
// the one whose command caused an alert already has the reply, so only
// the others get it. A later outcome (no Echo) reaches everyone.
func TestPrivateAlertsSkipTheRequestersEcho(t *testing.T) {
	t.Parallel()
	h := newHarness(t, options{})
	ctx := context.Background()
	echo := bot.Alert{Type: bot.AlertOrders, Text: "E1", Echo: "telegram", EchoUser: strconv.FormatInt(owner, 10)}
	if err := h.tb.SendAlert(ctx, echo); err != nil {
		t.Fatal(err)
	}
	if err := h.tb.SendAlert(ctx, bot.Alert{Type: bot.AlertOrders, Text: "R1"}); err != nil {
		t.Fatal(err)
	}
	h.wait(0, "E1 to the other user", sent(other, "E1"))
	h.wait(0, "R1 to the owner", sent(owner, "R1"))
	h.wait(0, "R1 to the other user", sent(other, "R1"))
	if n := h.count(sent(owner, "E1")); n != 0 {
		t.Errorf("the requester got their own echo %d times", n)
	}
}
