package kiwoom

import "strings"

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
