package metrics

import (
	"context"
	"errors"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// InstrumentBroker wraps b so every call is counted by outcome and timed
// (hoga_broker_requests_total, hoga_broker_request_duration_seconds). Wrap
// the configured broker (kis, kiwoom, paper) and hand the result to
// broker/guard: then the metrics show what the broker saw, and the guard's
// own refusals, which never reach it, show in hoga_order_events_total.
//
// The wrapper adds no behaviour: results and errors pass through unchanged.
// It hides the concrete type's other methods, so keep a reference to the
// concrete client for those. With a nil m, b is returned as is.
func InstrumentBroker(b broker.Broker, m *Metrics) broker.Broker {
	if m == nil || b == nil {
		return b
	}
	return &instrumented{b: b, m: m, name: b.Name(), now: time.Now}
}

// instrumented is the broker.Broker InstrumentBroker returns.
type instrumented struct {
	b    broker.Broker
	m    *Metrics
	name string
	// now is the latency clock. Latency is measured on the wall clock even
	// where the rest of hoga runs on an injected one: it is what a person
	// waited.
	now func() time.Time
}

var _ broker.Broker = (*instrumented)(nil)

func (i *instrumented) record(call string, start time.Time, err error) {
	i.m.BrokerRequest(i.name, call, err, i.now().Sub(start))
}

// Name is the wrapped broker's name.
func (i *instrumented) Name() string { return i.name }

// Quote passes through, counted as "quote".
func (i *instrumented) Quote(ctx context.Context, code broker.Code) (broker.Quote, error) {
	start := i.now()
	q, err := i.b.Quote(ctx, code)
	i.record(CallQuote, start, err)
	return q, err
}

// PlaceOrder passes through, counted as "place_order".
func (i *instrumented) PlaceOrder(ctx context.Context, req broker.OrderRequest) (broker.Order, error) {
	start := i.now()
	o, err := i.b.PlaceOrder(ctx, req)
	i.record(CallPlaceOrder, start, err)
	return o, err
}

// CancelOrder passes through, counted as "cancel_order".
func (i *instrumented) CancelOrder(ctx context.Context, req broker.CancelRequest) (broker.Order, error) {
	start := i.now()
	o, err := i.b.CancelOrder(ctx, req)
	i.record(CallCancelOrder, start, err)
	return o, err
}

// OrdersToday passes through, counted as "orders_today".
func (i *instrumented) OrdersToday(ctx context.Context) ([]broker.Order, error) {
	start := i.now()
	list, err := i.b.OrdersToday(ctx)
	i.record(CallOrdersToday, start, err)
	return list, err
}

// Balance passes through, counted as "balance".
func (i *instrumented) Balance(ctx context.Context) (broker.Balance, error) {
	start := i.now()
	bal, err := i.b.Balance(ctx)
	i.record(CallBalance, start, err)
	return bal, err
}

func isCanceled(err error) bool { return errors.Is(err, context.Canceled) }

func isDeadline(err error) bool { return errors.Is(err, context.DeadlineExceeded) }

// NormalizeOrderID passes through to the instrumented broker, so the guard
// above compares order numbers in the broker's own form.
func (i *instrumented) NormalizeOrderID(id string) string {
	return broker.NormalizeOrderID(i.b, id)
}
