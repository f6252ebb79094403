package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	tgbot "github.com/go-telegram/bot"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/bot/httpapi"
	"github.com/hoga-trade/hoga/bot/telegram"
	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/kiwoom"
	"github.com/hoga-trade/hoga/store"
	"github.com/hoga-trade/hoga/strategy"
	"github.com/hoga-trade/hoga/strategy/exits"
)

// defaultCheckTimeout bounds each of `hoga check`'s checks. A first KIS
// token can take a few seconds; the broker client retries a rate-limited
// request for a few more.
const defaultCheckTimeout = 20 * time.Second

// checkCode is the stock every broker check quotes: Samsung Electronics,
// listed on every broker, mock or live.
const checkCode broker.Code = "005930"

// runCheck is `hoga check`.
func runCheck(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	lang := startLang(getenv("HOGA_LANG"))
	fs := flag.NewFlagSet("hoga check", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	timeout := fs.Duration("timeout", defaultCheckTimeout, "time allowed for each check")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, ut(lang, "check.usage"))
			return nil
		}
		return &usageError{msg: ut(lang, "check.bad_flag", err, ut(lang, "check.usage"))}
	}
	if fs.NArg() > 0 {
		return &usageError{msg: ut(lang, "check.args", fs.Args(), ut(lang, "check.usage"))}
	}
	if *timeout <= 0 {
		return &usageError{msg: ut(lang, "check.timeout")}
	}
	cfg, err := loadSettings(getenv)
	if err != nil {
		return err
	}
	level := max(cfg.logLevel, slog.LevelWarn) // the check lines are the output; only warnings besides
	return newChecker(cfg, newLogger(stderr, cfg.LogFormat, level), *timeout).run(ctx, stdout)
}

// checker runs the checks of `hoga check`. The parts it builds are
// fields so tests can put fakes in their place.
type checker struct {
	cfg     *Config
	log     *slog.Logger
	timeout time.Duration
	// lang is the lines' language: HOGA_LANG's (setup's --lang for the
	// checks it runs).
	lang bot.Lang
	// openBroker builds the configured broker; release frees it.
	openBroker func(ctx context.Context) (b broker.Broker, release func(), err error)
	// loadRules reads and validates the rules file and counts its rules
	// and its exits.
	loadRules func(path string) (rules, exits int, err error)
	// http carries the Telegram requests.
	http *http.Client
	// bounded gives one check its context: by default ctx with the
	// -timeout. Tests give an expired one instead of racing a short timer.
	bounded func(ctx context.Context, check string) (context.Context, context.CancelFunc)
	// listen binds the HTTP API's address, as start-up does.
	listen func(addr string) (net.Listener, error)
}

func newChecker(cfg *Config, logger *slog.Logger, timeout time.Duration) *checker {
	c := &checker{cfg: cfg, log: logger, timeout: timeout, lang: cfg.lang, http: &http.Client{}, loadRules: loadRulesCount}
	c.openBroker = c.buildBroker
	c.bounded = func(ctx context.Context, _ string) (context.Context, context.CancelFunc) {
		return context.WithTimeout(ctx, c.timeout)
	}
	c.listen = func(addr string) (net.Listener, error) { return net.Listen("tcp", addr) }
	return c
}

// buildBroker builds the broker exactly as serve does (same token cache,
// so a check reuses the day's KIS token instead of issuing one), except
// that the paper exchange keeps its account in memory: a running hoga
// owns paper.json, and a check must not write it.
func (c *checker) buildBroker(ctx context.Context) (broker.Broker, func(), error) {
	cfg := *c.cfg
	if cfg.Broker == "paper" {
		cfg.DataDir = ""
	}
	a := &app{cfg: &cfg, log: c.log, services: map[string]func(context.Context) error{}}
	var err error
	if a.cal, err = broker.NewCalendar(cfg.holidays); err != nil {
		return nil, nil, err
	}
	if err := a.buildBroker(ctx); err != nil {
		a.close()
		return nil, nil, err
	}
	return a.inner, a.close, nil
}

// checkStatus is the first word of a check line.
type checkStatus string

