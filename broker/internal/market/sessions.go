package market

import (
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// farFuture stands for "never" in cached session boundaries and expiries.
var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// Sessions is the market's timetable: when a trading day starts, when
// prices move and when a day order lapses. It is pluggable so that other
// venues (NXT's 08:00–20:00, SOR) can bring their own; an implementation
// may cache (the Market calls it under its owner's lock only).
type Sessions interface {
	// DayAt returns the trading day ts belongs to (YYYY-MM-DD) and when
	// the next one starts.
	DayAt(ts time.Time) (day string, next time.Time)
	// Moving reports whether prices move at ts.
	Moving(ts time.Time) bool
	// ExpiryFor is when a day order placed at ts lapses.
	ExpiryFor(ts time.Time) time.Time
}

// Midnight is a market open around the clock whose day turns over at
// midnight KST: the paper exchange without market hours.
type Midnight struct{}

func nextMidnight(ts time.Time) time.Time {
	k := ts.In(broker.KST())
	return time.Date(k.Year(), k.Month(), k.Day()+1, 0, 0, 0, 0, broker.KST())
}

// DayAt is ts's KST date; the next day starts at midnight.
func (Midnight) DayAt(ts time.Time) (string, time.Time) {
	return ts.In(broker.KST()).Format(time.DateOnly), nextMidnight(ts)
}

// Moving is always true.
func (Midnight) Moving(time.Time) bool { return true }

// ExpiryFor is the next midnight KST.
func (Midnight) ExpiryFor(ts time.Time) time.Time { return nextMidnight(ts) }

// Endless is one trading day that never ends: orders never lapse and the
// day's base never changes. The fakes use it unless told to keep hours, so
// that tests which move the clock by days see the same market.
type Endless struct{}

// DayAt is always the same day, forever.
func (Endless) DayAt(time.Time) (string, time.Time) { return "", farFuture }

// Moving is always true.
func (Endless) Moving(time.Time) bool { return true }

// ExpiryFor is never.
func (Endless) ExpiryFor(time.Time) time.Time { return farFuture }

// KRX keeps the regular KRX cash session of broker.Calendar: a trading day
// starts at the opening auction and lasts until the next one (a quote on a
// Sunday shows Friday's session), prices move in continuous trading only,
// and day orders lapse at the close — 15:30, or 16:30 on the 수능 day.
type KRX struct {
	Cal *broker.Calendar

	winStart, winEnd time.Time // cached continuous window
}

// NewKRX returns the KRX timetable on cal.
func NewKRX(cal *broker.Calendar) *KRX { return &KRX{Cal: cal} }

// DayAt is the session whose opening auction last started by ts.
func (k *KRX) DayAt(ts time.Time) (string, time.Time) {
	kt := ts.In(broker.KST())
	day := kt.Format(time.DateOnly)
	for i := 0; i <= 31; i++ {
		if s, ok := k.Cal.SessionOn(kt.AddDate(0, 0, -i)); ok && !ts.Before(s.AuctionStart) {
			day = s.Date.Format(time.DateOnly)
			break
		}
	}
	s := k.Cal.NextSession(ts)
	if !s.Date.IsZero() && !s.AuctionStart.After(ts) {
		s = k.Cal.NextSession(s.Close)
	}
	if s.Date.IsZero() {
		return day, farFuture
	}
	return day, s.AuctionStart
}

// Moving reports continuous trading. The current or next window is cached
// so most calls cost two comparisons.
func (k *KRX) Moving(ts time.Time) bool {
	if !ts.Before(k.winEnd) {
		s := k.Cal.NextSession(ts)
		if !s.Date.IsZero() && !ts.Before(s.ContinuousEnd) {
			s = k.Cal.NextSession(s.Close)
		}
		if s.Date.IsZero() {
			k.winStart, k.winEnd = farFuture, farFuture
		} else {
			k.winStart, k.winEnd = s.Open, s.ContinuousEnd
		}
	}
	return !ts.Before(k.winStart)
}

// ExpiryForVenue is when a day order sent to venue v at ts lapses: KRX's
// close, or NXT's end of day (20:00) for an order that may rest on NXT
// (broker.Calendar.OrderExpiry cites the rule).
func (k *KRX) ExpiryForVenue(ts time.Time, v broker.Venue) time.Time {
	if end, ok := k.Cal.OrderExpiry(v.Or(broker.VenueKRX), ts); ok {
		return end
	}
	return nextMidnight(ts)
}

// expiryFor is s's expiry for an order to v: per venue where s knows
// venues, else its one rule. An order for a KRX off-hours session
// (session set) lapses at that session's end (시간외 단일가: 18:00).
func expiryFor(s Sessions, ts time.Time, v broker.Venue, session broker.SessionKind) time.Time {
	if k, ok := s.(*KRX); ok && session != "" {
		for _, w := range k.Cal.Windows(ts) {
			if w.Kind == session {
				return w.End
			}
		}
	}
	if vs, ok := s.(interface {
		ExpiryForVenue(time.Time, broker.Venue) time.Time
	}); ok {
		return vs.ExpiryForVenue(ts, v)
	}
	return s.ExpiryFor(ts)
}

// ExpiryFor is the close of ts's session (KRX orders are day orders), or
// the next midnight KST on a closed day.
func (k *KRX) ExpiryFor(ts time.Time) time.Time {
	if s, ok := k.Cal.SessionOn(ts); ok {
		return s.Close
	}
	return nextMidnight(ts)
}
