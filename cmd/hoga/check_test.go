package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/bot/telegramtest"
	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/internal/redact"
)

// hogaRun runs the program as main would, with env as the whole
// environment, and returns what it printed and its exit status.
func hogaRun(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	var out, errOut bytes.Buffer
	getenv := func(k string) string { return env[k] }
	err := run(t.Context(), args, getenv, strings.NewReader(""), &out, &errOut)
	status = exitCode(err, &errOut)
	return out.String(), errOut.String(), status
}

// checkRun is hogaRun with English lines unless env sets HOGA_LANG: the
// tests below read the English; TestCheckInKorean the default.
func checkRun(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	if _, set := env["HOGA_LANG"]; !set {
		env = maps.Clone(env)
		env["HOGA_LANG"] = "en"
	}
	return hogaRun(t, env, args...)
}

// checkLines splits check output into "STATUS name" → full line.
func checkLine(t *testing.T, out, name string) string {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if len(l) > 5 && strings.HasPrefix(l[5:], name+":") {
			return l
		}
	}
	t.Fatalf("no %q line in:\n%s", name, out)
	return ""
}

func TestCheckPaperConsole(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out, errOut, status := checkRun(t, map[string]string{"HOGA_DATA_DIR": dir, "HOGA_PAPER_SEED": "7"}, "check")
	if status != 0 {
		t.Fatalf("status %d\nstdout:\n%s\nstderr:\n%s", status, out, errOut)
	}
	want := []string{
		"OK   settings: valid (environment); max 1,000,000 won per order, 20 orders a day",
		"OK   store: data dir " + dir + " writable, journal hoga.db (schema v",
		"OK   broker paper: simulated exchange, 005930 = ",
		"--   telegram: not configured (console mode)",
		"--   http: off",
		"--   rules: not configured (HOGA_RULES_FILE is empty; /rule add still works)",
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), out)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d = %q, want prefix %q", i, lines[i], w)
		}
	}
	if !strings.Contains(lines[2], " won, account cash 10,000,000 won") {
		t.Errorf("broker line %q lacks the quote and the paper account's cash", lines[2])
	}
	// The paper account belongs to a running hoga: a check must not write it.
	if _, err := os.Stat(filepath.Join(dir, "paper.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("check wrote the paper state file (stat: %v)", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "hoga.db")); err != nil {
		t.Errorf("check did not open the journal: %v", err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".hoga-check-*"))
	if len(left) > 0 {
		t.Errorf("check left its probe file behind: %v", left)
	}
}

func TestCheckArguments(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		args   []string
		env    map[string]string
		status int
		text   string // in stdout+stderr
	}{
		{"help", []string{"check", "-h"}, nil, 0, "usage: hoga check"},
		{"extra_argument", []string{"check", "now"}, nil, 2, "takes no arguments"},
		{"bad_flag", []string{"check", "-fast"}, nil, 2, "flag provided but not defined"},
		{"zero_timeout", []string{"check", "-timeout", "0s"}, nil, 2, "-timeout must be positive"},
		{"zero_timeout_ko", []string{"check", "-timeout", "0s"}, map[string]string{"HOGA_LANG": "ko"}, 2, "-timeout 은 0 보다 커야 합니다"},
		{"extra_argument_ko", []string{"check", "now"}, map[string]string{"HOGA_LANG": "ko"}, 2, "hoga check 는 인자를 받지 않습니다"},
		{"help_ko", []string{"check", "-h"}, map[string]string{"HOGA_LANG": "ko"}, 0, "사용법: hoga check"},
		{"invalid_settings", []string{"check"}, map[string]string{"HOGA_BROKER": "ebest", "HOGA_MAX_DAILY_ORDERS": "many"}, 2, "HOGA_BROKER=\"ebest\": must be paper, kis or kiwoom"},
		// Docker reserves exit 2 for health checks: every failure is 1.
		{"healthcheck_without_http", []string{"healthcheck"}, nil, 1, "set HOGA_HTTP_ADDR"},
		{"healthcheck_argument", []string{"healthcheck", "now"}, nil, 1, "usage: hoga healthcheck"},
		{"healthcheck_bad_settings", []string{"healthcheck"}, map[string]string{"HOGA_HTTP_ADDR": "8080"}, 1, "must be host:port"},
		// What start-up refuses, check refuses with the same words (issue 12.11).
		{"short_http_token", []string{"check"}, map[string]string{"HOGA_HTTP_ADDR": "127.0.0.1:0", "HOGA_HTTP_TOKEN": "short"}, 2, "HOGA_HTTP_TOKEN must be at least 16 characters"},
		{"port_out_of_range", []string{"check"}, map[string]string{"HOGA_HTTP_ADDR": "127.0.0.1:99999"}, 2, `HOGA_HTTP_ADDR="127.0.0.1:99999": the port must be a number from 0 to 65535`},
		{"port_out_of_range_ko", []string{"check"}, map[string]string{"HOGA_HTTP_ADDR": "127.0.0.1:99999", "HOGA_LANG": "ko"}, 2, `HOGA_HTTP_ADDR="127.0.0.1:99999": 포트는 0 에서 65535 사이의 숫자여야 합니다`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{"HOGA_DATA_DIR": t.TempDir()}
			for k, v := range tc.env {
				env[k] = v
			}
			out, errOut, status := checkRun(t, env, tc.args...)
			if status != tc.status || !strings.Contains(out+errOut, tc.text) {
				t.Errorf("status %d, want %d; want %q in:\n%s%s", status, tc.status, tc.text, out, errOut)
			}
			if tc.name == "invalid_settings" && out != "" {
				t.Errorf("invalid settings printed check lines:\n%s", out)
			}
		})
	}
}

