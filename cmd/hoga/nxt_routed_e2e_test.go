package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"

	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/clock"
)

// TestSORFilledOnNXTThroughRun: through run() on a live Kiwoom fake with
// market hours kept, a SOR order at 19:00 KST (only NXT trades then) is
// routed by the fake to NXT, fills, is tracked (the fill alert) and
// reconciled from Kiwoom's lists, and /orders shows where it was sent and
// where it traded, "SOR→NXT" (ka10075/ka10076 sor_yn and stex_tp_txt).
// At 10:00, with NXT's price the better one for a buy, it goes to NXT
// too; with KRX's, to KRX.
func TestSORFilledOnNXTThroughRun(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, at string
		nxtPrice int64
		want     string
	}{
		{"after_market_1900", "2026-03-04 19:00:00", 0, "SOR→NXT — 체결"},
		{"main_1000_nxt_cheaper", "2026-03-04 10:00:00", 69_900, "SOR→NXT — 체결"},
		{"main_1000_krx", "2026-03-04 10:00:00", 0, "SOR→KRX — 체결"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			at, err := time.ParseInLocation(time.DateTime, tt.at, broker.KST())
			if err != nil {
				t.Fatal(err)
			}
			fc := clock.NewFake(at)
			fake := brokertest.NewKiwoomServer(brokertest.KiwoomFakeOptions{Mode: "live", RateLimit: -1, Clock: fc, MarketHours: true})
			t.Cleanup(fake.Close)
			fake.SetPrice("005930", 70_000)
			if tt.nxtPrice > 0 {
				fake.SetNXTPrice("005930", tt.nxtPrice)
			}
			getenv := env("HOGA_BROKER", "kiwoom", "HOGA_MODE", "live",
				"HOGA_KIWOOM_APP_KEY", brokertest.KiwoomFakeAppKey, "HOGA_KIWOOM_SECRET_KEY", brokertest.KiwoomFakeSecretKey,
				"HOGA_KIWOOM_BASE_URL", fake.URL(), "HOGA_KIWOOM_RPS", "200", "HOGA_MARKET_HOURS", "krx",
				"HOGA_DATA_DIR", t.TempDir(), "HOGA_LOG_LEVEL", "error")
			// The fake and hoga's broker client share the clock, so the
			// fake's sessions and token times are the test's.
			ctx, cancel := context.WithTimeout(withBrokerClock(withClock(context.Background(), fc), fc), 20*time.Second)
			defer cancel()
			var outBuf, errOut bytes.Buffer
			if err := run(ctx, nil, getenv, strings.NewReader("/buy 005930 2 70000 sor\n1\n/orders\n"), &outBuf, &errOut); err != nil {
				t.Fatalf("run: %v\n%s", err, errOut.String())
			}
			out := outBuf.String()
			for _, w := range []string{"매수 주문 접수", tt.want} {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if o := fake.Orders(); len(o) != 1 || o[0].Venue != "SOR" {
				t.Errorf("orders at the fake: %+v; want one sent to SOR", o)
			}
		})
	}
}
