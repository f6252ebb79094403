package strategy

import (
	"errors"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// t0 is a Tuesday, 10:00 KST, in continuous trading.
var t0 = time.Date(2026, 3, 10, 10, 0, 0, 0, broker.KST())

func baseRule() Rule {
	return Rule{Code: "005930", BuyBelow: 65_000, SellAbove: 75_000, Qty: 10, Type: broker.Limit, Enabled: true}
}

func quote(p int64) broker.Quote { return broker.Quote{Code: "005930", Price: p} }

func held(qty, sellable int64) broker.Position {
	return broker.Position{Code: "005930", Qty: qty, Sellable: sellable}
}

// armed is a state already aligned to baseRule with both legs armed.
func armed() State {
	return State{BuyArmed: true, SellArmed: true, BuyBelow: 65_000, SellAbove: 75_000, Day: "2026-03-10"}
}

func TestDecide(t *testing.T) {
	t.Parallel()
	fired := func(f func(*State)) State {
		s := armed()
		f(&s)
		return s
	}
	tests := []struct {
		name   string
		st     State
		rule   func(*Rule)
		q      broker.Quote
		pos    broker.Position
		now    time.Time
		want   Action
		wantSt State
	}{
		{
			name: "buy_below_threshold_orders_one_tick_under_it",
			st:   armed(), q: quote(64_800),
			want:   Action{Kind: ActOrder, Side: broker.Buy, Type: broker.Limit, Qty: 10, Price: 64_900, Trigger: 64_800},
			wantSt: fired(func(s *State) { s.BuyArmed, s.LastFire, s.FiresToday, s.LastPrice = false, t0, 1, 64_800 }),
		},
		{
			name: "at_the_threshold_is_not_below_it",
			st:   armed(), q: quote(65_000),
			wantSt: fired(func(s *State) { s.LastPrice = 65_000 }),
		},
		{
			name: "disarmed_leg_waits_inside_the_band",
			st:   fired(func(s *State) { s.BuyArmed = false }), q: quote(65_600),
			wantSt: fired(func(s *State) { s.BuyArmed, s.LastPrice = false, 65_600 }),
		},
		{
			name: "disarmed_leg_rearms_at_the_band",
			st:   fired(func(s *State) { s.BuyArmed = false }), q: quote(65_650),
			want:   Action{RearmedBuy: true},
			wantSt: fired(func(s *State) { s.LastPrice = 65_650 }),
		},
		{
			name: "disarmed_leg_does_not_fire_again_in_the_same_dip",
			st:   fired(func(s *State) { s.BuyArmed = false }), q: quote(60_000),
			wantSt: fired(func(s *State) { s.BuyArmed, s.LastPrice = false, 60_000 }),
		},
		{
			name: "wider_band_from_the_rule",
			st:   fired(func(s *State) { s.BuyArmed = false }), rule: func(r *Rule) { r.RearmBP = 250 }, q: quote(66_600),
			wantSt: fired(func(s *State) { s.BuyArmed, s.LastPrice = false, 66_600 }),
		},
		{
			name: "buy_capped_by_max_position",
			st:   armed(), rule: func(r *Rule) { r.MaxPosition = 15 }, q: quote(64_000), pos: held(10, 10),
			want:   Action{Kind: ActOrder, Side: broker.Buy, Type: broker.Limit, Qty: 5, Price: 64_900, Trigger: 64_000},
			wantSt: fired(func(s *State) { s.BuyArmed, s.LastFire, s.FiresToday, s.LastPrice = false, t0, 1, 64_000 }),
		},
		{
			name: "buy_at_max_position_uses_up_the_crossing",
			st:   armed(), rule: func(r *Rule) { r.MaxPosition = 15 }, q: quote(64_000), pos: held(15, 15),
			want:   Action{Kind: ActSkip, Side: broker.Buy, Type: broker.Limit, Trigger: 64_000, Reason: "holding or buying 15 of at most 15 shares"},
			wantSt: fired(func(s *State) { s.BuyArmed, s.LastPrice = false, 64_000 }),
		},
		{
			name: "sell_above_threshold_one_tick_over_it",
			st:   armed(), q: quote(75_200), pos: held(30, 30),
			want:   Action{Kind: ActOrder, Side: broker.Sell, Type: broker.Limit, Qty: 10, Price: 75_100, Trigger: 75_200},
			wantSt: fired(func(s *State) { s.SellArmed, s.LastFire, s.FiresToday, s.LastPrice = false, t0, 1, 75_200 }),
		},
		{
			name: "sell_never_more_than_sellable",
			st:   armed(), q: quote(75_200), pos: held(8, 3),
			want:   Action{Kind: ActOrder, Side: broker.Sell, Type: broker.Limit, Qty: 3, Price: 75_100, Trigger: 75_200},
			wantSt: fired(func(s *State) { s.SellArmed, s.LastFire, s.FiresToday, s.LastPrice = false, t0, 1, 75_200 }),
		},
		{
			name: "sell_with_nothing_held_is_skipped",
			st:   armed(), q: quote(75_200),
			want:   Action{Kind: ActSkip, Side: broker.Sell, Type: broker.Limit, Trigger: 75_200, Reason: "no sellable shares (holding 0)"},
			wantSt: fired(func(s *State) { s.SellArmed, s.LastPrice = false, 75_200 }),
		},
		{
			name: "sell_rearms_at_the_band_below",
			st:   fired(func(s *State) { s.SellArmed = false }), q: quote(74_250),
			want:   Action{RearmedSell: true},
			wantSt: fired(func(s *State) { s.LastPrice = 74_250 }),
		},
		{
			name: "sell_stays_disarmed_just_inside_the_band",
			st:   fired(func(s *State) { s.SellArmed = false }), q: quote(74_300),
			wantSt: fired(func(s *State) { s.SellArmed, s.LastPrice = false, 74_300 }),
		},
		{
			name: "crash_rearms_sell_and_fires_buy_together",
			st:   fired(func(s *State) { s.SellArmed = false }), q: quote(60_000),
			want:   Action{Kind: ActOrder, Side: broker.Buy, Type: broker.Limit, Qty: 10, Price: 64_900, Trigger: 60_000, RearmedSell: true},
			wantSt: fired(func(s *State) { s.BuyArmed, s.LastFire, s.FiresToday, s.LastPrice = false, t0, 1, 60_000 }),
		},
		{
			name: "cooldown_holds_an_armed_leg",
			st:   fired(func(s *State) { s.LastFire = t0.Add(-5 * time.Minute) }), rule: func(r *Rule) { r.Cooldown = 10 * time.Minute },
			q:      quote(64_000),
			wantSt: fired(func(s *State) { s.LastFire, s.LastPrice = t0.Add(-5*time.Minute), 64_000 }),
		},
		{
			name: "cooldown_over_fires",
			st:   fired(func(s *State) { s.LastFire = t0.Add(-10 * time.Minute) }), rule: func(r *Rule) { r.Cooldown = 10 * time.Minute },
			q:      quote(64_000),
			want:   Action{Kind: ActOrder, Side: broker.Buy, Type: broker.Limit, Qty: 10, Price: 64_900, Trigger: 64_000},
			wantSt: fired(func(s *State) { s.BuyArmed, s.LastFire, s.FiresToday, s.LastPrice = false, t0, 1, 64_000 }),
		},
		{
			name: "retry_backoff_holds_an_armed_leg",
			st:   fired(func(s *State) { s.RetryAt = t0.Add(time.Second) }), q: quote(64_000),
			wantSt: fired(func(s *State) { s.RetryAt, s.LastPrice = t0.Add(time.Second), 64_000 }),
		},
		{
			name: "disabled_by_errors_does_nothing",
			st:   fired(func(s *State) { s.Disabled = "3 failures" }), q: quote(64_000),
			wantSt: fired(func(s *State) { s.Disabled = "3 failures" }),
		},
		{
			name: "turned_off_does_nothing",
			st:   armed(), rule: func(r *Rule) { r.Enabled = false }, q: quote(64_000),
			wantSt: armed(),
		},
		{
			name: "no_price_does_nothing",
			st:   armed(), q: quote(0),
			wantSt: armed(),
		},
		{
			name: "market_order_has_no_price",
			st:   armed(), rule: func(r *Rule) { r.Type = broker.Market }, q: quote(64_000),
			want:   Action{Kind: ActOrder, Side: broker.Buy, Type: broker.Market, Qty: 10, Trigger: 64_000},
			wantSt: fired(func(s *State) { s.BuyArmed, s.LastFire, s.FiresToday, s.LastPrice = false, t0, 1, 64_000 }),
		},
		{
			name: "new_day_resets_the_count",
			st:   fired(func(s *State) { s.Day, s.FiresToday = "2026-03-09", 7 }), q: quote(64_000),
			want:   Action{Kind: ActOrder, Side: broker.Buy, Type: broker.Limit, Qty: 10, Price: 64_900, Trigger: 64_000},
			wantSt: fired(func(s *State) { s.BuyArmed, s.LastFire, s.FiresToday, s.LastPrice = false, t0, 1, 64_000 }),
		},
		{
			name: "limit_kept_under_the_upper_price_limit",
			st:   armed(), q: broker.Quote{Price: 50_000, UpperLimit: 60_000},
			want:   Action{Kind: ActOrder, Side: broker.Buy, Type: broker.Limit, Qty: 10, Price: 60_000, Trigger: 50_000},
			wantSt: fired(func(s *State) { s.BuyArmed, s.LastFire, s.FiresToday, s.LastPrice = false, t0, 1, 50_000 }),
		},
		{
			name: "sell_limit_kept_over_the_lower_price_limit",
			st:   armed(), q: broker.Quote{Price: 99_000, LowerLimit: 80_000}, pos: held(10, 10),
			want:   Action{Kind: ActOrder, Side: broker.Sell, Type: broker.Limit, Qty: 10, Price: 80_000, Trigger: 99_000},
			wantSt: fired(func(s *State) { s.SellArmed, s.LastFire, s.FiresToday, s.LastPrice = false, t0, 1, 99_000 }),
		},
		{
			name: "etf_tick_from_the_quote",
			st:   State{BuyArmed: true, SellArmed: true, BuyBelow: 1_500, Day: "2026-03-10"},
			rule: func(r *Rule) { r.BuyBelow, r.SellAbove = 1_500, 0 },
			q:    broker.Quote{Price: 1_490, Tick: 5},
			want: Action{Kind: ActOrder, Side: broker.Buy, Type: broker.Limit, Qty: 10, Price: 1_495, Trigger: 1_490},
			wantSt: State{BuyArmed: false, SellArmed: true, BuyBelow: 1_500, Day: "2026-03-10",
				LastFire: t0, FiresToday: 1, LastPrice: 1_490},
		},
		{
			name:   "edited_threshold_starts_armed",
			st:     State{BuyArmed: false, SellArmed: true, BuyBelow: 60_000, SellAbove: 75_000, Day: "2026-03-10"},
			q:      quote(64_000),
			want:   Action{Kind: ActOrder, Side: broker.Buy, Type: broker.Limit, Qty: 10, Price: 64_900, Trigger: 64_000},
			wantSt: fired(func(s *State) { s.BuyArmed, s.LastFire, s.FiresToday, s.LastPrice = false, t0, 1, 64_000 }),
		},
		{
			name: "new_rule_on_a_zero_state_is_armed",
			st:   State{}, q: quote(64_000),
			want:   Action{Kind: ActOrder, Side: broker.Buy, Type: broker.Limit, Qty: 10, Price: 64_900, Trigger: 64_000},
			wantSt: fired(func(s *State) { s.BuyArmed, s.LastFire, s.FiresToday, s.LastPrice = false, t0, 1, 64_000 }),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := baseRule()
			if tc.rule != nil {
				tc.rule(&r)
			}
			now := tc.now
			if now.IsZero() {
				now = t0
			}
			got, st := Decide(tc.st, r, tc.q, tc.pos, now)
			if got != tc.want {
				t.Errorf("action\n got %+v\nwant %+v", got, tc.want)
			}
			if st != tc.wantSt {
				t.Errorf("state\n got %+v\nwant %+v", st, tc.wantSt)
			}
			if got.Kind == ActOrder {
				req := got.Request(r.Code)
				if err := req.Validate(); err != nil {
					t.Errorf("request %+v: %v", req, err)
				}
				if req.Type == broker.Limit && !broker.OnTick(req.Price) {
					t.Errorf("limit %d is off the tick grid", req.Price)
				}
				if req.Source != "strategy" || req.User != "rule:005930" {
					t.Errorf("source/user = %q/%q", req.Source, req.User)
				}
			}
			if want := mayFire(tc.st, r, tc.q.Price); (got.Kind != ActNone) && !want {
				t.Errorf("mayFire said no but Decide acted: %+v", got)
			}
		})
	}
}

