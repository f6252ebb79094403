package kis

import (
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// tradeRecord builds one 46-field H0STCNT0 record with the fields hoga reads.
func tradeRecord(code, hour, price, vol string) string {
	f := make([]string, tradeFieldsCount)
	for i := range f {
		f[i] = "0"
	}
	f[fTradeCode], f[fTradeHour], f[fTradePrice], f[fTradeVolume] = code, hour, price, vol
	f[fTradeAccVol], f[fTradeDate], f[fTradeHalt] = "1000", "20261204", "N"
	return strings.Join(f, "^")
}

// noticeRecord builds one H0STCNI0 record of n fields (26 OTA, 23 python-kis).
func noticeRecord(n int, orderNo, side, code, qty, price, cntgYN string) string {
	f := make([]string, n)
	f[0], f[fNoticeAcnt], f[fNoticeOrderNo], f[fNoticeSide] = "htsid", "5012345601", orderNo, side
	f[fNoticeCode], f[fNoticeQty], f[fNoticePrice], f[fNoticeHour] = code, qty, price, "093001"
	f[fNoticeRefused], f[fNoticeFill], f[fNoticeOrdQty] = "0", cntgYN, "10"
	return strings.Join(f, "^")
}

const (
	testKey = "0123456789abcdef0123456789abcdef"
	testIV  = "fedcba9876543210"
)

func TestParseTrades(t *testing.T) {
	t.Parallel()
	msg := "0|H0STCNT0|002|" + tradeRecord("005930", "093000", "70100", "12") + "^" + tradeRecord("000660", "093001", "180500", "3")
	f, err := ParseFrame([]byte(msg))
	if err != nil {
		t.Fatal(err)
	}
	if f.Encrypted || f.TRID != TRTrade || f.Count != 2 {
		t.Fatalf("frame %+v", f)
	}
	tr, err := ParseTrades(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr) != 2 || tr[0].Code != "005930" || tr[0].Price != 70100 || tr[0].Volume != 12 || tr[1].Code != "000660" || tr[1].Price != 180500 {
		t.Fatalf("trades %+v", tr)
	}
	if got := tr[0].Time.In(broker.KST()).Format("2006-01-02 15:04:05"); got != "2026-12-04 09:30:00" {
		t.Fatalf("time %s", got)
	}
}

func TestParseFrameRejects(t *testing.T) {
	t.Parallel()
	for name, msg := range map[string]string{
		"json":        `{"header":{}}`,
		"three_parts": "0|H0STCNT0|001",
		"bad_count":   "0|H0STCNT0|x|a",
		"zero_count":  "0|H0STCNT0|000|a",
		"empty":       "",
		"long_flag":   "01|H0STCNT0|001|a",
	} {
		if _, err := ParseFrame([]byte(msg)); err == nil {
			t.Errorf("%s: accepted %q", name, msg)
		}
	}
	f, _ := ParseFrame([]byte("0|H0STCNT0|002|" + tradeRecord("005930", "093000", "70100", "1")))
	if _, err := ParseTrades(f); err == nil {
		t.Error("count 2 with one record accepted")
	}
}

func TestNoticeEncrypted(t *testing.T) {
	t.Parallel()
	for _, n := range []int{26, 23, 25} {
		plain := noticeRecord(n, "0000012345", "02", "005930", "5", "70000", "2")
		ct, err := Encrypt(testKey, testIV, plain)
		if err != nil {
			t.Fatal(err)
		}
		f, err := ParseFrame([]byte("1|" + TRNoticeMock + "|001|" + ct))
		if err != nil || !f.Encrypted {
			t.Fatalf("%v %+v", err, f)
		}
		pt, err := Decrypt(testKey, testIV, f.Payload)
		if err != nil || pt != plain {
			t.Fatalf("decrypt: %v", err)
		}
		ns, err := ParseNotices(f.Count, pt)
		if err != nil {
			t.Fatal(err)
		}
		if got := ns[0]; !got.Fill || got.OrderNo != "0000012345" || got.Side != broker.Buy || got.Qty != 5 || got.Price != 70000 || got.Code != "005930" {
			t.Fatalf("%d fields: %+v", n, got)
		}
	}
	if _, err := Decrypt(testKey, testIV, "bm90IGJsb2Nr"); err == nil {
		t.Error("short ciphertext decrypted")
	}
	if _, err := Decrypt("short", testIV, "AAAA"); err == nil {
		t.Error("short key accepted")
	}
}

func TestParseControl(t *testing.T) {
	t.Parallel()
	c, err := ParseControl([]byte(`{"header":{"tr_id":"H0STCNI9","tr_key":"htsid","encrypt":"Y"},"body":{"rt_cd":"0","msg_cd":"OPSP0000","msg1":"SUBSCRIBE SUCCESS","output":{"iv":"` + testIV + `","key":"` + testKey + `"}}}`))
	if err != nil || c.Body.Output.Key != testKey || c.Header.Encrypt != "Y" || c.PingPong() {
		t.Fatalf("%v %+v", err, c)
	}
	p, err := ParseControl([]byte(`{"header":{"tr_id":"PINGPONG","datetime":"20261204093000"}}`))
	if err != nil || !p.PingPong() {
		t.Fatalf("%v %+v", err, p)
	}
}

func FuzzKISFrame(f *testing.F) {
	f.Add([]byte("0|H0STCNT0|001|" + tradeRecord("005930", "093000", "70100", "12")))
	f.Add([]byte("1|H0STCNI9|001|AAAAAAAAAAAAAAAAAAAAAA=="))
	f.Add([]byte(`{"header":{"tr_id":"PINGPONG"}}`))
	f.Add([]byte("0|H0STCNT0|999|^^^"))
	ct, _ := Encrypt(testKey, testIV, noticeRecord(26, "1", "01", "005930", "1", "1", "2"))
	f.Add([]byte("1|H0STCNI0|001|" + ct))
	f.Fuzz(func(t *testing.T, msg []byte) {
		if !IsData(msg) {
			_, _ = ParseControl(msg)
			return
		}
		fr, err := ParseFrame(msg)
		if err != nil {
			return
		}
		if fr.Encrypted {
			pt, err := Decrypt(testKey, testIV, fr.Payload)
			if err == nil {
				_, _ = ParseNotices(fr.Count, pt)
			}
			return
		}
		tr, err := ParseTrades(fr)
		if err == nil && len(tr) != fr.Count {
			t.Fatalf("%d trades for count %d", len(tr), fr.Count)
		}
		_, _ = ParseNotices(fr.Count, fr.Payload)
	})
}

// BenchmarkDecodeTrade measures frames/s for a one-record H0STCNT0 frame,
// the common case, on one core.
func BenchmarkDecodeTrade(b *testing.B) {
	msg := []byte("0|H0STCNT0|001|" + tradeRecord("005930", "093000", "70100", "12"))
	b.ReportAllocs()
	for b.Loop() {
		f, err := ParseFrame(msg)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ParseTrades(f); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeNotice measures an encrypted fill notice: base64, AES, parse.
func BenchmarkDecodeNotice(b *testing.B) {
	ct, _ := Encrypt(testKey, testIV, noticeRecord(26, "0000012345", "02", "005930", "5", "70000", "2"))
	msg := []byte("1|H0STCNI0|001|" + ct)
	b.ReportAllocs()
	for b.Loop() {
		f, err := ParseFrame(msg)
		if err != nil {
			b.Fatal(err)
		}
		pt, err := Decrypt(testKey, testIV, f.Payload)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ParseNotices(f.Count, pt); err != nil {
			b.Fatal(err)
		}
	}
}

// TestNoticeExchange: ORD_EXG_GB (column 20 of open-trading-api's 26;
// legacy/Sample01/kis_domstk_ws.py "1:KRX, 2:NXT, 3:SOR-KRX, 4:SOR-NXT")
// is where the order was sent and the exchange it is on. A 23-field
// record (python-kis, before NXT) has CRDT_CLS there and is not read.
func TestNoticeExchange(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fields   int
		gb       string
		sent, on broker.Venue
	}{
		{26, "1", broker.VenueKRX, broker.VenueKRX},
		{26, "2", broker.VenueNXT, broker.VenueNXT},
		{26, "3", broker.VenueSOR, broker.VenueKRX},
		{26, "4", broker.VenueSOR, broker.VenueNXT},
		{26, " 4", broker.VenueSOR, broker.VenueNXT},
		{26, "", "", ""},
		{26, "9", "", ""},
		{23, "4", "", ""},
		{25, "4", "", ""},
	}
	for _, tt := range tests {
		f := strings.Split(noticeRecord(tt.fields, "0000012345", "02", "005930", "5", "70000", "2"), "^")
		f[fNoticeExg] = tt.gb
		ns, err := ParseNotices(1, strings.Join(f, "^"))
		if err != nil {
			t.Fatal(err)
		}
		if ns[0].Venue != tt.sent || ns[0].Exchange != tt.on {
			t.Errorf("%d fields, ORD_EXG_GB %q: sent %q on %q; want %q %q", tt.fields, tt.gb, ns[0].Venue, ns[0].Exchange, tt.sent, tt.on)
		}
	}
}

// TestRoutesRemembersTheNotice: OrdersToday's Exchange comes from the
// notices of the day (the order list has no such column); fills of one
// SOR order from both exchanges leave it unsaid; a new day forgets.
func TestRoutesRemembersTheNotice(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 3, 4, 0, 0, 0, 0, broker.KST())
	var r routes
	r.note(day, Notice{OrderNo: "12345", Exchange: broker.VenueNXT})
	r.note(day, Notice{OrderNo: "0000000777", Exchange: broker.VenueKRX})
	r.note(day, Notice{OrderNo: "0000000777", Exchange: broker.VenueNXT})
	r.note(day, Notice{OrderNo: "0000000888"}) // no ORD_EXG_GB
	for id, want := range map[string]broker.Venue{"0000012345": broker.VenueNXT, "12345": broker.VenueNXT, "777": "", "888": "", "999": ""} {
		if got := r.exchange(day, id); got != want {
			t.Errorf("%s: %q, want %q", id, got, want)
		}
	}
	if got := r.exchange(day.AddDate(0, 0, 1), "12345"); got != "" {
		t.Errorf("next day: %q", got)
	}
}
