package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/broker/kiwoom"
	"github.com/hoga-trade/hoga/clock"
)

// Issue 20, restarts over 2 s: start-up asked Kiwoom for the account number
// (ka00001) before it took any command, a broker round trip on every start
// that only /status shows, and with Kiwoom slow or down, a timeout and the
// client's retries. Here ka00001 does not answer at all: hoga must start
// and answer /status at once, without the account, and show it once Kiwoom
// answers. Without the fix hoga does not start.
func TestKiwoomStartDoesNotWaitForTheAccount(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(kstAt(2026, 12, 4, 10, 0, 0))
	fake := brokertest.NewKiwoomServer(brokertest.KiwoomFakeOptions{RateLimit: -1, Clock: clk})
	t.Cleanup(fake.Close)
	release := fake.Hold("ka00001")
	defer release()
	getenv := env("HOGA_BROKER", "kiwoom", "HOGA_MODE", "mock",
		"HOGA_KIWOOM_APP_KEY", brokertest.KiwoomFakeAppKey, "HOGA_KIWOOM_SECRET_KEY", brokertest.KiwoomFakeSecretKey,
		"HOGA_KIWOOM_BASE_URL", fake.URL(), "HOGA_MARKET_HOURS", "always",
		"HOGA_DATA_DIR", filepath.Join(t.TempDir(), "data"), "HOGA_LOG_LEVEL", "error")
	h := startHogaCtx(t, withBrokerClock(withClock(t.Context(), clk), clk), clk, getenv)
	h.send("/status")
	h.waitOut("/status while Kiwoom has not said the account", "hoga 상태")
	if strings.Contains(h.out.String(), "계좌:") {
		t.Fatalf("/status shows an account Kiwoom has not said yet:\n%s", h.out.String())
	}
	release()
	masked := kiwoom.MaskAccount(brokertest.KiwoomFakeAccount)
	waitFor(t, "/status showing the account once Kiwoom answered", func() bool {
		if strings.Contains(h.out.String(), "계좌: "+masked) {
			return true
		}
		h.send("/status")
		return false
	})
}
