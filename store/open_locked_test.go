package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"
)

// Issue 20, start-up doing only what must come before commands: opening a
// journal already at the newest schema took a write-locked transaction per
// migration (five), so a write lock another program held on hoga.db for a
// moment (sqlite3, a backup tool) held start-up for the whole busy timeout
// and then failed it. It now reads the version once; the journal opens,
// and reads, while the lock is held.
func TestOpenUpToDateJournalTakesNoWriteLock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := Open(ctx, Options{Dir: dir, Scope: "kis-mock-0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	other, err := sql.Open("sqlite", filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, "ROLLBACK")

	// The busy timeout is long enough for any step to get its turn on a
	// busy machine; it is never reached unless Open wants the write lock.
	db, err = Open(ctx, Options{Dir: dir, Scope: "kis-mock-0", BusyTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatalf("Open while another program holds the write lock: %v", err)
	}
	defer db.Close()
	if v, err := db.SchemaVersion(ctx); err != nil || v == 0 {
		t.Fatalf("SchemaVersion = %d, %v", v, err)
	}
}
