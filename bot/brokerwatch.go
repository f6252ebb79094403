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

// BrokerWatch is a broker.Broker that tells the alert feed when calls to
// the broker start failing for a reason the owner has to know about (the
// token or keys refused, the broker unreachable, its rate limit, answers
// hoga cannot read), and when it works again. Refusals of one request
// (bad input, no cash, market closed) are the requester's reply, not an
// alert. cmd/hoga puts it between the broker and the guard, so every
// caller's failures are seen.
type BrokerWatch struct {
	inner broker.Broker
	feed  *Feed
	clock clock.Clock

	mu       sync.Mutex
	reported map[broker.Kind]time.Time // last alert per kind
	failing  bool
}

var _ broker.Broker = (*BrokerWatch)(nil)

// NewBrokerWatch wraps b; clk may be nil for the wall clock.
func NewBrokerWatch(b broker.Broker, feed *Feed, clk clock.Clock) *BrokerWatch {
	return &BrokerWatch{inner: b, feed: feed, clock: clock.Or(clk), reported: map[broker.Kind]time.Time{}}
}

// Name is the wrapped broker's.
func (w *BrokerWatch) Name() string { return w.inner.Name() }

// NormalizeOrderID passes through to the watched broker, so the guard
// above compares order numbers in the broker's own form.
func (w *BrokerWatch) NormalizeOrderID(id string) string {
	return broker.NormalizeOrderID(w.inner, id)
}

// Quote passes through, watching the outcome.
func (w *BrokerWatch) Quote(ctx context.Context, code broker.Code) (broker.Quote, error) {
	q, err := w.inner.Quote(ctx, code)
	w.observe(ctx, err)
	return q, err
}

// PlaceOrder passes through, watching the outcome.
func (w *BrokerWatch) PlaceOrder(ctx context.Context, req broker.OrderRequest) (broker.Order, error) {
	o, err := w.inner.PlaceOrder(ctx, req)
	w.observe(ctx, err)
	return o, err
}

// CancelOrder passes through, watching the outcome.
func (w *BrokerWatch) CancelOrder(ctx context.Context, req broker.CancelRequest) (broker.Order, error) {
	o, err := w.inner.CancelOrder(ctx, req)
	w.observe(ctx, err)
	return o, err
}

// OrdersToday passes through, watching the outcome.
func (w *BrokerWatch) OrdersToday(ctx context.Context) ([]broker.Order, error) {
	list, err := w.inner.OrdersToday(ctx)
	w.observe(ctx, err)
	return list, err
}

// Balance passes through, watching the outcome.
func (w *BrokerWatch) Balance(ctx context.Context) (broker.Balance, error) {
	b, err := w.inner.Balance(ctx)
	w.observe(ctx, err)
	return b, err
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
			w.feed.Publish(ctx, Alert{Type: AlertErrors, Text: text(w.feed.cfg.Lang, "alert.broker_ok", Esc(w.inner.Name()))})
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
	w.feed.Publish(ctx, Alert{Type: AlertErrors, Text: text(lang, "alert.broker_error", Esc(w.inner.Name()), detail, text(lang, "hint."+kind.String()))})
}
