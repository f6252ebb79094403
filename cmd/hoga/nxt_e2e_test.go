package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/clock"
)

// The whole program through run() on a fake clock at 08:10 and 19:00 KST
// on a trading day (issue 16): a live /buy … nxt is confirmed and reaches
// the fake KIS with EXCG_ID_DVSN_CD=NXT and is shown with its venue in
// /orders; the same order to KRX is refused by hoga with the next KRX
// session; on a mock account NXT is refused by hoga with the reason.
func TestNXTOrdersThroughRun(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, at, mode, in string
		want               []string
		venues             []string // EXCG_ID_DVSN_CD of the orders at the fake
	}{
		{name: "live_0810", at: "2026-03-04 08:10:00", mode: "live",
			in:     "/buy 005930 1 70000 nxt\n1\n/buy 005930 1 70000 krx\n/orders\n",
			want:   []string{"실전 주문 확인", "매수 주문 접수", "지금은 주문할 수 없습니다 (장 운영시간 외). 다음 개장: 03-04 (수) 09:00", "· NXT"},
			venues: []string{"NXT"}},
		{name: "live_1900", at: "2026-03-04 19:00:00", mode: "live",
			in:     "/buy 005930 1 70000 nxt\n1\n/buy 005930 1 70000 krx\n/buy 005930 2 70000\n1\n/orders\n",
			want:   []string{"매수 주문 접수", "다음 개장: 03-05 (목) 09:00", "1주 70,000원 · NXT — 체결", "2주 70,000원 · SOR — 체결"},
			venues: []string{"NXT", "SOR"}}, // no venue named: HOGA_VENUE's live default, SOR
		{name: "mock_nxt", at: "2026-03-04 10:00:00", mode: "mock",
			in:   "/buy 005930 1 70000 nxt\n",
			want: []string{"이 계좌는 NXT로 주문할 수 없습니다. 모의투자 계좌는 KRX만 거래합니다"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := brokertest.NewKIS(t, brokertest.KISFakeOptions{Mode: tt.mode, IssueGap: -1, RateLimit: -1})
			fake.SetPrice("005930", 70_000)
			key, secret, account := fake.Credentials()
			getenv := env(
				"HOGA_BROKER", "kis", "HOGA_MODE", tt.mode,
				"HOGA_KIS_APP_KEY", key, "HOGA_KIS_APP_SECRET", secret, "HOGA_KIS_ACCOUNT", account,
				"HOGA_KIS_BASE_URL", fake.URL(), "HOGA_KIS_RPS", "200", "HOGA_MARKET_HOURS", "krx",
				"HOGA_DATA_DIR", filepath.Join(t.TempDir(), "data"), "HOGA_LOG_LEVEL", "error",
			)
			at, err := time.ParseInLocation(time.DateTime, tt.at, broker.KST())
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(withClock(context.Background(), clock.NewFake(at)), 20*time.Second)
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