func TestCheckStoreNotWritable(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	dataDir := filepath.Join(file, "data") // under a regular file: never creatable, even as root
	out, errOut, status := checkRun(t, map[string]string{"HOGA_DATA_DIR": dataDir}, "check")
	if status != 1 {
		t.Fatalf("status %d, want 1\n%s%s", status, out, errOut)
	}
	line := checkLine(t, out, "store")
	if !strings.HasPrefix(line, "FAIL store: data dir "+dataDir) || !strings.HasSuffix(line, "— check HOGA_DATA_DIR and that the user hoga runs as may write there") {
		t.Errorf("store line = %q", line)
	}
	if !strings.Contains(errOut, "1 of 6 checks failed") {
		t.Errorf("stderr = %q, want the failure count", errOut)
	}
}

func TestCheckRules(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	write := func(path, text string) {
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(good, "rules:\n  - code: \"005930\"\n    buy_below: 65000\n    sell_above: 75000\n    qty: 10\n  - code: \"000660\"\n    sell_above: 300000\n    qty: 1\n")
	withExits := filepath.Join(dir, "exits.yaml")
	write(withExits, "rules:\n  - code: \"005930\"\n    buy_below: 190000\n    qty: 3\nexits:\n  - code: \"000660\"\n    stop: -5%\n    take: +10%\n    trail: 3%\n")
	write(bad, "rules:\n  - code: \"005930\"\n    buy_belw: 65000\n    qty: 10\n  - code: \"000660\"\n    qty: 0\n    sell_above: 1\n")
	for _, tc := range []struct {
		name, file string
		want       []string
	}{
		{"valid", good, []string{"OK   rules: " + good + ": 2 rules"}},
		{"with_exits", withExits, []string{"OK   rules: " + withExits + ": 1 rules, 3 exits"}},
		{"invalid", bad, []string{"FAIL rules: " + bad + ":3", "\n       " + bad + ":", "— fix the file (format: deploy/rules.example.yaml)"}},
		{"missing", filepath.Join(dir, "none.yaml"), []string{"FAIL rules: ", "no such file", "— check HOGA_RULES_FILE (a relative path starts from "}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, errOut, status := checkRun(t, map[string]string{"HOGA_DATA_DIR": t.TempDir(), "HOGA_RULES_FILE": tc.file}, "check")
			wantStatus := 1
			if tc.name == "valid" || tc.name == "with_exits" {
				wantStatus = 0
			}
			if status != wantStatus {
				t.Errorf("status %d, want %d\n%s%s", status, wantStatus, out, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("want %q in:\n%s", w, out)
				}
			}
		})
	}
}

