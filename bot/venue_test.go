package bot

import (
	"testing"

	"github.com/hoga-trade/hoga/broker"
)

func TestParseOrderVenue(t *testing.T) {
	t.Parallel()
	r, _ := newTestRouter(t, &fakeBroker{}, nil)
	tests := []struct {
		args  []string
		venue broker.Venue
		typ   broker.OrderType
	}{
		{[]string{"005930", "3", "198000", "nxt"}, broker.VenueNXT, broker.Limit},
		{[]string{"005930", "3", "198000", "SOR"}, broker.VenueSOR, broker.Limit},
		{[]string{"005930", "3", "krx"}, broker.VenueKRX, broker.Market},
		{[]string{"005930", "3", "market", "nxt"}, broker.VenueNXT, broker.Market},
		{[]string{"005930", "3", "198000"}, "", broker.Limit},
	}
	for _, tt := range tests {
		req, problem := r.ParseOrder(broker.Buy, tt.args)
		if problem != "" || req.Venue != tt.venue || req.Type != tt.typ {
			t.Errorf("ParseOrder(%v) = venue %q type %s, %q; want %q %s", tt.args, req.Venue, req.Type, problem, tt.venue, tt.typ)
		}
	}
	if _, problem := r.ParseOrder(broker.Buy, []string{"005930", "3", "198000", "nyse"}); problem == "" {
		t.Error("an unknown venue word was accepted")
	}
}
