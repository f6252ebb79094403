package store

import (
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// DamagedError says the journal file is not a database SQLite can read:
// overwritten, truncated, or its header damaged. hoga cannot trust it, so
// it must not start on it; the owner is told where the file is and what to
// do (restore a backup, or move it aside and start with an empty journal),
// in their language, instead of SQLite's "file is not a database (26)".
type DamagedError struct {
	Path string // the journal file
	Err  error  // SQLite's error
}

func (e *DamagedError) Error() string {
	return fmt.Sprintf("store: %s is damaged (not a database SQLite can read): %v", e.Path, e.Err)
}

func (e *DamagedError) Unwrap() error { return e.Err }

// damaged turns err into a *DamagedError for path when SQLite says the
// file is not a database (SQLITE_NOTADB) or is malformed (SQLITE_CORRUPT),
// extended codes included; any other error is returned as it is.
func damaged(path string, err error) error {
	var se *sqlite.Error
	if err == nil || !errors.As(err, &se) {
		return err
	}
	var de *DamagedError
	if errors.As(err, &de) {
		return err
	}
	switch se.Code() & 0xff { // the primary result code
	case sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT:
		return &DamagedError{Path: path, Err: err}
	}
	return err
}
