package main

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hoga-trade/hoga/bot"
)

// englishRun and notProse are bot's detector of an English sentence in a
// Korean text (bot/catalog_english_test.go): three ASCII words in a row
// once commands, settings, fmt verbs and quoted values are taken out.
var (
	englishRun = regexp.MustCompile(`[A-Za-z][A-Za-z'’-]*(?: +[A-Za-z][A-Za-z'’-]*){2,}`)
	notProse   = regexp.MustCompile(`\bhoga (paper reset|check|setup|config)\b|"[^"]*"|%(\[\d+\])?[-+# 0-9.]*[a-zA-Z]|/[a-z_]+|HOGA_[A-Z_]+|\([A-Za-z :,-]*\)`)
	hangul     = regexp.MustCompile(`\p{Hangul}`)
)

func englishIn(s string) []string {
	return englishRun.FindAllString(notProse.ReplaceAllString(s, " "), -1)
}

// Every problem loadConfig can find, said in Korean by default and in
// English with HOGA_LANG=en (issue 12, item 12): the line names the
// setting, the Korean one holds no English sentence, the English one no
// Korean beyond the names of the two kinds of account. Before, every line
// was English whatever HOGA_LANG said.
func TestConfigProblemsInTheUsersLanguage(t *testing.T) {
	t.Parallel()
	kis := []string{"HOGA_BROKER", "kis", "HOGA_KIS_APP_KEY", "k", "HOGA_KIS_APP_SECRET", "s", "HOGA_KIS_ACCOUNT", "12345678-01"}
	cases := []struct {
		key     string // the configTexts key the problem is said with
		setting string // the name the line must hold
		kv      []string
	}{
		{"field.duration", "HOGA_CONFIRM_TTL", []string{"HOGA_CONFIRM_TTL", "soon"}},
		{"field.negative", "HOGA_BROKER_TIMEOUT", []string{"HOGA_BROKER_TIMEOUT", "-1s"}},
		{"field.int", "HOGA_MAX_ORDER_KRW", []string{"HOGA_MAX_ORDER_KRW", "lots"}},
		{"field.float", "HOGA_KIS_RPS", []string{"HOGA_KIS_RPS", "fast"}},
		{"kis.keys", "HOGA_KIS_APP_SECRET", []string{"HOGA_BROKER", "kis", "HOGA_KIS_ACCOUNT", "12345678-01"}},
		{"kis.account", "HOGA_KIS_ACCOUNT", []string{"HOGA_BROKER", "kis", "HOGA_KIS_APP_KEY", "k", "HOGA_KIS_APP_SECRET", "s", "HOGA_KIS_ACCOUNT", "1234"}},
		{"kiwoom.keys", "HOGA_KIWOOM_SECRET_KEY", []string{"HOGA_BROKER", "kiwoom"}},
		{"broker", "HOGA_BROKER", []string{"HOGA_BROKER", "ebest"}},
		{"mode", "HOGA_MODE", []string{"HOGA_MODE", "real"}},
		{"paper.live", "HOGA_MODE", []string{"HOGA_MODE", "live"}},
		{"allowed.id", "HOGA_TELEGRAM_ALLOWED_USERS", []string{"HOGA_TELEGRAM_ALLOWED_USERS", "alice"}},
		{"allowed.empty", "HOGA_TELEGRAM_ALLOWED_USERS", []string{"HOGA_TELEGRAM_TOKEN", "123:abc"}},
		{"live.allowed", "HOGA_TELEGRAM_ALLOWED_USERS", append([]string{"HOGA_MODE", "live", "HOGA_TELEGRAM_TOKEN", "123:abc"}, kis...)},
		{"alert.chat", "HOGA_TELEGRAM_ALERT_CHAT", []string{"HOGA_TELEGRAM_ALERT_CHAT", "chat"}},
		{"alert.topic", "HOGA_TELEGRAM_ALERT_CHAT", []string{"HOGA_TELEGRAM_ALERT_CHAT", "-100123:x"}},
		{"keyboard.bad", "HOGA_TELEGRAM_KEYBOARD", []string{"HOGA_TELEGRAM_KEYBOARD", "/price 005930,/prise"}},
		{"keyboard.empty", "HOGA_TELEGRAM_KEYBOARD", []string{"HOGA_TELEGRAM_KEYBOARD", ", | ,"}},
		{"http.hostport", "HOGA_HTTP_ADDR", []string{"HOGA_HTTP_ADDR", "nonsense"}},
		{"http.no_token", "HOGA_HTTP_ADDR", []string{"HOGA_HTTP_ADDR", "0.0.0.0:8080"}},
		{"http.no_port", "HOGA_HTTP_ADDR", []string{"HOGA_HTTP_ADDR", "127.0.0.1:"}},
		{"http.port", "HOGA_HTTP_ADDR", []string{"HOGA_HTTP_ADDR", "127.0.0.1:99999"}},
		{"http.port", "HOGA_HTTP_ADDR", []string{"HOGA_HTTP_ADDR", "127.0.0.1:nosuchport"}},
		{"http.short", "HOGA_HTTP_TOKEN", []string{"HOGA_HTTP_ADDR", "127.0.0.1:0", "HOGA_HTTP_TOKEN", "short"}},
		{"http.spaces", "HOGA_HTTP_TOKEN", []string{"HOGA_HTTP_ADDR", "127.0.0.1:0", "HOGA_HTTP_TOKEN", "abcdefgh ijklmnopqrstu"}},
		{"max_order", "HOGA_MAX_ORDER_KRW", []string{"HOGA_MAX_ORDER_KRW", "0"}},
		{"max_daily", "HOGA_MAX_DAILY_ORDERS", []string{"HOGA_MAX_DAILY_ORDERS", "-2"}},
		{"market_hours", "HOGA_MARKET_HOURS", []string{"HOGA_MARKET_HOURS", "sometimes"}},
		{"venue", "HOGA_VENUE", []string{"HOGA_VENUE", "NYSE"}},
		{"venue.mock", "HOGA_VENUE", append([]string{"HOGA_VENUE", "nxt"}, kis...)},
		{"holiday", "HOGA_HOLIDAYS", []string{"HOGA_HOLIDAYS", "2026-05-05,tomorrow"}},
		{"log_level", "HOGA_LOG_LEVEL", []string{"HOGA_LOG_LEVEL", "loud"}},
		{"log_format", "HOGA_LOG_FORMAT", []string{"HOGA_LOG_FORMAT", "xml"}},
		{"duration", "HOGA_BROKER_TIMEOUT", []string{"HOGA_BROKER_TIMEOUT", "1ns"}},
		{"duration", "HOGA_STRATEGY_INTERVAL", []string{"HOGA_STRATEGY_INTERVAL", "2h"}},
		{"rps.max", "HOGA_KIWOOM_RPS", []string{"HOGA_KIWOOM_RPS", "1e9"}},
		{"rps.negative", "HOGA_KIS_RPS", []string{"HOGA_KIS_RPS", "-1"}},
		{"paper_cash", "HOGA_PAPER_CASH", []string{"HOGA_PAPER_CASH", "-1"}},
		{"report_time", "HOGA_REPORT_TIME", []string{"HOGA_REPORT_TIME", "25:99"}},
		{"exit_order", "HOGA_EXIT_ORDER", []string{"HOGA_EXIT_ORDER", "stop"}},
		{"confirm", "HOGA_CONFIRM", []string{"HOGA_CONFIRM", "never"}},
		{"alerts.form", "HOGA_ALERTS", []string{"HOGA_ALERTS", "orders"}},
		{"alerts.type", "HOGA_ALERTS", []string{"HOGA_ALERTS", "trades=on"}},
		{"alerts.level", "HOGA_ALERTS", []string{"HOGA_ALERTS", "orders=loud"}},
		{"url", "HOGA_KIS_BASE_URL", append([]string{"HOGA_KIS_BASE_URL", "openapivts.koreainvestment.com"}, kis...)},
		{"url", "HOGA_TELEGRAM_API_URL", []string{"HOGA_TELEGRAM_API_URL", "ftp://x"}},
	}
	seen := map[string]bool{}
	for _, tc := range cases {
		for _, lang := range []bot.Lang{bot.Korean, bot.English} {
			kv := slices.Clone(tc.kv)
			if lang == bot.English {
				kv = append(kv, "HOGA_LANG", "en")
			}
			_, err := loadConfig(env(kv...), nil)
			var ce *configError
			if !errors.As(err, &ce) {
				t.Errorf("%s %s: err %v; want a configError", tc.key, lang, err)
				continue
			}
			i := slices.Index(ce.keys, tc.key)
			if i < 0 {
				t.Errorf("%s %s: said with %v:\n%s", tc.key, lang, ce.keys, err)
				continue
			}
			seen[tc.key] = true
			line := ce.lines[i]
			if !strings.Contains(line, tc.setting) {
				t.Errorf("%s %s: the line does not name %s: %q", tc.key, lang, tc.setting, line)
			}
			if lang == bot.Korean {
				if eng := englishIn(err.Error()); len(eng) > 0 || !hangul.MatchString(line) {
					t.Errorf("%s: English %q in the Korean output:\n%s", tc.key, eng, err)
				}
			} else if k := hangul.FindAllString(strings.NewReplacer("(모의투자)", "", "(실전)", "").Replace(err.Error()), -1); len(k) > 0 {
				t.Errorf("%s: Korean in the English output:\n%s", tc.key, err)
			}
		}
	}
	// Every problem line of the catalog is reached by a case above.
	for key := range configTexts[bot.Korean] {
		// Start-up's own lines are TestStartFailuresInTheUsersLanguage's
		// and the e2e tests' (broker.token: TestStartupTokenRefusedExits;
		// telegram.refused: TestTelegramTokenRefusedAtStartIsASettingsError).
		notConfig := slices.ContainsFunc([]string{"dotenv.", "datadir.", "lock.", "os.", "journal.", "paper.", "broker.", "telegram.", "rules.", "http.listen", "setup."},
			func(p string) bool { return strings.HasPrefix(key, p) })
		// "lang" is TestInvalidLangIsSaidInKorean's; field.type and defect
		// are hoga's own defects, which validation keeps from happening.
		if notConfig || key == "header" || key == "field.type" || key == "lang" || key == "defect" {
			continue
		}
		if !seen[key] {
			t.Errorf("no case reaches %q", key)
		}
	}
}

