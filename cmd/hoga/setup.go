package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/kis"
)

const setupUsage = `usage: hoga setup [flags]

Asks, on a terminal, which broker and mode to use and its keys, proves them
(a token, one quote, the balance), connects a Telegram bot and learns the
owner's id and the alert group's id from a /start sent to the bot, writes
.env in this folder (0600; an existing one is backed up), runs the checks of
hoga check, and prints the command that starts hoga.

Every answer can be given as a flag instead; without a terminal every
answer must be. Keys may come from the environment instead of flags (flags
show in the process list): HOGA_KIS_APP_KEY, HOGA_KIS_APP_SECRET,
HOGA_KIWOOM_APP_KEY, HOGA_KIWOOM_SECRET_KEY, HOGA_TELEGRAM_TOKEN.

flags:
  --lang ko|en            language of the questions and of hoga's replies (HOGA_LANG)
  --broker paper|kis|kiwoom
  --mode mock|live        live needs --yes without a terminal
  --app-key KEY           KIS app key or Kiwoom appkey
  --app-secret SECRET     KIS app secret or Kiwoom secretkey
  --account 12345678-01   KIS account (Kiwoom's comes with the key)
  --base-url URL          the broker's REST host (a proxy or cmd/fakebroker)
  --telegram-token TOKEN  bot token from @BotFather; "none" for console mode
  --telegram-api-url URL  Bot API server (cmd/faketelegram)
  --owner ID|wait         the owner's Telegram user id; wait (default) learns it from a /start
  --alert-chat wait|none|ID[:TOPIC]
                          alert group: wait learns it from a /start in the group (default
                          on a terminal: asked; without one: none)
  --data-dir DIR          HOGA_DATA_DIR (default ./data; the token setup gets is kept there)
  --wait 10m              how long to wait for each /start
  --timeout 20s           time allowed for each broker or Telegram check
  --yes                   answer yes: live mode, the owner found, replacing .env (backed up)`

// setupFlags are `hoga setup`'s answers given up front.
type setupFlags struct {
	lang, broker, mode               string
	appKey, appSecret, account, base string
	tgToken, tgAPIURL, owner, alert  string
	dataDir                          string
	wait, timeout                    time.Duration
	yes                              bool
	given                            map[string]bool
}

// setupIO is what setup talks to; tests put fakes in.
type setupIO struct {
	getenv func(string) string
	out    io.Writer
	errOut io.Writer
	// ask reads the answers; nil when there is no terminal, so every
	// answer must come from a flag.
	ask *prompter
	// argv0 is how this program was started, for the command printed at
	// the end.
	argv0 string
	now   func() time.Time
}

// runSetup is `hoga setup`.
func runSetup(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	f, err := parseSetupFlags(args, getenv, stdout)
	if err != nil || f == nil {
		return err
	}
	sio := setupIO{getenv: getenv, out: stdout, errOut: stderr, argv0: os.Args[0], now: time.Now}
	if file, ok := stdin.(*os.File); ok && isTerminal(stdin) {
		sio.ask = &prompter{in: newTTYReader(file, stdout), restore: terminalRestorer(file)}
	}
	err = setup(ctx, f, sio)
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(stdout) // Ctrl-C at a prompt: end its line
	}
	return err
}

