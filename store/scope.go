package store

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// scopeKey is the setting that stamps a journal with the scope it records.
const scopeKey = "journal.scope"

// ScopedFileName is the journal file of scope when hoga.db belongs to
// another one.
func ScopedFileName(scope string) string { return "hoga-" + scope + ".db" }

// openScoped opens the journal of opts.Scope: hoga.db when it is unstamped
// (new, or from before scopes: the first scope to open it adopts its rows)
// or stamped with this scope, else hoga-<scope>.db.
func openScoped(ctx context.Context, opts Options, migrations fs.FS) (*DB, error) {
	if strings.ContainsAny(opts.Scope, `/\:?*"<>| `) || strings.Contains(opts.Scope, "..") {
		return nil, fmt.Errorf("store: scope %q is not a file-name part", opts.Scope)
	}
	db, err := openFile(ctx, opts, migrations, FileName)
	if err != nil {
		return nil, err
	}
	owner, err := db.stampScope(ctx, opts.Scope)
	if err != nil {
		db.Close()
		return nil, damaged(db.path, err)
	}
	if owner == opts.Scope {
		return db, nil
	}
	db.log.Info("store: hoga.db records another broker, mode or account; using this one's own journal",
		"journal_of", owner, "scope", opts.Scope, "file", ScopedFileName(opts.Scope))
	if err := db.Close(); err != nil {
		return nil, err
	}
	db, err = openFile(ctx, opts, migrations, ScopedFileName(opts.Scope))
	if err != nil {
		return nil, err
	}
	owner, err = db.stampScope(ctx, opts.Scope)
	if err != nil {
		db.Close()
		return nil, damaged(db.path, err)
	}
	if owner != opts.Scope { // only by hand: someone copied another journal over it
		db.Close()
		return nil, fmt.Errorf("store: %s records %q, not %q: move it away and start again", ScopedFileName(opts.Scope), owner, opts.Scope)
	}
	return db, nil
}

// stampScope returns the scope db records, stamping it with scope first if
// it records none yet.
func (db *DB) stampScope(ctx context.Context, scope string) (string, error) {
	owner, ok, err := db.GetSetting(ctx, scopeKey)
	if err != nil {
		return "", err
	}
	if ok {
		return owner, nil
	}
	n, err := db.CountAllOrders(ctx)
	if err != nil {
		return "", err
	}
	if err := db.PutSetting(ctx, scopeKey, scope); err != nil {
		return "", err
	}
	if n > 0 {
		db.log.Info("store: the journal's earlier rows are taken as this broker's, mode's and account's", "scope", scope, "orders", n)
	}
	return scope, nil
}

// Scope is the broker, mode and account this journal records ("" when
// unstamped).
func (db *DB) Scope(ctx context.Context) (string, error) {
	s, _, err := db.GetSetting(ctx, scopeKey)
	return s, err
}

// OrderInOtherScope reports which other broker, mode or account's journal in
// the same data directory holds an order the broker numbered brokerID on
// day's KST date ("" when none does). The guard asks it before sending a
// cancel for a number its own journal does not know (issue 12, item 9):
// mock and live order numbers both start at 0000000001, so "/cancel 1" typed
// from a mock session's list must be refused by a live session, not sent to
// the live account. The other journals are opened read-only and briefly;
// one that cannot be read is skipped (it cannot name the order either).
func (db *DB) OrderInOtherScope(ctx context.Context, day time.Time, brokerID string) (string, error) {
	if brokerID == "" {
		return "", nil
	}
	dir := filepath.Dir(db.path)
	paths, err := filepath.Glob(filepath.Join(dir, "hoga*.db"))
	if err != nil {
		return "", fmt.Errorf("store: list journals: %w", err)
	}
	for _, p := range paths {
		if p == db.path || (filepath.Base(p) != FileName && !strings.HasPrefix(filepath.Base(p), "hoga-")) {
			continue
		}
		scope, found, err := orderInFile(ctx, p, day, brokerID)
		if err != nil {
			db.log.Warn("store: another journal could not be read", "file", filepath.Base(p), "err", err)
			continue
		}
		if found {
			if scope == "" {
				scope = strings.TrimSuffix(strings.TrimPrefix(filepath.Base(p), "hoga-"), ".db")
			}
			return scope, nil
		}
	}
	return "", nil
}

// orderInFile looks for brokerID on day in the journal at path, read-only.
func orderInFile(ctx context.Context, path string, day time.Time, brokerID string) (scope string, found bool, err error) {
	r, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(2000)&_pragma=query_only(1)")
	if err != nil {
		return "", false, err
	}
	defer r.Close()
	var n int
	if err := r.QueryRowContext(ctx, "SELECT count(*) FROM orders WHERE broker_id = ? AND day = ?", brokerID, broker.Day(day)).Scan(&n); err != nil {
		return "", false, err
	}
	if n == 0 {
		return "", false, nil
	}
	_ = r.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", scopeKey).Scan(&scope)
	return scope, true, nil
}