const (
	checkOK   checkStatus = "OK"
	checkFail checkStatus = "FAIL"
	checkSkip checkStatus = "--"
)

// checkResult is one line of `hoga check`: "OK   store: …".
type checkResult struct {
	Status checkStatus
	Detail string
}

// say is a check text in the checker's language.
func (c *checker) say(key string, args ...any) string { return ct(c.lang, key, args...) }

func okLine(detail string) checkResult { return checkResult{Status: checkOK, Detail: detail} }

func skipLine(detail string) checkResult { return checkResult{Status: checkSkip, Detail: detail} }

// failLine is a failed check: what went wrong, then — after a dash — what to
// do about it.
func failLine(problem, todo string) checkResult {
	if todo == "" {
		return checkResult{Status: checkFail, Detail: problem}
	}
	return checkResult{Status: checkFail, Detail: problem + " — " + todo}
}

// checkFailedError is returned when at least one check failed (exit 1).
type checkFailedError struct {
	failed, total int
	lang          bot.Lang
}

func (e *checkFailedError) Error() string { return ct(e.lang, "failed", e.failed, e.total) }

// run prints one line per check, in order, as each finishes.
func (c *checker) run(ctx context.Context, w io.Writer) error {
	checks := []struct {
		name string
		fn   func(context.Context) checkResult
	}{
		{c.say("name.settings"), c.checkSettings},
		{c.say("name.store"), c.checkStore},
		{c.brokerLabel(), c.checkBroker},
		{c.say("name.telegram"), c.checkTelegram},
		{c.say("name.http"), c.checkHTTP},
		{c.say("name.rules"), c.checkRules},
	}
	failed := 0
	for _, ch := range checks {
		cctx, cancel := c.bounded(ctx, ch.name)
		res := ch.fn(cctx)
		if res.Status == checkFail && errors.Is(cctx.Err(), context.DeadlineExceeded) {
			res.Detail = c.say("timed_out", c.timeout, res.Detail)
		}
		cancel()
		if res.Status == checkFail {
			failed++
		}
		fmt.Fprintf(w, "%-4s %s: %s\n", res.Status, ch.name, indentLines(res.Detail))
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if failed > 0 {
		return &checkFailedError{failed: failed, total: len(checks), lang: c.lang}
	}
	return nil
}

// indentLines keeps a multi-line detail (a rules file's problems) under
// its check.
func indentLines(s string) string {
	return strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n       ")
}

func (c *checker) brokerLabel() string {
	if c.cfg.Broker == "paper" {
		return c.say("name.broker_paper")
	}
	return c.say("name.broker", c.cfg.Broker, c.cfg.Mode)
}

// checkSettings reports what was loaded; invalid settings never get here
// (they stop `hoga check` with exit 2, as they stop a start).
func (c *checker) checkSettings(context.Context) checkResult {
	src := c.say("settings.env")
	if _, err := os.Stat(".env"); err == nil {
		wd, _ := os.Getwd()
		src = c.say("settings.dotenv", filepath.Join(wd, ".env"))
	}
	return okLine(c.say("settings.ok", src, bot.Group(c.cfg.MaxOrderKRW), c.cfg.MaxDailyOrders))
}

// checkStore proves the data directory is writable (a temporary file,
// written and removed) and that the journal opens and is migrated.
func (c *checker) checkStore(ctx context.Context) checkResult {
	dir, err := filepath.Abs(c.cfg.DataDir)
	if err != nil {
		dir = c.cfg.DataDir
	}
	todo := c.say("store.todo")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return failLine(c.say("store.dir", dir, err), todo)
	}
	f, err := os.CreateTemp(dir, ".hoga-check-*")
	if err != nil {
		return failLine(c.say("store.not_writable", dir, err), todo)
	}
	_, werr := f.WriteString("hoga check\n")
	cerr := f.Close()
	rerr := os.Remove(f.Name())
	if err := errors.Join(werr, cerr, rerr); err != nil {
		return failLine(c.say("store.dir", dir, err), todo)
	}
	db, err := store.Open(ctx, store.Options{Dir: dir, Logger: c.log})
	if err != nil {
		return failLine(c.say("store.journal", dir, err), todo)
	}
	defer db.Close()
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return failLine(c.say("store.damaged", db.Path(), err), c.say("store.damaged.todo"))
	}
	return okLine(c.say("store.ok", dir, store.FileName, v))
}