// parseSetupFlags reads setup's flags; their problems are said in --lang's
// language, else HOGA_LANG's, else Korean.
func parseSetupFlags(args []string, getenv func(string) string, stdout io.Writer) (*setupFlags, error) {
	fs := flag.NewFlagSet("hoga setup", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := &setupFlags{given: map[string]bool{}}
	fs.StringVar(&f.lang, "lang", "", "")
	fs.StringVar(&f.broker, "broker", "", "")
	fs.StringVar(&f.mode, "mode", "", "")
	fs.StringVar(&f.appKey, "app-key", "", "")
	fs.StringVar(&f.appSecret, "app-secret", "", "")
	fs.StringVar(&f.account, "account", "", "")
	fs.StringVar(&f.base, "base-url", "", "")
	fs.StringVar(&f.tgToken, "telegram-token", "", "")
	fs.StringVar(&f.tgAPIURL, "telegram-api-url", "", "")
	fs.StringVar(&f.owner, "owner", "", "")
	fs.StringVar(&f.alert, "alert-chat", "", "")
	fs.StringVar(&f.dataDir, "data-dir", "", "")
	fs.DurationVar(&f.wait, "wait", 10*time.Minute, "")
	fs.DurationVar(&f.timeout, "timeout", defaultCheckTimeout, "")
	fs.BoolVar(&f.yes, "yes", false, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, setupUsage)
			return nil, nil
		}
		return nil, &usageError{msg: err.Error() + "\n" + setupUsage}
	}
	if fs.NArg() > 0 {
		return nil, &usageError{msg: fmt.Sprintf("hoga setup takes no arguments (got %q)\n%s", fs.Args(), setupUsage)}
	}
	fs.Visit(func(fl *flag.Flag) { f.given[fl.Name] = true })
	probs := problems{lang: startLang(getenv("HOGA_LANG"))}
	if l, err := bot.ParseLang(f.lang); err != nil {
		probs.add("setup.lang", f.lang)
	} else if f.lang != "" {
		probs.lang = l
	}
	f.broker, f.mode = strings.ToLower(f.broker), strings.ToLower(f.mode)
	if f.broker != "" && !slices.Contains([]string{"paper", "kis", "kiwoom"}, f.broker) {
		probs.add("setup.broker", f.broker)
	}
	if f.mode != "" && f.mode != "mock" && f.mode != "live" {
		probs.add("setup.mode", f.mode)
	}
	if f.broker == "paper" && f.mode == "live" {
		probs.add("setup.paper_live")
	}
	if f.account != "" && !validKISAccount(f.account) {
		probs.add("setup.account")
	}
	if f.owner != "" && f.owner != "wait" {
		if n, err := strconv.ParseInt(f.owner, 10, 64); err != nil || n <= 0 {
			probs.add("setup.owner", f.owner)
		}
	}
	switch f.alert {
	case "", "wait", "none":
	default:
		if _, err := parseAlertChat(f.alert); err != nil {
			probs.add("setup.alert", f.alert)
		}
	}
	if f.wait <= 0 || f.timeout <= 0 {
		probs.add("setup.durations")
	}
	if len(probs.lines) > 0 {
		return nil, &usageError{msg: "hoga setup: " + strings.Join(probs.lines, "\n  ")}
	}
	return f, nil
}

// parseAlertChat checks HOGA_TELEGRAM_ALERT_CHAT's form (chat[:topic]).
func parseAlertChat(s string) (string, error) {
	chat, topic, hasTopic := strings.Cut(s, ":")
	if n, err := strconv.ParseInt(chat, 10, 64); err != nil || n == 0 {
		return "", errors.New("bad chat id")
	}
	if hasTopic {
		if n, err := strconv.ParseInt(topic, 10, 64); err != nil || n <= 0 {
			return "", errors.New("bad topic")
		}
	}
	return s, nil
}

// setupRun is one run of setup: the answers so far.
type setupRun struct {
	setupIO
	f    *setupFlags
	lang bot.Lang
	// existing is the .env already in the folder, if any.
	existing map[string]string
	// set is what will be written, in order.
	set []setting
	// brokerName for messages ("KIS", "Kiwoom").
	brokerName string
	botName    string
	logger     *slog.Logger
}

func (r *setupRun) say(key string, args ...any) { fmt.Fprintln(r.out, st(r.lang, key, args...)) }

func (r *setupRun) prompt(key string, args ...any) { fmt.Fprint(r.out, st(r.lang, key, args...)) }

// promptKeep asks for a value that Enter keeps when there is one.
func (r *setupRun) promptKeep(key string, keep bool) {
	text := st(r.lang, key)
	if keep {
		text = strings.TrimSuffix(text, ": ") + st(r.lang, "keep.previous")
	}
	fmt.Fprint(r.out, text)
}

// needFlag is the error for a question with no terminal to ask it on.
func (r *setupRun) needFlag(flagName string) error {
	return &usageError{msg: st(r.lang, "need.flags", "--"+flagName)}
}

// put records a setting to write.
func (r *setupRun) put(key, value string) {
	for i, s := range r.set {
		if s.key == key {
			r.set[i].value = value
			return
		}
	}
	r.set = append(r.set, setting{key, value})
}

// value is what a setting will be once .env is written: the environment
// over .env, as at a start.
func (r *setupRun) value(key string) string {
	if v := r.getenv(key); v != "" {
		return v
	}
	for _, s := range r.set {
		if s.key == key {
			return s.value
		}
	}
	return r.existing[key]
}

// merged is .env's content after setup, as a map.
func (r *setupRun) merged() map[string]string {
	m := map[string]string{}
	for k, v := range r.existing {
		m[k] = v
	}
	for _, s := range r.set {
		m[s.key] = s.value
	}
	return m
}

