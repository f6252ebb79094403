package store

import (
	"context"
	"testing"

	"github.com/hoga-trade/hoga/broker"
)

// TestSessionMigration: a journal written before 0006 (migrations 0001–0005
// only) opens with its rows read as ordinary orders (no session); after it,
// a closing-price order (시간외 종가: Market, no price, a closing session)
// keeps its session through insert, update and every read, so it is not
// read back as a plain market order, and Request() rebuilds AtClose (issue
// 16).
func TestSessionMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	db := openAt(t, dir, "0001_journal.sql", "0002_fills.sql", "0003_venue.sql", "0004_fill_alerted.sql", "0005_err_say.sql")
	created := kstTime("2026-03-04", 15, 45)
	if _, err := db.w.ExecContext(ctx, `INSERT INTO orders (client_id, day, code, side, type, qty, price, state, broker_id, venue, created_ns, updated_ns)
		VALUES ('Hold', '2026-03-04', '005930', 'buy', 'market', 3, 0, 'accepted', '0000000001', 'KRX', ?, ?)`,
		created.UnixNano(), created.UnixNano()); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db = openTest(t, dir)
	if v, err := db.SchemaVersion(ctx); err != nil || v < 6 {
		t.Fatalf("version = %d, %v; want 6 or later", v, err)
	}
	tests := []struct {
		id        string
		typ       broker.OrderType
		session   broker.SessionKind // written; "" for the pre-0006 row
		updatedTo broker.SessionKind // set by UpdateOrder; "" leaves it
		want      broker.SessionKind
	}{
		{id: "Hold", typ: broker.Market},
		{id: "Hmarket", typ: broker.Market},
		{id: "Hafter", typ: broker.Market, session: broker.KRXAfterClosing, want: broker.KRXAfterClosing},
		{id: "Hpre", typ: broker.Market, session: broker.KRXPreClosing, want: broker.KRXPreClosing},
		{id: "Hsingle", typ: broker.Limit, session: broker.KRXAfterSingle, want: broker.KRXAfterSingle},
		{id: "Hsettled", typ: broker.Market, session: broker.KRXAfterClosing, updatedTo: broker.KRXAfterClosing, want: broker.KRXAfterClosing},
	}
	for i, tt := range tests {
		if tt.id == "Hold" {
			continue
		}
		e := entry(tt.id, created)
		e.Type, e.Session, e.Venue = tt.typ, tt.session, broker.VenueKRX
		if tt.typ == broker.Market {
			e.Price = 0
		}
		e.BrokerID = "000000000" + string(rune('2'+i))
		if err := db.InsertOrder(ctx, e); err != nil {
			t.Fatalf("%s: insert: %v", tt.id, err)
		}
		// An update that does not touch the session (a state change, as
		// the guard and reconciliation make) keeps it.
		if _, err := db.UpdateOrder(ctx, tt.id, func(x *broker.JournalEntry) error {
			x.State = broker.StatusUnknown
			if tt.updatedTo != "" {
				x.Session = tt.updatedTo
			}
			return nil
		}); err != nil {
			t.Fatalf("%s: update: %v", tt.id, err)
		}
	}
	day, err := db.OrdersOn(ctx, created)
	if err != nil {
		t.Fatal(err)
	}
	unresolved, err := db.Unresolved(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]broker.SessionKind{}
	for _, e := range append(day, unresolved...) {
		if s, seen := byID[e.ClientID]; seen && s != e.Session {
			t.Errorf("%s: OrdersOn and Unresolved disagree: %q, %q", e.ClientID, s, e.Session)
		}
		byID[e.ClientID] = e.Session
	}
	for _, tt := range tests {
		got, err := db.OrderByClientID(ctx, tt.id)
		if err != nil {
			t.Fatalf("%s: %v", tt.id, err)
		}
		if got.Session != tt.want || byID[tt.id] != tt.want {
			t.Errorf("%s: session %q (list %q); want %q", tt.id, got.Session, byID[tt.id], tt.want)
		}
		if r := got.Request(); r.AtClose != tt.want.Closing() || r.Session != tt.want {
			t.Errorf("%s: Request() AtClose %t Session %q; want %t %q", tt.id, r.AtClose, r.Session, tt.want.Closing(), tt.want)
		}
	}
	if got, err := db.OrderByBrokerID(ctx, created, "0000000001"); err != nil || got.Session != "" {
		t.Errorf("old row by broker id: %q, %v; want no session", got.Session, err)
	}
}
