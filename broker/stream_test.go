package broker

import (
	"testing"
	"time"
)

// Silence counts only session time (issue 15): a stream quiet through a
// night, a weekend or a holiday is not dead; at the open, 30 s of silence
// is. The watchdog looks every 5 s, as the streams' does.
func TestSilenceOnlyInSession(t *testing.T) {
	t.Parallel()
	cal, err := NewCalendar(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name        string
		last, until string // last frame; watch until
		want        string // first watchdog look that finds it dead, "" none
	}{
		{"session", "2026-12-08 10:00", "2026-12-08 10:05", "2026-12-08 10:00:30"},
		{"after the close", "2026-12-08 15:29", "2026-12-08 23:59", "2026-12-08 15:29:30"},
		{"after the close, quiet", "2026-12-08 15:30", "2026-12-08 23:59", ""},
		{"night into the open", "2026-12-08 16:00", "2026-12-09 09:05", "2026-12-09 09:00:25"},
		{"weekend", "2026-12-04 15:30", "2026-12-07 08:59", ""},
		{"weekend into Monday", "2026-12-04 15:30", "2026-12-07 09:05", "2026-12-07 09:00:25"},
		{"성탄절 (Friday) into Monday", "2026-12-24 15:30", "2026-12-28 09:05", "2026-12-28 09:00:25"},
		{"first trading day opens 10:00", "2026-12-30 15:30", "2027-01-04 10:05", "2027-01-04 10:00:25"},
		{"수능 closes 16:30", "2026-11-19 16:00", "2026-11-19 16:20", "2026-11-19 16:00:30"},
		{"normal day 16:00 is closed", "2026-11-18 16:00", "2026-11-18 16:20", ""},
		{"수능 opens 10:00", "2026-11-19 09:00", "2026-11-19 09:59", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Silence{Limit: 30 * time.Second, Active: cal.InSession}
			last := kstTime(tc.last)
			var got time.Time
			for now := last; !now.After(kstTime(tc.until)); now = now.Add(5 * time.Second) {
				if s.Exceeded(now, last) {
					got = now
					break
				}
			}
			var want time.Time
			if tc.want != "" {
				w, err := time.ParseInLocation("2006-01-02 15:04:05", tc.want, KST())
				if err != nil {
					t.Fatal(err)
				}
				want = w
			}
			if !got.Equal(want) {
				t.Fatalf("dead at %v, want %v", got, want)
			}
		})
	}
}

// TickLimits drops what Quote.Plausible refuses, with the day's limits
// from a quote of the same KST day only, and counts runs per code.
func TestTickLimits(t *testing.T) {
	t.Parallel()
	day := kstTime("2026-12-08 10:00")
	l := NewTickLimits()
	l.Set(Quote{Code: "005930", Price: 65_800, LowerLimit: 46_100, UpperLimit: 85_500}, day)
	l.Set(Quote{Code: "000660", Price: 1}, day) // no limits: not recorded
	for _, tc := range []struct {
		code   Code
		price  int64
		at     time.Time
		streak int // 0: admitted
	}{
		{"005930", 65_000, day, 0},
		{"005930", 46_100, day, 0}, // at the lower limit
		{"005930", 85_500, day, 0}, // at the upper limit
		{"005930", 46_000, day, 1},
		{"005930", 85_600, day, 2},
		{"005930", 0, day, 3},
		{"005930", 70_000, day, 0},                  // ends the run
		{"005930", -5, day, 1},                      // a new run
		{"005930", 100, day.Add(24 * time.Hour), 0}, // yesterday's limits do not apply
		{"000660", 1, day, 0},                       // no limits known: only ≤ 0 checked
		{"000660", 0, day, 1},
	} {
		streak, err := l.Check(Tick{Code: tc.code, Price: tc.price}, tc.at)
		if streak != tc.streak || (err != nil) != (tc.streak > 0) {
			t.Errorf("Check(%s %d at %s) = %d, %v; want streak %d", tc.code, tc.price, tc.at.Format(time.DateOnly), streak, err, tc.streak)
		}
	}
	if !l.Known("005930", day) || l.Known("005930", day.Add(24*time.Hour)) || l.Known("000660", day) {
		t.Error("Known wrong")
	}
}
