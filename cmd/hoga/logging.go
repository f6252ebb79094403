package main

import (
	"io"
	"log/slog"
	"os"

	"github.com/lmittmann/tint"
)

// newLogger builds the one logger of the process: tint (coloured on a
// terminal) for text, slog's JSON handler for json. Secrets reach it only
// as types whose LogValue redacts them.
func newLogger(w io.Writer, format string, level slog.Level) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
	}
	return slog.New(tint.NewHandler(w, &tint.Options{
		Level:      level,
		TimeFormat: "15:04:05",
		NoColor:    !isTerminal(w),
	}))
}

// isTerminal reports whether w is a character device (a terminal), without
// a dependency: os.File's mode says it on Linux, macOS and Windows.
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
