package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoga-trade/hoga/broker/brokertest"
)

// Issue 21, item 6, through run(): one quote of 100 won in an answer whose
// lower limit is 49,490 made a "buy below 65,000, at market" rule buy.
// Now such a quote is unreadable: no decision is made on it, and three in
// a row are reported like any failed quote.
func TestImplausibleQuoteFiresNothing(t *testing.T) {
	t.Parallel()
	inquirePrice := "/uapi/domestic-stock/v1/quotations/inquire-price"
	fake := brokertest.NewKIS(t, brokertest.KISFakeOptions{IssueGap: -1, RateLimit: -1,
		Stocks: []brokertest.Stock{{Code: "005930", Name: "삼성전자", Price: 70_700}}})
	key, secret, account := fake.Credentials()
	dir := t.TempDir()
	rulesFile := filepath.Join(dir, "rules.yaml")
	rules := "rules:\n  - code: \"005930\"\n    buy_below: 65000\n    qty: 1\n    type: market\n"
	if err := os.WriteFile(rulesFile, []byte(rules), 0o600); err != nil {
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
	h := startHoga(t, nil, getenv)
	out := &h.out

	quotes := func() int { return fake.CountRequests(inquirePrice) }
	waitFor(t, "the strategy to poll", func() bool { return quotes() >= 2 })
	fake.Inject(brokertest.KISFault{Kind: brokertest.FaultOutputField, Path: inquirePrice, Field: "stck_prpr", Value: "100"})
	seen := quotes()
	waitFor(t, "polls after the bad quote", func() bool { return quotes() >= seen+3 })
	if n := len(fake.Orders()); n != 0 {
		t.Fatalf("%d orders on a quote of 100 won under a lower limit of 49,490", n)
	}
	// Three in a row: the owner hears the quotes fail, with why.
	fake.Inject(brokertest.KISFault{Kind: brokertest.FaultOutputField, Path: inquirePrice, Field: "stck_prpr", Value: "100", Times: 3})
	waitFor(t, "the failed-quotes alert", func() bool {
		return strings.Contains(out.String(), "시세 조회가 3회 연속 실패했습니다: 005930 시세가 있을 수 없는 값입니다 (현재가 100원, 하한가 49,500원")
	})
	if n := len(fake.Orders()); n != 0 {
		t.Fatalf("%d orders on implausible quotes", n)
	}
	h.stop()
	t.Logf("console:\n%s", out.String())
}

// The same against the Kiwoom fake (issue 21, item 6, both brokers): a
// ka10001 answer with cur_prc 100 under its own lower limit fires
// nothing, and three in a row are alerted with why.
func TestImplausibleQuoteFiresNothingKiwoom(t *testing.T) {
	t.Parallel()
	fake := brokertest.NewKiwoomServer(brokertest.KiwoomFakeOptions{RateLimit: -1})
	t.Cleanup(fake.Close)
	fake.AddStock("005930", "삼성전자", 70_700, 70_700)
	dir := t.TempDir()
	rulesFile := filepath.Join(dir, "rules.yaml")
	rules := "rules:\n  - code: \"005930\"\n    buy_below: 65000\n    qty: 1\n    type: market\n"
	if err := os.WriteFile(rulesFile, []byte(rules), 0o600); err != nil {
		t.Fatal(err)
	}
	getenv := env("HOGA_BROKER", "kiwoom", "HOGA_MODE", "mock",
		"HOGA_KIWOOM_APP_KEY", brokertest.KiwoomFakeAppKey, "HOGA_KIWOOM_SECRET_KEY", brokertest.KiwoomFakeSecretKey,
		"HOGA_KIWOOM_BASE_URL", fake.URL(), "HOGA_KIWOOM_RPS", "200", "HOGA_MARKET_HOURS", "always",
		"HOGA_RULES_FILE", rulesFile, "HOGA_STRATEGY_INTERVAL", "100ms",
		"HOGA_DATA_DIR", filepath.Join(dir, "data"), "HOGA_LOG_LEVEL", "error")
	h := startHoga(t, nil, getenv)
	out := &h.out

	quotes := func() int { return fake.Requests("ka10001") }
	waitFor(t, "the strategy to poll", func() bool { return quotes() >= 2 })
	fake.InjectQuoteField("cur_prc", "100", 1)
	seen := quotes()
	waitFor(t, "polls after the bad quote", func() bool { return quotes() >= seen+3 })
	if n := len(fake.Orders()); n != 0 {
		t.Fatalf("%d orders on a quote of 100 won under its lower limit", n)
	}
	fake.InjectQuoteField("cur_prc", "100", 3)
	waitFor(t, "the failed-quotes alert", func() bool {
		return strings.Contains(out.String(), "시세 조회가 3회 연속 실패했습니다: 005930 시세가 있을 수 없는 값입니다 (현재가 100원")
	})
	if n := len(fake.Orders()); n != 0 {
		t.Fatalf("%d orders on implausible quotes", n)
	}
	h.stop()
}
