package guard

import (
	"context"
	"errors"
	"os"
	"runtime"
	"testing"

	"github.com/hoga-trade/hoga/broker"
)

// Issue 20, item 3: the journal's file removed while hoga runs. The next
// order is refused before anything is journaled or sent, trading halts once
// with an event that carries the cause, and every later order names the
// cause too (not the kill switch: /resume cannot bring the file back).
func TestRemovedJournalFileRefusesAndHalts(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("an open SQLite file cannot be removed on Windows")
	}
	t.Parallel()
	e := newSQLiteEnv(t, nil)
	e.run()
	ctx := context.Background()
	if _, err := e.g.PlaceOrder(ctx, limitBuy(1, 70_000)); err != nil {
		t.Fatalf("first order: %v", err)
	}
	e.expectEvents(broker.EventPlaced)

	path := e.db.(interface{ Path() string }).Path()
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	_, err := e.g.PlaceOrder(ctx, limitBuy(2, 70_000))
	wantKind(t, err, broker.Halted)
	var jl *broker.JournalLost
	if !errors.As(err, &jl) || jl.Copy == "" {
		t.Fatalf("refusal %v does not carry the lost journal with a saved copy", err)
	}
	if be, _ := broker.AsError(err); be.Code != "journal_lost" {
		t.Errorf("refusal code %q, want journal_lost", be.Code)
	}
	ev := e.expectEvents(broker.EventHalted, broker.EventRejected)[0]
	if be, ok := broker.AsError(ev.Err); !ok || be.Code != "journal_lost" {
		t.Errorf("halt event Err = %v, want the journal_lost refusal", ev.Err)
	}
	if on, _, by := e.g.Halted(); !on || by != "hoga" {
		t.Errorf("Halted() = %v by %q, want halted by hoga", on, by)
	}
	if err := e.g.Check(ctx, limitBuy(3, 70_000)); broker.KindOf(err) != broker.Halted {
		t.Errorf("Check after the loss = %v, want Halted", err)
	}
	// Even after /resume the file is still gone.
	if err := e.g.Resume(ctx, "console:console"); err != nil {
		t.Logf("resume: %v", err)
	}
	e.expectEvents(broker.EventResumed)
	_, err = e.g.PlaceOrder(ctx, limitBuy(4, 70_000))
	if be, ok := broker.AsError(err); !ok || be.Code != "journal_lost" {
		t.Fatalf("order after /resume: %v, want journal_lost", err)
	}
	e.expectEvents(broker.EventRejected) // no second halt
	e.noEvent()
	e.fb.mu.Lock()
	n := e.fb.placeCalls
	e.fb.mu.Unlock()
	if n != 1 {
		t.Fatalf("%d orders reached the broker; want only the one before the loss", n)
	}
}
