// Command fakebroker runs hoga's fake broker servers outside tests, so the
// bot (or curl) can be pointed at a broker that speaks the real wire format
// without touching a real account:
//
//	go run ./cmd/fakebroker -broker kis -port 18080
//
// It prints the URL (REST and WebSocket: both on the one port) and sample
// credentials as shell lines, each an export
// of a HOGA_ setting or a # comment, so the whole output can be pasted into
// (or eval'd by) the shell that runs hoga, or written to .env as it is
// (hoga's .env reader takes export lines). Prices take a
// small random step every -walk so a strategy has something to watch, and
// can be set by hand:
//
//	curl -X POST 'http://127.0.0.1:PORT/_fake/price?code=005930&price=190000'
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/clock"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "fakebroker:", err)
		os.Exit(2)
	}
}

// market is what the price walk needs from a fake.
type market struct {
	codes []string
	price func(code string) (int64, bool)
	set   func(code string, price int64)
}

// fake is a running fake broker.
type fake struct {
	url    string
	env    []string // HOGA_ settings that point hoga at it
	market market
	close  func()
}

type config struct {
	addr        string
	mode        string
	cash        int64
	marketHours bool
	logger      *slog.Logger
}

// run parses flags, starts the chosen fake and serves until ctx ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fakebroker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	which := fs.String("broker", "kis", "broker to fake: kis or kiwoom")
	addr := fs.String("addr", "127.0.0.1:0", "listen address (port 0 picks a free port)")
	port := fs.Int("port", 0, "listen on 127.0.0.1:PORT (instead of -addr), so the printed settings stay the same from run to run")
	mode := fs.String("mode", "mock", "mock (모의투자) or live (실전) rules: tr_ids, rate limits, page sizes, messages")
	walk := fs.Duration("walk", 2*time.Second, "move each price by up to one tick this often; 0 keeps prices still")
	cash := fs.Int64("cash", 10_000_000, "starting deposit in won")
	seed := fs.Uint64("seed", 0, "seed for the price walk; 0 picks one")
	hours := fs.Bool("market-hours", false, "refuse orders outside 09:00–15:30 KST as the real service does")
	verbose := fs.Bool("v", false, "log every request to stderr")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *port != 0 {
		if *port < 0 || *port > 65535 {
			return fmt.Errorf("-port %d: give a port from 1 to 65535", *port)
		}
		*addr = fmt.Sprintf("127.0.0.1:%d", *port)
	}
	cfg := config{addr: *addr, mode: *mode, cash: *cash, marketHours: *hours, logger: slog.New(slog.DiscardHandler)}
	if *verbose {
		cfg.logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}

	var f *fake
	var err error
	switch *which {
	case "kis":
		f, err = startKIS(cfg)
	case "kiwoom":
		f, err = startKiwoom(cfg)
	default:
		return fmt.Errorf("-broker %q: available: kis, kiwoom", *which)
	}
	if err != nil {
		return err
	}
	defer f.close()

	fmt.Fprint(stdout, settingsText(*which, *mode, f, *hours))

	if *walk > 0 {
		s := *seed
		if s == 0 {
			s = rand.Uint64()
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			walkPrices(ctx, clock.Real{}, *walk, rand.New(rand.NewPCG(s, s^0x9e3779b97f4a7c15)), f.market)
		}()
		defer func() { <-done }()
	}
	<-ctx.Done()
	return nil
}

// fakeHTSID is the HTS id printed for the fake KIS: KIS keys fill notices
// by it, and the fake answers any.
const fakeHTSID = "fakehts"

// startKIS runs the fake KIS server. It lists the fake's default, paper's
// table (brokertest.ListedStocks), so /help's examples work here too.
func startKIS(cfg config) (*fake, error) {
	srv, err := brokertest.NewKISServer(brokertest.KISFakeOptions{
		Mode:        cfg.mode,
		Cash:        cfg.cash,
		Addr:        cfg.addr,
		MarketHours: cfg.marketHours,
		Logger:      cfg.logger,
	})
	if err != nil {
		return nil, err
	}
	key, secret, account := srv.Credentials()
	return &fake{
		url: srv.URL(),
		env: []string{
			"HOGA_BROKER=kis",
			"HOGA_MODE=" + srv.Mode(),
			"HOGA_KIS_BASE_URL=" + srv.URL(),
			"HOGA_KIS_APP_KEY=" + key,
			"HOGA_KIS_APP_SECRET=" + secret,
			"HOGA_KIS_ACCOUNT=" + account,
			// The fake serves KIS's WebSocket (/tryitout) on the same
			// port: without this hoga turns its stream off for an
			// overridden REST host (issue 12). Any HTS id subscribes the
			// fake's fill notices (H0STCNI9/H0STCNI0).
			"HOGA_KIS_WS_URL=" + srv.WSURL(),
			"HOGA_KIS_HTS_ID=" + fakeHTSID,
		},
		market: market{
			codes: srv.Codes(),
			price: srv.Price,
			set:   func(code string, p int64) { srv.SetPrice(code, p) },
		},
		close: srv.Close,
	}, nil
}

// settingsText is what the command prints: comments, and the settings that
// point hoga at the fake as export lines, shell-quoted where needed, so the
// whole text can be pasted into a shell or eval'd (issue 12, item 17).
// HOGA_MARKET_HOURS=always is among them unless the fake keeps KRX hours
// itself: the fake answers around the clock, hoga with a real broker's
// settings would refuse orders at night and at weekends.
func settingsText(which, mode string, f *fake, marketHours bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# fake %s (%s) listening on %s\n", which, mode, f.url)
	b.WriteString("# point hoga at it: paste these lines into the shell that runs hoga (or into .env: hoga reads export lines)\n")
	env := f.env
	if !marketHours {
		env = append(env[:len(env):len(env)], "HOGA_MARKET_HOURS=always")
	}
	for _, e := range env {
		k, v, _ := strings.Cut(e, "=")
		fmt.Fprintf(&b, "export %s=%s\n", k, shellQuote(v))
	}
	fmt.Fprintf(&b, "# set a price:  curl -X POST '%s/_fake/price?code=005930&price=190000'\n", f.url)
	fmt.Fprintf(&b, "# list prices:  curl %s/_fake/prices\n", f.url)
	return b.String()
}

// shellQuote leaves a value of plain characters as it is and puts anything
// else in single quotes.
func shellQuote(v string) string {
	plain := v != ""
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_-.,:/@%+=", r)) {
			plain = false
			break
		}
	}
	if plain {
		return v
	}
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}

// walkPrices moves every price one tick up, one tick down or not at all
// each interval, staying on the KRX tick grid and within ±30% of where it
// started (the daily limits), until ctx ends.
func walkPrices(ctx context.Context, clk clock.Clock, every time.Duration, rng *rand.Rand, m market) {
	start := make(map[string]int64, len(m.codes))
	for _, c := range m.codes {
		if p, ok := m.price(c); ok {
			start[c] = p
		}
	}
	t := clk.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C():
		}
		for _, c := range m.codes {
			p, ok := m.price(c)
			if !ok {
				continue
			}
			next := p
			switch rng.IntN(3) {
			case 0:
				next = broker.SnapDown(p - 1)
			case 2:
				next = broker.SnapUp(p + 1)
			}
			base := start[c]
			if next != p && next > 0 && next*10 >= base*7 && next*10 <= base*13 {
				m.set(c, next)
			}
		}
	}
}
