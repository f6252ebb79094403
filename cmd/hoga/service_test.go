package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/clock"
)

func TestParseServiceArgs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
		err  string
	}{
		{args: []string{"install"}, want: "install"},
		{args: []string{"uninstall"}, want: "uninstall"},
		{args: []string{"start"}, want: "start"},
		{args: []string{"stop"}, want: "stop"},
		{args: []string{"status"}, want: "status"},
		{args: []string{"run"}, want: "run"},
		{args: []string{"--help"}, want: "help"},
		{args: nil, err: "hoga service needs a command"},
		{args: []string{"restart"}, err: `unknown service command "restart"`},
		{args: []string{"Install"}, err: `unknown service command "Install"`},
		{args: []string{"install", "--user", "x"}, err: `hoga service install takes no arguments (got "--user x")`},
	} {
		got, err := parseServiceArgs(tc.args)
		if tc.err != "" {
			var ue *usageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "usage: hoga service") {
				t.Errorf("parseServiceArgs(%q) = %q, %v; want a usage error with %q", tc.args, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("parseServiceArgs(%q) = %q, %v; want %q", tc.args, got, err, tc.want)
		}
	}
}

func TestExeDir(t *testing.T) {
	t.Parallel()
	tmp, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	real := filepath.Join(tmp, "opt", "hoga")
	if err := os.MkdirAll(real, 0o755); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(real, "hoga.exe")
	if err := os.WriteFile(exe, nil, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(tmp, "hoga-link")
	if err := os.Symlink(exe, link); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	wd, _ := os.Getwd()
	broken := func(string) (string, error) { return "", errors.New("no such file") }
	for _, tc := range []struct {
		name, exe string
		eval      func(string) (string, error)
		want      string
	}{
		{"plain", exe, filepath.EvalSymlinks, real},
		{"through_a_symlink", link, filepath.EvalSymlinks, real},
		{"unresolvable_keeps_the_path", filepath.Join(tmp, "gone", "hoga.exe"), broken, filepath.Join(tmp, "gone")},
		{"relative", "hoga.exe", broken, wd},
	} {
		got, err := exeDir(tc.exe, tc.eval)
		if err != nil || got != tc.want {
			t.Errorf("%s: exeDir(%q) = %q, %v; want %q", tc.name, tc.exe, got, err, tc.want)
		}
	}
	if _, err := exeDir("", filepath.EvalSymlinks); err == nil {
		t.Error("exeDir(\"\") succeeded")
	}
}

func TestResolveDataDir(t *testing.T) {
	t.Parallel()
	root := t.TempDir() // absolute on every OS (with a volume on Windows)
	base := filepath.Join(root, "srv", "hoga")
	abs := filepath.Join(root, "var", "lib", "hoga")
	for _, tc := range []struct{ dir, want string }{
		{"./data", filepath.Join(base, "data")},
		{"data", filepath.Join(base, "data")},
		{filepath.Join("..", "shared", "data"), filepath.Join(filepath.Dir(base), "shared", "data")},
		{abs, abs},
		{abs + string(filepath.Separator), abs},
	} {
		if got := resolveDataDir(tc.dir, base); got != tc.want {
			t.Errorf("resolveDataDir(%q, %q) = %q, want %q", tc.dir, base, got, tc.want)
		}
	}
	if got, want := serviceLogPath(abs), filepath.Join(abs, "logs", "hoga.log"); got != want {
		t.Errorf("serviceLogPath = %q, want %q", got, want)
	}
}

// svcHarness runs a supervisor with a fake clock and records what it tells
// the service manager and the event log.
type svcHarness struct {
	t        *testing.T
	clock    *clock.Fake
	requests chan svcRequest
	reports  chan svcStatus
	code     chan uint32

	mu     sync.Mutex
	events []string
}

func startSupervisor(t *testing.T, serve func(context.Context) error) *svcHarness {
	h := &svcHarness{
		t:        t,
		clock:    clock.NewFake(time.Date(2025, 11, 26, 15, 0, 0, 0, time.UTC)),
		requests: make(chan svcRequest),
		reports:  make(chan svcStatus, 64),
		code:     make(chan uint32, 1),
	}
	sup := &supervisor{
		clock:    h.clock,
		serve:    serve,
		requests: h.requests,
		report:   func(s svcStatus) { h.reports <- s },
		notify: func(k eventKind, msg string) {
			h.mu.Lock()
			defer h.mu.Unlock()
			level := "info"
			if k == eventError {
				level = "error"
			}
			h.events = append(h.events, level+": "+msg)
		},
		progress: stopProgress,
		limit:    stopLimit,
	}
	go func() { h.code <- sup.run() }()
	return h
}

// expect reads the next report and compares it.
func (h *svcHarness) expect(want svcStatus) {
	h.t.Helper()
	select {
	case got := <-h.reports:
		if got != want {
			h.t.Fatalf("report %+v, want %+v", got, want)
		}
	case <-h.t.Context().Done():
		h.t.Fatalf("no report; want %+v", want)
	}
}

func (h *svcHarness) exit() uint32 {
	h.t.Helper()
	select {
	case c := <-h.code:
		return c
	case <-h.t.Context().Done():
		h.t.Fatal("the supervisor did not return")
		return 0
	}
}

func (h *svcHarness) eventLog() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.events...)
}

