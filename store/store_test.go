package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
)

// openAt opens a new journal in dir with only the schema steps named,
// as a file an older hoga wrote: a migration test then writes its old rows
// and reopens it with openTest.
func openAt(t testing.TB, dir string, steps ...string) *DB {
	t.Helper()
	old := fstest.MapFS{}
	for _, name := range steps {
		b, err := migrationFiles.ReadFile("migrations/" + name)
		if err != nil {
			t.Fatal(err)
		}
		old["migrations/"+name] = &fstest.MapFile{Data: b}
	}
	db, err := open(context.Background(), Options{Dir: dir}, old)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func openTest(t testing.TB, dir string) *DB {
	t.Helper()
	db, err := Open(context.Background(), Options{Dir: dir})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// kstTime is a KST wall-clock time on the given date.
func kstTime(date string, h, m int) time.Time {
	d, err := time.ParseInLocation(time.DateOnly, date, broker.KST())
	if err != nil {
		panic(err)
	}
	return d.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
}

func entry(id string, created time.Time) broker.JournalEntry {
	return broker.JournalEntry{
		ClientID: id, Source: "console", User: "console",
		Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 10, Price: 70_000,
		State: broker.StatusPending, Created: created,
	}
}

func TestOpenTwiceIsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	db := openTest(t, dir)
	if err := db.InsertOrder(ctx, entry("H1", kstTime("2026-03-03", 9, 5))); err != nil {
		t.Fatal(err)
	}
	v1, err := db.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	migs, err := loadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	if v1 != len(migs) {
		t.Fatalf("schema version %d; want %d", v1, len(migs))
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	// Open again, and a second handle at the same time: nothing reapplied,
	// data kept.
	db2 := openTest(t, dir)
	db3 := openTest(t, dir)
	for _, d := range []*DB{db2, db3} {
		v, err := d.SchemaVersion(ctx)
		if err != nil || v != v1 {
			t.Fatalf("reopened version = %d, %v; want %d", v, err, v1)
		}
		var n int
		if err := d.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_version").Scan(&n); err != nil || n != len(migs) {
			t.Fatalf("schema_version rows = %d, %v; want %d", n, err, len(migs))
		}
		if _, err := d.OrderByClientID(ctx, "H1"); err != nil {
			t.Fatalf("row lost on reopen: %v", err)
		}
	}
}

func TestConcurrentFirstOpen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := Open(context.Background(), Options{Dir: dir})
			if err != nil {
				errs <- err
				return
			}
			errs <- db.Close()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent Open: %v", err)
		}
	}
	db := openTest(t, dir)
	migs, _ := loadMigrations(migrationFiles)
	var n int
	if err := db.r.QueryRow("SELECT COUNT(*) FROM schema_version").Scan(&n); err != nil || n != len(migs) {
		t.Fatalf("schema_version rows = %d, %v; want %d (each migration once)", n, err, len(migs))
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := openTest(t, dir)
	if _, err := db.w.Exec("INSERT INTO schema_version (version, name, applied_ns) VALUES (99, '0099_future.sql', 0)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err := Open(context.Background(), Options{Dir: dir})
	if err == nil || !strings.Contains(err.Error(), "newer hoga") {
		t.Fatalf("Open on a newer schema: %v; want a refusal naming a newer hoga", err)
	}
}

func TestMigrationAddedLater(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	base, err := migrationFiles.ReadFile("migrations/0001_journal.sql")
	if err != nil {
		t.Fatal(err)
	}
	v1 := fstest.MapFS{"migrations/0001_journal.sql": {Data: base}}
	db, err := open(ctx, Options{Dir: dir}, v1)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	// A later release drops in 0002: it is applied once, on the next open.
	v2 := fstest.MapFS{
		"migrations/0001_journal.sql":        {Data: base},
		"migrations/0002_strategy_state.sql": {Data: []byte("CREATE TABLE strategy_state (rule TEXT PRIMARY KEY, state TEXT NOT NULL) STRICT;\nCREATE INDEX strategy_state_state ON strategy_state (state);")},
	}
	for i := 0; i < 2; i++ {
		db, err := open(ctx, Options{Dir: dir}, v2)
		if err != nil {
			t.Fatalf("open %d with 0002: %v", i, err)
		}
		v, err := db.SchemaVersion(ctx)
		if err != nil || v != 2 {
			t.Fatalf("version = %d, %v; want 2", v, err)
		}
		if _, err := db.w.Exec("INSERT OR REPLACE INTO strategy_state VALUES ('r1', 'armed')"); err != nil {
			t.Fatalf("new table missing: %v", err)
		}
		db.Close()
	}
}

func TestLoadMigrationsRejectsBadSets(t *testing.T) {
	t.Parallel()
	sql := &fstest.MapFile{Data: []byte("CREATE TABLE t (x INTEGER);")}
	tests := []struct {
		name string
		fs   fstest.MapFS
		want string
	}{
		{"gap", fstest.MapFS{"migrations/0001_a.sql": sql, "migrations/0003_c.sql": sql}, "expected version 0002"},
		{"duplicate", fstest.MapFS{"migrations/0001_a.sql": sql, "migrations/0001_b.sql": sql}, "expected version 0002"},
		{"bad_name", fstest.MapFS{"migrations/0001_a.sql": sql, "migrations/2_b.sql": sql}, "NNNN_name.sql"},
		{"upper_case", fstest.MapFS{"migrations/0001_Init.sql": sql}, "NNNN_name.sql"},
		{"starts_at_two", fstest.MapFS{"migrations/0002_a.sql": sql}, "expected version 0001"},
		{"empty", fstest.MapFS{"migrations/.keep": {}}, "must be named"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := loadMigrations(tt.fs)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("loadMigrations = %v; want an error containing %q", err, tt.want)
			}
		})
	}
	if _, err := loadMigrations(migrationFiles); err != nil {
		t.Fatalf("shipped migrations: %v", err)
	}
}

