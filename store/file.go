package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// fileID pins the identity of one of the journal's files (the database or
// its WAL) as opened, so CheckFile can tell when the path no longer leads
// to it.
type fileID struct {
	path string
	fi   fs.FileInfo
}

// pin records path's identity now. os.SameFile compares device and inode
// on Unix and volume serial and file index on Windows; on Windows the index
// is read lazily from the path, so it is read here, while the path still
// leads to the file hoga opened.
func pin(path string) (fileID, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileID{}, err
	}
	os.SameFile(fi, fi)
	return fileID{path: path, fi: fi}, nil
}

// pinFiles pins the database and its WAL. It is called once the writer
// holds the file open in WAL mode, so the WAL exists and stays the same
// file until the last connection closes (the writer's never does before
// Close).
func (db *DB) pinFiles() error {
	for _, p := range []string{db.path, db.path + "-wal"} {
		id, err := pin(p)
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		db.files = append(db.files, id)
	}
	return nil
}

// CheckFile reports whether the journal's files are still the ones hoga
// opened. A journal deleted while hoga runs (the database and its WAL
// removed) goes on accepting writes through the open handles, into files no
// one can open again: after a restart the rows are gone, and with them the
// record of orders the broker has (issue 20, item 3). broker/guard calls
// this before every order and halts when it fails.
//
// On the first failure CheckFile saves what the open handles still hold to
// a copy next to the path (VACUUM INTO), so the rows are not lost, and the
// *broker.JournalLost it returns, then and on every later call, names that
// copy. On Windows an open SQLite file cannot be deleted, but a check costs
// the same two stat calls everywhere (BenchmarkCheckFile).
func (db *DB) CheckFile(ctx context.Context) error {
	db.fileMu.Lock()
	defer db.fileMu.Unlock()
	if db.lost != nil {
		return db.lost
	}
	for _, id := range db.files {
		cur, err := os.Stat(id.path)
		if err == nil && os.SameFile(id.fi, cur) {
			continue
		}
		if err == nil {
			err = errors.New("another file is at its path")
		}
		lost := &broker.JournalLost{Path: db.path, What: id.path, Err: err}
		if cp, cerr := db.saveCopy(ctx); cerr != nil {
			lost.Err = errors.Join(err, fmt.Errorf("saving a copy: %w", cerr))
		} else {
			lost.Copy = cp
		}
		db.log.Error("store: the journal file was removed or replaced while hoga was running", "path", id.path, "copy", lost.Copy, "err", lost.Err)
		db.lost = lost
		return lost
	}
	return nil
}

// saveCopy writes the journal as the open connection sees it (the main file
// and the WAL's committed pages) to a new file beside the database.
func (db *DB) saveCopy(ctx context.Context) (string, error) {
	dst := db.path + ".saved-" + db.clock.Now().Format("20060102-150405")
	if err := os.MkdirAll(filepath.Dir(db.path), 0o700); err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := db.w.ExecContext(ctx, "VACUUM INTO ?", dst); err != nil {
		return "", err
	}
	if err := os.Chmod(dst, 0o600); err != nil {
		db.log.Warn("store: cannot restrict permissions", "path", dst, "err", err)
	}
	return dst, nil
}
