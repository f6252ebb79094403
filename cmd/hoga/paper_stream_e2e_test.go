package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
)

// Issue 15 on the default paper broker: the paper exchange pushes its
// trades through the same stream shape as KIS and Kiwoom, so a rule's
// crossing is decided on the tick, not on the next poll (the strategy's
// interval is an hour here: only a pushed tick can make it buy), and
// /status shows the stream.
func TestPaperStreamDrivesRules(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rules := filepath.Join(dir, "rules.yaml")
	if err := os.WriteFile(rules, []byte("rules:\n  - code: \"005930\"\n    buy_below: 150000\n    qty: 1\n    type: market\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := startHoga(t, clock.NewFake(kstAt(2026, 12, 4, 10, 0, 0)), env(
		"HOGA_DATA_DIR", filepath.Join(dir, "data"), "HOGA_PAPER_SEED", "7", "HOGA_LOG_LEVEL", "error",
		"HOGA_RULES_FILE", rules, "HOGA_STRATEGY_INTERVAL", "1h"))
	ex := h.app.paper
	ex.SetFrozen(true)
	if h.app.streamName != "paper" {
		t.Fatalf("stream %q on the paper broker, want paper", h.app.streamName)
	}
	// The supervisor subscribes the rules' codes once a second.
	waitFor(t, "005930 to stream", func() bool {
		if h.app.stream.Streaming("005930") {
			return true
		}
		h.clk.Advance(time.Second)
		return false
	})
	if h.app.stream.Streaming("000660") {
		t.Fatal("a code without a rule streams")
	}
	if err := ex.SetPrice("005930", 149_000); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the tick to be decided", func() bool {
		orders, err := ex.OrdersToday(context.Background())
		return err == nil && len(orders) == 1
	})
	tk, ok := h.app.ticks.Last("005930")
	if !ok || tk.Price != 149_000 || !tk.Received.Equal(h.clk.Now()) {
		t.Fatalf("last tick %+v (%v): want 149,000 received at hoga's clock %v", tk, ok, h.clk.Now())
	}
	orders, _ := ex.OrdersToday(context.Background())
	if o := orders[0]; o.Code != "005930" || o.Side != broker.Buy || o.Qty != 1 {
		t.Fatalf("order %+v", o)
	}
	h.send("/status")
	waitFor(t, "/status to show the stream", func() bool {
		return strings.Contains(h.out.String(), "실시간: 연결됨") && strings.Contains(h.out.String(), "구독 1종목")
	})

	// An armed exit's code streams too, without a rule on it.
	h.send("/stop 005930 -5%")
	if err := ex.SetPrice("000660", 980_000); err != nil {
		t.Fatal(err)
	}
	h.send("/buy 000660 1 980000")
	waitFor(t, "the 000660 buy", func() bool {
		orders, err := ex.OrdersToday(context.Background())
		return err == nil && len(orders) == 2
	})
	h.send("/stop 000660 -5%")
	waitFor(t, "000660 to stream for its stop", func() bool {
		if h.app.stream.Streaming("000660") {
			return true
		}
		h.clk.Advance(time.Second)
		return false
	})
}
