package telegramtest

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// PhoneWidth is the width, in terminal columns, of a message bubble on a
// small phone (a 360-dp-wide screen at Telegram's default text size fits
// about 34 Latin letters or 17 Hangul syllables on a line).
const PhoneWidth = 34

// Phone renders a chat the way its members read it on a small phone:
// bubbles wrapped at width columns (Hangul and other wide characters take
// two), the bot's on the left and the user's on the right, each with its
// time in Korea, edits marked, inline buttons under their message and the
// reply keyboard last. It is for reading a trial by eye: what is too long,
// what wraps badly, what a person sees after an outage.
func (s *Server) Phone(chat int64, width int) string {
	if width <= 0 {
		width = PhoneWidth
	}
	kst := time.FixedZone("KST", 9*3600)
	var b strings.Builder
	var keyboard [][]string
	for _, m := range s.Messages(chat) {
		mine := m.From != nil && m.From.ID == s.me.ID
		when := time.Unix(m.Date, 0).In(kst).Format("15:04")
		if m.EditDate != 0 {
			when += " (수정됨 " + time.Unix(m.EditDate, 0).In(kst).Format("15:04") + ")"
		}
		lines := wrapColumns(m.Text, width)
		indent := ""
		if !mine {
			indent = strings.Repeat(" ", 8)
			who := "user"
			if m.From != nil {
				who = m.From.FirstName
			}
			when = who + " · " + when
		}
		fmt.Fprintf(&b, "%s┌ %s\n", indent, when)
		for _, l := range lines {
			fmt.Fprintf(&b, "%s│ %s\n", indent, l)
		}
		for _, row := range rowsOf(m) {
			fmt.Fprintf(&b, "%s│ %s\n", indent, row)
		}
		fmt.Fprintf(&b, "%s└\n", indent)
		if mine && m.Keyboard != nil {
			keyboard = m.Keyboard
		}
	}
	if keyboard != nil {
		b.WriteString("═ keyboard ═\n")
		for _, row := range keyboard {
			b.WriteString("[ " + strings.Join(row, " ] [ ") + " ]\n")
		}
	}
	return b.String()
}

func rowsOf(m Message) []string {
	if m.ReplyMarkup == nil {
		return nil
	}
	var out []string
	for _, row := range m.ReplyMarkup.InlineKeyboard {
		var labels []string
		for _, btn := range row {
			labels = append(labels, "[ "+btn.Text+" ]")
		}
		out = append(out, strings.Join(labels, " "))
	}
	return out
}

// wrapColumns breaks text into lines of at most width display columns,
// at spaces where it can and mid-word where a word is longer than a line,
// as a phone's text layout does.
func wrapColumns(text string, width int) []string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		line, cols := "", 0
		flush := func() { out = append(out, strings.TrimRight(line, " ")); line, cols = "", 0 }
		for _, word := range splitKeepSpaces(para) {
			w := Columns(word)
			if cols+w > width && cols > 0 {
				flush()
				if word == " " {
					continue
				}
			}
			for w > width { // a word longer than the line breaks anywhere
				head, hw := "", 0
				for _, r := range word {
					rw := runeColumns(r)
					if hw+rw > width {
						break
					}
					head += string(r)
					hw += rw
				}
				out = append(out, head)
				word = word[len(head):]
				w -= hw
			}
			line += word
			cols += w
		}
		flush()
	}
	return out
}

func splitKeepSpaces(s string) []string {
	var out []string
	start := 0
	for i, r := range s {
		if r == ' ' {
			if i > start {
				out = append(out, s[start:i])
			}
			out = append(out, " ")
			start = i + 1
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// Columns is how many terminal columns s takes (wide characters two).
func Columns(s string) int {
	n := 0
	for _, r := range s {
		n += runeColumns(r)
	}
	return n
}

// runeColumns is how many columns r takes: two for East Asian wide
// characters (Hangul, CJK, full-width forms) and emoji, none for
// combining marks and variation selectors, one otherwise.
func runeColumns(r rune) int {
	switch {
	case r == utf8.RuneError, unicode.Is(unicode.Mn, r), r == 0xFE0F, r == 0x200D:
		return 0
	case r >= 0x1100 && r <= 0x115F, r >= 0x2E80 && r <= 0xA4CF, r >= 0xAC00 && r <= 0xD7A3,
		r >= 0xF900 && r <= 0xFAFF, r >= 0xFE30 && r <= 0xFE4F, r >= 0xFF00 && r <= 0xFF60,
		r >= 0xFFE0 && r <= 0xFFE6, r >= 0x1F300 && r <= 0x1FAFF, r >= 0x2600 && r <= 0x27BF:
		return 2
	}
	return 1
}
