// Package store keeps hoga's durable state in one SQLite file
// (modernc.org/sqlite, pure Go, so the binary stays static): the order
// journal that broker/guard writes before any order reaches a broker, the
// log of cancels, and small key/value settings such as the kill switch.
//
// The journal's vocabulary (broker.JournalEntry, broker.JournalCancel,
// broker.Day) is the domain's; DB implements broker/guard's Journal and
// answers with broker.Error kinds (NotFound, Duplicate), the way a
// technology package implements its root package's services. Only
// cmd/hoga imports store.
//
// The journal is the reason this package exists: an order that may have
// reached a broker must never be forgotten, even if the process dies between
// the request and the answer. Every write is therefore committed with
// synchronous=FULL before the caller moves on.
//
// The schema is built from numbered SQL files embedded from migrations/
// (0001_journal.sql, 0002_…); a later feature adds its tables by dropping in
// the next file. The applied versions are kept in the schema_version table.
package store

import (
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// FileName is the database file inside the data directory.
const FileName = "hoga.db"

// Options configures Open. Zero values take the defaults noted per field.
type Options struct {
	// Dir is the data directory (HOGA_DATA_DIR); created 0700 if missing.
	// Required.
	Dir string
	// Logger receives start-up and migration messages; nil discards.
	Logger *slog.Logger
	// Clock stamps settings and migrations; nil is the wall clock. Journal
	// rows carry the times their writer (broker/guard) gives them.
	Clock clock.Clock
	// BusyTimeout is how long a statement waits for a lock held by another
	// connection or process (a checkpoint, the sqlite3 shell) before it
	// fails. Default 5s.
	BusyTimeout time.Duration
	// ReadConns is the size of the read pool. Default 4.
	ReadConns int
	// Scope names the broker, mode and account whose orders this journal
	// records ("kis-live-1a2b3c4d"; no account number, see cmd/hoga). A
	// journal belongs to one scope: hoga.db to the first scope that opens
	// it (a journal from before scopes included), any other scope to
	// hoga-<scope>.db beside it. So a restart in live mode never reconciles,
	// cancels, counts or dedupes against the mock account's rows, whose
	// order numbers overlap (issue 12, item 9). Empty: hoga.db, unstamped.
	Scope string
}

// DB is the open database. It is safe for concurrent use.
//
// It holds two pools over the same file. The writer has exactly one
// connection: SQLite admits one writer at a time anyway, and funnelling
// every write through one connection makes writers queue in Go (in order,
// honouring their contexts) instead of racing for the file lock and failing
// with SQLITE_BUSY; its transactions start with BEGIN IMMEDIATE so a
// read-then-write (UpdateOrder) never has to upgrade a lock. The reader pool
// has several query-only connections: in WAL mode readers see the last
// committed state without waiting for the writer, so /orders or the HTTP
// API never stall behind an order's fsync.
type DB struct {
	w, r  *sql.DB
	path  string
	log   *slog.Logger
	clock clock.Clock
	once  sync.Once
	err   error

	// files pins the database and its WAL as opened; lost is CheckFile's
	// verdict once they are gone.
	fileMu sync.Mutex
	files  []fileID
	lost   *broker.JournalLost
}

// Open opens (creating if needed) HOGA_DATA_DIR/hoga.db, turns on WAL and
// applies any migrations the file has not seen. Opening the same file again
// is harmless: applied migrations are skipped.
func Open(ctx context.Context, opts Options) (*DB, error) {
	if opts.Scope == "" {
		return open(ctx, opts, migrationFiles)
	}
	return openScoped(ctx, opts, migrationFiles)
}

func open(ctx context.Context, opts Options, migrations fs.FS) (*DB, error) {
	return openFile(ctx, opts, migrations, FileName)
}

func openFile(ctx context.Context, opts Options, migrations fs.FS, name string) (_ *DB, err error) {
	if opts.Dir == "" {
		return nil, errors.New("store: data directory is empty")
	}
	if strings.ContainsRune(opts.Dir, '?') {
		// modernc.org/sqlite splits the DSN at the first '?'.
		return nil, fmt.Errorf("store: data directory %q must not contain '?'", opts.Dir)
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	busy := opts.BusyTimeout
	if busy <= 0 {
		busy = 5 * time.Second
	}
	readConns := opts.ReadConns
	if readConns <= 0 {
		readConns = 4
	}
	migs, err := loadMigrations(migrations)
	if err != nil {
		return nil, err
	}

	if err := prepareDir(opts.Dir, logger); err != nil {
		return nil, err
	}
	path := filepath.Join(opts.Dir, name)
	defer func() { err = damaged(path, err) }()
	if err := prepareFile(path, logger); err != nil {
		return nil, err
	}

	// synchronous=FULL: in WAL mode NORMAL survives a process crash but
	// may lose the last commits on power loss; the journal row that
	// precedes a broker call must survive both.
	common := fmt.Sprintf("_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)", busy.Milliseconds())
	w, err := sql.Open("sqlite", path+"?"+common+"&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)

	db := &DB{w: w, path: path, log: logger, clock: clock.Or(opts.Clock)}
	// The writer's first connection switches the file to WAL; readers are
	// opened after that so they never see a rollback-journal file.
	var mode string
	if err := firstConn(ctx, w, busy, &mode); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if !strings.EqualFold(mode, "wal") {
		w.Close()
		return nil, fmt.Errorf("store: %s: journal mode is %q, want wal (is the file on a network share?)", path, mode)
	}
	if err := db.migrate(ctx, migs); err != nil {
		w.Close()
		return nil, err
	}

	r, err := sql.Open("sqlite", path+"?"+common+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	r.SetMaxOpenConns(readConns)
	r.SetMaxIdleConns(readConns)
	if err := r.PingContext(ctx); err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	db.r = r
	if err := db.pinFiles(); err != nil {
		w.Close()
		r.Close()
		return nil, err
	}
	// SQLite creates -wal and -shm with the main file's mode; make sure
	// nothing looser slipped in (e.g. files left by an older run).
	for _, suffix := range []string{"-wal", "-shm"} {
		tighten(path+suffix, 0o600, logger)
	}
	logger.Info("store opened", "path", path)
	return db, nil
}

// prepareDir creates the data directory 0700, or tightens an existing one:
// it holds the order history and, later, broker tokens.
func prepareDir(dir string, logger *slog.Logger) error {
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("store: create data directory: %w", err)
		}
		// MkdirAll honours the umask, which can only remove bits; chmod
		// anyway so the mode is exactly 0700.
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("store: data directory: %w", err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("store: data directory: %w", err)
	case !st.IsDir():
		return fmt.Errorf("store: data directory %s is not a directory", dir)
	}
	tighten(dir, 0o700, logger)
	return nil
}

// prepareFile creates the database file 0600 before SQLite sees it, since
// SQLite would create it 0644 (less the umask).
func prepareFile(path string, logger *slog.Logger) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("store: create %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("store: create %s: %w", path, err)
	}
	tighten(path, 0o600, logger)
	return nil
}

// tighten removes group and other permissions from an existing path. It
// logs rather than fails: on Windows and some mounts modes mean little.
func tighten(path string, want fs.FileMode, logger *slog.Logger) {
	st, err := os.Stat(path)
	if err != nil {
		return
	}
	if st.Mode().Perm()&0o077 == 0 {
		return
	}
	if err := os.Chmod(path, want); err != nil {
		logger.Warn("store: cannot restrict permissions", "path", path, "mode", st.Mode().Perm().String(), "err", err)
		return
	}
	logger.Warn("store: restricted permissions", "path", path, "was", st.Mode().Perm().String(), "now", want.String())
}

// Path is the database file's path.
func (db *DB) Path() string { return db.path }

// Close checkpoints the WAL and closes the file. Later calls return the
// first call's result.
func (db *DB) Close() error {
	db.once.Do(func() { db.err = db.close() })
	return db.err
}

func (db *DB) close() error {
	var errs []error
	if db.r != nil {
		errs = append(errs, db.r.Close())
	}
	// A truncating checkpoint leaves a single file behind for backups; a
	// failure here loses nothing (the WAL is replayed on next open).
	if _, err := db.w.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		db.log.Warn("store: checkpoint on close", "err", err)
	}
	errs = append(errs, db.w.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// nanos and fromNanos convert times to the stored Unix nanoseconds.
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// firstConn opens the writer's first connection, whose DSN switches the
// file to WAL, and reads the journal mode into mode. The switch needs the
// file to itself, and SQLite answers it SQLITE_BUSY at once, without its
// busy handler, while another connection opens or converts the same new
// file: two first opens of one data directory (hoga check beside a start,
// or TestConcurrentFirstOpen's four) failed 'database is locked' in a
// fraction of the busy timeout (issue 12, item 16: 6 in 300 runs under
// load). It is retried, with growing pauses, within the busy timeout.
func firstConn(ctx context.Context, w *sql.DB, busy time.Duration, mode *string) error {
	deadline := time.Now().Add(busy)
	for pause := 5 * time.Millisecond; ; pause = min(2*pause, 200*time.Millisecond) {
		err := w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(mode)
		if err == nil || !isBusy(err) || time.Now().Add(pause).After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
	}
}

// isBusy reports SQLITE_BUSY (any extended code).
func isBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}
