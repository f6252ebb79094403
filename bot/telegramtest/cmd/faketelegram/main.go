// Command faketelegram runs the fake Telegram Bot API by hand, so hoga can
// be tried end to end without Telegram:
//
//	go run ./bot/telegramtest/cmd/faketelegram -addr 127.0.0.1:8081 -token 123456:TEST
//	HOGA_TELEGRAM_TOKEN=123456:TEST HOGA_TELEGRAM_API_URL=http://127.0.0.1:8081 \
//	  HOGA_TELEGRAM_ALLOWED_USERS=111 go run ./cmd/hoga
//	curl -X POST 'http://127.0.0.1:8081/_fake/send?user=111&text=/price%20005930'
//	curl 'http://127.0.0.1:8081/_fake/sent?chat=111'
//	curl -X POST 'http://127.0.0.1:8081/_fake/press?user=111&button=확인'
//
// See telegramtest's control endpoints for the rest (/_fake/calls,
// /_fake/fault).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/hoga-trade/hoga/bot/telegramtest"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "faketelegram:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("faketelegram", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8081", "listen address")
	token := fs.String("token", "", "the bot token the fake accepts (required), e.g. 123456:TEST")
	username := fs.String("username", "hoga_bot", "the bot's username (getMe)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *token == "" {
		return errors.New("-token is required")
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	srv := telegramtest.New(telegramtest.Config{Token: *token, BotUsername: *username})
	defer srv.Close()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	base := "http://" + ln.Addr().String()
	log.Info("fake Telegram Bot API listening", "url", base, "bot", "@"+*username)
	fmt.Fprintf(stderr, "\nset HOGA_TELEGRAM_API_URL=%s and try:\n"+
		"  curl -X POST '%s/_fake/send?user=111&text=/price%%20005930'\n"+
		"  curl '%s/_fake/sent?chat=111'\n"+
		"  curl -X POST '%s/_fake/press?user=111&button=확인'\n\n", base, base, base, base)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	srv.Close() // release long polls so Shutdown does not wait for them
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return hs.Shutdown(sctx)
}
