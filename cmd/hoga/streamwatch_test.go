package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/bot"
)

// The stream's alerts (issue 15): once after a minute down, once when it
// is back, nothing for a short reconnect, nothing repeated while down.
func TestStreamWatchAlerts(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 10, 1, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		up   string // one observation a second: u up, d down
		want []string
	}{
		{"never down", "uuuuu", nil},
		{"short drop", "uu" + strings.Repeat("d", 59) + "uu", nil},
		{"one minute down", "u" + strings.Repeat("d", 61) + "u", []string{"alert.stream_lost@61", "alert.stream_back@62"}},
		{"long outage says it once", "u" + strings.Repeat("d", 300) + "u", []string{"alert.stream_lost@61", "alert.stream_back@301"}},
		{"never up at start", strings.Repeat("d", 62), []string{"alert.stream_lost@60"}},
		{"two outages", "u" + strings.Repeat("d", 61) + "u" + strings.Repeat("d", 61) + "u", []string{"alert.stream_lost@61", "alert.stream_back@62", "alert.stream_lost@123", "alert.stream_back@124"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := streamWatch{lostSince: t0}
			var got []string
			for i, c := range tc.up {
				if key, _ := w.observe(t0.Add(time.Duration(i)*time.Second), c == 'u', 3, bot.Korean); key != "" {
					got = append(got, fmt.Sprintf("%s@%d", key, i))
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("alerts %v, want %v", got, tc.want)
			}
		})
	}
}
