package guard

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// TestVenueChecks: a venue the account lacks, an NXT order for a stock NXT
// does not list, and each venue's sessions are refused before the broker is
// asked; the default venue fills an order that names none.
func TestVenueChecks(t *testing.T) {
	t.Parallel()
	listed := func(_ context.Context, c broker.Code) (bool, error) {
		if c == "035720" {
			return false, errors.New("search-stock-info: timeout")
		}
		return c == "005930", nil
	}
	live := func(o *Options) {
		o.MarketHours, o.Venues, o.NXTListed = true, broker.LiveVenues, listed
	}
	mock := func(o *Options) { o.MarketHours = true }
	tests := []struct {
		name, at string
		opts     func(*Options)
		venue    broker.Venue
		code     broker.Code
		kind     broker.Kind // Internal: accepted
		errCode  string
		next     string
		sent     broker.Venue
	}{
		{name: "live_nxt_0810", at: "2026-03-04 08:10:00", opts: live, venue: broker.VenueNXT, sent: broker.VenueNXT},
		{name: "live_nxt_1900", at: "2026-03-04 19:00:00", opts: live, venue: broker.VenueNXT, sent: broker.VenueNXT},
		{name: "live_default_sor_1900", at: "2026-03-04 19:00:00", opts: live, sent: broker.VenueSOR},
		{name: "live_krx_0810", at: "2026-03-04 08:10:00", opts: live, venue: broker.VenueKRX, kind: broker.MarketClosed, errCode: "krx", next: "2026-03-04 09:00:00"},
		{name: "live_krx_1900", at: "2026-03-04 19:00:00", opts: live, venue: broker.VenueKRX, kind: broker.MarketClosed, errCode: "krx", next: "2026-03-05 09:00:00"},
		{name: "live_nxt_2000", at: "2026-03-04 20:00:00", opts: live, venue: broker.VenueNXT, kind: broker.MarketClosed, errCode: "nxt", next: "2026-03-05 08:00:00"},
		{name: "live_nxt_unlisted", at: "2026-03-04 19:00:00", opts: live, venue: broker.VenueNXT, code: "000660", kind: broker.Rejected, errCode: "nxt_unlisted"},
		{name: "live_sor_unlisted_keeps_krx_hours", at: "2026-03-04 19:00:00", opts: live, venue: broker.VenueSOR, code: "000660", kind: broker.MarketClosed, errCode: "krx", next: "2026-03-05 09:00:00"},
		// A lookup that fails refuses nothing: the broker decides.
		{name: "live_nxt_lookup_fails", at: "2026-03-04 19:00:00", opts: live, venue: broker.VenueNXT, code: "035720", sent: broker.VenueNXT},
		{name: "live_sor_lookup_fails", at: "2026-03-04 19:00:00", opts: live, venue: broker.VenueSOR, code: "035720", sent: broker.VenueSOR},
		{name: "mock_nxt", at: "2026-03-04 10:00:00", opts: mock, venue: broker.VenueNXT, kind: broker.Rejected, errCode: "venue_unsupported"},
		{name: "mock_sor", at: "2026-03-04 10:00:00", opts: mock, venue: broker.VenueSOR, kind: broker.Rejected, errCode: "venue_unsupported"},
		{name: "mock_default_krx", at: "2026-03-04 10:00:00", opts: mock, sent: broker.VenueKRX},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnvAt(t, kst(tt.at), tt.opts)
			req := limitBuy(1, 70_000)
			req.Venue = tt.venue
			if tt.code != "" {
				req.Code = tt.code
			}
			_, err := e.g.PlaceOrder(context.Background(), req)
			if tt.kind == broker.Internal {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				e.fb.mu.Lock()
				got := e.fb.lastVenue
				e.fb.mu.Unlock()
				if got != tt.sent {
					t.Errorf("sent to %q; want %q", got, tt.sent)
				}
				return
			}
			be, ok := broker.AsError(err)
			if !ok || be.Kind != tt.kind || be.Code != tt.errCode {
				t.Fatalf("err = %v; want %s [%s]", err, tt.kind, tt.errCode)
			}
			if tt.next != "" && !be.NextOpen.Equal(kst(tt.next)) {
				t.Errorf("next = %s; want %s", be.NextOpen.In(broker.KST()), tt.next)
			}
			e.fb.mu.Lock()
			calls := e.fb.placeCalls
			e.fb.mu.Unlock()
			if calls != 0 {
				t.Errorf("the broker was asked %d times", calls)
			}
		})
	}
}

