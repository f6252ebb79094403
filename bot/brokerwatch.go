package bot

import (
	"context"
	"sync"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
)

// WatchRepeat is how long the same kind of broker failure stays quiet
// after it was reported: the owner hears about a broker outage once, not
// once per poll.
const WatchRepeat = 10 * time.Minute

// BrokerWatch tells the alert feed when calls to the broker start failing
// for a reason the owner has to know about (the token or keys refused, the
// broker unreachable, its rate limit, answers hoga cannot read), and when
// it works again. Refusals of one request (bad input, no cash, market
// closed) are the requester's reply, not an alert. Its Observe is a
// broker.Hook: cmd/hoga observes the broker below the guard with it, so
// every caller's failures are seen.
type BrokerWatch struct {
	name  string
	feed  *Feed
	clock clock.Clock

	mu       sync.Mutex
	reported map[broker.Kind]time.Time // last alert per kind
	failing  bool
	// badLists counts order lists in a row the broker answered in a form
	// hoga cannot read; listAlerted is set once the owner was told.
	badLists    int
	listAlerted bool
}

// ListUnreadableAfter is how many order lists in a row must come back
// unreadable (the list field missing, null, not an array) before the owner
// is told: one is a blip the next poll cures; this many, at the guard's
// and tracker's retry pace, is a broker answering wrongly for a while.
// The alert is sent once, not per poll, and its end is told once too.
const ListUnreadableAfter = 3

// NewBrokerWatch watches the broker called name (its alerts say so); clk
// may be nil for the wall clock.
func NewBrokerWatch(name string, feed *Feed, clk clock.Clock) *BrokerWatch {
	return &BrokerWatch{name: name, feed: feed, clock: clock.Or(clk), reported: map[broker.Kind]time.Time{}}
}

// Observe is the broker.Hook: it sees every call's outcome.
func (w *BrokerWatch) Observe(ctx context.Context, call string, err error, _ time.Duration) {
	if call == broker.CallOrdersToday && w.observeList(ctx, err) {
		return
	}
	w.observe(ctx, err)
}

// observeList follows the order list's readability (issue 21, item 1):
// while it is unreadable no order of unknown outcome can be settled, so
// the owner hears it once when it stays so (ListUnreadableAfter in a row)
// and once when a list is read again. It reports whether it dealt with
// err (an unreadable list), so the general alert does not repeat it.
func (w *BrokerWatch) observeList(ctx context.Context, err error) bool {
	if err != nil && ctx.Err() != nil {
		return false
	}
	unreadable := broker.KindOf(err) == broker.Unreadable
	if err != nil && !unreadable {
		return false // down, keys refused…: the general alert says it
	}
	w.mu.Lock()
	var key string
	switch {
	case unreadable:
		w.badLists++
		if w.badLists == ListUnreadableAfter && !w.listAlerted {
			w.listAlerted, key = true, "alert.list_unreadable"
		}
	default:
		w.badLists = 0
		if w.listAlerted {
			w.listAlerted, key = false, "alert.list_readable"
		}
	}
	w.mu.Unlock()
	lang := w.feed.cfg.Lang
	switch key {
	case "alert.list_unreadable":
		// The client's own words (English) stay in the log.
		w.feed.Publish(ctx, Alert{Type: AlertErrors, Text: text(lang, "alert.list_unreadable", Esc(w.name), ListUnreadableAfter)})
	case "alert.list_readable":
		w.feed.Publish(ctx, Alert{Type: AlertErrors, Text: text(lang, "alert.list_readable", Esc(w.name))})
	}
	return unreadable
}

// observe alerts on the first failure of a watched kind (then at most once
// per WatchRepeat) and on the first success after failures.
func (w *BrokerWatch) observe(ctx context.Context, err error) {
	if ctx.Err() != nil && err != nil {
		return // the caller gave up (shutdown): not the broker's fault
	}
	kind := broker.KindOf(err)
	switch {
	case err == nil:
		w.mu.Lock()
		recovered := w.failing
		w.failing = false
		clear(w.reported)
		w.mu.Unlock()
		if recovered {
			w.feed.Publish(ctx, Alert{Type: AlertErrors, Text: text(w.feed.cfg.Lang, "alert.broker_ok", Esc(w.name))})
		}
		return
	case kind != broker.Auth && kind != broker.Transient && kind != broker.RateLimited && kind != broker.Internal && kind != broker.Unreadable:
		return
	}
	now := w.clock.Now()
	w.mu.Lock()
	last, seen := w.reported[kind]
	quiet := seen && now.Sub(last) < WatchRepeat
	if !quiet {
		w.reported[kind] = now
	}
	w.failing = true
	w.mu.Unlock()
	if quiet {
		return
	}
	lang := w.feed.cfg.Lang
	detail := Esc(err.Error())
	if e, ok := broker.AsError(err); ok {
		detail = brokerDetail(lang, e)
	}
	if iq := implausibleText(lang, err); iq != "" {
		detail = iq
	}
	w.feed.Publish(ctx, Alert{Type: AlertErrors, Text: text(lang, "alert.broker_error", Esc(w.name), detail, text(lang, "hint."+kind.String()))})
}