// telegramEnv is the settings for a check against the fake Bot API.
func telegramEnv(t *testing.T, tg *telegramtest.Server, token string, extra ...string) map[string]string {
	env := map[string]string{
		"HOGA_DATA_DIR":               t.TempDir(),
		"HOGA_TELEGRAM_TOKEN":         token,
		"HOGA_TELEGRAM_API_URL":       tg.URL,
		"HOGA_TELEGRAM_ALLOWED_USERS": "42",
	}
	for i := 0; i+1 < len(extra); i += 2 {
		env[extra[i]] = extra[i+1]
	}
	return env
}

func TestCheckTelegram(t *testing.T) {
	t.Parallel()
	const token = "7000000001:AAEhoga-test-token"
	for _, tc := range []struct {
		name   string
		setup  func(*telegramtest.Server)
		token  string
		env    []string
		status int
		line   string
	}{
		{
			name: "group_alert_chat",
			setup: func(s *telegramtest.Server) {
				s.AddChat(telegramtest.Chat{ID: -1001234, Type: "supergroup", Title: "hoga 알림"})
			},
			env:  []string{"HOGA_TELEGRAM_ALERT_CHAT", "-1001234"},
			line: `OK   telegram: @hoga_bot, alerts to alert chat "hoga 알림" reachable`,
		},
		{
			name: "forum_topic",
			setup: func(s *telegramtest.Server) {
				s.AddChat(telegramtest.Chat{ID: -1001234, Type: "supergroup", Title: "hoga", IsForum: true})
			},
			env:  []string{"HOGA_TELEGRAM_ALERT_CHAT", "-1001234:7"},
			line: `OK   telegram: @hoga_bot, alerts to alert chat "hoga" topic 7 (not verified: that would need a message) reachable`,
		},
		{
			name: "topic_in_plain_group",
			setup: func(s *telegramtest.Server) {
				s.AddChat(telegramtest.Chat{ID: -1001234, Type: "supergroup", Title: "hoga"})
			},
			env:    []string{"HOGA_TELEGRAM_ALERT_CHAT", "-1001234:7"},
			status: 1,
			line:   `FAIL telegram: @hoga_bot ok, but alert chat "hoga" is not a forum group, so it has no topic 7 — drop ":7" from HOGA_TELEGRAM_ALERT_CHAT, or turn on Topics in the group's settings`,
		},
		{
			name: "private_chats_of_allowed_users",
			setup: func(s *telegramtest.Server) {
				s.AddChat(telegramtest.Chat{ID: 42, Type: "private", FirstName: "owner"})
			},
			line: `OK   telegram: @hoga_bot, alerts to user 42 reachable`,
		},
		{
			name:   "wrong_token",
			token:  "7000000001:wrong",
			status: 1,
			line:   `FAIL telegram: getMe: 401 Unauthorized — check HOGA_TELEGRAM_TOKEN (from @BotFather)`,
		},
		{
			name:   "alert_group_unknown",
			env:    []string{"HOGA_TELEGRAM_ALERT_CHAT", "-1009999"},
			status: 1,
			line:   `FAIL telegram: @hoga_bot ok, but alert chat -1009999: 400 Bad Request: chat not found — add @hoga_bot to the group, and check HOGA_TELEGRAM_ALERT_CHAT (group ids start with -100)`,
		},
		{
			name:   "user_never_started_the_bot",
			status: 1,
			line:   `FAIL telegram: @hoga_bot ok, but user 42: 400 Bad Request: chat not found — user 42 must open t.me/hoga_bot and press Start once (or set HOGA_TELEGRAM_ALERT_CHAT)`,
		},
		{
			name: "bot_removed_from_group",
			setup: func(s *telegramtest.Server) {
				s.AddChat(telegramtest.Chat{ID: -1001234, Type: "supergroup", Title: "hoga"})
				s.Forbid(-1001234)
			},
			env:    []string{"HOGA_TELEGRAM_ALERT_CHAT", "-1001234"},
			status: 1,
			line:   `FAIL telegram: @hoga_bot ok, but alert chat -1001234: 403 Forbidden: bot was kicked from the group chat — the bot was removed from the group: add @hoga_bot again`,
		},
		{
			name:   "group_migrated",
			setup:  func(s *telegramtest.Server) { s.Migrate(-4321, -1004321) },
			env:    []string{"HOGA_TELEGRAM_ALERT_CHAT", "-4321"},
			status: 1,
			line:   `FAIL telegram: @hoga_bot ok, but alert chat -4321: 400 Bad Request: group chat was upgraded to a supergroup chat — the group became a supergroup: set HOGA_TELEGRAM_ALERT_CHAT=-1004321`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tg := telegramtest.Start(telegramtest.Config{Token: token})
			t.Cleanup(tg.Close)
			if tc.setup != nil {
				tc.setup(tg)
			}
			use := token
			if tc.token != "" {
				use = tc.token
			}
			out, errOut, status := checkRun(t, telegramEnv(t, tg, use, tc.env...), "check")
			if status != tc.status {
				t.Errorf("status %d, want %d\n%s%s", status, tc.status, out, errOut)
			}
			if got := checkLine(t, out, "telegram"); got != tc.line {
				t.Errorf("telegram line\n got %s\nwant %s", got, tc.line)
			}
			for _, c := range tg.Calls() {
				if c.Method != "getMe" && c.Method != "getChat" {
					t.Errorf("check called %s: it must send nothing", c.Method)
				}
			}
			if strings.Contains(out+errOut, "AAEhoga-test-token") {
				t.Error("the bot token reached the output")
			}
		})
	}
}