func setup(ctx context.Context, f *setupFlags, sio setupIO) error {
	existing, err := readDotEnv(".env")
	if err != nil {
		return dotEnvProblem(sio.getenv, err)
	}
	r := &setupRun{setupIO: sio, f: f, existing: existing}
	lang := f.lang
	if lang == "" {
		lang = cmp.Or(sio.getenv("HOGA_LANG"), existing["HOGA_LANG"])
	}
	if r.lang, err = bot.ParseLang(lang); err != nil {
		r.lang = bot.Korean
	}
	// The parts setup builds log warnings only: its own lines are the
	// output, and nothing it logs may hold a secret (the clients redact).
	r.logger = newLogger(sio.errOut, "text", slog.LevelWarn)
	if f.given["lang"] || r.lang == bot.English {
		r.put("HOGA_LANG", string(r.lang))
	}
	if f.dataDir != "" {
		r.put("HOGA_DATA_DIR", f.dataDir)
	}
	if sio.ask == nil {
		// Without a terminal, a missing answer is found now, not after
		// a token was issued and a /start waited for.
		if missing := r.missingFlag(); missing != "" {
			return r.needFlag(missing)
		}
	}
	r.say("welcome")
	r.warnOverrides()
	// One hoga per data directory: setup polls the bot and writes .env,
	// which a running hoga would fight over.
	dataDir := cmp.Or(r.value("HOGA_DATA_DIR"), "./data")
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	unlock, err := lockDataDir(dataDir, r.lang)
	if errors.Is(err, errLocked) {
		return errors.New(st(r.lang, "locked", dataDir))
	}
	if err != nil {
		return err
	}
	defer unlock()

	if err := r.brokerStep(ctx); err != nil {
		return err
	}
	if err := r.telegramStep(ctx); err != nil {
		return err
	}
	return r.envStep(ctx, unlock)
}

// missingFlag names the first flag a run without a terminal lacks: the
// questions the steps would ask, in their order.
func (r *setupRun) missingFlag() string {
	f := r.f
	if f.broker == "" {
		return "broker"
	}
	if f.broker != "paper" {
		if f.mode == "" {
			return "mode"
		}
		if f.mode == "live" && !f.yes {
			return "yes"
		}
		keyVar, secretVar := "HOGA_KIS_APP_KEY", "HOGA_KIS_APP_SECRET"
		if f.broker == "kiwoom" {
			keyVar, secretVar = "HOGA_KIWOOM_APP_KEY", "HOGA_KIWOOM_SECRET_KEY"
		}
		if cmp.Or(f.appKey, r.getenv(keyVar)) == "" {
			return "app-key"
		}
		if cmp.Or(f.appSecret, r.getenv(secretVar)) == "" {
			return "app-secret"
		}
		if f.broker == "kis" && f.account == "" {
			return "account"
		}
	}
	token := cmp.Or(f.tgToken, r.getenv("HOGA_TELEGRAM_TOKEN"))
	if token == "" {
		return "telegram-token"
	}
	// The first /start's sender becomes the owner unconfirmed: a script
	// says it accepts that with --yes (or names the owner).
	if token != "none" && (f.owner == "" || f.owner == "wait") && !f.yes {
		return "yes"
	}
	if _, err := os.Stat(".env"); err == nil && !f.yes {
		return "yes"
	}
	return ""
}

// setupKeys are the settings setup writes; an environment variable of the
// same name would override what it writes, so it says so at the start.
var setupKeys = []string{"HOGA_BROKER", "HOGA_MODE", "HOGA_KIS_APP_KEY", "HOGA_KIS_APP_SECRET", "HOGA_KIS_ACCOUNT",
	"HOGA_KIWOOM_APP_KEY", "HOGA_KIWOOM_SECRET_KEY", "HOGA_TELEGRAM_TOKEN", "HOGA_TELEGRAM_ALLOWED_USERS",
	"HOGA_TELEGRAM_ALERT_CHAT"}

func (r *setupRun) warnOverrides() {
	for _, k := range setupKeys {
		if r.getenv(k) == "" {
			continue
		}
		// A key given in the environment on purpose, for setup to read
		// instead of a flag, is expected.
		switch k {
		case "HOGA_KIS_APP_KEY", "HOGA_KIS_APP_SECRET", "HOGA_KIWOOM_APP_KEY", "HOGA_KIWOOM_SECRET_KEY", "HOGA_TELEGRAM_TOKEN":
			continue
		}
		r.say("env.override", k)
	}
}

// choose asks for one of options (by number or name); def is the answer
// to an empty line.
func (r *setupRun) choose(ctx context.Context, flagName, given string, options []string, def string) (string, error) {
	if given != "" {
		return given, nil
	}
	if r.ask == nil {
		return "", r.needFlag(flagName)
	}
	for {
		r.prompt("choose", def)
		a, err := r.ask.line(ctx)
		if err != nil {
			return "", err
		}
		a = strings.ToLower(a)
		if a == "" {
			return def, nil
		}
		if n, err := strconv.Atoi(a); err == nil && n >= 1 && n <= len(options) {
			return options[n-1], nil
		}
		if slices.Contains(options, a) {
			return a, nil
		}
		r.say("bad.choice", a)
	}
}

