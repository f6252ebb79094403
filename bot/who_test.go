package bot

import (
	"context"
	"strings"
	"testing"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/strategy"
	"github.com/hoga-trade/hoga/strategy/exits"
)

// A protective exit's sell says which exit sold: the fill alert read
// "[자동매매 규칙 exit:005930:stop]", hoga's internal user id (issue 12,
// /stop walked through the fake brokers).
func TestWhoNamesTheExit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		lang     Lang
		by, want string
	}{
		{Korean, "strategy:exit:005930:stop", "손절(005930)"},
		{English, "strategy:exit:005930:trail", "trailing stop (005930)"},
		{Korean, "strategy:rule:005930", "자동매매 규칙 005930"},
		{English, "telegram:111", "Telegram user 111"},
	} {
		if got := Who(tc.lang, tc.by); got != tc.want {
			t.Errorf("Who(%s, %q) = %q, want %q", tc.lang, tc.by, got, tc.want)
		}
	}
}

// A rule that first acts on a streamed trade has no quote's name: its
// alert read "🤖 Rule 005930: …" where a polled one read "삼성전자
// (005930)"; and it said nothing of the account (issue 12, Kiwoom walk in
// live mode).
func TestStrategyAlertNamesTheStockAndMode(t *testing.T) {
	t.Parallel()
	f := NewFeed(FeedConfig{Lang: English, Mode: "live", Names: func(c broker.Code) string {
		if c == "005930" {
			return "삼성전자"
		}
		return ""
	}})
	rule := strategy.Rule{Code: "005930", BuyBelow: 197_000, Qty: 1, Enabled: true}
	ev := strategy.Event{Kind: strategy.EventPlaced, Rule: rule, Side: broker.Buy, Price: 196_500,
		Request: broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 196_900},
		Order:   broker.Order{ID: "0000004"}}
	got := f.FormatStrategyEvent(ev).Text
	if !strings.HasPrefix(got, "🤖 Rule (LIVE) 삼성전자 (005930): price 196,500 won") {
		t.Errorf("alert %q", got)
	}
}

// A rule stopped by a risk limit says so in Korean: the alert quoted the
// guard's English log sentence ("[daily_orders] 20 orders already sent
// today …", issue 12).
func TestStrategyLimitAlertIsInTheOwnersLanguage(t *testing.T) {
	t.Parallel()
	f := NewFeed(FeedConfig{Lang: Korean, Mode: "mock"})
	rule := strategy.Rule{Code: "005930", SellAbove: 210_000, Qty: 10, Enabled: true}
	req := broker.OrderRequest{Code: "005930", Side: broker.Sell, Type: broker.Limit, Qty: 10, Price: 210_500}
	for _, tc := range []struct {
		err  *broker.Error
		want string
	}{
		{(&broker.Error{Kind: broker.LimitExceeded, Code: "daily_orders", Msg: "20 orders already sent today (KST), the daily limit is 20 across all sources"}).
			Saying("guard.daily_orders", 20, 20), "오늘 20건을 보내 하루 주문 한도 20건에 도달했습니다"},
		{(&broker.Error{Kind: broker.LimitExceeded, Code: "order_krw", Err: &broker.OrderValue{Qty: 10, Price: 210_500, Amount: 2_105_000, Limit: 1_000_000}}).
			Saying("guard.order_krw", int64(10), int64(210_500), int64(2_105_000), int64(1_000_000)), "주문 금액 10주 × 210,500원 = 2,105,000원이 1회 한도 1,000,000원을 넘습니다"},
	} {
		got := f.FormatStrategyEvent(strategy.Event{Kind: strategy.EventLimit, Rule: rule, Name: "삼성전자", Side: broker.Sell, Price: 210_600, Request: req, Err: tc.err}).Text
		if !strings.Contains(got, tc.want) || strings.Contains(got, "orders already") || strings.Contains(got, "[") {
			t.Errorf("alert %q, want %q and no English", got, tc.want)
		}
	}
}

// An exit that fires on a streamed trade names the stock, and /cancel
// answers with the number as the broker writes it (issue 12, Kiwoom walk:
// "🛑 005930 손절(-1%) 발동" and "주문 2 취소 요청 완료" beside the alert's
// 0000002).
func TestExitAlertNameAndCancelNumber(t *testing.T) {
	t.Parallel()
	f := NewFeed(FeedConfig{Lang: Korean, Names: func(broker.Code) string { return "삼성전자" }})
	ev := exits.Event{Kind: exits.EventFired, Exit: exits.Exit{Code: "005930", Kind: exits.Stop, BP: -100}, Price: 190_000, Level: 195_100, Avg: 197_150,
		Request: broker.OrderRequest{Code: "005930", Side: broker.Sell, Type: broker.Market, Qty: 2}, Order: broker.Order{ID: "0000005"}}
	if got := f.FormatExitEvent(ev).Text; !strings.HasPrefix(got, "🛑 삼성전자 (005930) 손절(-1%) 발동") {
		t.Errorf("exit alert %q", got)
	}

	b := newFakeBroker()
	r, _ := newTestRouter(t, b, nil)
	ctx := context.Background()
	o, err := b.PlaceOrder(ctx, broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 2, Price: 70_000})
	if err != nil {
		t.Fatal(err)
	}
	short := strings.TrimLeft(o.ID, "0")
	got := r.Handle(ctx, Request{Text: "/cancel " + short, UserID: "console", Source: "console"}).Text
	if !strings.Contains(got, "<code>"+o.ID+"</code>") {
		t.Errorf("/cancel %s = %q, want the number %s", short, got, o.ID)
	}
}
