package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/hoga-trade/hoga/broker"
)

// Issue 20, item 3: a journal deleted (or replaced) while hoga runs keeps
// taking writes through its open handles, into files no one can open again.
// CheckFile must notice, save what the handles still hold, and keep saying
// so.
func TestCheckFileNoticesRemovedOrReplacedJournal(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("an open SQLite file cannot be removed on Windows")
	}
	t.Parallel()
	cases := []struct {
		name   string
		attack func(t *testing.T, path string)
		what   string // the file CheckFile names
	}{
		{"database and WAL removed", func(t *testing.T, p string) {
			for _, f := range []string{p, p + "-wal", p + "-shm"} {
				if err := os.Remove(f); err != nil {
					t.Fatal(err)
				}
			}
		}, ""},
		{"only the WAL removed", func(t *testing.T, p string) {
			if err := os.Remove(p + "-wal"); err != nil {
				t.Fatal(err)
			}
		}, "-wal"},
		{"database replaced by another file", func(t *testing.T, p string) {
			if err := os.Rename(p, p+".moved"); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dir := filepath.Join(t.TempDir(), "data")
			db := openTest(t, dir)
			if err := db.CheckFile(ctx); err != nil {
				t.Fatalf("CheckFile on a fresh journal: %v", err)
			}
			if err := db.InsertOrder(ctx, entry("H1", kstTime("2026-03-03", 9, 5))); err != nil {
				t.Fatal(err)
			}
			tc.attack(t, db.Path())
			// Written after the attack: only the open handles have it.
			if err := db.InsertOrder(ctx, entry("H2", kstTime("2026-03-03", 9, 6))); err != nil {
				t.Fatal(err)
			}
			err := db.CheckFile(ctx)
			var jl *broker.JournalLost
			if !errors.As(err, &jl) {
				t.Fatalf("CheckFile = %v, want a *broker.JournalLost", err)
			}
			if jl.Path != db.Path() || jl.What != db.Path()+tc.what || jl.Copy == "" {
				t.Fatalf("JournalLost = %+v; want path %s, what %s and a copy", jl, db.Path(), db.Path()+tc.what)
			}
			if again := db.CheckFile(ctx); again != err {
				t.Errorf("second CheckFile = %v, want the same verdict", again)
			}
			st, err := os.Stat(jl.Copy)
			if err != nil {
				t.Fatal(err)
			}
			if runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
				t.Errorf("copy mode %v, want 0600", st.Mode().Perm())
			}
			// The copy is a journal with both rows: moved into place, it
			// is what the next start reads.
			restored := filepath.Join(t.TempDir(), "restored")
			if err := os.MkdirAll(restored, 0o700); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(jl.Copy)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(restored, FileName), b, 0o600); err != nil {
				t.Fatal(err)
			}
			db2 := openTest(t, restored)
			for _, id := range []string{"H1", "H2"} {
				if _, err := db2.OrderByClientID(ctx, id); err != nil {
					t.Errorf("row %s not in the saved copy: %v", id, err)
				}
			}
		})
	}
}

// The check runs before every order: two stat calls and two comparisons.
func BenchmarkCheckFile(b *testing.B) {
	db := openTest(b, filepath.Join(b.TempDir(), "data"))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := db.CheckFile(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
