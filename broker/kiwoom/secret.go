package kiwoom

import (
	"log/slog"
	"strings"
)

// secret holds an app key, secret key, token or account number. It prints
// and logs as a fixed placeholder, so that a stray %v or slog attribute
// cannot leak it; reveal is the only way to the value and is used only to
// build requests.
type secret string

const redacted = "[REDACTED]"

// String hides the value from fmt.
func (s secret) String() string { return redacted }

// GoString hides the value from %#v.
func (s secret) GoString() string { return redacted }

// LogValue hides the value from slog.
func (s secret) LogValue() slog.Value { return slog.StringValue(redacted) }

func (s secret) reveal() string { return string(s) }

// MaskAccount shows a Kiwoom account number the way /status may print it:
// the first four and the last two digits (Kiwoom's product code), the rest
// hidden, e.g. "5012345611" → "5012****-11". Anything too short to mask
// meaningfully is hidden entirely.
func MaskAccount(acct string) string {
	acct = strings.ReplaceAll(strings.TrimSpace(acct), "-", "")
	if len(acct) < 8 {
		return strings.Repeat("*", len(acct))
	}
	shown := 4 // at least four digits stay hidden
	if len(acct) < 10 {
		shown = 2
	}
	return acct[:shown] + strings.Repeat("*", len(acct)-shown-2) + "-" + acct[len(acct)-2:]
}
