package bot

import (
	"context"
	"strings"
	"testing"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/strategy"
)

// TestStockNamesWhereCodesGo: /price with no code lists the known stocks,
// and a name (as typed: spaces, Latin case) works wherever a code does,
// from the offline table or from a quote already shown (issue 12 item 14,
// issue 19 item 15).
func TestStockNamesWhereCodesGo(t *testing.T) {
	t.Parallel()
	r, _ := newTestRouter(t, newFakeBroker(), func(c *Config) {
		c.Stocks = map[broker.Code]string{"005930": "삼성전자", "000660": "SK하이닉스"}
	})
	ctx := context.Background()
	ask := func(in string) string {
		return r.Handle(ctx, Request{Text: in, UserID: "111", Source: "telegram", Sent: t0}).Text
	}
	if got := ask("/price"); !strings.Contains(got, "<code>000660</code> SK하이닉스\n<code>005930</code> 삼성전자") {
		t.Errorf("/price lists %q", got)
	}
	if got := ask("/price 삼성전자"); !strings.Contains(got, "71,500원") {
		t.Errorf("/price 삼성전자 = %q", got)
	}
	if got := ask("/price sk 하이닉스"); strings.Contains(got, "아는 종목명도 아닙니다") {
		t.Errorf("/price sk 하이닉스 not looked up: %q", got)
	}
	req, problem := r.ParseOrder(broker.Buy, []string{"삼성전자", "3", "70000"})
	if problem != "" || req.Code != "005930" {
		t.Errorf("ParseOrder by name = %+v, %q", req, problem)
	}
	if got := ask("/price 없는회사"); !strings.Contains(got, "아는 종목명도 아닙니다") {
		t.Errorf("unknown name = %q", got)
	}

	// Without the table, a name learned from a quote shown earlier.
	r2, _ := newTestRouter(t, newFakeBroker(), nil)
	if _, ok := r2.lookupCode("삼성전자"); ok {
		t.Fatal("name known before any quote")
	}
	r2.Handle(ctx, Request{Text: "/price 005930", UserID: "111", Source: "telegram", Sent: t0})
	if code, ok := r2.lookupCode("삼성전자"); !ok || code != "005930" {
		t.Errorf("after a quote: %q %v", code, ok)
	}
}

// TestRuleTurnedOffByTheEngineReadsOff: /rules said 켜짐 for a rule the
// engine had turned off while /status counted it off (issue 12 item 8).
func TestRuleTurnedOffByTheEngineReadsOff(t *testing.T) {
	t.Parallel()
	r, _ := newTestRouter(t, newFakeBroker(), nil)
	rs := strategy.RuleStatus{Rule: strategy.Rule{Code: "005930", BuyBelow: 190_000, Qty: 3, Type: broker.Limit, Enabled: true},
		Failures: 3, Disabled: "quote failed 3 times in a row"}
	got := r.FormatRule(rs)
	if strings.Contains(got, "켜짐") || !strings.Contains(got, "꺼짐") || strings.Contains(got, "quote failed") {
		t.Errorf("FormatRule = %q", got)
	}
}

// The mode and the broker read as the owner knows them in /help, /status
// and the start-up alert: the day-of-use trial of issue 19 read "(실전 ·
// kis)" and "Broker: kis".
func TestModeAndBrokerLabels(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		lang         Lang
		mode, broker string
		want         string
	}{
		{Korean, "live", "kis", "실전 · 한국투자증권"},
		{Korean, "mock", "kiwoom", "모의투자 · 키움증권"},
		{English, "live", "kis", "LIVE · KIS"},
		{English, "paper", "paper", "paper trading · paper exchange"},
		{English, "", "<fake>", "mock · &lt;fake&gt;"},
	} {
		if got := ModeLabel(tc.lang, tc.mode) + " · " + BrokerLabel(tc.lang, tc.broker); got != tc.want {
			t.Errorf("%s %s/%s = %q, want %q", tc.lang, tc.mode, tc.broker, got, tc.want)
		}
	}
}

// A fill learned from the broker's list carries only the code; the alert
// names the stock as hoga knows it (the day-of-use trial of issue 19 read
// "매수 005930 10주" in every fill alert).
func TestFillAlertNamesTheStock(t *testing.T) {
	t.Parallel()
	r, _ := newTestRouter(t, newFakeBroker(), nil)
	r.learnName(broker.Quote{Code: "000660", Name: "SK하이닉스"})
	if got := r.NameOf("000660"); got != "SK하이닉스" {
		t.Fatalf("NameOf(000660) = %q", got)
	}
	if got := r.NameOf("999999"); got != "" {
		t.Fatalf("NameOf(999999) = %q, want none", got)
	}
	f := NewFeed(FeedConfig{Lang: Korean, Mode: "live", Names: r.NameOf})
	ev := broker.OrderEvent{Kind: broker.EventFilled,
		Request: broker.OrderRequest{Code: "000660", Side: broker.Buy, Type: broker.Market, Qty: 2, Source: "telegram", User: "111"},
		Order:   broker.Order{ID: "0000000007", Code: "000660", Qty: 2, FilledQty: 2, AvgFillPrice: 198_500},
		Fill:    broker.Fill{Qty: 2, Price: 198_500}}
	got := f.FormatOrderEvent(ev).Text
	if !strings.Contains(got, "\n매수 SK하이닉스(000660) 2주 @ 198,500원\n") {
		t.Errorf("fill alert:\n%s", got)
	}
}

// An order's reply says the mode it was placed in, as its fill alert does
// (issue 12, item 15): a mock "accepted" is never read as money, and the
// paper tag no longer nests parentheses ("(페이퍼 (가상))").
func TestOrderReplyCarriesTheMode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		mode string
		lang Lang
		want string
	}{
		{"paper", Korean, "✅ 매수 주문 접수 (가상 거래): "},
		{"mock", Korean, "✅ 매수 주문 접수 (모의투자): "},
		{"mock", English, "✅ Buy order accepted (mock): "},
	} {
		r, _ := newTestRouter(t, newFakeBroker(), func(c *Config) { c.Mode, c.Lang = tc.mode, tc.lang })
		got := r.Handle(context.Background(), Request{Text: "/buy 005930 1 70000", UserID: "111", Source: "console"}).Text
		if !strings.Contains(got, tc.want) {
			t.Errorf("%s %s: %q lacks %q", tc.mode, tc.lang, got, tc.want)
		}
	}
}