var (
	startPending = svcStatus{State: svcStartPending, WaitHint: 2 * stopProgress}
	running      = svcStatus{State: svcRunning}
)

func stopPending(cp uint32) svcStatus {
	return svcStatus{State: svcStopPending, CheckPoint: cp, WaitHint: 2 * stopProgress}
}

func TestSupervisorStopWaitsForTheOrderInFlight(t *testing.T) {
	t.Parallel()
	orderDone := make(chan struct{})
	var cancelled sync.WaitGroup
	cancelled.Add(1)
	h := startSupervisor(t, func(ctx context.Context) error {
		<-ctx.Done()
		cancelled.Done()
		<-orderDone // the order in flight finishes after the stop request
		return nil
	})
	h.expect(startPending)
	h.expect(running)
	h.requests <- reqInterrogate
	h.expect(running)
	h.requests <- reqStop
	h.expect(stopPending(1))
	cancelled.Wait()
	if !h.clock.BlockUntil(2, t.Context().Done()) { // the progress ticker and the limit
		t.Fatal("the supervisor is not waiting")
	}
	h.clock.Advance(stopProgress)
	h.expect(stopPending(2))
	h.requests <- reqStop // a second stop while stopping changes nothing
	h.expect(stopPending(2))
	h.clock.Advance(stopProgress)
	h.expect(stopPending(3))
	close(orderDone)
	if code := h.exit(); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
	want := []string{"info: hoga is stopping: finishing any order in flight", "info: hoga stopped"}
	if got := h.eventLog(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("events %q, want %q", got, want)
	}
}

func TestSupervisorGivesUpAfterTheLimit(t *testing.T) {
	t.Parallel()
	hung := make(chan struct{})
	t.Cleanup(func() { close(hung) })
	h := startSupervisor(t, func(ctx context.Context) error {
		<-hung
		return nil
	})
	h.expect(startPending)
	h.expect(running)
	h.requests <- reqStop
	h.expect(stopPending(1))
	if !h.clock.BlockUntil(2, t.Context().Done()) {
		t.Fatal("the supervisor is not waiting")
	}
	h.clock.Advance(stopLimit)
	if code := h.exit(); code != 1 {
		t.Errorf("exit code %d, want 1 (so Windows applies the recovery actions)", code)
	}
	ev := h.eventLog()
	if len(ev) != 2 || ev[1] != "error: hoga did not stop within 50s; exiting anyway. Any order in flight is in the journal and is reconciled at the next start." {
		t.Errorf("events %q", ev)
	}
}

