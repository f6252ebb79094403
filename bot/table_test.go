package bot

import (
	"regexp"
	"testing"
)

// TestCommandTable checks the rules every row must keep, so a command
// added by one line is listed, routed and laned correctly: a unique
// Telegram-valid name, a menu text in both languages when listed, the
// kill switch's urgency only on an acting command, and nothing that acts
// in the shared chat's read-only menu.
func TestCommandTable(t *testing.T) {
	t.Parallel()
	valid := regexp.MustCompile(`^[a-z0-9_]{1,32}$`) // setMyCommands' rule
	seen := map[string]bool{}
	for _, c := range Commands() {
		if !valid.MatchString(c.Name) || seen[c.Name] {
			t.Errorf("command %q: name not unique or not valid for Telegram", c.Name)
		}
		seen[c.Name] = true
		if c.run == nil {
			t.Errorf("/%s has no handler", c.Name)
		}
		if c.Urgent && !c.Acts {
			t.Errorf("/%s is urgent but does not act", c.Name)
		}
		if c.Menu == MenuShared && c.Acts {
			t.Errorf("/%s acts but is in the shared chat's read-only menu", c.Name)
		}
		if c.Menu != MenuNone {
			for _, l := range []Lang{Korean, English} {
				if _, ok := catalogs[l]["cmd."+c.Name]; !ok {
					t.Errorf("/%s has no menu text cmd.%s in %s", c.Name, c.Name, l)
				}
			}
		}
		if got, ok := LookupCommand("/" + c.Name); !ok || got.Name != c.Name || Acts("/"+c.Name) != c.Acts {
			t.Errorf("LookupCommand(/%s) = %+v, %v", c.Name, got, ok)
		}
	}
	for _, word := range []string{"/Price@hoga_bot", "/PRICE"} {
		if c, ok := LookupCommand(word); !ok || c.Name != "price" {
			t.Errorf("LookupCommand(%q) = %q, %v", word, c.Name, ok)
		}
	}
	for _, word := range []string{"price", "/nope", "", "/"} {
		if _, ok := LookupCommand(word); ok {
			t.Errorf("LookupCommand(%q) found a command", word)
		}
	}
}
