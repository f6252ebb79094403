package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/clock"
)

// Issue 12, item 9: a journal from a mock session, then hoga restarted in
// live mode on the same data directory (same account). The mock order is
// not live's: /orders does not show it, and /cancel of its number asks the
// live broker, finds no such order and is refused, and no cancel reaches
// the live fake. Before scopes the journal's mock row supplied the code
// and branch and the cancel went to the live account, whose order numbers
// start at the same 0000000001. Since the refusal is made from the mock
// journal beside the live one, it names whose order it is and sends
// nothing at all, not even an order-list query.
func TestLiveNeverSeesTheMockJournal(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	at := kstAt(2026, 12, 4, 10, 0, 0)

	mock := brokertest.NewKIS(t, brokertest.KISFakeOptions{IssueGap: -1, RateLimit: -1, Stocks: kisStocks})
	mock.SetPrice("005930", 70_000)
	h := startHoga(t, clock.NewFake(at), kisEnv(mock, dir))
	h.send("/buy 005930 10 60000") // rests: the price is 70,000
	waitFor(t, "the mock order at the mock fake", func() bool { return len(mock.Orders()) == 1 })
	mockNo := mock.Orders()[0].ODNO
	h.stop()

	live := brokertest.NewKIS(t, brokertest.KISFakeOptions{Mode: "live", IssueGap: -1, RateLimit: -1, Stocks: kisStocks})
	live.SetPrice("005930", 70_000)
	h2 := startHoga(t, clock.NewFake(at), kisEnv(live, dir, "HOGA_MODE", "live"))
	h2.send("/orders")
	waitFor(t, "the /orders answer", func() bool { return strings.Contains(h2.out.String(), "오늘 주문이 없습니다") })
	before := len(live.RequestLog())
	h2.send("/cancel " + mockNo)
	waitFor(t, "the /cancel answer", func() bool { return strings.Contains(h2.out.String(), mockNo) })
	sent := len(live.RequestLog()) - before
	_, _, account := live.Credentials()
	cano, _, _ := strings.Cut(account, "-")
	h2.stop()
	out := h2.out.String()
	if strings.Contains(out, "60,000") {
		t.Errorf("the live session shows the mock order:\n%s", out)
	}
	// The reason is clear: the number is the mock journal's, named by its
	// scope (never the account number), and nothing went out for it.
	if !strings.Contains(out, "이 세션의 주문이 아닙니다") || !strings.Contains(out, "kis-mock-") || strings.Contains(out, cano) {
		t.Errorf("the refusal does not say whose order it is:\n%s", out)
	}
	if sent != 0 {
		t.Errorf("%d requests reached the live broker for the mock order's /cancel", sent)
	}
	if n := live.CountRequests("/uapi/domestic-stock/v1/trading/order-rvsecncl"); n != 0 {
		t.Errorf("%d cancel requests reached the live broker for the mock order's number", n)
	}
	if len(live.Orders()) != 0 {
		t.Errorf("orders at the live fake: %+v", live.Orders())
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "data", "hoga-kis-live-*.db")); len(m) != 1 {
		t.Errorf("live journals: %q, want exactly one hoga-kis-live-*.db", m)
	}
}
