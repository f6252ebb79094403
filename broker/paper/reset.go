package paper

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// StoredAccount is what a saved paper account started with, for start-up
// to say when HOGA_PAPER_CASH no longer applies (issue 12, item 14).
type StoredAccount struct {
	// InitialCash is the deposit the saved account was opened with; Cash
	// what it holds now.
	InitialCash, Cash int64
}

// Stored reads the state file in dataDir without opening the exchange:
// ok is false when there is none (the next start opens a new account with
// Options.Cash).
func Stored(dataDir string) (acct StoredAccount, ok bool, err error) {
	st, err := readState(filepath.Join(dataDir, StateFile))
	if err != nil || st == nil {
		return StoredAccount{}, false, err
	}
	return StoredAccount{InitialCash: st.InitialCash, Cash: st.Cash}, true, nil
}

// Reset deletes the saved account in dataDir, so the next start opens a
// new one with Options.Cash. It reports whether there was one. The caller
// makes sure no exchange has the directory open (hoga holds its data
// directory lock): an open exchange would write the file again on close.
func Reset(dataDir string) (existed bool, err error) {
	// The day's chart of the old account goes with it.
	if err := os.Remove(filepath.Join(dataDir, CandlesFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return false, fmt.Errorf("paper: removing %s: %w", CandlesFile, err)
	}
	path := filepath.Join(dataDir, StateFile)
	err = os.Remove(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("paper: removing %s: %w", path, err)
	}
	return true, nil
}
