package broker

import (
	"fmt"
	"testing"
	"time"
)

func kstSec(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04:05", s, KST())
	if err != nil {
		panic(err)
	}
	return t
}

// TestWindowsEveryBoundary checks every session of both venues on a normal
// day, the first trading day and 수능 day: each session's first second is in
// it and the second before its start and its end are not.
func TestWindowsEveryBoundary(t *testing.T) {
	t.Parallel()
	c, err := NewCalendar(nil)
	if err != nil {
		t.Fatal(err)
	}
	type sess struct {
		kind       SessionKind
		start, end string
	}
	days := []struct {
		name, date string
		want       []sess
	}{
		{"normal_day", "2026-11-25", []sess{
			{NXTPre, "08:00:00", "08:50:00"},
			{KRXPreClosing, "08:30:00", "08:40:00"},
			{KRXRegular, "08:30:00", "15:30:00"},
			{NXTMain, "09:00:30", "15:20:00"},
			{NXTAfter, "15:30:00", "20:00:00"},
			{KRXAfterClosing, "15:40:00", "16:00:00"},
			{KRXAfterSingle, "16:00:00", "18:00:00"},
		}},
		{"first_trading_day", "2027-01-04", []sess{
			{KRXPreClosing, "09:30:00", "09:40:00"},
			{KRXRegular, "09:30:00", "15:30:00"},
			{NXTMain, "10:00:30", "15:20:00"},
			{NXTAfter, "15:30:00", "20:00:00"},
			{KRXAfterClosing, "15:40:00", "16:00:00"},
			{KRXAfterSingle, "16:00:00", "18:00:00"},
		}},
		{"csat_day", "2026-11-19", []sess{
			{KRXPreClosing, "09:30:00", "09:40:00"},
			{KRXRegular, "09:30:00", "16:30:00"},
			{NXTMain, "10:00:30", "16:20:00"},
			{NXTAfter, "16:40:00", "20:00:00"},
			{KRXAfterClosing, "16:40:00", "17:00:00"},
			{KRXAfterSingle, "17:00:00", "18:00:00"},
		}},
	}
	for _, d := range days {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			got := c.Windows(kstSec(d.date + " 12:00:00"))
			if len(got) != len(d.want) {
				t.Fatalf("%d sessions; want %d: %+v", len(got), len(d.want), got)
			}
			byKind := map[SessionKind]Window{}
			for _, w := range got {
				byKind[w.Kind] = w
			}
			for _, s := range d.want {
				w, ok := byKind[s.kind]
				if !ok {
					t.Errorf("no %s session", s.kind)
					continue
				}
				start, end := kstSec(d.date+" "+s.start), kstSec(d.date+" "+s.end)
				if !w.Start.Equal(start) || !w.End.Equal(end) {
					t.Errorf("%s = %s–%s; want %s–%s", s.kind, w.Start.Format("15:04:05"), w.End.Format("15:04:05"), s.start, s.end)
				}
				if !w.Contains(start) || w.Contains(start.Add(-time.Second)) || w.Contains(end) || !w.Contains(end.Add(-time.Second)) {
					t.Errorf("%s: boundaries not half-open", s.kind)
				}
			}
		})
	}
	if w := c.Windows(kstSec("2026-11-28 12:00:00")); w != nil {
		t.Errorf("a Saturday has sessions: %+v", w)
	}
}

