package guard

import (
	"context"
	"testing"

	"github.com/hoga-trade/hoga/broker"
)

// TestVenueChecks: a venue the account lacks, an NXT order for a stock NXT
// does not list, and each venue's sessions are refused before the broker is
// asked; the default venue fills an order that names none.
func TestVenueChecks(t *testing.T) {
	t.Parallel()
	listed := func(_ context.Context, c broker.Code) (bool, error) { return c == "005930", nil }
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
