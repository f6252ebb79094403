package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hoga-trade/hoga/bot"
)

// errLocked says another hoga holds the data directory.
var errLocked = errors.New("locked")

// lockDataDir takes an exclusive lock on HOGA_DATA_DIR for the life of the
// process. Two hogas on one journal would run the same rules twice and
// reconcile each other's orders: a second start is refused instead. The
// operating system drops the lock when the process dies, so a crash never
// leaves a stale lock behind. Its errors are said in lang: a person reads
// them at start-up.
func lockDataDir(dir string, lang bot.Lang) (release func() error, err error) {
	path := filepath.Join(dir, "hoga.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, &lockError{msg: cfgt(lang, "lock.open", dir, path, osReason(lang, err)), err: err}
	}
	if err := lockFile(f); err != nil {
		f.Close()
		if errors.Is(err, errLocked) {
			return nil, &lockError{msg: cfgt(lang, "lock.held", dir, path), err: errLocked}
		}
		return nil, &lockError{msg: cfgt(lang, "lock.flock", path, osReason(lang, err)), err: err}
	}
	_ = f.Truncate(0)
	_, _ = fmt.Fprintf(f, "%d\n", os.Getpid()) // for a person looking at who holds it
	return f.Close, nil                        // closing the file releases the lock
}

// lockError is a data directory hoga could not lock, said in the owner's
// language; it unwraps to errLocked when another hoga holds it, so `hoga
// setup` can say that its own way, and to the system's error otherwise.
type lockError struct {
	msg string
	err error
}

func (e *lockError) Error() string { return e.msg }

func (e *lockError) Unwrap() error { return e.err }
