//go:build unix

package reliability

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// expectExit launches hoga and waits for it to stop by itself within 15 s.
func (w *world) expectExit() (string, int, time.Duration) {
	w.t.Helper()
	h, logs, t0 := w.launch()
	select {
	case <-h.exited:
	case <-time.After(15 * time.Second):
		h.kill()
		w.t.Fatalf("hoga kept running\n%s", tail(logs.String()))
	}
	return logs.String(), h.cmd.ProcessState.ExitCode(), time.Since(t0)
}

// lastLine is the last non-empty line of out: the one the owner reads.
func lastLine(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return lines[len(lines)-1]
}

// TestJournalFailures: a journal hoga cannot trust ends in a clear refusal
// or exit, never an order without a record.
func TestJournalFailures(t *testing.T) {
	need(t)
	s := setup{"kis", "mock"}
	// primed is a world whose journal holds one placed order.
	primed := func(t *testing.T) *world {
		w := newWorld(t, s)
		h, _ := w.start()
		if o, ans := placeOne(t, h, "prime", 1); o != outPlaced {
			t.Fatalf("priming order: %s %+v", outcomeName(o), ans)
		}
		h.stop()
		return w
	}
	db := func(w *world) string { return filepath.Join(w.dir, "hoga.db") }

	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, path string)
	}{
		{"garbage", func(t *testing.T, p string) {
			if err := os.WriteFile(p, []byte(strings.Repeat("not a database\n", 500)), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"truncated", func(t *testing.T, p string) {
			st, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(p, st.Size()/3); err != nil {
				t.Fatal(err)
			}
		}},
		{"header overwritten", func(t *testing.T, p string) {
			f, err := os.OpenFile(p, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := f.WriteAt([]byte("SQLite format 9\x00\xff\xff"), 0); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run("corrupt/"+tc.name, func(t *testing.T) {
			w := primed(t)
			before := len(w.brokerOrders())
			tc.damage(t, db(w))
			out, code, took := w.expectExit()
			if code == 0 || !strings.Contains(lastLine(out), "hoga.db") {
				t.Fatalf("exit %d after %v; want a failure naming hoga.db:\n%s", code, took, tail(out))
			}
			if n := len(w.brokerOrders()); n != before {
				t.Fatalf("%d orders reached the broker from a hoga with a corrupt journal", n-before)
			}
			t.Logf("exit %d after %v: %s", code, took.Round(time.Millisecond), lastLine(out))
		})
	}

	t.Run("locked/another hoga", func(t *testing.T) {
		w := primed(t)
		h, _ := w.start()
		defer h.stop()
		out, code, took := w.expectExit()
		if code == 0 || !strings.Contains(out, "hoga.lock") && !strings.Contains(out, "another hoga") {
			t.Fatalf("second hoga: exit %d after %v\n%s", code, took, tail(out))
		}
		t.Logf("second hoga: exit %d after %v: %s", code, took.Round(time.Millisecond), lastLine(out))
	})

	t.Run("locked/write lock held", func(t *testing.T) {
		// Another process (sqlite3, a backup tool) holds the write lock
		// while an order comes in: hoga waits its busy timeout, then
		// refuses the order without sending it.
		w := primed(t)
		h, logs := w.start()
		defer h.stop()
		// Like any careful tool, it waits its turn for the lock: hoga
		// writes between orders too (the tracker's last-checked mark after
		// every poll), and a BEGIN EXCLUSIVE that met one of those writes
		// failed at once with SQLITE_BUSY under load.
		other, err := sql.Open("sqlite", "file:"+db(w)+"?_pragma=busy_timeout(10000)")
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		ctx := context.Background()
		conn, err := other.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
			t.Fatal(err)
		}
		before := len(w.brokerOrders())
		o, ans := placeOne(t, h, "while-locked", 2)
		if o != outRejected || w.brokerHas(2) != 0 {
			t.Fatalf("order while the journal is locked: %s %+v, at the broker %d times\n%s", outcomeName(o), ans, w.brokerHas(2), tail(logs.String()))
		}
		conn.ExecContext(ctx, "ROLLBACK")
		conn.Close()
		if o, ans := placeOne(t, h, "after-lock", 3); o != outPlaced {
			t.Fatalf("order after the lock is gone: %s %+v", outcomeName(o), ans)
		}
		if v := w.compare(); v.bad() || len(w.brokerOrders()) != before+1 {
			t.Fatalf("%+v, broker orders %d → %d", v, before, len(w.brokerOrders()))
		}
		if ans.Error == nil || !strings.Contains(ans.Error.Message, "주문을 보내지 않았습니다") {
			t.Errorf("the refusal does not say the order was not sent: %+v", ans.Error)
		} else {
			t.Logf("refused while locked: %s", ans.Error.Message)
		}
	})

	t.Run("disk full", func(t *testing.T) {
		// RLIMIT_FSIZE makes every write past the size fail with EFBIG
		// (SQLite: SQLITE_FULL), as a full disk does; Go ignores SIGXFSZ.
		w := primed(t)
		st, err := os.Stat(db(w))
		if err != nil {
			t.Fatal(err)
		}
		w.wrap = []string{"prlimit", fmt.Sprintf("--fsize=%d", st.Size()+48<<10)}
		h, logs := w.start()
		defer h.stop()
		refused := 0
		var msg string
		for q := int64(10); q < 400 && refused == 0; q++ {
			o, ans := placeOne(t, h, fmt.Sprintf("full-%d", q), q)
			if o == outRejected {
				refused++
				if ans.Error != nil {
					msg = ans.Error.Message
				}
				if w.brokerHas(q) != 0 {
					t.Fatalf("refused, but the broker has it\n%s", tail(logs.String()))
				}
			}
			if v := w.compare(); v.bad() {
				t.Fatalf("order %d: %+v\n%s", q, v, tail(logs.String()))
			}
		}
		if refused == 0 {
			t.Fatalf("the file size limit never bit\n%s", tail(logs.String()))
		}
		if !strings.Contains(msg, "주문을 보내지 않았습니다") {
			t.Errorf("the refusal does not say the order was not sent: %q", msg)
		}
		t.Logf("refused once the journal could not grow: %s", msg)
	})

	t.Run("read-only", func(t *testing.T) {
		w := primed(t)
		// As root, permissions do not bind: hoga runs as nobody over a
		// directory nobody may only read.
		if os.Geteuid() == 0 {
			for p := filepath.Dir(w.dir); p != "/"; p = filepath.Dir(p) {
				st, err := os.Stat(p)
				if err == nil && st.Mode().Perm()&0o001 == 0 {
					os.Chmod(p, st.Mode().Perm()|0o011)
				}
			}
			os.Chmod(filepath.Dir(hogaBin), 0o755)
			w.cred = &syscall.Credential{Uid: 65534, Gid: 65534}
		}
		filepath.Walk(w.dir, func(p string, fi os.FileInfo, err error) error {
			if err == nil {
				if fi.IsDir() {
					os.Chmod(p, 0o555)
				} else {
					os.Chmod(p, 0o444)
				}
			}
			return nil
		})
		defer os.Chmod(w.dir, 0o700)
		before := len(w.brokerOrders())
		out, code, took := w.expectExit()
		if code == 0 {
			t.Fatalf("hoga ran on a read-only journal\n%s", tail(out))
		}
		if n := len(w.brokerOrders()); n != before {
			t.Fatalf("%d orders reached the broker", n-before)
		}
		t.Logf("exit %d after %v: %s", code, took.Round(time.Millisecond), lastLine(out))
	})
}
