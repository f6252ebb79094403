// Package pace waits for a rate limiter on an injected clock, so both
// broker clients keep their request rates with one piece of code and their
// tests drive the real limiter with a fake clock instead of sleeping.
package pace

import (
	"context"
	"errors"
	"time"

	"golang.org/x/time/rate"

	"github.com/hoga-trade/hoga/clock"
)

// Wait takes one token from lim, waiting on clk until it is due, and
// returns how long it waited. When ctx ends first the reservation is given
// back (no request followed, so none is counted) and ctx's error returned.
func Wait(ctx context.Context, clk clock.Clock, lim *rate.Limiter) (time.Duration, error) {
	now := clk.Now()
	res := lim.ReserveN(now, 1)
	if !res.OK() {
		return 0, errors.New("rate limiter refuses any request")
	}
	d := res.DelayFrom(now)
	if d <= 0 {
		return 0, nil
	}
	// Until the reserved instant: a clock that moved since now must not
	// make the wait longer than the limiter asked for.
	timer := clk.Until(now.Add(d))
	select {
	case <-timer.C():
		return clk.Now().Sub(now), nil
	case <-ctx.Done():
		timer.Stop()
		res.CancelAt(clk.Now())
		return 0, ctx.Err()
	}
}
