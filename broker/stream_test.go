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