func TestFailedMigrationLeavesWholeVersion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	base, _ := migrationFiles.ReadFile("migrations/0001_journal.sql")
	bad := fstest.MapFS{
		"migrations/0001_journal.sql": {Data: base},
		"migrations/0002_broken.sql":  {Data: []byte("CREATE TABLE half (x INTEGER);\nTHIS IS NOT SQL;")},
	}
	if _, err := open(ctx, Options{Dir: dir}, bad); err == nil {
		t.Fatal("open with a broken migration succeeded")
	}
	db, err := open(ctx, Options{Dir: dir}, fstest.MapFS{"migrations/0001_journal.sql": {Data: base}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if v, _ := db.SchemaVersion(ctx); v != 1 {
		t.Fatalf("version after failed 0002 = %d; want 1", v)
	}
	var n int
	if err := db.r.QueryRow("SELECT COUNT(*) FROM sqlite_master WHERE name = 'half'").Scan(&n); err != nil || n != 0 {
		t.Fatalf("half-applied migration left table behind (n=%d, %v)", n, err)
	}
}

func TestFileModesAndWAL(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("POSIX modes")
	}
	ctx := context.Background()
	root := t.TempDir()
	dir := filepath.Join(root, "data")
	db := openTest(t, dir)
	if err := db.InsertOrder(ctx, entry("H1", time.Now())); err != nil {
		t.Fatal(err)
	}
	check := func(path string, want os.FileMode) {
		t.Helper()
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode().Perm(); got != want {
			t.Errorf("%s mode = %v; want %v", filepath.Base(path), got, want)
		}
	}
	check(dir, 0o700)
	check(db.Path(), 0o600)
	check(db.Path()+"-wal", 0o600)
	check(db.Path()+"-shm", 0o600)

	var mode string
	if err := db.r.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, %v; want wal", mode, err)
	}
	var sync int
	if err := db.w.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil || sync != 2 {
		t.Fatalf("synchronous = %d, %v; want 2 (FULL)", sync, err)
	}
	var busy int
	if err := db.w.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy); err != nil || busy != 5000 {
		t.Fatalf("busy_timeout = %d, %v; want 5000", busy, err)
	}
	// The read pool cannot write.
	if _, err := db.r.ExecContext(ctx, "DELETE FROM orders"); err == nil {
		t.Fatal("read pool accepted a write")
	}
}

