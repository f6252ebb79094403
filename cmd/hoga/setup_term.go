package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// lineReader is where `hoga setup` reads answers: a terminal, or a script
// in tests. readLine returns one line without its newline; readSecret
// reads one without echoing it.
type lineReader interface {
	readLine() (string, error)
	readSecret() (string, error)
}

// answer is one finished read.
type answer struct {
	text string
	err  error
}

// prompter asks questions and waits for the answer or for ctx to end,
// whichever comes first. At most one read is in flight: a read started
// while setup waits for something else (a /start in a group, skipped with
// Enter) is taken over by the next question instead of eating its answer.
type prompter struct {
	in      lineReader
	pending chan answer
	// restore undoes a no-echo read cut short by ctx (Ctrl-C), so the
	// terminal does not stay silent after hoga exits.
	restore func()
}

// start begins a read unless one is in flight, and returns its result
// channel.
func (p *prompter) start(secret bool) chan answer {
	if p.pending == nil {
		ch := make(chan answer, 1)
		go func() {
			var a answer
			if secret {
				a.text, a.err = p.in.readSecret()
			} else {
				a.text, a.err = p.in.readLine()
			}
			ch <- a
		}()
		p.pending = ch
	}
	return p.pending
}

// wait waits for the read started by start.
func (p *prompter) wait(ctx context.Context, ch chan answer) (string, error) {
	select {
	case a := <-ch:
		p.pending = nil
		if errors.Is(a.err, io.EOF) && a.text == "" {
			return "", errInputEnded
		}
		return strings.TrimSpace(a.text), a.err
	case <-ctx.Done():
		if p.restore != nil {
			p.restore()
		}
		return "", ctx.Err()
	}
}

func (p *prompter) line(ctx context.Context) (string, error) { return p.wait(ctx, p.start(false)) }

func (p *prompter) secret(ctx context.Context) (string, error) { return p.wait(ctx, p.start(true)) }

// errNoHiddenInput is a terminal that cannot read without echo.
var errNoHiddenInput = errors.New("this terminal cannot hide what is typed")

// errInputEnded is the terminal closing (Ctrl-D) in the middle of setup.
var errInputEnded = errors.New("hoga setup: input ended before setup finished; nothing was written")

// ttyReader reads a real terminal: lines through a buffer, secrets with
// echo off (golang.org/x/term, on Unix terminals and the Windows console).
type ttyReader struct {
	f   *os.File
	buf *bufio.Reader
	out io.Writer // where the prompts go
}

func newTTYReader(f *os.File, out io.Writer) *ttyReader {
	return &ttyReader{f: f, buf: bufio.NewReader(f), out: out}
}

func (t *ttyReader) readLine() (string, error) {
	s, err := t.buf.ReadString('\n')
	if err != nil && s != "" {
		err = nil
	}
	return strings.TrimRight(s, "\r\n"), err
}

// readSecret reads with echo off. A terminal in canonical mode hands over
// one line per read, so the line buffer holds nothing the secret read
// could miss.
func (t *ttyReader) readSecret() (string, error) {
	if !term.IsTerminal(int(t.f.Fd())) {
		// A Cygwin or MSYS2 terminal (Git Bash's mintty) is a pipe to
		// Windows: echo cannot be turned off there.
		return "", errNoHiddenInput
	}
	b, err := term.ReadPassword(int(t.f.Fd()))
	// The newline the user typed was not echoed: end the prompt's line.
	_, _ = io.WriteString(t.out, "\n")
	return string(b), err
}

// terminalRestorer saves f's terminal state and returns a function that
// puts it back (echo on after an interrupted secret read).
func terminalRestorer(f *os.File) func() {
	fd := int(f.Fd())
	state, err := term.GetState(fd)
	if err != nil {
		return nil
	}
	return func() { _ = term.Restore(fd, state) }
}
