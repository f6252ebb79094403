//go:build !windows

package main

import (
	"context"
	"fmt"
	"io"
)

// runService is `hoga service …`, which only Windows has: elsewhere the
// service manager is systemd (or Docker), configured by a file, not by hoga.
func runService(_ context.Context, args []string, _ func(string) string, stdout, _ io.Writer) error {
	cmd, err := parseServiceArgs(args)
	if err != nil {
		return err
	}
	if cmd == "help" {
		fmt.Fprintln(stdout, serviceUsage)
		return nil
	}
	return &usageError{msg: "service commands are Windows-only; on Linux use deploy/linux/hoga.service (see deploy/linux/README.md)"}
}
