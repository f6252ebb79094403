package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/internal/redact"
)

// env returns a getenv over a map: tests never touch the process environment.
func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func runWith(t *testing.T, getenv func(string) string, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, getenv, strings.NewReader(stdin), &out, &errOut)
	code = exitCode(err, &errOut)
	return out.String(), errOut.String(), code
}

func TestConsoleSessionOnPaper(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	getenv := env("HOGA_DATA_DIR", dir, "HOGA_PAPER_SEED", "7", "HOGA_LOG_LEVEL", "warn")
	in := "/price 005930\n/buy 005930 3 market\n/balance\n/buy 005930 abc\n/sell 005930 100000\n"
	out, errOut, code := runWith(t, getenv, in)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, want := range []string{"페이퍼(가상) 거래", "삼성전자 (005930)", "현재가", "매수 주문 접수", "누적 3/3주", "삼성전자 (005930) 3주 · 평균", "사용법: /buy 종목코드 수량",
		"1회 한도 1,000,000원을 넘습니다", "100,000주 × "} { // the router names the guard's limit (it said 0원) and its sum
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// The account survives a restart.
	out, _, code = runWith(t, getenv, "/balance\n")
	if code != 0 || !strings.Contains(out, "3주") {
		t.Fatalf("after restart (exit %d):\n%s", code, out)
	}
}

func TestEnglishReplies(t *testing.T) {
	t.Parallel()
	out, _, code := runWith(t, env("HOGA_DATA_DIR", t.TempDir(), "HOGA_LANG", "en", "HOGA_LOG_LEVEL", "error"), "/price 000660\n/help\n")
	if code != 0 || !strings.Contains(out, "SK하이닉스") || !strings.Contains(out, "Price") || !strings.Contains(out, "/buy CODE QTY") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

func TestInvalidSettingsOneLineEachExit2(t *testing.T) {
	t.Parallel()
	getenv := env(
		"HOGA_DATA_DIR", t.TempDir(),
		"HOGA_BROKER", "ebest",
		"HOGA_MODE", "real",
		"HOGA_MAX_ORDER_KRW", "lots",
		"HOGA_CONFIRM_TTL", "soon",
		"HOGA_TELEGRAM_TOKEN", "123:abc",
		"HOGA_LANG", "jp",
		"HOGA_HOLIDAYS", "2026-02-30",
		"HOGA_ALERTS", "orders=loud",
		"HOGA_HTTP_ADDR", "0.0.0.0:8080",
		"HOGA_TELEGRAM_KEYBOARD", "/price 005930,/prise",
	)
	out, errOut, code := runWith(t, getenv, "")
	if code != 2 {
		t.Fatalf("exit %d; want 2\n%s%s", code, out, errOut)
	}
	// HOGA_LANG=jp is not a language hoga speaks: every line is Korean.
	for _, want := range []string{
		"설정이 올바르지 않아 시작하지 않았습니다",
		`HOGA_BROKER="ebest": paper, kis, kiwoom 중 하나`,
		`HOGA_MODE="real": mock(모의투자) 또는 live(실전)`,
		`HOGA_MAX_ORDER_KRW="lots": 정수가 아닙니다`,
		`HOGA_CONFIRM_TTL="soon": 기간이 아닙니다`,
		`HOGA_TELEGRAM_TOKEN 이 설정되었지만 HOGA_TELEGRAM_ALLOWED_USERS 가 비어 있습니다`,
		`HOGA_LANG="jp"`,
		`HOGA_HOLIDAYS: "2026-02-30"`,
		`HOGA_ALERTS: orders 의 수준 "loud"`,
		`HOGA_HTTP_ADDR="0.0.0.0:8080" 는 이 컴퓨터 밖에서도`,
		`HOGA_TELEGRAM_KEYBOARD: 버튼 ["/prise"] 는 hoga 명령이 아닙니다. 쓸 수 있는 명령: /help`,
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, "123:abc") {
		t.Error("the token reached the error output")
	}
	if out != "" {
		t.Errorf("nothing should start; stdout = %q", out)
	}
}

func TestDotEnvRealEnvironmentWins(t *testing.T) {
	t.Parallel()
	dotenv, err := parseDotEnv(strings.NewReader("# comment\nHOGA_LANG=en\nexport HOGA_MAX_DAILY_ORDERS=5 # five\nHOGA_PAPER_CASH=\"2000000\"\n"), ".env")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(env("HOGA_LANG", "ko"), dotenv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Lang != "ko" || cfg.MaxDailyOrders != 5 || cfg.PaperCash != 2_000_000 {
		t.Fatalf("cfg = lang %q, daily %d, cash %d", cfg.Lang, cfg.MaxDailyOrders, cfg.PaperCash)
	}
	if _, err := parseDotEnv(strings.NewReader("JUSTAWORD\n"), ".env"); err == nil || !strings.Contains(err.Error(), ".env:1") {
		t.Fatalf("bad line error = %v", err)
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	cfg, err := loadConfig(env(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Broker != "paper" || cfg.Mode != "mock" || cfg.MaxOrderKRW != 1_000_000 || cfg.MaxDailyOrders != 20 ||
		cfg.marketHours || cfg.TelegramAPIURL != "https://api.telegram.org" || cfg.ConfirmTTL.Seconds() != 60 {
		t.Fatalf("defaults = %+v", cfg)
	}
	cfg, err = loadConfig(env("HOGA_BROKER", "kis", "HOGA_KIS_APP_KEY", "k", "HOGA_KIS_APP_SECRET", "s", "HOGA_KIS_ACCOUNT", "12345678-01"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.marketHours {
		t.Fatal("a real broker keeps KRX hours by default")
	}
}

// Every setting is documented in .env.example, and nothing there is unknown.
func TestEnvExampleListsEverySetting(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../.env.example")
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		if k, _, ok := strings.Cut(line, "="); ok && strings.HasPrefix(k, "HOGA_") {
			documented[k] = true
		}
	}
	typ := reflect.TypeOf(Config{})
	known := map[string]bool{}
	for i := 0; i < typ.NumField(); i++ {
		if name := typ.Field(i).Tag.Get("envconfig"); name != "" {
			known["HOGA_"+name] = true
			if !documented["HOGA_"+name] {
				t.Errorf(".env.example does not document HOGA_%s", name)
			}
		}
	}
	for k := range documented {
		if !known[k] {
			t.Errorf(".env.example documents %s, which hoga does not read", k)
		}
	}
}

func TestSecretsAreRedacted(t *testing.T) {
	t.Parallel()
	s := redact.Secret("PSxxxxAPPKEY")
	if strings.Contains(s.String(), "APPKEY") || strings.Contains(s.LogValue().String(), "APPKEY") {
		t.Fatal("secret leaked")
	}
	if s.Reveal() != "PSxxxxAPPKEY" {
		t.Fatal("reveal lost the value")
	}
}

func TestVersionAndUsage(t *testing.T) {
	t.Parallel()
	out, _, code := runWith(t, env(), "", "version")
	if code != 0 || !strings.HasPrefix(out, "hoga ") {
		t.Fatalf("version: exit %d %q", code, out)
	}
	out, _, code = runWith(t, env(), "", "config")
	if code != 0 || !strings.Contains(out, "HOGA_MAX_ORDER_KRW") || !strings.Contains(out, "1000000") {
		t.Fatalf("config: exit %d %q", code, out)
	}
	for _, tc := range []struct{ lang, unknown, usage string }{
		{"", "알 수 없는 명령 \"frobnicate\"", "사용법: hoga [명령]"},
		{"en", "unknown command \"frobnicate\"", "usage: hoga [command]"},
	} {
		_, errOut, code := runWith(t, env("HOGA_LANG", tc.lang), "", "frobnicate")
		if code != 2 || !strings.Contains(errOut, tc.unknown) || !strings.Contains(errOut, tc.usage) || !strings.Contains(errOut, "paper reset") {
			t.Fatalf("unknown command (HOGA_LANG=%q): exit %d %q", tc.lang, code, errOut)
		}
		out, _, code := runWith(t, env("HOGA_LANG", tc.lang), "", "help")
		if code != 0 || !strings.HasPrefix(out, tc.usage) {
			t.Fatalf("help (HOGA_LANG=%q): exit %d %q", tc.lang, code, out)
		}
		if tc.lang == "" {
			if eng := englishIn(out); len(eng) > 0 {
				t.Errorf("English %q in the Korean help:\n%s", eng, out)
			}
		}
	}
}

// A second hoga on the same data directory would run the rules twice: it
// is refused, and starts once the first has stopped.
func TestSecondInstanceRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	release, err := lockDataDir(dir, bot.Korean)
	if err != nil {
		t.Fatal(err)
	}
	// Said in the owner's language (issue 12, item 12), naming the
	// directory and what to do.
	for _, tc := range []struct{ lang, want string }{
		{"", "다른 hoga 가 이미 HOGA_DATA_DIR=" + dir + " 로 실행 중입니다"},
		{"en", "another hoga is already running with HOGA_DATA_DIR=" + dir},
	} {
		_, errOut, code := runWith(t, env("HOGA_DATA_DIR", dir, "HOGA_LOG_LEVEL", "error", "HOGA_LANG", tc.lang), "/price 005930\n")
		if code != 1 || !strings.Contains(errOut, tc.want) || !strings.Contains(errOut, "hoga.lock") {
			t.Fatalf("HOGA_LANG=%q: exit %d, stderr %q; want %q", tc.lang, code, errOut, tc.want)
		}
		if tc.lang == "" && len(englishIn(errOut)) > 0 {
			t.Errorf("English in the Korean refusal: %q", englishIn(errOut))
		}
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	if out, errOut, code := runWith(t, env("HOGA_DATA_DIR", dir, "HOGA_LOG_LEVEL", "error"), "/price 005930\n"); code != 0 {
		t.Fatalf("after release: exit %d\n%s%s", code, out, errOut)
	}
}

// Commands piped in with a rules file set are a script: hoga is done when
// the input ends (it ran until a signal), and a normal exit logs no
// "strategy state not saved … context canceled" (issue 12.16).
func TestPipedInputWithRulesFileExits(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rules := filepath.Join(dir, "rules.yaml")
	if err := os.WriteFile(rules, []byte("rules:\n  - code: \"005930\"\n    buy_below: 150000\n    qty: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	getenv := env("HOGA_DATA_DIR", filepath.Join(dir, "data"), "HOGA_PAPER_SEED", "7", "HOGA_RULES_FILE", rules,
		"HOGA_STRATEGY_INTERVAL", "100ms", "HOGA_LOG_LEVEL", "info")
	done := make(chan struct{})
	var out, errOut bytes.Buffer
	var err error
	go func() {
		defer close(done)
		err = run(t.Context(), nil, getenv, strings.NewReader("/rules\n/status\n"), &out, &errOut)
	}()
	select {
	case <-done:
	case <-time.After(time.Minute): // a bound on a hang, not a synchronisation
		t.Fatal("hoga kept running after its piped input ended")
	}
	if err != nil || !strings.Contains(out.String(), "005930") {
		t.Fatalf("err %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
	}
	if strings.Contains(errOut.String(), "not saved") || strings.Contains(errOut.String(), "context canceled") {
		t.Errorf("a normal exit logged a failure:\n%s", errOut.String())
	}
}
