package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/kis"
	"github.com/hoga-trade/hoga/broker/kiwoom"
	"github.com/hoga-trade/hoga/broker/paper"
	"github.com/hoga-trade/hoga/broker/tokencache"
)

// This file constructs the configured broker (paper, kis or kiwoom) with
// its token cache, rate limits and hooks.

// buildBroker makes the configured broker. hoga check calls it on an app
// holding only cfg, log and cal, so it must not need anything else.
func (a *app) buildBroker(ctx context.Context) error {
	cfg := a.cfg
	tokens := tokencache.New(filepath.Join(cfg.DataDir, "tokens"))
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
			path := filepath.Join(cfg.DataDir, paper.StateFile)
			return &startError{msg: cfgt(cfg.lang, "paper.open", path, fileReason(cfg.lang, path, err)), err: fmt.Errorf("paper broker: %w", err)}
		}
		a.paper, a.inner = ex, ex
		a.closers = append(a.closers, ex.Close)
		return nil
	case "kis":
		a.metrics.BrokerConfigured("kis")
		a.skew = a.newSkew()
		cl, err := kis.New(kis.Options{
			HTTPClient:      &http.Client{Transport: broker.SkewTransport(nil, a.skew)},
			Clock:           a.brokerClock,
			WaitClock:       paceClockFrom(ctx),
			AppKey:          cfg.KISAppKey,
			AppSecret:       cfg.KISAppSecret,
			Account:         cfg.KISAccount.Reveal(),
			Mode:            kis.Mode(cfg.Mode),
			BaseURL:         cfg.KISBaseURL,
			Logger:          a.log, // the client adds broker=kis itself
			Tokens:          tokens,
			RPS:             cfg.KISRPS,
			Timeout:         cfg.BrokerTimeout,
			OnRateLimitWait: func(api string, d time.Duration) { a.metrics.RateLimitWait("kis", api, d) },
			OnRateLimited:   func(string) { a.metrics.RateLimited("kis") },
			OnTokenIssued:   func() { a.metrics.TokenIssued("kis") },
		})
		if err != nil {
			return &configError{lang: cfg.lang, lines: []string{cfgt(cfg.lang, "defect", "KIS", err)}}
		}
		// Fail fast on a wrong key (or a key of the other mode) instead of
		// at the first order.
		if err := firstToken(ctx, a.brokerClock, a.log, "kis", cl.EnsureToken); err != nil {
			return a.tokenFailure("KIS", err)
		}
		a.inner, a.tokenExpiry = cl, cl.TokenExpiry
		a.account = fmt.Sprint(cl.Account())
		return nil
	case "kiwoom":
		a.metrics.BrokerConfigured("kiwoom")
		a.skew = a.newSkew()
		cl, err := kiwoom.New(kiwoom.Options{
			HTTPClient:      &http.Client{Transport: broker.SkewTransport(nil, a.skew)},
			Clock:           a.brokerClock,
			WaitClock:       paceClockFrom(ctx),
			AppKey:          cfg.KiwoomAppKey.Reveal(),
			SecretKey:       cfg.KiwoomSecretKey.Reveal(),
			Mode:            cfg.Mode,
			BaseURL:         cfg.KiwoomBaseURL,
			Logger:          a.log.With("broker", "kiwoom"),
			Tokens:          tokens,
			RPS:             cfg.KiwoomRPS,
			Timeout:         cfg.BrokerTimeout,
			OnRateLimitWait: func(api string, d time.Duration) { a.metrics.RateLimitWait("kiwoom", api, d) },
			OnRateLimited:   func(string) { a.metrics.RateLimited("kiwoom") },
			OnTokenIssued:   func() { a.metrics.TokenIssued("kiwoom") },
		})
		if err != nil {
			return &configError{lang: cfg.lang, lines: []string{cfgt(cfg.lang, "defect", "Kiwoom", err)}}
		}
		if err := firstToken(ctx, a.brokerClock, a.log, "kiwoom", cl.EnsureToken); err != nil {
			return a.tokenFailure("키움", err)
		}
		a.inner, a.tokenExpiry = cl, cl.TokenExpiry
		// The account comes from the key (ka00001), shown masked in
		// /status so the owner can see which account hoga trades. Nothing
		// else needs it, so it is asked after commands are taken
		// (loadAccount), not before: a broker round trip on every start,
		// and with Kiwoom slow or down, up to five timeouts (issue 20).
		a.accountOf = cl.Account
		return nil
	}
	return fmt.Errorf("broker %q is not available in this build", cfg.Broker)
}

// tokenFailure is start-up's line for a broker that gave no first token:
// what it said, and what to do, as hoga check says it. A stop during the
// wait is no failure to explain.
func (a *app) tokenFailure(name string, err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	lang := a.cfg.lang
	todo := (&checker{cfg: a.cfg, lang: lang}).brokerTodo(err)
	if todo == "" {
		todo = cfgt(lang, "broker.token.todo")
	}
	if lang == bot.English { // check's what-to-do starts a clause; here a sentence
		todo = strings.ToUpper(todo[:1]) + todo[1:]
	}
	// The broker's own words (KIS and Kiwoom answer in Korean) with its
	// code, rather than hoga's English wrapping of them.
	said := err.Error()
	var be *broker.Error
	if errors.As(err, &be) && be.Msg != "" {
		said, _, _ = strings.Cut(be.Msg, " — ") // the clients' English hint: todo says it
		if be.Code != "" {
			said = "[" + be.Code + "] " + said
		}
	}
	return &startError{msg: cfgt(lang, "broker.token", name, said, todo), err: err}
}

// loadAccount asks the broker for the account number once hoga takes
// commands, for /status (Kiwoom's ka00001). The client's own retries are
// all it gets: a failure is logged and /status shows no account line, as
// before when the start-up call failed.
func (a *app) loadAccount(ctx context.Context) error {
	acct, err := a.accountOf(ctx)
	if err != nil {
		if ctx.Err() == nil {
			a.log.Warn("could not read the Kiwoom account number", "err", err)
		}
		return nil
	}
	masked := kiwoom.MaskAccount(acct)
	a.kwAccount.Store(&masked)
	return nil
}

// accountShown is what /status reads for the account: nil (Config.Account
// as it is) unless the number comes after start-up.
func (a *app) accountShown() func() string {
	if a.accountOf == nil {
		return nil
	}
	return func() string {
		if p := a.kwAccount.Load(); p != nil {
			return *p
		}
		return ""
	}
}
