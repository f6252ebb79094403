package store

import (
	"context"
	"testing"

	"github.com/hoga-trade/hoga/broker"
)

// TestVenueMigration: a journal written before 0003 (migrations 0001–0002
// only) opens with its rows read as KRX, the only venue hoga sent to then;
// after it, each venue round-trips through insert, update and every read,
// and an entry naming none is stored as KRX (issue 16).
func TestVenueMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	db := openAt(t, dir, "0001_journal.sql", "0002_fills.sql")
	created := kstTime("2026-03-04", 9, 5)
	if _, err := db.w.ExecContext(ctx, `INSERT INTO orders (client_id, day, code, side, type, qty, price, state, broker_id, created_ns, updated_ns)
		VALUES ('Hold', '2026-03-04', '005930', 'buy', 'limit', 1, 70000, 'accepted', '0000000001', ?, ?)`,
		created.UnixNano(), created.UnixNano()); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db = openTest(t, dir)
	if v, err := db.SchemaVersion(ctx); err != nil || v < 3 {
		t.Fatalf("version = %d, %v; want 3 or later", v, err)
	}
	tests := []struct {
		id        string
		venue     broker.Venue // written; "" for the pre-0003 row
		updatedTo broker.Venue // set by UpdateOrder; "" leaves it
		want      broker.Venue
	}{
		{id: "Hold", want: broker.VenueKRX},
		{id: "Hnone", venue: "", want: broker.VenueKRX},
		{id: "Hkrx", venue: broker.VenueKRX, want: broker.VenueKRX},
		{id: "Hnxt", venue: broker.VenueNXT, want: broker.VenueNXT},
		{id: "Hsor", venue: broker.VenueSOR, want: broker.VenueSOR},
		{id: "Hmoved", venue: broker.VenueSOR, updatedTo: broker.VenueNXT, want: broker.VenueNXT},
	}
	for i, tt := range tests {
		if tt.id == "Hold" {
			continue
		}
		e := entry(tt.id, created)
		e.Venue = tt.venue
		e.BrokerID = "000000000" + string(rune('2'+i))
		if err := db.InsertOrder(ctx, e); err != nil {
			t.Fatalf("%s: insert: %v", tt.id, err)
		}
		if tt.updatedTo != "" {
			if _, err := db.UpdateOrder(ctx, tt.id, func(x *broker.JournalEntry) error { x.Venue = tt.updatedTo; return nil }); err != nil {
				t.Fatalf("%s: update: %v", tt.id, err)
			}
		}
	}
	day, err := db.OrdersOn(ctx, created)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]broker.Venue{}
	for _, e := range day {
		byID[e.ClientID] = e.Venue
	}
	for _, tt := range tests {
		got, err := db.OrderByClientID(ctx, tt.id)
		if err != nil {
			t.Fatalf("%s: %v", tt.id, err)
		}
		if got.Venue != tt.want || byID[tt.id] != tt.want {
			t.Errorf("%s: venue %q (OrdersOn %q); want %q", tt.id, got.Venue, byID[tt.id], tt.want)
		}
		if got.Request().Venue != tt.want {
			t.Errorf("%s: Request().Venue = %q; want %q", tt.id, got.Request().Venue, tt.want)
		}
	}
	if got, err := db.OrderByBrokerID(ctx, created, "0000000001"); err != nil || got.Venue != broker.VenueKRX {
		t.Errorf("old row by broker id: %q, %v; want KRX", got.Venue, err)
	}
	if _, err := db.w.ExecContext(ctx, "UPDATE orders SET venue = 'XYZ' WHERE client_id = 'Hkrx'"); err == nil {
		t.Error("the column took venue XYZ; its CHECK should refuse it")
	}
}