// TestMayFireOnlyWhenDecideMightAct checks the pre-check the engine uses
// to avoid fetching the balance is never too strict.
func TestMayFireOnlyWhenDecideMightAct(t *testing.T) {
	t.Parallel()
	r := baseRule()
	for _, st := range []State{armed(), {BuyBelow: 65_000, SellAbove: 75_000}, {BuyArmed: true, BuyBelow: 65_000, SellAbove: 75_000}} {
		for p := int64(50_000); p <= 90_000; p += 50 {
			a, _ := Decide(st, r, quote(p), held(100, 100), t0)
			if (a.Kind == ActOrder || a.Kind == ActSkip) && !mayFire(st, r, p) {
				t.Fatalf("state %+v price %d: Decide fired but mayFire is false", st, p)
			}
		}
	}
}

func TestBand(t *testing.T) {
	t.Parallel()
	tests := []struct{ price, bp, want int64 }{
		{65_000, 100, 650},
		{65_001, 100, 651}, // rounded up: never less than the band
		{100, 1, 1},
		{0, 100, 0},
		{1 << 62, 10_000, 1 << 62},
		{1 << 62, 1 << 40, 1 << 62}, // capped at 100 %, no overflow
	}
	for _, tc := range tests {
		if got := band(tc.price, tc.bp); got != tc.want {
			t.Errorf("band(%d, %d) = %d, want %d", tc.price, tc.bp, got, tc.want)
		}
	}
	r := baseRule()
	if got := r.RearmBuyAt(); got != 65_650 {
		t.Errorf("RearmBuyAt = %d", got)
	}
	if got := r.RearmSellAt(); got != 74_250 {
		t.Errorf("RearmSellAt = %d", got)
	}
}

