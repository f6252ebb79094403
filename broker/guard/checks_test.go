package guard

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

func TestChecks(t *testing.T) {
	t.Parallel()
	krx := func(o *Options) { o.MarketHours = true }
	limits := func(krw int64, daily int) func(*Options) {
		return func(o *Options) { o.MaxOrderKRW, o.MaxDailyOrders = krw, daily }
	}
	marketBuy := func(qty int64) broker.OrderRequest {
		return broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Market, Qty: qty, Source: "telegram", User: "42"}
	}
	marketSell := func(qty int64) broker.OrderRequest {
		r := marketBuy(qty)
		r.Side = broker.Sell
		return r
	}
	halt := func(e *env) {
		if err := e.g.Halt(context.Background(), "telegram:7"); err != nil {
			e.t.Fatal(err)
		}
	}
	placeFrom := func(sources ...string) func(*env) {
		return func(e *env) {
			for _, s := range sources {
				r := limitBuy(1, 70_000)
				r.Source = s
				if _, err := e.g.PlaceOrder(context.Background(), r); err != nil {
					e.t.Fatalf("setup order from %s: %v", s, err)
				}
			}
		}
	}

	tests := []struct {
		name     string
		opts     func(*Options)
		at       string // KST; default t0
		setup    func(*env)
		req      broker.OrderRequest
		kind     broker.Kind // Internal: accepted
		msg      []string    // substrings of the refusal
		nextOpen string      // for MarketClosed
	}{
		{name: "valid_limit", req: limitBuy(10, 70_000)},
		{name: "invalid_qty", req: limitBuy(0, 70_000), kind: broker.Invalid, msg: []string{"quantity"}},
		{name: "invalid_code", req: broker.OrderRequest{Code: "12345", Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 1000}, kind: broker.Invalid},
		{name: "market_with_price", req: broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Market, Qty: 1, Price: 70_000}, kind: broker.Invalid},
		{name: "lower_case_code_folded", req: broker.OrderRequest{Code: "0088m0", Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 10_000}},

		{name: "halted", setup: halt, req: limitBuy(1, 70_000), kind: broker.Halted, msg: []string{"telegram:7", "/resume"}},
		{name: "halt_before_tick", setup: halt, req: limitBuy(1, 70_050), kind: broker.Halted},
		{name: "invalid_before_halt", setup: halt, req: limitBuy(-1, 70_000), kind: broker.Invalid},

		{name: "off_tick", req: limitBuy(1, 70_050), kind: broker.Invalid, msg: []string{"70000", "70100"}},
		{name: "off_tick_low_bracket", req: broker.OrderRequest{Code: "005930", Side: broker.Sell, Type: broker.Limit, Qty: 1, Price: 2_003}, kind: broker.Invalid, msg: []string{"2000", "2005"}},
		{name: "etf_own_tick", req: broker.OrderRequest{Code: "069500", Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 35_005}},
		{name: "etf_off_own_tick", req: broker.OrderRequest{Code: "069500", Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 35_007}, kind: broker.Invalid},
		{name: "stock_quote_does_not_relax_tick", req: limitBuy(1, 70_050), kind: broker.Invalid},

		{name: "session_before_auction", opts: krx, at: "2026-03-04 08:29:59", req: limitBuy(1, 70_000), kind: broker.MarketClosed, nextOpen: "2026-03-04 09:00:00"},
		{name: "session_auction_start", opts: krx, at: "2026-03-04 08:30:00", req: limitBuy(1, 70_000)},
		{name: "session_last_second", opts: krx, at: "2026-03-04 15:29:59", req: limitBuy(1, 70_000)},
		{name: "session_close", opts: krx, at: "2026-03-04 15:30:00", req: limitBuy(1, 70_000), kind: broker.MarketClosed, nextOpen: "2026-03-05 09:00:00"},
		{name: "session_weekend", opts: krx, at: "2026-03-07 11:00:00", req: limitBuy(1, 70_000), kind: broker.MarketClosed, msg: []string{"주말"}, nextOpen: "2026-03-09 09:00:00"},
		{name: "session_holiday", opts: krx, at: "2026-03-02 10:00:00", req: limitBuy(1, 70_000), kind: broker.MarketClosed, msg: []string{"삼일절", "2026-03-03 09:00"}, nextOpen: "2026-03-03 09:00:00"},
		{name: "session_year_end_to_late_open", opts: krx, at: "2025-12-31 10:00:00", req: limitBuy(1, 70_000), kind: broker.MarketClosed, msg: []string{"연말"}, nextOpen: "2026-01-02 10:00:00"},
		{name: "session_first_day_09_00_closed", opts: krx, at: "2026-01-02 09:00:00", req: limitBuy(1, 70_000), kind: broker.MarketClosed, nextOpen: "2026-01-02 10:00:00"},
		{name: "session_first_day_auction_0930", opts: krx, at: "2026-01-02 09:30:00", req: limitBuy(1, 70_000)},
		{name: "session_csat_late_close", opts: krx, at: "2026-11-19 16:00:00", req: limitBuy(1, 70_000)},
		{name: "session_unchecked_when_off", at: "2026-03-08 03:00:00", req: limitBuy(1, 70_000)},

		{name: "amount_limit_ok", opts: limits(1_000_000, 0), req: limitBuy(14, 70_000)},
		{name: "amount_limit_exact", opts: limits(700_000, 0), req: limitBuy(10, 70_000)},
		{name: "amount_limit_over", opts: limits(1_000_000, 0), req: limitBuy(15, 70_000), kind: broker.LimitExceeded,
			msg: []string{"1,050,000", "1,000,000", "HOGA_MAX_ORDER_KRW"}},
		{name: "amount_default_cap", opts: limits(0, -1), req: limitBuy(15, 70_000), kind: broker.LimitExceeded, msg: []string{"1,000,000"}},
		{name: "amount_overflow", opts: limits(1_000_000, 0), req: limitBuy(1<<62, 70_000), kind: broker.LimitExceeded},
		{name: "amount_unlimited", opts: limits(-1, 0), req: limitBuy(1000, 70_000)},
		{name: "market_buy_at_upper_limit", opts: limits(1_000_000, 0), req: marketBuy(10)},
		{name: "market_buy_over_at_upper_limit", opts: limits(1_000_000, 0), req: marketBuy(11), kind: broker.LimitExceeded,
			msg: []string{"1,001,000", "91,000", "upper limit"}},
		{name: "market_sell_at_price", opts: limits(1_000_000, 0), req: marketSell(14)},
		{name: "market_sell_over", opts: limits(1_000_000, 0), req: marketSell(15), kind: broker.LimitExceeded, msg: []string{"current price"}},
		{name: "market_unknown_code", opts: limits(1_000_000, 0), req: broker.OrderRequest{Code: "999999", Side: broker.Buy, Type: broker.Market, Qty: 1}, kind: broker.NotFound},
		{name: "market_quote_down", opts: limits(1_000_000, 0), setup: func(e *env) {
			e.fb.quoteErr = &broker.Error{Kind: broker.RateLimited, Msg: "초당 거래건수를 초과하였습니다."}
		}, req: marketBuy(1), kind: broker.RateLimited},

		{name: "daily_under", opts: limits(0, 3), setup: placeFrom("console", "telegram"), req: limitBuy(1, 70_000)},
		{name: "daily_reached_across_sources", opts: limits(0, 3), setup: placeFrom("console", "telegram", "strategy"), req: limitBuy(1, 70_000),
			kind: broker.LimitExceeded, msg: []string{"3 orders", "HOGA_MAX_DAILY_ORDERS"}},
		{name: "daily_after_amount", opts: limits(100, 1), setup: func(e *env) {
			// Refused by hoga (too large): journaled nowhere, counted nowhere.
			_, err := e.g.PlaceOrder(context.Background(), limitBuy(1, 70_000))
			wantKind(e.t, err, broker.LimitExceeded)
		}, req: limitBuy(1, 100)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			at := t0
			if tt.at != "" {
				at = kst(tt.at)
			}
			e := newEnvAt(t, at, tt.opts)
			if tt.setup != nil {
				tt.setup(e)
			}
			before, _ := e.db.CountOrdersOn(ctx, e.clk.Now())
			calls := e.fb.placeCalls

			checkErr := e.g.Check(ctx, tt.req)
			_, placeErr := e.g.PlaceOrder(ctx, tt.req)
			for what, err := range map[string]error{"Check": checkErr, "PlaceOrder": placeErr} {
				if tt.kind == broker.Internal {
					if err != nil {
						t.Fatalf("%s: %v; want accepted", what, err)
					}
					continue
				}
				if got := broker.KindOf(err); got != tt.kind {
					t.Fatalf("%s kind = %v (%v); want %v", what, got, err, tt.kind)
				}
				for _, m := range tt.msg {
					if !strings.Contains(err.Error(), m) {
						t.Errorf("%s message %q lacks %q", what, err, m)
					}
				}
				if tt.nextOpen != "" {
					be, _ := broker.AsError(err)
					if !be.NextOpen.Equal(kst(tt.nextOpen)) {
						t.Errorf("%s NextOpen = %v; want %s", what, be.NextOpen, tt.nextOpen)
					}
				}
			}
			after, _ := e.db.CountOrdersOn(ctx, e.clk.Now())
			sent := e.fb.placeCalls - calls
			if tt.kind != broker.Internal && (sent != 0 || after != before) {
				t.Fatalf("refused order: %d broker calls, journal %d → %d; want none", sent, before, after)
			}
			if tt.kind == broker.Internal && (sent != 1 || after != before+1) {
				t.Fatalf("accepted order: %d broker calls, journal %d → %d; want one", sent, before, after)
			}
		})
	}
}

