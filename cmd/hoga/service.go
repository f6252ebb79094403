package main

// The parts of `hoga service` that do not need Windows live here, so they
// are built and tested everywhere: argument handling, where the settings
// and the data directory are, the log file the service writes, and the
// supervisor that turns the service manager's stop request into a
// cancelled context and waits for serve to finish. service_windows.go only
// adapts them to golang.org/x/sys/windows/svc.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/hoga-trade/hoga/clock"
)

// The Windows service's identity.
const (
	serviceName        = "hoga"
	serviceDisplayName = "hoga trading bot"
	serviceDescription = "hoga (호가): KRX trading bot with Telegram control. Settings in .env beside hoga.exe; logs in the data directory and here in the Application event log."
	// serviceAccount is a virtual account: no password, no rights beyond
	// what the install script grants it (read the program folder, write
	// the data directory), instead of LocalSystem's whole machine.
	serviceAccount = `NT SERVICE\` + serviceName
)

// Stop timing, shared by the Windows service, the systemd unit
// (TimeoutStopSec=60) and compose (stop_grace_period: 60s). An order in
// flight needs at most HOGA_BROKER_TIMEOUT (10s by default) plus its
// journal write; the rest is margin.
const (
	// stopLimit is how long the service waits for serve to return after a
	// stop request before it gives up and exits anyway (the journal still
	// holds any order in flight; the next start reconciles it).
	stopLimit = 50 * time.Second
	// stopProgress is how often a stopping service tells the service
	// manager it is still alive; the wait hint it sends is twice that.
	stopProgress = 5 * time.Second
	// preshutdownTimeout is what the service asks Windows for at system
	// shutdown, so a reboot for updates does not cut an order short.
	preshutdownTimeout = 60 * time.Second
)

const serviceUsage = `usage: hoga service install|uninstall|start|stop|status

  install     register hoga as a Windows service (run as Administrator from
              the folder hoga.exe will stay in: settings are read from .env
              beside it)
  uninstall   stop and remove the service (the data directory is kept)
  start       start the service and wait until it runs
  stop        stop it, letting an order in flight finish
  status      show its state, start type, account and recovery actions

The service manager itself starts "hoga service run"; it is not for typing.
On Linux use deploy/linux/hoga.service (systemd) instead.`

// parseServiceArgs checks `hoga service …`'s arguments.
func parseServiceArgs(args []string) (string, error) {
	if len(args) == 0 {
		return "", &usageError{msg: "hoga service needs a command\n" + serviceUsage}
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		return "help", nil
	case "install", "uninstall", "start", "stop", "status", "run":
	default:
		return "", &usageError{msg: fmt.Sprintf("unknown service command %q\n%s", args[0], serviceUsage)}
	}
	if len(args) > 1 {
		return "", &usageError{msg: fmt.Sprintf("hoga service %s takes no arguments (got %q)\n%s", args[0], strings.Join(args[1:], " "), serviceUsage)}
	}
	return args[0], nil
}

// exeDir is the directory of the running binary, symlinks resolved: a
// service starts in System32, so hoga moves there to find .env and a
// relative HOGA_DATA_DIR where the user put them.
func exeDir(exe string, evalSymlinks func(string) (string, error)) (string, error) {
	if exe == "" {
		return "", errors.New("cannot tell where the hoga binary is")
	}
	if real, err := evalSymlinks(exe); err == nil {
		exe = real
	}
	abs, err := filepath.Abs(exe)
	if err != nil {
		return "", err
	}
	return filepath.Dir(abs), nil
}

// resolveDataDir makes a relative HOGA_DATA_DIR relative to base (the
// binary's directory for the service), so it means the same whatever the
// process's working directory.
func resolveDataDir(dataDir, base string) string {
	if filepath.IsAbs(dataDir) || filepath.VolumeName(dataDir) != "" {
		return filepath.Clean(dataDir)
	}
	return filepath.Join(base, dataDir)
}

// serviceLogPath is the service's log file inside the data directory.
func serviceLogPath(dataDir string) string {
	return filepath.Join(dataDir, "logs", "hoga.log")
}

// eventKind is the severity of a service event-log entry.
type eventKind int

const (
	eventInfo eventKind = iota
	eventError
)

// serviceServe is what the service runs: serve, with the settings from
// .env in dir (the process has moved there) and the environment, logging
// JSON lines to a rotating file in the data directory. serve gets a stdin
// that ends only when ctx does, so a service with no chat configured idles
// instead of exiting at once, and its console output (banner, alerts)
// becomes log records.
func serviceServe(ctx context.Context, getenv func(string) string, dir string, notify func(eventKind, string)) error {
	cfg, err := loadSettings(getenv)
	if err != nil {
		return err
	}
	path := serviceLogPath(resolveDataDir(cfg.DataDir, dir))
	logs, err := openLogFile(path, defaultLogMaxSize, defaultLogKeep)
	if err != nil {
		return err
	}
	defer logs.Close()
	notify(eventInfo, fmt.Sprintf("%s started: settings from %s and the service environment, log file %s",
		versionString(), filepath.Join(dir, ".env"), path))
	console := &lineLogger{log: slog.New(slog.NewJSONHandler(logs, nil)).With("part", "console")}
	defer console.Flush()
	return serve(ctx, jsonLogs(getenv), ctxReader{ctx}, console, logs)
}

// jsonLogs makes serve log JSON lines whatever HOGA_LOG_FORMAT says: the
// service's log file is read by tools (Select-String, jq), not a terminal.
func jsonLogs(getenv func(string) string) func(string) string {
	return func(key string) string {
		if key == "HOGA_LOG_FORMAT" {
			return "json"
		}
		return getenv(key)
	}
}

// ctxReader is a stdin with nothing to read: Read blocks until ctx ends,
// then reports the end of input.
type ctxReader struct{ ctx context.Context }

func (r ctxReader) Read([]byte) (int, error) {
	<-r.ctx.Done()
	return 0, io.EOF
}

// lineLogger turns text written for a person into one log record per
// line, so the service's log stays JSON lines.
type lineLogger struct {
	mu  sync.Mutex
	log *slog.Logger
	buf []byte
}

func (w *lineLogger) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.emit(w.buf[:i])
		w.buf = w.buf[i+1:]
	}
	return len(p), nil
}

// Flush logs a last line that had no newline.
func (w *lineLogger) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.emit(w.buf)
	w.buf = nil
}

func (w *lineLogger) emit(line []byte) {
	if s := strings.TrimSpace(string(line)); s != "" {
		w.log.Info(s)
	}
}

// svcState is a service state as the supervisor reports it.
type svcState int

const (
	svcStartPending svcState = iota
	svcRunning
	svcStopPending
)

// svcStatus is one report to the service manager. CheckPoint must grow
// while a stop is pending, at least once per WaitHint, or Windows takes
// the service for hung.
type svcStatus struct {
	State      svcState
	CheckPoint uint32
	WaitHint   time.Duration
}

// svcRequest is a control request from the service manager.
type svcRequest int

const (
	reqInterrogate svcRequest = iota // report the current status again
	reqStop                          // stop, shutdown, preshutdown
)

// supervisor runs serve under a service manager: it reports start, turns
// a stop request into a cancelled context, keeps reporting progress while
// serve finishes the order in flight, and gives up after limit. Its result
// is the service's exit code: non-zero makes Windows apply the recovery
// actions.
type supervisor struct {
	clock    clock.Clock
	serve    func(context.Context) error
	requests <-chan svcRequest
	report   func(svcStatus)
	notify   func(eventKind, string)
	progress time.Duration // stopProgress
	limit    time.Duration // stopLimit
}

func (s *supervisor) run() uint32 {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s.report(svcStatus{State: svcStartPending, WaitHint: 2 * s.progress})
	done := make(chan error, 1)
	go func() { done <- s.serve(ctx) }()
	current := svcStatus{State: svcRunning}
	s.report(current)
	for {
		select {
		case err := <-done:
			// serve ended without being asked: a failure, or a clean end.
			return s.finished(err, false)
		case req := <-s.requests:
			if req == reqInterrogate {
				s.report(current)
				continue
			}
			s.notify(eventInfo, "hoga is stopping: finishing any order in flight")
			cancel()
			return s.stopping(done)
		}
	}
}

func (s *supervisor) stopping(done <-chan error) uint32 {
	tick := s.clock.NewTicker(s.progress)
	defer tick.Stop()
	giveUp := s.clock.After(s.limit)
	current := svcStatus{State: svcStopPending, CheckPoint: 1, WaitHint: 2 * s.progress}
	s.report(current)
	for {
		select {
		case err := <-done:
			return s.finished(err, true)
		case <-tick.C():
			current.CheckPoint++
			s.report(current)
		case <-s.requests:
			// Already stopping: a second stop changes nothing.
			s.report(current)
		case <-giveUp:
			s.notify(eventError, fmt.Sprintf("hoga did not stop within %s; exiting anyway. Any order in flight is in the journal and is reconciled at the next start.", s.limit))
			return 1
		}
	}
}

func (s *supervisor) finished(err error, asked bool) uint32 {
	code := exitCode(err, io.Discard)
	switch {
	case code != 0:
		s.notify(eventError, "hoga stopped with an error: "+err.Error())
	case asked:
		s.notify(eventInfo, "hoga stopped")
	default:
		s.notify(eventInfo, "hoga stopped: nothing left to run")
	}
	return uint32(code)
}
