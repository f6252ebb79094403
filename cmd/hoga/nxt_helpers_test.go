package main

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/clock"
)

// nxtMarket is what the NXT tests drive on either fake: prices on each
// venue and which stocks Nextrade lists.
type nxtMarket interface {
	SetPrice(code string, price int64) bool
	SetNXTPrice(code string, price int64)
	SetNXTListed(code string, listed bool)
}

// nxtFake starts a live-mode fake of brokerName ("kis" or "kiwoom") and
// returns hoga's environment for it (HOGA_MARKET_HOURS=krx), its market,
// and the venues its orders and cancels were sent to, in order.
func nxtFake(t *testing.T, brokerName string, extra ...string) (getenv func(string) string, m nxtMarket, sent func() (orders, cancels []string)) {
	t.Helper()
	common := append([]string{"HOGA_MODE", "live", "HOGA_MARKET_HOURS", "krx",
		"HOGA_DATA_DIR", filepath.Join(t.TempDir(), "data"), "HOGA_LOG_LEVEL", "error"}, extra...)
	switch brokerName {
	case "kis":
		fake := brokertest.NewKIS(t, brokertest.KISFakeOptions{Mode: "live", IssueGap: -1, RateLimit: -1, Stocks: kisStocks})
		key, secret, account := fake.Credentials()
		getenv = env(append([]string{"HOGA_BROKER", "kis", "HOGA_KIS_APP_KEY", key, "HOGA_KIS_APP_SECRET", secret,
			"HOGA_KIS_ACCOUNT", account, "HOGA_KIS_BASE_URL", fake.URL(), "HOGA_KIS_RPS", "200"}, common...)...)
		return getenv, fake, func() (o, c []string) {
			for _, x := range fake.Orders() {
				if x.CancelOf == "" {
					o = append(o, x.Venue)
				} else {
					c = append(c, x.Venue)
				}
			}
			return o, c
		}
	case "kiwoom":
		fake := brokertest.NewKiwoomServer(brokertest.KiwoomFakeOptions{Mode: "live", RateLimit: -1, Stocks: kwStocks})
		t.Cleanup(fake.Close)
		getenv = env(append([]string{"HOGA_BROKER", "kiwoom",
			"HOGA_KIWOOM_APP_KEY", brokertest.KiwoomFakeAppKey, "HOGA_KIWOOM_SECRET_KEY", brokertest.KiwoomFakeSecretKey,
			"HOGA_KIWOOM_BASE_URL", fake.URL(), "HOGA_KIWOOM_RPS", "200"}, common...)...)
		return getenv, fake, func() (o, c []string) {
			for _, x := range fake.Orders() {
				if x.Cancel {
					c = append(c, x.Venue)
				} else {
					o = append(o, x.Venue)
				}
			}
			return o, c
		}
	}
	t.Fatalf("broker %q", brokerName)
	return nil, nil, nil
}

// runScript runs hoga once on a fake clock at the KST time at ("2006-01-02
// 15:04:05"), typing script, and returns what it wrote.
func runScript(t *testing.T, getenv func(string) string, at, script string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(withClock(context.Background(), kstClock(t, at)), testGuard)
	defer cancel()
	var out, errOut bytes.Buffer
	if err := run(ctx, nil, getenv, bytes.NewBufferString(script), &out, &errOut); err != nil {
		t.Fatalf("run: %v\n%s", err, errOut.String())
	}
	return out.String()
}

// nxtClockedFake is the fake both brokers' NXT run() tests drive: a fake
// of brokerName ("kis" or "kiwoom") in mode keeping each exchange's
// sessions on fc (MarketHours), with hoga's environment for it
// (HOGA_MARKET_HOURS=krx; on KIS with the fake's WebSocket when stream),
// its market, the venue each of its orders was sent to, and whether the
// fill-notice stream is registered (always true without one). Run hoga
// with withBrokerClock(withClock(ctx, fc), fc): the fake and hoga's broker
// client share the clock, so sessions and token times are the test's.
func nxtClockedFake(t *testing.T, brokerName, mode string, fc *clock.Fake, stream bool) (getenv func(string) string, m nxtMarket, sentTo func() []string, noticed func() bool) {
	t.Helper()
	common := []string{"HOGA_MODE", mode, "HOGA_MARKET_HOURS", "krx",
		"HOGA_DATA_DIR", filepath.Join(t.TempDir(), "data"), "HOGA_LOG_LEVEL", "error"}
	noticed = func() bool { return true }
	switch brokerName {
	case "kis":
		fake := brokertest.NewKIS(t, brokertest.KISFakeOptions{Mode: mode, IssueGap: -1, RateLimit: -1, Clock: fc, MarketHours: true, Stocks: kisStocks})
		key, secret, account := fake.Credentials()
		vars := []string{"HOGA_BROKER", "kis", "HOGA_KIS_APP_KEY", key, "HOGA_KIS_APP_SECRET", secret,
			"HOGA_KIS_ACCOUNT", account, "HOGA_KIS_BASE_URL", fake.URL(), "HOGA_KIS_RPS", "200"}
		if stream {
			vars = append(vars, "HOGA_KIS_WS_URL", fake.WSURL(), "HOGA_KIS_HTS_ID", "hoga01")
			noticed = func() bool { return fake.StreamSubscriptions() >= 1 }
		}
		return env(append(vars, common...)...), fake, func() (v []string) {
			for _, o := range fake.Orders() {
				v = append(v, o.Venue)
			}
			return v
		}, noticed
	case "kiwoom":
		fake := brokertest.NewKiwoomServer(brokertest.KiwoomFakeOptions{Mode: mode, RateLimit: -1, Clock: fc, MarketHours: true, Stocks: kwStocks})
		t.Cleanup(fake.Close)
		return env(append([]string{"HOGA_BROKER", "kiwoom",
				"HOGA_KIWOOM_APP_KEY", brokertest.KiwoomFakeAppKey, "HOGA_KIWOOM_SECRET_KEY", brokertest.KiwoomFakeSecretKey,
				"HOGA_KIWOOM_BASE_URL", fake.URL(), "HOGA_KIWOOM_RPS", "200"}, common...)...), fake, func() (v []string) {
				for _, o := range fake.Orders() {
					v = append(v, o.Venue)
				}
				return v
			}, noticed
	}
	t.Fatalf("broker %q", brokerName)
	return nil, nil, nil, nil
}

// kstClock is a fake clock at the KST time at ("2006-01-02 15:04:05").
func kstClock(t *testing.T, at string) *clock.Fake {
	t.Helper()
	when, err := time.ParseInLocation(time.DateTime, at, broker.KST())
	if err != nil {
		t.Fatal(err)
	}
	return clock.NewFake(when)
}
