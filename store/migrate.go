package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
)

// migrationFiles are the schema steps, applied in version order. To change
// the schema, add the next numbered file (NNNN_what.sql); never edit one
// that has shipped, because databases in the field have already run it.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one numbered schema step.
type migration struct {
	version int
	name    string
	sql     string
}

var migrationName = regexp.MustCompile(`^([0-9]{4})_[a-z0-9_]+\.sql$`)

// loadMigrations reads migrations/*.sql from fsys and checks that the
// versions run 1, 2, 3… without gaps or duplicates, so a misnumbered file
// fails every test rather than a user's start-up.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, "migrations")
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	var out []migration
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("store: migration %q must be named NNNN_name.sql (lower case)", e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		body, err := fs.ReadFile(fsys, "migrations/"+e.Name())
		if err != nil {
			return nil, fmt.Errorf("store: migration %s: %w", e.Name(), err)
		}
		out = append(out, migration{version: v, name: e.Name(), sql: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("store: migration %s: expected version %04d (versions must run 1, 2, 3… without gaps or repeats)", m.name, i+1)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("store: no migrations")
	}
	return out, nil
}

const schemaVersionDDL = `CREATE TABLE IF NOT EXISTS schema_version (
    version    INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_ns INTEGER NOT NULL
) STRICT`

// migrate applies the migrations the file lacks, each in its own
// transaction together with its schema_version row, so a crash mid-way
// leaves the file at a whole version. The version is re-read inside each
// transaction: two processes opening a fresh file at once apply every step
// once.
func (db *DB) migrate(ctx context.Context, migs []migration) error {
	if _, err := db.w.ExecContext(ctx, schemaVersionDDL); err != nil {
		return fmt.Errorf("store: schema_version: %w", err)
	}
	// A journal already at the newest version (every start but the first
	// after an upgrade) needs this one read, not a write-locked
	// transaction per migration: start-up does only what must come before
	// commands (issue 20), and a write lock another program holds on
	// hoga.db for a moment no longer stalls it.
	var cur int
	if err := db.w.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_version").Scan(&cur); err != nil {
		return fmt.Errorf("store: schema version: %w", err)
	}
	if cur == len(migs) { // versions run 1…n (loadMigrations)
		return nil
	}
	for _, m := range migs {
		applied, err := db.applyMigration(ctx, m, len(migs))
		if err != nil {
			return err
		}
		if applied {
			db.log.Info("store: migrated", "version", m.version, "file", m.name)
		}
	}
	return nil
}

func (db *DB) applyMigration(ctx context.Context, m migration, known int) (applied bool, err error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("store: migration %s: %w", m.name, err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	var cur int
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_version").Scan(&cur); err != nil {
		return false, fmt.Errorf("store: schema version: %w", err)
	}
	if cur > known {
		return false, fmt.Errorf("store: %s is at schema version %d but this hoga knows only %d: run a newer hoga or restore a backup", db.path, cur, known)
	}
	if cur >= m.version {
		return false, tx.Rollback()
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, fmt.Errorf("store: migration %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_version (version, name, applied_ns) VALUES (?, ?, ?)",
		m.version, m.name, db.clock.Now().UnixNano()); err != nil {
		return false, fmt.Errorf("store: migration %s: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("store: migration %s: %w", m.name, err)
	}
	return true, nil
}

// SchemaVersion is the highest migration applied to the file, for /status
// and support.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	if err := db.r.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("store: schema version: %w", err)
	}
	return v, nil
}
