package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/hoga-trade/hoga/metrics"
)

// usageError is a wrong command line; exit status 2 like a bad setting.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// exitCode maps run's error to the process status and prints it: 0 ok,
// 2 for bad settings or arguments (nothing was started), 1 otherwise.
func exitCode(err error, stderr io.Writer) int {
	if err == nil || errors.Is(err, context.Canceled) {
		return 0
	}
	fmt.Fprintln(stderr, "hoga:", err)
	var ce *configError
	var ue *usageError
	if errors.As(err, &ce) || errors.As(err, &ue) {
		return 2
	}
	return 1
}

// run is the whole program; main only supplies the process's environment
// so tests can run it with their own.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := ""
	if len(args) > 0 {
		cmd = args[0]
	}
	switch cmd {
	case "", "run":
		return serve(ctx, getenv, stdin, stdout, stderr)
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, versionString())
		return nil
	case "config":
		return printUsage(stdout)
	case "check":
		return runCheck(ctx, args[1:], getenv, stdout, stderr)
	case "setup":
		return runSetup(ctx, args[1:], getenv, stdin, stdout, stderr)
	case "healthcheck":
		return runHealthcheck(ctx, args[1:], getenv, stdout)
	case "service":
		return runService(ctx, args[1:], getenv, stdout, stderr)
	case "paper":
		return runPaper(ctx, args[1:], getenv, stdin, stdout)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, ut(startLang(getenv("HOGA_LANG")), "usage"))
		return nil
	}
	lang := startLang(getenv("HOGA_LANG"))
	return &usageError{msg: ut(lang, "unknown", cmd, ut(lang, "usage"))}
}

// versionString reports the module version and VCS revision the binary was
// built from, so a bug report names the exact build.
func versionString() string {
	v, rev := metrics.BuildVersion()
	return "hoga " + v + " (" + rev + ")"
}

// loadSettings reads .env from the working directory and the environment.
func loadSettings(getenv func(string) string) (*Config, error) {
	dotenv, err := readDotEnv(".env")
	if err != nil {
		return nil, dotEnvProblem(getenv, err)
	}
	return loadConfig(getenv, dotenv)
}
