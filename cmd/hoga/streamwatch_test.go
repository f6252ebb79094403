package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/bot"
)

// The stream's alerts (issue 15): once after a minute down in the
// session, once when it is back, nothing for a short reconnect, nothing
// repeated while down, and no time down outside the session counted.
func TestStreamWatchAlerts(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 10, 1, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		up   string // one observation a second: u up, d down, n down outside the session
		want []string
	}{
		{"never down", "uuuuu", nil},
		{"short drop", "uu" + strings.Repeat("d", 59) + "uu", nil},
		{"one minute down", "u" + strings.Repeat("d", 61) + "u", []string{"alert.stream_lost@61", "alert.stream_back@62"}},
		{"long outage says it once", "u" + strings.Repeat("d", 300) + "u", []string{"alert.stream_lost@61", "alert.stream_back@301"}},
		{"never up at start", strings.Repeat("d", 62), []string{"alert.stream_lost@60"}},
		{"two outages", "u" + strings.Repeat("d", 61) + "u" + strings.Repeat("d", 61) + "u", []string{"alert.stream_lost@61", "alert.stream_back@62", "alert.stream_lost@123", "alert.stream_back@124"}},
		{"down all night", "u" + strings.Repeat("n", 600) + "u", nil},
		{"down at night and into the session", "u" + strings.Repeat("n", 600) + strings.Repeat("d", 61) + "u", []string{"alert.stream_lost@660", "alert.stream_back@662"}},
		{"session ends while down: no more, back once", "u" + strings.Repeat("d", 70) + strings.Repeat("n", 100) + "u", []string{"alert.stream_lost@61", "alert.stream_back@171"}},
		{"30 s before the close and 30 s after the open", "u" + strings.Repeat("d", 30) + strings.Repeat("n", 300) + strings.Repeat("d", 31) + "u", []string{"alert.stream_lost@361", "alert.stream_back@362"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := streamWatch{downSince: t0, last: t0}
			var got []string
			for i, c := range tc.up {
				if key, _ := w.observe(t0.Add(time.Duration(i)*time.Second), c == 'u', c != 'n', 3, bot.Korean); key != "" {
					got = append(got, fmt.Sprintf("%s@%d", key, i))
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("alerts %v, want %v", got, tc.want)
			}
		})
	}
}