// tokenEnsurer is a broker that can fetch its access token on its own
// (KIS), so a refused key is told apart from a failed quote.
type tokenEnsurer interface {
	EnsureToken(ctx context.Context) error
}

// tokenExpirer is a broker with an access token (KIS, Kiwoom).
type tokenExpirer interface {
	TokenExpiry() time.Time
}

// brokerProof is what a broker probe learned: read-only answers that
// prove the keys, the account, the network path and the IP registration.
type brokerProof struct {
	expiry time.Time // zero for the paper exchange
	quote  broker.Quote
	cash   int64
	// account is the account the key trades, masked, where the broker
	// tells it (Kiwoom's comes with the key).
	account string
}

// accountTeller is a broker that says which account its key trades
// (Kiwoom, ka00001).
type accountTeller interface {
	Account(ctx context.Context) (string, error)
}

// probeStep names the probe step that failed, so each caller can say
// what it was doing in its own words (check's lines, setup's catalog).
type probeStep string

const (
	stepSetup   probeStep = "setup"
	stepToken   probeStep = "token"
	stepQuote   probeStep = "quote"
	stepBalance probeStep = "balance"
)

// probeError is a failed probe: the step, and the broker's error (a
// *broker.Error where the client could classify it).
type probeError struct {
	step probeStep
	err  error
}

func (e *probeError) Error() string { return string(e.step) + ": " + e.err.Error() }
func (e *probeError) Unwrap() error { return e.err }

// probeBroker builds the configured broker (with the token cache, so a
// token issued here is the one the next start uses), gets a token, one
// quote and the balance. Nothing is ordered. `hoga check` and `hoga setup`
// both prove a broker with it.
func (c *checker) probeBroker(ctx context.Context) (brokerProof, error) {
	var p brokerProof
	b, release, err := c.openBroker(ctx)
	if err != nil {
		return p, &probeError{stepSetup, err}
	}
	defer release()
	if t, isToken := b.(tokenEnsurer); isToken {
		if err := t.EnsureToken(ctx); err != nil {
			return p, &probeError{stepToken, err}
		}
	}
	if p.quote, err = b.Quote(ctx, checkCode); err != nil {
		return p, &probeError{stepQuote, err}
	}
	if t, isToken := b.(tokenExpirer); isToken {
		p.expiry = t.TokenExpiry()
	}
	bal, err := b.Balance(ctx)
	if err != nil {
		return p, &probeError{stepBalance, err}
	}
	p.cash = bal.Cash
	if t, ok := b.(accountTeller); ok {
		if acct, err := t.Account(ctx); err == nil {
			p.account = kiwoom.MaskAccount(acct)
		}
	}
	return p, nil
}

// checkBroker gets a token, one quote and the balance: read-only calls
// that prove the keys, the account, the network path and the IP
// registration. Nothing is ordered.
func (c *checker) checkBroker(ctx context.Context) checkResult {
	p, err := c.probeBroker(ctx)
	var parts []string
	if !p.expiry.IsZero() {
		parts = append(parts, c.say("broker.token", kstStamp(p.expiry)))
	} else if c.cfg.Broker == "paper" {
		parts = append(parts, c.say("broker.simulated"))
	}
	if p.quote.Code != "" {
		parts = append(parts, c.say("broker.quote", p.quote.Code, bot.Group(p.quote.Price)))
	}
	var pe *probeError
	if errors.As(err, &pe) {
		switch pe.step {
		case stepQuote:
			return failLine(c.say("broker.quote_fail", checkCode, pe.err), c.brokerTodo(pe.err))
		case stepBalance:
			return failLine(strings.Join(parts, ", ")+"; "+c.say("broker.balance", pe.err), c.brokerTodo(pe.err))
		case stepToken:
			return failLine(c.say("broker.token_fail", pe.err), c.brokerTodo(pe.err))
		}
		return failLine(c.say("broker.setup", pe.err), c.brokerTodo(pe.err))
	}
	parts = append(parts, c.say("broker.cash", bot.Group(p.cash)))
	return okLine(strings.Join(parts, ", "))
}

