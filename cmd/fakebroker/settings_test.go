package main

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// The printed settings are shell: every line a comment or an export, so
// the whole text can be pasted or eval'd (issue 12, item 17), with
// HOGA_MARKET_HOURS=always unless the fake keeps KRX hours itself.
func TestSettingsTextIsShell(t *testing.T) {
	t.Parallel()
	f := &fake{url: "http://127.0.0.1:18080", env: []string{"HOGA_BROKER=kis", "HOGA_KIS_BASE_URL=http://127.0.0.1:18080", "HOGA_KIS_APP_SECRET=it's a secret"}}
	out := settingsText("kis", "mock", f, false)
	line := regexp.MustCompile(`^(#.*|export HOGA_[A-Z_]+=('[^']*'|[A-Za-z0-9_\-.,:/@%+=]+)(\\''[^']*')*('[^']*')?)$`)
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if !line.MatchString(l) {
			t.Errorf("line %q is neither a comment nor an export", l)
		}
	}
	if !strings.Contains(out, "export HOGA_MARKET_HOURS=always\n") {
		t.Errorf("no HOGA_MARKET_HOURS=always:\n%s", out)
	}
	if strings.Contains(settingsText("kis", "mock", f, true), "HOGA_MARKET_HOURS") {
		t.Error("HOGA_MARKET_HOURS=always printed for a fake that keeps KRX hours")
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh to eval the text with")
	}
	got, err := exec.Command(sh, "-c", `eval "$1"; printf '%s|%s|%s' "$HOGA_BROKER" "$HOGA_KIS_APP_SECRET" "$HOGA_MARKET_HOURS"`, "sh", out).Output()
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "kis|it's a secret|always" {
		t.Errorf("eval gave %q", got)
	}
}
