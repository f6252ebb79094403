package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLayers keeps the arrows pointing one way (ARCHITECTURE.md): the
// SQLite store is a technology only cmd/hoga wires, and the test fakes
// (broker/brokertest, bot/telegramtest) never end up in production code
// outside cmd/. It asks `go list -deps`, which sees production imports
// only, so tests may use either freely.
func TestLayers(t *testing.T) {
	t.Parallel()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	const mod = "github.com/hoga-trade/hoga"
	out, err := exec.Command(goBin, "list", "-f", "{{.ImportPath}} {{join .Deps \" \"}}", mod+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	forbidden := []struct {
		pkg     string
		allowed func(importer string) bool
	}{
		{mod + "/store", func(p string) bool { return p == mod+"/cmd/hoga" }},
		{mod + "/broker/brokertest", func(p string) bool { return inCmd(p) || strings.HasPrefix(p, mod+"/bot/telegramtest") }},
		{mod + "/bot/telegramtest", func(p string) bool { return inCmd(p) || strings.HasPrefix(p, mod+"/broker/brokertest") }},
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 10 {
		t.Fatalf("go list listed %d packages; want the whole module", len(lines))
	}
	for _, line := range lines {
		pkg, deps, _ := strings.Cut(line, " ")
		for _, dep := range strings.Fields(deps) {
			for _, f := range forbidden {
				if dep == f.pkg && !f.allowed(pkg) {
					t.Errorf("%s imports %s (directly or not); only %s may", pkg, dep, allowedText(f.pkg))
				}
			}
		}
	}
}

// inCmd reports whether p is a command: under cmd/ anywhere in the tree
// (cmd/hoga, cmd/fakebroker, bot/telegramtest/cmd/faketelegram).
func inCmd(p string) bool {
	return strings.Contains(p, "/cmd/")
}

func allowedText(pkg string) string {
	if strings.HasSuffix(pkg, "/store") {
		return "cmd/hoga"
	}
	return "commands under cmd/"
}
