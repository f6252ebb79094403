package bot

import (
	"context"
	"testing"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/pnl"
	"github.com/hoga-trade/hoga/pnl/pnltest"
)

// TestProfitAndDailyMatchTheHandTable renders pnl's hand-computed table
// (pnl.TestHandComputedTable works it out): realised 57,582 on 03-10 and
// −26,505 + 29,678 = 3,173 on 03-11, to the won.
func TestProfitAndDailyMatchTheHandTable(t *testing.T) {
	t.Parallel()
	src, end := pnltest.HandTable()
	source := func(ctx context.Context, n int) (pnl.Report, error) { return pnl.Compute(ctx, src, end, n) }
	tests := []struct {
		lang Lang
		in   string
		want string
	}{
		{Korean, "/daily 3", "<b>일별 손익</b> (최근 3일)\n" +
			"03-11 실현 +3,173원 · 매수 0 · 매도 850,000 · 체결 2건 · 비용 1,827\n" +
			"03-10 실현 +57,582원 · 매수 370,000 · 매도 1,125,000 · 체결 2건 · 비용 2,473\n" +
			"03-09 실현 0원 · 매수 1,420,000 · 매도 0 · 체결 2건 · 비용 213\n" +
			"합계 실현 +60,755원 · 순손익 +60,487원"},
		{Korean, "/profit 3", "<b>손익</b> (최근 3일, 체결 기준)\n" +
			"실현손익 +60,755원 (매도 3건, 매도 수수료·세금 차감)\n" +
			"수수료 563원 · 세금 3,950원\n" +
			"매수 수수료까지 뺀 순손익 +60,487원\n" +
			"평가손익 0원 (보유 0종목, 현재가 기준)"},
		{English, "/daily 2", "<b>Daily profit</b> (last 2 days)\n" +
			"03-11 realised +3,173 won · bought 0 · sold 850,000 · 2 fills · costs 1,827\n" +
			"03-10 realised +57,582 won · bought 370,000 · sold 1,125,000 · 2 fills · costs 2,473\n" +
			"Total realised +60,755 won · net +60,700 won"},
		{English, "/performance 3", "<b>Profit per stock</b> (last 3 days)\n" +
			"삼성전자 (005930) realised +31,077 won · sold 2 times (1 profitable) · costs 4,191\n" +
			"000660 realised +29,678 won · sold 1 time (1 profitable) · costs 322"},
		{Korean, "/daily 1", "03-11 실현 +3,173원"}, // yesterday's buys still count as cost
		// /balance adds today's trading from the same fills (issue 14).
		{Korean, "/balance", "오늘 실현손익 +3,173원 (매도 2건, 매도 수수료·세금 차감)\n오늘 수수료 127원 · 세금 1,700원"},
		{English, "/balance", "Realised today +3,173 won (2 sells, after their commission and tax)\nToday's commission 127 won · tax 1,700 won"},
		{Korean, "/daily 0", "사용법: <code>/profit [일수]</code>"},
		{English, "/daily x", "Usage: <code>/profit [days]</code>"},
	}
	for _, tc := range tests {
		r, _ := newTestRouter(t, newFakeBroker(), func(c *Config) {
			c.PnL, c.Lang = source, tc.lang
			c.Stocks = map[broker.Code]string{"005930": "삼성전자"}
		})
		got := r.Handle(context.Background(), Request{Text: tc.in, UserID: "console", Source: "console"}).Text
		if tc.want[0] == '<' && got != tc.want || tc.want[0] != '<' && !contains(got, tc.want) {
			t.Errorf("%s %q\n got %q\nwant %q", tc.lang, tc.in, got, tc.want)
		}
	}
}

func contains(s, sub string) bool { return len(sub) <= len(s) && (s == sub || indexOf(s, sub) >= 0) }

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}