func TestLooseModesTightened(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("POSIX modes")
	}
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, FileName), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// Mkdir/WriteFile are subject to the umask; force the loose modes.
	os.Chmod(dir, 0o755)
	os.Chmod(filepath.Join(dir, FileName), 0o644)
	db := openTest(t, dir)
	for path, want := range map[string]os.FileMode{dir: 0o700, db.Path(): 0o600} {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s mode = %v; want %v", path, st.Mode().Perm(), want)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "plain")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"", file, "odd?dir"} {
		if _, err := Open(context.Background(), Options{Dir: dir}); err == nil {
			t.Errorf("Open(%q) succeeded", dir)
		}
	}
}

func TestJournalRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fake := clock.NewFake(kstTime("2026-03-03", 9, 30))
	db, err := Open(ctx, Options{Dir: t.TempDir(), Clock: fake})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	created := kstTime("2026-03-03", 9, 1)
	e := entry("H20260303abc", created)
	e.Source, e.User, e.Type, e.Price = "telegram", "42", broker.Market, 0
	if err := db.InsertOrder(ctx, e); err != nil {
		t.Fatal(err)
	}
	if err := db.InsertOrder(ctx, e); broker.KindOf(err) != broker.Duplicate {
		t.Fatalf("second insert = %v; want Duplicate", err)
	}
	got, err := db.OrderByClientID(ctx, e.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != broker.StatusPending || got.Source != "telegram" || got.User != "42" || got.Type != broker.Market ||
		!got.Created.Equal(created) || !got.Updated.Equal(created) || got.Err() != nil {
		t.Fatalf("read back %+v", got)
	}

	up, err := db.UpdateOrder(ctx, e.ClientID, func(x *broker.JournalEntry) error {
		x.State = broker.StatusRejected
		x.SetErr(&broker.Error{Kind: broker.InsufficientFunds, Code: "APBK0952", Msg: "주문가능금액을 초과 했습니다"})
		x.ClientID = "tampered" // ignored
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if up.ClientID != e.ClientID || !up.Updated.Equal(fake.Now()) {
		t.Fatalf("update result %+v", up)
	}
	got, _ = db.OrderByClientID(ctx, e.ClientID)
	be, ok := broker.AsError(got.Err())
	if !ok || be.Kind != broker.InsufficientFunds || be.Code != "APBK0952" || got.State != broker.StatusRejected {
		t.Fatalf("stored error %+v (%v)", got, got.Err())
	}

	// fn's error aborts the write.
	sentinel := errors.New("no")
	if _, err := db.UpdateOrder(ctx, e.ClientID, func(x *broker.JournalEntry) error { x.State = broker.StatusAccepted; return sentinel }); !errors.Is(err, sentinel) {
		t.Fatalf("UpdateOrder fn error = %v", err)
	}
	if got, _ := db.OrderByClientID(ctx, e.ClientID); got.State != broker.StatusRejected {
		t.Fatalf("aborted update was written: %s", got.State)
	}
	if _, err := db.UpdateOrder(ctx, "nope", func(*broker.JournalEntry) error { return nil }); broker.KindOf(err) != broker.NotFound {
		t.Fatalf("update missing = %v; want NotFound", err)
	}
	if _, err := db.OrderByClientID(ctx, "nope"); broker.KindOf(err) != broker.NotFound {
		t.Fatalf("missing = %v; want NotFound", err)
	}
	if err := db.InsertOrder(ctx, broker.JournalEntry{ClientID: "x"}); err == nil {
		t.Fatal("insert without created time succeeded")
	}
}

func TestDaysCountsAndUnresolved(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openTest(t, t.TempDir())
	rows := []struct {
		id      string
		at      time.Time
		state   broker.OrderStatus
		broker  string
		expired bool
	}{
		// 23:59 UTC on the 2nd is 08:59 KST on the 3rd: the KST day counts.
		{"a", time.Date(2026, 3, 2, 23, 59, 0, 0, time.UTC), broker.StatusAccepted, "0001", false},
		{"b", kstTime("2026-03-03", 10, 0), broker.StatusUnknown, "", false},
		{"c", kstTime("2026-03-03", 15, 29), broker.StatusPending, "", false},
		{"d", kstTime("2026-03-02", 15, 0), broker.StatusUnknown, "", true},
		{"e", kstTime("2026-03-02", 14, 0), broker.StatusAccepted, "0001", false},
		{"f", kstTime("2026-03-04", 0, 0), broker.StatusRejected, "", false},
	}
	for _, r := range rows {
		e := entry(r.id, r.at)
		e.State, e.BrokerID, e.Expired = r.state, r.broker, r.expired
		if err := db.InsertOrder(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	day := kstTime("2026-03-03", 12, 0)
	n, err := db.CountOrdersOn(ctx, day)
	if err != nil || n != 3 {
		t.Fatalf("CountOrdersOn = %d, %v; want 3", n, err)
	}
	on, err := db.OrdersOn(ctx, day)
	if err != nil {
		t.Fatal(err)
	}
	if ids := clientIDs(on); ids != "a,b,c" {
		t.Fatalf("OrdersOn = %s; want a,b,c", ids)
	}
	un, err := db.Unresolved(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ids := clientIDs(un); ids != "b,c" {
		t.Fatalf("Unresolved = %s; want b,c (d expired)", ids)
	}
	// Broker numbers restart daily: the lookup is per day.
	for d, want := range map[time.Time]string{day: "a", kstTime("2026-03-02", 9, 0): "e"} {
		got, err := db.OrderByBrokerID(ctx, d, "0001")
		if err != nil || got.ClientID != want {
			t.Fatalf("OrderByBrokerID(%s) = %s, %v; want %s", broker.Day(d), got.ClientID, err, want)
		}
	}
	if _, err := db.OrderByBrokerID(ctx, kstTime("2026-03-05", 9, 0), "0001"); broker.KindOf(err) != broker.NotFound {
		t.Fatalf("other day = %v; want NotFound", err)
	}
}

func clientIDs(es []broker.JournalEntry) string {
	ids := make([]string, len(es))
	for i, e := range es {
		ids[i] = e.ClientID
	}
	return strings.Join(ids, ",")
}

func TestCancelsAndSettings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	db := openTest(t, dir)
	at := kstTime("2026-03-03", 10, 0)
	id, err := db.InsertCancel(ctx, broker.JournalCancel{OrderID: "0000012", ClientID: "H1", Source: "telegram", User: "7", State: broker.StatusPending, Created: at})
	if err != nil {
		t.Fatal(err)
	}
	c := broker.JournalCancel{ID: id, State: broker.StatusRejected, Updated: at.Add(time.Second)}
	c.SetErr(&broker.Error{Kind: broker.NotFound, Code: "40330000", Msg: "취소가능수량이 없습니다"})
	if err := db.FinishCancel(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishCancel(ctx, broker.JournalCancel{ID: 999, State: broker.StatusAccepted}); broker.KindOf(err) != broker.NotFound {
		t.Fatalf("FinishCancel(999) = %v; want NotFound", err)
	}
	cs, err := cancelsOn(ctx, db, at)
	if err != nil || len(cs) != 1 {
		t.Fatalf("cancelsOn = %v, %v", cs, err)
	}
	if got := cs[0]; got.OrderID != "0000012" || got.State != broker.StatusRejected || got.ErrKind != broker.NotFound ||
		got.ErrCode != "40330000" || got.User != "7" || !got.Updated.Equal(at.Add(time.Second)) {
		t.Fatalf("cancel read back %+v", got)
	}

	if _, ok, err := db.GetSetting(ctx, "guard.halt"); ok || err != nil {
		t.Fatalf("unset setting: ok=%v err=%v", ok, err)
	}
	for _, v := range []string{"one", "two"} {
		if err := db.PutSetting(ctx, "guard.halt", v); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	db = openTest(t, dir)
	if v, ok, err := db.GetSetting(ctx, "guard.halt"); v != "two" || !ok || err != nil {
		t.Fatalf("setting after reopen = %q %v %v", v, ok, err)
	}
}

func TestParseKindRoundTrip(t *testing.T) {
	t.Parallel()
	for k := broker.Internal; k <= broker.LimitExceeded; k++ {
		if got := parseKind(kindName(k)); got != k {
			t.Errorf("kind %v round-trips to %v", k, got)
		}
	}
	if parseKind("from_the_future") != broker.Internal {
		t.Error("unknown kind name should read as internal")
	}
}

func TestConcurrentWriters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	a, b := openTest(t, dir), openTest(t, dir) // two handles: as two processes would
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := 0; i < 50; i++ {
		for j, db := range []*DB{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				id := fmt.Sprintf("H%d-%d", j, i)
				if err := db.InsertOrder(ctx, entry(id, time.Now())); err != nil {
					errs <- err
					return
				}
				_, err := db.UpdateOrder(ctx, id, func(e *broker.JournalEntry) error { e.State = broker.StatusAccepted; return nil })
				errs <- err
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	n, err := a.CountOrdersOn(ctx, time.Now())
	if err != nil || n != 100 {
		t.Fatalf("count = %d, %v; want 100", n, err)
	}
}

// BenchmarkJournalOrder measures what the journal adds to one order: the
// pending insert before the broker call and the accepted update after it,
// each a durable (synchronous=FULL) commit.
func BenchmarkJournalOrder(b *testing.B) {
	ctx := context.Background()
	db, err := Open(ctx, Options{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	now := time.Now()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id := fmt.Sprintf("H%09d", i)
		if err := db.InsertOrder(ctx, entry(id, now)); err != nil {
			b.Fatal(err)
		}
		if _, err := db.UpdateOrder(ctx, id, func(e *broker.JournalEntry) error {
			e.State, e.BrokerID, e.Branch = broker.StatusAccepted, fmt.Sprint(i), "06590"
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSettingsWithPrefix(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := Open(ctx, Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for k, v := range map[string]string{"strategy.rule.005930": "a", "strategy.rule.000660": "b", "strategyXrule.1": "c", "strategy.state.005930": "d", "kill": "e"} {
		if err := db.PutSetting(ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.SettingsWithPrefix(ctx, "strategy.rule.")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["strategy.rule.005930"] != "a" || got["strategy.rule.000660"] != "b" {
		t.Fatalf("SettingsWithPrefix = %v", got)
	}
	if err := db.DeleteSetting(ctx, "strategy.rule.005930"); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteSetting(ctx, "no such key"); err != nil {
		t.Fatalf("deleting an absent key: %v", err)
	}
	if got, _ := db.SettingsWithPrefix(ctx, "strategy.rule."); len(got) != 1 {
		t.Fatalf("after delete = %v", got)
	}
	if got, _ := db.SettingsWithPrefix(ctx, "strategy*"); len(got) != 0 {
		t.Fatalf("a * in the prefix matched %v", got)
	}
}

// cancelsOn reads back the cancels journaled on day's KST date, oldest
// first. (It was DB.CancelsOn; only tests read cancels back.)
func cancelsOn(ctx context.Context, db *DB, day time.Time) ([]broker.JournalCancel, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT "+cancelColumns+" FROM cancels WHERE day = ? ORDER BY id", broker.Day(day))
	if err != nil {
		return nil, fmt.Errorf("store: cancels: %w", err)
	}
	defer rows.Close()
	var out []broker.JournalCancel
	for rows.Next() {
		var (
			c                broker.JournalCancel
			state, kind      string
			created, updated int64
		)
		if err := rows.Scan(&c.ID, &c.OrderID, &c.ClientID, &c.Source, &c.User, &state, &c.CancelID, &kind,
			&c.ErrCode, &c.ErrMsg, &created, &updated); err != nil {
			return nil, fmt.Errorf("store: cancels: %w", err)
		}
		c.State, c.ErrKind = broker.OrderStatus(state), parseKind(kind)
		c.Created, c.Updated = fromNanos(created), fromNanos(updated)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: cancels: %w", err)
	}
	return out, nil
}

const cancelColumns = `id, order_id, client_id, source, user_id, state, cancel_id, err_kind, err_code, err_msg, created_ns, updated_ns`
