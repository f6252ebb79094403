package telegram_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/hoga-trade/hoga/bot/telegram"
	"github.com/hoga-trade/hoga/bot/telegramtest"
)

func TestParseKeyboard(t *testing.T) {
	t.Parallel()
	rows, err := telegram.ParseKeyboard(telegram.DefaultKeyboard)
	want := [][]string{{"/price 005930", "/balance", "/orders"}, {"/orders open", "/status", "/halt"}}
	if err != nil || !reflect.DeepEqual(rows, want) {
		t.Fatalf("default keyboard = %v, %v", rows, err)
	}
	for _, off := range []string{"", "off", " OFF "} {
		if rows, err := telegram.ParseKeyboard(off); rows != nil || err != nil {
			t.Errorf("ParseKeyboard(%q) = %v, %v; want none", off, rows, err)
		}
	}
	for _, bad := range []string{"/prise 005930,/balance", "balance", "/orders|/weekly", ",|,"} {
		if _, err := telegram.ParseKeyboard(bad); err == nil {
			t.Errorf("ParseKeyboard(%q) accepted", bad)
		} else if bad != ",|," && !strings.Contains(err.Error(), "valid: /help") {
			t.Errorf("ParseKeyboard(%q) = %v; want the valid commands listed", bad, err)
		}
	}
}

// The reply keyboard comes with the answer to /start and /help in an
// allowed user's private chat, never in a group (issue 19, item 13); a
// tap sends the button's text, which runs as a command.
func TestReplyKeyboard(t *testing.T) {
	t.Parallel()
	rows, _ := telegram.ParseKeyboard(telegram.DefaultKeyboard)
	h := newHarness(t, options{keyboard: rows})
	mark := h.send(telegramtest.Incoming{From: owner, Text: "/start"})
	c := h.wait(mark, "the /start reply", sent(owner, "/price"))
	if !reflect.DeepEqual(c.Message.Keyboard, rows) {
		t.Errorf("keyboard with /start = %v, want %v", c.Message.Keyboard, rows)
	}
	mark = h.send(telegramtest.Incoming{From: owner, Chat: -1004000000009, Text: "/help"})
	c = h.wait(mark, "the /help reply in a group", sent(-1004000000009, "/price"))
	if c.Message.Keyboard != nil {
		t.Errorf("a reply keyboard in a group: %v", c.Message.Keyboard)
	}
	mark = h.send(telegramtest.Incoming{From: owner, Text: rows[0][0]}) // a tap
	h.wait(mark, "the tapped /price", sent(owner, "70,000"))
}
