package broker

import "testing"

// TestNoteExchange: only a SOR order keeps where it traded; a second
// exchange makes it SOR (both), for good; TradedOn shows neither then.
func TestNoteExchange(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		venue   Venue
		notes   []Venue
		changed []bool
		want    Venue // Exchange after the notes
		shown   Venue // TradedOn
	}{
		{"sor nxt", VenueSOR, []Venue{VenueNXT}, []bool{true}, VenueNXT, VenueNXT},
		{"sor krx twice", VenueSOR, []Venue{VenueKRX, VenueKRX}, []bool{true, false}, VenueKRX, VenueKRX},
		{"sor both", VenueSOR, []Venue{VenueKRX, VenueNXT, VenueKRX, VenueNXT}, []bool{true, true, false, false}, VenueSOR, ""},
		{"sor nothing said", VenueSOR, []Venue{"", VenueSOR}, []bool{false, false}, "", ""},
		{"krx order", VenueKRX, []Venue{VenueKRX, VenueNXT}, []bool{false, false}, "", ""},
		{"nxt order", VenueNXT, []Venue{VenueNXT}, []bool{false}, "", ""},
		{"old row without venue", "", []Venue{VenueNXT}, []bool{false}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := JournalEntry{Venue: tt.venue}
			for i, v := range tt.notes {
				if got := e.NoteExchange(v); got != tt.changed[i] {
					t.Errorf("note %d (%q): changed %t; want %t", i, v, got, tt.changed[i])
				}
			}
			if e.Exchange != tt.want || e.TradedOn() != tt.shown {
				t.Errorf("Exchange %q TradedOn %q; want %q %q", e.Exchange, e.TradedOn(), tt.want, tt.shown)
			}
		})
	}
}

// TestSameOrder: a journaled order matches a request only with the same
// code, side, type, quantity and price, and the same closing flag: a
// closing-price order and a market order differ in nothing else.
func TestSameOrder(t *testing.T) {
	t.Parallel()
	closing := JournalEntry{Code: "005930", Side: Buy, Type: Market, Qty: 3, Session: KRXAfterClosing}
	market := JournalEntry{Code: "005930", Side: Buy, Type: Market, Qty: 3}
	single := JournalEntry{Code: "005930", Side: Buy, Type: Limit, Qty: 3, Price: 70_000, Session: KRXAfterSingle}
	tests := []struct {
		name string
		e    JournalEntry
		r    OrderRequest
		want bool
	}{
		{"close retried", closing, OrderRequest{Code: "005930", Side: Buy, Type: Market, Qty: 3, AtClose: true}, true},
		{"close retried as market", closing, OrderRequest{Code: "005930", Side: Buy, Type: Market, Qty: 3}, false},
		{"market retried as close", market, OrderRequest{Code: "005930", Side: Buy, Type: Market, Qty: 3, AtClose: true}, false},
		{"market retried", market, OrderRequest{Code: "005930", Side: Buy, Type: Market, Qty: 3}, true},
		{"other quantity", market, OrderRequest{Code: "005930", Side: Buy, Type: Market, Qty: 4}, false},
		{"other side", market, OrderRequest{Code: "005930", Side: Sell, Type: Market, Qty: 3}, false},
		// 시간외 단일가 is the guard's doing at the time, not the request's.
		{"after-hours limit retried", single, OrderRequest{Code: "005930", Side: Buy, Type: Limit, Qty: 3, Price: 70_000}, true},
		{"other price", single, OrderRequest{Code: "005930", Side: Buy, Type: Limit, Qty: 3, Price: 70_100}, false},
	}
	for _, tt := range tests {
		if got := tt.e.SameOrder(tt.r); got != tt.want {
			t.Errorf("%s: SameOrder %t; want %t", tt.name, got, tt.want)
		}
	}
}