func TestSettle(t *testing.T) {
	t.Parallel()
	prev := armed()
	prev.LastFire = t0.Add(-time.Hour)
	prev.FiresToday = 2
	a, fired := Decide(prev, baseRule(), quote(64_000), held(0, 0), t0)
	if a.Kind != ActOrder {
		t.Fatalf("setup: %+v", a)
	}
	errKind := func(k broker.Kind) error { return &broker.Error{Kind: k, Msg: k.String()} }
	tests := []struct {
		name         string
		failures     int
		err          error
		wantArmed    bool
		wantFires    int
		wantFailures int
		wantRetry    time.Duration
		wantOff      bool
	}{
		{"placed", 2, nil, false, 3, 0, 0, false},
		{"rejected_gives_the_crossing_back", 0, errKind(broker.Rejected), true, 2, 1, 5 * time.Second, false},
		{"second_failure_backs_off_longer", 1, errKind(broker.Transient), true, 2, 2, 10 * time.Second, false},
		{"third_failure_turns_the_rule_off", 2, errKind(broker.InsufficientFunds), true, 2, 3, 20 * time.Second, true},
		{"rate_limit_waits_as_told", 0, &broker.Error{Kind: broker.RateLimited, RetryAfter: time.Minute}, true, 2, 1, time.Minute, false},
		{"unknown_keeps_the_leg_disarmed", 0, errKind(broker.UnknownOutcome), false, 3, 1, 5 * time.Second, false},
		{"plain_error_is_treated_as_unknown", 0, errors.New("boom"), false, 3, 1, 5 * time.Second, false},
		{"limit_keeps_the_leg_disarmed_without_a_failure", 1, errKind(broker.LimitExceeded), false, 2, 1, 0, false},
		{"halted_gives_the_crossing_back_quietly", 1, errKind(broker.Halted), true, 2, 1, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, f := prev, fired
			p.Failures, f.Failures = tc.failures, tc.failures
			st, off := settle(p, f, a, tc.err, t0)
			if st.BuyArmed != tc.wantArmed || st.FiresToday != tc.wantFires || st.Failures != tc.wantFailures || off != tc.wantOff {
				t.Errorf("got armed=%t fires=%d failures=%d off=%t", st.BuyArmed, st.FiresToday, st.Failures, off)
			}
			var retry time.Duration
			if !st.RetryAt.IsZero() {
				retry = st.RetryAt.Sub(t0)
			}
			if retry != tc.wantRetry {
				t.Errorf("retry after %s, want %s", retry, tc.wantRetry)
			}
			if off != (st.Disabled != "") {
				t.Errorf("off=%t but Disabled=%q", off, st.Disabled)
			}
			if tc.wantArmed && st.LastFire != prev.LastFire {
				t.Errorf("LastFire %s not given back", st.LastFire)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := map[broker.Kind]Outcome{
		broker.Invalid: OutNotSent, broker.Rejected: OutNotSent, broker.InsufficientFunds: OutNotSent,
		broker.MarketClosed: OutNotSent, broker.Auth: OutNotSent, broker.RateLimited: OutNotSent,
		broker.Transient: OutNotSent, broker.NotFound: OutNotSent, broker.UnknownOutcome: OutUnknown,
		broker.Internal: OutUnknown, broker.Halted: OutHalted, broker.LimitExceeded: OutLimit,
	}
	for k, want := range tests {
		if got := Classify(&broker.Error{Kind: k}); got != want {
			t.Errorf("Classify(%s) = %d, want %d", k, got, want)
		}
	}
	if Classify(nil) != OutPlaced {
		t.Error("nil is not placed")
	}
}

// FuzzDecide checks Decide's promises for any rule, price and holding: it
// never buys past the cap, never sells more than is sellable, orders only
// on the tick grid, and a leg never fires twice without re-arming.
func FuzzDecide(f *testing.F) {
	f.Add(int64(65_000), int64(75_000), int64(10), int64(0), int64(100), int64(64_800), int64(0), int64(0), int64(0))
	f.Add(int64(65_000), int64(0), int64(10), int64(15), int64(250), int64(1), int64(12), int64(12), int64(5))
	f.Add(int64(0), int64(1_999), int64(3), int64(0), int64(1), int64(2_500), int64(5), int64(2), int64(1))
	f.Fuzz(func(t *testing.T, buy, sell, qty, maxPos, bp, price, heldQty, sellable, tick int64) {
		r := Rule{Code: "005930", BuyBelow: buy, SellAbove: sell, Qty: qty, Type: broker.Limit, MaxPosition: maxPos, RearmBP: bp, Enabled: true}
		if CheckRule(r) != nil || price <= 0 || price > MaxAmount || heldQty < 0 || sellable < 0 || tick < 0 || tick > 1000 {
			return
		}
		pos := broker.Position{Qty: heldQty, Sellable: sellable}
		q := broker.Quote{Price: price, Tick: tick}
		a, st := Decide(NewState(), r, q, pos, t0)
		switch a.Kind {
		case ActOrder:
			if a.Qty <= 0 || a.Qty > qty {
				t.Fatalf("qty %d of %d", a.Qty, qty)
			}
			if a.Side == broker.Buy && maxPos > 0 && heldQty+a.Qty > maxPos {
				t.Fatalf("buy %d with %d held passes max %d", a.Qty, heldQty, maxPos)
			}
			if a.Side == broker.Sell && a.Qty > min(heldQty, sellable) {
				t.Fatalf("sell %d with %d sellable", a.Qty, sellable)
			}
			if a.Side == broker.Buy && (a.Price >= buy || a.Price <= 0) {
				t.Fatalf("buy limit %d not below %d", a.Price, buy)
			}
			if a.Side == broker.Sell && a.Price <= sell {
				t.Fatalf("sell limit %d not above %d", a.Price, sell)
			}
			if tick == 0 && !broker.OnTick(a.Price) {
				t.Fatalf("limit %d off the grid", a.Price)
			}
			a2, _ := Decide(st, r, q, pos, t0.Add(time.Hour))
			if a2.Kind == ActOrder && a2.Side == a.Side {
				t.Fatalf("the same leg fired twice at the same price")
			}
		case ActSkip:
			if a.Reason == "" {
				t.Fatal("skip without a reason")
			}
		}
	})
}

func BenchmarkDecide(b *testing.B) {
	r := baseRule()
	r.MaxPosition = 100
	st := armed()
	pos := held(20, 20)
	prices := []int64{64_800, 65_700, 70_000, 75_200, 74_000}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_, st = Decide(st, r, quote(prices[i%len(prices)]), pos, t0)
	}
}
