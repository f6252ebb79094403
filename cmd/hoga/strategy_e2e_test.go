package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
)

func TestStrategyAgainstFakeKIS(t *testing.T) {
	t.Parallel()
	// 005930 listed near the paper broker's 198,000, the price the example
	// file is written for (its day's limits decide what orders are taken).
	fake := brokertest.NewKIS(t, brokertest.KISFakeOptions{IssueGap: -1, RateLimit: -1,
		Stocks: []brokertest.Stock{{Code: "005930", Name: "삼성전자", Price: 198_000}}})
	key, secret, account := fake.Credentials()
	rules, err := os.ReadFile("../../deploy/rules.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	rulesFile := filepath.Join(dir, "rules.yaml")
	if err := os.WriteFile(rulesFile, rules, 0o600); err != nil {
		t.Fatal(err)
	}
	getenv := env(
		"HOGA_BROKER", "kis", "HOGA_MODE", "mock",
		"HOGA_KIS_APP_KEY", key, "HOGA_KIS_APP_SECRET", secret, "HOGA_KIS_ACCOUNT", account,
		"HOGA_KIS_BASE_URL", fake.URL(), "HOGA_KIS_RPS", "200",
		"HOGA_MARKET_HOURS", "always", "HOGA_RULES_FILE", rulesFile,
		"HOGA_STRATEGY_INTERVAL", "100ms", "HOGA_DATA_DIR", filepath.Join(dir, "data"),
		"HOGA_LOG_LEVEL", "error",
	)
	h := startHoga(t, nil, getenv) // a console that stays open, like a terminal

	quotes := func() int { return fake.CountRequests("/uapi/domestic-stock/v1/quotations/inquire-price") }
	orders := func(side broker.Side) (n int) {
		for _, o := range fake.Orders() {
			if o.Side == side && o.CancelOf == "" {
				n++
			}
		}
		return n
	}
	waitFor(t, "the strategy to poll", func() bool { return quotes() >= 2 })
	if orders(broker.Buy)+orders(broker.Sell) != 0 {
		t.Fatal("ordered at 198,000, between the thresholds")
	}

	fake.SetPrice("005930", 189_000)
	waitFor(t, "the buy", func() bool { return orders(broker.Buy) == 1 })
	seen := quotes()
	waitFor(t, "five more polls below the threshold", func() bool { return quotes() >= seen+5 })
	if n := orders(broker.Buy); n != 1 {
		t.Fatalf("%d buys while the price stayed below 190,000; want 1", n)
	}

	fake.SetPrice("005930", 211_000)
	waitFor(t, "the sell", func() bool { return orders(broker.Sell) == 1 })
	seen = quotes()
	waitFor(t, "five more polls above the threshold", func() bool { return quotes() >= seen+5 })
	if b, s := orders(broker.Buy), orders(broker.Sell); b != 1 || s != 1 {
		t.Fatalf("buys %d, sells %d; want one each", b, s)
	}
	for _, o := range fake.Orders() {
		if o.Qty != 3 {
			t.Errorf("order %s qty %d; the example rule trades 3", o.ODNO, o.Qty)
		}
	}

	h.stop()
}
