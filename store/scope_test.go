package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// A journal records one broker, mode and account (issue 12, item 9): the
// first scope to open hoga.db owns it, rows from before scopes included;
// another scope gets its own file and never sees those rows; each scope
// finds its own rows again after a restart.
func TestJournalPerScope(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	day := kstTime("2026-03-03", 9, 5)

	legacy := openTest(t, dir) // a journal from before scopes: unstamped, one row
	if err := legacy.InsertOrder(ctx, entry("H-MOCK", day)); err != nil {
		t.Fatal(err)
	}
	legacy.Close()

	open := func(scope string) *DB {
		t.Helper()
		db, err := Open(ctx, Options{Dir: dir, Scope: scope})
		if err != nil {
			t.Fatalf("Open(%s): %v", scope, err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	count := func(db *DB) int {
		t.Helper()
		rows, err := db.OrdersOn(ctx, day)
		if err != nil {
			t.Fatal(err)
		}
		return len(rows)
	}

	mock := open("kis-mock-1a2b3c4d")
	if got := filepath.Base(mock.Path()); got != FileName || count(mock) != 1 {
		t.Fatalf("the first scope opened %s with %d rows; want hoga.db, adopting its row", got, count(mock))
	}
	mock.Close()

	live := open("kis-live-1a2b3c4d")
	if got := filepath.Base(live.Path()); got != "hoga-kis-live-1a2b3c4d.db" {
		t.Fatalf("live opened %s", got)
	}
	if n := count(live); n != 0 {
		t.Fatalf("live sees %d rows of the mock account", n)
	}
	if _, err := live.OrderByClientID(ctx, "H-MOCK"); err == nil {
		t.Fatal("live found the mock order")
	}
	if err := live.InsertOrder(ctx, entry("H-LIVE", day)); err != nil {
		t.Fatal(err)
	}
	live.Close()

	for _, tc := range []struct{ scope, file, row string }{
		{"kis-mock-1a2b3c4d", FileName, "H-MOCK"},
		{"kis-live-1a2b3c4d", "hoga-kis-live-1a2b3c4d.db", "H-LIVE"},
	} {
		db := open(tc.scope)
		if got := filepath.Base(db.Path()); got != tc.file || count(db) != 1 {
			t.Errorf("%s reopened %s with %d rows", tc.scope, got, count(db))
		}
		if _, err := db.OrderByClientID(ctx, tc.row); err != nil {
			t.Errorf("%s lost its row %s: %v", tc.scope, tc.row, err)
		}
		if s, _ := db.Scope(ctx); s != tc.scope {
			t.Errorf("%s is stamped %q", tc.file, s)
		}
		db.Close()
	}

	// A scoped file stamped with another scope (copied by hand) is refused.
	if err := os.Rename(filepath.Join(dir, "hoga-kis-live-1a2b3c4d.db"), filepath.Join(dir, "hoga-kiwoom-live-99999999.db")); err != nil {
		t.Fatal(err)
	}
	if db, err := Open(ctx, Options{Dir: dir, Scope: "kiwoom-live-99999999"}); err == nil {
		db.Close()
		t.Fatal("a journal stamped kis-live opened as kiwoom-live's")
	}
	if _, err := Open(ctx, Options{Dir: dir, Scope: "../x"}); err == nil {
		t.Fatal("a scope that is no file-name part was accepted")
	}
}

// A live session asked about a number only the mock journal has learns
// whose it is, while the mock session still has its file open; a number no
// journal has, or the mock number on another day, is nobody's.
func TestOrderInOtherScope(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	day := kstTime("2026-03-03", 9, 5)
	open := func(scope string) *DB {
		t.Helper()
		db, err := Open(ctx, Options{Dir: dir, Scope: scope})
		if err != nil {
			t.Fatalf("Open(%s): %v", scope, err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	mock := open("kis-mock-1a2b3c4d")
	e := entry("H-MOCK", day)
	e.BrokerID, e.State = "0000000001", broker.StatusAccepted
	if err := mock.InsertOrder(ctx, e); err != nil {
		t.Fatal(err)
	}
	live := open("kis-live-1a2b3c4d")
	for _, tc := range []struct {
		id   string
		day  time.Time
		want string
	}{
		{"0000000001", day, "kis-mock-1a2b3c4d"},
		{"0000000002", day, ""},
		{"0000000001", day.AddDate(0, 0, 1), ""},
	} {
		got, err := live.OrderInOtherScope(ctx, tc.day, tc.id)
		if err != nil || got != tc.want {
			t.Errorf("OrderInOtherScope(%s, %s) = %q, %v; want %q", tc.day.Format(time.DateOnly), tc.id, got, err, tc.want)
		}
	}
	if got, _ := mock.OrderInOtherScope(ctx, day, "0000000001"); got != "" {
		t.Errorf("the mock journal finds its own order in another scope: %q", got)
	}
}
