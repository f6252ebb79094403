//go:build unix

package strategy

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestLoadRulesFileRefusesOddFiles: a device or a FIFO as HOGA_RULES_FILE
// hung start-up (issue 20, item 2); each is refused at once with one line.
// A FIFO nobody writes would block this test forever before the fix.
func TestLoadRulesFileRefusesOddFiles(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "rules.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/dev/null", "/dev/zero", "/dev/urandom", fifo, t.TempDir()} {
		if _, err := os.Stat(path); err != nil {
			continue
		}
		_, err := LoadRulesFile(path)
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("%s: %v", path, err)
		}
	}
}
