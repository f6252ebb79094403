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
