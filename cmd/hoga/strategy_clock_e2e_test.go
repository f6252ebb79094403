package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/clock"
)

// The strategy ran on the wall clock while the guard, the tracker and the
// clients ran on run()'s: its sessions, cooldowns and polling interval
// followed another time than the orders it placed. Here hoga's clock is a
// Friday at 10:00 KST (a session) and keeps KRX hours; the wall clock is
// whenever the test runs. A rule whose price is crossed buys on the
// strategy's interval of hoga's clock, moved by the test; on the wall
// clock it bought only when the test happened to run in a session.
func TestStrategyRunsOnTheInjectedClock(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(kstAt(2026, 12, 4, 10, 0, 0)) // Friday
	fake := brokertest.NewKIS(t, brokertest.KISFakeOptions{IssueGap: -1, RateLimit: -1, Clock: clk, Stocks: kisStocks})
	fake.SetPrice("005930", 70_000)
	dir := t.TempDir()
	rules := filepath.Join(dir, "rules.yaml")
	if err := os.WriteFile(rules, []byte("rules:\n  - code: \"005930\"\n    buy_below: 71000\n    qty: 1\n    type: market\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := kisEnv(fake, dir, "HOGA_RULES_FILE", rules, "HOGA_STRATEGY_INTERVAL", "2s")
	getenv := func(k string) string {
		if k == "HOGA_MARKET_HOURS" {
			return "krx"
		}
		return base(k)
	}
	h := startOn(t, clk, liveFake{getenv: getenv})
	bought := func() bool { return len(fake.Orders()) == 1 }
	// The clock moves until the rule buys: 20 steps with 100 ms of wall
	// time each were not enough for hoga to poll on a loaded machine, and
	// then nothing moved the clock on (issue 12, item 16).
	h.polled("the rule's buy on hoga's clock", time.Second, bought)
	if o := fake.Orders()[0]; o.Code != "005930" || o.Qty != 1 {
		t.Fatalf("order %+v; want the rule's buy of 1 005930", o)
	}
}
