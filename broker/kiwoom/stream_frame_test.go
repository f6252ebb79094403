package kiwoom

import (
	"encoding/json"
	"testing"

	"github.com/hoga-trade/hoga/broker"
)

// spec0B is the 0B example from Kiwoom-REST-API's spec (values trimmed).
const spec0B = `{"trnm":"REAL","data":[{"type":"0B","name":"주식체결","item":"005930","values":{"20":"165208","10":"-20800","11":"-50","12":"-0.24","15":"+82","13":"30379732","25":"5"}},{"type":"0B","name":"주식체결","item":"000660_NX","values":{"20":"165209","10":"+180500","15":"-3","13":"100"}}]}`

// order00 is a fill shaped like the 주문체결(00) example of Kiwoom-REST-API's
// spec (kiwoom/_data/kiwoom_api_spec.json): 9001 and item are the plain
// code, no "A".
const order00 = `{"trnm":"REAL","data":[{"type":"00","name":"주문체결","item":"005930","values":{"9201":"1234567890","9203":"0012345","9001":"005930","913":"체결","302":"삼성전자","900":"10","901":"70000","902":"5","904":"0000000","905":"+매수","907":"2","908":"093001","909":"000777","910":"70000","911":"5","914":"70000","915":"5"}}]}`

func TestParseTrades(t *testing.T) {
	t.Parallel()
	m, err := ParseMessage([]byte(spec0B))
	if err != nil || m.Trnm != TrnmReal || len(m.Data) != 2 {
		t.Fatalf("%v %+v", err, m)
	}
	a, err := TradeOf(m.Data[0])
	if err != nil || a.Code != "005930" || a.Price != 20800 || a.Volume != 82 || a.AccVol != 30379732 || a.Hour != "165208" {
		t.Fatalf("%v %+v", err, a)
	}
	b, err := TradeOf(m.Data[1])
	if err != nil || b.Code != "000660" || b.Price != 180500 || b.Volume != 3 {
		t.Fatalf("%v %+v", err, b)
	}
}

func TestParseOrderNotice(t *testing.T) {
	t.Parallel()
	m, err := ParseMessage([]byte(order00))
	if err != nil {
		t.Fatal(err)
	}
	n, err := OrderNoticeOf(m.Data[0])
	if err != nil {
		t.Fatal(err)
	}
	want := OrderNotice{OrderNo: "0012345", OrigNo: "0000000", Code: "005930", State: "체결", Side: broker.Buy, OrderQty: 10, OrderPx: 70000, Remaining: 5, ExecNo: "000777", ExecPx: 70000, ExecQty: 5, Hour: "093001"}
	if n != want || !n.Fill() {
		t.Fatalf("got %+v", n)
	}
}

func TestParseMessageControl(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		msg string
		ok  bool
	}{
		{`{"trnm":"LOGIN","return_code":0,"return_msg":""}`, true},
		{`{"trnm":"LOGIN","return_code":100013,"return_msg":"CODE=8005"}`, false},
		{`{"trnm":"REG","return_code":"0"}`, true},
		{`{"trnm":"PING"}`, true},
	} {
		m, err := ParseMessage([]byte(tc.msg))
		if err != nil || m.OK() != tc.ok {
			t.Errorf("%s: %v ok=%v", tc.msg, err, m.OK())
		}
	}
	if _, err := ParseMessage([]byte(`{"return_code":0}`)); err == nil {
		t.Error("message without trnm accepted")
	}
}

func TestRegMessage(t *testing.T) {
	t.Parallel()
	var got map[string]any
	if err := json.Unmarshal(regMessage(TrnmReg, "1", "1", []string{"005930"}, TypeTrade), &got); err != nil {
		t.Fatal(err)
	}
	if got["trnm"] != "REG" || got["grp_no"] != "1" || got["refresh"] != "1" {
		t.Fatalf("%v", got)
	}
}

func FuzzKiwoomMessage(f *testing.F) {
	f.Add([]byte(spec0B))
	f.Add([]byte(order00))
	f.Add([]byte(`{"trnm":"PING"}`))
	f.Add([]byte(`{"trnm":"REAL","data":[{"type":"0B","values":null}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseMessage(b)
		if err != nil {
			return
		}
		_ = m.OK()
		for _, r := range m.Data {
			_, _ = TradeOf(r)
			_, _ = OrderNoticeOf(r)
		}
	})
}

// BenchmarkDecodeTrade measures frames/s for a two-row 0B message on one core.
func BenchmarkDecodeTrade(b *testing.B) {
	msg := []byte(spec0B)
	b.ReportAllocs()
	for b.Loop() {
		m, err := ParseMessage(msg)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range m.Data {
			if _, err := TradeOf(r); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// The code of a 00 row: plain in Kiwoom's spec; an "A" prefix or an
// NXT/SOR suffix is dropped rather than refused; anything else is an
// unreadable row.
func TestOrderNoticeCode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, want string // want "" for an error
	}{
		{"005930", "005930"},    // the spec's example
		{"A005930", "005930"},   // tolerated
		{" 005930 ", "005930"},  // padded
		{"005930_NX", "005930"}, // an NXT registration's item form
		{"", ""},
		{"0059301", ""},
	} {
		r := Real{Type: TypeOrder, Values: map[string]string{fidOrderNo: "0000018", fidCode: tc.in, fidSide: "2", fidState: "접수"}}
		n, err := OrderNoticeOf(r)
		if tc.want == "" {
			if err == nil {
				t.Errorf("9001 %q: code %q, want an error", tc.in, n.Code)
			}
			continue
		}
		if err != nil || string(n.Code) != tc.want {
			t.Errorf("9001 %q: %q, %v; want %q", tc.in, n.Code, err, tc.want)
		}
	}
}
