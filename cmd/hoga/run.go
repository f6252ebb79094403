package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/bot/console"
	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/paper"
)

// usageError is a wrong command line; exit status 2 like a bad setting.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// exitCode maps run's error to the process status and prints it: 0 ok,
// 2 for bad settings or arguments (nothing was started), 1 otherwise.
func exitCode(err error, stderr io.Writer) int {
	if err == nil || errors.Is(err, context.Canceled) {
		return 0
	}
	fmt.Fprintln(stderr, "hoga:", err)
	var ce *configError
	var ue *usageError
	if errors.As(err, &ce) || errors.As(err, &ue) {
		return 2
	}
	return 1
}

const usageText = `usage: hoga [command]

commands:
  (none), run   start hoga (console on this terminal; Telegram/HTTP/strategy when configured)
  version       print the version
  config        list every setting with its default
`

// run is the whole program; main only supplies the process's environment
// so tests can run it with their own.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := ""
	if len(args) > 0 {
		cmd = args[0]
	}
	switch cmd {
	case "", "run":
		return serve(ctx, getenv, stdin, stdout, stderr)
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, versionString())
		return nil
	case "config":
		return printUsage(stdout)
	case "check":
		return runCheck(ctx, args[1:], getenv, stdout, stderr)
	case "healthcheck":
		return runHealthcheck(ctx, args[1:], getenv, stdout)
	case "service":
		return runService(ctx, args[1:], getenv, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usageText)
		return nil
	}
	return &usageError{msg: fmt.Sprintf("unknown command %q\n%s", cmd, usageText)}
}

// versionString reports the module version and VCS revision the binary was
// built from, so a bug report names the exact build.
func versionString() string {
	v, rev, dirty := "(devel)", "", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		v = bi.Main.Version
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = "+dirty"
				}
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	out := "hoga " + v
	if rev != "" {
		out += " (" + rev + dirty + ")"
	}
	return out
}

// loadSettings reads .env from the working directory and the environment.
func loadSettings(getenv func(string) string) (*Config, error) {
	dotenv, err := readDotEnv(".env")
	if err != nil {
		return nil, &configError{lines: []string{err.Error()}}
	}
	return loadConfig(getenv, dotenv)
}

// serve builds every part, runs until ctx ends (or, with nothing else
// configured, until the console's input ends), then stops them in order.
func serve(ctx context.Context, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg, err := loadSettings(getenv)
	if err != nil {
		return err
	}
	logger := newLogger(stderr, cfg.LogFormat, cfg.logLevel)
	a, err := build(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer a.close()

	interactive := isTerminal(stdin)
	fmt.Fprintln(stdout, a.banner(interactive))

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	start := func(name string, fn func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(ctx); err != nil && !errors.Is(err, context.Canceled) {
				errs <- fmt.Errorf("%s: %w", name, err)
				cancel()
			}
		}()
	}
	for name, fn := range a.services {
		start(name, fn)
	}

	con := console.New(console.Config{Router: a.router, In: stdin, Out: stdout, Interactive: interactive})
	if len(a.sinks) == 0 {
		a.feed.AddSink(con)
	}
	a.feed.System(ctx, "alert.started", a.modeLabel(), a.inner.Name())
	conErr := con.Run(ctx)
	if conErr == nil && len(a.services) > 0 {
		// A service has no stdin: keep running until a signal.
		logger.Info("console input ended; running until stopped", "services", len(a.services))
		<-ctx.Done()
	}
	cancel()
	wg.Wait()
	a.feed.System(context.WithoutCancel(ctx), "alert.stopped")
	close(errs)
	var all []error
	if conErr != nil && !errors.Is(conErr, context.Canceled) {
		all = append(all, conErr)
	}
	for err := range errs {
		all = append(all, err)
	}
	return errors.Join(all...)
}

// app holds the built parts.
type app struct {
	cfg      *Config
	log      *slog.Logger
	cal      *broker.Calendar
	inner    broker.Broker // the configured broker
	orders   broker.Broker // what every order goes through
	router   *bot.Router
	feed     *bot.Feed
	sinks    []bot.AlertSink
	services map[string]func(context.Context) error
	closers  []func() error
	paper    *paper.Exchange
}

