package main

import (
	"log/slog"
	"time"
)

// startSteps times start-up, step by step, for one log line once hoga
// takes commands (issue 20: 35 of 169 restarts in the long kill loop took
// over 2 s, and nothing said where the time went). It reads the wall
// clock, not the app's: it measures this process, not the market's time.
type startSteps struct {
	start, last time.Time
	attrs       []any
}

func newStartSteps() *startSteps {
	now := time.Now()
	return &startSteps{start: now, last: now}
}

// done ends the step called name. A nil *startSteps (hoga check) does
// nothing.
func (s *startSteps) done(name string) {
	if s == nil {
		return
	}
	now := time.Now()
	s.attrs = append(s.attrs, slog.Duration(name, now.Sub(s.last)))
	s.last = now
}

// log writes the steps, and the whole, at info.
func (s *startSteps) log(l *slog.Logger) {
	if s == nil {
		return
	}
	l.Info("start-up: taking commands", append([]any{slog.Duration("took", time.Since(s.start))}, s.attrs...)...)
}
