package strategy_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/broker/kis"
	"github.com/hoga-trade/hoga/internal/redact"
	"github.com/hoga-trade/hoga/strategy"
)

// BenchmarkTickToDecision runs the whole realtime path over a loopback
// socket: the fake KIS changes a price, sends the H0STCNT0 frame, hoga's
// stream parses it into the TickBook, the engine wakes and decides the
// rule. The reported p99 is from the frame being read to the decision
// (hoga-side), on the wall clock. The last iteration crosses the threshold
// and the fake must see exactly one order.
func BenchmarkTickToDecision(b *testing.B) {
	f := brokertest.NewKIS(b, brokertest.KISFakeOptions{})
	key, secret, acct := f.Credentials()
	c, err := kis.New(kis.Options{AppKey: redact.Secret(key), AppSecret: redact.Secret(secret), Account: acct, Mode: kis.ModeMock, BaseURL: f.URL(), RPS: 1000})
	if err != nil {
		b.Fatal(err)
	}
	book := broker.NewTickBook()
	up := make(chan struct{}, 4)
	acks := make(chan struct{}, 4)
	st := c.NewStream(kis.StreamOptions{URL: f.WSURL(), OnTick: book.Put,
		OnUp: func() { up <- struct{}{} }, OnAck: func(string, string, string) { acks <- struct{}{} }})
	book.SetStreaming(st.Streaming)
	st.Subscribe("005930")
	lat := make(chan time.Duration, 1)
	events := make(chan strategy.EventKind, 16)
	e, err := strategy.New(strategy.Options{Broker: c, Ticks: book, Interval: time.Hour,
		Rules:          []strategy.Rule{{Code: "005930", BuyBelow: 60_000, Qty: 1, Type: broker.Limit, Enabled: true}},
		OnTickDecision: func(d time.Duration) { lat <- d },
		OnEvent:        func(ev strategy.Event) { events <- ev.Kind }})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	go func() { _ = st.Run(ctx); done <- struct{}{} }()
	go func() { _ = e.Run(ctx); done <- struct{}{} }()
	defer func() { cancel(); <-done; <-done }()
	<-up
	<-acks
	var all []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		f.SetPrice("005930", 70_000+int64(i%2)*100)
		all = append(all, <-lat)
	}
	b.StopTimer()
	f.SetPrice("005930", 59_900) // the crossing
	all = append(all, <-lat)
	slices.Sort(all)
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds()), "p99-µs")
	b.ReportMetric(float64(all[len(all)/2].Microseconds()), "p50-µs")
	// The order is placed after the decision.
	if k := <-events; k != strategy.EventPlaced {
		b.Fatalf("event %s, want placed", k)
	}
	if n := len(f.Orders()); n != 1 {
		b.Fatalf("%d orders at the fake, want 1", n)
	}
	if p := all[len(all)*99/100]; p > 10*time.Millisecond {
		b.Errorf("p99 %s over 10 ms", p)
	}
}
