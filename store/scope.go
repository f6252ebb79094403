package store

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
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
		return nil, err
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
		return nil, err
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