// yes asks a [Y/n] question; --yes answers it.
func (r *setupRun) yes(ctx context.Context, key string, args ...any) (bool, error) {
	if r.f.yes {
		return true, nil
	}
	if r.ask == nil {
		return false, r.needFlag("yes")
	}
	for {
		r.prompt(key, args...)
		a, err := r.ask.line(ctx)
		if err != nil {
			return false, err
		}
		switch strings.ToLower(a) {
		case "", "y", "yes", "예", "네", "ㅇ":
			return true, nil
		case "n", "no", "아니오", "아니요", "ㄴ":
			return false, nil
		}
		r.say("yesno.ask_again")
	}
}

// brokerStep chooses the broker and mode, takes the keys and proves them,
// asking again after a refusal until they work.
func (r *setupRun) brokerStep(ctx context.Context) error {
	r.say("step.broker")
	if r.f.broker == "" && r.ask != nil {
		r.say("broker.menu")
	}
	brokers := []string{"paper", "kis", "kiwoom"}
	def := "paper" // or what an older .env chose: Enter keeps it
	if old := strings.ToLower(r.existing["HOGA_BROKER"]); slices.Contains(brokers, old) {
		def = old
	}
	name, err := r.choose(ctx, "broker", r.f.broker, brokers, def)
	if err != nil {
		return err
	}
	r.put("HOGA_BROKER", name)
	if name == "paper" {
		r.put("HOGA_MODE", "mock")
		r.say("paper.ok", bot.Group(10_000_000))
		return nil
	}
	r.brokerName = brokerTitle(r.lang, name)
	if r.f.mode == "" && r.ask != nil {
		r.say("mode.menu")
	}
	def = "mock"
	if strings.EqualFold(r.existing["HOGA_MODE"], "live") {
		def = "live" // still explained and confirmed below
	}
	mode, err := r.choose(ctx, "mode", r.f.mode, []string{"mock", "live"}, def)
	if err != nil {
		return err
	}
	if mode == "live" {
		maxKRW, _ := strconv.ParseInt(cmp.Or(r.value("HOGA_MAX_ORDER_KRW"), "1000000"), 10, 64)
		maxN, _ := strconv.Atoi(cmp.Or(r.value("HOGA_MAX_DAILY_ORDERS"), "20"))
		r.say("live.explain", bot.Group(maxKRW), maxN)
		if !r.f.yes {
			if r.ask == nil {
				return r.needFlag("yes")
			}
			r.prompt("live.confirm")
			a, err := r.ask.line(ctx)
			if err != nil {
				return err
			}
			if !strings.EqualFold(a, st(r.lang, "live.word")) && !strings.EqualFold(a, "live") && a != "실전" {
				r.say("live.declined")
				mode = "mock"
			}
		}
	}
	r.put("HOGA_MODE", mode)
	baseVar := map[string]string{"kis": "HOGA_KIS_BASE_URL", "kiwoom": "HOGA_KIWOOM_BASE_URL"}[name]
	if r.f.base != "" {
		r.put(baseVar, r.f.base)
	} else if v := r.value(baseVar); v != "" {
		r.say("base.kept", baseVar, v) // a proxy, or a fake left from a trial: say which
	}
	keyVar, secretVar := "HOGA_KIS_APP_KEY", "HOGA_KIS_APP_SECRET"
	if name == "kiwoom" {
		keyVar, secretVar = "HOGA_KIWOOM_APP_KEY", "HOGA_KIWOOM_SECRET_KEY"
	}
	// Given by flag or environment: used as is the first time. From an
	// older .env: offered, Enter keeps it.
	key := cmp.Or(r.f.appKey, r.getenv(keyVar))
	secret := cmp.Or(r.f.appSecret, r.getenv(secretVar))
	account := r.f.account
	keyGiven, secretGiven, accountGiven := key != "", secret != "", account != ""
	key, secret = cmp.Or(key, r.existing[keyVar]), cmp.Or(secret, r.existing[secretVar])
	if validKISAccount(r.existing["HOGA_KIS_ACCOUNT"]) {
		account = cmp.Or(account, r.existing["HOGA_KIS_ACCOUNT"])
	}
	for first := true; ; first = false {
		if key, err = r.askSecret(ctx, "app-key", "key."+name, key, first && keyGiven); err != nil {
			return err
		}
		if secret, err = r.askSecret(ctx, "app-secret", "secret."+name, secret, first && secretGiven); err != nil {
			return err
		}
		if name == "kis" {
			if account, err = r.askAccount(ctx, account, first && accountGiven); err != nil {
				return err
			}
			r.put("HOGA_KIS_ACCOUNT", account)
		}
		r.put(keyVar, key)
		r.put(secretVar, secret)
		problem, err := r.proveBroker(ctx)
		if err != nil {
			return err
		}
		if problem == "" {
			return nil
		}
		if r.ask == nil {
			return errors.New(problem)
		}
		fmt.Fprintln(r.out, problem)
		r.say("try.again")
	}
}

