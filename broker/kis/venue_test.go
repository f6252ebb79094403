package kis

import (
	"testing"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
)

// TestQuoteOnVenue: inquire-price asks FID_COND_MRKT_DIV_CODE J, NX or UN
// for KRX, NXT and the integrated price (inquire_price.py line 26), the
// fake answers each from its book, and the quote says which book it is. A
// stock NXT does not list has no NXT quote.
func TestQuoteOnVenue(t *testing.T) {
	t.Parallel()
	c, f := newPair(t, brokertest.KISFakeOptions{Mode: "live"}, nil)
	f.SetPrice("005930", 70_000)
	f.SetNXTPrice("005930", 70_500)
	f.SetNXTListed("000660", false)
	tests := []struct {
		code  broker.Code
		venue broker.Venue
		price int64
		kind  broker.Kind // Internal: no error
	}{
		{"005930", broker.VenueKRX, 70_000, broker.Internal},
		{"005930", broker.VenueNXT, 70_500, broker.Internal},
		{"005930", broker.VenueSOR, 70_500, broker.Internal},
		{"000660", broker.VenueKRX, 198_500, broker.Internal},
		{"000660", broker.VenueNXT, 0, broker.NotFound},
		{"000660", broker.VenueSOR, 198_500, broker.Internal},
	}
	for _, tt := range tests {
		q, err := c.QuoteOn(bg(), tt.code, tt.venue)
		if tt.kind != broker.Internal {
			if broker.KindOf(err) != tt.kind {
				t.Errorf("%s on %s: %v; want %s", tt.code, tt.venue, err, tt.kind)
			}
			continue
		}
		if err != nil || q.Price != tt.price || q.Venue != tt.venue {
			t.Errorf("%s on %s: %d from %q, %v; want %d from %s", tt.code, tt.venue, q.Price, q.Venue, err, tt.price, tt.venue)
		}
	}
}

// TestNXTListed: search-stock-info (CTPF1002R) says whether NXT trades a
// stock (cptt_trad_tr_psbl_yn); the fake answers from its listing.
func TestNXTListed(t *testing.T) {
	t.Parallel()
	c, f := newPair(t, brokertest.KISFakeOptions{Mode: "live"}, nil)
	f.SetNXTListed("000660", false)
	tests := []struct {
		code broker.Code
		want bool
		kind broker.Kind // Internal: no error
	}{
		{"005930", true, broker.Internal},
		{"000660", false, broker.Internal},
		{"999999", false, broker.Unreadable},
	}
	for _, tt := range tests {
		got, err := c.NXTListed(bg(), tt.code)
		if tt.kind != broker.Internal {
			if broker.KindOf(err) != tt.kind {
				t.Errorf("%s: %v; want %s", tt.code, err, tt.kind)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: listed %v, %v; want %v", tt.code, got, err, tt.want)
		}
	}
}
