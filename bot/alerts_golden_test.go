package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/strategy"
)

// TestGoldenAlerts renders every alert hoga sends — each order event,
// each strategy event, the broker watch's, and the system alerts other
// packages publish from the catalog — in both languages, so a change to
// any of them shows in review (go test ./bot -update rewrites them).
func TestGoldenAlerts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	limit := broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 10, Price: 70_000, Source: "telegram", User: "111"}
	market := broker.OrderRequest{Code: "000660", Side: broker.Sell, Type: broker.Market, Qty: 2, Source: "strategy", User: "rule:000660"}
	placed := broker.Order{ID: "0000012345", Code: "005930", Name: "삼성전자", Side: broker.Buy, Type: broker.Limit, Qty: 10, Price: 70_000, Status: broker.StatusAccepted}
	filled := placed
	filled.Status, filled.FilledQty, filled.AvgFillPrice = broker.StatusFilled, 10, 69_900
	partial := placed
	partial.Status, partial.FilledQty, partial.AvgFillPrice = broker.StatusPartial, 6, 69_967
	sell := broker.OrderRequest{Code: "005930", Side: broker.Sell, Type: broker.Limit, Qty: 10, Price: 75_000, Source: "strategy", User: "rule:005930"}
	sold := placed
	sold.Side, sold.Price, sold.Status, sold.FilledQty, sold.AvgFillPrice = broker.Sell, 75_000, broker.StatusFilled, 10, 75_000
	noCash := &broker.Error{Kind: broker.InsufficientFunds, Code: "APBK0952", Msg: "주문가능금액을 초과 했습니다"}
	lost := &broker.Error{Kind: broker.UnknownOutcome, Msg: "timeout"}
	orderEvents := []struct {
		name string
		ev   broker.OrderEvent
	}{
		{"order.placed", broker.OrderEvent{Kind: broker.EventPlaced, Request: limit, Order: placed}},
		{"order.filled", broker.OrderEvent{Kind: broker.EventFilled, Request: limit, Order: filled,
			Fill: broker.Fill{Side: broker.Buy, Qty: 4, Price: 69_800, CumQty: 10, Commission: 41}}},
		{"order.partial", broker.OrderEvent{Kind: broker.EventPartial, Request: limit, Order: partial,
			Fill: broker.Fill{Side: broker.Buy, Qty: 6, Price: 69_967, CumQty: 6, Commission: 62}}},
		{"order.filled_sell_late", broker.OrderEvent{Kind: broker.EventFilled, Request: sell, Order: sold,
			Fill: broker.Fill{Side: broker.Sell, Qty: 10, Price: 75_000, CumQty: 10, Commission: 112, Tax: 1_500, CostPrice: 70_000, Late: true}}},
		{"order.filled_late_maybe_before_stop", broker.OrderEvent{Kind: broker.EventFilled, Request: limit, Order: filled,
			Fill: broker.Fill{Side: broker.Buy, Qty: 10, Price: 69_900, CumQty: 10, Commission: 104, Late: true,
				LateSince: time.Date(2026, 3, 3, 14, 59, 48, 0, broker.KST())}}},
		{"order.expired", broker.OrderEvent{Kind: broker.EventExpired, Request: limit, Order: partial}},
		{"order.cancelled_by_broker", broker.OrderEvent{Kind: broker.EventCancelled, Request: limit, Order: partial}},
		{"order.rejected", broker.OrderEvent{Kind: broker.EventRejected, Request: limit, Err: noCash}},
		{"order.rejected_plain_error", broker.OrderEvent{Kind: broker.EventRejected, Request: market, Err: errors.New("connection reset")}},
		{"order.unknown", broker.OrderEvent{Kind: broker.EventUnknown, Request: market, Err: lost}},
		{"order.reconciled_placed", broker.OrderEvent{Kind: broker.EventReconciled, Request: limit, Order: placed}},
		{"order.reconciled_never_placed", broker.OrderEvent{Kind: broker.EventReconciled, Request: market,
			Order: broker.Order{Code: "000660", Status: broker.StatusRejected, Err: &broker.Error{Kind: broker.Rejected, Code: "not_at_broker", Msg: "never placed"}},
			Err:   &broker.Error{Kind: broker.Rejected, Code: "not_at_broker", Msg: "never placed"}}},
		{"order.corrected", broker.OrderEvent{Kind: broker.EventCorrected, Request: limit, Order: placed,
			Err: &broker.Error{Kind: broker.UnknownOutcome, Code: "late_at_broker", Msg: "IS at the broker"}}},
		{"order.cancelled", broker.OrderEvent{Kind: broker.EventCancelled, Order: placed, By: "telegram:111"}},
		{"order.halted", broker.OrderEvent{Kind: broker.EventHalted, By: "telegram:111"}},
		{"order.resumed", broker.OrderEvent{Kind: broker.EventResumed, By: "console:console"}},
	}
	rule := strategy.Rule{Code: "005930", BuyBelow: 65_000, SellAbove: 75_000, Qty: 10, Type: broker.Limit, MaxPosition: 30, Enabled: true}
	buy := broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 10, Price: 64_900, Source: "strategy", User: "rule:005930"}
	strategyEvents := []struct {
		name string
		ev   strategy.Event
	}{
		{"strategy.placed", strategy.Event{Kind: strategy.EventPlaced, Rule: rule, Name: "삼성전자", Side: broker.Buy, Price: 64_900, Request: buy, Order: placed}},
		{"strategy.asked", strategy.Event{Kind: strategy.EventAsked, Rule: rule, Name: "삼성전자", Side: broker.Buy, Price: 64_900, Request: buy}},
		{"strategy.rejected", strategy.Event{Kind: strategy.EventRejected, Rule: rule, Name: "삼성전자", Side: broker.Buy, Price: 64_900, Request: buy, Err: noCash}},
		{"strategy.unknown", strategy.Event{Kind: strategy.EventUnknown, Rule: rule, Name: "삼성전자", Side: broker.Buy, Price: 64_900, Request: buy, Err: lost}},
		{"strategy.limit", strategy.Event{Kind: strategy.EventLimit, Rule: rule, Name: "삼성전자", Side: broker.Sell, Price: 75_100,
			Request: broker.OrderRequest{Code: "005930", Side: broker.Sell, Type: broker.Market, Qty: 10},
			Err:     &broker.Error{Kind: broker.LimitExceeded, Code: "daily_orders", Msg: "20 orders already sent today"}}},
		{"strategy.skipped_buy", strategy.Event{Kind: strategy.EventSkipped, Rule: rule, Name: "삼성전자", Side: broker.Buy, Price: 64_900}},
		{"strategy.skipped_sell", strategy.Event{Kind: strategy.EventSkipped, Rule: rule, Name: "삼성전자", Side: broker.Sell, Price: 75_100}},
		{"strategy.disabled", strategy.Event{Kind: strategy.EventDisabled, Rule: rule, Name: "삼성전자", Side: broker.Buy, Err: noCash}},
		{"strategy.rearmed", strategy.Event{Kind: strategy.EventRearmed, Rule: rule, Name: "삼성전자", Side: broker.Buy, Price: 66_000}},
		{"strategy.halted", strategy.Event{Kind: strategy.EventHalted, Reason: strategy.PauseHalted}},
		{"strategy.unattended", strategy.Event{Kind: strategy.EventHalted, Reason: strategy.PauseUnattended}},
		{"strategy.quote_failed", strategy.Event{Kind: strategy.EventQuoteFailed, Rule: rule, Err: &broker.Error{Kind: broker.Transient, Msg: "connection refused"}}},
		{"strategy.balance_failed", strategy.Event{Kind: strategy.EventQuoteFailed, Reason: "balance", Err: &broker.Error{Kind: broker.RateLimited, Code: "EGW00201", Msg: "초당 거래건수를 초과하였습니다"}}},
	}
	for _, lang := range []Lang{Korean, English} {
		var b strings.Builder
		section := func(name string, a Alert) {
			fmt.Fprintf(&b, "== %s (%s", name, a.Type)
			if a.Silent {
				b.WriteString(", silent")
			}
			fmt.Fprintf(&b, ")\n%s\n\n", a.Text)
		}
		f := NewFeed(FeedConfig{Lang: lang, Mode: "mock"})
		for _, tc := range orderEvents {
			section(tc.name, f.FormatOrderEvent(tc.ev))
		}
		for _, tc := range strategyEvents {
			section(tc.name, f.FormatStrategyEvent(tc.ev))
		}

		// The broker watch: a failure of a kind the owner must hear about,
		// then the recovery.
		rec := &alertRecorder{}
		f.AddSink(rec)
		fb := newFakeBroker()
		w := broker.Observe(fb, NewBrokerWatch(fb.Name(), f, nil).Observe)
		fb.Fail("place", &broker.Error{Kind: broker.Auth, Code: "EGW00123", Msg: "기간이 만료된 token 입니다."})
		_, _ = w.PlaceOrder(ctx, limit)
		fb.Fail("place", nil)
		_, _ = w.PlaceOrder(ctx, limit)
		// The order list unreadable for a while, then read again.
		lw := NewBrokerWatch("kis", f, nil)
		for range ListUnreadableAfter {
			lw.Observe(ctx, broker.CallOrdersToday, &broker.Error{Kind: broker.Unreadable, Msg: "KIS sent an order list without output1"}, 0)
		}
		lw.Observe(ctx, broker.CallOrdersToday, nil, 0)
		// The host clock off from the broker's, then right again (cmd/hoga).
		f.Publish(ctx, Alert{Type: AlertErrors, Text: text(lang, "alert.clock_skew", "kis", "181", text(lang, "clock.behind"))})
		f.Publish(ctx, Alert{Type: AlertErrors, Text: text(lang, "alert.clock_ok", "kis", "0")})
		// System alerts other packages publish from this catalog.
		f.System(ctx, "alert.started", ModeLabel(lang, "mock"), BrokerLabel(lang, "kis"))
		f.System(ctx, "alert.stopped")
		f.System(ctx, "alert.surface_down", text(lang, "surface.unreachable"))
		f.System(ctx, "alert.stream_lost", Duration(lang, 90*time.Second))
		f.System(ctx, "alert.stream_back", Duration(lang, 3*time.Minute), 12)
		for _, why := range []string{"forbidden", "not_found"} {
			f.System(ctx, "alert.fallback", int64(-1001234567890), text(lang, "alert.fallback."+why))
		}
		names := []string{"watch.broker_error", "watch.broker_ok", "watch.list_unreadable", "watch.list_readable",
			"clock.skew", "clock.ok", "system.started", "system.stopped", "system.surface_down",
			"system.stream_lost", "system.stream_back", "system.fallback_forbidden", "system.fallback_not_found"}
		rec.mu.Lock()
		if len(rec.alerts) != len(names) {
			rec.mu.Unlock()
			t.Fatalf("%s: %d alerts recorded, want %d: %+v", lang, len(rec.alerts), len(names), rec.alerts)
		}
		for i, a := range rec.alerts {
			section(names[i], a)
		}
		rec.mu.Unlock()
		golden(t, string(lang)+"_alerts", b.String())
	}
}

// TestGoldenConfirmPrompt renders the confirmation prompt of a live order
// (limit and market) with its buttons, in both languages.
func TestGoldenConfirmPrompt(t *testing.T) {
	t.Parallel()
	for _, lang := range []Lang{Korean, English} {
		r, _ := newTestRouter(t, newFakeBroker(), func(c *Config) { c.Lang, c.Mode = lang, "live" })
		var b strings.Builder
		for _, req := range []broker.OrderRequest{
			{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 10, Price: 70_000},
			{Code: "005930", Side: broker.Sell, Type: broker.Market, Qty: 3},
		} {
			rep := r.AskConfirm(context.Background(), req, "111")
			fmt.Fprintf(&b, "== %s %s\n%s\n", req.Side, req.Type, rep.Text)
			for _, btn := range rep.Buttons {
				fmt.Fprintf(&b, "[%s] ", btn.Text)
			}
			b.WriteString("\n\n")
		}
		golden(t, string(lang)+"_confirm", b.String())
	}
}
