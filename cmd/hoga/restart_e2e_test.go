package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
	"github.com/hoga-trade/hoga/store"
)

// Issue 20, item 1: a restart after a crash with a pending row the
// broker's list does not show (yet) used to hold start-up for the whole
// reconcile grace (two minutes) before any command was taken. Now /status
// answers at once and says an order is being checked, /orders shows it, an
// order that could duplicate it is refused, and any other order goes
// through. The row is young (written "just now" by the dead process), so
// nothing here can settle it during the test: without the fix run() never
// gets to read its input.
func TestRestartWithUnsettledRowAnswersAtOnce(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db, err := store.Open(ctx, store.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := db.InsertOrder(ctx, broker.JournalEntry{ClientID: "HCRASHED0001", Source: "telegram", User: "1",
		Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 3, Price: 70_000,
		State: broker.StatusPending, Created: now, Updated: now}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	getenv := env("HOGA_DATA_DIR", dir, "HOGA_PAPER_SEED", "7", "HOGA_LOG_LEVEL", "error")
	h := startHoga(t, nil, getenv)
	out := &h.out
	h.send("/status")
	h.waitOut("/status while a row is unsettled", "대조 중인 주문 1건")
	h.send("/orders")
	h.waitOut("/orders showing the row as being checked", "결과 확인 중")
	h.send("/buy 005930 3 69000")
	h.waitOut("the duplicate refused", "아직 확인 중이라 이 주문은 보내지 않았습니다")
	h.send("/buy 005930 2")
	h.waitOut("a different order placed", "매수 주문 접수")
	if strings.Contains(out.String(), "stopped before") {
		t.Errorf("English in a Korean alert:\n%s", out.String())
	}
	h.send("/halt")
	h.waitOut("/halt", "정지")
	h.stop()
}

// Issue 20, item 1, the rest: on Kiwoom a restart still paged today's
// order list (4 requests a second; 2 s with ten orders, 15.5 s on a loaded
// machine) before taking any command, and the guard held its turn while
// the list was read, so every order waited for it. Here the broker's list
// does not answer at all across the restart: hoga must start, say at once
// that an order is being checked, refuse only its duplicate, place a
// different order, and settle the row once the list answers. Without the
// fix hoga never starts (or the different order waits for the list).
func TestRestartTakesCommandsWhileTheListIsPaged(t *testing.T) {
	t.Parallel()
	for _, bc := range []skewCase{kisSkewCase(), kiwoomSkewCase()} {
		t.Run(bc.name, func(t *testing.T) {
			t.Parallel()
			clk := clock.NewFake(kstAt(2026, 12, 4, 10, 0, 0))
			fb := bc.start(t, clk, 0, t.TempDir())
			release := fb.holdList()
			defer release()

			// The first run's answer is lost, and the list that would
			// settle it does not come: the row is still unknown when
			// hoga stops.
			first := startOn(t, clk, fb)
			fb.loseNextAnswer()
			first.send("/buy 005930 1 70000")
			waitFor(t, "the unknown-outcome reply", func() bool { return strings.Contains(first.out.String(), "다시 보내지 마세요") })
			first.stop()
			if n := fb.orders(); n != 1 {
				t.Fatalf("%d orders at the broker after the first run; want 1", n)
			}
			clk.Advance(time.Second) // the restart comes after the row

			h := startOn(t, clk, fb)
			h.send("/status")
			waitFor(t, "/status saying an order is being checked", func() bool { return strings.Contains(h.out.String(), "대조 중인 주문 1건") })
			// (/orders reads the broker's list, so it waits for it like
			// any list; TestRestartWithUnsettledRowAnswersAtOnce shows it
			// marking the row as being checked.)
			h.send("/buy 005930 1 70000")
			waitFor(t, "the duplicate refused", func() bool {
				return strings.Contains(h.out.String(), "아직 확인 중이라 이 주문은 보내지 않았습니다")
			})
			h.send("/buy 000660 1")
			waitFor(t, "a different order placed while the list is unanswered", func() bool {
				return strings.Contains(h.out.String(), "매수 주문 접수")
			})
			if n := fb.orders(); n != 2 {
				t.Fatalf("%d orders at the broker; want 2 (the lost one and 000660)", n)
			}

			release()
			waitFor(t, "the row settled from the list", func() bool {
				rows, err := h.app.db.OrdersOn(context.Background(), clk.Now())
				if err != nil {
					return false
				}
				for _, e := range rows {
					if e.Code == "005930" {
						return foundAtBroker(e)
					}
				}
				return false
			})
			if n := h.app.guard.Checking(context.Background()); n != 0 {
				t.Fatalf("Checking = %d after the list answered; want 0", n)
			}
		})
	}
}
