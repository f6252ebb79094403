package exits

import (
	"testing"
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
		{name: "stop_frac", kind: Stop, in: "-2.5%", want: Exit{Kind: Stop, BP: -250}, level: 68_250},
		{name: "stop_price", kind: Stop, in: "65,000", want: Exit{Kind: Stop, Price: 65_000}, level: 65_000},
		{name: "take_pct", kind: Take, in: "+10%", want: Exit{Kind: Take, BP: 1000}, level: 77_000},
		{name: "take_rounds_up", kind: Take, in: "+0.01%", want: Exit{Kind: Take, BP: 1}, level: 70_007},
		{name: "trail", kind: Trail, in: "3%", want: Exit{Kind: Trail, BP: 300}, level: 72_750},
		{name: "trail_negative_same", kind: Trail, in: "-3%", want: Exit{Kind: Trail, BP: 300}, level: 72_750},
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
