package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
)

// readLogs returns the lines of path.keep … path.1, path: oldest first.
func readLogs(t *testing.T, path string, keep int) []string {
	t.Helper()
	var lines []string
	for i := keep; i >= 0; i-- {
		name := path
		if i > 0 {
			name = fmt.Sprintf("%s.%d", path, i)
		}
		b, err := os.ReadFile(name)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")...)
	}
	return lines
}

func TestLogFileRotatesBySizeAndKeepsN(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "logs", "hoga.log")
	l, err := openLogFile(path, 100, 2)
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for i := range 20 {
		line := fmt.Sprintf(`{"n":%02d,"pad":"%s"}`, i, strings.Repeat("x", 10)) // 29 bytes with \n
		all = append(all, line)
		if _, err := l.Write([]byte(line + "\n")); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{path, path + ".1", path + ".2"} {
		st, err := os.Stat(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if st.Size() > 100 {
			t.Errorf("%s is %d bytes, over the 100-byte limit", name, st.Size())
		}
	}
	if _, err := os.Stat(path + ".3"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s.3 exists: only 2 old files are kept", path)
	}
	got := readLogs(t, path, 3)
	// 28-byte lines, three to a 100-byte file: 20 lines leave 2 in the
	// current file and 3 in each of the two kept ones, in order, none split.
	if want := all[len(all)-8:]; !slices.Equal(got, want) {
		t.Errorf("kept lines\n%q\nwant\n%q", got, want)
	}
	if runtime.GOOS == "windows" {
		return // the folder's ACL protects the log there, not mode bits
	}
	if st, _ := os.Stat(filepath.Dir(path)); st.Mode().Perm() != 0o700 {
		t.Errorf("log directory mode %v, want 0700", st.Mode().Perm())
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("log file mode %v, want 0600", st.Mode().Perm())
	}
}

func TestLogFileAppendsAndCountsWhatIsThere(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "hoga.log")
	if err := os.WriteFile(path, bytes.Repeat([]byte("a"), 89), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := openLogFile(path, 100, 3)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Write([]byte("0123456789\n")); err != nil { // 89+11 = 100: still fits
		t.Fatal(err)
	}
	if _, err := os.Stat(path + ".1"); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("rotated before the limit was passed")
	}
	if _, err := l.Write([]byte("b\n")); err != nil { // 102: rotate first
		t.Fatal(err)
	}
	l.Close()
	old, _ := os.ReadFile(path + ".1")
	cur, _ := os.ReadFile(path)
	if len(old) != 100 || string(cur) != "b\n" {
		t.Errorf("old %d bytes, current %q", len(old), cur)
	}
}

func TestLogFileOversizeLineIsNotSplit(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "hoga.log")
	l, err := openLogFile(path, 50, 2)
	if err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("z", 120) + "\n"
	for _, s := range []string{"small\n", big, "after\n"} {
		if _, err := l.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	got := readLogs(t, path, 2)
	want := []string{"small", strings.TrimSuffix(big, "\n"), "after"}
	if !slices.Equal(got, want) {
		t.Errorf("lines %q, want %q", got, want)
	}
	if b, _ := os.ReadFile(path + ".1"); string(b) != big {
		t.Errorf("the big line is not alone in its file: %q", b)
	}
}

func TestLogFileWriteAfterClose(t *testing.T) {
	t.Parallel()
	l, err := openLogFile(filepath.Join(t.TempDir(), "hoga.log"), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if l.maxSize != defaultLogMaxSize || l.keep != 1 {
		t.Errorf("defaults: max %d keep %d", l.maxSize, l.keep)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := l.Write([]byte("x\n")); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Write after Close = %v, want os.ErrClosed", err)
	}
}

// TestLogFileRotationFailureLosesNothing blocks the rotation (as another
// program holding hoga.log.1 open would on Windows) and checks that every
// line still lands, the failure is noted once, and rotation is retried
// only after more growth.
func TestLogFileRotationFailureLosesNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "hoga.log")
	// hoga.log.1 is a non-empty directory: it cannot be removed or replaced.
	if err := os.MkdirAll(filepath.Join(path+".1", "held"), 0o700); err != nil {
		t.Fatal(err)
	}
	l, err := openLogFile(path, 1000, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var want []string
	write := func(n int) {
		for range n {
			line := fmt.Sprintf("line %02d %s", len(want), strings.Repeat(".", 91)) // 100 bytes with \n
			want = append(want, line)
			if _, err := l.Write([]byte(line + "\n")); err != nil {
				t.Fatalf("write %d: %v", len(want), err)
			}
		}
	}
	check := func(wantNotes int) {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var lines, notes []string
		for _, s := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
			if strings.Contains(s, "log rotation failed") {
				notes = append(notes, s)
				continue
			}
			lines = append(lines, s)
		}
		if !slices.Equal(lines, want) {
			t.Errorf("lines %q, want %q", lines, want)
		}
		if len(notes) != wantNotes || !strings.Contains(notes[0], `"level":"WARN"`) || !strings.Contains(notes[0], "directory not empty") {
			t.Errorf("notes %q, want %d WARN records naming the cause", notes, wantNotes)
		}
	}
	// The 11th line passes the limit: the rotation fails and is noted.
	// The next attempt waits for another quarter of the limit (250 bytes)
	// after the note, so the 12th line goes in without one and the 13th
	// tries again.
	write(12)
	check(1)
	write(1)
	check(2)
}

func TestLogFileConcurrentWriters(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "hoga.log")
	l, err := openLogFile(path, 4096, 100)
	if err != nil {
		t.Fatal(err)
	}
	const writers, each = 8, 200
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if _, err := fmt.Fprintf(l, "writer %d line %03d\n", w, i); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	l.Close()
	lines := readLogs(t, path, 100)
	if len(lines) != writers*each {
		t.Fatalf("%d lines, want %d", len(lines), writers*each)
	}
	next := map[string]int{}
	for _, s := range lines {
		var w, i int
		if _, err := fmt.Sscanf(s, "writer %d line %d", &w, &i); err != nil {
			t.Fatalf("torn line %q", s)
		}
		key := fmt.Sprint(w)
		if i != next[key] {
			t.Fatalf("writer %d: line %d after %d", w, i, next[key]-1)
		}
		next[key]++
	}
}
