package bot

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/strategy"
)

// The engine is the router's rule book.
var _ RuleBook = (*strategy.Engine)(nil)

type recordSink struct {
	mu     sync.Mutex
	alerts []Alert
}

func (s *recordSink) SendAlert(_ context.Context, a Alert) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.alerts = append(s.alerts, a)
	return nil
}

func strategyEvents() []strategy.Event {
	r := strategy.Rule{Code: "005930", BuyBelow: 65_000, SellAbove: 75_000, Qty: 10, Type: broker.Limit, MaxPosition: 50, Enabled: true}
	buy := broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 10, Price: 64_900, Source: "strategy", User: "rule:005930"}
	sell := broker.OrderRequest{Code: "005930", Side: broker.Sell, Type: broker.Market, Qty: 3, Source: "strategy", User: "rule:005930"}
	at := time.Date(2026, 3, 10, 10, 0, 0, 0, broker.KST())
	ev := func(k strategy.EventKind, side broker.Side, req broker.OrderRequest, err error) strategy.Event {
		return strategy.Event{Kind: k, Time: at, Rule: r, Name: "삼성전자", Side: side, Price: 64_800, Request: req, Err: err}
	}
	placed := ev(strategy.EventPlaced, broker.Buy, buy, nil)
	placed.Order = broker.Order{ID: "0000117"}
	return []strategy.Event{
		placed,
		ev(strategy.EventAsked, broker.Sell, sell, nil),
		ev(strategy.EventRejected, broker.Buy, buy, &broker.Error{Kind: broker.Rejected, Code: "APBK0919", Msg: "주문가능금액을 초과 했습니다"}),
		ev(strategy.EventUnknown, broker.Buy, buy, &broker.Error{Kind: broker.UnknownOutcome, Msg: "timeout"}),
		ev(strategy.EventLimit, broker.Buy, buy, &broker.Error{Kind: broker.LimitExceeded, Msg: "20 orders today"}),
		ev(strategy.EventSkipped, broker.Buy, broker.OrderRequest{}, nil),
		ev(strategy.EventSkipped, broker.Sell, broker.OrderRequest{}, nil),
		ev(strategy.EventDisabled, broker.Buy, buy, &broker.Error{Kind: broker.Transient, Msg: "connection <reset>"}),
		ev(strategy.EventRearmed, broker.Buy, broker.OrderRequest{}, nil),
		{Kind: strategy.EventHalted, Time: at},
		ev(strategy.EventQuoteFailed, 0, broker.OrderRequest{}, errors.New("dial tcp: refused")),
		{Kind: strategy.EventQuoteFailed, Time: at, Reason: "balance", Err: &broker.Error{Kind: broker.Auth, Code: "EGW00123", Msg: "token expired"}},
		{Kind: strategy.EventHalted, Time: at, Reason: strategy.PauseUnattended},
	}
}

func TestStrategyEventsInBothLanguages(t *testing.T) {
	t.Parallel()
	for _, lang := range []Lang{Korean, English} {
		f := NewFeed(FeedConfig{Lang: lang})
		for _, ev := range strategyEvents() {
			a := f.FormatStrategyEvent(ev)
			if a.Text == "" || strings.Contains(a.Text, "%!") || strings.Contains(a.Text, "strategy.") {
				t.Errorf("%s %s: bad text %q", lang, ev.Kind, a.Text)
			}
			if strings.Contains(a.Text, "<reset>") {
				t.Errorf("%s %s: broker text not escaped: %q", lang, ev.Kind, a.Text)
			}
			wantType := AlertStrategy
			if ev.Kind == strategy.EventQuoteFailed {
				wantType = AlertErrors
			}
			if a.Type != wantType || a.Silent != (ev.Kind == strategy.EventRearmed) {
				t.Errorf("%s %s: type %s silent %t", lang, ev.Kind, a.Type, a.Silent)
			}
		}
	}
}

// Issue 19, item 5: a pause for a lost Telegram must not read as a halt
// that /resume would lift.
func TestUnattendedPauseIsNotAHalt(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		lang      Lang
		want, not string
	}{
		{Korean, "텔레그램", "/resume"},
		{English, "Telegram", "/resume"},
	} {
		a := NewFeed(FeedConfig{Lang: tc.lang}).FormatStrategyEvent(strategy.Event{Kind: strategy.EventHalted, Reason: strategy.PauseUnattended})
		if !strings.Contains(a.Text, tc.want) || strings.Contains(a.Text, tc.not) {
			t.Errorf("%s: %q", tc.lang, a.Text)
		}
	}
}

func TestStrategyEventText(t *testing.T) {
	t.Parallel()
	evs := strategyEvents()
	tests := []struct {
		lang Lang
		ev   strategy.Event
		want string
	}{
		{Korean, evs[0], "🤖 자동매매 삼성전자 (005930) 현재가 64,800원 (65,000원 미만) → 매수 10주 64,900원 주문 접수, 주문번호 0000117"},
		{English, evs[0], "🤖 Rule 삼성전자 (005930): price 64,800 won (below 65,000 won) → Buy 10 sh at 64,900 won placed, no. 0000117"},
		{Korean, evs[4], "⛔ 자동매매 삼성전자 (005930) 매수 10주 64,900원 주문이 위험 한도에 걸렸습니다: 20 orders today — 가격이 65,650원 이상으로 돌아간 뒤 다시 발동합니다"},
		{English, evs[7], "🛑 Rule 삼성전자 (005930) turned off: 3 failures in a row, last error connection &lt;reset&gt; — check the cause, then <code>/rule on 005930</code>"},
		{English, evs[11], "⚠️ Strategy: the balance failed 3 times in a row: [EGW00123] token expired — no rule orders until the holdings can be checked"},
	}
	for _, tc := range tests {
		got := NewFeed(FeedConfig{Lang: tc.lang}).FormatStrategyEvent(tc.ev).Text
		if got != tc.want {
			t.Errorf("%s %s\n got %s\nwant %s", tc.lang, tc.ev.Kind, got, tc.want)
		}
	}
}

func TestStrategyEventPublishes(t *testing.T) {
	t.Parallel()
	f := NewFeed(FeedConfig{Lang: English, Settings: AlertSettings{AlertStrategy: LevelSilent}})
	sink := &recordSink{}
	f.AddSink(sink)
	f.StrategyEvent(context.Background(), strategyEvents()[0])
	f.StrategyEvent(context.Background(), strategyEvents()[10])
	if len(sink.alerts) != 2 || !sink.alerts[0].Silent || sink.alerts[1].Silent {
		t.Fatalf("alerts %+v", sink.alerts)
	}
	if errs := f.RecentErrors(); len(errs) != 1 || !strings.Contains(errs[0], "quotes failed") {
		t.Fatalf("recent errors %q", errs)
	}
	// A pause because Telegram is lost is announced once, by the transport
	// (alert.surface_down, with its reason); the day-of-use trial got both.
	f.StrategyEvent(context.Background(), strategy.Event{Kind: strategy.EventHalted, Reason: strategy.PauseUnattended})
	if len(sink.alerts) != 2 {
		t.Fatalf("the unattended pause was published too: %+v", sink.alerts[2:])
	}
}
