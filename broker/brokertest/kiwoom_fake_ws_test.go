package brokertest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// The fake's realtime rows look like the examples of Kiwoom's own spec
// (Kiwoom-Securities/Kiwoom-REST-API kiwoom/_data/kiwoom_api_spec.json,
// "주식체결(0B)" and "주문체결(00)"): item and 9001 are the plain code,
// never "A005930".
func TestKiwoomFakeRealtimeWire(t *testing.T) {
	t.Parallel()
	f := NewKiwoomServer(KiwoomFakeOptions{RateLimit: -1, Stocks: kwThree})
	defer f.Close()
	tok := kwIssue(t, f)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // a bound on a hang
	defer cancel()
	c, _, err := websocket.Dial(ctx, f.WSURL()+"/api/dostk/websocket", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	send := func(v any) {
		b, _ := json.Marshal(v)
		if err := c.Write(ctx, websocket.MessageText, b); err != nil {
			t.Fatal(err)
		}
	}
	type row struct {
		Type   string            `json:"type"`
		Item   string            `json:"item"`
		Values map[string]string `json:"values"`
	}
	read := func(trnm string) []row {
		for {
			_, b, err := c.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var m struct {
				Trnm string `json:"trnm"`
				Data []row  `json:"data"`
			}
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			if m.Trnm == trnm {
				return m.Data
			}
		}
	}
	send(map[string]string{"trnm": "LOGIN", "token": tok})
	read("LOGIN")
	send(map[string]any{"trnm": "REG", "grp_no": "1", "refresh": "1", "data": []any{map[string]any{"item": []string{""}, "type": []string{"00"}}}})
	read("REG")
	send(map[string]any{"trnm": "REG", "grp_no": "2", "refresh": "1", "data": []any{map[string]any{"item": []string{"005930"}, "type": []string{"0B"}}}})
	read("REG")

	f.SetPrice("005930", 71_000)
	trade := read("REAL")[0]
	if trade.Type != "0B" || trade.Item != "005930" || strings.TrimLeft(trade.Values["10"], "+-") != "71000" {
		t.Fatalf("0B row %+v", trade)
	}
	o := kwCall(t, f, tok, "kt10000", map[string]string{"dmst_stex_tp": "KRX", "stk_cd": "005930", "ord_qty": "1", "ord_uv": "70000", "trde_tp": "0", "cond_uv": ""})
	if o.rc() != 0 {
		t.Fatalf("order %+v", o.body)
	}
	f.SetPrice("005930", 70_000)
	for {
		r := read("REAL")[0]
		if r.Type != "00" {
			continue
		}
		if r.Item != "005930" || r.Values["9001"] != "005930" || r.Values["9203"] != o.str("ord_no") {
			t.Fatalf("00 row %+v: want item and 9001 \"005930\" as in Kiwoom's spec", r)
		}
		break
	}
}
