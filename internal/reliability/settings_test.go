//go:build unix

package reliability

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// settingsLimit bounds the CPU time hoga may spend refusing a bad setting,
// and settingsWait the wall time. The work is hoga's own (parse, check,
// print), so it is measured as the process's CPU time: the wall time of the
// same run on a machine with two cores and thirty runnable processes was
// 1.05 s (a clean-clone .ci/run beside six builds), which says nothing about
// hoga. The wall bound is what catches a refusal that waits on something (a
// broker, a retry's backoff), which burns no CPU.
var (
	settingsLimit = flag.Duration("settings-limit", time.Second, "most CPU time (user+system) hoga may spend refusing a bad setting")
	settingsWait  = flag.Duration("settings-wait", 10*time.Second, "longest wall time a refusal of a bad setting may take")
)

// runOnce runs hoga with env on the paper broker, stdin empty, and returns
// its output, exit status, wall time and CPU time (user+system).
func runOnce(t *testing.T, dir string, env ...string) (string, int, time.Duration, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, hogaBin)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "HOGA_DATA_DIR=" + filepath.Join(dir, "data")}, env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	t0 := time.Now()
	err := cmd.Run()
	took := time.Since(t0)
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running hoga: %v", err)
	}
	if ctx.Err() != nil {
		t.Fatalf("%v: hoga still running after 30 s\n%s", env, out.String())
	}
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return out.String(), code, took, cpu
}

// TestBadSettings: a bad value for any setting stops hoga at once with
// exit status 2 and a line naming the setting (issue 20, item 2; issue 21,
// item 7); an unknown or misspelt name is warned about and hoga runs.
func TestBadSettings(t *testing.T) {
	need(t)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := mkfifo(fifo); err != nil {
		t.Fatal(err)
	}
	bad := []struct{ name, value string }{
		{"HOGA_BROKER", "ibk"}, {"HOGA_BROKER", "kis"}, {"HOGA_BROKER", "kiwoom"},
		{"HOGA_MODE", "real"}, {"HOGA_MODE", "live"}, {"HOGA_MODE", "LIVE "},
		{"HOGA_KIS_RPS", "NaN"}, {"HOGA_KIS_RPS", "+Inf"}, {"HOGA_KIS_RPS", "-1"}, {"HOGA_KIS_RPS", "1e9"}, {"HOGA_KIS_RPS", "fast"},
		{"HOGA_KIWOOM_RPS", "NaN"}, {"HOGA_KIWOOM_RPS", "-3"}, {"HOGA_KIWOOM_RPS", "1e300"},
		{"HOGA_TELEGRAM_ALLOWED_USERS", "alice"},
		{"HOGA_TELEGRAM_ALERT_CHAT", "chat"}, {"HOGA_TELEGRAM_OFFLINE_AFTER", "1ns"}, {"HOGA_TELEGRAM_OFFLINE_AFTER", "forever"},
		{"HOGA_TELEGRAM_KEYBOARD", strings.Repeat("/x,", 400)},
		{"HOGA_RULES_FILE", "/dev/null"}, {"HOGA_RULES_FILE", "/dev/zero"}, {"HOGA_RULES_FILE", "/dev/urandom"},
		{"HOGA_RULES_FILE", fifo}, {"HOGA_RULES_FILE", dir}, {"HOGA_RULES_FILE", filepath.Join(dir, "missing.yaml")},
		{"HOGA_HTTP_ADDR", "nonsense"}, {"HOGA_HTTP_ADDR", "0.0.0.0:8080"}, {"HOGA_HTTP_ADDR", "127.0.0.1:99999"},
		{"HOGA_MAX_ORDER_KRW", "0"}, {"HOGA_MAX_ORDER_KRW", "-5"}, {"HOGA_MAX_ORDER_KRW", "1e6"}, {"HOGA_MAX_ORDER_KRW", "99999999999999999999"},
		{"HOGA_MAX_DAILY_ORDERS", "0"}, {"HOGA_MAX_DAILY_ORDERS", "many"},
		{"HOGA_MARKET_HOURS", "sometimes"}, {"HOGA_VENUE", "NYSE"},
		{"HOGA_HOLIDAYS", "2026-13-40"}, {"HOGA_HOLIDAYS", "tomorrow"},
		{"HOGA_LOG_LEVEL", "loud"}, {"HOGA_LOG_FORMAT", "xml"}, {"HOGA_LANG", "fr"},
		{"HOGA_BROKER_TIMEOUT", "1ns"}, {"HOGA_BROKER_TIMEOUT", "1000h"}, {"HOGA_BROKER_TIMEOUT", "10"},
		{"HOGA_PAPER_CASH", "-1"}, {"HOGA_PAPER_CASH", "lots"}, {"HOGA_PAPER_SEED", "x"},
		{"HOGA_STRATEGY_INTERVAL", "1ns"}, {"HOGA_STRATEGY_INTERVAL", "-2s"},
		{"HOGA_EXIT_ORDER", "stop"}, {"HOGA_CONFIRM", "never"}, {"HOGA_CONFIRM_TTL", "1ns"}, {"HOGA_CONFIRM_TTL", "0"},
		{"HOGA_STALE_AFTER", "1ns"}, {"HOGA_ALERTS", "orders=loud"}, {"HOGA_ALERTS", "nonsense"},
		{"HOGA_DATA_DIR", "/dev/null"}, {"HOGA_DATA_DIR", "/proc/nope"},
	}
	var slowest, busiest time.Duration
	for _, tc := range bad {
		out, code, took, cpu := runOnce(t, dir, "HOGA_BROKER=paper", tc.name+"="+tc.value)
		slowest, busiest = max(slowest, took), max(busiest, cpu)
		if code != 2 {
			t.Errorf("%s=%q: exit %d, want 2\n%s", tc.name, tc.value, code, tail(out))
			continue
		}
		if cpu > *settingsLimit {
			t.Errorf("%s=%q: refusing took %v of CPU (limit %v)", tc.name, tc.value, cpu.Round(time.Millisecond), *settingsLimit)
		}
		if took > *settingsWait {
			t.Errorf("%s=%q: refused after %v (limit %v): it waited on something", tc.name, tc.value, took.Round(time.Millisecond), *settingsWait)
		}
		if !strings.Contains(out, "HOGA_") {
			t.Errorf("%s=%q: the refusal names no setting:\n%s", tc.name, tc.value, out)
		}
	}
	// Warned about, and hoga runs (the console's input is empty: it ends).
	warn := []struct{ name, value, want string }{
		{"HOGA_MAX_ORDR_KRW", "5", "HOGA_MAX_ORDER_KRW"},
		{"HOGA_TELEGRAM_TOKN", "x", "HOGA_TELEGRAM_TOKEN"},
	}
	for _, tc := range warn {
		out, code, _, _ := runOnce(t, dir, "HOGA_BROKER=paper", tc.name+"="+tc.value)
		if code != 0 || !strings.Contains(out, tc.name) || !strings.Contains(out, tc.want) {
			t.Errorf("%s=%q: exit %d, want 0 with a warning naming %s\n%s", tc.name, tc.value, code, tc.want, tail(out))
		}
	}
	t.Logf("%d bad values refused with exit 2, slowest %v (most CPU %v); %d misspelt names warned about", len(bad), slowest.Round(time.Millisecond), busiest.Round(time.Millisecond), len(warn))
}
