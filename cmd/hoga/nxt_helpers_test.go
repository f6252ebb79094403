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
		fake := brokertest.NewKIS(t, brokertest.KISFakeOptions{Mode: "live", IssueGap: -1, RateLimit: -1})
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
		fake := brokertest.NewKiwoomServer(brokertest.KiwoomFakeOptions{Mode: "live", RateLimit: -1})
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
	when, err := time.ParseInLocation(time.DateTime, at, broker.KST())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(withClock(context.Background(), clock.NewFake(when)), 20*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	if err := run(ctx, nil, getenv, bytes.NewBufferString(script), &out, &errOut); err != nil {
		t.Fatalf("run: %v\n%s", err, errOut.String())
	}
	return out.String()
}
