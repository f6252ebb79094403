package broker

import "testing"

func TestFeesAndRealisedPnL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		side           Side
		qty, price     int64
		cost           int64
		comm, tax, pnl int64
		ok             bool
	}{
		// 10 × 70,000 = 700,000: commission 105 (0.015%), no tax on a buy.
		{"buy", Buy, 10, 70_000, 0, 105, 0, 0, false},
		// 10 × 75,000 = 750,000: commission 112 (112.5 rounded down), tax
		// 1,500 (0.20%); cost 700,000 → 750,000 − 700,000 − 112 − 1,500.
		{"sell_gain", Sell, 10, 75_000, 70_000, 112, 1_500, 48_388, true},
		{"sell_loss", Sell, 3, 65_000, 70_000, 29, 390, -15_419, true},
		{"sell_cost_unknown", Sell, 3, 65_000, 0, 29, 390, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := Fill{Side: tt.side, Qty: tt.qty, Price: tt.price, CostPrice: tt.cost}
			f.Commission, f.Tax = DefaultFees.For(tt.side, f.Amount())
			if f.Commission != tt.comm || f.Tax != tt.tax {
				t.Fatalf("fees %d + %d, want %d + %d", f.Commission, f.Tax, tt.comm, tt.tax)
			}
			pnl, pct, ok := f.RealisedPnL()
			if ok != tt.ok || pnl != tt.pnl {
				t.Fatalf("P&L %d (%v), want %d (%v)", pnl, ok, tt.pnl, tt.ok)
			}
			if ok && (pct > 0) != (pnl > 0) {
				t.Fatalf("pct %.2f disagrees with %d", pct, pnl)
			}
		})
	}
	if c, tx := (Fees{CommissionPPM: 2_000_000}).For(Sell, 1<<62); c != 1<<62 || tx != 0 {
		t.Fatalf("clamped fee %d %d", c, tx)
	}
}
