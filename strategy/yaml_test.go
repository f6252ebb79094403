package strategy

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

func TestExampleRulesFile(t *testing.T) {
	t.Parallel()
	rs, err := LoadRulesFile(filepath.Join("..", "deploy", "rules.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Rule{
		{Code: "005930", BuyBelow: 190_000, SellAbove: 210_000, Qty: 3, Type: broker.Limit, Enabled: true},
		{Code: "000660", BuyBelow: 950_000, SellAbove: 995_000, Qty: 1, Type: broker.Limit, MaxPosition: 10,
			Cooldown: 30 * time.Minute, Enabled: false, Confirm: true, RearmBP: 150},
	}
	if len(rs) != len(want) {
		t.Fatalf("%d rules: %+v", len(rs), rs)
	}
	for i := range want {
		if rs[i] != want[i] {
			t.Errorf("rule %d\n got %+v\nwant %+v", i, rs[i], want[i])
		}
	}
}

func TestParseRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		yaml string
		want []Rule
	}{
		{"empty_file", "", nil},
		{"no_rules", "rules:\n", nil},
		{"empty_list", "rules: []\n", nil},
		{
			"unquoted_code_keeps_its_digits",
			"rules:\n  - code: 012345\n    buy_below: 1000\n    qty: 1\n",
			[]Rule{{Code: "012345", BuyBelow: 1_000, Qty: 1, Type: broker.Limit, Enabled: true}},
		},
		{
			"flow_style_market_order_lower_case_code",
			"rules: [{code: 0088m0, sell_above: 9000, qty: 3, type: MARKET, cooldown: 0}]\n",
			[]Rule{{Code: "0088M0", SellAbove: 9_000, Qty: 3, Type: broker.Market, Enabled: true}},
		},
		{
			"rearm_pct_to_basis_points",
			"rules:\n  - {code: \"005930\", buy_below: 65000, qty: 1, rearm_pct: 0.25}\n",
			[]Rule{{Code: "005930", BuyBelow: 65_000, Qty: 1, Type: broker.Limit, Enabled: true, RearmBP: 25}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseRules("rules.yaml", []byte(tc.yaml))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("got %+v, want %+v", got[i], tc.want[i])
				}
			}
		})
	}
}

func TestParseRulesErrorsNameTheLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		yaml string
		want []string // each problem's "rules.yaml:LINE[:COL]: …" prefix and a fragment
	}{
		{"unknown_field", "rules:\n  - code: \"005930\"\n    qty: 1\n    buy_belw: 65000\n",
			[]string{`rules.yaml:4:5: unknown field "buy_belw"`}},
		{"unknown_top_level_key", "rule:\n  - code: \"005930\"\n",
			[]string{`rules.yaml:1:1: unknown field "rule"`}},
		{"comma_in_a_price", "rules:\n  - code: \"005930\"\n    buy_below: 65,000\n    qty: 1\n",
			[]string{`rules.yaml:3:16: buy_below: "65,000" is not a whole number`}},
		{"too_large", "rules:\n  - code: \"005930\"\n    qty: 99999999999999999999\n",
			[]string{`rules.yaml:3:10: qty: 99999999999999999999 is too large`}},
		{"bad_duration", "rules:\n  - code: \"005930\"\n    buy_below: 65000\n    qty: 1\n    cooldown: 10x\n",
			[]string{`rules.yaml:5:15: cooldown "10x" must be a duration`}},
		{"duration_as_a_number", "rules:\n  - code: \"005930\"\n    cooldown: 600\n",
			[]string{`rules.yaml:3:15: cooldown must be a duration`}},
		{"bool_as_yes", "rules:\n  - code: \"005930\"\n    enabled: yes\n",
			[]string{`rules.yaml:3:14: enabled: "yes" is not true or false`}},
		{"missing_qty", "rules:\n  - code: \"005930\"\n    buy_below: 65000\n",
			[]string{`rules.yaml:2: rule 005930: qty must be positive`}},
		{"missing_code", "rules:\n  - buy_below: 65000\n    qty: 1\n",
			[]string{`rules.yaml:2: rule has no code`}},
		{"bad_code", "rules:\n  - code: \"00593\"\n    qty: 1\n",
			[]string{`rules.yaml:2: stock code "00593" must be 6 letters or digits`}},
		{"code_as_a_list", "rules:\n  - code: [1]\n",
			[]string{`rules.yaml:2:11: code must be a 6-character stock code`}},
		{"buy_not_below_sell", "rules:\n  - code: \"005930\"\n    buy_below: 75000\n    sell_above: 65000\n    qty: 1\n",
			[]string{`rules.yaml:2: rule 005930: buy price 75000 must be below sell price 65000`}},
		{"no_leg", "rules:\n  - code: \"005930\"\n    qty: 1\n",
			[]string{`rules.yaml:2: rule 005930 needs buy<PRICE or sell>PRICE`}},
		{"bad_type", "rules:\n  - code: \"005930\"\n    buy_below: 1000\n    qty: 1\n    type: stop\n",
			[]string{`rules.yaml:2: rule 005930: order type "stop" must be limit or market`}},
		{"rearm_out_of_range", "rules:\n  - code: \"005930\"\n    buy_below: 1000\n    qty: 1\n    rearm_pct: 60\n",
			[]string{`rules.yaml:2: rule 005930: rearm_pct 60 must be more than 0 and at most 50`}},
		{"max_below_qty", "rules:\n  - code: \"005930\"\n    buy_below: 1000\n    qty: 10\n    max_position: 5\n",
			[]string{`rules.yaml:2: rule 005930: max position 5 is below qty 10`}},
		{"absurd_price", "rules:\n  - code: \"005930\"\n    buy_below: 5000000000000\n    qty: 1\n",
			[]string{`rules.yaml:2: rule 005930: prices and quantities must be at most`}},
		{"bad_venue", "rules:\n  - code: \"005930\"\n    buy_below: 1000\n    qty: 1\n    venue: nyse\n",
			[]string{`rules.yaml:2: rule 005930: venue "nyse" must be krx, nxt or sor`}},
		{"bad_sessions", "rules:\n  - code: \"005930\"\n    buy_below: 1000\n    qty: 1\n    sessions: always\n",
			[]string{`rules.yaml:2: rule 005930: sessions "always" must be regular (09:00–15:30) or extended`}},
		{"extended_on_krx", "rules:\n  - code: \"005930\"\n    buy_below: 1000\n    qty: 1\n    venue: krx\n    sessions: extended\n",
			[]string{`rules.yaml:2: rule 005930: sessions: extended needs venue nxt or sor`}},
		{"duplicate_code", "rules:\n  - {code: \"005930\", buy_below: 1000, qty: 1}\n  - {code: \"005930\", sell_above: 9000, qty: 1}\n",
			[]string{`rules.yaml:3: code 005930 already has a rule at line 2`}},
		{"duplicate_key", "rules:\n  - code: \"005930\"\n    code: \"000660\"\n",
			[]string{`rules.yaml:3:5: mapping key "code" already defined at [2:5]`}},
		{"rules_not_a_list", "rules: 5\n", []string{`rules.yaml:1:8: rules must be a list`}},
		{"rule_not_a_mapping", "rules:\n  - 005930\n", []string{`rules.yaml:2:5: rule 1 must be a mapping`}},
		{"top_level_list", "- code: \"005930\"\n", []string{`rules.yaml:1:1: `}},
		{"syntax_error", "rules:\n  - code: \"005930\n", []string{`rules.yaml:2:`}},
		{"every_bad_rule_is_reported", "rules:\n  - code: \"005930\"\n    qty: 0\n    buy_below: 1\n  - code: \"000660\"\n    bogus: 1\n  - code: \"035720\"\n    buy_below: 1\n",
			[]string{`rules.yaml:2: rule 005930: qty must be positive`, `rules.yaml:6:5: unknown field "bogus"`, `rules.yaml:7: rule 035720: qty must be positive`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rs, err := ParseRules("rules.yaml", []byte(tc.yaml))
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("got %+v, %v; want a *FileError", rs, err)
			}
			lines := strings.Split(fe.Error(), "\n")
			if len(lines) != len(tc.want) {
				t.Fatalf("problems:\n%s\nwant %d", fe, len(tc.want))
			}
			for i, w := range tc.want {
				if !strings.HasPrefix(lines[i], w) {
					t.Errorf("problem %d\n got %s\nwant %s…", i, lines[i], w)
				}
			}
			for _, p := range fe.Problems {
				if p.Line <= 0 {
					t.Errorf("problem without a line: %+v", p)
				}
			}
		})
	}
}

