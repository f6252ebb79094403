package bot

import (
	"context"
	"strings"
	"testing"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/paper"
	"github.com/hoga-trade/hoga/clock"
)

// TestPaperRefusalsSpeakTheUsersLanguage holds issue 12, item 12 for the
// refusals hoga itself makes as the paper exchange: the trial read
// "❌ 브로커가 주문을 거부했습니다: [paper] limit price 1 is outside today's
// price limits 138600–257000" in a Korean reply. Each refusal in Korean
// has no English sentence, and each says its numbers.
func TestPaperRefusalsSpeakTheUsersLanguage(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(t0)
	ex, err := paper.New(paper.Options{Cash: 1_000_000, Seed: 1, Clock: clk, Freeze: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ex.Close() })
	q, err := ex.Quote(context.Background(), "005930")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lang Lang
		in   string
		want string
	}{
		{Korean, "/buy 005930 1 1", "지정가 1원이 오늘 가격제한폭(하한가 " + Group(q.LowerLimit) + "원 ~ 상한가 " + Group(q.UpperLimit) + "원)을 벗어납니다"},
		{Korean, "/sell 005930 5", "매도가능 0주"},
		{Korean, "/buy 005930 100", "예수금이 부족합니다"},
		{Korean, "/price 999999", "가상 거래소에 없는 종목"},
		{Korean, "/cancel P0000999", "P0000999"},
		{English, "/buy 005930 1 1", "the limit price 1 won is outside today's price limits"},
		{English, "/sell 005930 5", "0 sellable"},
	} {
		r, _ := newTestRouter(t, nil, func(c *Config) { c.Broker = ex; c.Lang = tc.lang })
		got := r.Handle(context.Background(), Request{Text: tc.in, UserID: "console", Source: "console"}).Text
		if !strings.Contains(got, tc.want) {
			t.Errorf("%s %q = %q; want it to contain %q", tc.lang, tc.in, got, tc.want)
		}
		if tc.lang == Korean {
			if run := englishRun.FindString(notProse.ReplaceAllString(got, " ")); run != "" {
				t.Errorf("%q: English %q in the Korean reply %q", tc.in, run, got)
			}
		}
	}
	_ = broker.Buy
}
