// Package tokencache keeps broker access tokens on disk so that a restart
// reuses the token it already has. KIS allows one issuance a minute and
// sends the owner a KakaoTalk notice for every one, and Kiwoom's tokens
// are similarly rationed, so a bot that restarts (a deploy, a crash loop)
// must not ask for a new token each time.
//
// Files hold live credentials: the directory is created 0700, each file
// 0600, and a file is replaced atomically (temporary file, then rename) so
// a crash mid-write never leaves half a token behind. Keys are chosen by
// the caller and must not contain the raw app key (hash it).
package tokencache

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/hoga-trade/hoga/internal/atomicfile"
	"github.com/hoga-trade/hoga/internal/redact"
)

// Token is an access token with what is needed to decide when to renew it.
// Its Value is a redact.Secret like every key and token in hoga, so no fmt
// verb prints it (on disk it is the plain string).
// A Token with an empty Value but a set IssuedAt records that a token was
// issued at that time and later dropped (rejected by the broker), so the
// issuance throttle is still respected after a restart.
type Token struct {
	Value    redact.Secret `json:"value"`
	Expiry   time.Time     `json:"expiry"`
	IssuedAt time.Time     `json:"issued_at"`
}

// LogValue shows the token's times but never its value.
func (t Token) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("value", t.redacted()),
		slog.Time("expiry", t.Expiry),
		slog.Time("issued_at", t.IssuedAt),
	)
}

// String keeps the value out of fmt output too (%v, %+v).
func (t Token) String() string {
	return fmt.Sprintf("Token{value:%s expiry:%s issued_at:%s}",
		t.redacted(), t.Expiry.Format(time.RFC3339), t.IssuedAt.Format(time.RFC3339))
}

func (t Token) redacted() string {
	if t.Value == "" {
		return "empty"
	}
	return "redacted"
}

// GoString keeps the value out of %#v.
func (t Token) GoString() string { return t.String() }

// Format prints String for every verb: %d and %x would otherwise print the
// struct field by field.
func (t Token) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, t.String()) }

// Cache is a directory of token files, one per key. It is safe for
// concurrent use within a process; across processes each write is atomic,
// and the last writer wins.
type Cache struct {
	dir string
	mu  sync.Mutex
}

// New returns a cache kept in dir. The directory is created on the first
// Save, so a read-only start (Load with nothing saved) touches nothing.
func New(dir string) *Cache {
	return &Cache{dir: dir}
}

// Dir is the directory the cache writes to.
func (c *Cache) Dir() string { return c.dir }

// Load returns the token saved under key. A missing file is not an error:
// it reports false. A file that cannot be parsed is an error; the caller
// should treat it as missing and issue a new token (Save overwrites it).
func (c *Cache) Load(key string) (Token, bool, error) {
	path, err := c.path(key)
	if err != nil {
		return Token{}, false, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Token{}, false, nil
	}
	if err != nil {
		return Token{}, false, fmt.Errorf("tokencache: read %s: %w", key, err)
	}
	var t Token
	if err := json.Unmarshal(b, &t); err != nil {
		return Token{}, false, fmt.Errorf("tokencache: %s is corrupt: %w", key, err)
	}
	return t, true, nil
}

// Save writes the token under key atomically with mode 0600, creating the
// directory (0700) if needed.
func (c *Cache) Save(key string, t Token) error {
	path, err := c.path(key)
	if err != nil {
		return err
	}
	b, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("tokencache: encode %s: %w", key, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return fmt.Errorf("tokencache: create %s: %w", c.dir, err)
	}
	if err := atomicfile.WriteFile(path, b, 0o600); err != nil {
		return fmt.Errorf("tokencache: save %s: %w", key, err)
	}
	return nil
}

// Delete removes the token saved under key; a missing one is not an error.
func (c *Cache) Delete(key string) error {
	path, err := c.path(key)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("tokencache: delete %s: %w", key, err)
	}
	return nil
}

// path maps a key to its file. Keys are restricted to a safe alphabet so a
// key can never name a file outside the directory.
func (c *Cache) path(key string) (string, error) {
	if key == "" || len(key) > 128 {
		return "", fmt.Errorf("tokencache: key must be 1–128 characters")
	}
	for i := 0; i < len(key); i++ {
		ch := key[i]
		switch {
		case ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z', ch >= '0' && ch <= '9', ch == '-', ch == '_':
		default:
			return "", fmt.Errorf("tokencache: key %q may hold only letters, digits, '-' and '_'", key)
		}
	}
	return filepath.Join(c.dir, key+".json"), nil
}
