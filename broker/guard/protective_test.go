package guard

import (
	"context"
	"errors"
	"testing"

	"github.com/hoga-trade/hoga/broker"
)

// TestProtectiveExitExemption pins the lead's decision on issue 17: a
// protective exit's sell (strategy/exits) of no more than the shares that
// may be sold is exempt from HOGA_MAX_ORDER_KRW and HOGA_MAX_DAILY_ORDERS;
// nothing else is, and the kill switch, sessions and tick rules still
// apply to it.
func TestProtectiveExitExemption(t *testing.T) {
	t.Parallel()
	// 50 shares at 70,000 = 3,500,000 won, over the default 1,000,000 cap.
	exitSell := func(qty int64) broker.OrderRequest {
		return broker.OrderRequest{Code: "005930", Side: broker.Sell, Type: broker.Market, Qty: qty,
			Source: "strategy", User: broker.ExitUserPrefix + "005930:stop"}
	}
	with := func(mod func(*broker.OrderRequest)) broker.OrderRequest {
		r := exitSell(50)
		mod(&r)
		return r
	}
	held := []broker.Position{{Code: "005930", Qty: 50, Sellable: 50, AvgPrice: 80_000}}
	committed := []broker.Position{{Code: "005930", Qty: 50, Sellable: 20, AvgPrice: 80_000}}
	tests := []struct {
		name     string
		req      broker.OrderRequest
		pos      []broker.Position
		daily    int  // MaxDailyOrders; 0 = default
		used     int  // orders already sent today
		halted   bool // the kill switch is on
		balErr   bool
		placed   bool
		wantKind broker.Kind // when not placed
		wantCode string
	}{
		{name: "exit sell over the value cap", req: exitSell(50), pos: held, placed: true},
		{name: "exit sell after the daily count", req: exitSell(50), pos: held, daily: 2, used: 2, placed: true},
		{name: "manual sell of the same size", req: with(func(r *broker.OrderRequest) { r.Source, r.User = "telegram", "42" }),
			pos: held, wantKind: broker.LimitExceeded, wantCode: "order_krw"},
		{name: "rule sell of the same size", req: with(func(r *broker.OrderRequest) { r.User = "rule:dip" }),
			pos: held, wantKind: broker.LimitExceeded, wantCode: "order_krw"},
		{name: "http claiming an exit user", req: with(func(r *broker.OrderRequest) { r.Source = "http" }),
			pos: held, wantKind: broker.LimitExceeded, wantCode: "order_krw"},
		{name: "exit buy", req: with(func(r *broker.OrderRequest) { r.Side = broker.Buy }),
			pos: held, wantKind: broker.LimitExceeded, wantCode: "order_krw"},
		{name: "more than held", req: exitSell(51), pos: held, wantKind: broker.LimitExceeded, wantCode: "order_krw"},
		{name: "shares committed to an open sell", req: exitSell(50), pos: committed, wantKind: broker.LimitExceeded, wantCode: "order_krw"},
		{name: "not held at all", req: exitSell(50), wantKind: broker.LimitExceeded, wantCode: "order_krw"},
		{name: "balance unreadable", req: exitSell(50), pos: held, balErr: true, wantKind: broker.LimitExceeded, wantCode: "order_krw"},
		{name: "halted", req: exitSell(50), pos: held, halted: true, wantKind: broker.Halted},
		{name: "off the tick grid", req: with(func(r *broker.OrderRequest) { r.Type, r.Price = broker.Limit, 69_950 }),
			pos: held, wantKind: broker.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			daily := tt.daily
			e := newEnv(t, func(o *Options) { o.MaxOrderKRW, o.MaxDailyOrders = 0, daily })
			e.fb.mu.Lock()
			e.fb.positions = tt.pos
			if tt.balErr {
				e.fb.balanceErr = &broker.Error{Kind: broker.Transient, Msg: "balance down"}
			}
			e.fb.mu.Unlock()
			ctx := context.Background()
			for range tt.used {
				if _, err := e.g.PlaceOrder(ctx, limitBuy(1, 70_000)); err != nil {
					t.Fatalf("setup: %v", err)
				}
			}
			if tt.halted {
				if err := e.g.Halt(ctx, "telegram:7"); err != nil {
					t.Fatal(err)
				}
			}
			before := e.sent()
			_, err := e.g.PlaceOrder(ctx, tt.req)
			sent := e.sent() - before
			if tt.placed {
				if err != nil || sent != 1 {
					t.Fatalf("err %v, %d sent; want placed once", err, sent)
				}
				return
			}
			var be *broker.Error
			if !errors.As(err, &be) || be.Kind != tt.wantKind || (tt.wantCode != "" && be.Code != tt.wantCode) || sent != 0 {
				t.Fatalf("err %v (%d sent), want %s %s and nothing sent", err, sent, tt.wantKind, tt.wantCode)
			}
		})
	}
}

// sent counts the orders the fake broker has received.
func (e *env) sent() int {
	orders, _, _ := e.fb.snapshot()
	return len(orders)
}
