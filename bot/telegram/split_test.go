package telegram

import (
	"strings"
	"testing"
	"unicode"

	"github.com/hoga-trade/hoga/bot/telegramtest"
)

// checkParts asserts every part is valid HTML within limit and that the
// parts together read as the original (whitespace at the cuts aside).
func checkParts(t *testing.T, in string, limit int, parts []string) {
	t.Helper()
	want, err := telegramtest.ParseHTML(in)
	if err != nil {
		t.Fatalf("test input is not valid HTML: %v", err)
	}
	var got strings.Builder
	for i, p := range parts {
		if n := units(p); n > limit {
			t.Errorf("part %d is %d units, over %d: %q", i, n, limit, p)
		}
		plain, err := telegramtest.ParseHTML(p)
		if err != nil {
			t.Errorf("part %d is not valid HTML (%v): %q", i, err, p)
		}
		if strings.TrimSpace(plain) == "" {
			t.Errorf("part %d has nothing to read: %q", i, p)
		}
		got.WriteString(plain)
	}
	squash := func(s string) string {
		return strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) {
				return -1
			}
			return r
		}, s)
	}
	if squash(got.String()) != squash(want) {
		t.Errorf("parts read\n%q\nwant\n%q", got.String(), want)
	}
}

func TestSplitHTML(t *testing.T) {
	t.Parallel()
	line := func(i int) string {
		return "<code>" + strings.Repeat("x", 5) + "</code> 매수 &amp; " + string(rune('a'+i%26))
	}
	var lines []string
	for i := range 40 {
		lines = append(lines, line(i))
	}
	manyLines := strings.Join(lines, "\n")
	cases := []struct {
		name  string
		in    string
		limit int
		parts int // 0: do not check the count
		want  []string
	}{
		{"fits", "<b>short</b>", 100, 1, []string{"<b>short</b>"}},
		{"lines", "aaaa\nbbbb\ncccc", 10, 2, []string{"aaaa\nbbbb\n", "cccc"}},
		{"bold_across_cut", "<b>aaaa\nbbbb\ncccc</b>", 16, 0, nil},
		{"code_across_cut", "x <code>" + strings.Repeat("y ", 30) + "</code> z", 30, 0, nil},
		{"nested", `<b>bold <i>it ` + strings.Repeat("w ", 40) + `</i> end</b>`, 40, 0, nil},
		{"link", `<a href="https://x.kr/a?b=1&amp;c=2">` + strings.Repeat("l ", 40) + `</a>`, 80, 0, nil},
		{"entities_kept_whole", strings.Repeat("&lt;&amp;&gt;", 30), 20, 0, nil},
		{"long_word", strings.Repeat("가", 100), 30, 4, nil},
		{"korean_lines", manyLines, 200, 0, nil},
		{"blank_lines", "a" + strings.Repeat("\n", 50) + "b", 10, 2, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			parts := splitHTML(tc.in, tc.limit)
			checkParts(t, tc.in, tc.limit, parts)
			if tc.parts > 0 && len(parts) != tc.parts {
				t.Errorf("%d parts, want %d: %q", len(parts), tc.parts, parts)
			}
			if tc.want != nil && strings.Join(parts, "|") != strings.Join(tc.want, "|") {
				t.Errorf("parts = %q, want %q", parts, tc.want)
			}
		})
	}
	// A cut inside <b> closes it and reopens it.
	parts := splitHTML("<b>aaaa\nbbbb\ncccc</b>", 16)
	if len(parts) < 2 || !strings.HasSuffix(parts[0], "</b>") || !strings.HasPrefix(parts[1], "<b>") {
		t.Errorf("bold not closed and reopened: %q", parts)
	}
	// Lines are preferred to spaces: no line of manyLines is broken.
	for _, p := range splitHTML(manyLines, 200) {
		for _, l := range strings.Split(strings.Trim(p, "\n"), "\n") {
			if _, err := telegramtest.ParseHTML(l); err != nil {
				t.Errorf("a line was cut: %q", l)
			}
		}
	}
}

// FuzzSplitHTML builds valid HTML from arbitrary text (escaped, with tags
// wrapped around some words) and checks every split of it.
func FuzzSplitHTML(f *testing.F) {
	f.Add("hello world\nsecond line", uint8(20))
	f.Add("삼성전자 005930 매수 10주\n체결 70,000원", uint8(12))
	f.Add("a&b<c>d \"q\" 'x'\n\n\nend", uint8(9))
	f.Add(strings.Repeat("word ", 50), uint8(33))
	f.Fuzz(func(t *testing.T, text string, lim uint8) {
		if !strings.ContainsFunc(text, func(r rune) bool { return !unicode.IsSpace(r) }) {
			return
		}
		text = strings.ToValidUTF8(text, "?")
		tags := []string{"b", "i", "code", "u", "s"}
		var b strings.Builder
		for i, w := range strings.SplitAfter(text, " ") {
			esc := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(w)
			if i%3 == 1 {
				tag := tags[i%len(tags)]
				esc = "<" + tag + ">" + esc + "</" + tag + ">"
			}
			b.WriteString(esc)
		}
		in := "<b>" + b.String() + "</b>"
		limit := 40 + int(lim) // room for the reopened tags
		checkParts(t, in, limit, splitHTML(in, limit))
	})
}

// BenchmarkSplitHTML splits a 20 000-character /orders-like reply.
func BenchmarkSplitHTML(b *testing.B) {
	var lines []string
	for i := range 250 {
		lines = append(lines, "10:00:"+string(rune('0'+i%10))+"0 <code>0000012345</code> 매수 삼성전자(005930) 10주 70,000원 — 미체결 · telegram 111")
	}
	in := "<b>오늘 주문</b>\n" + strings.Join(lines, "\n")
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if parts := splitHTML(in, maxMessageLength); len(parts) < 2 {
			b.Fatal("not split")
		}
	}
}
