package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
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
	stdin, typed := io.Pipe()
	defer typed.Close()
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, getenv, stdin, out, io.Discard) }()

	fmt.Fprintln(typed, "/status")
	waitFor(t, "/status while a row is unsettled", func() bool { return strings.Contains(out.String(), "대조 중인 주문 1건") })
	fmt.Fprintln(typed, "/orders")
	waitFor(t, "/orders showing the row as being checked", func() bool { return strings.Contains(out.String(), "결과 확인 중") })
	fmt.Fprintln(typed, "/buy 005930 3 69000")
	waitFor(t, "the duplicate refused", func() bool {
		return strings.Contains(out.String(), "아직 확인 중이라 이 주문은 보내지 않았습니다")
	})
	fmt.Fprintln(typed, "/buy 005930 2")
	waitFor(t, "a different order placed", func() bool { return strings.Contains(out.String(), "매수 주문 접수") })
	if strings.Contains(out.String(), "stopped before") {
		t.Errorf("English in a Korean alert:\n%s", out.String())
	}
	fmt.Fprintln(typed, "/halt")
	waitFor(t, "/halt", func() bool { return strings.Contains(out.String(), "정지") })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
}