func TestDailyCountAcrossSourcesAndOutcomes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, func(o *Options) { o.MaxDailyOrders = 4 })
	// Yesterday's orders do not count.
	for i, id := range []string{"y1", "y2", "y3", "y4", "y5"} {
		en := broker.JournalEntry{ClientID: id, Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 70_000,
			State: broker.StatusAccepted, Created: t0.Add(-24*time.Hour + time.Duration(i)*time.Minute)}
		if err := e.db.InsertOrder(ctx, en); err != nil {
			t.Fatal(err)
		}
	}
	place := func(source string, s step) error {
		e.fb.then(s)
		r := limitBuy(1, 70_000)
		r.Source = source
		_, err := e.g.PlaceOrder(ctx, r)
		return err
	}
	// 1: accepted (console).
	if err := place("console", step{do: accept}); err != nil {
		t.Fatal(err)
	}
	// 2: rejected by the broker (telegram): it was sent, it counts.
	wantKind(t, place("telegram", step{do: reject}), broker.Rejected)
	// Refused by hoga (halted, http): does not count.
	e.g.Halt(ctx, "x")
	wantKind(t, place("http", step{do: accept}), broker.Halted)
	e.g.Resume(ctx, "x")
	e.fb.mu.Lock()
	e.fb.script = nil // the refused order never consumed its step
	e.fb.mu.Unlock()
	// 3: unknown outcome (strategy): counts.
	wantKind(t, place("strategy", step{do: lostAnswer}), broker.UnknownOutcome)
	// 4: accepted (http).
	if err := place("http", step{do: accept}); err != nil {
		t.Fatal(err)
	}
	// 5: refused, from any source.
	for _, src := range []string{"console", "telegram", "http", "strategy"} {
		r := limitBuy(1, 70_000)
		r.Source = src
		wantKind(t, e.g.Check(ctx, r), broker.LimitExceeded)
		err := place(src, step{do: accept})
		wantKind(t, err, broker.LimitExceeded)
		if !strings.Contains(err.Error(), "limit is 4") {
			t.Fatalf("message %q should name the limit", err)
		}
		// A catalog sentence with the numbers, for every place it is
		// shown (a rule's alert quoted the English, issue 12).
		if be, _ := broker.AsError(err); be.Say != "guard.daily_orders" || fmt.Sprint(be.Args) != "[4 4]" {
			t.Fatalf("saying %q %v, want guard.daily_orders [4 4]", be.Say, be.Args)
		}
	}
	// The next KST day starts afresh.
	e.clk.Set(kst("2026-03-05 09:00:00"))
	if err := place("console", step{do: accept}); err != nil {
		t.Fatalf("next day: %v", err)
	}
}
