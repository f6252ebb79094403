package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/bot/console"
	"github.com/hoga-trade/hoga/broker"
)

// This file is the serve loop: start the parts, run until a signal or a
// fatal error, stop them in order; and the banner a person sees first.

// serve builds every part, runs until ctx ends (or, with nothing else
// configured, until the console's input ends), then stops them in order.
func serve(ctx context.Context, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	steps := newStartSteps()
	cfg, err := loadSettings(getenv)
	if err != nil {
		return err
	}
	interactive := isTerminal(stdin)
	quietLog := interactive && !cfg.set["HOGA_LOG_LEVEL"] && cfg.LogFormat == "text"
	if quietLog {
		// A person typing at the prompt shares the terminal with the log:
		// keep it to warnings unless they asked for more.
		cfg.logLevel = slog.LevelWarn
	}
	logger := newLogger(stderr, cfg.LogFormat, cfg.logLevel)
	for _, w := range cfg.warnings {
		logger.Warn(w)
	}
	steps.done("settings")
	a, err := build(ctx, cfg, logger, steps)
	if err != nil {
		if ctx.Err() != nil {
			return nil // asked to stop while starting: a clean stop
		}
		return err
	}
	defer a.close()

	fmt.Fprintln(stdout, a.banner(interactive, quietLog))

	// The parts run on their own context: a stop request (ctx's end, or
	// the console's input ending) first lets the order in flight finish
	// and the tracker take its final look (finalCheck, a few seconds at
	// most), then stops them; a part's failure stops them at once.
	outer := ctx
	ctx, cancel := context.WithCancel(context.WithoutCancel(outer))
	defer cancel()
	var stopOnce sync.Once
	stop := func() { stopOnce.Do(func() { a.finalCheck(outer); cancel() }) }
	go func() {
		select {
		case <-outer.Done():
			stop()
		case <-ctx.Done():
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan error, len(a.services)+len(a.background)) // one per part: a failing part never blocks
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
	// The console hears alerts before any part starts: the tracker re-sends
	// at once the fill alerts an earlier run did not deliver.
	// Pictures (/chart, the close report's charts) go beside the database.
	con := console.New(console.Config{Router: a.router, In: stdin, Out: stdout, Interactive: interactive,
		PhotoDir: filepath.Join(a.cfg.DataDir, "charts")})
	if len(a.sinks) == 0 {
		a.feed.AddSink(con)
	}
	// Logged before the parts start, so the line is written before the
	// HTTP API (listening since build) serves its first request.
	steps.done("console")
	steps.log(logger)
	for name, fn := range a.services {
		start(name, fn)
	}
	for name, fn := range a.background {
		start(name, fn)
	}

	a.feed.System(ctx, "alert.started", bot.ModeLabel(a.cfg.lang, a.modeLabel()), bot.BrokerLabel(a.cfg.lang, a.inner.Name()))
	for _, e := range a.startupErrors {
		a.feed.Error(ctx, "%s", e)
	}
	if a.skewAlerts != nil {
		a.skewAlerts.ready(ctx, a.feed)
	}
	conErr := con.Run(ctx)
	if conErr == nil && a.keepAlive(con.LinesRead()) {
		// A service has no stdin: keep running until a signal.
		logger.Info("console input ended; running until stopped", "services", len(a.services))
		<-ctx.Done()
	}
	stop()
	wg.Wait()
	// The Telegram adapter sends its own stop notice while draining its
	// queues; the console needs none.
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

// banner is the first thing a person sees: the mode, and how to go further.
// Its sentences are in the catalog (setup_catalog.go, banner.*).
func (a *app) banner(interactive, quietLog bool) string {
	var b strings.Builder
	lang := a.cfg.lang
	fmt.Fprint(&b, st(lang, "banner.head", st(lang, "banner.mode."+a.modeLabel()), a.inner.Name(), time.Now().In(broker.KST()).Format("2006-01-02 15:04 KST")))
	if a.paper != nil {
		b.WriteString(st(lang, "banner.paper", a.paper.Seed()))
		b.WriteString(paperCashLine(lang, a.cfg.DataDir, a.cfg.PaperCash))
	}
	if a.cfg.TelegramToken == "" {
		b.WriteString(st(lang, "banner.console"))
	}
	if interactive {
		b.WriteString(st(lang, "banner.help"))
		if quietLog {
			b.WriteString(st(lang, "banner.quiet_log"))
		}
	} else {
		b.WriteString("---")
	}
	return b.String()
}
