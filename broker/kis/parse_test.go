package kis

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/hoga-trade/hoga/broker"
)

func TestParseWon(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"", 0, true}, {"  ", 0, true}, {"0", 0, true}, {"65850", 65850, true}, {" 65850 ", 65850, true},
		{"-150", -150, true}, {"+150", 150, true}, {"71033.3333", 71033, true}, {"71033.5", 71034, true},
		{"-1.5", -2, true}, {"65850.0000", 65850, true}, {".5", 1, true}, {"9223372036854775800", 9223372036854775800, true},
		{"-", 0, false}, {".", 0, false}, {"1,000", 0, false}, {"12a", 0, false}, {"1.2.3", 0, false},
		{"+-1", 0, false}, {"99999999999999999999", 0, false}, {"1e5", 0, false}, {"１２", 0, false},
	}
	for _, tc := range cases {
		got, err := parseWon(tc.in)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("parseWon(%q) = %d, %v; want %d ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestParseRatio(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]float64{"": 0, "-0.23": -0.23, "13.30": 13.3, " 1.14 ": 1.14, "29.94": 29.94} {
		if got, err := parseRatio(in); err != nil || got != want {
			t.Errorf("parseRatio(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"x", "NaN", "Inf", "1.2.3"} {
		if _, err := parseRatio(in); err == nil {
			t.Errorf("parseRatio(%q) accepted", in)
		}
	}
}

func FuzzParseWon(f *testing.F) {
	for _, s := range []string{"", "0", "65850", "-150", "+150", "71033.3333", "71033.5", ".5", "-", "1,000", "9223372036854775807", " 12 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseWon(s)
		if err != nil {
			return
		}
		// Whatever parses must agree with strconv on the rounded value,
		// for inputs strconv can represent exactly.
		trimmed := strings.TrimSpace(s)
		if i, perr := strconv.ParseInt(strings.TrimPrefix(trimmed, "+"), 10, 64); perr == nil && !strings.HasPrefix(trimmed, "+-") && i != n {
			t.Fatalf("parseWon(%q) = %d; strconv says %d", s, n, i)
		}
		if trimmed == "" && n != 0 {
			t.Fatalf("empty parsed as %d", n)
		}
		// Re-parsing the formatted value is stable.
		if m, err := parseWon(strconv.FormatInt(n, 10)); err != nil || m != n {
			t.Fatalf("round trip of %d = %d, %v", n, m, err)
		}
	})
}

func FuzzDecodeQuote(f *testing.F) {
	sample, err := os.ReadFile("testdata/inquire_price.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sample)
	f.Add([]byte(`{"output":{"stck_prpr":"0"}}`))
	f.Add([]byte(`{"output":{"stck_prpr":"65850","prdy_vrss":"150","prdy_vrss_sign":"5"}}`))
	f.Add([]byte(`{"output":{"stck_prpr":"1","prdy_vrss":"-9223372036854775807","prdy_vrss_sign":"2","aspr_unit":"-5"}}`))
	f.Add([]byte(`{"output":null}`))
	f.Add([]byte(`[1,2,3]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		q, err := decodeQuote("005930", body)
		if err != nil {
			if _, ok := broker.AsError(err); !ok {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		if q.Price <= 0 || q.Tick <= 0 || q.Code != "005930" {
			t.Fatalf("accepted quote %+v", q)
		}
		if q.Sign < 1 || q.Sign > 5 {
			t.Fatalf("sign %d out of range", q.Sign)
		}
		dir := q.Sign.Direction()
		if (dir > 0 && q.Change < 0) || (dir < 0 && q.Change > 0) || (dir == 0 && q.Change != 0) {
			t.Fatalf("sign %d disagrees with change %d", q.Sign, q.Change)
		}
		if (dir > 0 && q.ChangePct < 0) || (dir < 0 && q.ChangePct > 0) {
			t.Fatalf("sign %d disagrees with pct %v", q.Sign, q.ChangePct)
		}
	})
}

func FuzzDecodeOrderOutput(f *testing.F) {
	f.Add([]byte(`{"rt_cd":"0","output":{"KRX_FWDG_ORD_ORGNO":"06590","ODNO":"0000006555","ORD_TMD":"151059"}}`))
	f.Add([]byte(`{"rt_cd":"0","output":{"krx_fwdg_ord_orgno":"06590","odno":"0000006556","ord_tmd":"151100"}}`))
	f.Add([]byte(`{"output":{"ODNO":5}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		out, err := decodeOrderOutput(body)
		if err == nil && (strings.TrimSpace(out.ODNO) != out.ODNO || strings.TrimSpace(out.Branch) != out.Branch) {
			t.Fatalf("untrimmed output %+v", out)
		}
	})
}

func TestDecodeQuoteSample(t *testing.T) {
	t.Parallel()
	body, err := os.ReadFile("testdata/inquire_price.json")
	if err != nil {
		t.Fatal(err)
	}
	q, err := decodeQuote("005930", body)
	if err != nil {
		t.Fatal(err)
	}
	want := broker.Quote{Code: "005930", Price: 65_850, Change: -150, ChangePct: -0.23, Sign: broker.SignDown,
		Volume: 1_943_202, Open: 66_000, High: 66_100, Low: 65_500, PrevClose: 66_000, UpperLimit: 85_800,
		LowerLimit: 46_200, Tick: 100}
	if q != want {
		t.Fatalf("quote = %+v\nwant %+v", q, want)
	}
}

func BenchmarkDecodeQuote(b *testing.B) {
	body, err := os.ReadFile("testdata/inquire_price.json")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeQuote("005930", body); err != nil {
			b.Fatal(err)
		}
	}
}

// TestOrderRowSession: ord_dvsn_cd 05/06 (장전/장후 시간외: MCP/Kis Trading
// MCP/configs/domestic_stock.json) read as market orders of their
// closing-price session, 07 as a limit order of 시간외 단일가.
func TestOrderRowSession(t *testing.T) {
	t.Parallel()
	for dvsn, want := range map[string]struct {
		typ     broker.OrderType
		session broker.SessionKind
	}{
		"00": {broker.Limit, ""}, "01": {broker.Market, ""},
		"05": {broker.Market, broker.KRXPreClosing}, "06": {broker.Market, broker.KRXAfterClosing},
		"07": {broker.Limit, broker.KRXAfterSingle},
	} {
		o, err := orderFromRow(ccldRow{Odno: "0000000001", Pdno: "005930", OrdQty: "2", OrdUnpr: "70000", OrdDvsnCd: dvsn, SllBuyDvsnCd: "02"}, false)
		if err != nil {
			t.Fatal(err)
		}
		if o.Type != want.typ || o.Session != want.session || (o.Type == broker.Market && o.Price != 0) {
			t.Errorf("ord_dvsn_cd %s: %v %q at %d; want %v %q", dvsn, o.Type, o.Session, o.Price, want.typ, want.session)
		}
	}
}
