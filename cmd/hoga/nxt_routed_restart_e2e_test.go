package main

import (
	"context"
	"strings"
	"testing"
)

// TestSORExchangeAcrossRestart (issue 16): on KIS a SOR order's exchange
// comes only from the fill notice (H0STCNI0 ORD_EXG_GB 4 SOR-NXT, 3
// SOR-KRX); KIS's order list names the venue sent. The journal keeps it:
// hoga is stopped after the fill and started again with the stream off
// (HOGA_KIS_WS_URL unset), so no notice can tell it again, and /orders
// still shows "SOR→NXT" (or "SOR→KRX"), not "SOR".
func TestSORExchangeAcrossRestart(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, at string
		nxtPrice int64
		want     string
	}{
		{"after_market_1900", "2026-03-04 19:00:00", 0, "SOR→NXT — 체결"},
		{"main_1000_krx", "2026-03-04 10:00:00", 0, "SOR→KRX — 체결"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fc := kstClock(t, tt.at)
			getenv, market, sentTo, noticed := nxtClockedFake(t, "kis", "live", fc, true)
			market.SetPrice("005930", 70_000)
			if tt.nxtPrice > 0 {
				market.SetNXTPrice("005930", tt.nxtPrice)
			}
			ctx := withBrokerClock(withClock(context.Background(), fc), fc)
			h := startHogaCtx(t, ctx, fc, getenv)
			waitFor(t, "the fill-notice registration", noticed)
			h.send("/buy 005930 2 70000 sor")
			h.waitOut("the confirmation", "실전 주문 확인")
			h.send("1")
			h.waitOut("the order", "매수 주문 접수")
			// The notice's exchange is journaled by the tracker beside the
			// fill, which either the notice or a poll may record first:
			// wait for the row, read as /orders reads it.
			waitFor(t, "the exchange in the journal", func() bool {
				rows, err := h.app.db.OrdersOn(ctx, fc.Now())
				return err == nil && len(rows) == 1 && rows[0].Exchange != ""
			})
			h.waitOut("the fill alert", "체결 완료")
			h.stop()
			if v := sentTo(); len(v) != 1 || v[0] != "SOR" {
				t.Fatalf("orders at the fake: %v; want one sent to SOR", v)
			}

			noStream := func(k string) string {
				if k == "HOGA_KIS_WS_URL" || k == "HOGA_KIS_HTS_ID" {
					return ""
				}
				return getenv(k)
			}
			h = startHogaCtx(t, ctx, fc, noStream)
			h.send("/orders")
			h.waitOut("/orders", "오늘 주문 (1건)")
			if out := h.out.String(); !strings.Contains(out, tt.want) {
				t.Errorf("after the restart /orders lacks %q:\n%s", tt.want, out)
			}
			h.stop()
		})
	}
}
