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

// TestNXTCancelThroughRun: at 19:00 KST, when only Nextrade trades, a live
// /buy … nxt rests at the fake (below the price), and /cancel of it goes
// out to NXT, where the order is: KIS EXCG_ID_DVSN_CD=NXT on
// order-rvsecncl, Kiwoom dmst_stex_tp=NXT on kt10003. Both fakes refuse a
// cancel sent to another venue than the order's, as the exchange would not
// find it there; before the journal kept venues, hoga sent every cancel
// of its own orders as KRX (issue 16). The tracker follows the order
// rather than calling it expired at KRX's close.
func TestNXTCancelThroughRun(t *testing.T) {
	t.Parallel()
	const script = "/buy 005930 1 69000 nxt\n1\n/cancel 1\n1\n/orders\n"
	tests := []struct {
		broker string
	}{{"kis"}, {"kiwoom"}}
	for _, tt := range tests {
		t.Run(tt.broker, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			common := []string{"HOGA_MODE", "live", "HOGA_MARKET_HOURS", "krx",
				"HOGA_DATA_DIR", filepath.Join(dir, "data"), "HOGA_LOG_LEVEL", "error"}
			var getenv func(string) string
			var venues func() (order, cancel string)
			switch tt.broker {
			case "kis":
				fake := brokertest.NewKIS(t, brokertest.KISFakeOptions{Mode: "live", IssueGap: -1, RateLimit: -1})
				fake.SetPrice("005930", 70_000)
				key, secret, account := fake.Credentials()
				getenv = env(append([]string{"HOGA_BROKER", "kis", "HOGA_KIS_APP_KEY", key, "HOGA_KIS_APP_SECRET", secret,
					"HOGA_KIS_ACCOUNT", account, "HOGA_KIS_BASE_URL", fake.URL(), "HOGA_KIS_RPS", "200"}, common...)...)
				venues = func() (string, string) {
					var o, c string
					for _, x := range fake.Orders() {
						if x.CancelOf == "" {
							o = x.Venue
						} else {
							c = x.Venue
						}
					}
					return o, c
				}
			case "kiwoom":
				fake := brokertest.NewKiwoomServer(brokertest.KiwoomFakeOptions{Mode: "live", RateLimit: -1})
				t.Cleanup(fake.Close)
				fake.SetPrice("005930", 70_000)
				getenv = env(append([]string{"HOGA_BROKER", "kiwoom",
					"HOGA_KIWOOM_APP_KEY", brokertest.KiwoomFakeAppKey, "HOGA_KIWOOM_SECRET_KEY", brokertest.KiwoomFakeSecretKey,
					"HOGA_KIWOOM_BASE_URL", fake.URL(), "HOGA_KIWOOM_RPS", "200"}, common...)...)
				venues = func() (string, string) {
					var o, c string
					for _, x := range fake.Orders() {
						if x.Cancel {
							c = x.Venue
						} else {
							o = x.Venue
						}
					}
					return o, c
				}
			}
			at, err := time.ParseInLocation(time.DateTime, "2026-03-04 19:00:00", broker.KST())
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(withClock(context.Background(), clock.NewFake(at)), 20*time.Second)
			defer cancel()
			var out, errOut bytes.Buffer
			if err := run(ctx, nil, getenv, strings.NewReader(script), &out, &errOut); err != nil {
				t.Fatalf("run: %v\n%s", err, errOut.String())
			}
			order, cx := venues()
			if order != "NXT" || cx != "NXT" {
				t.Errorf("order sent to %q, its cancel to %q; want NXT and NXT\n%s", order, cx, out.String())
			}
			for _, w := range []string{"취소 요청 완료", "· NXT — 취소"} {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			// An NXT order lives until 20:00: placing it at 19:00 must
			// not alert an expiry at KRX's 15:30 close.
			if strings.Contains(out.String(), "만료") {
				t.Errorf("the order was called expired at 19:00:\n%s", out.String())
			}
		})
	}
}