func TestCheckTelegramUnreachable(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	env := map[string]string{
		"HOGA_DATA_DIR":               t.TempDir(),
		"HOGA_TELEGRAM_TOKEN":         "7000000001:AAEsecret",
		"HOGA_TELEGRAM_API_URL":       "http://" + addr,
		"HOGA_TELEGRAM_ALLOWED_USERS": "42",
	}
	out, _, status := checkRun(t, env, "check")
	line := checkLine(t, out, "telegram")
	want := "FAIL telegram: getMe: cannot reach " + addr + ": "
	if status != 1 || !strings.HasPrefix(line, want) || !strings.HasSuffix(line, "— check this machine's internet access to "+addr+" and HOGA_TELEGRAM_API_URL") {
		t.Errorf("status %d, line %q", status, line)
	}
	if strings.Contains(out, "AAEsecret") {
		t.Error("the bot token reached the output")
	}
}

// answers are what the shared test broker (brokertest.Broker) gives a
// check: a token valid until expiry, or refused with tokenErr; 005930 at
// 71,500원, or quoteErr (block: no answer until the check gives up); a
// cash of 9,812,000원, with balErr beside it.
type answers struct {
	expiry                     time.Time
	tokenErr, quoteErr, balErr error
	block                      bool
}

// broker is the test broker named name giving a's answers. The test fails
// if anything orders or cancels through it.
func (a answers) broker(t *testing.T, name string) *brokertest.Broker {
	b := brokertest.NewBroker(name, nil)
	b.SetToken(a.expiry, a.tokenErr)
	b.SetQuote(broker.Quote{Code: "005930", Name: "삼성전자", Price: 71500})
	b.SetBalance(broker.Balance{Cash: 9_812_000})
	b.Fail("quote", a.quoteErr)
	b.FailAfter("balance", a.balErr)
	if a.block {
		b.OnQuote(func(ctx context.Context, _ broker.Code) error {
			<-ctx.Done()
			return &broker.Error{Kind: broker.Transient, Msg: "request cancelled", Err: ctx.Err()}
		})
	}
	t.Cleanup(func() {
		if n := b.Calls("place", "cancel"); n > 0 {
			t.Errorf("hoga check placed or cancelled %d orders", n)
		}
	})
	return b
}

