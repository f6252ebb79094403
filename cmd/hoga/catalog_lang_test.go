package main

import (
	"testing"
	"unicode"

	"github.com/hoga-trade/hoga/bot"
)

// TestEnglishTextsHaveNoKorean: with HOGA_LANG=en, setup and check speak
// English throughout. The trial run of issue 12 found setup asking to press
// [확인] (the button reads [Confirm] in English) and hoga check writing
// "198,000원" where every other English reply writes "198,000 won". The
// mode menu names the brokers' own Korean terms on purpose (모의투자, 실전:
// what their portals call the two apps).
func TestEnglishTextsHaveNoKorean(t *testing.T) {
	allowed := map[string]bool{"setup mode.menu": true}
	for name, c := range map[string]map[bot.Lang]map[string]string{"setup": setupTexts, "check": checkTexts, "paper": paperTexts} {
		for k, v := range c[bot.English] {
			if allowed[name+" "+k] {
				continue
			}
			for _, r := range v {
				if unicode.Is(unicode.Hangul, r) {
					t.Errorf("%s %s: %q has Korean in English", name, k, v)
					break
				}
			}
		}
	}
}
