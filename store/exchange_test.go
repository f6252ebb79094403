package store

import (
	"context"
	"testing"

	"github.com/hoga-trade/hoga/broker"
)

// TestExchangeMigration: a journal written before 0007 (migrations
// 0001–0006 only) opens with its rows knowing no exchange; after it, the
// exchange a SOR order traded on (KRX, NXT, or SOR for both) round-trips
// through insert, update and every read, so a restart still knows where a
// KIS SOR order went (issue 16); the column refuses anything else.
func TestExchangeMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	db := openAt(t, dir, "0001_journal.sql", "0002_fills.sql", "0003_venue.sql", "0004_fill_alerted.sql", "0005_err_say.sql", "0006_session.sql")
	created := kstTime("2026-03-04", 19, 0)
	if _, err := db.w.ExecContext(ctx, `INSERT INTO orders (client_id, day, code, side, type, qty, price, state, broker_id, venue, created_ns, updated_ns)
		VALUES ('Hold', '2026-03-04', '005930', 'buy', 'limit', 2, 70000, 'filled', '0000000001', 'SOR', ?, ?)`,
		created.UnixNano(), created.UnixNano()); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db = openTest(t, dir)
	if v, err := db.SchemaVersion(ctx); err != nil || v < 7 {
		t.Fatalf("version = %d, %v; want 7 or later", v, err)
	}
	tests := []struct {
		id    string
		notes []broker.Venue // NoteExchange calls, each its own UpdateOrder
		want  broker.Venue
	}{
		{id: "Hold"},
		{id: "Hnone"},
		{id: "Hnxt", notes: []broker.Venue{broker.VenueNXT}, want: broker.VenueNXT},
		{id: "Hkrx", notes: []broker.Venue{broker.VenueKRX, broker.VenueKRX}, want: broker.VenueKRX},
		{id: "Hboth", notes: []broker.Venue{broker.VenueKRX, broker.VenueNXT, broker.VenueKRX}, want: broker.VenueSOR},
	}
	for i, tt := range tests {
		if tt.id == "Hold" {
			continue
		}
		e := entry(tt.id, created)
		e.Venue, e.BrokerID = broker.VenueSOR, "000000000"+string(rune('1'+i))
		if err := db.InsertOrder(ctx, e); err != nil {
			t.Fatalf("%s: insert: %v", tt.id, err)
		}
		for _, v := range tt.notes {
			if _, err := db.UpdateOrder(ctx, tt.id, func(x *broker.JournalEntry) error { x.NoteExchange(v); return nil }); err != nil {
				t.Fatalf("%s: update: %v", tt.id, err)
			}
		}
		// A later update that is not about the exchange (the tracker's
		// fills, a state change) keeps it.
		if _, err := db.UpdateOrder(ctx, tt.id, func(x *broker.JournalEntry) error { x.State = broker.StatusFilled; return nil }); err != nil {
			t.Fatalf("%s: update: %v", tt.id, err)
		}
	}
	day, err := db.OrdersOn(ctx, created)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]broker.Venue{}
	for _, e := range day {
		byID[e.ClientID] = e.Exchange
	}
	for i, tt := range tests {
		got, err := db.OrderByClientID(ctx, tt.id)
		if err != nil {
			t.Fatalf("%s: %v", tt.id, err)
		}
		byBroker, err := db.OrderByBrokerID(ctx, created, "000000000"+string(rune('1'+i)))
		if err != nil {
			t.Fatalf("%s by broker id: %v", tt.id, err)
		}
		if got.Exchange != tt.want || byID[tt.id] != tt.want || byBroker.Exchange != tt.want {
			t.Errorf("%s: exchange %q (OrdersOn %q, by broker id %q); want %q", tt.id, got.Exchange, byID[tt.id], byBroker.Exchange, tt.want)
		}
	}
	if _, err := db.w.ExecContext(ctx, "UPDATE orders SET exchange = 'XYZ' WHERE client_id = 'Hnxt'"); err == nil {
		t.Error("the column took exchange XYZ; its CHECK should refuse it")
	}
}