// brokerCheck runs only the broker check against fb with settings cfg.
func brokerCheck(t *testing.T, cfg *Config, fb *brokertest.Broker, timeout time.Duration) string {
	t.Helper()
	c := newChecker(cfg, slog.New(slog.DiscardHandler), timeout)
	c.lang = bot.English // the English lines; TestCheckInKorean has the default
	released := false
	c.openBroker = func(context.Context) (broker.Broker, func(), error) {
		return fb, func() { released = true }, nil
	}
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	res := c.checkBroker(ctx)
	if !released {
		t.Error("the broker was not released")
	}
	return fmt.Sprintf("%-4s %s: %s", res.Status, c.brokerLabel(), res.Detail)
}

func kisConfig(t *testing.T, extra map[string]string) *Config {
	t.Helper()
	env := map[string]string{
		"HOGA_BROKER":         "kis",
		"HOGA_KIS_APP_KEY":    "PSkey",
		"HOGA_KIS_APP_SECRET": "secret",
		"HOGA_KIS_ACCOUNT":    "12345678-01",
	}
	for k, v := range extra {
		env[k] = v
	}
	cfg, err := loadConfig(func(k string) string { return env[k] }, nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestCheckBroker(t *testing.T) {
	t.Parallel()
	expiry := time.Date(2025, 11, 25, 23, 10, 0, 0, time.UTC) // 11-26 08:10 in Seoul
	for _, tc := range []struct {
		name  string
		fb    answers
		extra map[string]string
		line  string
		calls []string
	}{
		{
			name:  "ok",
			fb:    answers{expiry: expiry},
			line:  "OK   broker kis (mock): token valid until 11-26 08:10 KST, 005930 = 71,500 won, account cash 9,812,000 won",
			calls: []string{"token", "quote 005930", "balance"},
		},
		{
			name:  "keys_refused",
			fb:    answers{tokenErr: &broker.Error{Kind: broker.Auth, Code: "EGW00103", Msg: "유효하지 않은 AppKey입니다."}},
			line:  "FAIL broker kis (mock): token: auth [EGW00103]: 유효하지 않은 AppKey입니다. — check HOGA_KIS_APP_KEY and HOGA_KIS_APP_SECRET (mock and live apps have different keys; HOGA_MODE=mock)",
			calls: []string{"token"},
		},
		{
			name:  "token_throttled",
			fb:    answers{tokenErr: &broker.Error{Kind: broker.RateLimited, Code: "EGW00133", Msg: "접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)"}},
			line:  "FAIL broker kis (mock): token: rate_limited [EGW00133]: 접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회) — the broker is limiting requests (KIS issues one token a minute): wait a minute and run hoga check again",
			calls: []string{"token"},
		},
		{
			name:  "network",
			fb:    answers{quoteErr: &broker.Error{Kind: broker.Transient, Msg: "dial tcp: connection refused"}},
			extra: map[string]string{"HOGA_KIS_BASE_URL": "https://proxy.example:9443"},
			line:  "FAIL broker kis (mock): quote 005930: transient: dial tcp: connection refused — cannot talk to the broker: check this machine's internet access and firewall and HOGA_KIS_BASE_URL",
			calls: []string{"token", "quote 005930"},
		},
		{
			name:  "wrong_account",
			fb:    answers{expiry: expiry, balErr: &broker.Error{Kind: broker.Invalid, Code: "OPSQ2000", Msg: "ERROR : INPUT INVALID_CHECK_ACNO"}},
			extra: map[string]string{"HOGA_MODE": "live", "HOGA_TELEGRAM_ALLOWED_USERS": "42"},
			line:  "FAIL broker kis (live): token valid until 11-26 08:10 KST, 005930 = 71,500 won; balance: invalid [OPSQ2000]: ERROR : INPUT INVALID_CHECK_ACNO — check HOGA_KIS_ACCOUNT (12345678-01) and that HOGA_MODE matches the account",
			calls: []string{"token", "quote 005930", "balance"},
		},
		{
			name:  "unclassified",
			fb:    answers{quoteErr: errors.New("kis: malformed answer")},
			line:  "FAIL broker kis (mock): quote 005930: kis: malformed answer",
			calls: []string{"token", "quote 005930"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fb := tc.fb.broker(t, "kis")
			got := brokerCheck(t, kisConfig(t, tc.extra), fb, 5*time.Second)
			if got != tc.line {
				t.Errorf("\n got %s\nwant %s", got, tc.line)
			}
			if !slices.Equal(fb.CallLog(), tc.calls) {
				t.Errorf("calls %v, want %v", fb.CallLog(), tc.calls)
			}
		})
	}
}

func TestCheckKiwoomHints(t *testing.T) {
	t.Parallel()
	env := map[string]string{"HOGA_BROKER": "kiwoom", "HOGA_KIWOOM_APP_KEY": "k", "HOGA_KIWOOM_SECRET_KEY": "s"}
	cfg, err := loadConfig(func(k string) string { return env[k] }, nil)
	if err != nil {
		t.Fatal(err)
	}
	fb := answers{quoteErr: &broker.Error{Kind: broker.Auth, Code: "8050", Msg: "지정단말기 인증에 실패하였습니다"}}.broker(t, "kiwoom")
	got := brokerCheck(t, cfg, fb, 5*time.Second)
	want := "FAIL broker kiwoom (mock): quote 005930: auth [8050]: 지정단말기 인증에 실패하였습니다 — check HOGA_KIWOOM_APP_KEY and HOGA_KIWOOM_SECRET_KEY (mock and live keys differ; HOGA_MODE=mock) and that this machine's public IP is registered at openapi.kiwoom.com"
	if got != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
}

func TestCheckTimesOut(t *testing.T) {
	t.Parallel()
	cfg := kisConfig(t, nil)
	c := newChecker(cfg, slog.New(slog.DiscardHandler), 50*time.Millisecond)
	c.lang = bot.English // the English lines; TestCheckInKorean has the default
	// The broker's check gets a context already past its deadline; the
	// others none: nothing here depends on how fast a step runs (issue
	// 12.16: a 50 ms timer ran out on SQLite on a busy machine).
	c.bounded = func(ctx context.Context, check string) (context.Context, context.CancelFunc) {
		if strings.HasPrefix(check, "broker") {
			return context.WithDeadline(ctx, time.Now().Add(-time.Second))
		}
		return context.WithCancel(ctx)
	}
	fb := answers{block: true}.broker(t, "kis")
	c.openBroker = func(context.Context) (broker.Broker, func(), error) { return fb, func() {}, nil }
	c.loadRules = func(string) (int, int, error) { return 0, 0, errors.New("not reached: no rules file") }
	cfg.DataDir = t.TempDir()
	var out bytes.Buffer
	err := c.run(t.Context(), &out)
	var failed *checkFailedError
	if !errors.As(err, &failed) || failed.failed != 1 {
		t.Fatalf("err = %v, want a failed check", err)
	}
	line := checkLine(t, out.String(), "broker kis (mock)")
	want := "FAIL broker kis (mock): timed out after 50ms: quote 005930: transient: request cancelled: context deadline exceeded — no answer in time: check this machine's internet access, firewall and proxy"
	if line != want {
		t.Errorf("\n got %s\nwant %s", line, want)
	}
}

func TestCheckBrokerSetupFails(t *testing.T) {
	t.Parallel()
	cfg := kisConfig(t, nil)
	c := newChecker(cfg, slog.New(slog.DiscardHandler), time.Second)
	c.lang = bot.English // the English lines; TestCheckInKorean has the default
	c.openBroker = func(context.Context) (broker.Broker, func(), error) {
		return nil, nil, errors.New(`broker "kis" is not available in this build`)
	}
	res := c.checkBroker(t.Context())
	if res.Status != checkFail || res.Detail != `setup: broker "kis" is not available in this build` {
		t.Errorf("got %+v", res)
	}
}

// TestKSTWhateverTheHostZone runs itself again in a process whose local
// zone is New York, where 23:10 UTC is still the previous evening: what
// hoga shows must be Seoul's next morning.
func TestKSTWhateverTheHostZone(t *testing.T) {
	if os.Getenv("HOGA_TEST_TZ_CHILD") == "1" {
		kstInChild(t)
		return
	}
	t.Parallel()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestKSTWhateverTheHostZone$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "HOGA_TEST_TZ_CHILD=1", "TZ=America/New_York")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestKSTWhateverTheHostZone") {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

func kstInChild(t *testing.T) {
	instant := time.Date(2025, 11, 25, 23, 10, 0, 0, time.UTC)
	if got := instant.In(time.Local).Format("01-02 15:04"); got != "11-25 18:10" {
		t.Fatalf("the child's local zone is not New York: %s", got)
	}
	if got := kstStamp(instant); got != "11-26 08:10 KST" {
		t.Errorf("kstStamp = %q, want 11-26 08:10 KST", got)
	}
	fb := answers{expiry: instant}.broker(t, "kis")
	line := brokerCheck(t, kisConfig(t, nil), fb, 5*time.Second)
	if !strings.Contains(line, "token valid until 11-26 08:10 KST") {
		t.Errorf("check line %q does not show Seoul time", line)
	}
	// Friday evening in New York is Saturday morning in Seoul: no trading.
	// Sunday evening in New York is Monday 10:00 in Seoul: the market is open.
	cal, err := broker.NewCalendar(nil)
	if err != nil {
		t.Fatal(err)
	}
	friday := time.Date(2025, 11, 28, 18, 10, 0, 0, time.Local)
	sunday := time.Date(2025, 11, 30, 20, 0, 0, 0, time.Local)
	if cal.IsTradingDay(friday) {
		t.Errorf("%s (New York) counted as a trading day; it is Saturday in Seoul", friday)
	}
	if !cal.AcceptsOrders(sunday) {
		t.Errorf("%s (New York) refused; it is Monday 10:00 in Seoul", sunday)
	}
}

func TestHealthcheck(t *testing.T) {
	t.Parallel()
	healthy := true
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		if !healthy {
			http.Error(w, "broker: token expired", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ok\n")
	}))
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	env := map[string]string{"HOGA_HTTP_ADDR": "0.0.0.0:" + port, "HOGA_HTTP_TOKEN": "healthcheck-token-0123456789"}
	out, errOut, status := hogaRun(t, env, "healthcheck")
	if status != 0 || strings.TrimSpace(out) != "ok ok" {
		t.Errorf("healthy: status %d, out %q, err %q", status, out, errOut)
	}
	mu.Lock()
	healthy = false
	mu.Unlock()
	_, errOut, status = hogaRun(t, env, "healthcheck")
	if status != 1 || !strings.Contains(errOut, "503 Service Unavailable: broker: token expired") {
		t.Errorf("unhealthy: status %d, err %q", status, errOut)
	}
}

func TestHealthURL(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]string{
		"127.0.0.1:8080": "http://127.0.0.1:8080/healthz",
		":8080":          "http://127.0.0.1:8080/healthz",
		"0.0.0.0:9000":   "http://127.0.0.1:9000/healthz",
		"[::]:9000":      "http://127.0.0.1:9000/healthz",
		"[::1]:9000":     "http://[::1]:9000/healthz",
		"localhost:80":   "http://localhost:80/healthz",
	} {
		if got := healthURL(addr); got != want {
			t.Errorf("healthURL(%q) = %q, want %q", addr, got, want)
		}
	}
}

