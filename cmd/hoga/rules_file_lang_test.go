package main

import (
	"errors"
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