func TestLoadRulesFileMissing(t *testing.T) {
	t.Parallel()
	_, err := LoadRulesFile(filepath.Join(t.TempDir(), "nope.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v", err)
	}
}

// FuzzParseRules checks the loader never panics, and that whatever it
// accepts is a set of valid rules, one per code.
func FuzzParseRules(f *testing.F) {
	seeds := []string{
		"",
		"rules:\n  - code: \"005930\"\n    buy_below: 65000\n    sell_above: 75000\n    qty: 10\n",
		"rules: [{code: 012345, buy_below: 1000, qty: 1, type: market, cooldown: 10m, rearm_pct: 2.5, enabled: false, confirm: true, max_position: 5}]",
		"rules:\n  - code: &a \"005930\"\n  - code: *a\n",
		"rules:\n  - code: \"005930\"\n    buy_below: 65,000\n",
		"rules:\n  -\n  - 5\n  - [1]\n",
		"rules: !!map {}\n",
		"%YAML 1.2\n---\nrules: []\n...\n",
		"rules:\n  - code: \"005930\"\n    cooldown: -1s\n    qty: 1\n    buy_below: 5\n",
		"rules:\n  - {code: \"005930\", buy_below: 1e3, qty: 1}\n",
	}
	if data, err := os.ReadFile(filepath.Join("..", "deploy", "rules.example.yaml")); err == nil {
		seeds = append(seeds, string(data))
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := ParseRules("fuzz.yaml", data)
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || len(fe.Problems) == 0 {
				t.Fatalf("error %v is not a *FileError with problems", err)
			}
			for _, p := range fe.Problems {
				if p.Msg == "" {
					t.Fatalf("empty problem in %v", err)
				}
			}
			return
		}
		seen := map[broker.Code]bool{}
		for _, r := range rs {
			if err := CheckRule(r); err != nil {
				t.Fatalf("accepted an invalid rule %+v: %v", r, err)
			}
			if seen[r.Code] {
				t.Fatalf("accepted two rules for %s", r.Code)
			}
			seen[r.Code] = true
		}
	})
}

// TestParseRulesVenue: venue and sessions are read, any case; both are
// optional (the default venue, regular sessions).
func TestParseRulesVenue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		extra    string
		venue    broker.Venue
		extended bool
	}{
		{"", "", false},
		{"    venue: NXT\n    sessions: extended\n", broker.VenueNXT, true},
		{"    venue: sor\n    sessions: Regular\n", broker.VenueSOR, false},
		{"    sessions: extended\n", "", true},
	}
	for _, tt := range tests {
		rs, err := ParseRules("rules.yaml", []byte("rules:\n  - code: \"005930\"\n    buy_below: 1000\n    qty: 1\n"+tt.extra))
		if err != nil || len(rs) != 1 {
			t.Fatalf("%q: %v %v", tt.extra, rs, err)
		}
		if rs[0].Venue != tt.venue || rs[0].Extended != tt.extended {
			t.Errorf("%q: venue %q extended %v; want %q %v", tt.extra, rs[0].Venue, rs[0].Extended, tt.venue, tt.extended)
		}
	}
}
