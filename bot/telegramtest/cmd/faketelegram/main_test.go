package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
)

// The command prints the token, the user id to allow and the first
// message to send, as shell a person can paste or eval (issue 12, item
// 17), and the fake answers at the URL it printed.
func TestRunPrintsWhatToDo(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"-addr", "127.0.0.1:0", "-user", "222"}, pw, io.Discard)
		pw.Close()
	}()
	var out strings.Builder
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if strings.HasPrefix(sc.Text(), "# a command with spaces") {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	text := out.String()
	for _, want := range []string{"export HOGA_TELEGRAM_TOKEN='123456:TEST'", "export HOGA_TELEGRAM_ALLOWED_USERS=222", "/_fake/send?user=222&text=/start"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
		if !strings.HasPrefix(l, "#") && !strings.HasPrefix(l, "export HOGA_") {
			t.Errorf("line %q is neither a comment nor an export", l)
		}
	}
	if sh, err := exec.LookPath("sh"); err == nil {
		got, err := exec.Command(sh, "-c", `eval "$1"; printf '%s' "$HOGA_TELEGRAM_API_URL"`, "sh", text).Output()
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(string(got) + "/bot123456:TEST/getMe")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("getMe at the printed URL: %s", resp.Status)
		}
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("run: %v", err)
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"-token", ""}, {"-user", "0"}, {"-port", "70000"}} {
		if err := run(context.Background(), args, io.Discard, io.Discard); err == nil {
			t.Errorf("run(%q) succeeded", args)
		}
	}
}
