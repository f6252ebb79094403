package telegram

import (
	"fmt"
	"strings"

	"github.com/hoga-trade/hoga/bot"
)

// DefaultKeyboard is HOGA_TELEGRAM_KEYBOARD's default: the everyday
// commands one tap away (issue 19, item 13). Rows are separated by "|",
// buttons by ",".
const DefaultKeyboard = "/price 005930,/balance,/orders|/orders open,/status,/halt"

// ParseKeyboard reads a reply keyboard setting and checks every button is
// a command hoga knows, so a typo fails at start with the list of valid
// commands — the way Freqtrade checks its keyboard — rather than on the
// owner's phone. "" or "off" means no keyboard.
func ParseKeyboard(s string) ([][]string, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "off") {
		return nil, nil
	}
	var rows [][]string
	var bad []string
	for _, row := range strings.Split(s, "|") {
		var buttons []string
		for _, b := range strings.Split(row, ",") {
			b = strings.Join(strings.Fields(b), " ")
			if b == "" {
				continue
			}
			if c, ok := bot.LookupCommand(strings.Fields(b)[0]); !ok || c.Menu == bot.MenuNone {
				bad = append(bad, b)
				continue
			}
			buttons = append(buttons, b)
		}
		if len(buttons) > 0 {
			rows = append(rows, buttons)
		}
	}
	if len(bad) > 0 {
		return nil, &KeyboardError{Bad: bad, Valid: menuCommands, s: s}
	}
	if len(rows) == 0 {
		return nil, &KeyboardError{Valid: menuCommands, s: s}
	}
	return rows, nil
}

// replyKeyboard is ReplyKeyboardMarkup: a persistent keyboard of command
// buttons under the text field; a tap sends the button's text.
type replyKeyboard struct {
	Keyboard       [][]keyButton `json:"keyboard"`
	IsPersistent   bool          `json:"is_persistent"`
	ResizeKeyboard bool          `json:"resize_keyboard"`
}

type keyButton struct {
	Text string `json:"text"`
}

func newReplyKeyboard(rows [][]string) replyKeyboard {
	kb := replyKeyboard{IsPersistent: true, ResizeKeyboard: true}
	for _, row := range rows {
		r := make([]keyButton, len(row))
		for i, t := range row {
			r[i] = keyButton{Text: t}
		}
		kb.Keyboard = append(kb.Keyboard, r)
	}
	return kb
}

// KeyboardError is a HOGA_TELEGRAM_KEYBOARD that ParseKeyboard refuses:
// buttons that are not hoga's commands (Bad), or no buttons at all. Its
// parts let start-up say it in the owner's language (issue 12, item 12).
type KeyboardError struct {
	Bad   []string // the buttons that are not commands; empty: no buttons
	Valid []string // the commands a button may be, without the slash
	s     string
}

func (e *KeyboardError) Error() string {
	if len(e.Bad) > 0 {
		return fmt.Sprintf("keyboard buttons %q are not hoga commands; valid: /%s", e.Bad, strings.Join(e.Valid, ", /"))
	}
	return fmt.Sprintf("keyboard %q has no buttons (use off for none)", e.s)
}
