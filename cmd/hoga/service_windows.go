//go:build windows

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/eventlog"
	"golang.org/x/sys/windows/svc/mgr"

	"github.com/hoga-trade/hoga/clock"
)

// Recovery actions: restart after 10 s, 30 s, then 60 s; the failure count
// resets after a day without failures.
var serviceRecovery = []mgr.RecoveryAction{
	{Type: mgr.ServiceRestart, Delay: 10 * time.Second},
	{Type: mgr.ServiceRestart, Delay: 30 * time.Second},
	{Type: mgr.ServiceRestart, Delay: 60 * time.Second},
}

const serviceRecoveryReset = 24 * time.Hour

// Event IDs in the Application log (source "hoga").
const (
	eventIDInfo  = 1
	eventIDError = 2
)

// runService is `hoga service …`.
func runService(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd, err := parseServiceArgs(args)
	if err != nil {
		return err
	}
	switch cmd {
	case "help":
		fmt.Fprintln(stdout, serviceUsage)
		return nil
	case "run":
		return runAsService(getenv)
	}
	m, err := mgr.Connect()
	if err != nil {
		return adminHint("connect to the service manager", err)
	}
	defer m.Disconnect()
	switch cmd {
	case "install":
		return installService(m, stdout)
	case "uninstall":
		return uninstallService(ctx, m, stdout)
	case "start":
		return startService(ctx, m, stdout)
	case "stop":
		return stopService(ctx, m, stdout)
	default:
		return serviceStatus(m, stdout)
	}
}

