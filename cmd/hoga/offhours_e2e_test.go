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

// TestKRXAfterHoursThroughRun (issue 16, KRX's off-hours order types):
// through run() on a fake clock shared with a fake keeping the sessions,
// a live /buy … krx with a price during 시간외 단일가 (16:00–18:00) goes
// as that session's order type — KIS ORD_DVSN 07, Kiwoom trde_tp 62 — and
// is taken; a market order then, an order in 장후 시간외 종가 or after
// 18:00, and a mock account's limit order are refused by hoga with the
// reason and the next session that would take them.
func TestKRXAfterHoursThroughRun(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, broker, mode, at, in string
		want                       []string
		sent                       []string // order types at the fake (KIS ORD_DVSN / Kiwoom trde_tp)
	}{
		{name: "kis_single_1630", broker: "kis", mode: "live", at: "2026-03-04 16:30:00",
			in: "/buy 005930 1 70000 krx\n1\n/orders\n", want: []string{"70,000원 · KRX 시간외 단일가 (10분마다 체결", "매수 주문 접수", "· KRX — 체결"}, sent: []string{"07"}},
		{name: "kiwoom_single_1630", broker: "kiwoom", mode: "live", at: "2026-03-04 16:30:00",
			in: "/buy 005930 1 70000 krx\n1\n/orders\n", want: []string{"매수 주문 접수", "· KRX — 체결"}, sent: []string{"62"}},
		{name: "kis_single_market_refused", broker: "kis", mode: "live", at: "2026-03-04 16:30:00",
			in:   "/buy 005930 1 krx\n",
			want: []string{"지금 KRX는 시간외 단일가 시간(16:00–18:00)이라 지정가 주문만 받습니다", "03-05 (목) 09:00"}},
		{name: "kis_after_closing_refused", broker: "kis", mode: "live", at: "2026-03-04 15:45:00",
			in:   "/buy 005930 1 70000 krx\n",
			want: []string{"장후 시간외 종가 시간이라", "03-04 (수) 16:00"}},
		{name: "kis_after_1800_refused", broker: "kis", mode: "live", at: "2026-03-04 18:00:00",
			in:   "/buy 005930 1 70000 krx\n",
			want: []string{"지금은 주문할 수 없습니다", "03-05 (목) 09:00"}},
		{name: "kis_mock_refused", broker: "kis", mode: "mock", at: "2026-03-04 16:30:00",
			in:   "/buy 005930 1 70000\n",
			want: []string{"모의투자 계좌는 KRX 시간외 단일가 주문을 낼 수 없습니다", "03-05 (목) 09:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			at, err := time.ParseInLocation(time.DateTime, tt.at, broker.KST())
			if err != nil {
				t.Fatal(err)
			}
			fc := clock.NewFake(at)
			var getenv func(string) string
			var sent func() []string
			common := []string{"HOGA_MODE", tt.mode, "HOGA_MARKET_HOURS", "krx", "HOGA_DATA_DIR", t.TempDir(), "HOGA_LOG_LEVEL", "error"}
			switch tt.broker {
			case "kis":
				fake := brokertest.NewKIS(t, brokertest.KISFakeOptions{Mode: tt.mode, IssueGap: -1, RateLimit: -1, Clock: fc, MarketHours: true})
				fake.SetPrice("005930", 70_000)
				key, secret, account := fake.Credentials()
				getenv = env(append([]string{"HOGA_BROKER", "kis", "HOGA_KIS_APP_KEY", key, "HOGA_KIS_APP_SECRET", secret,
					"HOGA_KIS_ACCOUNT", account, "HOGA_KIS_BASE_URL", fake.URL(), "HOGA_KIS_RPS", "200"}, common...)...)
				sent = func() (out []string) {
					for _, o := range fake.Orders() {
						out = append(out, o.Dvsn)
					}
					return out
				}
			case "kiwoom":
				fake := brokertest.NewKiwoomServer(brokertest.KiwoomFakeOptions{Mode: tt.mode, RateLimit: -1, Clock: fc, MarketHours: true})
				t.Cleanup(fake.Close)
				fake.SetPrice("005930", 70_000)
				getenv = env(append([]string{"HOGA_BROKER", "kiwoom",
					"HOGA_KIWOOM_APP_KEY", brokertest.KiwoomFakeAppKey, "HOGA_KIWOOM_SECRET_KEY", brokertest.KiwoomFakeSecretKey,
					"HOGA_KIWOOM_BASE_URL", fake.URL(), "HOGA_KIWOOM_RPS", "200"}, common...)...)
				sent = func() (out []string) {
					for _, o := range fake.Orders() {
						out = append(out, o.TrdeTp)
					}
					return out
				}
			}
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
			if got := sent(); strings.Join(got, ",") != strings.Join(tt.sent, ",") {
				t.Errorf("order types at the fake %v; want %v", got, tt.sent)
			}
		})
	}
}