// TestCheckVenueOrderTime walks every boundary where a plain order's
// acceptance changes, per venue, on the three kinds of day.
func TestCheckVenueOrderTime(t *testing.T) {
	t.Parallel()
	c, err := NewCalendar(nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		venue Venue
		when  string
		next  string // "" = accepted
	}{
		// Normal day (Wednesday 2026-11-25), NXT.
		{VenueNXT, "2026-11-25 07:59:59", "2026-11-25 08:00:00"},
		{VenueNXT, "2026-11-25 08:00:00", ""},
		{VenueNXT, "2026-11-25 08:10:00", ""},
		{VenueNXT, "2026-11-25 08:49:59", ""},
		{VenueNXT, "2026-11-25 08:50:00", "2026-11-25 09:00:30"},
		{VenueNXT, "2026-11-25 09:00:29", "2026-11-25 09:00:30"},
		{VenueNXT, "2026-11-25 09:00:30", ""},
		{VenueNXT, "2026-11-25 15:19:59", ""},
		{VenueNXT, "2026-11-25 15:20:00", "2026-11-25 15:30:00"},
		{VenueNXT, "2026-11-25 15:30:00", ""},
		{VenueNXT, "2026-11-25 19:00:00", ""},
		{VenueNXT, "2026-11-25 19:59:59", ""},
		{VenueNXT, "2026-11-25 20:00:00", "2026-11-26 08:00:00"},
		{VenueNXT, "2026-11-27 20:00:00", "2026-11-30 08:00:00"}, // Friday → Monday
		// Normal day, KRX (plain orders: the regular session only).
		{VenueKRX, "2026-11-25 08:10:00", "2026-11-25 09:00:00"},
		{VenueKRX, "2026-11-25 08:29:59", "2026-11-25 09:00:00"},
		{VenueKRX, "2026-11-25 08:30:00", ""},
		{VenueKRX, "2026-11-25 15:29:59", ""},
		{VenueKRX, "2026-11-25 15:30:00", "2026-11-26 09:00:00"},
		{VenueKRX, "2026-11-25 19:00:00", "2026-11-26 09:00:00"},
		// Normal day, SOR: either exchange, 08:00–20:00 without a gap.
		{VenueSOR, "2026-11-25 07:59:59", "2026-11-25 08:00:00"},
		{VenueSOR, "2026-11-25 08:00:00", ""},
		{VenueSOR, "2026-11-25 08:50:00", ""}, // KRX opening auction
		{VenueSOR, "2026-11-25 15:20:00", ""}, // KRX closing auction
		{VenueSOR, "2026-11-25 15:30:00", ""}, // NXT after-market
		{VenueSOR, "2026-11-25 20:00:00", "2026-11-26 08:00:00"},
		// First trading day (2027-01-04): no NXT pre-market.
		{VenueNXT, "2027-01-04 08:10:00", "2027-01-04 10:00:30"},
		{VenueNXT, "2027-01-04 10:00:29", "2027-01-04 10:00:30"},
		{VenueNXT, "2027-01-04 10:00:30", ""},
		{VenueNXT, "2027-01-04 15:20:00", "2027-01-04 15:30:00"},
		{VenueNXT, "2027-01-04 15:30:00", ""},
		{VenueKRX, "2027-01-04 09:29:59", "2027-01-04 10:00:00"},
		{VenueKRX, "2027-01-04 09:30:00", ""},
		{VenueKRX, "2027-01-04 15:30:00", "2027-01-05 09:00:00"},
		{VenueSOR, "2027-01-04 08:10:00", "2027-01-04 10:00:00"},
		{VenueNXT, "2026-12-30 20:00:00", "2027-01-04 10:00:30"}, // over the year end
		// 수능 day (2026-11-19).
		{VenueNXT, "2026-11-18 20:00:00", "2026-11-19 10:00:30"},
		{VenueNXT, "2026-11-19 08:00:00", "2026-11-19 10:00:30"},
		{VenueNXT, "2026-11-19 10:00:30", ""},
		{VenueNXT, "2026-11-19 16:19:59", ""},
		{VenueNXT, "2026-11-19 16:20:00", "2026-11-19 16:40:00"},
		{VenueNXT, "2026-11-19 16:40:00", ""},
		{VenueNXT, "2026-11-19 19:59:59", ""},
		{VenueNXT, "2026-11-19 20:00:00", "2026-11-20 08:00:00"},
		{VenueKRX, "2026-11-19 09:29:59", "2026-11-19 10:00:00"},
		{VenueKRX, "2026-11-19 16:29:59", ""},
		{VenueKRX, "2026-11-19 16:30:00", "2026-11-20 09:00:00"},
		{VenueSOR, "2026-11-19 16:30:00", "2026-11-19 16:40:00"},
		// Holidays: closed for both.
		{VenueNXT, "2026-12-25 10:00:00", "2026-12-28 08:00:00"},
		{VenueSOR, "2026-09-24 19:00:00", "2026-09-28 08:00:00"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s_%s", tt.venue, tt.when), func(t *testing.T) {
			t.Parallel()
			err := c.CheckVenueOrderTime(tt.venue, kstSec(tt.when))
			if tt.next == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			e, ok := AsError(err)
			if !ok || e.Kind != MarketClosed {
				t.Fatalf("= %v; want market_closed", err)
			}
			if want := kstSec(tt.next); !e.NextOpen.Equal(want) {
				t.Errorf("next = %s; want %s", e.NextOpen.In(KST()).Format(time.DateTime), tt.next)
			}
			if e.Code != tt.venue.Lower() {
				t.Errorf("code = %q; want %q", e.Code, tt.venue.Lower())
			}
		})
	}
}

