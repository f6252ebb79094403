package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// The whole program through run() on a fake clock at 08:10 and 19:00 KST
// on a trading day (issue 16), on KIS and on Kiwoom: a live /buy … nxt is
// confirmed and reaches the fake with the venue NXT (KIS EXCG_ID_DVSN_CD,
// Kiwoom dmst_stex_tp) and is shown with its venue in /orders; the same
// order to KRX is refused by hoga with the next KRX session; on a mock
// account NXT is refused by hoga with the reason. The fakes keep each
// exchange's sessions on the test's clock.
func TestNXTOrdersThroughRun(t *testing.T) {
	t.Parallel()
	tests := []struct {
		broker, name, at, mode, in string
		want                       []string
		venues                     []string // the venue of each order at the fake
	}{
		{broker: "kis", name: "live_0810", at: "2026-03-04 08:10:00", mode: "live",
			in:     "/buy 005930 1 70000 nxt\n1\n/buy 005930 1 70000 krx\n/orders\n",
			want:   []string{"실전 주문 확인", "매수 주문 접수", "지금은 주문할 수 없습니다 (장 운영시간 외). 다음 개장: 03-04 (수) 09:00", "· NXT"},
			venues: []string{"NXT"}},
		{broker: "kis", name: "live_1900", at: "2026-03-04 19:00:00", mode: "live",
			in:     "/buy 005930 1 70000 nxt\n1\n/buy 005930 1 70000 krx\n/buy 005930 2 70000\n1\n/orders\n",
			want:   []string{"매수 주문 접수", "다음 개장: 03-05 (목) 09:00", "1주 70,000원 · NXT — 체결", "2주 70,000원 · SOR — 체결"},
			venues: []string{"NXT", "SOR"}}, // no venue named: HOGA_VENUE's live default, SOR
		{broker: "kis", name: "mock_nxt", at: "2026-03-04 10:00:00", mode: "mock",
			in:   "/buy 005930 1 70000 nxt\n",
			want: []string{"이 계좌는 NXT로 주문할 수 없습니다. 모의투자 계좌는 KRX만 거래합니다"}},
		{broker: "kiwoom", name: "live_0810", at: "2026-03-04 08:10:00", mode: "live",
			in:     "/buy 005930 1 70000 nxt\n1\n/buy 005930 1 70000 krx\n/orders\n",
			want:   []string{"매수 주문 접수", "지금은 주문할 수 없습니다 (장 운영시간 외). 다음 개장: 03-04 (수) 09:00", "· NXT"},
			venues: []string{"NXT"}},
		{broker: "kiwoom", name: "live_1900", at: "2026-03-04 19:00:00", mode: "live",
			in:     "/buy 005930 1 70000 nxt\n1\n/buy 005930 1 70000 krx\n/orders\n",
			want:   []string{"매수 주문 접수", "다음 개장: 03-05 (목) 09:00", "1주 70,000원 · NXT — 체결"},
			venues: []string{"NXT"}},
		{broker: "kiwoom", name: "mock_nxt", at: "2026-03-04 10:00:00", mode: "mock",
			in:   "/buy 005930 1 70000 nxt\n",
			want: []string{"이 계좌는 NXT로 주문할 수 없습니다. 모의투자 계좌는 KRX만 거래합니다"}},
	}
	for _, tt := range tests {
		t.Run(tt.broker+"_"+tt.name, func(t *testing.T) {
			t.Parallel()
			fc := kstClock(t, tt.at)
			getenv, market, sentTo, _ := nxtClockedFake(t, tt.broker, tt.mode, fc, false)
			market.SetPrice("005930", 70_000)
			ctx := withBrokerClock(withClock(context.Background(), fc), fc)
			ctx, cancel := context.WithTimeout(ctx, testGuard)
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
			if venues := sentTo(); strings.Join(venues, ",") != strings.Join(tt.venues, ",") {
				t.Errorf("orders at the fake went to %v; want %v", venues, tt.venues)
			}
		})
	}
}
