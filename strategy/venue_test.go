package strategy

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
)

// venueBroker is fakeBroker with a second book: Nextrade's prices, which
// QuoteOn(NXT) answers.
type venueBroker struct {
	*fakeBroker
	mu  sync.Mutex
	nxt map[broker.Code]int64
}

func (v *venueBroker) QuoteOn(ctx context.Context, code broker.Code, venue broker.Venue) (broker.Quote, error) {
	if venue != broker.VenueNXT {
		return v.Quote(ctx, code)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	return broker.Quote{Code: code, Price: v.nxt[code], Venue: broker.VenueNXT}, nil
}

// TestRuleSessions: with market hours each rule keeps to its venue's
// sessions. At 19:00 (KRX closed, NXT's after-market) an NXT rule with
// sessions: extended acts on NXT's price (KRX's is the close) and its
// order goes to NXT; a regular rule does nothing until KRX's continuous
// trading the next morning, and then orders to the default venue.
func TestRuleSessions(t *testing.T) {
	t.Parallel()
	rules := []Rule{
		{Code: "005930", BuyBelow: 70_000, Qty: 1, Type: broker.Limit, Enabled: true, Venue: broker.VenueNXT, Extended: true},
		{Code: "000660", BuyBelow: 200_000, Qty: 1, Type: broker.Limit, Enabled: true},
	}
	fb := newFakeBroker()
	vb := &venueBroker{fakeBroker: fb, nxt: map[broker.Code]int64{"005930": 69_000}}
	clk := clock.NewFake(time.Date(2026, 3, 4, 19, 0, 0, 0, broker.KST()))
	h := newHarness(t, rules, func(o *Options) {
		o.Broker, o.Clock, o.MarketHours = vb, clk, true
		o.DefaultVenue, o.Venues = broker.VenueSOR, broker.LiveVenues
	})
	fb.setPrice("005930", 71_000) // KRX's close: above the threshold
	fb.setPrice("000660", 190_000)
	steps := []struct {
		at    time.Time
		codes []broker.Code  // orders so far
		venue []broker.Venue // their venues
	}{
		{time.Date(2026, 3, 4, 19, 0, 0, 0, broker.KST()), []broker.Code{"005930"}, []broker.Venue{broker.VenueNXT}},
		{time.Date(2026, 3, 5, 8, 55, 0, 0, broker.KST()), []broker.Code{"005930"}, []broker.Venue{broker.VenueNXT}}, // auction: nobody
		{time.Date(2026, 3, 5, 9, 0, 0, 0, broker.KST()), []broker.Code{"005930", "000660"}, []broker.Venue{broker.VenueNXT, ""}},
	}
	for i, s := range steps {
		clk.Set(s.at)
		h.round()
		orders := fb.Placed()
		if len(orders) != len(s.codes) {
			t.Fatalf("step %d (%s): %d orders %+v; want %v", i, s.at.Format("01-02 15:04"), len(orders), orders, s.codes)
		}
		for j, o := range orders {
			if o.Code != s.codes[j] || o.Venue != s.venue[j] {
				t.Errorf("step %d: order %d is %s to %q; want %s to %q", i, j, o.Code, o.Venue, s.codes[j], s.venue[j])
			}
		}
	}
	// KRX's 71,000 is above the threshold: only NXT's 69,000 could fire it.
}

// TestRuleVenueRefused: a rule naming a venue the account lacks, or
// extended sessions for orders that would go to KRX, is refused when
// loaded and when put.
func TestRuleVenueRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		rule Rule
		opts func(*Options)
	}{
		{"mock_nxt", Rule{Code: "005930", BuyBelow: 1000, Qty: 1, Type: broker.Limit, Enabled: true, Venue: broker.VenueNXT},
			func(o *Options) { o.Venues, o.DefaultVenue = broker.MockVenues, broker.VenueKRX }},
		{"extended_default_krx", Rule{Code: "005930", BuyBelow: 1000, Qty: 1, Type: broker.Limit, Enabled: true, Extended: true},
			func(o *Options) { o.Venues, o.DefaultVenue = broker.MockVenues, broker.VenueKRX }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := Options{Broker: newFakeBroker(), Rules: []Rule{tt.rule}, Store: NewMemStore()}
			tt.opts(&o)
			if _, err := New(o); err == nil {
				t.Error("loaded")
			}
			o.Rules = nil
			e, err := New(o)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.PutRule(context.Background(), tt.rule); broker.KindOf(err) != broker.Invalid {
				t.Errorf("PutRule = %v; want Invalid", err)
			}
		})
	}
}