func (a *app) close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		if err := a.closers[i](); err != nil {
			a.log.Warn("shutdown", "err", err)
		}
	}
}

func (a *app) modeLabel() string {
	if a.cfg.Broker == "paper" {
		return "paper"
	}
	return a.cfg.Mode
}

func build(ctx context.Context, cfg *Config, logger *slog.Logger) (a *app, err error) {
	a = &app{cfg: cfg, log: logger, services: map[string]func(context.Context) error{}}
	defer func() {
		if err != nil {
			a.close()
		}
	}()
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	a.cal, err = broker.NewCalendar(cfg.holidays)
	if err != nil {
		return nil, err
	}
	if err := a.buildBroker(ctx); err != nil {
		return nil, err
	}
	a.orders = a.inner
	a.feed = bot.NewFeed(bot.FeedConfig{Lang: cfg.lang, Settings: cfg.alerts, Logger: logger.With("part", "alerts")})
	a.router, err = bot.NewRouter(bot.Config{
		Broker:      a.orders,
		Lang:        cfg.lang,
		Mode:        a.modeLabel(),
		ConfirmAll:  cfg.Confirm == "always",
		ConfirmTTL:  cfg.ConfirmTTL,
		StaleAfter:  cfg.StaleAfter,
		Allowed:     func(id string) bool { return cfg.allowed[id] },
		Calendar:    a.cal,
		MarketHours: cfg.marketHours,
		Errors:      a.feed.RecentErrors,
		Logger:      logger.With("part", "bot"),
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

func (a *app) buildBroker(ctx context.Context) error {
	cfg := a.cfg
	switch cfg.Broker {
	case "paper":
		ex, err := paper.New(paper.Options{
			Cash:        cfg.PaperCash,
			Seed:        cfg.PaperSeed,
			DataDir:     cfg.DataDir,
			MarketHours: cfg.marketHours,
			Calendar:    a.cal,
			Logger:      a.log.With("broker", "paper"),
		})
		if err != nil {
			return fmt.Errorf("paper broker: %w", err)
		}
		a.paper, a.inner = ex, ex
		a.closers = append(a.closers, ex.Close)
		return nil
	}
	return fmt.Errorf("broker %q is not available in this build", cfg.Broker)
}

// banner is the first thing a person sees: the mode, and how to go further.
func (a *app) banner(interactive bool) string {
	var b strings.Builder
	en := a.cfg.lang == bot.English
	mode := map[string]string{"paper": "페이퍼(가상) 거래", "mock": "모의투자", "live": "⚠️ 실전 투자"}[a.modeLabel()]
	if en {
		mode = map[string]string{"paper": "paper (simulated) trading", "mock": "mock trading", "live": "⚠️ LIVE trading"}[a.modeLabel()]
	}
	fmt.Fprintf(&b, "hoga — %s · broker %s · %s\n", mode, a.inner.Name(), time.Now().In(broker.KST()).Format("2006-01-02 15:04 KST"))
	if a.paper != nil {
		if en {
			fmt.Fprintf(&b, "Simulated exchange (seed %d): no account needed. Set HOGA_BROKER=kis or kiwoom for a real broker.\n", a.paper.Seed())
		} else {
			fmt.Fprintf(&b, "가상 거래소 (seed %d): 계좌가 필요 없습니다. 실제 증권사는 HOGA_BROKER=kis 또는 kiwoom.\n", a.paper.Seed())
		}
	}
	if a.cfg.TelegramToken == "" {
		if en {
			b.WriteString("Console mode. For Telegram set HOGA_TELEGRAM_TOKEN and HOGA_TELEGRAM_ALLOWED_USERS (see .env.example).\n")
		} else {
			b.WriteString("콘솔 모드. 텔레그램은 HOGA_TELEGRAM_TOKEN 과 HOGA_TELEGRAM_ALLOWED_USERS 를 설정하세요 (.env.example 참고).\n")
		}
	}
	if interactive {
		if en {
			b.WriteString("Type /help for commands, Ctrl-C to quit.")
		} else {
			b.WriteString("/help 로 명령 목록, Ctrl-C 로 종료.")
		}
	} else {
		b.WriteString("---")
	}
	return b.String()
}
