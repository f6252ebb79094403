package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// Log file limits for the Windows service: 10 MiB a file and five old
// files keep roughly the last weeks of a busy bot in 60 MiB at most.
const (
	defaultLogMaxSize = 10 << 20
	defaultLogKeep    = 5
)

// logFile is an append-only log file rotated by size: when a write would
// take it past maxSize, hoga.log becomes hoga.log.1, hoga.log.1 becomes
// hoga.log.2, and so on; the oldest beyond keep is removed. It is used where
// nothing else keeps the logs: a Windows service has no journald.
//
// It is written here rather than taken from a library (lumberjack and the
// like) because what hoga needs is a hundred lines, and every dependency of
// a program that holds broker keys is code to audit and to keep updated; the
// libraries also bring features hoga does not want (compression in a
// goroutine, time-based cleanup).
//
// Write errors are returned to the caller (slog drops them); a rotation
// that fails (on Windows another program may hold the file open without
// sharing delete) keeps writing to the current file, notes the failure in
// it, and tries again after another quarter of maxSize.
type logFile struct {
	mu      sync.Mutex
	path    string
	maxSize int64
	keep    int
	now     func() time.Time

	f         *os.File
	size      int64
	nextCheck int64 // size at which to try rotating; maxSize unless a rotation failed
}

// openLogFile opens (creating the directory 0700 and the file 0600) path
// for appending.
func openLogFile(path string, maxSize int64, keep int) (*logFile, error) {
	if maxSize <= 0 {
		maxSize = defaultLogMaxSize
	}
	if keep < 1 {
		keep = 1
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("log file: %w", err)
	}
	l := &logFile{path: path, maxSize: maxSize, keep: keep, now: time.Now}
	if err := l.open(); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *logFile) open() error {
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("log file: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("log file: %w", err)
	}
	l.f, l.size, l.nextCheck = f, st.Size(), l.maxSize
	return nil
}

// Write appends p, rotating first if p would take the file past the limit.
// A single write larger than the limit still goes out whole, into a fresh
// file: a log line is never split.
func (l *logFile) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return 0, os.ErrClosed
	}
	if l.size > 0 && l.size+int64(len(p)) > l.nextCheck {
		if err := l.rotate(); err != nil {
			l.note(err)
			l.nextCheck = l.size + l.maxSize/4
		}
	}
	n, err := l.f.Write(p)
	l.size += int64(n)
	return n, err
}

// rotate shifts the old files up by one and starts a new file. On failure
// the current file stays open (or is reopened) so no line is lost.
func (l *logFile) rotate() error {
	if err := l.f.Close(); err != nil {
		return l.reopenAfter(fmt.Errorf("close: %w", err))
	}
	l.f = nil
	if err := os.Remove(l.name(l.keep)); err != nil && !os.IsNotExist(err) {
		return l.reopenAfter(err)
	}
	for i := l.keep - 1; i >= 1; i-- {
		if err := os.Rename(l.name(i), l.name(i+1)); err != nil && !os.IsNotExist(err) {
			return l.reopenAfter(err)
		}
	}
	if err := os.Rename(l.path, l.name(1)); err != nil {
		return l.reopenAfter(err)
	}
	return l.open()
}

func (l *logFile) reopenAfter(cause error) error {
	if l.f == nil {
		if err := l.open(); err != nil {
			return fmt.Errorf("%w (and reopening: %v)", cause, err)
		}
	}
	return cause
}

// name is the path of the i-th old file: hoga.log.1 is the newest.
func (l *logFile) name(i int) string { return l.path + "." + strconv.Itoa(i) }

// note writes a failed rotation into the log itself, in the same JSON
// shape as slog's records, since there is nowhere else to tell.
func (l *logFile) note(err error) {
	if l.f == nil {
		return
	}
	line, _ := json.Marshal(map[string]string{
		"time":  l.now().Format(time.RFC3339Nano),
		"level": slog.LevelWarn.String(),
		"msg":   "log rotation failed; still writing to the current file",
		"err":   err.Error(),
	})
	n, _ := l.f.Write(append(line, '\n'))
	l.size += int64(n)
}

// Close closes the file; later writes fail with os.ErrClosed.
func (l *logFile) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}
