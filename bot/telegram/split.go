package telegram

import (
	"strings"
	"unicode/utf16"

	"github.com/hoga-trade/hoga/bot"
)

type tokenKind int

const (
	tokText tokenKind = iota
	tokSpace
	tokNewline
	tokOpen
	tokClose
)

// token is an indivisible piece of an HTML message: a tag, an entity, a
// run of text, one space or one newline.
type token struct {
	raw   string
	kind  tokenKind
	name  string // tag name, lower case
	units int    // UTF-16 length of raw
}

// tokenize cuts s into tokens. Text runs are cut at spaces and newlines;
// an overlong word is cut further by the splitter, rune by rune.
func tokenize(s string) []token {
	var out []token
	add := func(raw string, kind tokenKind, name string) {
		out = append(out, token{raw: raw, kind: kind, name: name, units: units(raw)})
	}
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == '<':
			end := tagEnd(s, i)
			if end < 0 { // not a tag: let it through as text
				add(s[i:i+1], tokText, "")
				i++
				continue
			}
			raw := s[i : end+1]
			if strings.HasPrefix(raw, "</") {
				add(raw, tokClose, strings.ToLower(strings.TrimSpace(raw[2:len(raw)-1])))
			} else {
				name := raw[1 : len(raw)-1]
				if j := strings.IndexAny(name, " \t\r\n"); j >= 0 {
					name = name[:j]
				}
				add(raw, tokOpen, strings.ToLower(name))
			}
			i = end + 1
		case c == '&':
			n := 1
			if j := strings.IndexByte(s[i:], ';'); j > 1 && j <= 10 && !strings.ContainsAny(s[i+1:i+j], " <&\n") {
				n = j + 1
			}
			add(s[i:i+n], tokText, "")
			i += n
		case c == '\n':
			add("\n", tokNewline, "")
			i++
		case c == ' ':
			add(" ", tokSpace, "")
			i++
		default:
			j := i + 1
			for j < len(s) && !strings.ContainsRune("<&\n ", rune(s[j])) {
				j++
			}
			add(s[i:j], tokText, "")
			i = j
		}
	}
	return out
}

// tagEnd finds the '>' closing the tag at s[i], skipping quoted attribute
// values; -1 if there is none.
func tagEnd(s string, i int) int {
	var quote byte
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return j
		case c == '<':
			return -1
		}
	}
	return -1
}

func units(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// openTag is a tag still open at some point of the text.
type openTag struct{ raw, name string }

func closers(stack []openTag) (string, int) {
	var b strings.Builder
	for i := len(stack) - 1; i >= 0; i-- {
		b.WriteString("</" + stack[i].name + ">")
	}
	return b.String(), b.Len()
}

// closeCost is the length of closers(stack) without building it.
func closeCost(stack []openTag) int {
	n := 0
	for _, o := range stack {
		n += len(o.name) + 3 // tag names are ASCII: bytes are UTF-16 units
	}
	return n
}

func apply(stack []openTag, t token) []openTag {
	switch t.kind {
	case tokOpen:
		return append(stack[:len(stack):len(stack)], openTag{raw: t.raw, name: t.name})
	case tokClose:
		if len(stack) > 0 {
			return stack[: len(stack)-1 : len(stack)-1]
		}
	}
	return stack
}

// splitHTML cuts an HTML message into parts of at most limit UTF-16 units
// each (counting tags, so the parsed text is shorter still). It cuts after
// the last newline that fits, else after the last space, else between any
// two tokens — never inside a tag or an entity — and closes the tags open
// at a cut, reopening them at the start of the next part, so each part is
// valid HTML on its own. Parts with nothing to read are dropped.
func splitHTML(s string, limit int) []string {
	if units(s) <= limit {
		return []string{s}
	}
	toks := tokenize(s)
	// Words longer than a part can hold are cut into runes.
	for i := 0; i < len(toks); i++ {
		if toks[i].kind == tokText && toks[i].units > limit/2 {
			var runes []token
			for _, r := range toks[i].raw {
				runes = append(runes, token{raw: string(r), kind: tokText, units: utf16.RuneLen(r)})
			}
			toks = append(toks[:i], append(runes, toks[i+1:]...)...)
		}
	}
	var parts []string
	var stack []openTag
	for i := 0; i < len(toks); {
		var head strings.Builder
		for _, o := range stack {
			head.WriteString(o.raw)
		}
		cost := units(head.String())
		st := stack
		type cut struct {
			at    int // 0: none
			stack []openTag
		}
		var atNewline, atSpace, atAny cut
		j := i
		for ; j < len(toks); j++ {
			next := st
			if toks[j].kind == tokOpen || toks[j].kind == tokClose {
				next = apply(st, toks[j])
			}
			if cost+toks[j].units+closeCost(next) > limit {
				break
			}
			cost += toks[j].units
			st = next
			c := cut{at: j + 1, stack: st}
			switch toks[j].kind {
			case tokNewline:
				atNewline = c
			case tokSpace:
				atSpace = c
			}
			if toks[j].kind != tokOpen { // never end a part on an opening tag
				atAny = c
			}
		}
		var c cut
		switch {
		case j == len(toks):
			c = cut{at: j, stack: st}
		case atNewline.at > 0:
			c = atNewline
		case atSpace.at > 0:
			c = atSpace
		case atAny.at > 0:
			c = atAny
		default: // a single tag longer than the limit: nothing sensible to do but send it
			c = cut{at: i + 1, stack: apply(stack, toks[i])}
		}
		var part strings.Builder
		part.WriteString(head.String())
		for _, t := range toks[i:c.at] {
			part.WriteString(t.raw)
		}
		tail, _ := closers(c.stack)
		part.WriteString(tail)
		if strings.TrimSpace(bot.StripHTML(part.String())) != "" {
			parts = append(parts, part.String())
		}
		stack, i = c.stack, c.at
	}
	return parts
}