// kstStamp is how hoga shows a time to a person: Korean time, whatever the
// host's zone (a VM in a US region, a Windows box set to UTC).
func kstStamp(t time.Time) string {
	return t.In(broker.KST()).Format("01-02 15:04 KST")
}

// brokerTodo says what to do about a failed broker call.
func (c *checker) brokerTodo(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return c.say("todo.timeout", c.baseURLNote())
	}
	var be *broker.Error
	if !errors.As(err, &be) {
		return ""
	}
	switch be.Kind {
	case broker.Auth:
		if c.cfg.Broker == "kis" || c.cfg.Broker == "kiwoom" {
			return c.say("todo.keys."+c.cfg.Broker, c.cfg.Mode)
		}
		return ""
	case broker.RateLimited:
		return c.say("todo.rate")
	case broker.Transient, broker.UnknownOutcome:
		return c.say("todo.network", c.baseURLNote())
	case broker.Invalid, broker.NotFound:
		if c.cfg.Broker == "kis" {
			return c.say("todo.account.kis")
		}
		return c.say("todo.account")
	}
	return ""
}

// baseURLNote names the overridden base URL among what to check.
func (c *checker) baseURLNote() string {
	switch {
	case c.cfg.Broker == "kis" && c.cfg.KISBaseURL != "":
		return c.say("also", "HOGA_KIS_BASE_URL")
	case c.cfg.Broker == "kiwoom" && c.cfg.KiwoomBaseURL != "":
		return c.say("also", "HOGA_KIWOOM_BASE_URL")
	}
	return ""
}

// checkTelegram calls getMe (the token) and getChat on where alerts go:
// the alert chat, or each allowed user's private chat. getChat sends
// nothing, so a check never pings anyone's phone.
func (c *checker) checkTelegram(ctx context.Context) checkResult {
	if c.cfg.TelegramToken == "" {
		return skipLine(c.say("tg.skip"))
	}
	b, err := tgbot.New(c.cfg.TelegramToken.Reveal(),
		tgbot.WithSkipGetMe(),
		tgbot.WithServerURL(strings.TrimRight(c.cfg.TelegramAPIURL, "/")),
		tgbot.WithHTTPClient(c.timeout, c.http),
		tgbot.WithErrorsHandler(func(error) {}),
	)
	if err != nil {
		return failLine(c.say("tg.token", err), c.say("tg.todo.token"))
	}
	targets := c.alertTargets()
	ids := make([]int64, len(targets))
	for i, t := range targets {
		ids[i] = t.id
	}
	// The adapter's own check (telegram.Probe), worded for a terminal.
	me, results, err := telegram.Probe(ctx, b, ids, nil)
	if err != nil {
		todo := c.say("tg.todo.token")
		if !errors.Is(err, tgbot.ErrorUnauthorized) && !errors.Is(err, tgbot.ErrorNotFound) {
			also := ""
			if c.cfg.TelegramAPIURL != "https://api.telegram.org" {
				also = c.say("also", "HOGA_TELEGRAM_API_URL")
			}
			todo = c.say("tg.todo.net", c.apiHost(), also)
		}
		return failLine("getMe: "+c.telegramProblem(err), todo)
	}
	var reached []string
	for i, target := range targets {
		chat, err := results[i].Chat, results[i].Err
		if err != nil {
			return failLine(c.say("tg.chat_fail", me.Username, c.say(target.what), target.id, c.telegramProblem(err)), c.chatTodo(target, me.Username, err))
		}
		desc := fmt.Sprintf("%s %d", c.say(target.what), target.id)
		if chat.Title != "" {
			desc = fmt.Sprintf("%s %q", c.say(target.what), chat.Title)
		}
		if target.topic != 0 {
			if !chat.IsForum {
				return failLine(c.say("tg.not_forum", me.Username, desc, target.topic), c.say("tg.not_forum.todo", target.topic))
			}
			desc += c.say("tg.topic", target.topic)
		}
		reached = append(reached, desc)
	}
	return okLine(c.say("tg.ok", me.Username, strings.Join(reached, ", ")))
}

