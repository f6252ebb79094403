package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/pnl"
	"github.com/hoga-trade/hoga/pnl/pnltest"
	"github.com/hoga-trade/hoga/strategy"
	"github.com/hoga-trade/hoga/strategy/exits"
)

// Issue 17, Done when 3: the close report's text in Korean and English,
// golden. The day is TestGoldenReplies': 2 of 3 shares sold at 72,000
// against yesterday's 70,000 (realised +3,691), one stock held, one rule,
// one stop-loss, two errors.
func TestCloseReportGolden(t *testing.T) {
	t.Parallel()
	b := newFakeBroker()
	b.SetBalance(broker.Balance{Cash: 9_785_000, Orderable: 9_785_000, StockValue: 71_500, Total: 9_856_500, Cost: 70_000, PnL: 1_500,
		Positions: []broker.Position{{Code: "005930", Name: "삼성전자", Qty: 1, AvgPrice: 70_000, Price: 71_500, Cost: 70_000, Value: 71_500, PnL: 1_500, PnLPct: 2.14}}})
	rule := strategy.Rule{Code: "005930", BuyBelow: 65_000, SellAbove: 75_000, Qty: 3, Type: broker.Limit, Enabled: true}
	in := CloseReportInput{Errors: 2, ErrorLines: []string{"11:02:13 ⚠️ 005930 시세 조회 실패: 증권사 응답 없음", "14:55:40 ⚠️ <token> refresh failed"}}
	for _, lang := range []Lang{Korean, English} {
		book, err := exits.New(exits.Options{Broker: heldBroker{}})
		if err != nil {
			t.Fatal(err)
		}
		r, _ := newTestRouter(t, b, func(c *Config) {
			c.Lang, c.Mode = lang, "mock"
			c.PnL = todaysFills
			c.Rules = &positionedRules{list: []strategy.RuleStatus{{Rule: rule, BuyArmed: true, SellArmed: true, LastPrice: 71_500, Held: 1, PositionKnown: true}}}
			c.Exits = book
			c.Stocks = map[broker.Code]string{"005930": "삼성전자"}
		})
		if got := r.Handle(context.Background(), Request{Text: "/stop 005930 -5%", UserID: "console", Source: "console"}).Text; !strings.Contains(got, "66,500") {
			t.Fatalf("/stop: %s", got)
		}
		golden(t, string(lang)+"_report", r.CloseReport(context.Background(), in))
		// Sent again after a crash before delivery: the same with a note.
		again := r.CloseReport(context.Background(), CloseReportInput{Again: true})
		if !strings.Contains(again, r.t("report.again")) {
			t.Errorf("%s: a repeated report without its note:\n%s", lang, again)
		}
	}
}

// A quiet day: no fills, no errors, nothing to watch, and a broker that
// cannot give the balance: each part says so, the report still goes.
func TestCloseReportQuietDay(t *testing.T) {
	t.Parallel()
	b := newFakeBroker()
	b.Fail("balance", &broker.Error{Kind: broker.Transient, Code: "EGW00201", Msg: "server busy"})
	r, _ := newTestRouter(t, b, func(c *Config) {
		c.PnL = func(ctx context.Context, n int) (pnl.Report, error) { return pnl.Compute(ctx, pnltest.Days{}, t0, n) }
		c.Rules = &positionedRules{}
	})
	got := r.CloseReport(context.Background(), CloseReportInput{})
	for _, want := range []string{"오늘 체결이 없습니다.", "잔고를 읽지 못했습니다:", "자동매매 규칙과 손절·익절이 없습니다.", "오늘 오류 없음."} {
		if !strings.Contains(got, want) {
			t.Errorf("quiet report lacks %q:\n%s", want, got)
		}
	}
	// hoga restarted at 12:30: the errors before are not counted, and the
	// report says so.
	got = r.CloseReport(context.Background(), CloseReportInput{Since: t0.Add(150 * time.Minute)})
	for _, want := range []string{"오늘 오류 없음.\n(오류는 hoga가 시작한 12:30:00 이후만 셉니다.)"} {
		if !strings.Contains(got, want) {
			t.Errorf("quiet report lacks %q:\n%s", want, got)
		}
	}
}
