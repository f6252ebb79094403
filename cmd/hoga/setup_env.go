package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
	"unicode"

	"github.com/hoga-trade/hoga/internal/atomicfile"
)

// setting is one KEY=VALUE line setup writes.
type setting struct{ key, value string }

// dotEnvValue quotes a value so parseDotEnv reads it back unchanged.
func dotEnvValue(v string) (string, error) {
	if strings.ContainsAny(v, "\r\n") {
		return "", errors.New("a value may not span lines")
	}
	if len(v) > 4096 {
		return "", errors.New("a value may not be longer than 4096 bytes")
	}
	if !strings.ContainsAny(v, "#\"'") && !strings.ContainsFunc(v, unicode.IsSpace) {
		return v, nil
	}
	if !strings.Contains(v, `"`) {
		return `"` + v + `"`, nil
	}
	if !strings.Contains(v, "'") {
		return "'" + v + "'", nil
	}
	return "", errors.New("a value may not hold both kinds of quotes")
}

// backupName is where an existing .env is kept: .env.bak-20261205-151500
// (a second backup in the same second gets a number).
func backupName(path string, now time.Time) string {
	base := path + ".bak-" + now.Format("20060102-150405")
	name := base
	for i := 2; ; i++ {
		if _, err := os.Lstat(name); errors.Is(err, os.ErrNotExist) {
			return name
		}
		name = fmt.Sprintf("%s-%d", base, i)
	}
}

// mergeDotEnv returns old's lines with the keys in set replaced in place
// and the rest of set appended, under a header saying who wrote it. Lines
// setup does not own (comments, other settings) are kept as they were.
func mergeDotEnv(old []byte, set []setting, now time.Time) ([]byte, error) {
	var b bytes.Buffer
	want := map[string]string{}
	var order []string
	for _, s := range set {
		v, err := dotEnvValue(s.value)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.key, err)
		}
		if _, dup := want[s.key]; !dup {
			order = append(order, s.key)
		}
		want[s.key] = v
	}
	fmt.Fprintf(&b, "# Written by hoga setup on %s. Every setting: hoga config, or .env.example.\n",
		now.Format("2006-01-02 15:04"))
	written := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(old))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "# Written by hoga setup on ") {
			continue // the old header
		}
		k, _, isSetting := strings.Cut(strings.TrimPrefix(trimmed, "export "), "=")
		k = strings.TrimSpace(k)
		if v, ours := want[k]; isSetting && ours && !strings.HasPrefix(trimmed, "#") {
			if !written[k] {
				fmt.Fprintf(&b, "%s=%s\n", k, v)
				written[k] = true
			}
			continue
		}
		b.WriteString(line + "\n")
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	for _, k := range order {
		if !written[k] {
			fmt.Fprintf(&b, "%s=%s\n", k, want[k])
		}
	}
	return b.Bytes(), nil
}

// writeFileAtomic writes data to path with mode 0600 (atomicfile), so a
// crash leaves the old file or the new one, never half of one, and the
// secrets are never readable by others, not even for a moment.
func writeFileAtomic(path string, data []byte) error {
	return atomicfile.WriteFile(path, data, 0o600)
}

// copyFile0600 copies an existing .env to its backup, readable by the
// owner only (the old file holds secrets too).
func copyFile0600(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