// alertTarget is a chat the alert feed writes to.
type alertTarget struct {
	what  string // its check text: "tg.what.alert", "tg.what.user"
	id    int64
	topic int64
	group bool
}

// alertTargets are the chats alerts go to: HOGA_TELEGRAM_ALERT_CHAT, or
// else every allowed user's private chat (validated by loadConfig).
func (c *checker) alertTargets() []alertTarget {
	if s := c.cfg.TelegramAlertChat; s != "" {
		chat, topic, _ := strings.Cut(s, ":")
		id, _ := strconv.ParseInt(chat, 10, 64)
		t, _ := strconv.ParseInt(topic, 10, 64)
		return []alertTarget{{what: "tg.what.alert", id: id, topic: t, group: true}}
	}
	var out []alertTarget
	for u := range c.cfg.allowed {
		id, _ := strconv.ParseInt(u, 10, 64)
		out = append(out, alertTarget{what: "tg.what.user", id: id})
	}
	slices.SortFunc(out, func(a, b alertTarget) int { return cmp.Compare(a.id, b.id) })
	return out
}

func (c *checker) chatTodo(t alertTarget, username string, err error) string {
	var migrated *tgbot.MigrateError
	switch {
	case errors.As(err, &migrated):
		return c.say("tg.todo.migrated", migrated.MigrateToChatID)
	case errors.Is(err, tgbot.ErrorForbidden) && t.group:
		return c.say("tg.todo.removed", username)
	case errors.Is(err, tgbot.ErrorForbidden):
		return c.say("tg.todo.blocked", t.id, username)
	case t.group:
		return c.say("tg.todo.add", username)
	default:
		return c.say("tg.todo.start", t.id, username)
	}
}

// telegramProblem renders a Bot API error as "401 Unauthorized". The bot
// library scrubs the token from transport errors; only the host is kept
// here anyway.
func (c *checker) telegramProblem(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return c.say("tg.unreachable", c.apiHost(), ue.Err)
	}
	var tooMany *tgbot.TooManyRequestsError
	if errors.As(err, &tooMany) {
		return c.say("tg.429", tooMany.RetryAfter)
	}
	for _, e := range []struct {
		sentinel error
		status   string
	}{
		{tgbot.ErrorUnauthorized, "401"},
		{tgbot.ErrorForbidden, "403"},
		{tgbot.ErrorNotFound, "404"},
		{tgbot.ErrorBadRequest, "400"},
		{tgbot.ErrorConflict, "409"},
	} {
		if errors.Is(err, e.sentinel) {
			// The library's text is "<sentinel>, <Telegram's description>".
			_, desc, _ := strings.Cut(err.Error(), ", ")
			return e.status + " " + desc
		}
	}
	var migrated *tgbot.MigrateError
	if errors.As(err, &migrated) {
		return "400 " + strings.TrimPrefix(migrated.Message, tgbot.ErrorBadRequest.Error()+": ")
	}
	return err.Error()
}

func (c *checker) apiHost() string {
	if u, err := url.Parse(c.cfg.TelegramAPIURL); err == nil && u.Host != "" {
		return u.Host
	}
	return c.cfg.TelegramAPIURL
}

// checkRules validates the rules file the strategy would load.
func (c *checker) checkRules(context.Context) checkResult {
	if c.cfg.RulesFile == "" {
		return skipLine(c.say("rules.skip"))
	}
	n, nx, err := c.loadRules(c.cfg.RulesFile)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
		wd, _ := os.Getwd()
		return failLine(err.Error(), c.say("rules.todo.path", wd))
	}
	var fe *strategy.FileError
	if errors.As(err, &fe) {
		// The file's problems as a start says them: in the owner's
		// language, each at its line.
		return failLine(strings.Join(fileProblemLines(c.lang, fe), "\n"), c.say("rules.todo.fix"))
	}
	if err != nil {
		return failLine(err.Error(), c.say("rules.todo.fix"))
	}
	if nx > 0 {
		// The exits: list counted too: the file's example declares three,
		// and the line named only its two rules (issue 12, deploy walk).
		return okLine(c.say("rules.ok_exits", c.cfg.RulesFile, n, nx))
	}
	return okLine(c.say("rules.ok", c.cfg.RulesFile, n))
}

