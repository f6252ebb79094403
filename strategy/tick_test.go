package strategy

import (
	"context"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

func TestTicksDecideAtOnceAndReplacePolling(t *testing.T) {
	t.Parallel()
	book := broker.NewTickBook()
	streamed := map[broker.Code]bool{"005930": true}
	book.SetStreaming(func(c broker.Code) bool { return streamed[c] })
	var lat []time.Duration
	h := newHarness(t, rules(baseRule()), func(o *Options) {
		o.Ticks = book
		o.OnTickDecision = func(d time.Duration) { lat = append(lat, d) }
	})
	h.b.setPrice("005930", 70_000)
	h.round()
	if got := h.b.QuoteCalls("005930"); got != 0 {
		t.Fatalf("a streamed code was polled %d times", got)
	}
	ctx := context.Background()
	h.e.onTicks(ctx, []broker.Tick{{Code: "005930", Price: 65_500, Received: h.clk.Now()}})
	h.wantOrders(0)
	h.e.onTicks(ctx, []broker.Tick{{Code: "005930", Price: 64_800, Received: h.clk.Now()}})
	h.e.onTicks(ctx, []broker.Tick{{Code: "005930", Price: 64_700, Received: h.clk.Now()}})
	o := h.wantOrders(1)[0]
	if o.Side != broker.Buy || o.Qty != 10 {
		t.Fatalf("order %+v", o)
	}
	if len(lat) != 3 {
		t.Fatalf("latencies %v", lat)
	}
	// The stream is lost: polling takes the code back.
	streamed["005930"] = false
	h.round()
	if got := h.b.QuoteCalls("005930"); got != 1 {
		t.Fatalf("polled %d times after the stream was lost", got)
	}
}
