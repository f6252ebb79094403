package exits

import (
	"testing"

	"github.com/hoga-trade/hoga/broker"
)

func TestParseLevel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		kind  Kind
		in    string
		want  Exit
		level int64 // at avg 70,000, high 75,000
		bad   bool
	}{
		{name: "stop_pct", kind: Stop, in: "-5%", want: Exit{Kind: Stop, BP: -500}, level: 66_500},
		{name: "stop_frac", kind: Stop, in: "-2.5%", want: Exit{Kind: Stop, BP: -250}, level: 68_200}, // 68,250 is off the 100-won tick
		{name: "stop_price", kind: Stop, in: "65,000", want: Exit{Kind: Stop, Price: 65_000}, level: 65_000},
		{name: "take_pct", kind: Take, in: "+10%", want: Exit{Kind: Take, BP: 1000}, level: 77_000},
		{name: "take_rounds_up", kind: Take, in: "+0.01%", want: Exit{Kind: Take, BP: 1}, level: 70_100},
		{name: "trail", kind: Trail, in: "3%", want: Exit{Kind: Trail, BP: 300}, level: 72_700},
		{name: "trail_negative_same", kind: Trail, in: "-3%", want: Exit{Kind: Trail, BP: 300}, level: 72_700},
		{name: "junk", kind: Stop, in: "abc", bad: true},
		{name: "three_decimals", kind: Stop, in: "-1.234%", bad: true},
		{name: "zero_pct", kind: Stop, in: "0%", bad: true},
		{name: "zero_price", kind: Stop, in: "0", bad: true},
		{name: "empty_pct", kind: Stop, in: "%", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseLevel(tt.kind, tt.in)
			if tt.bad {
				if err == nil {
					t.Fatalf("ParseLevel(%q) = %+v, want an error", tt.in, got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseLevel(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
			got.Code = "005930"
			if err := got.Validate(); err != nil {
				t.Fatal(err)
			}
			if l := got.Level(70_000, 75_000); l != tt.level {
				t.Errorf("level %d, want %d", l, tt.level)
			}
		})
	}
}

// TestLevelIsALegalTick: an exit's level is a price the market can trade
// (the KRX tick table, broker.TickSize), in every price band, and it is the
// price at which the exit fires: a stop or trail's level is the highest legal
// price at or below the percent level, a take's the lowest at or above, so on
// the tick grid "price ≤ level" (≥ for a take) decides exactly as the
// unrounded percent did: rounding moves what hoga says, never when it sells.
func TestLevelIsALegalTick(t *testing.T) {
	t.Parallel()
	tests := []struct {
		x         Exit
		avg, high int64
		want      int64
	}{
		{Exit{Kind: Trail, BP: 300}, 0, 76_000, 73_700},   // 73,720 → 100-won band
		{Exit{Kind: Trail, BP: 300}, 0, 1_999, 1_939},     // 1-won band: already legal
		{Exit{Kind: Trail, BP: 300}, 0, 4_990, 4_840},     // 4,840.3 → 5-won band
		{Exit{Kind: Trail, BP: 250}, 0, 19_990, 19_490},   // 19,490.25 → 10-won band
		{Exit{Kind: Trail, BP: 500}, 0, 52_100, 49_450},   // 49,495 crosses into the 50-won band
		{Exit{Kind: Trail, BP: 700}, 0, 233_000, 216_500}, // 216,690 → 500-won band
		{Exit{Kind: Trail, BP: 300}, 0, 612_000, 593_000}, // 593,640 → 1,000-won band
		{Exit{Kind: Stop, BP: -250}, 70_000, 0, 68_200},   // 68,250
		{Exit{Kind: Stop, BP: -333}, 9_870, 0, 9_540},     // 9,541.3
		{Exit{Kind: Stop, Price: 66_550}, 0, 0, 66_500},   // a typed price off the tick
		{Exit{Kind: Take, BP: 1}, 70_000, 0, 70_100},      // 70,007
		{Exit{Kind: Take, BP: 1000}, 45_900, 0, 50_500},   // 50,490 → 100-won band above 50,000
		{Exit{Kind: Take, Price: 199_950}, 0, 0, 200_000}, // a typed price off the tick
	}
	for _, tc := range tests {
		got := tc.x.Level(tc.avg, tc.high)
		if got != tc.want || !broker.OnTick(got) {
			t.Errorf("%s at avg %d high %d: level %d, want %d (on the tick grid)", tc.x, tc.avg, tc.high, got, tc.want)
		}
		// Every legal price near the level decides as the unrounded
		// level did.
		raw := tc.x.trigger(tc.avg, tc.high)
		for p := broker.SnapDown(raw * 97 / 100); p <= raw*103/100; p = broker.SnapUp(p + 1) {
			if tc.x.Crossed(p, got) != tc.x.Crossed(p, raw) {
				t.Errorf("%s: at %d the rounded level %d decides %v, the unrounded %d %v",
					tc.x.Kind, p, got, tc.x.Crossed(p, got), raw, tc.x.Crossed(p, raw))
			}
		}
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	bad := []Exit{
		{Code: "005930", Kind: Stop, BP: 500},    // a stop above the average
		{Code: "005930", Kind: Take, BP: -500},   // a take below it
		{Code: "005930", Kind: Trail, Price: 10}, // a trail by price
		{Code: "005930", Kind: Trail, BP: 10000},
		{Code: "005930", Kind: Stop, BP: -10000},
		{Code: "005930", Kind: Stop},
		{Code: "005930", Kind: "loss", BP: -500},
		{Code: "5930", Kind: Stop, BP: -500},
	}
	for _, x := range bad {
		if err := x.Validate(); err == nil {
			t.Errorf("%+v validated", x)
		}
	}
}

func TestFormat(t *testing.T) {
	t.Parallel()
	for x, want := range map[Exit]string{
		{Code: "005930", Kind: Stop, BP: -500}:     "005930 stop -5%",
		{Code: "005930", Kind: Take, BP: 1050}:     "005930 take +10.5%",
		{Code: "005930", Kind: Trail, BP: 325}:     "005930 trail 3.25%",
		{Code: "005930", Kind: Stop, Price: 65000}: "005930 stop 65000",
	} {
		if got := x.String(); got != want {
			t.Errorf("%+v: %q, want %q", x, got, want)
		}
	}
}

func FuzzParseLevel(f *testing.F) {
	for _, s := range []string{"-5%", "+10%", "3%", "65,000", "2.5%", "%", "-", "1e9%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, k := range []Kind{Stop, Take, Trail} {
			x, err := ParseLevel(k, s)
			if err != nil {
				continue
			}
			x.Code = "005930"
			if x.Validate() != nil {
				continue
			}
			l := x.Level(1_000_000, 1_000_000)
			if l < 0 {
				t.Fatalf("%q: negative level %d", s, l)
			}
			back, err := ParseLevel(k, x.Spec())
			if err != nil || back.BP != x.BP || back.Price != x.Price {
				t.Fatalf("%q: spec %q reads back as %+v, %v", s, x.Spec(), back, err)
			}
		}
	})
}
