package telegramtest

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxTextLength is the Bot API's limit on a message text, in UTF-16 code
// units after entity parsing.
const MaxTextLength = 4096

// supportedTags are the tags Telegram's HTML parse mode accepts.
var supportedTags = map[string]bool{
	"a": true, "b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "span": true, "tg-spoiler": true, "tg-emoji": true,
	"code": true, "pre": true, "blockquote": true,
}

// HTMLError is why ParseHTML refused a text. Its Error is the part after
// "Bad Request: can't parse entities: " in the API's answer.
type HTMLError struct{ Msg string }

func (e *HTMLError) Error() string { return e.Msg }

// ParseHTML parses text the way Telegram's HTML parse mode does and returns
// the plain text a reader sees. It follows TDLib's parser (its error
// texts included): unsupported tags, unclosed or unmatched tags and a bare
// "<" are refused. It is stricter in one place: an "&" that does not start
// one of the entities Telegram knows (&lt; &gt; &amp; &quot; and numeric
// ones) is refused, where Telegram would keep it as text.
func ParseHTML(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", &HTMLError{Msg: "text must be encoded in UTF-8"}
	}
	var out strings.Builder
	var stack []string
	i := 0
	for i < len(s) {
		switch c := s[i]; c {
		case '&':
			r, n := decodeEntity(s[i:])
			if n == 0 {
				return "", &HTMLError{Msg: fmt.Sprintf("Unescaped \"&\" at byte offset %d (the fake is stricter than Telegram here: write &amp;)", i)}
			}
			out.WriteRune(r)
			i += n
		case '<':
			begin := i
			i++
			if i < len(s) && s[i] == '/' {
				if len(stack) == 0 {
					return "", &HTMLError{Msg: fmt.Sprintf("Unexpected end tag at byte offset %d", begin)}
				}
				i++
				j := i
				for j < len(s) && !isSpace(s[j]) && s[j] != '>' {
					j++
				}
				name := strings.ToLower(s[i:j])
				for j < len(s) && isSpace(s[j]) {
					j++
				}
				if j >= len(s) || s[j] != '>' {
					return "", &HTMLError{Msg: fmt.Sprintf("Unclosed end tag at byte offset %d", begin)}
				}
				top := stack[len(stack)-1]
				if name != "" && name != top {
					return "", &HTMLError{Msg: fmt.Sprintf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", begin, top, name)}
				}
				stack = stack[:len(stack)-1]
				i = j + 1
				continue
			}
			j := i
			for j < len(s) && !isSpace(s[j]) && s[j] != '>' {
				j++
			}
			if j >= len(s) {
				return "", &HTMLError{Msg: fmt.Sprintf("Unclosed start tag at byte offset %d", begin)}
			}
			name := strings.ToLower(s[i:j])
			if !supportedTags[name] {
				return "", &HTMLError{Msg: fmt.Sprintf("Unsupported start tag \"%s\" at byte offset %d", name, begin)}
			}
			attrs, end, err := parseAttributes(s, j, name, begin)
			if err != nil {
				return "", err
			}
			if name == "span" && attrs["class"] != "tg-spoiler" {
				return "", &HTMLError{Msg: fmt.Sprintf("Tag \"span\" must have class \"tg-spoiler\" at byte offset %d", begin)}
			}
			stack = append(stack, name)
			i = end + 1
		default:
			out.WriteByte(c)
			i++
		}
	}
	if len(stack) > 0 {
		return "", &HTMLError{Msg: fmt.Sprintf("Can't find end tag corresponding to start tag \"%s\"", stack[len(stack)-1])}
	}
	return out.String(), nil
}

// parseAttributes reads name="value" pairs from s[j:] up to the closing '>'
// and returns them with the index of that '>'.
func parseAttributes(s string, j int, tag string, begin int) (map[string]string, int, error) {
	attrs := map[string]string{}
	for {
		for j < len(s) && isSpace(s[j]) {
			j++
		}
		if j >= len(s) {
			return nil, 0, &HTMLError{Msg: fmt.Sprintf("Unclosed start tag at byte offset %d", begin)}
		}
		if s[j] == '>' {
			return attrs, j, nil
		}
		k := j
		for k < len(s) && s[k] != '=' && s[k] != '>' && !isSpace(s[k]) {
			k++
		}
		attr := strings.ToLower(s[j:k])
		for k < len(s) && isSpace(s[k]) {
			k++
		}
		if k >= len(s) || s[k] != '=' {
			if tag == "blockquote" && attr == "expandable" { // <blockquote expandable>
				attrs[attr] = ""
				j = k
				continue
			}
			return nil, 0, &HTMLError{Msg: fmt.Sprintf("Expected equal sign in declaration of an attribute of the tag \"%s\" at byte offset %d", tag, begin)}
		}
		k++
		for k < len(s) && isSpace(s[k]) {
			k++
		}
		if k >= len(s) {
			return nil, 0, &HTMLError{Msg: fmt.Sprintf("Unclosed start tag at byte offset %d", begin)}
		}
		var val string
		if q := s[k]; q == '"' || q == '\'' {
			end := strings.IndexByte(s[k+1:], q)
			if end < 0 {
				return nil, 0, &HTMLError{Msg: fmt.Sprintf("Unclosed start tag at byte offset %d", begin)}
			}
			val = s[k+1 : k+1+end]
			j = k + 1 + end + 1
		} else {
			e := k
			for e < len(s) && !isSpace(s[e]) && s[e] != '>' {
				e++
			}
			val = s[k:e]
			j = e
		}
		attrs[attr] = val
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// decodeEntity decodes the entity at the start of s ("&amp;", "&#39;",
// "&#x1F600;") and returns the rune and the bytes it took, or n == 0.
func decodeEntity(s string) (rune, int) {
	end := strings.IndexByte(s, ';')
	if end < 2 || end > 10 {
		return 0, 0
	}
	name := s[1:end]
	switch name {
	case "lt":
		return '<', end + 1
	case "gt":
		return '>', end + 1
	case "amp":
		return '&', end + 1
	case "quot":
		return '"', end + 1
	}
	if name[0] != '#' {
		return 0, 0
	}
	var n uint64
	var err error
	if len(name) > 1 && (name[1] == 'x' || name[1] == 'X') {
		n, err = strconv.ParseUint(name[2:], 16, 32)
	} else {
		n, err = strconv.ParseUint(name[1:], 10, 32)
	}
	if err != nil || n == 0 || n > utf8.MaxRune || (n >= 0xD800 && n <= 0xDFFF) {
		return 0, 0
	}
	return rune(n), end + 1
}

// UTF16Len is the length Telegram counts: UTF-16 code units.
func UTF16Len(s string) int {
	n := 0
	for _, r := range s { // invalid bytes come out as U+FFFD: one unit
		n += utf16.RuneLen(r)
	}
	return n
}
