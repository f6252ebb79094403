package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// A journal file SQLite cannot read is a *DamagedError naming the file, so
// start-up can tell the owner what to do in their language (it printed
// SQLite's "file is not a database (26)"). Other failures are not.
func TestOpenDamagedJournal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, path string)
	}{
		{"garbage", func(t *testing.T, p string) {
			if err := os.WriteFile(p, []byte(strings.Repeat("not a database\n", 500)), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"header overwritten", func(t *testing.T, p string) {
			f, err := os.OpenFile(p, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := f.WriteAt([]byte("SQLite format 9\x00\xff\xff"), 0); err != nil {
				t.Fatal(err)
			}
		}},
		{"truncated", func(t *testing.T, p string) {
			st, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(p, st.Size()/3); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		for _, scope := range []string{"", "kis-mock-0123abcd"} {
			t.Run(tc.name+"/"+scope, func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				dir := t.TempDir()
				db, err := Open(ctx, Options{Dir: dir, Scope: scope})
				if err != nil {
					t.Fatal(err)
				}
				if err := db.InsertOrder(ctx, broker.JournalEntry{ClientID: "HDAMAGED0001", Code: "005930", Side: broker.Buy,
					Type: broker.Limit, Qty: 1, Price: 70_000, State: broker.StatusAccepted, Created: time.Now(), Updated: time.Now()}); err != nil {
					t.Fatal(err)
				}
				if err := db.Close(); err != nil {
					t.Fatal(err)
				}
				path := filepath.Join(dir, FileName)
				tc.damage(t, path)
				db, err = Open(ctx, Options{Dir: dir, Scope: scope})
				if err == nil {
					db.Close()
					t.Skip("SQLite opened this damage (nothing to report)")
				}
				var de *DamagedError
				if !errors.As(err, &de) || de.Path != path {
					t.Fatalf("Open: %v (%T); want a *DamagedError for %s", err, err, path)
				}
			})
		}
	}
	t.Run("not damage", func(t *testing.T) {
		t.Parallel()
		_, err := Open(context.Background(), Options{Dir: filepath.Join(t.TempDir(), "file"+"\x00")})
		var de *DamagedError
		if err == nil || errors.As(err, &de) {
			t.Fatalf("Open of an impossible directory: %v; want an error that is not DamagedError", err)
		}
	})
}
