package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A hoga.db SQLite cannot read ended start-up with SQLite's own words
// ("hoga: journal: store: open …/hoga.db: file is not a database (26)").
// Now it is one line in the owner's language: the file, that nothing was
// sent, and what to do (restore a backup, or move it aside).
func TestDamagedJournalSaysWhatToDo(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		lang string
		want []string
	}{
		{"ko", []string{"손상되어", "백업", "mv ", ".damaged", "증권사 앱"}},
		{"en", []string{"is damaged", "backup", "mv ", ".damaged", "broker's app"}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if _, _, status := hogaRun(t, map[string]string{"HOGA_DATA_DIR": dir, "HOGA_PAPER_SEED": "7"}, "check"); status != 0 {
				t.Fatalf("check on a fresh directory: exit %d", status)
			}
			path := filepath.Join(dir, "hoga.db")
			if err := os.WriteFile(path, []byte(strings.Repeat("not a database\n", 500)), 0o600); err != nil {
				t.Fatal(err)
			}
			_, stderr, status := hogaRun(t, map[string]string{"HOGA_DATA_DIR": dir, "HOGA_PAPER_SEED": "7",
				"HOGA_LANG": tc.lang, "HOGA_LOG_LEVEL": "warn"})
			if status != 1 {
				t.Fatalf("exit %d; want 1\n%s", status, stderr)
			}
			line := strings.TrimSpace(stderr)
			if strings.Count(line, "\n") != 0 || !strings.Contains(line, path) || strings.Contains(line, "not a database") {
				t.Fatalf("want one line naming %s without SQLite's words; got:\n%s", path, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(line, w) {
					t.Errorf("%q missing from: %s", w, line)
				}
			}
		})
	}
}
