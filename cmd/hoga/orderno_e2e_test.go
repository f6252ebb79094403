package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/broker/kis"
	"github.com/hoga-trade/hoga/internal/redact"
)

// TestCancelByShortOrderNumber: the owner types the order number without
// KIS's leading zeros ("/cancel 6555" for 0000006555). Through run(), the
// router and the guard, both an order hoga placed (found in the journal)
// and one placed elsewhere (found in the broker's list) are cancelled,
// never answered "no order 6555 today" (issue 12.5).
func TestCancelByShortOrderNumber(t *testing.T) {
	t.Parallel()
	fake := brokertest.NewKIS(t, brokertest.KISFakeOptions{IssueGap: -1, RateLimit: -1, Stocks: kisStocks})
	fake.SetPrice("005930", 70_000)
	key, secret, account := fake.Credentials()
	// An order placed outside hoga (the broker's app): not in the journal.
	other, err := kis.New(kis.Options{AppKey: redact.Secret(key), AppSecret: redact.Secret(secret), Account: account,
		Mode: kis.Mode(fake.Mode()), BaseURL: fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	outside, err := other.PlaceOrder(context.Background(), broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 2, Price: 61_000})
	if err != nil {
		t.Fatal(err)
	}
	getenv := env(
		"HOGA_BROKER", "kis", "HOGA_MODE", "mock",
		"HOGA_KIS_APP_KEY", key, "HOGA_KIS_APP_SECRET", secret, "HOGA_KIS_ACCOUNT", account,
		"HOGA_KIS_BASE_URL", fake.URL(), "HOGA_KIS_RPS", "200", "HOGA_MARKET_HOURS", "always",
		"HOGA_DATA_DIR", filepath.Join(t.TempDir(), "data"), "HOGA_LOG_LEVEL", "error",
	)
	h := startHoga(t, nil, getenv)
	out := &h.out

	h.send("/buy 005930 1 60000")
	waitFor(t, "the order at the broker", func() bool { return len(fake.Orders()) == 2 })
	var mine string
	for _, o := range fake.Orders() {
		if o.ODNO != outside.ID {
			mine = o.ODNO
		}
	}
	if len(mine) != 10 || len(outside.ID) != 10 {
		t.Fatalf("order numbers %q %q; KIS writes 10 digits", mine, outside.ID)
	}
	for _, id := range []string{mine, outside.ID} {
		short := strings.TrimLeft(id, "0")
		h.send("/cancel " + short)
		waitFor(t, "/cancel "+short, func() bool {
			for _, o := range fake.Orders() {
				if o.CancelOf == id {
					return true
				}
			}
			return false
		})
	}
	for _, id := range []string{mine, outside.ID} {
		found := false
		for _, o := range fake.Orders() {
			found = found || o.CancelOf == id
		}
		if !found {
			t.Errorf("order %s was not cancelled\n%s", id, out.String())
		}
	}
	h.stop()
}
