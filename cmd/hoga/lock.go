package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// errLocked says another hoga holds the data directory.
var errLocked = errors.New("locked")

// lockDataDir takes an exclusive lock on HOGA_DATA_DIR for the life of the
// process. Two hogas on one journal would run the same rules twice and
// reconcile each other's orders: a second start is refused instead. The
// operating system drops the lock when the process dies, so a crash never
// leaves a stale lock behind.
func lockDataDir(dir string) (release func() error, err error) {
	path := filepath.Join(dir, "hoga.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("data directory lock: %w", err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		if errors.Is(err, errLocked) {
			return nil, &lockedError{dir: dir, path: path}
		}
		return nil, fmt.Errorf("data directory lock %s: %w", path, err)
	}
	_ = f.Truncate(0)
	_, _ = fmt.Fprintf(f, "%d\n", os.Getpid()) // for a person looking at who holds it
	return f.Close, nil                        // closing the file releases the lock
}

// lockedError is a data directory another hoga holds; it unwraps to
// errLocked, so `hoga setup` can say it in the user's language.
type lockedError struct{ dir, path string }

func (e *lockedError) Error() string {
	return fmt.Sprintf("another hoga is already running with HOGA_DATA_DIR=%s (lock %s): stop it first, or give this one its own data directory", e.dir, e.path)
}

func (e *lockedError) Unwrap() error { return errLocked }
