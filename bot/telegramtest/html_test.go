package telegramtest_test

import (
	"strings"
	"testing"

	"github.com/hoga-trade/hoga/bot/telegramtest"
)

func TestParseHTML(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in, plain, err string
	}{
		{"plain", "hello", "hello", ""},
		{"tags", "<b>삼성전자</b> <code>005930</code> <i>x</i>", "삼성전자 005930 x", ""},
		{"entities", "a &lt; b &amp;&amp; c &gt; d &quot;q&quot; &#39;s&#39; &#x1F600;", "a < b && c > d \"q\" 's' 😀", ""},
		{"bare_gt", "a > b", "a > b", ""},
		{"link", `<a href="https://x.kr/?a=1&amp;b=2">link</a>`, "link", ""},
		{"spoiler", `<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>`, "st", ""},
		{"pre_code", `<pre><code class="language-go">x</code></pre>`, "x", ""},
		{"blockquote", "<blockquote expandable>q</blockquote>", "q", ""},
		{"case", "<B>x</B>", "x", ""},
		{"bare_lt", "1 < 2", "", `Unsupported start tag "" at byte offset 2`},
		{"unknown", "<br>", "", `Unsupported start tag "br" at byte offset 0`},
		{"unclosed_start", "x <b", "", "Unclosed start tag at byte offset 2"},
		{"unclosed_tag", "<b>x", "", `Can't find end tag corresponding to start tag "b"`},
		{"unexpected_end", "x</b>", "", "Unexpected end tag at byte offset 1"},
		{"unmatched", "<b>x</i>", "", `Unmatched end tag at byte offset 4, expected "</b>", found "</i>"`},
		{"bare_amp", "P&L", "", `Unescaped "&" at byte offset 1`},
		{"unknown_entity", "&nbsp;", "", "Unescaped"},
		{"bad_span", "<span>x</span>", "", `Tag "span" must have class "tg-spoiler"`},
		{"bad_attr", "<a href>x</a>", "", "Expected equal sign"},
		{"bad_utf8", "\xff", "", "UTF-8"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			plain, err := telegramtest.ParseHTML(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("ParseHTML(%q) err = %v, want %q", tc.in, err, tc.err)
				}
				return
			}
			if err != nil || plain != tc.plain {
				t.Errorf("ParseHTML(%q) = %q, %v; want %q", tc.in, plain, err, tc.plain)
			}
		})
	}
}

func TestUTF16Len(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int{"": 0, "abc": 3, "삼성": 2, "😀": 2, "a😀b": 4} {
		if got := telegramtest.UTF16Len(in); got != want {
			t.Errorf("UTF16Len(%q) = %d, want %d", in, got, want)
		}
	}
}

// FuzzParseHTML: the parser never panics, and what it accepts, escaped
// back, parses to the same text.
func FuzzParseHTML(f *testing.F) {
	for _, s := range []string{"<b>x</b>", "a &amp; b", "<a href='x'>y</a>", "<b", "&#", "&#x110000;", "</>", "<b></>", "<code>&lt;</code>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		plain, err := telegramtest.ParseHTML(s)
		if err != nil {
			return
		}
		esc := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(plain)
		again, err := telegramtest.ParseHTML(esc)
		if err != nil || again != plain {
			t.Fatalf("escaped plain text %q did not round-trip: %q, %v", esc, again, err)
		}
	})
}