func TestInVenueContinuous(t *testing.T) {
	t.Parallel()
	c, _ := NewCalendar(nil)
	tests := []struct {
		venue    Venue
		when     string
		extended bool
		want     bool
	}{
		{VenueKRX, "2026-11-25 09:00:00", false, true},
		{VenueKRX, "2026-11-25 08:45:00", false, false}, // opening auction
		{VenueNXT, "2026-11-25 08:10:00", false, false}, // pre-market is extended
		{VenueNXT, "2026-11-25 08:10:00", true, true},
		{VenueNXT, "2026-11-25 15:35:00", true, false}, // after-market's opening call
		{VenueNXT, "2026-11-25 19:00:00", true, true},
		{VenueSOR, "2026-11-25 19:00:00", true, true},
		{VenueSOR, "2026-11-25 19:00:00", false, false},
		{VenueSOR, "2026-11-25 10:00:00", false, true},
	}
	for _, tt := range tests {
		if got := c.InVenueContinuous(tt.venue, kstSec(tt.when), tt.extended); got != tt.want {
			t.Errorf("InVenueContinuous(%s, %s, %v) = %v; want %v", tt.venue, tt.when, tt.extended, got, tt.want)
		}
	}
}

func TestParseVenue(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"krx", "NXT", " Sor "} {
		if _, err := ParseVenue(s); err != nil {
			t.Errorf("ParseVenue(%q): %v", s, err)
		}
	}
	for _, s := range []string{"", "nyse", "all"} {
		if _, err := ParseVenue(s); err == nil {
			t.Errorf("ParseVenue(%q) accepted", s)
		}
	}
	if MockVenues.Default() != VenueKRX || LiveVenues.Default() != VenueSOR {
		t.Error("defaults: mock KRX, live SOR")
	}
	if MockVenues.Supports(VenueNXT) || MockVenues.Supports(VenueSOR) || !LiveVenues.Supports(VenueNXT) {
		t.Error("mock is KRX only; live has all three")
	}
}

// TestCheckOrderTypeTime walks KRX's off-hours boundaries for each order
// type on the three kinds of day: a KRX limit order is taken in 시간외
// 단일가 (as that session's order type, OffHoursSession), a market order
// is not, and neither is taken in a closing-price session, which is named.
func TestCheckOrderTypeTime(t *testing.T) {
	t.Parallel()
	c, err := NewCalendar(nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		typ     OrderType
		when    string
		next    string      // "" = accepted
		session SessionKind // OffHoursSession when accepted; the named session when refused inside one
	}{
		// Normal day (2026-11-25).
		{Limit, "2026-11-25 15:29:59", "", ""},
		{Limit, "2026-11-25 15:30:00", "2026-11-25 16:00:00", ""},
		{Limit, "2026-11-25 15:40:00", "2026-11-25 16:00:00", KRXAfterClosing},
		{Limit, "2026-11-25 15:59:59", "2026-11-25 16:00:00", KRXAfterClosing},
		{Limit, "2026-11-25 16:00:00", "", KRXAfterSingle},
		{Limit, "2026-11-25 17:59:59", "", KRXAfterSingle},
		{Limit, "2026-11-25 18:00:00", "2026-11-26 09:00:00", ""},
		{Limit, "2026-11-25 08:10:00", "2026-11-25 09:00:00", ""},
		{Limit, "2026-11-25 08:35:00", "", ""}, // the opening auction takes it plain
		{Market, "2026-11-25 16:00:00", "2026-11-26 09:00:00", KRXAfterSingle},
		{Market, "2026-11-25 15:45:00", "2026-11-26 09:00:00", KRXAfterClosing},
		// First trading day (2027-01-04): the afternoon is a normal one.
		{Limit, "2027-01-04 16:00:00", "", KRXAfterSingle},
		{Limit, "2027-01-04 18:00:00", "2027-01-05 09:00:00", ""},
		// 수능 day (2026-11-19): KRX closes 16:30, 시간외 종가 16:40–17:00,
		// 단일가 17:00–18:00.
		{Limit, "2026-11-19 16:29:59", "", ""},
		{Limit, "2026-11-19 16:30:00", "2026-11-19 17:00:00", ""},
		{Limit, "2026-11-19 16:40:00", "2026-11-19 17:00:00", KRXAfterClosing},
		{Limit, "2026-11-19 17:00:00", "", KRXAfterSingle},
		{Limit, "2026-11-19 17:59:59", "", KRXAfterSingle},
		{Limit, "2026-11-19 18:00:00", "2026-11-20 09:00:00", ""},
		// Holiday: nothing.
		{Limit, "2026-12-25 16:30:00", "2026-12-28 09:00:00", ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s_%s", tt.typ, tt.when), func(t *testing.T) {
			t.Parallel()
			at := kstSec(tt.when)
			err := c.CheckOrderTypeTime(VenueKRX, tt.typ, at)
			if tt.next == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if got := c.OffHoursSession(VenueKRX, tt.typ, at); got != tt.session {
					t.Errorf("OffHoursSession = %q; want %q", got, tt.session)
				}
				return
			}
			e, ok := AsError(err)
			if !ok || e.Kind != MarketClosed {
				t.Fatalf("= %v; want market_closed", err)
			}
			if want := kstSec(tt.next); !e.NextOpen.Equal(want) {
				t.Errorf("next = %s; want %s", e.NextOpen.In(KST()).Format(time.DateTime), tt.next)
			}
			wantCode, wantMsg := "krx", ""
			if tt.session != "" {
				wantCode, wantMsg = "krx_session", string(tt.session)
			}
			if e.Code != wantCode || (wantMsg != "" && e.Msg != wantMsg) {
				t.Errorf("code, msg = %q, %q; want %q, %q", e.Code, e.Msg, wantCode, wantMsg)
			}
			if got := c.OffHoursSession(VenueKRX, tt.typ, at); got != "" {
				t.Errorf("OffHoursSession = %q for a refused order", got)
			}
		})
	}
	// NXT and SOR never get an off-hours type: SOR at 16:30 is NXT's
	// after-market.
	if s := c.OffHoursSession(VenueSOR, Limit, kstSec("2026-11-25 16:30:00")); s != "" {
		t.Errorf("SOR at 16:30: %q", s)
	}
	if err := c.CheckOrderTypeTime(VenueSOR, 0, kstSec("2026-11-25 16:30:00")); err != nil {
		t.Errorf("SOR at 16:30 refused: %v", err)
	}
}

