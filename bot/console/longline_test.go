package console

import (
	"strings"
	"testing"

	"github.com/hoga-trade/hoga/bot"
)

// TestOverlongLineIsRefusedAndReadingGoesOn: a line over 1 MiB ended Run
// with bufio.ErrTooLong, stopping the whole daemon (issue 21, item 8).
func TestOverlongLineIsRefusedAndReadingGoesOn(t *testing.T) {
	t.Parallel()
	input := "/help\n" + strings.Repeat("a", 3<<20) + "\n/whoami\r\nlast-line-without-newline"
	out, _ := runConsole(t, bot.Config{Lang: bot.English}, input)
	if !strings.Contains(out, "too long") {
		t.Errorf("no refusal of the long line:\n%.500s", out)
	}
	if strings.Count(out, "too long") != 1 {
		t.Errorf("refused more than once")
	}
	if strings.Contains(out, strings.Repeat("a", 100)) {
		t.Errorf("the long line was echoed or handled")
	}
}

// TestLineOfExactlyMaxLine is still read whole.
func TestLineOfExactlyMaxLine(t *testing.T) {
	t.Parallel()
	out, _ := runConsole(t, bot.Config{Lang: bot.English}, strings.Repeat(" ", maxLine)+"\n")
	if strings.Contains(out, "too long") {
		t.Errorf("a line of exactly maxLine bytes was refused")
	}
}
