package bot

import (
	"context"
	"sync"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
)

// WatchRepeat is how long the same kind of broker failure stays quiet
// after it was reported: the owner hears about a broker outage once, not
// once per poll.
const WatchRepeat = 10 * time.Minute

// BrokerWatch tells the alert feed when calls to the broker start failing
// for a reason the owner has to know about (the token or keys refused, the
// broker unreachable, its rate limit, answers hoga cannot read), and when
// it works again. Refusals of one request (bad input, no cash, market
// closed) are the requester's reply, not an alert. Its Observe is a
// broker.Hook: cmd/hoga observes the broker below the guard with it, so
// every caller's failures are seen.
type BrokerWatch struct {
	name  string
	feed  *Feed
	clock clock.Clock

	mu       sync.Mutex
	reported map[broker.Kind]time.Time // last alert per kind
	failing  bool
}

// NewBrokerWatch watches the broker called name (its alerts say so); clk
// may be nil for the wall clock.
func NewBrokerWatch(name string, feed *Feed, clk clock.Clock) *BrokerWatch {
	return &BrokerWatch{name: name, feed: feed, clock: clock.Or(clk), reported: map[broker.Kind]time.Time{}}
}

// Observe is the broker.Hook: it sees every call's outcome.
func (w *BrokerWatch) Observe(ctx context.Context, _ string, err error, _ time.Duration) {
	w.observe(ctx, err)
}

// observe alerts on the first failure of a watched kind (then at most once
// per WatchRepeat) and on the first success after failures.
func (w *BrokerWatch) observe(ctx context.Context, err error) {
	if ctx.Err() != nil && err != nil {
		return // the caller gave up (shutdown): not the broker's fault
	}
	kind := broker.KindOf(err)
	switch {
	case err == nil:
		w.mu.Lock()
		recovered := w.failing
		w.failing = false
		clear(w.reported)
		w.mu.Unlock()
		if recovered {
			w.feed.Publish(ctx, Alert{Type: AlertErrors, Text: text(w.feed.cfg.Lang, "alert.broker_ok", Esc(w.name))})
		}
		return
	case kind != broker.Auth && kind != broker.Transient && kind != broker.RateLimited && kind != broker.Internal && kind != broker.Unreadable:
		return
	}
	now := w.clock.Now()
	w.mu.Lock()
	last, seen := w.reported[kind]
	quiet := seen && now.Sub(last) < WatchRepeat
	if !quiet {
		w.reported[kind] = now
	}
	w.failing = true
	w.mu.Unlock()
	if quiet {
		return
	}
	lang := w.feed.cfg.Lang
	detail := Esc(err.Error())
	if e, ok := broker.AsError(err); ok {
		detail = brokerDetail(e)
	}
	if iq := implausibleText(lang, err); iq != "" {
		detail = iq
	}
	w.feed.Publish(ctx, Alert{Type: AlertErrors, Text: text(lang, "alert.broker_error", Esc(w.name), detail, text(lang, "hint."+kind.String()))})
}