// askSecret reads a key without echo. given: have came from a flag or the
// environment and is used without asking (the first time; after a refusal
// every value is asked again). Otherwise have, if any, is what Enter keeps
// (often only one of the two keys was wrong).
func (r *setupRun) askSecret(ctx context.Context, flagName, key, have string, given bool) (string, error) {
	if given {
		return have, nil
	}
	if r.ask == nil {
		return "", r.needFlag(flagName)
	}
	for {
		r.promptKeep(key, have != "")
		a, err := r.ask.secret(ctx)
		if errors.Is(err, errNoHiddenInput) {
			return "", errors.New(st(r.lang, "no.hidden"))
		}
		if err != nil {
			return "", err
		}
		if a == "" && have != "" {
			return have, nil
		}
		if a != "" {
			return a, nil
		}
		r.say("empty")
	}
}

func (r *setupRun) askAccount(ctx context.Context, have string, given bool) (string, error) {
	if given {
		return have, nil
	}
	if r.ask == nil {
		return "", r.needFlag("account")
	}
	for {
		// Not echoed either: hoga treats the account number as a secret
		// (logs mask it); the line that proves the keys shows it masked.
		r.promptKeep("account.kis", have != "")
		a, err := r.ask.secret(ctx)
		if errors.Is(err, errNoHiddenInput) {
			return "", errors.New(st(r.lang, "no.hidden"))
		}
		if err != nil {
			return "", err
		}
		if a == "" && have != "" {
			return have, nil
		}
		if len(a) == 10 && !strings.Contains(a, "-") {
			a = a[:8] + "-" + a[8:]
		}
		if validKISAccount(a) {
			return a, nil
		}
		r.say("bad.account")
	}
}

// config is the configuration hoga would start with after setup: the
// environment over the merged .env. Invalid settings come back as the
// configError a start would give.
func (r *setupRun) config() (*Config, error) {
	return loadConfig(r.getenv, r.merged())
}

// proveBroker builds the broker as a start would (same token cache in the
// data directory, so the token issued here is the one hoga starts with),
// and gets a token, a quote and the balance. It returns the one line that
// says what is wrong, or "" when the broker answered.
func (r *setupRun) proveBroker(ctx context.Context) (string, error) {
	cfg, err := r.config()
	if err != nil {
		return "", err
	}
	r.say("probing")
	// The clients log each failed call as a warning; here the one line
	// below says it all, so only errors reach the terminal.
	c := newChecker(cfg, newLogger(r.errOut, "text", slog.LevelError), r.f.timeout)
	pctx, cancel := context.WithTimeout(ctx, r.f.timeout)
	defer cancel()
	p, err := c.probeBroker(pctx)
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	if err != nil {
		return r.brokerProblem(cfg, err), nil
	}
	acct := ""
	if cfg.Broker == "kis" {
		if a, err := kis.ParseAccount(cfg.KISAccount.Reveal()); err == nil {
			acct = st(r.lang, "broker.account", a.String())
		}
	} else if p.account != "" {
		acct = st(r.lang, "broker.account", p.account)
	}
	mode := bot.Text(r.lang, "mode."+cfg.Mode)
	r.say("broker.ok", r.brokerName, mode, kstStamp(p.expiry), p.quote.Code, bot.Group(p.quote.Price), bot.Group(p.cash), acct)
	return "", nil
}

// brokerProblem turns a failed probe into one line: what is wrong and
// what to do, from the clients' typed errors and codes.
func (r *setupRun) brokerProblem(cfg *Config, err error) string {
	name := r.brokerName
	if be, ok := broker.AsError(err); ok && be.Code == "EGW00133" {
		// Also when the probe's time ran out while the client waited out
		// the throttle: the network is fine.
		return st(r.lang, "fail.throttle") + st(r.lang, "fail.code", name, be.Code)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return st(r.lang, "fail.timeout", name)
	}
	be, ok := broker.AsError(err)
	if !ok {
		return st(r.lang, "fail.other", name, err.Error())
	}
	code := ""
	if be.Code != "" {
		code = st(r.lang, "fail.code", name, be.Code)
	}
	mode := bot.Text(r.lang, "mode."+cfg.Mode)
	switch be.Code {
	case "EGW02004": // KIS: not a live key
		return st(r.lang, "fail.not_live") + code
	case "EGW02007": // KIS: not a mock key
		return st(r.lang, "fail.not_mock") + code
	case "EGW02006", "8030", "8031":
		return st(r.lang, "fail.other_mode", mode) + code
	case "EGW00103":
		return st(r.lang, "fail.app_key", name) + code
	case "EGW00105":
		return st(r.lang, "fail.secret", name) + code
	case "8001", "8002", "8020":
		return st(r.lang, "fail.keys", name) + code
	case "8010", "8040", "8050", "8103":
		return st(r.lang, "fail.ip") + code
	case "EGW00133":
		return st(r.lang, "fail.throttle") + code
	}
	switch be.Kind {
	case broker.Auth:
		return st(r.lang, "fail.keys", name) + code
	case broker.RateLimited:
		return st(r.lang, "fail.rate", name) + code
	case broker.Transient, broker.UnknownOutcome:
		return st(r.lang, "fail.network", name) + code
	case broker.Invalid, broker.NotFound, broker.Rejected:
		if cfg.Broker == "kis" {
			return st(r.lang, "fail.account", mode) + code
		}
		return st(r.lang, "fail.mode", mode) + code
	}
	return st(r.lang, "fail.other", name, be.Error())
}

