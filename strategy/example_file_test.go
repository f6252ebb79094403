package strategy

import (
	"context"
	"testing"

	"github.com/hoga-trade/hoga/broker/paper"
	"github.com/hoga-trade/hoga/clock"
)

// TestRulesExampleFileAtPaperPrices: deploy/rules.example.yaml loads, and
// at the paper broker's prices no leg of any rule is already crossed and
// every order it would send stays under the default HOGA_MAX_ORDER_KRW
// (issue 12, item 7: its 005930 rule dated from 70,000원 prices and sold
// everything at once on paper).
func TestRulesExampleFileAtPaperPrices(t *testing.T) {
	t.Parallel()
	rules, err := LoadRulesFile("../deploy/rules.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ex, err := paper.New(paper.Options{Clock: clock.NewFake(t0), Freeze: true, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ex.Close() })
	const maxOrderKRW = 1_000_000 // HOGA_MAX_ORDER_KRW's default
	for _, r := range rules {
		q, err := ex.Quote(context.Background(), r.Code)
		if err != nil {
			t.Fatalf("%s: %v", r.Code, err)
		}
		if r.BuyBelow > 0 && q.Price < r.BuyBelow || r.SellAbove > 0 && q.Price > r.SellAbove {
			t.Errorf("%s at %d: a leg is crossed (buy<%d sell>%d)", r.Code, q.Price, r.BuyBelow, r.SellAbove)
		}
		if r.SellAbove > 0 && r.Qty*(r.SellAbove+2000) > maxOrderKRW || r.Qty*r.BuyBelow > maxOrderKRW {
			t.Errorf("%s: qty %d at its thresholds is over %d won", r.Code, r.Qty, maxOrderKRW)
		}
	}
}
