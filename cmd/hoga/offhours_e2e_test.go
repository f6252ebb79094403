package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/hoga-trade/hoga/broker/brokertest"
)

// TestKRXAfterHoursThroughRun (issue 16, KRX's off-hours order types):
// through run() on a fake clock shared with a fake keeping the sessions,
// a live /buy … krx with a price during 시간외 단일가 (16:00–18:00) goes
// as that session's order type — KIS ORD_DVSN 07, Kiwoom trde_tp 62 — and
// is taken; a market order then, an order in 장후 시간외 종가 or after
// 18:00, and a mock account's limit order are refused by hoga with the
// reason and the next session that would take them. A closing-price
// order (/buy … close) goes in 장전/장후 시간외 종가 as its own type
// (KIS ORD_DVSN 05/06, Kiwoom trde_tp 61/81) and is refused outside them
// with the next one, to NXT, and on a mock account.
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
		// Closing-price orders (시간외 종가): /buy … close goes as the open
		// session's own type, 장후 KIS 06 / Kiwoom 81, 장전 05 / 61, and
		// only then; to KRX only; live accounts only.
		{name: "kis_after_closing_1545", broker: "kis", mode: "live", at: "2026-03-04 15:45:00",
			in: "/buy 005930 2 close\n1\n/orders\n", want: []string{"2주 KRX 시간외 종가", "매수 주문 접수", "2주 KRX 시간외 종가 · KRX — 체결"}, sent: []string{"06"}},
		{name: "kiwoom_after_closing_1545", broker: "kiwoom", mode: "live", at: "2026-03-04 15:45:00",
			in: "/buy 005930 2 close\n1\n/orders\n", want: []string{"2주 KRX 시간외 종가", "매수 주문 접수", "2주 KRX 시간외 종가 · KRX — 체결"}, sent: []string{"81"}},
		{name: "kis_pre_closing_0835", broker: "kis", mode: "live", at: "2026-03-04 08:35:00",
			in: "/buy 005930 2 종가\n1\n", want: []string{"매수 주문 접수"}, sent: []string{"05"}},
		{name: "kiwoom_pre_closing_0835", broker: "kiwoom", mode: "live", at: "2026-03-04 08:35:00",
			in: "/buy 005930 2 close krx\n1\n", want: []string{"매수 주문 접수"}, sent: []string{"61"}},
		{name: "kis_after_closing_csat_1645", broker: "kis", mode: "live", at: "2026-11-19 16:45:00",
			in: "/buy 005930 2 close\n1\n", want: []string{"매수 주문 접수"}, sent: []string{"06"}},
		{name: "kis_close_1000_refused", broker: "kis", mode: "live", at: "2026-03-04 10:00:00",
			in:   "/buy 005930 2 close\n",
			want: []string{"지금은 KRX 시간외 종가 시간이 아닙니다. 다음 시간외 종가: 03-04 (수) 15:40 (장후, 오늘 종가로 거래)"}},
		{name: "kiwoom_close_1600_refused", broker: "kiwoom", mode: "live", at: "2026-03-04 16:00:00",
			in:   "/buy 005930 2 close\n",
			want: []string{"다음 시간외 종가: 03-05 (목) 08:30 (장전, 전일 종가로 거래)"}},
		{name: "kiwoom_close_nxt_refused", broker: "kiwoom", mode: "live", at: "2026-03-04 15:45:00",
			in:   "/buy 005930 2 close nxt\n",
			want: []string{"시간외 종가 주문은 KRX로만 보냅니다"}},
		{name: "kis_close_mock_refused", broker: "kis", mode: "mock", at: "2026-03-04 15:45:00",
			in:   "/buy 005930 2 close\n",
			want: []string{"모의투자 계좌는 KRX 시간외 종가 주문을 낼 수 없습니다"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fc := kstClock(t, tt.at)
			getenv, market, _, _ := nxtClockedFake(t, tt.broker, tt.mode, fc, false)
			market.SetPrice("005930", 70_000)
			sent := func() (out []string) {
				switch f := market.(type) {
				case *brokertest.KISFake:
					for _, o := range f.Orders() {
						out = append(out, o.Dvsn)
					}
				case *brokertest.KiwoomFake:
					for _, o := range f.Orders() {
						out = append(out, o.TrdeTp)
					}
				}
				return out
			}
			ctx, cancel := context.WithTimeout(withBrokerClock(withClock(context.Background(), fc), fc), testGuard)
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
