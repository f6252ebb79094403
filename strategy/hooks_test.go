package strategy

import (
	"sync/atomic"
	"testing"

	"github.com/hoga-trade/hoga/broker"
)

func TestOnEvaluateOncePerRulePerPrice(t *testing.T) {
	t.Parallel()
	var evals atomic.Int64
	other := Rule{Code: "000660", BuyBelow: 100_000, Qty: 1, Type: broker.Limit, Enabled: true}
	off := Rule{Code: "035420", BuyBelow: 100_000, Qty: 1, Type: broker.Limit}
	h := newHarness(t, rules(baseRule(), other, off), func(o *Options) { o.OnEvaluate = func() { evals.Add(1) } })
	h.b.setPrice("000660", 200_000)
	h.b.setPrice("035420", 200_000)

	steps := []struct {
		name string
		do   func()
		want int64
	}{
		{"two_enabled_rules_one_disabled", h.round, 2},
		{"a_round_that_fires_counts_once", func() { h.at(64_800) }, 4},
		{"no_price_no_evaluation", func() {
			h.b.FailQuote("000660", &broker.Error{Kind: broker.Transient, Msg: "connection reset"})
			h.round()
			h.b.FailQuote("000660", nil)
		}, 5},
		{"halted_nothing", func() { h.halt.set(true); h.round(); h.halt.set(false) }, 5},
	}
	for _, s := range steps {
		s.do()
		if got := evals.Load(); got != s.want {
			t.Fatalf("%s: %d evaluations so far, want %d", s.name, got, s.want)
		}
	}
	h.wantOrders(1)
}
