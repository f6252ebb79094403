// Command faketelegram runs the fake Telegram Bot API by hand, so hoga can
// be tried end to end without Telegram:
//
//	go run ./bot/telegramtest/cmd/faketelegram
//
// It prints, as shell lines (exports and # comments, so the text can be
// pasted or eval'd), the token it accepts, the user id to allow, and the
// first message to send as that user:
//
//	export HOGA_TELEGRAM_TOKEN=123456:TEST
//	export HOGA_TELEGRAM_API_URL=http://127.0.0.1:8081
//	export HOGA_TELEGRAM_ALLOWED_USERS=111
//	curl -X POST 'http://127.0.0.1:8081/_fake/send?user=111&text=/start'
//	curl 'http://127.0.0.1:8081/_fake/phone?chat=111'
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
	"strings"
	"syscall"
	"time"

	"github.com/hoga-trade/hoga/bot/telegramtest"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "faketelegram:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("faketelegram", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8081", "listen address")
	port := fs.Int("port", 0, "listen on 127.0.0.1:PORT (instead of -addr)")
	token := fs.String("token", "123456:TEST", "the bot token the fake accepts")
	user := fs.Int64("user", 111, "the Telegram user id you play (the one to put in HOGA_TELEGRAM_ALLOWED_USERS)")
	username := fs.String("username", "hoga_bot", "the bot's username (getMe)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *token == "" {
		return errors.New("-token must not be empty")
	}
	if *user <= 0 {
		return fmt.Errorf("-user %d: give a positive id", *user)
	}
	if *port != 0 {
		if *port < 0 || *port > 65535 {
			return fmt.Errorf("-port %d: give a port from 1 to 65535", *port)
		}
		*addr = fmt.Sprintf("127.0.0.1:%d", *port)
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
	fmt.Fprint(stdout, startText(base, *token, *user, *username))
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

// startText is what the command prints (issue 12, item 17): the settings
// that point hoga at the fake as export lines, and as # comments who you
// are and the first message to send, so the text can be pasted or eval'd.
func startText(base, token string, user int64, username string) string {
	return fmt.Sprintf("# fake Telegram Bot API listening on %[1]s (bot @%[4]s)\n"+
		"# point hoga at it: paste these lines into the shell that runs hoga (or into .env: hoga reads export lines)\n"+
		"export HOGA_TELEGRAM_TOKEN='%[2]s'\n"+
		"export HOGA_TELEGRAM_API_URL='%[1]s'\n"+
		"export HOGA_TELEGRAM_ALLOWED_USERS=%[3]d\n"+
		"# you are user %[3]d. Once hoga runs, send it your first message as your phone would:\n"+
		"#   curl -X POST '%[1]s/_fake/send?user=%[3]d&text=/start'\n"+
		"# then read the chat as your phone shows it:\n"+
		"#   curl '%[1]s/_fake/phone?chat=%[3]d'\n"+
		"# a command with spaces: text=/price%%20005930; press a button: curl -X POST '%[1]s/_fake/press?user=%[3]d&button=확인' (Confirm with HOGA_LANG=en)\n",
		base, strings.ReplaceAll(token, "'", ""), user, username)
}