// An invalid HOGA_LANG is itself a problem; it and every other line are
// said in Korean, the default, naming the values hoga takes.
func TestInvalidLangIsSaidInKorean(t *testing.T) {
	t.Parallel()
	_, err := loadConfig(env("HOGA_LANG", "fr", "HOGA_MODE", "real"), nil)
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, want := range []string{"설정이 올바르지 않아", `HOGA_LANG="fr": ko(한국어) 또는 en(영어)`, `HOGA_MODE="real": mock(모의투자) 또는 live(실전)`} {
		if !strings.Contains(msg, want) {
			t.Errorf("lacks %q:\n%s", want, msg)
		}
	}
	// HOGA_LANG in .env counts as much as in the environment.
	_, err = loadConfig(env("HOGA_MODE", "real"), map[string]string{"HOGA_LANG": "en"})
	if err == nil || !strings.Contains(err.Error(), "invalid configuration") || !strings.Contains(err.Error(), `HOGA_MODE="real": must be mock`) {
		t.Errorf("HOGA_LANG=en in .env: %v", err)
	}
}

// Both languages have every start-up text, with the same verbs; no Korean
// one holds an English sentence.
func TestConfigCatalogComplete(t *testing.T) {
	t.Parallel()
	catalogComplete(t, configTexts)
}

