package kiwoom_test

import (
	"context"
	"testing"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/broker/kiwoom"
)

// TestQuoteOnVenue: ka10001 asks the code with Kiwoom's venue suffix, none
// for KRX, _NX for NXT and _AL for the integrated price
// (get_domestic_stock_info.py: "KRX:039490,NXT:039490_NX,SOR:039490_AL");
// the fake answers each from its book and the quote says which. A stock
// NXT does not list has no NXT quote; the mock quotes KRX only.
func TestQuoteOnVenue(t *testing.T) {
	t.Parallel()
	c, f := newClient(t, brokertest.KiwoomFakeOptions{Mode: "live", Stocks: kwStocks}, kiwoom.Options{})
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
		{"000660", broker.VenueNXT, 0, broker.NotFound},
		{"000660", broker.VenueSOR, 180_000, broker.Internal},
	}
	for _, tt := range tests {
		q, err := c.QuoteOn(context.Background(), tt.code, tt.venue)
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
	mock, _ := newClient(t, brokertest.KiwoomFakeOptions{}, kiwoom.Options{})
	if _, err := mock.QuoteOn(context.Background(), "005930", broker.VenueNXT); err == nil {
		t.Error("the mock quoted NXT; Kiwoom's mock is KRX only")
	}
}

// TestNXTListed: ka10100's nxtEnable says whether NXT trades a stock; the
// fake answers from its listing.
func TestNXTListed(t *testing.T) {
	t.Parallel()
	c, f := newClient(t, brokertest.KiwoomFakeOptions{Mode: "live"}, kiwoom.Options{})
	f.SetNXTListed("000660", false)
	tests := []struct {
		code broker.Code
		want bool
		err  bool
	}{
		{"005930", true, false},
		{"000660", false, false},
		{"999999", false, true},
	}
	for _, tt := range tests {
		got, err := c.NXTListed(context.Background(), tt.code)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("%s: listed %v, %v; want %v (error %v)", tt.code, got, err, tt.want, tt.err)
		}
	}
}