func TestSupervisorServeFails(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		err   error
		code  uint32
		event string
	}{
		{"bad_settings", &configError{lang: bot.English, lines: []string{`HOGA_BROKER="x": must be paper, kis or kiwoom`}}, 2,
			"error: hoga stopped with an error: invalid configuration, hoga did not start (hoga config lists every setting):\n  HOGA_BROKER=\"x\": must be paper, kis or kiwoom"},
		{"broker_lost", errors.New("telegram: getUpdates: 401 Unauthorized"), 1,
			"error: hoga stopped with an error: telegram: getUpdates: 401 Unauthorized"},
		{"nothing_left", nil, 0, "info: hoga stopped: nothing left to run"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := startSupervisor(t, func(context.Context) error { return tc.err })
			h.expect(startPending)
			h.expect(running)
			if code := h.exit(); code != tc.code {
				t.Errorf("exit code %d, want %d", code, tc.code)
			}
			if ev := h.eventLog(); len(ev) != 1 || ev[0] != tc.event {
				t.Errorf("events %q, want [%q]", ev, tc.event)
			}
		})
	}
}

// TestServiceServe runs what the Windows service runs, in a folder laid
// out like C:\hoga: .env beside the binary, a relative data directory.
func TestServiceServe(t *testing.T) {
	dir := t.TempDir()
	env := "HOGA_DATA_DIR=data\nHOGA_PAPER_SEED=3\nHOGA_LOG_FORMAT=text\n"
	if err := os.WriteFile(filepath.Join(dir, ".env"), []byte(env), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir) // runAsService moves beside the binary the same way
	ctx, cancel := context.WithCancel(t.Context())
	cancel() // a stop request before anything ran: serve starts what it can, then stops cleanly
	var notes []string
	err := serviceServe(ctx, func(string) string { return "" }, dir, func(k eventKind, msg string) {
		notes = append(notes, msg)
	})
	if err != nil {
		t.Fatalf("serviceServe: %v", err)
	}
	logPath := filepath.Join(dir, "data", "logs", "hoga.log")
	if len(notes) != 1 || !strings.Contains(notes[0], "log file "+logPath) || !strings.Contains(notes[0], filepath.Join(dir, ".env")) {
		t.Errorf("event log notes %q, want the log file and the .env path", notes)
	}
	f, err := os.Open(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("log line %d is not JSON: %q", n, sc.Text())
		}
	}
	if n == 0 {
		t.Errorf("the service log is empty")
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "paper.json")); err != nil {
		t.Errorf("the relative data directory was not used: %v", err)
	}
}

func TestServiceServeBadSettings(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".env"), []byte("HOGA_BROKER=ebest\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	err := serviceServe(t.Context(), func(string) string { return "" }, dir, func(eventKind, string) {
		t.Error("a service that cannot start announced itself as started")
	})
	var ce *configError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want the configuration error (exit 2)", err)
	}
}

func TestLineLogger(t *testing.T) {
	t.Parallel()
	var buf strings.Builder
	var mu sync.Mutex
	w := &lineLogger{log: slog.New(slog.NewJSONHandler(lockedWriter{&mu, &buf}, nil))}
	for _, s := range []string{"hoga — paper\n가상 ", "거래소\n\n   \n", "/help"} {
		if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	w.Flush()
	var msgs []string
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var rec struct{ Msg string }
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not JSON: %q", line)
		}
		msgs = append(msgs, rec.Msg)
	}
	want := []string{"hoga — paper", "가상 거래소", "/help"}
	if strings.Join(msgs, "|") != strings.Join(want, "|") {
		t.Errorf("records %q, want %q", msgs, want)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *strings.Builder
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func TestCtxReaderEndsWithTheContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := ctxReader{ctx}.Read(make([]byte, 8))
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("Read returned before the context ended: %v", err)
	default:
	}
	cancel()
	if err := <-done; err == nil || err.Error() != "EOF" {
		t.Errorf("Read after cancel = %v, want EOF", err)
	}
}
