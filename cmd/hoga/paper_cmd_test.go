package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/broker/paper"
)

// savedPaper leaves a paper account opened with cash in dir, as a stopped
// hoga does.
func savedPaper(t *testing.T, dir string, cash int64) {
	t.Helper()
	ex, err := paper.New(paper.Options{Cash: cash, Seed: 1, DataDir: dir, Freeze: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := ex.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, paper.StateFile)); err != nil {
		t.Fatalf("no state file after Close: %v", err)
	}
}

// hoga paper reset asks before it wipes the account, refuses to wipe
// without asking when it cannot ask, and never wipes under a running hoga
// (issue 12, item 14).
func TestPaperReset(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	savedPaper(t, dir, 5_000_000)
	state := filepath.Join(dir, paper.StateFile)
	getenv := env("HOGA_DATA_DIR", dir, "HOGA_PAPER_CASH", "10000000")
	exists := func() bool { _, err := os.Stat(state); return err == nil }

	// Not a terminal, no --yes: refused, kept.
	var out bytes.Buffer
	err := run(context.Background(), []string{"paper", "reset"}, getenv, strings.NewReader("y\n"), &out, &out)
	var ce *paperRefusal
	if !errors.As(err, &ce) || !strings.Contains(ce.msg, "hoga paper reset --yes") || !exists() {
		t.Fatalf("reset without --yes from a pipe: err %v, out %q, file kept %v; want a refusal naming --yes and the file kept", err, out.String(), exists())
	}

	// Held by a running hoga: refused, kept.
	release, err := lockDataDir(dir, bot.Korean)
	if err != nil {
		t.Fatal(err)
	}
	err = run(context.Background(), []string{"paper", "reset", "--yes"}, getenv, strings.NewReader(""), &out, &out)
	release()
	if !errors.As(err, &ce) || !strings.Contains(ce.msg, "실행 중") || !exists() {
		t.Fatalf("reset under a running hoga: err %v; want refused, file kept (%v)", err, exists())
	}

	// --yes: gone, and the next start's amount named.
	out.Reset()
	if err := run(context.Background(), []string{"paper", "reset", "--yes"}, getenv, strings.NewReader(""), &out, &out); err != nil {
		t.Fatal(err)
	}
	if exists() || !strings.Contains(out.String(), "가상 계좌를 지웠습니다") || !strings.Contains(out.String(), "10,000,000원") {
		t.Fatalf("after --yes: file exists %v, out %q", exists(), out.String())
	}

	// Nothing left: says so.
	out.Reset()
	if err := run(context.Background(), []string{"paper", "reset", "--yes"}, env("HOGA_DATA_DIR", dir, "HOGA_LANG", "en"), strings.NewReader(""), &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "There is no paper account to delete") {
		t.Errorf("second reset: %q", out.String())
	}

	// A bare `hoga paper` is a usage error.
	if err := run(context.Background(), []string{"paper"}, getenv, strings.NewReader(""), &out, &out); !errors.As(err, new(*usageError)) {
		t.Errorf("hoga paper: %v, want a usage error", err)
	}
}

// Start-up says when the saved account was opened with another amount
// than HOGA_PAPER_CASH, which one is used and how to start over; nothing
// when they agree or nothing is saved (issue 12, item 14).
func TestPaperCashLine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if got := paperCashLine(bot.Korean, dir, 10_000_000); got != "" {
		t.Errorf("nothing saved: %q", got)
	}
	savedPaper(t, dir, 5_000_000)
	if got := paperCashLine(bot.Korean, dir, 5_000_000); got != "" {
		t.Errorf("same amount: %q", got)
	}
	got := paperCashLine(bot.Korean, dir, 10_000_000)
	for _, want := range []string{"저장된 계좌", "5,000,000원", "HOGA_PAPER_CASH=10,000,000원", "hoga paper reset"} {
		if !strings.Contains(got, want) {
			t.Errorf("line %q lacks %q", got, want)
		}
	}
	if got := paperCashLine(bot.English, dir, 10_000_000); !strings.Contains(got, "using the saved account") {
		t.Errorf("en line %q", got)
	}
}

// Every paper sentence exists in both languages with the same verbs.
func TestPaperTextsBothLanguages(t *testing.T) {
	t.Parallel()
	for key, ko := range paperTexts[bot.Korean] {
		en, ok := paperTexts[bot.English][key]
		if !ok {
			t.Errorf("%s: no English", key)
			continue
		}
		if strings.Count(ko, "%") != strings.Count(en, "%") {
			t.Errorf("%s: verbs differ:\n%q\n%q", key, ko, en)
		}
	}
	if len(paperTexts[bot.Korean]) != len(paperTexts[bot.English]) {
		t.Errorf("%d Korean keys, %d English", len(paperTexts[bot.Korean]), len(paperTexts[bot.English]))
	}
}
