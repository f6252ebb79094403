package main

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/hoga-trade/hoga/bot"
	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
)

// skewAlerts tells the owner once when this host's clock is more than
// broker.SkewWarnAt away from the broker's, and once when it is back (issue
// 21, item 2). The first measurements come with the first token, before
// the alert feed has sinks: the latest state waits for ready.
type skewAlerts struct {
	name string
	lang bot.Lang

	mu      sync.Mutex
	feed    *bot.Feed
	pending *skewState
}

type skewState struct {
	skew time.Duration
	off  bool
}

// onOff is the broker.Skew's OnOff.
func (s *skewAlerts) onOff(d time.Duration, off bool) {
	s.mu.Lock()
	feed := s.feed
	if feed == nil {
		if s.pending == nil && !off {
			s.mu.Unlock()
			return // never reported off: nothing to take back
		}
		s.pending = &skewState{d, off}
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	s.publish(context.Background(), feed, skewState{d, off})
}

// ready hands over the feed once it has sinks, and publishes a state
// measured before.
func (s *skewAlerts) ready(ctx context.Context, feed *bot.Feed) {
	s.mu.Lock()
	s.feed = feed
	p := s.pending
	s.pending = nil
	s.mu.Unlock()
	if p != nil && p.off {
		s.publish(ctx, feed, *p)
	}
}

func (s *skewAlerts) publish(ctx context.Context, feed *bot.Feed, st skewState) {
	secs := st.skew.Round(time.Second)
	if secs < 0 {
		secs = -secs
	}
	n := strconv.FormatInt(int64(secs/time.Second), 10)
	if !st.off {
		feed.Publish(ctx, bot.Alert{Type: bot.AlertErrors, Text: bot.Text(s.lang, "alert.clock_ok", bot.Esc(s.name), n)})
		return
	}
	// Skew is the broker's clock minus this host's: positive, the host is behind.
	dir := bot.Text(s.lang, "clock.behind")
	if st.skew < 0 {
		dir = bot.Text(s.lang, "clock.ahead")
	}
	feed.Publish(ctx, bot.Alert{Type: bot.AlertErrors, Text: bot.Text(s.lang, "alert.clock_skew", bot.Esc(s.name), n, dir)})
}

// newSkew is the skew measurement of the configured broker, reading the
// app's clock, with its alerts.
func (a *app) newSkew() *broker.Skew {
	a.skewAlerts = &skewAlerts{name: a.cfg.Broker, lang: a.cfg.lang}
	return &broker.Skew{Now: clock.Or(a.clock).Now, OnOff: a.skewAlerts.onOff}
}