// TestClosingWindow: a closing-price order (OrderRequest.AtClose) is taken
// in KRX's 장전 시간외 종가 (08:30–08:40) and 장후 시간외 종가 (15:40–16:00)
// only, moved on the first trading day (장전 09:30–09:40) and on 수능 day
// (장전 09:30–09:40, 장후 16:40–17:00); outside them the next one is named.
func TestClosingWindow(t *testing.T) {
	t.Parallel()
	c, err := NewCalendar(nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		when string
		in   SessionKind // "" = none open
		next string      // the next one's start, when none is open
	}{
		// Normal day (2026-11-25).
		{"2026-11-25 08:29:59", "", "2026-11-25 08:30:00"},
		{"2026-11-25 08:30:00", KRXPreClosing, ""},
		{"2026-11-25 08:39:59", KRXPreClosing, ""},
		{"2026-11-25 08:40:00", "", "2026-11-25 15:40:00"},
		{"2026-11-25 15:30:00", "", "2026-11-25 15:40:00"},
		{"2026-11-25 15:40:00", KRXAfterClosing, ""},
		{"2026-11-25 15:59:59", KRXAfterClosing, ""},
		{"2026-11-25 16:00:00", "", "2026-11-26 08:30:00"},
		// First trading day (2027-01-04): 장전 an hour later.
		{"2027-01-04 08:35:00", "", "2027-01-04 09:30:00"},
		{"2027-01-04 09:35:00", KRXPreClosing, ""},
		{"2027-01-04 15:45:00", KRXAfterClosing, ""},
		// 수능 day (2026-11-19): both an hour later.
		{"2026-11-19 08:35:00", "", "2026-11-19 09:30:00"},
		{"2026-11-19 09:30:00", KRXPreClosing, ""},
		{"2026-11-19 15:45:00", "", "2026-11-19 16:40:00"},
		{"2026-11-19 16:40:00", KRXAfterClosing, ""},
		{"2026-11-19 17:00:00", "", "2026-11-20 08:30:00"},
		// Holiday and weekend: the next trading day's 장전.
		{"2026-12-25 15:45:00", "", "2026-12-28 08:30:00"},
	}
	for _, tt := range tests {
		at, err := time.ParseInLocation(time.DateTime, tt.when, KST())
		if err != nil {
			t.Fatal(err)
		}
		w, ok := c.ClosingWindow(at)
		if ok != (tt.in != "") || w.Kind != tt.in {
			t.Errorf("%s: in %q (%v); want %q", tt.when, w.Kind, ok, tt.in)
		}
		if tt.next == "" {
			continue
		}
		n, ok := c.NextClosingWindow(at)
		if got := n.Start.In(KST()).Format(time.DateTime); !ok || got != tt.next || !n.Kind.Closing() {
			t.Errorf("%s: next %s %q (%v); want %s", tt.when, got, n.Kind, ok, tt.next)
		}
	}
}