// The command-line help and its refusals, the same way.
func TestUsageCatalogComplete(t *testing.T) {
	t.Parallel()
	catalogComplete(t, usageTexts)
}

// catalogComplete checks a start-up catalog: the same keys and verbs in
// both languages, and no English sentence in the Korean texts.
func catalogComplete(t *testing.T, texts map[bot.Lang]map[string]string) {
	t.Helper()
	verbs := regexp.MustCompile(`%(\[\d\])?[-+# 0-9.]*[a-zA-Z%]`)
	norm := func(s string) string {
		vs := verbs.FindAllString(s, -1)
		for i, v := range vs {
			vs[i] = regexp.MustCompile(`\[\d\]`).ReplaceAllString(v, "")
		}
		slices.Sort(vs)
		return strings.Join(vs, ",")
	}
	ko, en := texts[bot.Korean], texts[bot.English]
	for k, v := range ko {
		e, ok := en[k]
		if !ok {
			t.Errorf("English lacks %q", k)
			continue
		}
		if a, b := norm(v), norm(e); a != b {
			t.Errorf("%q: verbs %s in Korean, %s in English", k, a, b)
		}
		if eng := englishIn(v); len(eng) > 0 {
			t.Errorf("%q: English %q in the Korean text %q", k, eng, v)
		}
	}
	for k := range en {
		if _, ok := ko[k]; !ok {
			t.Errorf("Korean lacks %q", k)
		}
	}
}

