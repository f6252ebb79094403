package broker

import (
	"math"
	"testing"
)

func TestThousands(t *testing.T) {
	t.Parallel()
	tests := map[int64]string{0: "0", 7: "7", 999: "999", 1000: "1,000", -1000: "-1,000", 1_274_000: "1,274,000",
		-12345: "-12,345", 10_000_000: "10,000,000", math.MinInt64: "-9,223,372,036,854,775,808"}
	for in, want := range tests {
		if got := Thousands(in); got != want {
			t.Errorf("Thousands(%d) = %q; want %q", in, got, want)
		}
	}
}
