package strategy

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/store"
)

// openers are the StateStore implementations: the JSON file and the
// SQLite store hoga runs with. Each opens (or reopens) the store in dir.
var openers = map[string]func(t *testing.T, dir string) StateStore{
	"file": func(t *testing.T, dir string) StateStore {
		s, err := OpenFileStore(dir)
		if err != nil {
			t.Fatal(err)
		}
		return s
	},
	"sqlite": func(t *testing.T, dir string) StateStore {
		db, err := store.Open(context.Background(), store.Options{Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return NewDBStore(db)
	},
}

func TestStoreRoundTrip(t *testing.T) {
	t.Parallel()
	for name, open := range openers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			testStoreRoundTrip(t, func(dir string) StateStore { return open(t, dir) })
		})
	}
}

// The file store's own promises: its file and folder modes, and no
// temporary files left behind.
func TestFileStoreFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	s, err := OpenFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveState(ctx, "005930", NewState()); err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(filepath.Join(dir, StateFile))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("state file mode %v, want 0600", fi.Mode().Perm())
		}
		di, _ := os.Stat(dir)
		if di.Mode().Perm() != 0o700 {
			t.Errorf("data dir mode %v, want 0700", di.Mode().Perm())
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("leftover files: %v", entries)
	}
}

func testStoreRoundTrip(t *testing.T, open func(dir string) StateStore) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	s := open(dir)
	file := baseRule()
	chat := baseRule()
	chat.Cooldown, chat.Type, chat.Confirm, chat.RearmBP, chat.MaxPosition = 90*time.Second, broker.Market, true, 150, 40
	st := State{BuyArmed: false, SellArmed: true, BuyBelow: 65_000, SellAbove: 75_000, LastFire: t0, Day: "2026-03-10",
		FiresToday: 2, Failures: 1, RetryAt: t0.Add(5 * time.Second), Disabled: "", LastPrice: 64_800}
	for _, err := range []error{
		s.SaveRule(ctx, StoredRule{Code: "005930", Rule: chat, Base: &file, Updated: t0}),
		s.SaveRule(ctx, StoredRule{Code: "000660", Deleted: true, Updated: t0}),
		s.SaveRule(ctx, StoredRule{Code: "035720", Rule: Rule{Code: "035720", BuyBelow: 1, Qty: 1, Type: broker.Limit}}),
		s.DeleteRule(ctx, "035720"),
		s.SaveState(ctx, "005930", st),
		s.SaveState(ctx, "000660", NewState()),
		s.DeleteState(ctx, "000660"),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}

	again := open(dir)
	edits, _ := again.LoadRules(ctx)
	if len(edits) != 2 || edits[0].Code != "000660" || !edits[0].Deleted || edits[1].Rule != chat || *edits[1].Base != file || !edits[1].Updated.Equal(t0) {
		t.Fatalf("edits %+v", edits)
	}
	states, _ := again.LoadState(ctx)
	got := states["005930"]
	if len(states) != 1 || !got.LastFire.Equal(st.LastFire) || !got.RetryAt.Equal(st.RetryAt) {
		t.Fatalf("states %+v", states)
	}
	got.LastFire, got.RetryAt = st.LastFire, st.RetryAt
	if got != st {
		t.Fatalf("state\n got %+v\nwant %+v", got, st)
	}

	if _, isFile := s.(*FileStore); isFile {
		raw, _ := os.ReadFile(filepath.Join(dir, StateFile))
		if !strings.Contains(string(raw), `"cooldown": "1m30s"`) || !strings.Contains(string(raw), `"type": "market"`) {
			t.Errorf("stored form is not the readable one:\n%s", raw)
		}
	}
}

func TestFileStoreRefusesADamagedFile(t *testing.T) {
	t.Parallel()
	for name, content := range map[string]string{
		"not_json":    "{",
		"newer":       `{"version": 99}`,
		"bad_rule":    `{"version": 1, "rules": [{"code": "005930", "rule": {"type": "stop"}}]}`,
		"bad_cooldwn": `{"version": 1, "rules": [{"code": "005930", "rule": {"type": "limit", "cooldown": "x"}}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, StateFile), []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := OpenFileStore(dir)
			if err == nil || !strings.Contains(err.Error(), StateFile) {
				t.Fatalf("err = %v, want one naming the file", err)
			}
		})
	}
	if _, err := OpenFileStore(""); err == nil {
		t.Error("empty directory accepted")
	}
}

func TestFailedWriteLeavesTheStoreUnchanged(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	s, err := OpenFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveState(ctx, "005930", armed()); err != nil {
		t.Fatal(err)
	}
	// A non-empty directory where the file should be: the rename fails,
	// even for root.
	path := filepath.Join(dir, StateFile)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(path, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	fired := armed()
	fired.BuyArmed = false
	if err := s.SaveState(ctx, "005930", fired); err == nil {
		t.Fatal("the write succeeded")
	}
	states, _ := s.LoadState(ctx)
	if !states["005930"].BuyArmed {
		t.Fatal("the store kept a state it could not write")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary file left behind: %v", entries)
	}
}

func TestStoredRuleJSON(t *testing.T) {
	t.Parallel()
	in := StoredRule{Code: "005930", Rule: baseRule(), Updated: t0}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out StoredRule
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	if out.Rule != in.Rule || out.Base != nil || !out.Updated.Equal(t0) {
		t.Fatalf("round trip: %+v -> %s -> %+v", in, data, out)
	}
}