// A .env that is not KEY=VALUE is said in HOGA_LANG's language (the
// environment's: the file's own cannot be read), exit 2.
func TestDotEnvProblemInTheUsersLanguage(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(path, []byte("HOGA_BROKER=paper\nnonsense\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := readDotEnv(path)
	for _, tc := range []struct{ lang, want string }{
		{"", ":2: KEY=VALUE 모양이 아닙니다"},
		{"en", ":2: expected KEY=VALUE"},
	} {
		msg := dotEnvProblem(env("HOGA_LANG", tc.lang), err).Error()
		if !strings.Contains(msg, tc.want) || !strings.Contains(msg, path) {
			t.Errorf("HOGA_LANG=%q: %q; want %q", tc.lang, msg, tc.want)
		}
		if tc.lang == "" && len(englishIn(msg)) > 0 {
			t.Errorf("English in %q", msg)
		}
	}
}

// hoga check reads the settings with start-up's code: a bad setting is
// refused by both with the same lines, in the owner's language.
func TestCheckSaysWhatStartSays(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"", "en"} {
		getenv := env("HOGA_DATA_DIR", t.TempDir(), "HOGA_LANG", lang, "HOGA_HTTP_ADDR", ":99999", "HOGA_MODE", "real")
		_, start, startCode := runWith(t, getenv, "")
		_, check, checkCode := runWith(t, getenv, "", "check")
		if startCode != 2 || checkCode != 2 || start != check {
			t.Errorf("HOGA_LANG=%q: start (exit %d):\n%s\ncheck (exit %d):\n%s", lang, startCode, start, checkCode, check)
		}
		if lang == "" && (len(englishIn(start)) > 0 || !strings.Contains(start, "포트는")) {
			t.Errorf("not Korean:\n%s", start)
		}
	}
}

// What stops hoga after its settings are read, before the bot runs — the
// data directory's lock, the journal, the paper account, the rules file,
// the HTTP port — is said in the owner's language with what to do (issue
// 12, item 12). Each was English only.
func TestStartFailuresInTheUsersLanguage(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { busy.Close() }) // after the parallel subtests, not before them
	for _, tc := range []struct {
		name   string
		prep   func(dir string) []string // makes the trouble; returns settings
		ko, en string
	}{
		{"lock file is a folder", func(dir string) []string {
			return nil
		}, "잠금 파일", "data directory lock: cannot create"},
		{"journal is a folder", func(dir string) []string {
			must(t, os.MkdirAll(filepath.Join(dir, "hoga.db"), 0o700))
			return nil
		}, "의 주문 기록을 열 수 없어 시작하지 않았습니다", "cannot open the order journal in HOGA_DATA_DIR="},
		{"paper account unreadable", func(dir string) []string {
			must(t, os.WriteFile(filepath.Join(dir, "paper.json"), []byte("{not json"), 0o600))
			return nil
		}, "가상 계좌 파일", "cannot open the paper account file"},
		{"rules file missing", func(dir string) []string {
			return []string{"HOGA_RULES_FILE", filepath.Join(dir, "missing.yaml")}
		}, "missing.yaml\" 를 읽을 수 없습니다: 없습니다", "missing.yaml\" cannot be read: no such file"},
		{"rules file is a folder", func(dir string) []string {
			return []string{"HOGA_RULES_FILE", dir}
		}, "일반 파일이 아닙니다", "not a regular file"},
		{"HTTP port taken", func(dir string) []string {
			return []string{"HOGA_HTTP_ADDR", busy.Addr().String()}
		}, "다른 프로그램이 이미 쓰고 있는 주소입니다", "another program already uses the address"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, lang := range []string{"", "en"} {
				dir := filepath.Join(t.TempDir(), "data")
				must(t, os.MkdirAll(dir, 0o700))
				if tc.name == "lock file is a folder" {
					must(t, os.Mkdir(filepath.Join(dir, "hoga.lock"), 0o700))
				}
				kv := append([]string{"HOGA_DATA_DIR", dir, "HOGA_LANG", lang, "HOGA_LOG_LEVEL", "error"}, tc.prep(dir)...)
				_, errOut, code := runWith(t, env(kv...), "")
				want := tc.ko
				if lang == "en" {
					want = tc.en
				}
				if code == 0 || !strings.Contains(errOut, want) {
					t.Errorf("HOGA_LANG=%q: exit %d; want %q in:\n%s", lang, code, want, errOut)
				}
				if lang == "" {
					if eng := englishIn(errOut); len(eng) > 0 {
						t.Errorf("English %q in the Korean output:\n%s", eng, errOut)
					}
				}
			}
		})
	}
}

// The data directory hoga may not write to (a read-only folder, a wrong
// owner): the lock's line says so in the owner's language. Root may write
// anywhere, so it is tested as another user only.
func TestUnwritableDataDirInTheUsersLanguage(t *testing.T) {
	t.Parallel()
	if os.Geteuid() == 0 {
		t.Skip("root writes to a read-only folder; TestStartFailuresInTheUsersLanguage covers the line")
	}
	dir := t.TempDir()
	must(t, os.Chmod(dir, 0o500))
	defer os.Chmod(dir, 0o700)
	for _, tc := range []struct{ lang, want string }{
		{"", "잠금 파일 " + filepath.Join(dir, "hoga.lock") + " 을(를) 만들 수 없습니다: 권한이 없습니다"},
		{"en", "cannot create " + filepath.Join(dir, "hoga.lock") + " in HOGA_DATA_DIR=" + dir + ": permission denied"},
	} {
		_, errOut, code := runWith(t, env("HOGA_DATA_DIR", dir, "HOGA_LANG", tc.lang), "")
		if code != 1 || !strings.Contains(errOut, tc.want) {
			t.Errorf("HOGA_LANG=%q: exit %d; want %q in %q", tc.lang, code, tc.want, errOut)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
