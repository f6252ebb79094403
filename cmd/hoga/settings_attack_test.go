package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBOMDotEnvThroughRun: a .env saved with a UTF-8 byte-order mark lost
// its first setting, so HOGA_MAX_ORDER_KRW=100000 was ignored and a larger
// order went through; a misspelt name was ignored without a word (issue 21,
// item 7). Not parallel: .env is read from the working directory.
func TestBOMDotEnvThroughRun(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	body := "\ufeffHOGA_MAX_ORDER_KRW=100000\nHOGA_MAX_ORDR_KRW=5\nHOGA_PAPER_SEED=7\nHOGA_LOG_LEVEL=warn\n"
	if err := os.WriteFile(".env", []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runWith(t, env("HOGA_DATA_DIR", filepath.Join(dir, "data")), "/buy 005930 3 market\n/orders\n")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "1회 한도 100,000원") || strings.Contains(out, "체결: 3주") {
		t.Errorf("the BOM line's limit was not applied:\n%s", out)
	}
	if !strings.Contains(errOut, "HOGA_MAX_ORDR_KRW (in .env) is not a hoga setting") || !strings.Contains(errOut, "did you mean HOGA_MAX_ORDER_KRW") {
		t.Errorf("no warning for the misspelt name:\n%s", errOut)
	}
}

// TestInsaneValuesRefused: NaN rates and nanosecond timeouts were accepted
// (issue 21, item 7); each is one line and exit 2, at once.
func TestInsaneValuesRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ key, val, want string }{
		{"HOGA_KIS_RPS", "NaN", "HOGA_KIS_RPS=\"NaN\": not a number"},
		{"HOGA_KIS_RPS", "+Inf", "not a number"},
		{"HOGA_KIWOOM_RPS", "1e9", "at most 1000"},
		{"HOGA_BROKER_TIMEOUT", "1ns", "HOGA_BROKER_TIMEOUT=1ns: must be between"},
		{"HOGA_BROKER_TIMEOUT", "1000h", "must be between"},
		{"HOGA_CONFIRM_TTL", "1ns", "HOGA_CONFIRM_TTL=1ns"},
		{"HOGA_STALE_AFTER", "1ns", "HOGA_STALE_AFTER=1ns"},
		{"HOGA_TELEGRAM_OFFLINE_AFTER", "1ns", "HOGA_TELEGRAM_OFFLINE_AFTER=1ns"},
		{"HOGA_STRATEGY_INTERVAL", "1ns", "HOGA_STRATEGY_INTERVAL=1ns"},
		{"HOGA_MODE", "LIVE ", "HOGA_MODE=live needs a real broker"}, // trimmed, then judged
	} {
		out, errOut, code := runWith(t, env("HOGA_DATA_DIR", t.TempDir(), "HOGA_LANG", "en", tc.key, tc.val), "")
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s=%q: exit %d, want 2 with %q\n%s%s", tc.key, tc.val, code, tc.want, out, errOut)
		}
	}
}

func TestEditDistance(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"a", "", 1}, {"kitten", "sitting", 3}, {"HOGA_MODE", "HOGA_MODE", 0}} {
		if got := editDistance(tc.a, tc.b); got != tc.d {
			t.Errorf("%q %q: %d, want %d", tc.a, tc.b, got, tc.d)
		}
	}
}
