package broker

import (
	"testing"
	"time"
)

func kstTime(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, KST())
	if err != nil {
		panic(err)
	}
	return t
}

func TestCalendarHolidayCounts(t *testing.T) {
	t.Parallel()
	c, err := NewCalendar(nil)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, h := range c.Holidays() {
		counts[h.Date[:4]]++
		d, _ := time.Parse(time.DateOnly, h.Date)
		if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
			t.Errorf("holiday %s falls on a weekend", h.Date)
		}
	}
	// shared/krx-calendar.md: 2025 = 19, 2026 = 17, 2027 = 16.
	want := map[string]int{"2025": 19, "2026": 17, "2027": 16}
	for y, n := range want {
		if counts[y] != n {
			t.Errorf("%s has %d closed weekdays; want %d", y, counts[y], n)
		}
	}
}

func TestCalendarAcceptsOrders(t *testing.T) {
	t.Parallel()
	c, err := NewCalendar([]string{"2026-12-28"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		when       string
		accepts    bool
		continuous bool
	}{
		{"2026-11-25 08:29", false, false}, // Wednesday, before the opening auction
		{"2026-11-25 08:30", true, false},  // opening auction
		{"2026-11-25 08:59", true, false},
		{"2026-11-25 09:00", true, true},
		{"2026-11-25 15:19", true, true},
		{"2026-11-25 15:20", true, false}, // closing auction
		{"2026-11-25 15:29", true, false},
		{"2026-11-25 15:30", false, false},
		{"2026-11-28 10:00", false, false}, // Saturday
		{"2026-11-29 10:00", false, false}, // Sunday
		{"2026-12-25 10:00", false, false}, // 성탄절
		{"2026-12-31 10:00", false, false}, // 연말 휴장
		{"2026-12-30 15:29", true, false},  // last trading day, normal hours
		{"2026-12-28 10:00", false, false}, // HOGA_HOLIDAYS
		{"2026-07-17 10:00", false, false}, // 제헌절 (holiday again from 2026)
		{"2026-09-28 10:00", true, true},   // after Chuseok: a normal day
		{"2027-01-04 09:59", true, false},  // first trading day opens 10:00
		{"2027-01-04 09:29", false, false},
		{"2027-01-04 10:00", true, true},
		{"2026-11-19 09:45", true, false}, // 수능: opens 10:00
		{"2026-11-19 16:19", true, true},  // 수능: continuous until 16:20
		{"2026-11-19 16:29", true, false},
		{"2026-11-19 16:30", false, false},
	}
	for _, tt := range tests {
		at := kstTime(tt.when)
		if got := c.AcceptsOrders(at); got != tt.accepts {
			t.Errorf("AcceptsOrders(%s) = %v; want %v", tt.when, got, tt.accepts)
		}
		if got := c.InContinuous(at); got != tt.continuous {
			t.Errorf("InContinuous(%s) = %v; want %v", tt.when, got, tt.continuous)
		}
	}
}

func TestCalendarUsesKSTWhateverTheZone(t *testing.T) {
	t.Parallel()
	c, _ := NewCalendar(nil)
	// 2026-11-25 00:30 UTC is 09:30 KST on a Wednesday.
	utc := time.Date(2026, 11, 25, 0, 30, 0, 0, time.UTC)
	if !c.InContinuous(utc) {
		t.Fatal("00:30 UTC should be 09:30 KST, in the session")
	}
	ny := utc.In(time.FixedZone("EST", -5*3600)) // 2026-11-24 19:30 local
	if !c.InContinuous(ny) {
		t.Fatal("the host zone must not matter")
	}
}

func TestCheckOrderTimeNextOpen(t *testing.T) {
	t.Parallel()
	c, _ := NewCalendar(nil)
	tests := []struct {
		when, next string
	}{
		{"2026-11-25 07:00", "2026-11-25 09:00"}, // same day
		{"2026-11-25 16:00", "2026-11-26 09:00"}, // next day
		{"2026-11-27 15:30", "2026-11-30 09:00"}, // Friday close → Monday
		{"2026-12-24 20:00", "2026-12-28 09:00"}, // over Christmas and a weekend
		{"2026-12-30 16:00", "2027-01-04 10:00"}, // over the year end, late open
		{"2026-11-18 18:00", "2026-11-19 10:00"}, // eve of 수능
		{"2026-09-23 16:00", "2026-09-28 09:00"}, // over Chuseok
	}
	for _, tt := range tests {
		err := c.CheckOrderTime(kstTime(tt.when))
		e, ok := AsError(err)
		if !ok || e.Kind != MarketClosed {
			t.Fatalf("CheckOrderTime(%s) = %v; want market_closed", tt.when, err)
		}
		if want := kstTime(tt.next); !e.NextOpen.Equal(want) {
			t.Errorf("CheckOrderTime(%s).NextOpen = %s; want %s", tt.when, e.NextOpen.In(KST()), want)
		}
	}
	if err := c.CheckOrderTime(kstTime("2026-11-25 10:00")); err != nil {
		t.Errorf("in session: %v", err)
	}
}

func TestNewCalendarRejectsBadDates(t *testing.T) {
	t.Parallel()
	if _, err := NewCalendar([]string{"2026-13-01"}); err == nil {
		t.Fatal("accepted month 13")
	}
	if _, err := NewCalendar([]string{"", " 2026-12-28 "}); err != nil {
		t.Fatalf("rejected a padded date: %v", err)
	}
}

// InSession is when trades print (the silence watchdog's window): open to
// close, irregular days included.
func TestCalendarInSession(t *testing.T) {
	t.Parallel()
	c, err := NewCalendar([]string{"2026-12-28"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		when string
		want bool
	}{
		{"2026-11-25 08:59", false}, // opening auction: no trades yet
		{"2026-11-25 09:00", true},
		{"2026-11-25 15:25", true}, // closing auction: its trade prints at 15:30
		{"2026-11-25 15:29", true},
		{"2026-11-25 15:30", false},
		{"2026-11-25 03:00", false}, // night
		{"2026-11-28 10:00", false}, // Saturday
		{"2026-12-25 10:00", false}, // 성탄절
		{"2026-12-31 10:00", false}, // 연말 휴장
		{"2026-12-28 10:00", false}, // HOGA_HOLIDAYS
		{"2027-01-04 09:30", false}, // first trading day: opens 10:00
		{"2027-01-04 10:00", true},
		{"2026-11-19 09:59", false}, // 수능: opens 10:00
		{"2026-11-19 16:29", true},  // 수능: closes 16:30
		{"2026-11-19 16:30", false},
	} {
		if got := c.InSession(kstTime(tt.when)); got != tt.want {
			t.Errorf("InSession(%s) = %v; want %v", tt.when, got, tt.want)
		}
	}
}
