package metrics

import (
	"context"
	"errors"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// BrokerHook is the broker.Observe hook that counts every call to the
// broker named brokerName by outcome and times it
// (hoga_broker_requests_total, hoga_broker_request_duration_seconds).
// Observe the configured broker (kis, kiwoom, paper) and hand the result
// to broker/guard: then the metrics show what the broker saw, and the
// guard's own refusals, which never reach it, show in
// hoga_order_events_total. On nil Metrics it is nil, which Observe skips.
func (m *Metrics) BrokerHook(brokerName string) broker.Hook {
	if m == nil {
		return nil
	}
	return func(_ context.Context, call string, err error, took time.Duration) {
		m.BrokerRequest(brokerName, call, err, took)
	}
}

func isCanceled(err error) bool { return errors.Is(err, context.Canceled) }

func isDeadline(err error) bool { return errors.Is(err, context.DeadlineExceeded) }
