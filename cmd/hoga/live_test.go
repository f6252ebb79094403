package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/clock"
)

// The helpers every run()-level test shares: one hoga started on the
// console, its output read while it runs.

// liveHoga is one run() of hoga on a fake clock, driven through its
// console.
// hangGuard is how long a test waits on hoga's progress (a start, a
// reply, a state of the tracker) before it calls hoga stuck. It bounds a
// hang; it is no synchronisation and nothing waits it out when hoga works.
// It was 10 s: with `go test -race -count=3 ./...` beside other builds
// (load 25 on two cores), a start alone took longer (issue 12, item 16:
// "hoga did not start" in five tests, "timed out waiting for the report
// scheduler to sleep" while the report drew its chart).
const hangGuard = time.Minute

// testGuard bounds the waits of a whole test that share one context (on
// the fake Telegram, through a setup): a hang guard as hangGuard is, for
// several waits together. 10–30 s ran out on the same loaded machine
// (TestCloseReportOnTelegram took 28 s).
const testGuard = 3 * time.Minute

type liveHoga struct {
	t      *testing.T
	clk    *clock.Fake
	app    *app
	stdin  *io.PipeWriter
	out    syncBuffer
	errOut syncBuffer
	cancel context.CancelFunc
	done   chan error
}

// startHoga runs hoga with getenv's settings on clk (nil: the wall clock)
// and returns once it is built; the test's end stops it, failing the test
// when run returns an error.
func startHoga(t *testing.T, clk *clock.Fake, getenv func(string) string) *liveHoga {
	t.Helper()
	base := context.Background()
	if clk != nil {
		base = withClock(base, clk)
	}
	return startHogaCtx(t, base, clk, getenv)
}

// startHogaCtx is startHoga with run's context built by the caller (with
// withBrokerClock, say); it must carry clk.
func startHogaCtx(t *testing.T, base context.Context, clk *clock.Fake, getenv func(string) string) *liveHoga {
	t.Helper()
	h := &liveHoga{t: t, clk: clk, done: make(chan error, 1)}
	built := make(chan *app, 1)
	ctx, cancel := context.WithCancel(withBuilt(base, func(a *app) { built <- a }))
	h.cancel = cancel
	stdin, w := io.Pipe()
	h.stdin = w
	go func() { h.done <- run(ctx, nil, getenv, stdin, &h.out, &h.errOut) }()
	select {
	case h.app = <-built:
	case err := <-h.done:
		t.Fatalf("run ended at start: %v\n%s", err, h.errOut.String())
	case <-time.After(hangGuard):
		t.Fatal("hoga did not start")
	}
	t.Cleanup(h.stop)
	return h
}

// stop ends run and waits for it, failing the test when it returns an
// error; the test's end calls it too.
func (h *liveHoga) stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	h.stdin.Close()
	if err := <-h.done; err != nil {
		h.t.Errorf("run: %v\n%s", err, h.errOut.String())
	}
	h.cancel = nil
}

// send types line into hoga's console.
func (h *liveHoga) send(line string) {
	h.t.Helper()
	if _, err := io.WriteString(h.stdin, line+"\n"); err != nil {
		h.t.Fatal(err)
	}
}

// waitOut waits until hoga's console output contains want.
func (h *liveHoga) waitOut(what, want string) {
	h.t.Helper()
	waitFor(h.t, what, func() bool { return strings.Contains(h.out.String(), want) })
}

// syncBuffer is an io.Writer the test can read while hoga writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls cond (a cheap read of the fake's state) until it holds or
// the deadline passes. It waits on hoga's own progress, observed at the
// broker, not on a guess of how long that takes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

// The acceptance run: HOGA_MARKET_HOURS=always with
// deploy/rules.example.yaml against the fake KIS buys once when the price
// drops below 190,000 and sells once when it rises above 210,000.
