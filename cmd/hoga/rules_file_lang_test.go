package main

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/strategy"
)

// A rules file's problems are said in the owner's language at start-up and
// by hoga check (issue 12, item 12): Rule.Validate's and the file's own
// checks through the catalog, not the strategy's English.
func TestRulesFileProblemsInTheOwnersLanguage(t *testing.T) {
	t.Parallel()
	const file = `rules:
  - code: "005930"
    buy_below: 75000
    sell_above: 65000
    qty: 1
  - code: "000660"
    buy_below: 100000
  - code: "035720"
    sell_above: 200000
    qty: 1
    sessions: nightly
  - code: "035420"
    sell_above: 200000
    qty: 1
  - code: "035420"
    sell_above: 200000
    qty: 1
  - qty: 1
  - code: "051910"
    buy_belw: 1000
`
	_, err := strategy.ParseRules("rules.yaml", []byte(file))
	var fe *strategy.FileError
	if !errors.As(err, &fe) {
		t.Fatalf("ParseRules: %v, want a FileError", err)
	}
	ko := strings.Join(fileProblemLines(bot.Korean, fe), "\n")
	for _, want := range []string{
		"005930 규칙의 매수 가격 75,000원이 매도 가격 65,000원보다 낮아야 합니다",
		"000660 규칙의 수량(qty)을 1 이상으로 쓰세요",
		`035720 규칙의 sessions "nightly" 는 regular`,
		"035420 규칙이 12번째 줄에 이미 있습니다",
		"규칙에 code 가 없습니다",
	} {
		if !strings.Contains(ko, want) {
			t.Errorf("Korean problems lack %q:\n%s", want, ko)
		}
	}
	for _, english := range []string{"must be below", "qty must be positive", "already has a rule", "has no code", "must be regular"} {
		if strings.Contains(ko, english) {
			t.Errorf("Korean problems carry the English %q:\n%s", english, ko)
		}
	}
	en := strings.Join(fileProblemLines(bot.English, fe), "\n")
	if !strings.Contains(en, "in the rule for 005930 the buy price 75,000 must be below the sell price 65,000") {
		t.Errorf("English problems:\n%s", en)
	}
}

// The YAML library's own problems (a bad indent, an open quote, a word
// where a number belongs) reach the owner in a catalog sentence that says
// what to look at, at the line, with the library's English only as the
// detail in parentheses (issue 12).
func TestRulesFileYAMLProblemsInTheOwnersLanguage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, file, line, ko, en string
	}{
		{"indent", "rules:\n  - code: \"005930\"\n    qty: 3\n   buy_below: 190000\n", "rules.yaml:4:", "들여쓰기를 위 줄과 맞추고", "Indent it as the line above"},
		{"open quote", "rules:\n  - code: \"005930\n    qty: 3\n", "rules.yaml:2:", "따옴표의 짝을 맞추세요", "close every quote"},
		{"tab", "rules:\n\t- code: \"005930\"\n", "rules.yaml:2:", "탭 대신 공백", "spaces, not tabs"},
		{"word for a number", "rules:\n  - code: \"005930\"\n    qty: three\n", "rules.yaml:3:", `qty 의 "three" 는 정수가 아닙니다`, `qty: "three" is not a whole number`},
		{"word for true", "rules:\n  - code: \"005930\"\n    qty: 1\n    buy_below: 1000\n    confirm: maybe\n", "rules.yaml:5:", `confirm 의 "maybe" 는 true 나 false`, "must be true or false"},
		{"too large", "rules:\n  - code: \"005930\"\n    qty: 99999999999999999999999\n", "rules.yaml:3:", "너무 큽니다", "is too large"},
		{"key twice", "rules:\n  - code: \"005930\"\n    qty: 3\n    qty: 4\n", "rules.yaml:4:", `"qty" 가 두 번`, "appears twice"},
		{"not a list", "rules: 3\n", "rules.yaml:1:", "rules: 는 목록이어야", "rules: must be a list"},
		{"item not a mapping", "rules:\n  - 3\n", "rules.yaml:2:", "1번째 규칙은", "Rule 1 must be a mapping"},
		{"a list on top", "- a\n- b\n", "rules.yaml:1:", "rules: 로 시작하는", "mapping starting with rules:"},
		{"cooldown", "rules:\n  - code: \"005930\"\n    qty: 1\n    buy_below: 1000\n    cooldown: soon\n", "rules.yaml:5:", `cooldown "soon" 는 시간이 아닙니다`, "is not a duration"},
		{"code", "rules:\n  - code: [1]\n    qty: 1\n", "rules.yaml:2:", "6자리 종목코드여야", "6-character stock code"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := strategy.ParseRules("rules.yaml", []byte(tc.file))
			var fe *strategy.FileError
			if !errors.As(err, &fe) {
				t.Fatalf("ParseRules: %v, want a FileError", err)
			}
			for _, p := range fe.Problems {
				if p.Key == "" {
					t.Errorf("problem %q has no catalog sentence", p.Msg)
				}
			}
			ko, en := strings.Join(fileProblemLines(bot.Korean, fe), "\n"), strings.Join(fileProblemLines(bot.English, fe), "\n")
			if !strings.HasPrefix(ko, tc.line) || !strings.Contains(ko, tc.ko) {
				t.Errorf("Korean: %s\nwant %q at %q", ko, tc.ko, tc.line)
			}
			if !strings.HasPrefix(en, tc.line) || !strings.Contains(en, tc.en) {
				t.Errorf("English: %s\nwant %q at %q", en, tc.en, tc.line)
			}
			// The Korean sentence is the catalog's: outside the quoted
			// detail in parentheses, no English words.
			outside := regexp.MustCompile(`\([^()]*\)|"[^"]*"`).ReplaceAllString(strings.TrimPrefix(ko, "rules.yaml:"), "")
			if w := regexp.MustCompile(`\b(is|not|must|the|found|could|value)\b`).FindString(outside); w != "" {
				t.Errorf("Korean line carries English %q: %s", w, ko)
			}
		})
	}
}
