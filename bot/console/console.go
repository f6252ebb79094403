// Package console is the terminal transport: the same commands as Telegram,
// typed on stdin, answered on stdout. The console user is the owner;
// ":as USERID" switches identity so authorization can be tried without
// Telegram.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/internal/atomicfile"
)

// Config builds a Console.
type Config struct {
	Router *bot.Router
	In     io.Reader
	Out    io.Writer
	// Interactive shows a prompt (stdin is a terminal).
	Interactive bool
	// PhotoDir is where pictures (/chart, the close report's charts) are
	// saved, the path printed under their caption; empty is a "hoga"
	// folder in the system's temporary directory.
	PhotoDir string
}

// Console reads commands and prints replies and alerts.
type Console struct {
	cfg Config

	mu      sync.Mutex // guards Out, so alerts and replies never interleave mid-line
	user    string
	buttons []bot.Button
	// lines counts the lines read, so the program can tell piped commands
	// (a script that is done when its input ends) from no input at all (a
	// daemon started with stdin on /dev/null).
	lines atomic.Int64
}

// LinesRead is how many lines Run has read so far.
func (c *Console) LinesRead() int64 { return c.lines.Load() }

// New returns a Console for the owner.
func New(cfg Config) *Console {
	return &Console{cfg: cfg, user: "console"}
}

// Run reads lines until end of input (returns nil) or ctx is done (returns
// ctx.Err()). The reading goroutine may stay blocked on a terminal read
// after ctx ends; it holds nothing and dies with the process.
func (c *Console) Run(ctx context.Context) error {
	lines := make(chan string)
	readErr := make(chan error, 1)
	go func() {
		readErr <- readLines(ctx, c.cfg.In, lines)
	}()
	c.prompt()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-readErr:
			if err != nil {
				return fmt.Errorf("console: reading input: %w", err)
			}
			return nil
		case line := <-lines:
			c.lines.Add(1)
			if line == tooLong {
				c.print(bot.Reply{Text: bot.Text(c.cfg.Router.Lang(), "console.too_long", maxLine)})
				c.prompt()
				continue
			}
			c.handle(ctx, strings.TrimSpace(line))
			c.prompt()
		}
	}
}

func (c *Console) prompt() {
	if !c.cfg.Interactive {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.user == "console" {
		fmt.Fprint(c.cfg.Out, "hoga> ")
	} else {
		fmt.Fprintf(c.cfg.Out, "hoga(%s)> ", c.user)
	}
}

func (c *Console) handle(ctx context.Context, line string) {
	if line == "" || strings.HasPrefix(line, "#") {
		return
	}
	if rest, ok := strings.CutPrefix(line, ":as"); ok && (rest == "" || rest[0] == ' ') {
		id := strings.TrimSpace(rest)
		if id == "" {
			id = "console"
		}
		c.mu.Lock()
		c.user = id
		c.mu.Unlock()
		c.print(bot.Reply{Text: c.cfg.Router.Whoami(id)})
		return
	}
	c.mu.Lock()
	buttons, user := c.buttons, c.user
	c.buttons = nil
	c.mu.Unlock()
	if len(buttons) > 0 {
		if b, ok := pick(buttons, line); ok {
			reply := c.cfg.Router.Press(ctx, bot.Press{Data: b.Data, UserID: user, Source: "console"}, c.print)
			c.print(reply)
			return
		}
	}
	reply := c.cfg.Router.Handle(ctx, bot.Request{Text: line, UserID: user, Source: "console"})
	c.print(reply)
}

// pick maps "1"/"2" or a button's label to the button.
func pick(buttons []bot.Button, line string) (bot.Button, bool) {
	for i, b := range buttons {
		if line == fmt.Sprint(i+1) || strings.EqualFold(line, b.Text) {
			return b, true
		}
	}
	return bot.Button{}, false
}

func (c *Console) print(r bot.Reply) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintln(c.cfg.Out, bot.StripHTML(r.Text))
	if r.Photo != nil {
		fmt.Fprintln(c.cfg.Out, c.savePhoto(r.Photo))
	}
	if len(r.Buttons) > 0 {
		c.buttons = r.Buttons
		fmt.Fprintln(c.cfg.Out, c.cfg.Router.ButtonHint(r.Buttons))
	}
}

// SendAlert prints an alert line; the console is an alert sink when no
// Telegram chat is configured. Start/stop notices and alerts the console's
// own replies already said are skipped; outcomes learned later (an unknown
// order reconciled, a rule firing) are printed.
func (c *Console) SendAlert(_ context.Context, a bot.Alert) error {
	if a.Type == bot.AlertSystem || a.Echo == "console" {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, err := fmt.Fprintln(c.cfg.Out, "🔔 "+bot.StripHTML(a.Text))
	if err == nil && a.Photo != nil {
		_, err = fmt.Fprintln(c.cfg.Out, c.savePhoto(a.Photo))
	}
	if len(a.Buttons) > 0 { // a prompt waiting on the owner: the next "1" answers it
		c.buttons = a.Buttons
		fmt.Fprintln(c.cfg.Out, c.cfg.Router.ButtonHint(a.Buttons))
	}
	if err == nil && a.Delivered != nil {
		a.Delivered() // on the terminal: the owner has it
	}
	return err
}

// savePhoto writes a picture to PhotoDir under its own name (a later
// chart of the same stock and day replaces it) and returns the line that
// says where, or why it could not.
func (c *Console) savePhoto(p *bot.Photo) string {
	lang := c.cfg.Router.Lang()
	dir := c.cfg.PhotoDir
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "hoga")
	}
	name := filepath.Base(p.Name)
	if name == "." || name == string(filepath.Separator) || name == "" {
		name = "hoga.png"
	}
	path := filepath.Join(dir, name)
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	err := os.MkdirAll(dir, 0o700)
	if err == nil {
		err = atomicfile.WriteFile(path, p.PNG, 0o600)
	}
	if err != nil {
		return bot.StripHTML(bot.Text(lang, "photo.unsaved", bot.Esc(err.Error())))
	}
	return bot.StripHTML(bot.Text(lang, "photo.saved", bot.Esc(path)))
}

// maxLine bounds one console line. A longer line stopped the whole daemon
// (bufio.Scanner's ErrTooLong ended Run; issue 21, item 8): it is now
// skipped up to its newline and answered, and reading goes on.
const maxLine = 1 << 20

// tooLong stands for a skipped overlong line on the lines channel; a read
// line never contains a NUL-free "\x00" sentinel like this one.
const tooLong = "\x00too long\x00"

// readLines sends each line of in (without its newline) to lines, and
// tooLong for a line over maxLine. It returns nil at end of input.
func readLines(ctx context.Context, in io.Reader, lines chan<- string) error {
	br := bufio.NewReaderSize(in, 64*1024)
	for {
		var buf []byte
		over := false
		var err error
		for {
			var frag []byte
			frag, err = br.ReadSlice('\n')
			if !over {
				if len(buf)+len(frag) > maxLine+1 { // +1: the newline
					over, buf = true, nil
				} else {
					buf = append(buf, frag...)
				}
			}
			if err != bufio.ErrBufferFull {
				break
			}
		}
		line := strings.TrimSuffix(strings.TrimSuffix(string(buf), "\n"), "\r")
		if over {
			line = tooLong
		}
		if over || len(buf) > 0 {
			select {
			case lines <- line:
			case <-ctx.Done():
				return nil
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
