package bot

import (
	"context"
	"strings"
	"testing"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/strategy"
)

func TestParseOrderVenue(t *testing.T) {
	t.Parallel()
	r, _ := newTestRouter(t, newFakeBroker(), nil)
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

// TestRuleVenueOptions: /rule add takes venue=… (or a bare krx/nxt/sor)
// and extended; a venue the account lacks and extended sessions for a
// rule ordering on KRX are refused in the user's language before the
// strategy is asked, and /rules shows the venue and the sessions.
func TestRuleVenueOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, args string
		nxt        bool         // the account trades on NXT (live)
		def        broker.Venue // HOGA_VENUE
		want       string       // in the reply
		venue      broker.Venue // the rule put, when it is
		extended   bool
	}{
		{name: "nxt_extended", args: "buy<65000 qty=1 venue=nxt extended", nxt: true, def: broker.VenueSOR,
			want: "· NXT · 시간외 포함", venue: broker.VenueNXT, extended: true},
		{name: "bare_sor_sessions", args: "buy<65000 qty=1 sor sessions=extended", nxt: true, def: broker.VenueSOR,
			want: "· SOR · 시간외 포함", venue: broker.VenueSOR, extended: true},
		{name: "default_sor_extended", args: "buy<65000 qty=1 extended", nxt: true, def: broker.VenueSOR,
			want: "· 시간외 포함", extended: true},
		{name: "mock_nxt", args: "buy<65000 qty=1 venue=nxt", def: broker.VenueKRX,
			want: "이 계좌는 NXT로 주문할 수 없습니다"},
		{name: "krx_extended", args: "buy<65000 qty=1 venue=krx extended", nxt: true, def: broker.VenueSOR,
			want: "extended(시간외 포함)는 NXT나 SOR로 주문하는 규칙만"},
		{name: "mock_default_extended", args: "buy<65000 qty=1 extended", def: broker.VenueKRX,
			want: "extended(시간외 포함)는 NXT나 SOR로 주문하는 규칙만"},
		{name: "bad_venue", args: "buy<65000 qty=1 venue=nyse", nxt: true,
			want: "규칙이 올바르지 않습니다: venue=nyse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			book := &keptRules{}
			r, _ := newTestRouter(t, newFakeBroker(), func(c *Config) {
				c.Rules, c.NXT, c.DefaultVenue = book, tt.nxt, tt.def
			})
			got := r.Handle(context.Background(), Request{Text: "/rule add 005930 " + tt.args, UserID: "console", Source: "console"}).Text
			if !strings.Contains(got, tt.want) {
				t.Errorf("reply %q; want %q", got, tt.want)
			}
			put := tt.venue != "" || tt.extended
			if put != (len(book.put) == 1) {
				t.Fatalf("rules put %+v; want one: %v", book.put, put)
			}
			if put && (book.put[0].Venue != tt.venue || book.put[0].Extended != tt.extended) {
				t.Errorf("rule put %+v; want venue %q extended %v", book.put[0], tt.venue, tt.extended)
			}
		})
	}
}

// keptRules is a RuleBook that records the rules put.
type keptRules struct {
	fakeRules
	put []strategy.Rule
}

func (k *keptRules) PutRule(_ context.Context, r strategy.Rule) error {
	k.put = append(k.put, r)
	return nil
}

// TestFillAlertSaysWhereItTraded (issue 16): a fill alert of an order sent
// to NXT or SOR says so after its number, with where a SOR order traded
// ("SOR→NXT", kept in the journal across restarts); a KRX order's, the
// default, is unchanged. An expired closing-price order's alert names it
// as one, not as a market order.
func TestFillAlertSaysWhereItTraded(t *testing.T) {
	t.Parallel()
	f := NewFeed(FeedConfig{Lang: Korean, Mode: "live"})
	req := broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit, Price: 70_000, Qty: 2, Source: "console", User: "console"}
	for _, tc := range []struct {
		venue, exchange broker.Venue
		want, not       string
	}{
		{broker.VenueSOR, broker.VenueNXT, "주문번호 0000000007 · SOR→NXT ·", ""},
		{broker.VenueSOR, "", "주문번호 0000000007 · SOR ·", "→"},
		{broker.VenueNXT, "", "주문번호 0000000007 · NXT ·", "→"},
		{broker.VenueKRX, "", "주문번호 0000000007 · [", "KRX"},
		{"", "", "주문번호 0000000007 · [", "KRX"},
	} {
		ev := broker.OrderEvent{Kind: broker.EventFilled, Request: req,
			Order: broker.Order{ID: "0000000007", Code: "005930", Qty: 2, FilledQty: 2, AvgFillPrice: 70_000, Venue: tc.venue, Exchange: tc.exchange},
			Fill:  broker.Fill{Qty: 2, Price: 70_000}}
		got := f.FormatOrderEvent(ev).Text
		if !strings.Contains(got, tc.want) || tc.not != "" && strings.Contains(got, tc.not) {
			t.Errorf("%s→%s: want %q (and no %q):\n%s", tc.venue, tc.exchange, tc.want, tc.not, got)
		}
	}
	closing := broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Market, AtClose: true, Qty: 2, Source: "console", User: "console"}
	ev := broker.OrderEvent{Kind: broker.EventExpired, Request: closing, Order: broker.Order{ID: "0000000008", Code: "005930", Qty: 2, Venue: broker.VenueKRX}}
	if got := f.FormatOrderEvent(ev).Text; !strings.Contains(got, "KRX 시간외 종가") || strings.Contains(got, "시장가") {
		t.Errorf("expired closing-price order:\n%s", got)
	}
}
