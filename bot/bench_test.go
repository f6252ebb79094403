package bot

import (
	"context"
	"testing"

	"github.com/hoga-trade/hoga/broker"
)

// BenchmarkHandlePrice is one /price command through the router: parse,
// quote (a fake broker, so only hoga's own cost is measured), format.
func BenchmarkHandlePrice(b *testing.B) {
	r, err := NewRouter(Config{Broker: newFakeBroker()})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	req := Request{Text: "/price 005930", UserID: "console", Source: "console"}
	b.ReportAllocs()
	for b.Loop() {
		if rep := r.Handle(ctx, req); rep.Text == "" {
			b.Fatal("empty reply")
		}
	}
}

// BenchmarkParseOrder is the /buy argument parser alone.
func BenchmarkParseOrder(b *testing.B) {
	r, err := NewRouter(Config{Broker: newFakeBroker()})
	if err != nil {
		b.Fatal(err)
	}
	args := []string{"005930", "10", "70,000"}
	b.ReportAllocs()
	for b.Loop() {
		if _, problem := r.ParseOrder(broker.Buy, args); problem != "" {
			b.Fatal(problem)
		}
	}
}