// telegramStep connects the bot and learns the owner and the alert group
// from /start messages.
func (r *setupRun) telegramStep(ctx context.Context) error {
	r.say("step.telegram")
	token := cmp.Or(r.f.tgToken, r.getenv("HOGA_TELEGRAM_TOKEN"))
	if token == "none" {
		r.say("telegram.skip")
		r.clearTelegram()
		return nil
	}
	if token == "" {
		if r.ask == nil {
			return r.needFlag("telegram-token")
		}
		ok, err := r.yes(ctx, "telegram.ask")
		if err != nil {
			return err
		}
		if !ok {
			r.say("telegram.skip")
			r.clearTelegram()
			return nil
		}
	}
	apiURL := cmp.Or(r.f.tgAPIURL, r.getenv("HOGA_TELEGRAM_API_URL"), r.existing["HOGA_TELEGRAM_API_URL"], "https://api.telegram.org")
	if r.f.tgAPIURL != "" {
		r.put("HOGA_TELEGRAM_API_URL", r.f.tgAPIURL)
	}
	var tg *tgLearner
	tokenGiven := token != ""
	token = cmp.Or(token, r.existing["HOGA_TELEGRAM_TOKEN"])
	for first := true; ; first = false {
		var err error
		if token, err = r.askSecret(ctx, "telegram-token", "telegram.token", token, first && tokenGiven); err != nil {
			return err
		}
		if tg, err = newTGLearner(token, apiURL, r.f.timeout); err == nil {
			cctx, cancel := context.WithTimeout(ctx, r.f.timeout)
			err = tg.connect(cctx)
			cancel()
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err == nil {
			break
		}
		line := r.telegramProblem(tg, apiURL, err)
		if r.ask == nil || !refused(err) {
			return errors.New(line)
		}
		fmt.Fprintln(r.out, line)
		token = "" // a refused token is not offered back with Enter
		r.say("try.again")
	}
	r.put("HOGA_TELEGRAM_TOKEN", token)
	r.botName = tg.me.Username
	r.say("telegram.me", tg.me.FirstName, tg.me.Username)

	sameBot := token == r.existing["HOGA_TELEGRAM_TOKEN"]
	owners, err := r.learnOwner(ctx, tg, sameBot)
	if err != nil {
		return err
	}
	r.put("HOGA_TELEGRAM_ALLOWED_USERS", owners)
	alert, err := r.learnGroup(ctx, tg, owners, sameBot)
	if err != nil {
		return err
	}
	r.put("HOGA_TELEGRAM_ALERT_CHAT", alert) // "" clears an old one: alerts go to the owner
	if err := tg.registerMenu(ctx, r.lang, owners, alert); err != nil {
		r.say("menu.fail", err)
	} else {
		r.say("menu.ok")
	}
	if err := tg.confirm(ctx); err != nil && ctx.Err() == nil {
		r.logger.Warn("could not confirm the /start messages to Telegram; hoga may answer them once when it starts", "err", err)
	}
	return nil
}

// clearTelegram empties the Telegram settings an older .env may hold:
// console mode was chosen.
func (r *setupRun) clearTelegram() {
	for _, k := range []string{"HOGA_TELEGRAM_TOKEN", "HOGA_TELEGRAM_ALLOWED_USERS", "HOGA_TELEGRAM_ALERT_CHAT"} {
		if r.existing[k] != "" {
			r.put(k, "")
		}
	}
}

func (r *setupRun) telegramProblem(tg *tgLearner, apiURL string, err error) string {
	var ne *tgNetError
	switch {
	case refused(err):
		// check's rendering: "401 Unauthorized", not the library's words.
		return st(r.lang, "telegram.bad", (&checker{cfg: &Config{TelegramAPIURL: apiURL}, lang: r.lang}).telegramProblem(err))
	case errors.As(err, &ne):
		return st(r.lang, "telegram.net", ne.host, ne.err)
	case errors.Is(err, context.DeadlineExceeded):
		host := apiURL
		if tg != nil {
			host = tg.host()
		}
		return st(r.lang, "telegram.net", host, "timeout")
	}
	var ae *tgAPIError
	if errors.As(err, &ae) && ae.Code == 409 {
		return st(r.lang, "telegram.busy")
	}
	return st(r.lang, "telegram.error", err)
}

// learnOwner waits for a /start in a private chat and takes its sender
// as the owner once confirmed; --owner ID skips the wait.
func (r *setupRun) learnOwner(ctx context.Context, tg *tgLearner, sameBot bool) (string, error) {
	if r.f.owner != "" && r.f.owner != "wait" {
		return r.f.owner, nil
	}
	// Setting up the same bot again (new keys, say): the owners it has
	// may stay.
	if old := r.existing["HOGA_TELEGRAM_ALLOWED_USERS"]; sameBot && old != "" && r.f.owner == "" {
		ok, err := r.yes(ctx, "owner.keep", old)
		if err != nil || ok {
			return old, err
		}
	}
	r.say("owner.send", tg.me.Username, tg.me.Username, r.waitText())
	wctx, cancel := context.WithTimeout(ctx, r.f.wait)
	defer cancel()
	for {
		var from *models.User
		err := tg.waitFor(wctx, func(m *models.Message) bool {
			if m.Chat.Type != models.ChatTypePrivate || m.From == nil || m.From.IsBot || !tg.isStart(m) {
				return false
			}
			from = m.From
			return true
		})
		if err != nil {
			return "", r.waitError(ctx, tg, err)
		}
		ok, err := r.yes(ctx, "owner.found", personName(from), from.ID)
		if err != nil {
			return "", err
		}
		if !ok {
			r.say("owner.ignored")
			continue
		}
		r.say("owner.ok", personName(from), from.ID)
		if err := tg.say(ctx, from.ID, 0, st(r.lang, "chat.owner")); err != nil {
			r.logger.Warn("could not greet the owner", "err", err)
		}
		return strconv.FormatInt(from.ID, 10), nil
	}
}

func (r *setupRun) waitError(ctx context.Context, tg *tgLearner, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return errors.New(st(r.lang, "wait.timeout", r.waitText()))
	}
	return errors.New(r.telegramProblem(tg, "", err))
}

