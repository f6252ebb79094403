package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/bot/telegramtest"
	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
)

// watchedBuffer is setup's output: safe to read while setup writes, and
// a test can wait for a text to appear instead of sleeping.
type watchedBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
}

func newWatchedBuffer() *watchedBuffer { return &watchedBuffer{changed: make(chan struct{})} }

func (w *watchedBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(p)
	close(w.changed)
	w.changed = make(chan struct{})
	return n, err
}

func (w *watchedBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// waitFor waits until the output holds text.
func (w *watchedBuffer) waitFor(ctx context.Context, t *testing.T, text string) {
	t.Helper()
	for {
		w.mu.Lock()
		has, changed := strings.Contains(w.buf.String(), text), w.changed
		w.mu.Unlock()
		if has {
			return
		}
		select {
		case <-changed:
		case <-ctx.Done():
			t.Fatalf("waiting for %q in the output:\n%s", text, w.String())
		}
	}
}

// scriptReader is a terminal a test types into: each read announces
// itself (true for a secret, read without echo) and takes the next answer.
type scriptReader struct {
	reads   chan bool
	answers chan string
}

func newScriptReader() *scriptReader {
	return &scriptReader{reads: make(chan bool, 1), answers: make(chan string)}
}

func (s *scriptReader) read(secret bool) (string, error) {
	s.reads <- secret
	a, ok := <-s.answers
	if !ok {
		return "", io.EOF
	}
	return a, nil
}

func (s *scriptReader) readLine() (string, error)   { return s.read(false) }
func (s *scriptReader) readSecret() (string, error) { return s.read(true) }

// typist answers setup's questions in order.
type typist struct {
	t   *testing.T
	ctx context.Context
	in  *scriptReader
	out *watchedBuffer
}

// answer waits for setup to ask (the prompt containing prompt on the
// screen, and a read of the right kind) and types text.
func (ty *typist) answer(prompt string, secret bool, text string) {
	ty.t.Helper()
	ty.out.waitFor(ty.ctx, ty.t, prompt)
	ty.waitRead(secret)
	ty.typeLine(text)
}

func (ty *typist) waitRead(secret bool) {
	ty.t.Helper()
	select {
	case got := <-ty.in.reads:
		if got != secret {
			ty.t.Fatalf("a read with secret=%v, want %v; output:\n%s", got, secret, ty.out.String())
		}
	case <-ty.ctx.Done():
		ty.t.Fatalf("setup never asked; output:\n%s", ty.out.String())
	}
}

func (ty *typist) typeLine(text string) {
	ty.t.Helper()
	select {
	case ty.in.answers <- text:
	case <-ty.ctx.Done():
		ty.t.Fatal("setup stopped reading")
	}
}

// The whole flow, as a new user: KIS mock keys (a wrong secret first, then
// the right one), a Telegram bot whose owner and alert group are learned
// from /start messages sent while setup waits, an existing .env kept as a
// backup, the checks, and then hoga itself started from the folder
// answering /price in the chat, with no new KIS token issued. No secret
// reaches the output, the logs, or any file but .env.
func TestSetupFromNothingToABotAnsweringPrice(t *testing.T) {
	const (
		owner, stranger = int64(111), int64(999)
		group           = int64(-1001234567890)
		topic           = 7
		botToken        = "7000000001:SETUPTOKENsecretpart"
	)
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile(".env", []byte("# mine\nHOGA_MAX_ORDER_KRW=500000\nHOGA_BROKER=paper\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tg := telegramtest.Start(telegramtest.Config{Token: botToken})
	defer tg.Close()
	fake := brokertest.NewKIS(t, brokertest.KISFakeOptions{RateLimit: -1})
	key, secret, account := fake.Credentials()
	getenv := env("HOGA_KIS_RPS", "100") // the fake does not limit; KIS mock's 2/s would only slow the test

	ctx, cancel := context.WithTimeout(context.Background(), testGuard)
	defer cancel()
	in := newScriptReader()
	out, errOut := newWatchedBuffer(), newWatchedBuffer()
	ty := &typist{t: t, ctx: ctx, in: in, out: out}
	f, err := parseSetupFlags([]string{"--base-url", fake.URL(), "--telegram-api-url", tg.URL}, env(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- setup(ctx, f, setupIO{getenv: getenv, out: out, errOut: errOut,
			ask: &prompter{in: in}, argv0: "hoga", now: time.Now})
	}()

	ty.answer("[1/3] 증권사", false, "2")
	ty.answer("mock — 모의투자", false, "")
	ty.answer("KIS 앱 키", true, key)
	ty.answer("KIS 앱 시크릿", true, "wrong-secret-0000")
	ty.answer("계좌번호", true, account)
	ty.out.waitFor(ctx, t, "한국투자증권이 앱 시크릿을 거부했습니다")
	ty.answer("다시 입력하세요", true, "") // Enter keeps the key
	ty.answer("KIS 앱 시크릿", true, secret)
	ty.waitRead(true) // the account: Enter keeps it
	ty.typeLine("")
	ty.out.waitFor(ctx, t, "✓ 한국투자증권 모의투자: 토큰 유효")
	if n := fake.Issuances(); n != 1 {
		t.Fatalf("KIS issued %d tokens while proving the keys, want 1", n)
	}

	ty.answer("텔레그램을 연결할까요?", false, "y")
	ty.answer("봇 토큰", true, botToken)
	ty.out.waitFor(ctx, t, "/start 를 보내세요")
	if err := tg.WaitPolling(ctx); err != nil {
		t.Fatal(err)
	}
	tg.Send(telegramtest.Incoming{From: owner, Text: "/start", Username: "minsu"})
	ty.answer("소유자(명령할 수 있는 사람)가 맞나요?", false, "y")

	ty.out.waitFor(ctx, t, "다음을 보내세요: /start@hoga_bot")
	ty.waitRead(false) // Enter would skip the group; no one presses it
	tg.Send(telegramtest.Incoming{From: stranger, Chat: group, Thread: topic, Text: "/start@hoga_bot"})
	ty.out.waitFor(ctx, t, "user999 님이 보낸 /start 는 무시했습니다")
	tg.Send(telegramtest.Incoming{From: owner, Chat: group, Thread: topic, Text: "/start@hoga_bot"})
	ty.out.waitFor(ctx, t, "이 그룹으로 알림을 보낼까요?")
	ty.typeLine("y") // the read begun while waiting answers this question

	ty.answer("백업하고", false, "y")
	if err := <-done; err != nil {
		t.Fatalf("setup: %v\n%s\n%s", err, out, errOut)
	}
	o := out.String()
	t.Log(o)
	for _, want := range []string{
		"✓ 소유자 user111 (@minsu) (ID 111)",
		`✓ 알림 그룹 "chat -1001234567890", 주제 7`,
		"✓ 명령 메뉴 등록",
		"OK   증권사 kis (mock): 토큰 ", // hoga check's lines, in setup's language
		"OK   텔레그램: @hoga_bot, 알림 받을 곳 알림 채팅",
		"    hoga\n",
	} {
		if !strings.Contains(o, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(o, "FAIL") {
		t.Error("a check failed")
	}

	// .env: 0600, the answers, the old settings kept, the old file backed up.
	st, err := os.Stat(".env")
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf(".env mode %v, want 0600", st.Mode().Perm())
	}
	vals, err := readDotEnv(".env")
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"HOGA_BROKER": "kis", "HOGA_MODE": "mock", "HOGA_KIS_APP_KEY": key, "HOGA_KIS_APP_SECRET": secret,
		"HOGA_KIS_ACCOUNT": account, "HOGA_KIS_BASE_URL": fake.URL(), "HOGA_TELEGRAM_TOKEN": botToken,
		"HOGA_TELEGRAM_API_URL": tg.URL, "HOGA_TELEGRAM_ALLOWED_USERS": "111",
		"HOGA_TELEGRAM_ALERT_CHAT": "-1001234567890:7", "HOGA_MAX_ORDER_KRW": "500000",
	} {
		if vals[k] != want {
			t.Errorf(".env %s=%q, want %q", k, vals[k], want)
		}
	}
	backups, _ := filepath.Glob(".env.bak-*")
	if len(backups) != 1 {
		t.Fatalf("backups %v, want one", backups)
	}
	if b, _ := os.ReadFile(backups[0]); !strings.Contains(string(b), "HOGA_BROKER=paper") {
		t.Errorf("the backup is not the old .env: %q", b)
	}

	// The chats: greeted, the menu set, the /start messages confirmed.
	if msgs := tg.BotMessages(owner); len(msgs) != 1 || !strings.Contains(msgs[0].Text, "소유자로 등록") {
		t.Errorf("owner chat: %+v", msgs)
	}
	if msgs := tg.BotMessages(group); len(msgs) != 1 || msgs[0].ThreadID != topic {
		t.Errorf("group chat: %+v", msgs)
	}
	if len(tg.MenuFor(owner, owner, "")) != len(bot.MenuCommands(bot.MenuOwner)) || len(tg.MenuFor(owner, owner, "en")) != len(bot.MenuCommands(bot.MenuOwner)) || len(tg.MenuFor(stranger, stranger, "ko")) != 0 {
		t.Error("the command menu was not registered for the owner only")
	}

	// hoga itself, started the way setup said, answers /price in the chat
	// and needs no new token.
	runCtx, stopRun := context.WithCancel(ctx)
	stdin, closeStdin := io.Pipe()
	defer closeStdin.Close()
	var runOut, runErr bytes.Buffer
	ran := make(chan error, 1)
	go func() { ran <- run(runCtx, nil, getenv, stdin, &runOut, &runErr) }()
	if err := tg.WaitPolling(ctx); err != nil {
		t.Fatal(err)
	}
	mark := tg.CallCount()
	tg.Send(telegramtest.Incoming{From: owner, Text: "/price 005930"})
	if _, err := tg.WaitCall(ctx, mark, func(c telegramtest.Call) bool {
		return c.OK() && c.Message != nil && c.Message.Chat.ID == owner && strings.Contains(c.Message.Text, "현재가")
	}); err != nil {
		t.Fatalf("no /price answer: %v\n%s", err, runErr.String())
	}
	for _, c := range tg.Calls() {
		if c.Message != nil && c.Message.Chat.ID == owner && strings.Contains(c.Message.Text, "/start") {
			t.Errorf("hoga answered setup's /start again: %q", c.Message.Text)
		}
	}
	stopRun()
	closeStdin.Close()
	if err := <-ran; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("hoga: %v", err)
	}
	if n := fake.Issuances(); n != 1 {
		t.Errorf("KIS issued %d tokens in all, want 1: the start should reuse setup's", n)
	}

	// No secret anywhere but .env.
	secrets := map[string]string{"app key": key, "app secret": secret, "bot token": botToken, "bot token secret": "SETUPTOKENsecretpart"}
	outputs := map[string]string{"setup stdout": o, "setup stderr": errOut.String(), "hoga stdout": runOut.String(), "hoga stderr": runErr.String()}
	for what, text := range outputs {
		for name, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("the %s reached the %s", name, what)
			}
		}
	}
	if strings.Contains(o, account) {
		t.Error("the full account number reached setup's output")
	}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == ".env" {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for name, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("the %s is in %s", name, path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Without a terminal, setup takes its answers from flags (and the keys
// from the environment); a fake user sends /start while it waits.
func TestSetupFromFlags(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	const botToken = "7000000002:FLAGSTOKENsecret"
	tg := telegramtest.Start(telegramtest.Config{Token: botToken, BotUsername: "my_hoga_bot"})
	defer tg.Close()
	ctx, cancel := context.WithTimeout(context.Background(), testGuard)
	defer cancel()
	out := newWatchedBuffer()
	done := make(chan error, 1)
	getenv := env("HOGA_TELEGRAM_TOKEN", botToken)
	go func() {
		done <- run(ctx, []string{"setup", "--lang", "en", "--broker", "paper", "--telegram-api-url", tg.URL, "--yes"},
			getenv, strings.NewReader(""), out, io.Discard)
	}()
	out.waitFor(ctx, t, "send /start to @my_hoga_bot")
	tg.Send(telegramtest.Incoming{From: 4242, Text: "/start"})
	if err := <-done; err != nil {
		t.Fatalf("setup: %v\n%s", err, out)
	}
	vals, err := readDotEnv(".env")
	if err != nil {
		t.Fatal(err)
	}
	if vals["HOGA_TELEGRAM_ALLOWED_USERS"] != "4242" || vals["HOGA_LANG"] != "en" || vals["HOGA_BROKER"] != "paper" ||
		vals["HOGA_TELEGRAM_ALERT_CHAT"] != "" {
		t.Errorf(".env: %v", vals)
	}
	if strings.Contains(out.String(), botToken) {
		t.Error("the token reached the output")
	}
	if !strings.Contains(out.String(), "Start hoga from this folder with") {
		t.Errorf("no start command:\n%s", out)
	}
}

// Without a terminal and without the answers, setup refuses with exit 2
// and names the flag, and writes nothing.
func TestSetupWithoutATerminalNeedsFlags(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"setup"}, "--broker"},
		{[]string{"setup", "--broker", "kis"}, "--mode"},
		{[]string{"setup", "--broker", "kis", "--mode", "live"}, "--yes"},
		{[]string{"setup", "--broker", "kis", "--mode", "mock"}, "--app-key"},
		{[]string{"setup", "--lang", "en", "--broker", "paper"}, "--telegram-token"},
		// The flags' problems in the user's language (issue 12, item 12).
		{[]string{"setup", "--broker", "nasdaq"}, `--broker "nasdaq": paper, kis, kiwoom 중 하나여야 합니다`},
		{[]string{"setup", "--account", "123"}, "--account 는 12345678-01 모양이어야 합니다"},
		{[]string{"setup", "--lang", "en", "--account", "123"}, "--account must look like"},
		{[]string{"setup", "--lang", "fr", "--broker", "nasdaq"}, `--lang "fr": ko 또는 en 이어야 합니다`},
		{[]string{"setup", "--broker", "kis", "--mode", "mock", "--app-key", "k", "--app-secret", "s"}, "--account"},
		{[]string{"setup", "--broker", "paper", "--telegram-token", "1:x"}, "--yes"},
	} {
		_, stderr, code := hogaRun(t, map[string]string{}, tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
	if _, err := os.Stat(".env"); !errors.Is(err, os.ErrNotExist) {
		t.Error("a refused setup wrote .env")
	}
}

// A refused key is one line saying what is wrong and what to do, in the
// user's language, never a stack trace or the raw error chain.
func TestSetupBrokerProblems(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		broker, mode string
		lang         bot.Lang
		err          error
		want         string
	}{
		{"kis", "live", bot.Korean, &broker.Error{Kind: broker.Auth, Code: "EGW02004"}, "모의투자 키를 실전 서버에 썼습니다"},
		{"kis", "mock", bot.English, &broker.Error{Kind: broker.Auth, Code: "EGW02007"}, "live keys on the mock server"},
		{"kis", "mock", bot.Korean, &broker.Error{Kind: broker.Auth, Code: "EGW00103"}, "한국투자증권이 이 앱 키를 모릅니다"},
		{"kis", "mock", bot.Korean, &broker.Error{Kind: broker.RateLimited, Code: "EGW00133"}, "1분에 한 번만"},
		{"kiwoom", "live", bot.Korean, &broker.Error{Kind: broker.Auth, Code: "8050"}, "공인 IP 를 openapi.kiwoom.com"},
		{"kiwoom", "live", bot.English, &broker.Error{Kind: broker.Auth, Code: "8030"}, "do not match the mode (now LIVE)"},
		{"kiwoom", "mock", bot.Korean, &broker.Error{Kind: broker.Auth, Code: "8001"}, "키움증권이 앱 키나 시크릿을 거부했습니다"},
		{"kis", "mock", bot.Korean, &broker.Error{Kind: broker.Invalid, Code: "OPSQ0001"}, "계좌번호와"},
		{"kis", "mock", bot.English, &probeError{stepToken, context.DeadlineExceeded}, "did not answer in time"},
		{"kis", "mock", bot.English, &probeError{stepToken, &broker.Error{Kind: broker.Transient, Code: "EGW00133", Err: context.DeadlineExceeded}}, "KIS issues one token a minute"},
		{"kis", "mock", bot.Korean, &broker.Error{Kind: broker.Transient, Msg: "dial tcp: refused"}, "통신하지 못했습니다"},
	} {
		r := &setupRun{lang: tc.lang, brokerName: brokerTitle(tc.lang, tc.broker)}
		got := r.brokerProblem(&Config{Broker: tc.broker, Mode: tc.mode}, tc.err)
		if !strings.Contains(got, tc.want) || strings.Contains(got, "\n") {
			t.Errorf("%v (%s): %q, want one line with %q", tc.err, tc.lang, got, tc.want)
		}
	}
}

// What setup writes, parseDotEnv (every start) reads back unchanged, and
// lines setup does not own survive.
func TestMergeDotEnvRoundTrip(t *testing.T) {
	t.Parallel()
	old := "# my notes\nexport HOGA_BROKER=paper\nHOGA_RULES_FILE=rules.yaml\n# HOGA_MODE=live\nHOGA_BROKER=kiwoom\n"
	set := []setting{
		{"HOGA_BROKER", "kis"}, {"HOGA_KIS_APP_SECRET", "abc#def ghi"}, {"HOGA_KIS_APP_KEY", `he said "x"`},
		{"HOGA_TELEGRAM_TOKEN", "123:ABC-def_ghi=="},
	}
	data, err := mergeDotEnv([]byte(old), set, time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	got, err := parseDotEnv(bytes.NewReader(data), ".env")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range set {
		if got[s.key] != s.value {
			t.Errorf("%s read back as %q, want %q\n%s", s.key, got[s.key], s.value, data)
		}
	}
	if got["HOGA_RULES_FILE"] != "rules.yaml" || !strings.Contains(string(data), "# my notes\n") || !strings.Contains(string(data), "# HOGA_MODE=live\n") {
		t.Errorf("lines setup does not own were lost:\n%s", data)
	}
	if n := strings.Count(string(data), "HOGA_BROKER="); n != 1 {
		t.Errorf("HOGA_BROKER written %d times:\n%s", n, data)
	}
	if _, err := mergeDotEnv(nil, []setting{{"K", "a\nb"}}, time.Now()); err == nil {
		t.Error("a value with a newline was written")
	}
}

// Both languages have every setup text, with the same formatting verbs.
func TestSetupCatalogComplete(t *testing.T) {
	t.Parallel()
	verbs := regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)
	ko, en := setupTexts[bot.Korean], setupTexts[bot.English]
	for k, v := range ko {
		e, ok := en[k]
		if !ok {
			t.Errorf("English lacks %q", k)
			continue
		}
		if a, b := strings.Join(verbs.FindAllString(v, -1), ","), strings.Join(verbs.FindAllString(e, -1), ","); a != b {
			t.Errorf("%q: verbs %s in Korean, %s in English", k, a, b)
		}
	}
	for k := range en {
		if _, ok := ko[k]; !ok {
			t.Errorf("Korean lacks %q", k)
		}
	}
}

// A refused bot token, without a terminal to ask again on, is exit 1 and
// one line saying what to do; the token is not in it.
func TestSetupRefusedTelegramToken(t *testing.T) {
	t.Chdir(t.TempDir())
	tg := telegramtest.Start(telegramtest.Config{Token: "7000000003:RIGHTtoken"})
	defer tg.Close()
	const wrong = "7000000003:WRONGtokenXYZ"
	_, stderr, code := hogaRun(t, map[string]string{"HOGA_TELEGRAM_TOKEN": wrong},
		"setup", "--lang", "en", "--broker", "paper", "--telegram-api-url", tg.URL, "--yes")
	want := "hoga: Telegram refused this token (401 Unauthorized): copy the whole token from @BotFather again.\n"
	if code != 1 || stderr != want {
		t.Errorf("exit %d, stderr %q; want 1 and %q", code, stderr, want)
	}
	if _, err := os.Stat(".env"); !errors.Is(err, os.ErrNotExist) {
		t.Error(".env written after a refused token")
	}
}

// Choosing console mode over an older .env empties its Telegram settings
// (a start would otherwise still use the old bot) and keeps the rest.
func TestSetupConsoleModeClearsOldTelegram(t *testing.T) {
	t.Chdir(t.TempDir())
	old := "HOGA_TELEGRAM_TOKEN=1:old\nHOGA_TELEGRAM_ALLOWED_USERS=5\nHOGA_TELEGRAM_ALERT_CHAT=-100123\nHOGA_MAX_DAILY_ORDERS=7\n"
	if err := os.WriteFile(".env", []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := hogaRun(t, map[string]string{}, "setup", "--broker", "paper", "--telegram-token", "none", "--yes")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	vals, err := readDotEnv(".env")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"HOGA_TELEGRAM_TOKEN", "HOGA_TELEGRAM_ALLOWED_USERS", "HOGA_TELEGRAM_ALERT_CHAT"} {
		if v, ok := vals[k]; !ok || v != "" {
			t.Errorf("%s=%q, want it emptied", k, v)
		}
	}
	if vals["HOGA_MAX_DAILY_ORDERS"] != "7" {
		t.Errorf("HOGA_MAX_DAILY_ORDERS lost: %v", vals)
	}
	if !strings.Contains(stdout, "--   텔레그램: 설정 안 됨") {
		t.Errorf("check output:\n%s", stdout)
	}
}

// Over the wire, without a terminal: the broker's refusal reaches the
// user as the one line for its code, and nothing is written.
func TestSetupBrokerRefusalsOverTheWire(t *testing.T) {
	kiwoomWith := func(code int) func(t *testing.T) (string, []string, map[string]string) {
		return func(t *testing.T) (string, []string, map[string]string) {
			f, err := brokertest.StartKiwoomServer(brokertest.KiwoomFakeOptions{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(f.Close)
			f.InjectError("au10001", code, "")
			key, secret, _ := f.Credentials()
			return f.URL(), []string{"--broker", "kiwoom", "--mode", "mock"},
				map[string]string{"HOGA_KIWOOM_APP_KEY": key, "HOGA_KIWOOM_SECRET_KEY": secret}
		}
	}
	for _, tc := range []struct {
		name  string
		start func(t *testing.T) (url string, args []string, env map[string]string)
		want  string
	}{
		{"kiwoom_ip_not_registered", kiwoomWith(8050), "Kiwoom does not accept requests from this computer: register its public IP address for the app key at openapi.kiwoom.com. (Kiwoom code 8050)"},
		{"kiwoom_key_of_the_other_mode", kiwoomWith(8030), "The keys do not match the mode (now mock): use this mode's app keys, or change the mode. (Kiwoom code 8030)"},
		{"kis_wrong_app_key", func(t *testing.T) (string, []string, map[string]string) {
			f := brokertest.NewKIS(t, brokertest.KISFakeOptions{RateLimit: -1})
			_, secret, account := f.Credentials()
			return f.URL(), []string{"--broker", "kis", "--mode", "mock", "--account", account},
				map[string]string{"HOGA_KIS_APP_KEY": "PSnotAKey", "HOGA_KIS_APP_SECRET": secret}
		}, "KIS does not know this app key: check it (mock and live keys differ). (KIS code EGW00103)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			url, args, env := tc.start(t)
			env["HOGA_KIS_RPS"] = "100"
			args = append([]string{"setup", "--lang", "en", "--base-url", url, "--telegram-token", "none"}, args...)
			_, stderr, code := hogaRun(t, env, args...)
			if code != 1 || stderr != "hoga: "+tc.want+"\n" {
				t.Errorf("exit %d, stderr %q\nwant 1 and %q", code, stderr, tc.want)
			}
			if _, err := os.Stat(".env"); !errors.Is(err, os.ErrNotExist) {
				t.Error(".env written after a refusal")
			}
		})
	}
}

// On Windows setup says when the .env it wrote is not the one the service
// reads (beside hoga.exe).
func TestSetupServiceNote(t *testing.T) {
	t.Parallel()
	exeFolder, other := t.TempDir(), t.TempDir()
	exe := filepath.Join(exeFolder, "hoga.exe")
	if err := os.WriteFile(exe, nil, 0o700); err != nil {
		t.Fatal(err)
	}
	r := &setupRun{setupIO: setupIO{argv0: exe}}
	if got := r.serviceNote(exe, exeFolder); got != "" {
		t.Errorf("same folder: %q", got)
	}
	if got, want := r.serviceNote(exe, other), filepath.Join(exeFolder, ".env"); got != want {
		t.Errorf("other folder: %q, want %q", got, want)
	}
	r.argv0 = filepath.Join(os.TempDir(), "go-build123", "b001", "exe", "hoga")
	if got := r.serviceNote(exe, other); got != "" {
		t.Errorf("under go run: %q", got)
	}
}

// Whatever value setup writes, every start reads back unchanged — or
// setup refuses to write it.
func FuzzDotEnvValueRoundTrip(f *testing.F) {
	for _, s := range []string{"", "abc", "a b", "#x", "x #y", `"q"`, "'", `a"b'c`, "123:ABC-def_ghi==", " lead", "trail\t", "k=v", "\v", "nbsp\u00a0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		q, err := dotEnvValue(v)
		if err != nil {
			return
		}
		got, err := parseDotEnv(strings.NewReader("HOGA_X="+q+"\n"), ".env")
		if err != nil {
			t.Fatalf("%q written as %q: %v", v, q, err)
		}
		if got["HOGA_X"] != v {
			t.Fatalf("%q written as %q, read back as %q", v, q, got["HOGA_X"])
		}
	})
}

// Running setup again over its own .env: Enter keeps every answer (keys
// offered without being shown, the bot's owner and alert chat kept), so
// nothing has to be typed or sent again.
func TestSetupAgainKeepsAnswers(t *testing.T) {
	const botToken = "7000000004:AGAINtokenSECRET"
	t.Chdir(t.TempDir())
	tg := telegramtest.Start(telegramtest.Config{Token: botToken})
	defer tg.Close()
	tg.AddChat(telegramtest.Chat{ID: -100555, Type: "group", Title: "hoga alerts"})
	fake := brokertest.NewKIS(t, brokertest.KISFakeOptions{RateLimit: -1})
	key, secret, account := fake.Credentials()
	old := strings.Join([]string{"HOGA_BROKER=kis", "HOGA_MODE=mock", "HOGA_KIS_APP_KEY=" + key, "HOGA_KIS_APP_SECRET=" + secret,
		"HOGA_KIS_ACCOUNT=" + account, "HOGA_KIS_BASE_URL=" + fake.URL(), "HOGA_TELEGRAM_TOKEN=" + botToken,
		"HOGA_TELEGRAM_API_URL=" + tg.URL, "HOGA_TELEGRAM_ALLOWED_USERS=111", "HOGA_TELEGRAM_ALERT_CHAT=-100555", ""}, "\n")
	if err := os.WriteFile(".env", []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testGuard)
	defer cancel()
	in, out := newScriptReader(), newWatchedBuffer()
	ty := &typist{t: t, ctx: ctx, in: in, out: out}
	f, err := parseSetupFlags(nil, env(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- setup(ctx, f, setupIO{getenv: env("HOGA_KIS_RPS", "100"), out: out, errOut: io.Discard,
			ask: &prompter{in: in}, argv0: "hoga", now: time.Now})
	}()
	ty.answer("선택 [kis]", false, "")
	ty.answer("선택 [mock]", false, "")
	ty.answer("KIS 앱 키 (App Key, 화면에 표시되지 않음) (Enter: 그대로)", true, "")
	ty.answer("KIS 앱 시크릿", true, "")
	ty.answer("계좌번호", true, "")
	ty.answer("텔레그램을 연결할까요?", false, "")
	ty.answer("봇 토큰", true, "")
	ty.answer("명령할 수 있는 사람(ID 111)을 그대로 둘까요?", false, "")
	ty.answer("알림 채팅 -100555 를 그대로 둘까요?", false, "")
	ty.answer("백업하고", false, "")
	if err := <-done; err != nil {
		t.Fatalf("setup: %v\n%s", err, out)
	}
	got, err := os.ReadFile(".env")
	if err != nil {
		t.Fatal(err)
	}
	vals, _ := parseDotEnv(bytes.NewReader(got), ".env")
	was, _ := parseDotEnv(strings.NewReader(old), ".env")
	for k, v := range was {
		if vals[k] != v {
			t.Errorf("%s=%q, was %q", k, vals[k], v)
		}
	}
	for _, s := range []string{key, secret, botToken} {
		if strings.Contains(out.String(), s) {
			t.Error("a secret reached the output")
		}
	}
}

// Enter while setup waits for a group's /start skips the group: alerts go
// to the owner, and the Enter is not taken as the answer to anything else.
func TestSetupEnterSkipsTheGroup(t *testing.T) {
	const botToken = "7000000005:SKIPtokenSECRET"
	t.Chdir(t.TempDir())
	tg := telegramtest.Start(telegramtest.Config{Token: botToken})
	defer tg.Close()
	ctx, cancel := context.WithTimeout(context.Background(), testGuard)
	defer cancel()
	in, out := newScriptReader(), newWatchedBuffer()
	ty := &typist{t: t, ctx: ctx, in: in, out: out}
	f, err := parseSetupFlags([]string{"--lang", "en", "--telegram-api-url", tg.URL}, env(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- setup(ctx, f, setupIO{getenv: env(), out: out, errOut: io.Discard, ask: &prompter{in: in}, argv0: "hoga", now: time.Now})
	}()
	ty.answer("Choice [paper]", false, "")
	ty.answer("Connect Telegram?", false, "")
	ty.answer("Bot token", true, botToken)
	ty.out.waitFor(ctx, t, "send /start to @hoga_bot")
	tg.Send(telegramtest.Incoming{From: 333, Text: "/start"})
	ty.answer("Is this hoga's owner", false, "y")
	ty.answer("Press Enter to get alerts in your private chat instead", false, "")
	ty.out.waitFor(ctx, t, "Alerts go to the owner's private chat.")
	if err := <-done; err != nil {
		t.Fatalf("setup: %v\n%s", err, out)
	}
	vals, err := readDotEnv(".env")
	if err != nil {
		t.Fatal(err)
	}
	if vals["HOGA_TELEGRAM_ALLOWED_USERS"] != "333" || vals["HOGA_TELEGRAM_ALERT_CHAT"] != "" {
		t.Errorf(".env: %v", vals)
	}
	if !strings.Contains(out.String(), "OK   telegram: @hoga_bot, alerts to user 333 reachable") {
		t.Errorf("output:\n%s", out)
	}
}

// setup refuses to run beside a running hoga (it would fight it for the
// bot's updates and its .env), in the user's language.
func TestSetupRefusedWhileHogaRuns(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := os.MkdirAll("data", 0o700); err != nil {
		t.Fatal(err)
	}
	unlock, err := lockDataDir("data", bot.Korean)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	_, stderr, code := hogaRun(t, map[string]string{}, "setup", "--lang", "en", "--broker", "paper", "--telegram-token", "none")
	if code != 1 || !strings.Contains(stderr, "hoga is running in this folder (HOGA_DATA_DIR=./data): stop it") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// A terminal that cannot hide what is typed (Git Bash's mintty is a pipe)
// stops setup at the first key with what to do instead, never echoing it.
func TestSetupTerminalWithoutHiddenInput(t *testing.T) {
	t.Chdir(t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), testGuard)
	defer cancel()
	in, out := newScriptReader(), newWatchedBuffer()
	f, err := parseSetupFlags([]string{"--lang", "en", "--broker", "kiwoom", "--mode", "mock"}, env(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- setup(ctx, f, setupIO{getenv: env(), out: out, errOut: io.Discard,
			ask: &prompter{in: noHiddenReader{in}}, argv0: "hoga", now: time.Now})
	}()
	err = <-done
	if err == nil || !strings.Contains(err.Error(), "cannot hide what is typed: run hoga setup in PowerShell") {
		t.Errorf("err = %v", err)
	}
}

// noHiddenReader is a terminal whose secret reads fail as a mintty's do.
type noHiddenReader struct{ *scriptReader }

func (noHiddenReader) readSecret() (string, error) { return "", errNoHiddenInput }
