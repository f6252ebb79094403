package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/strategy"
)

// /rule add of a code hoga cannot quote is refused, saying why and what to
// do; a broker that is only down says to try again (issue 12, item 7).
func TestRuleAddUnquotableRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		lang Lang
		down bool
		want []string
	}{
		{"ko_unknown", Korean, false, []string{"규칙을 저장하지 않았습니다", "시세를 받을 수 없는 종목(999999)", "종목코드를 확인하고"}},
		{"en_unknown", English, false, []string{"Rule not saved", "no quote (999999)", "Check the code"}},
		{"ko_broker_down", Korean, true, []string{"규칙을 저장하지 않았습니다", "지금 999999 의 시세를 확인할 수 없어", "잠시 후 다시"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := newFakeBroker()
			if tt.down {
				b.OnQuote(func(context.Context, broker.Code) error {
					return &broker.Error{Kind: broker.Transient, Msg: "broker down"}
				})
			}
			rules := &keptRules{}
			r, _ := newTestRouter(t, b, func(c *Config) { c.Lang = tt.lang; c.Rules = rules })
			got := r.Handle(context.Background(), Request{Text: "/rule add 999999 buy<100 qty=1", UserID: "console", Source: "console"}).Text
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("reply %q lacks %q", got, w)
				}
			}
			if n := len(rules.put); n != 0 {
				t.Errorf("%d rules saved, want 0", n)
			}
		})
	}
}

// /rule add whose leg the price has already crossed says so and saves
// nothing until [저장] is pressed (issue 12, item 7): before, the trial's
// example rule sold every share the moment it was added.
func TestRuleAddCrossedAsksFirst(t *testing.T) {
	t.Parallel()
	type step struct {
		press   string // "rule", "no", "ok" (an order's button on the rule's nonce), "late"
		user    string
		saved   int
		want    string
		outcome PressOutcome
	}
	tests := []struct {
		name  string
		lang  Lang
		cmd   string
		ask   []string
		steps []step
	}{
		{"ko_buy_saved", Korean, "/rule add 005930 buy<80000 qty=2",
			[]string{"⚠️ 삼성전자(005930)", "현재가 71,500원이 이미 매수 기준 80,000원보다 낮아", "2주 매수 주문이 나갑니다", "[저장]"},
			[]step{{press: "rule", user: "111", saved: 1, want: "규칙을 저장했습니다", outcome: PressPlaced}}},
		{"ko_sell_declined", Korean, "/rule add 005930 sell>60000 qty=1",
			[]string{"현재가 71,500원이 이미 매도 기준 60,000원보다 높아"},
			[]step{{press: "no", user: "111", saved: 0, want: "005930 규칙을 저장하지 않았습니다. 주문도 나가지 않았습니다.", outcome: PressDeclined}}},
		{"ko_not_an_order_button", Korean, "/rule add 005930 buy<80000 qty=2", nil,
			[]step{{press: "ok", user: "111", saved: 0, want: "만료되었거나", outcome: PressStale},
				{press: "rule", user: "222", saved: 0, want: "주문한 사람만", outcome: PressRefused},
				{press: "rule", user: "111", saved: 1, want: "규칙을 저장했습니다", outcome: PressPlaced},
				{press: "rule", user: "111", saved: 1, want: "만료되었거나", outcome: PressStale}}},
		{"ko_expired", Korean, "/rule add 005930 buy<80000 qty=2", nil,
			[]step{{press: "late", user: "111", saved: 0, want: "규칙은 저장되지 않았습니다", outcome: PressStale}}},
		{"en_buy", English, "/rule add 005930 buy<80000 qty=2",
			[]string{"the price 71,500 won is already below the buy threshold 80,000 won", "Save it anyway?"},
			[]step{{press: "rule", user: "111", saved: 1, want: "Rule saved", outcome: PressPlaced}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rules := &keptRules{}
			r, clk := newTestRouter(t, newFakeBroker(), func(c *Config) { c.Lang = tt.lang; c.Rules = rules })
			rep := r.Handle(context.Background(), Request{Text: tt.cmd, UserID: "111", Source: "telegram"})
			for _, w := range tt.ask {
				if !strings.Contains(rep.Text, w) {
					t.Errorf("question %q lacks %q", rep.Text, w)
				}
			}
			if len(rules.put) != 0 || len(rep.Buttons) != 2 {
				t.Fatalf("saved %d rules before any press, buttons %v; want 0 and two buttons", len(rules.put), rep.Buttons)
			}
			_, nonce, _ := strings.Cut(rep.Buttons[0].Data, ":")
			for i, s := range tt.steps {
				data := s.press + ":" + nonce
				if s.press == "late" {
					clk.Advance(r.cfg.ConfirmTTL + time.Second)
					data = rep.Buttons[0].Data
				}
				got := r.Press(context.Background(), Press{Data: data, UserID: s.user, Source: "telegram"}, nil)
				if !strings.Contains(got.Text, s.want) || got.Outcome != s.outcome {
					t.Errorf("step %d (%s by %s) = %q, %q; want %q, %q", i, s.press, s.user, got.Text, got.Outcome, s.want, s.outcome)
				}
				if n := len(rules.put); n != s.saved {
					t.Errorf("step %d: %d rules saved, want %d", i, n, s.saved)
				}
			}
		})
	}
}

