package broker

import (
	"context"
	"time"
)

// Call names, as an Observe hook is told them (and metrics label them).
const (
	CallQuote       = "quote"
	CallPlaceOrder  = "place_order"
	CallCancelOrder = "cancel_order"
	CallOrdersToday = "orders_today"
	CallBalance     = "balance"
	CallCandles     = "candles"
)

// Hook is told of every finished call through a broker wrapped by Observe:
// which call (a Call* name), its error (nil for success) and how long it
// took on the wall clock — what a person waited, even where the rest of
// hoga runs on an injected clock. It runs on the caller's goroutine after
// the call, so it must be quick.
type Hook func(ctx context.Context, call string, err error, took time.Duration)

// Observe returns b with hooks called, in order, after every call. It adds
// no behaviour: results and errors pass through unchanged, and
// NormalizeOrderID reaches b, so a guard above compares order numbers in
// the broker's own form. It is the one pass-through wrapper: metrics
// (metrics.Metrics.BrokerHook) and the owner's broker-failure alerts
// (bot.BrokerWatch) are hooks on it. It hides b's other methods, so keep a
// reference to the concrete client for those. Nil hooks are skipped; with
// none left, b is returned as is.
func Observe(b Broker, hooks ...Hook) Broker {
	var hs []Hook
	for _, h := range hooks {
		if h != nil {
			hs = append(hs, h)
		}
	}
	if b == nil || len(hs) == 0 {
		return b
	}
	return &observed{b: b, hooks: hs}
}

type observed struct {
	b     Broker
	hooks []Hook
}

var _ Broker = (*observed)(nil)

func (o *observed) done(ctx context.Context, call string, start time.Time, err error) {
	took := time.Since(start)
	for _, h := range o.hooks {
		h(ctx, call, err, took)
	}
}

// Name is the wrapped broker's name.
func (o *observed) Name() string { return o.b.Name() }

// NormalizeOrderID is the wrapped broker's.
func (o *observed) NormalizeOrderID(id string) string { return NormalizeOrderID(o.b, id) }

// Quote passes through, observed as CallQuote.
func (o *observed) Quote(ctx context.Context, code Code) (Quote, error) {
	start := time.Now()
	q, err := o.b.Quote(ctx, code)
	o.done(ctx, CallQuote, start, err)
	return q, err
}

// QuoteOn passes through (broker.QuoteOn), observed as CallQuote.
func (o *observed) QuoteOn(ctx context.Context, code Code, v Venue) (Quote, error) {
	start := time.Now()
	q, err := QuoteOn(ctx, o.b, code, v)
	o.done(ctx, CallQuote, start, err)
	return q, err
}

// PlaceOrder passes through, observed as CallPlaceOrder.
func (o *observed) PlaceOrder(ctx context.Context, req OrderRequest) (Order, error) {
	start := time.Now()
	ord, err := o.b.PlaceOrder(ctx, req)
	o.done(ctx, CallPlaceOrder, start, err)
	return ord, err
}

// CancelOrder passes through, observed as CallCancelOrder.
func (o *observed) CancelOrder(ctx context.Context, req CancelRequest) (Order, error) {
	start := time.Now()
	ord, err := o.b.CancelOrder(ctx, req)
	o.done(ctx, CallCancelOrder, start, err)
	return ord, err
}

// OrdersToday passes through, observed as CallOrdersToday.
func (o *observed) OrdersToday(ctx context.Context) ([]Order, error) {
	start := time.Now()
	list, err := o.b.OrdersToday(ctx)
	o.done(ctx, CallOrdersToday, start, err)
	return list, err
}

// Balance passes through, observed as CallBalance.
func (o *observed) Balance(ctx context.Context) (Balance, error) {
	start := time.Now()
	bal, err := o.b.Balance(ctx)
	o.done(ctx, CallBalance, start, err)
	return bal, err
}

// MinuteCandles passes through (broker.MinuteCandles), observed as
// CallCandles.
func (o *observed) MinuteCandles(ctx context.Context, code Code) ([]Candle, error) {
	start := time.Now()
	cs, err := MinuteCandles(ctx, o.b, code)
	o.done(ctx, CallCandles, start, err)
	return cs, err
}
