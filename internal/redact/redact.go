// Package redact holds hoga's one secret type. App keys, app secrets,
// access tokens, the Telegram bot token and the HTTP API token are carried
// as a Secret from the moment they are read until the one line that builds
// a request with them, so a stray log attribute, %v, %#v or even %d prints
// "[redacted]" instead of the value.
package redact

import (
	"fmt"
	"io"
	"log/slog"
)

// Secret is a value that must never reach a log line, an error or a
// reply. The raw value is read with Reveal (or string(s)) only where a
// request is built.
type Secret string

// Placeholder is what a non-empty Secret prints as.
const Placeholder = "[redacted]"

// String returns Placeholder, or "" for an empty secret, so a missing
// setting is still visible in diagnostics.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return Placeholder
}

// LogValue keeps the value out of slog output.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// GoString keeps the value out of %#v.
func (s Secret) GoString() string { return s.String() }

// Format keeps the value out of every fmt verb, including %d and %x, which
// would otherwise print a string type's raw value.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.String()) }

// Reveal returns the value, for the one place that sends it.
func (s Secret) Reveal() string { return string(s) }

// Decode reads the value from an environment variable (envconfig's
// Decoder), so configuration listings show it as a string setting.
func (s *Secret) Decode(v string) error { *s = Secret(v); return nil }