// The http line binds the address as start-up would: a free port is OK, a
// taken one FAILs with what to do (issue 12.11).
func TestCheckHTTP(t *testing.T) {
	t.Parallel()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { taken.Close() }) // the subtests run after this function returns
	// Another program: it takes connections and says nothing.
	go func() {
		for {
			conn, err := taken.Accept()
			if err != nil {
				return
			}
			conn.Close()
		}
	}()
	// A running hoga on its port: hoga check beside the service failed
	// with exit 1 here (issue 12, deploy walk).
	running := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			_, _ = io.WriteString(w, `{"status":"ok"}`)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(running.Close)
	runAddr := strings.TrimPrefix(running.URL, "http://")
	for _, tc := range []struct {
		name, addr, token string
		want              string
	}{
		{"off", "", "", "--   http: off"},
		{"free", "127.0.0.1:0", "0123456789abcdef0123", "OK   http: 127.0.0.1:0 is free to listen on; bearer token set"},
		{"taken", taken.Addr().String(), "", "FAIL http: cannot listen on " + taken.Addr().String()},
		{"running_hoga", runAddr, "0123456789abcdef0123", "OK   http: " + runAddr + " is held by the running hoga (its /healthz answers); bearer token set"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := kisConfig(t, nil)
			cfg.HTTPAddr, cfg.HTTPToken = tc.addr, redact.Secret(tc.token)
			c := newChecker(cfg, slog.New(slog.DiscardHandler), time.Second)
			c.lang = bot.English // the English lines; TestCheckInKorean has the default
			res := c.checkHTTP(t.Context())
			line := fmt.Sprintf("%-4s http: %s", res.Status, res.Detail)
			if !strings.HasPrefix(line, tc.want) {
				t.Errorf("got %q, want prefix %q", line, tc.want)
			}
		})
	}
}

