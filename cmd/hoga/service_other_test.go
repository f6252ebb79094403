//go:build !windows

package main

import (
	"strings"
	"testing"
)

func TestServiceIsWindowsOnly(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args   []string
		status int
		text   string
	}{
		{[]string{"service", "install"}, 2, "service commands are Windows-only; on Linux use deploy/linux/hoga.service"},
		{[]string{"service", "status"}, 2, "service commands are Windows-only"},
		{[]string{"service", "reinstall"}, 2, `unknown service command "reinstall"`},
		{[]string{"service", "help"}, 0, "usage: hoga service install|uninstall|start|stop|status"},
	} {
		out, errOut, status := hogaRun(t, map[string]string{"HOGA_DATA_DIR": t.TempDir()}, tc.args...)
		if status != tc.status || !strings.Contains(out+errOut, tc.text) {
			t.Errorf("%q: status %d, want %d; want %q in %q", tc.args, status, tc.status, tc.text, out+errOut)
		}
	}
}
