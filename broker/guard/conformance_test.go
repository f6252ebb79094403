package guard

import (
	"context"
	"testing"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/broker/paper"
)

// TestConformanceOverPaper: the guard is a broker.Broker, so it must show
// the behaviour every broker does — over paper, with its limits off and
// the broker deciding the session, nothing it adds may change an answer
// (a quote, an order's life, a cancel, the kinds of refusal).
func TestConformanceOverPaper(t *testing.T) {
	t.Parallel()
	brokertest.Conformance(t, func(t *testing.T) broker.Broker {
		ex, err := paper.New(paper.Options{Freeze: true})
		if err != nil {
			t.Fatalf("paper.New: %v", err)
		}
		t.Cleanup(func() { _ = ex.Close() })
		g, err := New(Options{Broker: ex, Journal: brokertest.NewJournal(nil), MaxOrderKRW: -1, MaxDailyOrders: -1})
		if err != nil {
			t.Fatalf("guard.New: %v", err)
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = g.Run(context.Background())
		}()
		t.Cleanup(func() {
			g.Close()
			<-done
		})
		return g
	})
}
