package broker

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// kst is Asia/Seoul. Korea has kept UTC+9 without daylight saving since
// 1988, so the fixed zone is exact if the tz database is missing; cmd/hoga
// embeds time/tzdata so the named zone is there on Windows too.
var kst = func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Seoul"); err == nil {
		return loc
	}
	return time.FixedZone("KST", 9*60*60)
}()

// KST returns the Asia/Seoul location every KRX schedule is kept in,
// whatever the host's zone.
func KST() *time.Location { return kst }

// Holiday is a KRX closed weekday.
type Holiday struct {
	Date   string // YYYY-MM-DD
	Reason string // Korean name
}

// krxHolidays lists the weekdays KRX is closed, 2025–2027, from
// shared/krx-calendar.md (KRX lists and the 2027 월력요항; 2027 is provisional
// until KRX publishes its list in December 2026). HOGA_HOLIDAYS adds dates
// declared later (temporary holidays are often announced weeks ahead).
var krxHolidays = []Holiday{
	{"2025-01-01", "신정"}, {"2025-01-27", "임시공휴일"}, {"2025-01-28", "설날 연휴"},
	{"2025-01-29", "설날"}, {"2025-01-30", "설날 연휴"}, {"2025-03-03", "삼일절 대체공휴일"},
	{"2025-05-01", "근로자의날"}, {"2025-05-05", "어린이날·부처님오신날"}, {"2025-05-06", "대체공휴일"},
	{"2025-06-03", "대통령선거"}, {"2025-06-06", "현충일"}, {"2025-08-15", "광복절"},
	{"2025-10-03", "개천절"}, {"2025-10-06", "추석"}, {"2025-10-07", "추석 연휴"},
	{"2025-10-08", "추석 대체공휴일"}, {"2025-10-09", "한글날"}, {"2025-12-25", "성탄절"},
	{"2025-12-31", "연말 휴장"},

	{"2026-01-01", "신정"}, {"2026-02-16", "설날 연휴"}, {"2026-02-17", "설날"},
	{"2026-02-18", "설날 연휴"}, {"2026-03-02", "삼일절 대체공휴일"}, {"2026-05-01", "노동절"},
	{"2026-05-05", "어린이날"}, {"2026-05-25", "부처님오신날 대체공휴일"}, {"2026-06-03", "전국동시지방선거"},
	{"2026-07-17", "제헌절"}, {"2026-08-17", "광복절 대체공휴일"}, {"2026-09-24", "추석 연휴"},
	{"2026-09-25", "추석"}, {"2026-10-05", "개천절 대체공휴일"}, {"2026-10-09", "한글날"},
	{"2026-12-25", "성탄절"}, {"2026-12-31", "연말 휴장"},

	{"2027-01-01", "신정"}, {"2027-02-08", "설날 연휴"}, {"2027-02-09", "설날 대체공휴일"},
	{"2027-03-01", "삼일절"}, {"2027-05-03", "노동절 대체공휴일"}, {"2027-05-05", "어린이날"},
	{"2027-05-13", "부처님오신날"}, {"2027-07-19", "제헌절 대체공휴일"}, {"2027-08-16", "광복절 대체공휴일"},
	{"2027-09-14", "추석 연휴"}, {"2027-09-15", "추석"}, {"2027-09-16", "추석 연휴"},
	{"2027-10-04", "개천절 대체공휴일"}, {"2027-10-11", "한글날 대체공휴일"}, {"2027-12-27", "성탄절 대체공휴일"},
	{"2027-12-31", "연말 휴장"},
}

// lateOpenDays open at 10:00 instead of 09:00: the year's first trading day
// and the CSAT (수능) day, which also closes an hour late.
var lateOpenDays = map[string]struct {
	reason    string
	lateClose bool
}{
	"2025-01-02": {"첫 거래일", false},
	"2026-01-02": {"첫 거래일", false},
	"2027-01-04": {"첫 거래일", false},
	"2025-11-13": {"수능", true},
	"2026-11-19": {"수능", true},
	"2027-11-18": {"수능", true},
}

// Session is one trading day's regular KRX cash session, in KST.
type Session struct {
	Date time.Time // midnight KST
	// AuctionStart is when orders are first accepted (opening call auction).
	AuctionStart time.Time
	// Open starts continuous trading.
	Open time.Time
	// ContinuousEnd starts the closing call auction.
	ContinuousEnd time.Time
	// Close ends the session; orders are accepted until then.
	Close time.Time
	// Note names an irregular day ("수능"), empty normally.
	Note string
}

// Calendar answers "is KRX trading now, and when next?". It is immutable
// after construction and safe for concurrent use.
type Calendar struct {
	closed map[string]string
}

