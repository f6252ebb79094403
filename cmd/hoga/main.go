// Command hoga is a trading bot for KRX stocks: it talks to a broker (a
// simulated paper exchange by default, KIS or Kiwoom), takes commands from
// the console or Telegram, runs threshold rules, and reports every trade and
// failure to an alert chat. Run `hoga config` for every setting.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // Asia/Seoul on hosts without a tz database (Windows)
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}