// adminHint names the usual cause of an access-denied error.
func adminHint(what string, err error) error {
	if errors.Is(err, windows.ERROR_ACCESS_DENIED) {
		return fmt.Errorf("%s: %w: run PowerShell as Administrator (right-click → Run as administrator)", what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

func openService(m *mgr.Mgr) (*mgr.Service, error) {
	s, err := m.OpenService(serviceName)
	if errors.Is(err, windows.ERROR_SERVICE_DOES_NOT_EXIST) {
		return nil, fmt.Errorf("service %q is not installed: run `hoga service install` as Administrator", serviceName)
	}
	if err != nil {
		return nil, adminHint("open service "+serviceName, err)
	}
	return s, nil
}

func executable() (exe, dir string, err error) {
	exe, err = os.Executable()
	if err != nil {
		return "", "", err
	}
	dir, err = exeDir(exe, filepath.EvalSymlinks)
	if err != nil {
		return "", "", err
	}
	return filepath.Join(dir, filepath.Base(exe)), dir, nil
}

func installService(m *mgr.Mgr, stdout io.Writer) error {
	exe, dir, err := executable()
	if err != nil {
		return err
	}
	if s, err := m.OpenService(serviceName); err == nil {
		s.Close()
		return fmt.Errorf("service %q is already installed: to update the binary use `hoga service stop`, replace hoga.exe, `hoga service start`; to reinstall, `hoga service uninstall` first", serviceName)
	}
	s, err := m.CreateService(serviceName, exe, mgr.Config{
		DisplayName:      serviceDisplayName,
		Description:      serviceDescription,
		StartType:        mgr.StartAutomatic,
		DelayedAutoStart: true,
		ErrorControl:     mgr.ErrorNormal,
		ServiceStartName: serviceAccount,
		SidType:          windows.SERVICE_SID_TYPE_UNRESTRICTED,
	}, "service", "run")
	if err != nil {
		return adminHint("create service", err)
	}
	defer s.Close()
	undo := func(cause error) error {
		_ = s.Delete()
		return cause
	}
	if err := s.SetRecoveryActions(serviceRecovery, uint32(serviceRecoveryReset/time.Second)); err != nil {
		return undo(fmt.Errorf("set recovery actions: %w", err))
	}
	// Recovery also when hoga exits with an error code, not only on a crash.
	if err := s.SetRecoveryActionsOnNonCrashFailures(true); err != nil {
		return undo(fmt.Errorf("set recovery on error exits: %w", err))
	}
	info := struct{ PreshutdownTimeout uint32 }{uint32(preshutdownTimeout / time.Millisecond)}
	if err := windows.ChangeServiceConfig2(s.Handle, windows.SERVICE_CONFIG_PRESHUTDOWN_INFO, (*byte)(unsafe.Pointer(&info))); err != nil {
		return undo(fmt.Errorf("set preshutdown timeout: %w", err))
	}
	// A stale source from an earlier install would make this fail.
	_ = eventlog.Remove(serviceName)
	if err := eventlog.InstallAsEventCreate(serviceName, eventlog.Error|eventlog.Warning|eventlog.Info); err != nil {
		return undo(fmt.Errorf("register event log source: %w", err))
	}
	fmt.Fprintf(stdout, `installed service %q (%s)
  command:   "%s" service run
  start:     automatic (delayed), as %s
  recovery:  restart after 10s, 30s, 60s; failure count reset after 24h
  settings:  %s (and the service's environment)
  logs:      the data directory's logs\hoga.log; Event Viewer → Windows Logs → Application, source %s
The account needs read access to %s and write access to the data directory:
deploy\windows\install.ps1 sets both. Then: hoga service start
`, serviceName, serviceDisplayName, exe, serviceAccount, filepath.Join(dir, ".env"), serviceName, dir)
	return nil
}

func uninstallService(ctx context.Context, m *mgr.Mgr, stdout io.Writer) error {
	s, err := openService(m)
	if err != nil {
		return err
	}
	defer s.Close()
	if st, err := s.Query(); err == nil && st.State != svc.Stopped {
		if err := stopAndWait(ctx, s, stdout); err != nil {
			return err
		}
	}
	if err := s.Delete(); err != nil {
		return adminHint("delete service", err)
	}
	if err := eventlog.Remove(serviceName); err != nil {
		fmt.Fprintf(stdout, "event log source %q: %v (harmless)\n", serviceName, err)
	}
	fmt.Fprintf(stdout, "removed service %q; the data directory (journal, logs) and .env are kept\n", serviceName)
	return nil
}

func startService(ctx context.Context, m *mgr.Mgr, stdout io.Writer) error {
	s, err := openService(m)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Start(); err != nil {
		if errors.Is(err, windows.ERROR_SERVICE_ALREADY_RUNNING) {
			fmt.Fprintf(stdout, "%s is already running\n", serviceName)
			return nil
		}
		return adminHint("start service", err)
	}
	st, err := waitState(ctx, s, 30*time.Second, svc.Running, svc.Stopped)
	if err != nil {
		return err
	}
	if st.State != svc.Running {
		return fmt.Errorf("%s stopped right after starting (exit code %d): see Event Viewer → Windows Logs → Application, source %s, and the log file in the data directory",
			serviceName, exitOf(st), serviceName)
	}
	fmt.Fprintf(stdout, "%s is running (pid %d)\n", serviceName, st.ProcessId)
	return nil
}

func stopService(ctx context.Context, m *mgr.Mgr, stdout io.Writer) error {
	s, err := openService(m)
	if err != nil {
		return err
	}
	defer s.Close()
	return stopAndWait(ctx, s, stdout)
}

func stopAndWait(ctx context.Context, s *mgr.Service, stdout io.Writer) error {
	if _, err := s.Control(svc.Stop); err != nil {
		if errors.Is(err, windows.ERROR_SERVICE_NOT_ACTIVE) {
			fmt.Fprintf(stdout, "%s is not running\n", serviceName)
			return nil
		}
		return adminHint("stop service", err)
	}
	fmt.Fprintf(stdout, "stopping %s (an order in flight is finished first)…\n", serviceName)
	st, err := waitState(ctx, s, stopLimit+20*time.Second, svc.Stopped)
	if err != nil {
		return err
	}
	if code := exitOf(st); code != 0 {
		fmt.Fprintf(stdout, "%s stopped (exit code %d: see the event log)\n", serviceName, code)
		return nil
	}
	fmt.Fprintf(stdout, "%s stopped\n", serviceName)
	return nil
}

// waitState polls the service until it reaches one of want.
func waitState(ctx context.Context, s *mgr.Service, limit time.Duration, want ...svc.State) (svc.Status, error) {
	clk := clock.Real{}
	tick := clk.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	giveUp := clk.After(limit)
	for {
		st, err := s.Query()
		if err != nil {
			return st, adminHint("query service", err)
		}
		for _, w := range want {
			if st.State == w {
				return st, nil
			}
		}
		select {
		case <-ctx.Done():
			return st, ctx.Err()
		case <-giveUp:
			return st, fmt.Errorf("%s is still %s after %s: see `hoga service status` and the event log", serviceName, stateName(st.State), limit)
		case <-tick.C():
		}
	}
}

func exitOf(st svc.Status) uint32 {
	if st.Win32ExitCode == uint32(windows.ERROR_SERVICE_SPECIFIC_ERROR) {
		return st.ServiceSpecificExitCode
	}
	return st.Win32ExitCode
}

func stateName(s svc.State) string {
	switch s {
	case svc.Stopped:
		return "stopped"
	case svc.StartPending:
		return "starting"
	case svc.StopPending:
		return "stopping"
	case svc.Running:
		return "running"
	case svc.Paused:
		return "paused"
	}
	return fmt.Sprintf("in state %d", s)
}

func serviceStatus(m *mgr.Mgr, stdout io.Writer) error {
	s, err := openService(m)
	if err != nil {
		return err
	}
	defer s.Close()
	st, err := s.Query()
	if err != nil {
		return adminHint("query service", err)
	}
	cfg, err := s.Config()
	if err != nil {
		return adminHint("read service configuration", err)
	}
	state := stateName(st.State)
	if st.State == svc.Running {
		state += fmt.Sprintf(" (pid %d)", st.ProcessId)
	} else if code := exitOf(st); st.State == svc.Stopped && code != 0 {
		state += fmt.Sprintf(" (last exit code %d)", code)
	}
	start := "manual"
	switch cfg.StartType {
	case mgr.StartAutomatic:
		start = "automatic"
		if cfg.DelayedAutoStart {
			start += " (delayed)"
		}
	case mgr.StartDisabled:
		start = "disabled"
	}
	recovery := "none"
	if acts, err := s.RecoveryActions(); err == nil && len(acts) > 0 {
		var parts []string
		for _, a := range acts {
			if a.Type == mgr.ServiceRestart {
				parts = append(parts, "restart after "+a.Delay.String())
			}
		}
		recovery = strings.Join(parts, ", ")
		if reset, err := s.ResetPeriod(); err == nil {
			recovery += fmt.Sprintf("; reset after %s", time.Duration(reset)*time.Second)
		}
	}
	fmt.Fprintf(stdout, "%s: %s\n  start:    %s, as %s\n  command:  %s\n  recovery: %s\n  logs:     data directory\\logs\\hoga.log; Event Viewer → Windows Logs → Application, source %s\n",
		serviceName, state, start, cfg.ServiceStartName, cfg.BinaryPathName, recovery, serviceName)
	return nil
}

// runAsService is `hoga service run`, started by the service manager.
func runAsService(getenv func(string) string) error {
	isService, err := svc.IsWindowsService()
	if err != nil {
		return err
	}
	if !isService {
		return &usageError{msg: "`hoga service run` is started by the Windows service manager: use `hoga service start`, or run `hoga` in this console"}
	}
	_, dir, err := executable()
	if err != nil {
		return err
	}
	elog, elogErr := eventlog.Open(serviceName)
	notify := func(kind eventKind, msg string) {
		if elogErr != nil {
			return
		}
		if kind == eventError {
			_ = elog.Error(eventIDError, msg)
		} else {
			_ = elog.Info(eventIDInfo, msg)
		}
	}
	if elogErr == nil {
		defer elog.Close()
	}
	// The service starts in System32: move beside the binary so .env and a
	// relative HOGA_DATA_DIR (and rules file) mean what they mean there.
	if err := os.Chdir(dir); err != nil {
		notify(eventError, fmt.Sprintf("hoga cannot use its folder %s: %v", dir, err))
		return err
	}
	return svc.Run(serviceName, &windowsService{getenv: getenv, dir: dir, notify: notify})
}

// windowsService adapts the supervisor to svc.Handler.
type windowsService struct {
	getenv func(string) string
	dir    string
	notify func(eventKind, string)
}

// Execute runs hoga until the service manager stops it.
func (w *windowsService) Execute(_ []string, r <-chan svc.ChangeRequest, changes chan<- svc.Status) (bool, uint32) {
	requests := make(chan svcRequest)
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case <-done:
				return
			case c := <-r:
				req := reqInterrogate
				switch c.Cmd {
				case svc.Stop, svc.Shutdown, svc.PreShutdown:
					req = reqStop
				case svc.Interrogate:
				default:
					continue
				}
				select {
				case requests <- req:
				case <-done:
					return
				}
			}
		}
	}()
	sup := &supervisor{
		clock:    clock.Real{},
		serve:    func(ctx context.Context) error { return serviceServe(ctx, w.getenv, w.dir, w.notify) },
		requests: requests,
		report: func(st svcStatus) {
			out := svc.Status{CheckPoint: st.CheckPoint, WaitHint: uint32(st.WaitHint / time.Millisecond)}
			switch st.State {
			case svcStartPending:
				out.State = svc.StartPending
			case svcRunning:
				out.State = svc.Running
				out.Accepts = svc.AcceptStop | svc.AcceptShutdown | svc.AcceptPreShutdown
			case svcStopPending:
				out.State = svc.StopPending
			}
			changes <- out
		},
		notify:   w.notify,
		progress: stopProgress,
		limit:    stopLimit,
	}
	code := sup.run()
	return code != 0, code
}
