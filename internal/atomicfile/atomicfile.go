// Package atomicfile replaces a file so that a crash leaves the old file
// or the new one, never half of one, and the new one is on disk when the
// call returns: a temporary file in the same directory, written, synced
// and renamed over the target, then the directory synced. hoga keeps
// secrets and state this way (the .env setup writes, broker tokens, the
// paper account), so the temporary file is never readable by others
// either: it is created with the final mode before any byte is written.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFile replaces path with data, leaving it with mode perm (0600 for
// anything secret). The directory must exist. On error the target is
// untouched and the temporary file removed.
func WriteFile(path string, data []byte, perm fs.FileMode) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp") // created 0600
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	// CreateTemp uses 0600 already; Chmod makes perm exact whatever the
	// umask. Some filesystems (and Windows) cannot: that is not a failure.
	if err = f.Chmod(perm); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return fmt.Errorf("mode of %s: %w", tmp, err)
	}
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", tmp, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", tmp, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("closing %s: %w", tmp, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("replacing %s: %w", path, err)
	}
	syncDir(dir)
	return nil
}

// syncDir makes the rename durable on Unix. Windows cannot open a
// directory for sync and does not need it (NTFS journals the rename), so
// a failure is ignored.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