// learnGroup asks for an alert group and waits for the owner's /start in
// it; Enter skips. It returns HOGA_TELEGRAM_ALERT_CHAT ("" for none).
func (r *setupRun) learnGroup(ctx context.Context, tg *tgLearner, owners string, sameBot bool) (string, error) {
	if old := r.existing["HOGA_TELEGRAM_ALERT_CHAT"]; sameBot && old != "" && r.f.alert == "" {
		ok, err := r.yes(ctx, "group.keep", old)
		if err != nil || ok {
			return old, err
		}
	}
	switch a := r.f.alert; {
	case a == "none" || (a == "" && r.ask == nil):
		return "", nil
	case a != "" && a != "wait":
		return a, nil
	}
	r.say("group.ask", tg.me.Username, tg.me.Username)
	wctx, cancel := context.WithTimeout(ctx, r.f.wait)
	defer cancel()
	// Enter skips the group: a read runs beside the poll, and a poll that
	// finds the /start leaves that read to the next question.
	skipped := make(chan struct{})
	pollCtx, stopPoll := context.WithCancel(wctx)
	defer stopPoll()
	if r.ask != nil {
		pending := r.ask.start(false)
		go func() {
			select {
			case a := <-pending:
				pending <- a // give it back: the skip below reads it
				close(skipped)
				stopPoll()
			case <-pollCtx.Done():
			}
		}()
	}
	var found *models.Message
	err := tg.waitFor(pollCtx, func(m *models.Message) bool {
		if m.Chat.Type != models.ChatTypeGroup && m.Chat.Type != models.ChatTypeSupergroup || !tg.isStart(m) {
			return false
		}
		if m.From == nil || !isOwner(owners, m.From.ID) {
			who := "?"
			if m.From != nil {
				who = personName(m.From)
			}
			r.say("group.stranger", who)
			return false
		}
		found = m
		return true
	})
	stopPoll()
	select {
	case <-skipped:
		if _, err := r.ask.line(ctx); err != nil { // the Enter itself
			return "", err
		}
		r.say("group.skip")
		return "", nil
	default:
	}
	if err != nil {
		if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			r.say("wait.timeout", r.waitText())
			r.say("group.skip")
			return "", nil
		}
		return "", r.waitError(ctx, tg, err)
	}
	topic := ""
	thread := 0
	if found.IsTopicMessage && found.MessageThreadID != 0 {
		thread = found.MessageThreadID
		topic = st(r.lang, "group.topic", thread)
	}
	ok, err := r.yes(ctx, "group.found", found.Chat.Title, found.Chat.ID, topic)
	if err != nil {
		return "", err
	}
	if !ok {
		r.say("group.skip")
		return "", nil
	}
	r.say("group.ok", found.Chat.Title, topic)
	if err := tg.say(ctx, found.Chat.ID, thread, st(r.lang, "chat.group")); err != nil {
		r.logger.Warn("could not greet the alert group", "err", err)
	}
	alert := strconv.FormatInt(found.Chat.ID, 10)
	if thread != 0 {
		alert += ":" + strconv.Itoa(thread)
	}
	return alert, nil
}

