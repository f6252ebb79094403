package kis

import (
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/clock"
)

// TestQuoteOnVenue: inquire-price asks FID_COND_MRKT_DIV_CODE J, NX or UN
// for KRX, NXT and the integrated price (inquire_price.py line 26), the
// fake answers each from its book, and the quote says which book it is. A
// stock NXT does not list has no NXT quote.
func TestQuoteOnVenue(t *testing.T) {
	t.Parallel()
	c, f := newPair(t, brokertest.KISFakeOptions{Mode: "live", Stocks: kisStocks}, nil)
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

// TestFakeVenueRules: the fake keeps each venue's rules with market hours
// on. NXT takes its listed stocks in its sessions (19:00 yes, 20:30 no),
// KRX only in its own, SOR goes to the exchange that can trade (NXT at
// 08:10 and 19:00, KRX at 10:00 unless NXT's price is the better one for
// a buy, KRX for a stock NXT does not list, so refused at 19:00), and an NXT order for an unlisted stock is refused with the
// fake's stand-in code. The order list shows the venue as sent.
func TestFakeVenueRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		hh, mm      int
		venue       broker.Venue
		code        broker.Code
		errCode     string // "" accepted
		routed, bak string // the fake's routing; the venue read back
		nxtPrice    int64  // NXT's last price apart from KRX's (0: the same)
	}{
		{"nxt_1900", 19, 0, broker.VenueNXT, "005930", "", "NXT", "NXT", 0},
		{"nxt_2030", 20, 30, broker.VenueNXT, "005930", "APBK0919", "", "", 0},
		{"krx_1900", 19, 0, broker.VenueKRX, "005930", "APBK0919", "", "", 0},
		{"krx_1000", 10, 0, broker.VenueKRX, "005930", "", "KRX", "KRX", 0},
		{"sor_1900", 19, 0, broker.VenueSOR, "005930", "", "NXT", "SOR", 0},
		{"sor_1000", 10, 0, broker.VenueSOR, "005930", "", "KRX", "SOR", 0},
		{"sor_1000_nxt_cheaper", 10, 0, broker.VenueSOR, "005930", "", "NXT", "SOR", 59_900},
		{"sor_1000_nxt_dearer", 10, 0, broker.VenueSOR, "005930", "", "KRX", "SOR", 60_100},
		{"sor_0810", 8, 10, broker.VenueSOR, "005930", "", "NXT", "SOR", 0},
		{"sor_unlisted_1900", 19, 0, broker.VenueSOR, "000660", "APBK0919", "", "", 0},
		{"nxt_unlisted_1000", 10, 0, broker.VenueNXT, "000660", "FAKE0003", "", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fc := clock.NewFake(time.Date(2026, 3, 4, tt.hh, tt.mm, 0, 0, broker.KST()))
			c, f := newPair(t, brokertest.KISFakeOptions{Mode: "live", Clock: fc, MarketHours: true, IssueGap: -1, RateLimit: -1, Stocks: kisStocks}, unlimited)
			f.SetNXTListed("000660", false)
			f.SetPrice("005930", 60_000)
			if tt.nxtPrice > 0 {
				f.SetNXTPrice("005930", tt.nxtPrice)
			}
			price := int64(60_000)
			if tt.code == "000660" {
				price = 190_000
			}
			o, err := c.PlaceOrder(bg(), broker.OrderRequest{Code: tt.code, Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: price, Venue: tt.venue})
			if tt.errCode != "" {
				be, ok := broker.AsError(err)
				if !ok || be.Code != tt.errCode {
					t.Fatalf("err = %v; want [%s]", err, tt.errCode)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := f.Orders()[0].Routed; got != tt.routed {
				t.Errorf("routed to %q; want %q", got, tt.routed)
			}
			list, err := c.OrdersToday(bg())
			if err != nil || len(list) != 1 || list[0].ID != o.ID || string(list[0].Venue) != tt.bak {
				t.Errorf("list %+v, %v; want the order at %s", list, err, tt.bak)
			}
		})
	}
}