// A rule whose legs the price has not crossed is saved at once, as before.
func TestRuleAddUncrossedSavedAtOnce(t *testing.T) {
	t.Parallel()
	rules := &keptRules{}
	r, _ := newTestRouter(t, newFakeBroker(), func(c *Config) { c.Rules = rules })
	rep := r.Handle(context.Background(), Request{Text: "/rule add 005930 buy<65000 sell>80000 qty=1", UserID: "111", Source: "telegram"})
	if !strings.Contains(rep.Text, "규칙을 저장했습니다") || len(rep.Buttons) != 0 || len(rules.put) != 1 {
		t.Errorf("reply %q buttons %v saved %d; want saved at once", rep.Text, rep.Buttons, len(rules.put))
	}
}

// A rule line names the state of the legs the rule has, and no other
// (issue 12, item 12: a buy-only rule read "매도 대기").
func TestRuleLineShowsOnlyItsLegs(t *testing.T) {
	t.Parallel()
	buyOnly := strategy.RuleStatus{Rule: strategy.Rule{Code: "005930", BuyBelow: 190_000, Qty: 1, Type: broker.Limit, Enabled: true}, BuyArmed: true, SellArmed: true}
	sellOnly := strategy.RuleStatus{Rule: strategy.Rule{Code: "005930", SellAbove: 210_000, Qty: 1, Type: broker.Limit, Enabled: true}, SellArmed: false, BuyArmed: true, FiresToday: 1}
	both := strategy.RuleStatus{Rule: strategy.Rule{Code: "005930", BuyBelow: 190_000, SellAbove: 210_000, Qty: 1, Type: broker.Limit, Enabled: true}, BuyArmed: true, SellArmed: true}
	tests := []struct {
		name   string
		lang   Lang
		rs     strategy.RuleStatus
		want   string
		absent string
	}{
		{"ko_buy_only", Korean, buyOnly, "(매수 대기, 오늘 0회)", "매도"},
		{"ko_sell_only", Korean, sellOnly, "(매도 발동됨, 오늘 1회)", "매수"},
		{"ko_both", Korean, both, "(매수 대기, 매도 대기, 오늘 0회)", "발동됨"},
		{"en_buy_only", English, buyOnly, "(buy armed, 0 today)", "sell"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, _ := newTestRouter(t, newFakeBroker(), func(c *Config) { c.Lang = tt.lang })
			got := r.FormatRule(tt.rs)
			if !strings.Contains(got, tt.want) || strings.Contains(got, tt.absent) {
				t.Errorf("FormatRule = %q; want %q and no %q", got, tt.want, tt.absent)
			}
		})
	}
}
