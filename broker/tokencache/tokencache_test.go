package tokencache

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/internal/redact"
)

func TestSaveLoadRoundTrip(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "tokens")
	c := New(dir)
	if _, ok, err := c.Load("kis-mock-abc"); ok || err != nil {
		t.Fatalf("Load before Save = %v, %v; want false, nil", ok, err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("Load created the directory (stat err %v)", err)
	}
	want := Token{
		Value:    "eyJ0eXAiOiJKV1Q",
		Expiry:   time.Date(2026, 3, 4, 8, 10, 10, 0, time.UTC),
		IssuedAt: time.Date(2026, 3, 3, 8, 10, 10, 0, time.UTC),
	}
	if err := c.Save("kis-mock-abc", want); err != nil {
		t.Fatalf("Save: %v", err)
	}
	got, ok, err := c.Load("kis-mock-abc")
	if err != nil || !ok {
		t.Fatalf("Load = %v, %v", ok, err)
	}
	if got.Value != want.Value || !got.Expiry.Equal(want.Expiry) || !got.IssuedAt.Equal(want.IssuedAt) {
		t.Fatalf("Load = %+v; want %+v", got, want)
	}
	// A second cache on the same directory (a restart) sees it too.
	if got2, ok, _ := New(dir).Load("kis-mock-abc"); !ok || got2.Value != want.Value {
		t.Fatalf("fresh cache Load = %+v, %v", got2, ok)
	}
}

func TestPermissions(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("POSIX permissions")
	}
	dir := filepath.Join(t.TempDir(), "tokens")
	c := New(dir)
	if err := c.Save("k", Token{Value: "v"}); err != nil {
		t.Fatal(err)
	}
	di, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := di.Mode().Perm(); perm != 0o700 {
		t.Errorf("dir mode = %o; want 700", perm)
	}
	fi, err := os.Stat(filepath.Join(dir, "k.json"))
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("file mode = %o; want 600", perm)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("dir holds %d entries; want only the token file (no temp files left)", len(entries))
	}
}

func TestOverwriteAndDelete(t *testing.T) {
	t.Parallel()
	c := New(t.TempDir())
	for i := 0; i < 3; i++ {
		if err := c.Save("k", Token{Value: redact.Secret(fmt.Sprint("v", i))}); err != nil {
			t.Fatal(err)
		}
	}
	if got, _, _ := c.Load("k"); got.Value != "v2" {
		t.Fatalf("after overwrites Load = %q; want v2", got.Value)
	}
	if err := c.Delete("k"); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := c.Load("k"); ok || err != nil {
		t.Fatalf("after Delete Load = %v, %v", ok, err)
	}
	if err := c.Delete("k"); err != nil {
		t.Fatalf("second Delete: %v", err)
	}
}

func TestCorruptFileIsAnError(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "k.json"), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := New(dir)
	if _, ok, err := c.Load("k"); ok || err == nil {
		t.Fatalf("Load corrupt = %v, %v; want false and an error", ok, err)
	}
	if err := c.Save("k", Token{Value: "fresh"}); err != nil {
		t.Fatalf("Save over corrupt file: %v", err)
	}
	if got, ok, err := c.Load("k"); !ok || err != nil || got.Value != "fresh" {
		t.Fatalf("Load after repair = %+v, %v, %v", got, ok, err)
	}
}

func TestBadKeys(t *testing.T) {
	t.Parallel()
	c := New(t.TempDir())
	for _, key := range []string{"", "../escape", "a/b", `a\b`, "a.b", strings.Repeat("x", 129), "키"} {
		if err := c.Save(key, Token{Value: "v"}); err == nil {
			t.Errorf("Save(%q) succeeded; want an error", key)
		}
		if _, _, err := c.Load(key); err == nil {
			t.Errorf("Load(%q) succeeded; want an error", key)
		}
	}
}

func TestConcurrentSaveLoad(t *testing.T) {
	t.Parallel()
	c := New(t.TempDir())
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				if err := c.Save("k", Token{Value: redact.Secret(fmt.Sprint("v", i, "-", j))}); err != nil {
					t.Error(err)
					return
				}
				if tok, ok, err := c.Load("k"); err != nil || !ok || !strings.HasPrefix(tok.Value.Reveal(), "v") {
					t.Errorf("Load = %+v, %v, %v", tok, ok, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestTokenNeverPrintsValue(t *testing.T) {
	t.Parallel()
	tok := Token{Value: "SECRET-TOKEN-VALUE", Expiry: time.Now()}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("token", "tok", tok)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("token", "tok", tok)
	buf.WriteString(fmt.Sprintf("%v %+v %#v %s", tok, tok, tok, tok))
	// %d and %x bypass String; they printed the value ("%!d(string=…)")
	// until Token had Format and its Value was a redact.Secret.
	buf.WriteString(fmt.Sprintf("%d %x %d", tok, tok, &tok))
	buf.WriteString(fmt.Sprintf("%d", struct{ T Token }{tok}))
	if strings.Contains(buf.String(), "SECRET") {
		t.Fatalf("token value leaked: %s", buf.String())
	}
	if !strings.Contains(buf.String(), "redacted") {
		t.Fatalf("output does not say redacted: %s", buf.String())
	}
}