// envStep writes .env, runs the checks of hoga check, and prints the
// command that starts hoga.
func (r *setupRun) envStep(ctx context.Context, unlock func() error) error {
	r.say("step.env")
	if _, err := r.config(); err != nil {
		return err
	}
	path, err := filepath.Abs(".env")
	if err != nil {
		return err
	}
	now := r.now()
	old, err := os.ReadFile(path)
	exists := err == nil
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	backup := ""
	if exists {
		backup = backupName(path, now)
		ok, err := r.yes(ctx, "env.exists", filepath.Base(backup))
		if err != nil {
			return err
		}
		if !ok {
			r.say("env.kept")
			return nil
		}
	}
	data, err := mergeDotEnv(old, r.set, now)
	if err != nil {
		return err
	}
	if exists {
		if err := copyFile0600(path, backup); err != nil {
			return fmt.Errorf("backing up .env: %w", err)
		}
		r.say("env.backup", filepath.Base(backup))
	}
	if err := writeFileAtomic(path, data); err != nil {
		return fmt.Errorf("writing .env: %w", err)
	}
	r.say("env.written", path)

	// The checks a start makes, on what was just written. The data
	// directory lock is released first: hoga check does not take it, but
	// the user may start hoga the moment the checks pass.
	_ = unlock()
	cfg, err := loadSettings(r.getenv)
	if err != nil {
		return err
	}
	r.say("checking")
	checkErr := newChecker(cfg, newLogger(r.errOut, cfg.LogFormat, max(cfg.logLevel, slog.LevelWarn)), r.f.timeout).run(ctx, r.out)
	if checkErr != nil {
		r.say("check.failed")
		return checkErr
	}
	r.say("start", r.startCommand())
	if runtime.GOOS == "windows" {
		if exe, err := os.Executable(); err == nil {
			if note := r.serviceNote(exe, filepath.Dir(path)); note != "" {
				r.say("service.elsewhere", note)
			}
		}
	}
	if r.botName != "" {
		r.say("start.telegram", r.botName)
	}
	return nil
}

// startCommand is how to start hoga from here: the name on the PATH if
// that is this program, `go run ./cmd/hoga` under go run, else the path
// it was started by.
func (r *setupRun) startCommand() string {
	a := r.argv0
	if strings.Contains(filepath.ToSlash(a), "/go-build") {
		return "go run ./cmd/hoga"
	}
	if p, err := exec.LookPath("hoga"); err == nil {
		if self, err := filepath.Abs(a); err == nil {
			if same(p, self) {
				return "hoga"
			}
		}
	}
	return a
}

func same(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// serviceNote is, on Windows, the folder whose .env the service would
// read (beside hoga.exe) when setup wrote .env somewhere else; "" when
// they are the same or hoga runs under go run.
func (r *setupRun) serviceNote(exe, envDir string) string {
	if strings.Contains(filepath.ToSlash(r.argv0), "/go-build") || strings.Contains(filepath.ToSlash(exe), "/go-build") {
		return ""
	}
	dir, err := exeDir(exe, filepath.EvalSymlinks)
	if err != nil || same(dir, envDir) {
		return ""
	}
	return filepath.Join(dir, ".env")
}

// brokerTitle is how setup names a broker in a sentence.
func brokerTitle(lang bot.Lang, name string) string {
	if lang == bot.Korean {
		return map[string]string{"kis": "한국투자증권", "kiwoom": "키움증권"}[name]
	}
	return map[string]string{"kis": "KIS", "kiwoom": "Kiwoom"}[name]
}

// waitText is --wait as a person says it: "10분", "10 min".
func (r *setupRun) waitText() string {
	d := r.f.wait
	if d%time.Minute != 0 {
		return d.String()
	}
	if r.lang == bot.Korean {
		return fmt.Sprintf("%d분", d/time.Minute)
	}
	return fmt.Sprintf("%d min", d/time.Minute)
}

// isOwner reports whether id is in a HOGA_TELEGRAM_ALLOWED_USERS list.
func isOwner(list string, id int64) bool {
	for _, s := range strings.Split(list, ",") {
		if strings.TrimSpace(s) == strconv.FormatInt(id, 10) {
			return true
		}
	}
	return false
}