// TestCancelGoesToTheOrdersVenue: a cancel names the venue its order was
// sent to, from the journal (in memory and SQLite) or, for an order hoga
// did not place, from the broker's list. Before the journal kept venues a
// cancel of an NXT order went out as KRX, where the order is not.
func TestCancelGoesToTheOrdersVenue(t *testing.T) {
	t.Parallel()
	live := func(o *Options) { o.MarketHours, o.Venues = true, broker.LiveVenues }
	tests := []struct {
		name    string
		sqlite  bool
		venue   broker.Venue // placed by hoga; "" = the live default
		outside broker.Venue // placed elsewhere, listed with this venue
		want    broker.Venue
		at      string // default 19:00, when only NXT trades
	}{
		{name: "nxt", venue: broker.VenueNXT, want: broker.VenueNXT},
		{name: "nxt_sqlite", sqlite: true, venue: broker.VenueNXT, want: broker.VenueNXT},
		{name: "krx_sqlite", sqlite: true, venue: broker.VenueKRX, want: broker.VenueKRX, at: "2026-03-04 10:00:00"},
		{name: "default_sor_sqlite", sqlite: true, want: broker.VenueSOR},
		{name: "outside_nxt", outside: broker.VenueNXT, want: broker.VenueNXT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			at := "2026-03-04 19:00:00"
			if tt.at != "" {
				at = tt.at
			}
			e := startEnv(t, kst(at), tt.sqlite, live)
			ctx := context.Background()
			id := "0000099999"
			if tt.outside != "" {
				e.fb.add(broker.Order{ID: id, Branch: "01234", Code: "005930", Side: broker.Buy, Type: broker.Limit,
					Qty: 1, Price: 69_000, Venue: tt.outside, Status: broker.StatusAccepted, Time: kst("2026-03-04 18:59:00")})
			} else {
				req := limitBuy(1, 69_000)
				req.Venue = tt.venue
				o, err := e.g.PlaceOrder(ctx, req)
				if err != nil {
					t.Fatal(err)
				}
				id = o.ID
				if en := e.entry(o.ClientID); en.Venue != tt.want {
					t.Fatalf("journaled venue %q; want %q", en.Venue, tt.want)
				}
			}
			if _, err := e.g.CancelOrder(ctx, broker.CancelRequest{OrderID: id, User: "console"}); err != nil {
				t.Fatalf("CancelOrder: %v", err)
			}
			e.fb.mu.Lock()
			got := e.fb.cancels[len(e.fb.cancels)-1].Venue
			e.fb.mu.Unlock()
			if got != tt.want {
				t.Errorf("cancel sent to %q; want %q", got, tt.want)
			}
		})
	}
}

// TestReconcileMatchesVenue: reconciliation takes a listed order for a
// journal row only when the venues can be the same order's: KRX and NXT
// only themselves, SOR (routed either way, listed as either) and a venue
// nobody states match anything. A mismatch is ruled out even as the last
// resort (same code, side and quantity at any time).
func TestReconcileMatchesVenue(t *testing.T) {
	t.Parallel()
	g := &Guard{window: time.Minute}
	at := kst("2026-03-04 10:00:00")
	tests := []struct {
		sent, listed broker.Venue
		want         bool
	}{
		{broker.VenueKRX, broker.VenueKRX, true},
		{broker.VenueNXT, broker.VenueNXT, true},
		{broker.VenueNXT, broker.VenueKRX, false},
		{broker.VenueKRX, broker.VenueNXT, false},
		{broker.VenueSOR, broker.VenueNXT, true},
		{broker.VenueSOR, broker.VenueKRX, true},
		{broker.VenueNXT, broker.VenueSOR, true},
		{broker.VenueNXT, "", true},
		{"", broker.VenueNXT, true},
	}
	for _, tt := range tests {
		e := broker.JournalEntry{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 70_000, Venue: tt.sent, Created: at}
		o := broker.Order{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 70_000, Venue: tt.listed, Time: at}
		for _, lastResort := range []func(int) bool{nil, func(int) bool { return true }} {
			_, got := g.assign([]broker.JournalEntry{e}, []broker.Order{o}, lastResort)[0]
			if got != tt.want {
				t.Errorf("row sent to %q, listed at %q (last resort %v): match %v; want %v", tt.sent, tt.listed, lastResort != nil, got, tt.want)
			}
		}
	}
}

