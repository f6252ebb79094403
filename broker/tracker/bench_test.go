package tracker

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/broker/kis"
	"github.com/hoga-trade/hoga/clock"
	"github.com/hoga-trade/hoga/internal/redact"
	"github.com/hoga-trade/hoga/store"
)

// benchTracker is a tracker over a SQLite journal (the real store) and an
// in-memory order list with n open orders.
func benchTracker(b *testing.B, n int) (*Tracker, *fakeBroker, *store.DB, *int) {
	b.Helper()
	db, err := store.Open(context.Background(), store.Options{Dir: filepath.Join(b.TempDir(), "data")})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	now := time.Date(2026, 3, 3, 10, 0, 0, 0, broker.KST())
	fb := &fakeBroker{orders: map[string]broker.Order{}}
	events := 0
	tr, err := New(Options{Broker: fb, Journal: db, Clock: clock.NewFake(now), OnEvent: func(broker.OrderEvent) { events++ }})
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		id := fmt.Sprintf("%010d", i+1)
		e := broker.JournalEntry{ClientID: "H" + id, Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 1 << 40,
			Price: 70_000, State: broker.StatusAccepted, BrokerID: id, Created: now}
		if err := db.InsertOrder(context.Background(), e); err != nil {
			b.Fatal(err)
		}
		fb.orders[id] = broker.Order{ID: id, Qty: e.Qty, Price: e.Price, Status: broker.StatusAccepted}
		tr.follow(e, false)
	}
	return tr, fb, db, &events
}

// BenchmarkPollNoChange is the tracker's own cost of one poll of 40 open
// orders when nothing filled (the broker call itself excluded).
func BenchmarkPollNoChange(b *testing.B) {
	tr, _, _, _ := benchTracker(b, 40)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tr.pollOnce(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPollOneFill is one poll in which one of 40 orders filled a
// share: the fill journaled in SQLite (synchronous=FULL) and published.
func BenchmarkPollOneFill(b *testing.B) {
	tr, fb, _, events := benchTracker(b, 40)
	ctx := context.Background()
	id := fmt.Sprintf("%010d", 1)
	filled := int64(0)
	b.ReportAllocs()
	for b.Loop() {
		filled++
		fb.set(id, filled, 70_000, broker.StatusPartial)
		if _, err := tr.pollOnce(ctx); err != nil {
			b.Fatal(err)
		}
	}
	if int64(*events) != filled {
		b.Fatalf("%d events for %d fills", *events, filled)
	}
}

// BenchmarkFillToAlertLoopback is the time from the fake KIS filling a
// share to the tracker's event, through the real KIS client over
// loopback HTTP: the poll (inquire-daily-ccld), the journal write and the
// event. Polling's own wait (up to 2 s while an order is young) comes on
// top; p50 and p99 are reported.
func BenchmarkFillToAlertLoopback(b *testing.B) {
	fake := brokertest.NewKIS(b, brokertest.KISFakeOptions{IssueGap: -1, RateLimit: -1})
	fake.SetPrice("005930", 70_000)
	fake.SetCash(100_000_000_000)
	key, secret, account := fake.Credentials()
	cl, err := kis.New(kis.Options{AppKey: redact.Secret(key), AppSecret: redact.Secret(secret), Account: account,
		Mode: kis.ModeMock, BaseURL: fake.URL(), RPS: 10_000})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	// Large enough that no run fills it: b.Loop must end the loop itself.
	const qty = 1_000_000
	o, err := cl.PlaceOrder(ctx, broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: qty, Price: 69_000})
	if err != nil {
		b.Fatal(err)
	}
	db, err := store.Open(ctx, store.Options{Dir: filepath.Join(b.TempDir(), "data")})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	now := time.Now()
	e := broker.JournalEntry{ClientID: "H1", Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: qty, Price: 69_000,
		State: broker.StatusAccepted, BrokerID: o.ID, Created: now}
	if err := db.InsertOrder(ctx, e); err != nil {
		b.Fatal(err)
	}
	got := make(chan struct{}, 1)
	tr, err := New(Options{Broker: cl, Journal: db, Normalize: cl.NormalizeOrderID,
		OnEvent: func(broker.OrderEvent) { got <- struct{}{} }})
	if err != nil {
		b.Fatal(err)
	}
	tr.follow(e, false)
	var lat []time.Duration
	for b.Loop() {
		start := time.Now()
		if err := fake.Fill(o.ID, 1); err != nil {
			b.Fatal(err)
		}
		if _, err := tr.pollOnce(ctx); err != nil {
			b.Fatal(err)
		}
		<-got
		lat = append(lat, time.Since(start))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	}
}

// BenchmarkPushToAlert is the time from a pushed fill (a KIS or Kiwoom
// notice, the paper exchange's event) reaching Notify to the tracker's
// event, through Run: the queue, the journal write (SQLite,
// synchronous=FULL) and the event — no poll wait. p50 and p99 are
// reported.
func BenchmarkPushToAlert(b *testing.B) {
	tr, _, _, _ := benchTracker(b, 40)
	got := make(chan struct{}, 1)
	tr.o.OnEvent = func(broker.OrderEvent) { got <- struct{}{} }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { tr.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	id := fmt.Sprintf("%010d", 1)
	var lat []time.Duration
	cum := int64(0)
	b.ReportAllocs()
	for b.Loop() {
		cum++
		start := time.Now()
		tr.Notify(Push{OrderID: id, Qty: 1, Price: 70_000, CumQty: cum, Source: broker.FillPaper})
		<-got
		lat = append(lat, time.Since(start))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	}
}
