package main

import (
	"strings"
	"testing"

	"github.com/hoga-trade/hoga/clock"
)

// A Kiwoom token that expires early makes the client wait out its minute
// between issuances, refusing orders meanwhile (nothing is sent). That
// refusal reached the owner in the client's English inside a Korean reply
// ("Kiwoom refused the access token; hoga waits 1m0s …"). Through run(),
// in both languages: the reply is the catalog's sentence, with the wait.
func TestKiwoomTokenWaitSaidInTheUsersLanguage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		lang, after, want string
	}{
		{"ko", "[8005] 인증에 실패했습니다[8005:Token이 유효하지 않습니다] — 새 토큰은 60초 뒤에 다시 받습니다. 이 주문은 보내지 않았습니다",
			"토큰은 1분에 한 번만 새로 받으므로 60초 뒤에 다시 받습니다"},
		{"en", "[8005] 인증에 실패했습니다[8005:Token이 유효하지 않습니다] — a new token is asked for in 60 s. This order was not sent",
			"hoga gets a new token at most once a minute, so it asks again in 60 s"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			t.Parallel()
			clk := clock.NewFake(kstAt(2026, 12, 4, 10, 0, 0))
			fb := kiwoomSkewCase().start(t, clk, 0, t.TempDir())
			base := fb.getenv
			fb.getenv = func(k string) string {
				if k == "HOGA_LANG" {
					return tc.lang
				}
				return base(k)
			}
			h := startOn(t, clk, fb)
			h.send("/balance") // the token is in use
			waitFor(t, "the balance", func() bool { return strings.Contains(h.out.String(), "10,000,000") })
			fb.expireTokens()
			// The order that meets the expired token: Kiwoom's own refusal
			// (Korean), with the wait in the user's words. The next one in
			// the same minute: the client's, in the user's words.
			h.send("/buy 005930 1 70000")
			waitFor(t, "the first refusal", func() bool { return strings.Contains(h.out.String(), tc.after) })
			h.send("/buy 005930 2 70000")
			waitFor(t, "the refusal within the minute", func() bool { return strings.Contains(h.out.String(), tc.want) })
			if out := h.out.String(); strings.Contains(out, "Kiwoom refused") || strings.Contains(out, "hoga waits") {
				t.Fatalf("the client's English reached the owner:\n%s", out)
			}
			if n := fb.orders(); n != 0 {
				t.Fatalf("%d orders at the broker; want none", n)
			}
		})
	}
}