// TestClosingPriceOrders: a closing-price order (AtClose) goes to KRX even
// where the default venue is SOR, with Session the 장전 or 장후 시간외 종가
// session open now; outside them it is refused with the next one, to NXT
// or SOR always, on a mock account always; with market hours unchecked the
// hour picks the session and the broker decides.
func TestClosingPriceOrders(t *testing.T) {
	t.Parallel()
	live := func(o *Options) {
		o.MarketHours, o.Venues, o.DefaultVenue = true, broker.LiveVenues, broker.VenueSOR
		o.NXTListed = func(context.Context, broker.Code) (bool, error) { return true, nil }
	}
	always := func(o *Options) { o.Venues, o.DefaultVenue = broker.LiveVenues, broker.VenueSOR }
	mock := func(o *Options) { o.MarketHours = true }
	tests := []struct {
		name, at string
		opts     func(*Options)
		venue    broker.Venue
		kind     broker.Kind // Internal: accepted
		errCode  string
		next     string
		session  broker.SessionKind
	}{
		{name: "after_1545", at: "2026-03-04 15:45:00", opts: live, session: broker.KRXAfterClosing},
		{name: "pre_0835", at: "2026-03-04 08:35:00", opts: live, venue: broker.VenueKRX, session: broker.KRXPreClosing},
		{name: "csat_after_1645", at: "2026-11-19 16:45:00", opts: live, session: broker.KRXAfterClosing},
		{name: "regular_1000", at: "2026-03-04 10:00:00", opts: live, kind: broker.MarketClosed, errCode: "krx_close", next: "2026-03-04 15:40:00"},
		{name: "single_1630", at: "2026-03-04 16:30:00", opts: live, kind: broker.MarketClosed, errCode: "krx_close", next: "2026-03-05 08:30:00"},
		{name: "nxt", at: "2026-03-04 15:45:00", opts: live, venue: broker.VenueNXT, kind: broker.Invalid, errCode: "close_venue"},
		{name: "sor", at: "2026-03-04 15:45:00", opts: live, venue: broker.VenueSOR, kind: broker.Invalid, errCode: "close_venue"},
		{name: "mock", at: "2026-03-04 15:45:00", opts: mock, kind: broker.Rejected, errCode: "close_mock"},
		{name: "always_morning", at: "2026-03-04 10:00:00", opts: always, session: broker.KRXPreClosing},
		{name: "always_evening", at: "2026-03-04 19:00:00", opts: always, session: broker.KRXAfterClosing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnvAt(t, kst(tt.at), tt.opts)
			req := broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Market, Qty: 1, AtClose: true, Venue: tt.venue}
			_, err := e.g.PlaceOrder(context.Background(), req)
			if tt.kind == broker.Internal {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				e.fb.mu.Lock()
				venue, session := e.fb.lastVenue, e.fb.lastSession
				e.fb.mu.Unlock()
				if venue != broker.VenueKRX || session != tt.session {
					t.Errorf("sent to %q as %q; want KRX as %q", venue, session, tt.session)
				}
				return
			}
			be, ok := broker.AsError(err)
			if !ok || be.Kind != tt.kind || be.Code != tt.errCode {
				t.Fatalf("err = %v; want %s [%s]", err, tt.kind, tt.errCode)
			}
			if tt.next != "" && !be.NextOpen.Equal(kst(tt.next)) {
				t.Errorf("next = %s; want %s", be.NextOpen.In(broker.KST()), tt.next)
			}
		})
	}
	if err := (broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 70_000, AtClose: true}).Validate(); broker.KindOf(err) != broker.Invalid {
		t.Errorf("a priced closing-price order: %v; want Invalid", err)
	}
}
