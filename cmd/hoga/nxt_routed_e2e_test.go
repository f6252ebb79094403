package main

import (
	"context"
	"strings"
	"testing"
)

// TestSORFilledOnNXTThroughRun: through run() on a live fake keeping
// market hours, a SOR order at 19:00 KST (only NXT trades then) is routed
// by the fake to NXT, fills, is tracked and reconciled, and /orders shows
// where it was sent and where it traded, "SOR→NXT". At 10:00, with NXT's
// price the better one for a buy, it goes to NXT too; with KRX's, to KRX.
//
// Kiwoom's order lists say where (ka10075/ka10076 stex_tp_txt). KIS's
// says only the venue sent; its fill notice on the stream says where
// (H0STCNI0 ORD_EXG_GB 4 SOR-NXT, 3 SOR-KRX), so the KIS rows run with
// the fake's WebSocket and /orders is asked until the notice is heard.
func TestSORFilledOnNXTThroughRun(t *testing.T) {
	t.Parallel()
	tests := []struct {
		broker, name, at string
		nxtPrice         int64
		want             string
	}{
		{"kiwoom", "after_market_1900", "2026-03-04 19:00:00", 0, "SOR→NXT — 체결"},
		{"kiwoom", "main_1000_nxt_cheaper", "2026-03-04 10:00:00", 69_900, "SOR→NXT — 체결"},
		{"kiwoom", "main_1000_krx", "2026-03-04 10:00:00", 0, "SOR→KRX — 체결"},
		{"kis", "after_market_1900", "2026-03-04 19:00:00", 0, "SOR→NXT — 체결"},
		{"kis", "main_1000_nxt_cheaper", "2026-03-04 10:00:00", 69_900, "SOR→NXT — 체결"},
		{"kis", "main_1000_krx", "2026-03-04 10:00:00", 0, "SOR→KRX — 체결"},
	}
	for _, tt := range tests {
		t.Run(tt.broker+"_"+tt.name, func(t *testing.T) {
			t.Parallel()
			fc := kstClock(t, tt.at)
			getenv, market, sentTo, noticed := nxtClockedFake(t, tt.broker, "live", fc, true)
			market.SetPrice("005930", 70_000)
			if tt.nxtPrice > 0 {
				market.SetNXTPrice("005930", tt.nxtPrice)
			}
			h := startHogaCtx(t, withBrokerClock(withClock(context.Background(), fc), fc), fc, getenv)
			waitFor(t, "the fill-notice registration", noticed)
			h.send("/buy 005930 2 70000 sor")
			h.waitOut("the confirmation", "실전 주문 확인")
			h.send("1")
			h.waitOut("the order", "매수 주문 접수")
			// A notice is heard beside the order's answer, not in step
			// with it: ask again (one /orders at a time) until it shows.
			asked := 0
			waitFor(t, "/orders to show "+tt.want, func() bool {
				out := h.out.String()
				if strings.Contains(out, tt.want) {
					return true
				}
				if strings.Count(out, "오늘 주문") == asked {
					h.send("/orders")
					asked++
				}
				return false
			})
			if v := sentTo(); len(v) != 1 || v[0] != "SOR" {
				t.Errorf("orders at the fake: %v; want one sent to SOR", v)
			}
		})
	}
}