// NewCalendar builds the KRX calendar with extra closed dates
// (YYYY-MM-DD), as HOGA_HOLIDAYS gives them.
func NewCalendar(extra []string) (*Calendar, error) {
	c := &Calendar{closed: make(map[string]string, len(krxHolidays)+len(extra))}
	for _, h := range krxHolidays {
		c.closed[h.Date] = h.Reason
	}
	for _, d := range extra {
		d = strings.TrimSpace(d)
		if d == "" {
			continue
		}
		if _, err := time.ParseInLocation(time.DateOnly, d, kst); err != nil {
			return nil, fmt.Errorf("holiday %q is not a YYYY-MM-DD date", d)
		}
		c.closed[d] = "HOGA_HOLIDAYS"
	}
	return c, nil
}

// Holidays returns the closed weekdays known to the calendar, sorted.
func (c *Calendar) Holidays() []Holiday {
	out := make([]Holiday, 0, len(c.closed))
	for d, r := range c.closed {
		out = append(out, Holiday{Date: d, Reason: r})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Date < out[j].Date })
	return out
}

// ClosedReason says why KRX is closed on t's KST date ("주말", a holiday
// name), or "" on a trading day.
func (c *Calendar) ClosedReason(t time.Time) string {
	t = t.In(kst)
	switch t.Weekday() {
	case time.Saturday, time.Sunday:
		return "주말"
	}
	return c.closed[t.Format(time.DateOnly)]
}

// IsTradingDay reports whether KRX trades on t's KST date.
func (c *Calendar) IsTradingDay(t time.Time) bool { return c.ClosedReason(t) == "" }

// SessionOn returns the session of t's KST date, and false on a closed day.
func (c *Calendar) SessionOn(t time.Time) (Session, bool) {
	if !c.IsTradingDay(t) {
		return Session{}, false
	}
	t = t.In(kst)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, kst)
	at := func(h, m int) time.Time { return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
	s := Session{Date: day, AuctionStart: at(8, 30), Open: at(9, 0), ContinuousEnd: at(15, 20), Close: at(15, 30)}
	if late, ok := lateOpenDays[day.Format(time.DateOnly)]; ok {
		s.Note = late.reason
		s.AuctionStart, s.Open = at(9, 30), at(10, 0)
		if late.lateClose {
			s.ContinuousEnd, s.Close = at(16, 20), at(16, 30)
		}
	}
	return s, true
}

// AcceptsOrders reports whether a regular-session order may be placed at t:
// from the opening auction to the close.
func (c *Calendar) AcceptsOrders(t time.Time) bool {
	s, ok := c.SessionOn(t)
	return ok && !t.Before(s.AuctionStart) && t.Before(s.Close)
}

// InContinuous reports whether t is in continuous trading (09:00–15:20 on a
// normal day), when a strategy may act on prices.
func (c *Calendar) InContinuous(t time.Time) bool {
	s, ok := c.SessionOn(t)
	return ok && !t.Before(s.Open) && t.Before(s.ContinuousEnd)
}

// InSession reports whether t is between the open and the close of a KRX
// trading day (09:00–15:30 normally; 10:00–15:30 on the year's first
// trading day, 10:00–16:30 on 수능 day): when trades print, so when a
// realtime trade feed that says nothing is suspect. The closing auction
// is included, the opening auction (no trades yet) is not.
func (c *Calendar) InSession(t time.Time) bool {
	s, ok := c.SessionOn(t)
	return ok && !t.Before(s.Open) && t.Before(s.Close)
}

// NextSession returns the first session whose Close is after t: today's
// if it has not ended, else the next trading day's. It looks ahead at most
// a year, which no run of holidays comes near.
func (c *Calendar) NextSession(t time.Time) Session {
	t = t.In(kst)
	for i := 0; i < 366; i++ {
		d := t.AddDate(0, 0, i)
		if s, ok := c.SessionOn(d); ok && t.Before(s.Close) {
			return s
		}
	}
	return Session{}
}

// CheckOrderTime returns a MarketClosed error carrying the next session's
// start when orders are not accepted at t.
func (c *Calendar) CheckOrderTime(t time.Time) error {
	if c.AcceptsOrders(t) {
		return nil
	}
	// Orders are refused, so t is before today's AuctionStart or after its
	// Close: the next session with a later Close opens after t.
	next := c.NextSession(t)
	reason := c.ClosedReason(t)
	if reason == "" {
		reason = "장 운영시간 외"
	}
	return &Error{Kind: MarketClosed, Code: "krx", Msg: reason, NextOpen: next.Open}
}
