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

// TestNXTOrdersThroughRunKiwoom is TestNXTOrdersThroughRun on Kiwoom, with
// the fake keeping each exchange's sessions on the test's clock: at 08:10
// and 19:00 KST a live /buy … nxt reaches the fake with dmst_stex_tp NXT;
// the same order to KRX is refused by hoga with the next KRX session; on
// a mock account NXT is refused by hoga with the reason.
func TestNXTOrdersThroughRunKiwoom(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, at, mode, in string
		want               []string
		venues             []string // dmst_stex_tp of the orders at the fake
	}{
		{name: "live_0810", at: "2026-03-04 08:10:00", mode: "live",
			in:     "/buy 005930 1 70000 nxt\n1\n/buy 005930 1 70000 krx\n/orders\n",
			want:   []string{"매수 주문 접수", "지금은 주문할 수 없습니다 (장 운영시간 외). 다음 개장: 03-04 (수) 09:00", "· NXT"},
			venues: []string{"NXT"}},
		{name: "live_1900", at: "2026-03-04 19:00:00", mode: "live",
			in:     "/buy 005930 1 70000 nxt\n1\n/buy 005930 1 70000 krx\n/orders\n",
			want:   []string{"매수 주문 접수", "다음 개장: 03-05 (목) 09:00", "1주 70,000원 · NXT — 체결"},
			venues: []string{"NXT"}},
		{name: "mock_nxt", at: "2026-03-04 10:00:00", mode: "mock",
			in:   "/buy 005930 1 70000 nxt\n",
			want: []string{"이 계좌는 NXT로 주문할 수 없습니다. 모의투자 계좌는 KRX만 거래합니다"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			at, err := time.ParseInLocation(time.DateTime, tt.at, broker.KST())
			if err != nil {
				t.Fatal(err)
			}
			fc := clock.NewFake(at)
			fake := brokertest.NewKiwoomServer(brokertest.KiwoomFakeOptions{Mode: tt.mode, RateLimit: -1, Clock: fc, MarketHours: true})
			t.Cleanup(fake.Close)
			fake.SetPrice("005930", 70_000)
			getenv := env("HOGA_BROKER", "kiwoom", "HOGA_MODE", tt.mode,
				"HOGA_KIWOOM_APP_KEY", brokertest.KiwoomFakeAppKey, "HOGA_KIWOOM_SECRET_KEY", brokertest.KiwoomFakeSecretKey,
				"HOGA_KIWOOM_BASE_URL", fake.URL(), "HOGA_KIWOOM_RPS", "200", "HOGA_MARKET_HOURS", "krx",
				"HOGA_DATA_DIR", t.TempDir(), "HOGA_LOG_LEVEL", "error")
			ctx, cancel := context.WithTimeout(withBrokerClock(withClock(context.Background(), fc), fc), 20*time.Second)
			defer cancel()
			var out, errOut bytes.Buffer
			if err := run(ctx, nil, getenv, strings.NewReader(tt.in), &out, &errOut); err != nil {
				t.Fatalf("run: %v\n%s", err, errOut.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			var venues []string
			for _, o := range fake.Orders() {
				venues = append(venues, o.Venue)
			}
			if strings.Join(venues, ",") != strings.Join(tt.venues, ",") {
				t.Errorf("orders at the fake went to %v; want %v", venues, tt.venues)
			}
		})
	}
}
