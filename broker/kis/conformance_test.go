package kis

import (
	"testing"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
)

// TestConformanceLive runs the shared suite against the fake in live mode
// at the default rates (client 18/s, fake 20/s).
func TestConformanceLive(t *testing.T) {
	t.Parallel()
	brokertest.Conformance(t, func(t *testing.T) broker.Broker {
		c, _ := newPair(t, brokertest.KISFakeOptions{Mode: "live"}, nil)
		return c
	})
}

// TestConformanceMock runs it in mock mode (V tr_ids, mock texts and page
// sizes). The mock's 2/s would make the suite take half a minute, so both
// rates are scaled up keeping the client under the fake's limit; the real
// 2/s pacing is tested with a fake clock in TestLimiterBurst.
func TestConformanceMock(t *testing.T) {
	t.Parallel()
	brokertest.Conformance(t, func(t *testing.T) broker.Broker {
		c, _ := newPair(t, brokertest.KISFakeOptions{Mode: "mock", RateLimit: 40},
			func(o *Options) { o.RPS = 36 })
		return c
	})
}