// hoga check speaks the owner's language as every other part of hoga does
// (issue 12: its lines were English only, and setup printed them under a
// Korean heading): Korean by default, each check named and each line
// worded in Korean, the status word (OK, FAIL, --) as it is for scripts;
// the rules file's problems as a start says them; the failure count too.
func TestCheckInKorean(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rules := filepath.Join(dir, "rules.yaml")
	if err := os.WriteFile(rules, []byte("rules:\n  - code: \"005930\"\n    qty: three\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, status := hogaRun(t, map[string]string{"HOGA_DATA_DIR": filepath.Join(dir, "data"), "HOGA_PAPER_SEED": "7", "HOGA_RULES_FILE": rules}, "check")
	if status != 1 {
		t.Fatalf("status %d, want 1\n%s%s", status, out, errOut)
	}
	for _, want := range []string{
		"OK   설정: 유효함 (환경 변수); 주문 1회 최대 1,000,000원, 하루 20건\n",
		"OK   저장소: 데이터 폴더 ",
		"OK   증권사 paper: 가상 거래소, 005930 = ",
		"--   텔레그램: 설정 안 됨 (콘솔 모드)\n",
		"--   HTTP API: 꺼짐 (켜려면 HOGA_HTTP_ADDR",
		`FAIL 규칙 파일: ` + rules + `:3:10: qty 의 "three" 는 정수가 아닙니다.`,
		"— 파일을 고치세요 (형식: deploy/rules.example.yaml)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "검사 6개 중 1개 실패") {
		t.Errorf("stderr = %q, want the failure count in Korean", errOut)
	}
	// Outside paths, setting names and quoted values, no English words.
	plain := regexp.MustCompile(`/\S*|HOGA_[A-Z_]+|"[^"]*"|\([^()]*\)`).ReplaceAllString(out, "")
	if w := regexp.MustCompile(`\b(valid|not|configured|data|dir|writable|journal|simulated|exchange|account|cash|off|rules|check|fix|the|file)\b`).FindString(plain); w != "" {
		t.Errorf("Korean check output carries English %q:\n%s", w, out)
	}

	// A refused key, an unreachable Telegram: what to do in Korean too.
	cfg := kisConfig(t, nil)
	cfg.lang = bot.Korean
	fb := answers{quoteErr: &broker.Error{Kind: broker.Auth, Code: "EGW00103", Msg: "유효하지 않은 AppKey입니다."}}.broker(t, "kis")
	line := brokerCheckLang(t, cfg, fb)
	if !strings.Contains(line, "HOGA_KIS_APP_KEY 와 HOGA_KIS_APP_SECRET 을 확인하세요 (모의투자와 실전 앱은 키가 다릅니다") {
		t.Errorf("broker line: %s", line)
	}
}

// brokerCheckLang is brokerCheck in cfg's language.
func brokerCheckLang(t *testing.T, cfg *Config, fb *brokertest.Broker) string {
	t.Helper()
	c := newChecker(cfg, slog.New(slog.DiscardHandler), time.Second)
	c.openBroker = func(context.Context) (broker.Broker, func(), error) { return fb, func() {}, nil }
	return c.checkBroker(t.Context()).Detail
}

// Both languages have every check text, with the same formatting verbs
// (in any order: "%[2]d개 중 %[1]d개" puts them the Korean way).
func TestCheckCatalogComplete(t *testing.T) {
	t.Parallel()
	catalogComplete(t, checkTexts)
}
