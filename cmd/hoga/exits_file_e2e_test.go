package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A rules file's exits with mistakes stop start-up (exit status 2) with
// one line per problem, each naming its line and saying what to write,
// in the owner's language; the rules' own problems come in the same list.
func TestRulesFileExitProblemsAtStart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rules := filepath.Join(dir, "rules.yaml")
	body := "rules:\n  - code: \"005930\"\n    buy_belw: 190000\n    qty: 3\nexits:\n  - code: \"005930\"\n    stop: 5%\n    trail: 3\n"
	if err := os.WriteFile(rules, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lang string
		want []string
	}{
		{"ko", []string{
			rules + ":3:5: 모르는 항목 \"buy_belw\" 가 있습니다", // in Korean since issue 12, item 12
			rules + ":7:11: 005930 손절 \"5%\" 가 올바르지 않습니다. 평균단가 대비 음수 퍼센트(-5%)나 원 단위 가격(190000)으로 쓰세요.",
			rules + ":8:12: 005930 추적손절 \"3\" 가 올바르지 않습니다.",
		}},
		{"en", []string{
			rules + ":3:5: Unknown field \"buy_belw\"",
			rules + ":7:11: Stop-loss \"5%\" for 005930 is not valid. Write a negative percent from the average price (-5%) or a price in won (190000).",
			rules + ":8:12: Trailing stop \"3\" for 005930 is not valid.",
		}},
	} {
		_, errOut, code := runWith(t, env("HOGA_DATA_DIR", filepath.Join(dir, "data-"+tc.lang), "HOGA_RULES_FILE", rules,
			"HOGA_LANG", tc.lang, "HOGA_LOG_LEVEL", "error"), "/exits\n")
		if code != 2 {
			t.Fatalf("%s: exit %d, want 2\n%s", tc.lang, code, errOut)
		}
		for _, w := range tc.want {
			if !strings.Contains(errOut, w) {
				t.Errorf("%s: stderr lacks %q\n%s", tc.lang, w, errOut)
			}
		}
	}
}
