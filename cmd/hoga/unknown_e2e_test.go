package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker/brokertest"
)

// A broker that takes the order but answers after hoga's timeout: the
// owner is told the outcome is unknown and not to resend, hoga never sends
// it again, and the reconciliation's verdict reaches the console.
func TestDelayedOrderAnswerIsReconciledNotResent(t *testing.T) {
	t.Parallel()
	fake := brokertest.NewKIS(t, brokertest.KISFakeOptions{IssueGap: -1, RateLimit: -1, Stocks: kisStocks})
	fake.SetPrice("005930", 70_000)
	// The order is taken at once and its answer held far past hoga's
	// timeout (the fake stops holding when hoga gives up). The timeout is
	// seconds, not the 300 ms it was: every other call (the reconciler's
	// list reads) must fit in it, and on a machine at load 30 a 300 ms
	// timeout failed them all until the test's minute ran out.
	fake.Inject(brokertest.KISFault{Kind: brokertest.FaultDelay, Path: "/uapi/domestic-stock/v1/trading/order-cash", Delay: time.Hour, Times: 1})
	key, secret, account := fake.Credentials()
	getenv := env(
		"HOGA_BROKER", "kis", "HOGA_MODE", "mock",
		"HOGA_KIS_APP_KEY", key, "HOGA_KIS_APP_SECRET", secret, "HOGA_KIS_ACCOUNT", account,
		"HOGA_KIS_BASE_URL", fake.URL(), "HOGA_KIS_RPS", "200", "HOGA_MARKET_HOURS", "always",
		"HOGA_BROKER_TIMEOUT", "3s",
		"HOGA_DATA_DIR", filepath.Join(t.TempDir(), "data"), "HOGA_LOG_LEVEL", "error",
	)
	h := startHoga(t, nil, getenv)
	h.send("/buy 005930 1 70000")
	h.waitOut("the unknown-outcome reply", "다시 보내지 마세요")
	h.waitOut("the reconciliation verdict", "결과 확인")
	h.send("/orders")
	h.waitOut("/orders", "오늘 주문 (1건)")
	out := &h.out
	if n := len(fake.Orders()); n != 1 {
		t.Fatalf("%d orders at the broker; want exactly 1\n%s", n, out.String())
	}
	if strings.Contains(out.String(), "결과 확인 중") && !strings.Contains(out.String(), "미체결") && !strings.Contains(out.String(), "체결 1주") {
		t.Errorf("/orders still shows the order unresolved after reconciliation:\n%s", out.String())
	}
	h.stop()
}
