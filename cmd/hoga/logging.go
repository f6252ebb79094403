package main

import (
	"io"
	"log/slog"
	"os"

	"github.com/lmittmann/tint"
	"github.com/mattn/go-isatty"
)

// newLogger builds the one logger of the process: tint (coloured on a
// terminal) for text, slog's JSON handler for json. Secrets reach it only
// as types whose LogValue redacts them.
func newLogger(w io.Writer, format string, level slog.Level) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
	}
	return slog.New(tint.NewTextHandler(w, &tint.Options{
		Level:      level,
		TimeFormat: "15:04:05",
		NoColor:    !isTerminal(w),
	}))
}

// isTerminal reports whether v is a terminal. A character-device check is
// not enough (/dev/null is one, which is what a service's stdin often is);
// go-isatty asks the terminal driver on Unix and the console on Windows,
// and is already in the build through tint.
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	if !ok {
		return false
	}
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}
