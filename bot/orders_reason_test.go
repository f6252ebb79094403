package bot

import (
	"strings"
	"testing"

	"github.com/hoga-trade/hoga/broker"
)

// /orders words a stored rejection in the reader's language (issue 12,
// item 12): hoga's own refusal from its catalog sentence, a row journaled
// before the sentence was kept by its kind (never the log's English in a
// Korean reply), and a broker's Korean message as the broker said it.
func TestStoredRejectionInTheReadersLanguage(t *testing.T) {
	t.Parallel()
	english := "limit price 100000 is outside today's price limits 138600–257000"
	withSay := (&broker.Error{Kind: broker.Invalid, Code: "paper", Msg: english}).
		Saying("market.outside_limits", int64(100_000), int64(138_600), int64(257_000))
	old := &broker.Error{Kind: broker.Invalid, Code: "paper", Msg: english}
	kis := &broker.Error{Kind: broker.InsufficientFunds, Code: "40580000", Msg: "모의투자 주문가능금액을 초과 했습니다"}
	kisEnglish := &broker.Error{Kind: broker.Auth, Code: "EGW00123", Msg: "token expired"}
	tests := []struct {
		name   string
		lang   Lang
		err    *broker.Error
		want   string
		absent string
	}{
		{"ko_new_row", Korean, withSay, "거부 (지정가 100,000원이 오늘 가격제한폭(하한가 138,600원 ~ 상한가 257,000원)을 벗어납니다)", "limit price"},
		{"en_new_row", English, withSay, "the limit price 100,000 won is outside today's price limits (138,600 – 257,000 won)", "[paper]"},
		{"ko_old_row", Korean, old, "거부 (가상 거래소가 받지 않음)", "limit price"},
		{"ko_old_row_guard", Korean, &broker.Error{Kind: broker.Invalid, Msg: "order 12 has 3 shares open"}, "거부 (주문 조건이 맞지 않음)", "shares"},
		{"en_old_row", English, old, "limit price 100000 is outside today", "주문"},
		{"ko_broker_korean", Korean, kis, "[40580000] 모의투자 주문가능금액을 초과 했습니다", "잔고 부족"},
		{"ko_broker_english", Korean, kisEnglish, "인증 거부 [EGW00123]", "token expired"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := statusText(tt.lang, broker.Order{Status: broker.StatusRejected, Err: tt.err})
			if !strings.Contains(got, tt.want) || strings.Contains(got, tt.absent) {
				t.Errorf("status = %q; want %q and no %q", got, tt.want, tt.absent)
			}
		})
	}
}
