package redact

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// TestSecretNeverPrints: no fmt verb, slog handler or %#v of a struct
// holding it shows the value (the three secret types this replaced each
// missed one: %#v of cmd/hoga's config, %d of Kiwoom's keys).
func TestSecretNeverPrints(t *testing.T) {
	t.Parallel()
	s := Secret("PSxxxxAPPKEY")
	holder := struct{ Key Secret }{s}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "key", s, "holder", holder)
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "key", s)
	out := buf.String() + fmt.Sprintf("%v %+v %#v %s %q %x %X %d %10s %v %+v %#v", s, s, s, s, s, s, s, s, s, holder, holder, holder)
	if strings.Contains(out, "APPKEY") || strings.Contains(out, fmt.Sprintf("%x", "PSxxxxAPPKEY")) {
		t.Fatalf("secret leaked: %s", out)
	}
	if s.Reveal() != "PSxxxxAPPKEY" || s.String() != Placeholder || Secret("").String() != "" {
		t.Fatal("Reveal or String lost the value")
	}
	var d Secret
	if err := d.Decode("v"); err != nil || d.Reveal() != "v" {
		t.Fatalf("Decode: %v %q", err, d.Reveal())
	}
}
