package broker

import (
	"errors"
	"testing"
)

func TestTickSizeEveryBoundary(t *testing.T) {
	t.Parallel()
	tests := []struct {
		price, tick int64
	}{
		{1, 1}, {1_999, 1},
		{2_000, 5}, {4_999, 5},
		{5_000, 10}, {19_999, 10},
		{20_000, 50}, {49_999, 50},
		{50_000, 100}, {199_999, 100},
		{200_000, 500}, {499_999, 500},
		{500_000, 1_000}, {3_000_000, 1_000},
	}
	for _, tt := range tests {
		if got := TickSize(tt.price); got != tt.tick {
			t.Errorf("TickSize(%d) = %d; want %d", tt.price, got, tt.tick)
		}
	}
}

func TestOnTickAndSnap(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		price        int64
		on           bool
		below, above int64
	}{
		{"one_won_band", 1_234, true, 1_234, 1_234},
		{"five_won_band_off", 2_003, false, 2_000, 2_005},
		{"ten_won_band_on", 19_990, true, 19_990, 19_990},
		{"fifty_won_band_off", 20_010, false, 20_000, 20_050},
		{"hundred_won_band_off", 70_050, false, 70_000, 70_100},
		{"hundred_won_top", 199_950, false, 199_900, 200_000},
		{"five_hundred_band", 200_400, false, 200_000, 200_500},
		{"thousand_band", 500_500, false, 500_000, 501_000},
		{"boundary_itself", 50_000, true, 50_000, 50_000},
		{"just_below_boundary", 49_990, false, 49_950, 50_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := OnTick(tt.price); got != tt.on {
				t.Errorf("OnTick(%d) = %v; want %v", tt.price, got, tt.on)
			}
			lo, hi := NearestTicks(tt.price)
			if lo != tt.below || hi != tt.above {
				t.Errorf("NearestTicks(%d) = %d, %d; want %d, %d", tt.price, lo, hi, tt.below, tt.above)
			}
			if !OnTick(lo) || !OnTick(hi) {
				t.Errorf("snapped prices %d, %d are not on the grid", lo, hi)
			}
			err := CheckTick(tt.price)
			var te *TickError
			if tt.on != (err == nil) || (!tt.on && !errors.As(err, &te)) {
				t.Fatalf("CheckTick(%d) = %v", tt.price, err)
			}
			if !tt.on && KindOf(err) != Invalid {
				t.Errorf("CheckTick kind = %v; want invalid", KindOf(err))
			}
		})
	}
}

func TestSnapCoversEveryPrice(t *testing.T) {
	t.Parallel()
	for p := int64(1); p <= 600_000; p += 7 {
		lo, hi := NearestTicks(p)
		if !OnTick(lo) || !OnTick(hi) || lo > p || hi < p {
			t.Fatalf("NearestTicks(%d) = %d, %d", p, lo, hi)
		}
		if hi-lo > TickSize(hi) && hi != lo {
			t.Fatalf("NearestTicks(%d) = %d, %d: gap wider than a tick", p, lo, hi)
		}
	}
}

func FuzzCheckTick(f *testing.F) {
	for _, s := range []int64{1, 1999, 2000, 49_999, 50_000, 70_050, 500_001} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p int64) {
		if p <= 0 || p > 10_000_000_000 {
			return
		}
		err := CheckTick(p)
		if (err == nil) != OnTick(p) {
			t.Fatalf("CheckTick(%d) = %v but OnTick = %v", p, err, OnTick(p))
		}
		lo, hi := NearestTicks(p)
		if lo > p || hi < p || !OnTick(hi) || (lo > 0 && !OnTick(lo)) {
			t.Fatalf("NearestTicks(%d) = %d, %d", p, lo, hi)
		}
	})
}
