package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
)

// First and longest waits between start-up token attempts: short enough
// that a blip costs a second, long enough that a broker down for minutes
// is asked twice a minute, not hammered (KIS issues one token a minute).
const (
	tokenRetryFirst = 200 * time.Millisecond
	tokenRetryMax   = 30 * time.Second
)

// firstToken gets the broker's first access token at start-up. A refusal
// that no retry can cure — wrong key or secret, a key of the other mode
// (broker.Auth), a malformed request (Invalid) — ends start-up with the
// broker's reason, as before. Anything else (a timeout, a reset, an HTML
// 502, the one-a-minute throttle, an unreadable answer) is the broker's
// trouble, not the owner's: hoga logs it and asks again with doubling
// waits until it gets a token or is stopped (issue 21, item 8). It used to
// exit on the first such blip, and a service manager's restart loop then
// burned KIS's one-a-minute issuance.
func firstToken(ctx context.Context, clk clock.Clock, log *slog.Logger, name string, get func(context.Context) error) error {
	clk = clock.Or(clk)
	wait := tokenRetryFirst
	for attempt := 1; ; attempt++ {
		err := get(ctx)
		if err == nil {
			if attempt > 1 {
				log.Info("broker token issued after retrying", "broker", name, "attempts", attempt)
			}
			return nil
		}
		if permanentTokenError(err) || ctx.Err() != nil {
			return fmt.Errorf("%s token: %w", name, err)
		}
		log.Warn("could not get a broker token; retrying", "broker", name, "attempt", attempt, "retry_in", wait, "err", err)
		select {
		case <-clk.After(wait):
		case <-ctx.Done():
			return fmt.Errorf("%s token: %w", name, err)
		}
		wait = min(2*wait, tokenRetryMax)
	}
}

// permanentTokenError reports whether a token failure is the owner's to
// fix (settings), so retrying would only repeat it.
func permanentTokenError(err error) bool {
	switch broker.KindOf(err) {
	case broker.Auth, broker.Invalid, broker.Rejected, broker.NotFound:
		return true
	}
	return false
}
