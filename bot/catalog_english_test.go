package bot

import (
	"regexp"
	"strings"
	"testing"
)

// englishRun finds three or more ASCII words in a row ("limit price is
// outside"): an English sentence, as opposed to a code, ticker, unit or
// setting name (KRX, HOGA_MODE, 005930, HTTP API) standing in Korean text,
// or a list of the rules file's field names ("code, stop, take, trail").
var englishRun = regexp.MustCompile(`[A-Za-z][A-Za-z'’-]*(?: +[A-Za-z][A-Za-z'’-]*){2,}`)

// notProse strips what may stay ASCII in a Korean sentence: markup, the
// contents of <code> (commands to type), fmt verbs, /commands and
// settings.
var notProse = regexp.MustCompile(`<code>.*?</code>|<[^>]+>|%(\[\d+\])?[-+# 0-9.]*[a-zA-Z]|/[a-z_]+|HOGA_[A-Z_]+|&[a-z]+;|\([A-Za-z :,-]*\)`)

// TestKoreanCatalogHasNoEnglishSentences holds issue 12, item 12: a Korean
// reply carries no English sentence. Every Korean value is checked with
// markup, commands, settings and fmt verbs removed; what is left must not
// hold three ASCII words in a row.
func TestKoreanCatalogHasNoEnglishSentences(t *testing.T) {
	t.Parallel()
	for key, v := range catalogs[Korean] {
		if strings.HasPrefix(key, "cmd.") && !strings.Contains(v, " ") {
			continue
		}
		prose := notProse.ReplaceAllString(v, " ")
		for _, run := range englishRun.FindAllString(prose, -1) {
			t.Errorf("%s: English in a Korean text: %q\nin %q", key, run, v)
		}
	}
}

// TestNoEnglishDetectorCatchesSentences keeps the detector honest: it must
// flag the sentence the trial found and let codes and units through.
func TestNoEnglishDetectorCatchesSentences(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		s    string
		want bool
	}{
		{"❌ 브로커가 주문을 거부했습니다: [paper] limit price 1 is outside today's price limits 138600–257000", true},
		{"주문을 취소했습니다. Nothing was sent.", true},
		{"📍 KRX(한국거래소) 가격 · NXT · SOR", false},
		{"HTTP API 요청", false},
		{"<code>/rule add 005930 buy&lt;190000 sell&gt;210000 qty=3</code>", false},
		{"HOGA_MAX_ORDER_KRW 를 바꾸세요", false},
		{"code, stop, take, trail 만 쓸 수 있습니다.", false},
	} {
		got := englishRun.MatchString(notProse.ReplaceAllString(tc.s, " "))
		if got != tc.want {
			t.Errorf("%q: English found = %v, want %v", tc.s, got, tc.want)
		}
	}
}