// loadRulesCount is the strategy's own loader, so the check and a start
// accept exactly the same files.
func loadRulesCount(path string) (rules, exitCount int, err error) {
	rs, err := strategy.LoadRulesFile(path)
	if err != nil {
		return 0, 0, err
	}
	// The exits: list of the same file, as a start reads it.
	xs, err := exits.LoadFile(path)
	if err != nil {
		return 0, 0, err
	}
	return len(rs), len(xs), nil
}

// checkHTTP checks the HTTP API's settings with the server's own check
// (what start-up refuses, this refuses) and binds the address for a moment:
// a port taken by another program fails here, not at the next start.
func (c *checker) checkHTTP(ctx context.Context) checkResult {
	if c.cfg.HTTPAddr == "" {
		return skipLine(c.say("http.off"))
	}
	addr, err := httpapi.CheckListen(c.cfg.HTTPAddr, c.cfg.HTTPToken.Reveal())
	if err != nil {
		return failLine(strings.TrimPrefix(err.Error(), "httpapi: "), c.say("http.todo"))
	}
	auth := c.say("http.auth")
	if c.cfg.HTTPToken == "" {
		auth = c.say("http.no_auth")
	}
	ln, err := c.listen(addr)
	if err != nil {
		if c.hogaAnswers(ctx, addr) {
			// The running hoga holds it: hoga check beside a running
			// service, as deploy/windows and deploy/linux say it may run,
			// failed here with exit 1 (issue 12, deploy walk).
			return okLine(c.say("http.running", addr, auth))
		}
		return failLine(c.say("http.busy", addr, err), c.say("http.busy.todo"))
	}
	ln.Close()
	return okLine(c.say("http.ok", addr, auth))
}

// hogaAnswers reports whether a hoga's /healthz answers at addr (an
// unspecified host is asked on loopback).
func (c *checker) hogaAnswers(ctx context.Context, addr string) bool {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	ctx, cancel := c.bounded(ctx, "http")
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	if err != nil {
		return false
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
	}
	return resp.StatusCode == http.StatusOK && json.NewDecoder(io.LimitReader(resp.Body, 1<<10)).Decode(&body) == nil && body.Status == "ok"
}

// runHealthcheck is `hoga healthcheck`: GET /healthz on the HTTP API, for
// a Docker HEALTHCHECK (a distroless image has no curl). It is cheap and
// local: `hoga check` would call the broker every half minute. It exits 0
// (healthy) or 1, never 2, which Docker reserves: every error it returns is
// a plain one, even for a missing setting.
func runHealthcheck(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) > 0 {
		return errors.New("usage: hoga healthcheck (asks http://HOGA_HTTP_ADDR/healthz; exit 0 when healthy)")
	}
	cfg, err := loadSettings(getenv)
	if err != nil {
		return errors.New(err.Error())
	}
	if cfg.HTTPAddr == "" {
		return errors.New("hoga healthcheck asks the HTTP API's /healthz: set HOGA_HTTP_ADDR (e.g. 127.0.0.1:8080)")
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	u := healthURL(cfg.HTTPAddr)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %v", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	first, _, _ := strings.Cut(strings.TrimSpace(string(body)), "\n")
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("healthcheck: %s answered %s: %s", u, resp.Status, first)
	}
	fmt.Fprintln(stdout, "ok", first)
	return nil
}

// healthURL is the /healthz URL for a listen address; a wildcard host
// (":8080", "0.0.0.0:8080", "[::]:8080") is asked on loopback.
func healthURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr + "/healthz"
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz"
}
