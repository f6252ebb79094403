package broker

import (
	"sort"
	"time"
)

// SessionKind names one trading session of one venue.
type SessionKind string

// Sessions of both venues. Times below are a normal day's, in KST.
//
// Sources (the exchanges publish these in notices; hoga cites the press
// reports of them, which the brokers' apps follow):
//   - NXT: pre-market 08:00–08:50, main market 09:00:30–15:20, after-market
//     15:30–20:00; trading pauses 08:50–09:00:30 and 15:20–15:30 around KRX's
//     auctions; the same ±30 % limit from the previous KRX close (이데일리
//     2025-03-04 "출퇴근 길에도 주식 거래…넥스트레이드 오늘 출범", mirrored at
//     amuse.peoplentools.com/…-988126.html; MBC imnews 2025 6685972_36737).
//     Kiwoom describes 15:30–15:40 as the after-market's opening single-price
//     call, then continuous trading (its 영웅문 guide, kkong1003.tistory.com).
//   - KRX: opening call auction 08:30–09:00, continuous 09:00–15:20, closing
//     call auction 15:20–15:30; 장전 시간외 종가 08:30–08:40 (the previous
//     close); 장후 시간외 종가 15:40–16:00 (today's close, orders from 15:30);
//     시간외 단일가 16:00–18:00, matched every 10 minutes within ±10 % of the
//     close (gaengsta.tistory.com "주식 시간외 거래 종류"; the KIS order types
//     05 장전 시간외, 06 장후 시간외, 07 시간외 단일가: koreainvestment/
//     open-trading-api, MCP/Kis Trading MCP/configs/domestic_stock.json,
//     ord_dvsn of the credit order; Kiwoom trde_tp 61/81/62).
//   - Irregular days: on the first trading day of the year everything before
//     the close moves one hour later (KRX regular 10:00–15:30; NXT holds no
//     pre-market and opens its main market at 10:00:30: shared/
//     krx-calendar.md, N2 wowtv 2025-12-18). On 수능 day every session moves an
//     hour: KRX 10:00–16:30, 장전 시간외 09:30–09:40, 장후 16:40–17:00,
//     단일가 17:00–18:00 (it still ends at 18:00); NXT holds no pre-market,
//     runs its main market 10:00:30–16:20 and opens its after-market at 16:40
//     (liveissue.kr/?p=49160, the 2025-11-13 수능 notice). The NXT after-market
//     still closing at 20:00 on those days is an assumption: no source says
//     otherwise, and the notices name only what moved.
//
// KRX announced its own pre-market (07:00–08:00) and after-market
// (16:00–20:00, replacing 시간외 단일가) for mid-2026 (국민일보 2026-01-13),
// but neither broker's official samples show an order type for them yet, so
// hoga does not offer them; when they appear, they are rows in sessionTable.
const (
	KRXPreClosing   SessionKind = "krx_pre_closing"   // 장전 시간외 종가
	KRXRegular      SessionKind = "krx_regular"       // 정규장: auctions and continuous trading
	KRXAfterClosing SessionKind = "krx_after_closing" // 장후 시간외 종가
	KRXAfterSingle  SessionKind = "krx_after_single"  // 시간외 단일가
	NXTPre          SessionKind = "nxt_pre"           // 프리마켓
	NXTMain         SessionKind = "nxt_main"          // 메인마켓
	NXTAfter        SessionKind = "nxt_after"         // 애프터마켓
)

// Venue is the exchange the session belongs to.
func (k SessionKind) Venue() Venue {
	switch k {
	case NXTPre, NXTMain, NXTAfter:
		return VenueNXT
	}
	return VenueKRX
}

// Takes reports whether the session takes an order of type t from hoga:
// every plain session takes limit and market orders; KRX's 시간외 단일가
// takes limit orders only (matched every 10 minutes within ±10 % of the
// close: the price is the owner's), sent as its own order type; KRX's
// closing-price sessions (장전/장후 시간외 종가) trade only at the close,
// so they take no limit or market order, only a closing-price order
// (OrderRequest.AtClose; Closing, ClosingWindow). t == 0 asks for a plain
// order of either type.
func (k SessionKind) Takes(t OrderType) bool {
	if k == KRXAfterSingle {
		return t == Limit
	}
	return k.PlainOrders()
}

// OrderType is the session's own order type on the brokers' wire, for
// the sessions that need one: KIS ORD_DVSN "05" 장전 시간외, "06" 장후
// 시간외, "07" 시간외 단일가 (koreainvestment/open-trading-api, MCP/Kis
// Trading MCP/configs/domestic_stock.json, ord_dvsn "05 : 장전 시간외, 06
// : 장후 시간외, 07 : 시간외 단일가"; python-kis pykis/api/account/
// order.py maps the same three, real accounts only) and Kiwoom trde_tp
// "61" 장시작전시간외, "81" 장마감후시간외, "62" 시간외단일가
// (Kiwoom-Securities/Kiwoom-REST-API spec, kt10000 trde_tp). Both are ""
// for a plain session, whose orders are limit or market.
func (k SessionKind) OrderType() (kis, kiwoom string) {
	switch k {
	case KRXPreClosing:
		return "05", "61"
	case KRXAfterClosing:
		return "06", "81"
	case KRXAfterSingle:
		return "07", "62"
	}
	return "", ""
}

// Closing reports whether k is one of KRX's closing-price sessions
// (장전/장후 시간외 종가), the only ones that take a closing-price order.
func (k SessionKind) Closing() bool { return k == KRXPreClosing || k == KRXAfterClosing }

// PlainOrders reports whether an ordinary limit or market order (KIS
// ORD_DVSN 00/01, Kiwoom trde_tp 0/3: all hoga sends) is taken in the
// session. KRX's off-hours sessions take only their own order types.
func (k SessionKind) PlainOrders() bool {
	return k == KRXRegular || k == NXTPre || k == NXTMain || k == NXTAfter
}

// Extended reports whether the session lies outside the regular day
// (09:00–15:30): what a rule with `sessions: extended` may also act in.
func (k SessionKind) Extended() bool {
	return k != KRXRegular && k != NXTMain
}

// Window is one session on one date.
type Window struct {
	Kind  SessionKind
	Start time.Time // orders accepted from
	End   time.Time // until (exclusive)
	// Continuous is when continuous trading starts and ends inside the
	// window (KRX: after the opening auction, before the closing one; NXT
	// after-market: after its 10-minute opening call).
	ContinuousStart, ContinuousEnd time.Time
	Note                           string // the irregular day's name, or ""
}

// Venue is the window's exchange.
func (w Window) Venue() Venue { return w.Kind.Venue() }

// Contains reports whether t is inside the window.
func (w Window) Contains(t time.Time) bool { return !t.Before(w.Start) && t.Before(w.End) }

// hm is a time of day as seconds after midnight.
type hm int

func at(h, m, s int) hm { return hm(h*3600 + m*60 + s) }

// sessionRow is one session on one kind of day; contStart/contEnd are 0
// when the whole window is continuous.
type sessionRow struct {
	kind               SessionKind
	start, end         hm
	contStart, contEnd hm
}

// dayKind classifies a trading day by its timetable.
type dayKind int

const (
	normalDay dayKind = iota
	firstTradingDay
	csatDay
)

// sessionTable is every session of both venues by kind of day: the data
// the calendar answers from. See the SessionKind constants for sources.
var sessionTable = map[dayKind][]sessionRow{
	normalDay: {
		{NXTPre, at(8, 0, 0), at(8, 50, 0), 0, 0},
		{KRXPreClosing, at(8, 30, 0), at(8, 40, 0), 0, 0},
		{KRXRegular, at(8, 30, 0), at(15, 30, 0), at(9, 0, 0), at(15, 20, 0)},
		{NXTMain, at(9, 0, 30), at(15, 20, 0), 0, 0},
		{NXTAfter, at(15, 30, 0), at(20, 0, 0), at(15, 40, 0), at(20, 0, 0)},
		{KRXAfterClosing, at(15, 40, 0), at(16, 0, 0), 0, 0},
		{KRXAfterSingle, at(16, 0, 0), at(18, 0, 0), 0, 0},
	},
	firstTradingDay: {
		{KRXPreClosing, at(9, 30, 0), at(9, 40, 0), 0, 0},
		{KRXRegular, at(9, 30, 0), at(15, 30, 0), at(10, 0, 0), at(15, 20, 0)},
		{NXTMain, at(10, 0, 30), at(15, 20, 0), 0, 0},
		{NXTAfter, at(15, 30, 0), at(20, 0, 0), at(15, 40, 0), at(20, 0, 0)},
		{KRXAfterClosing, at(15, 40, 0), at(16, 0, 0), 0, 0},
		{KRXAfterSingle, at(16, 0, 0), at(18, 0, 0), 0, 0},
	},
	csatDay: {
		{KRXPreClosing, at(9, 30, 0), at(9, 40, 0), 0, 0},
		{KRXRegular, at(9, 30, 0), at(16, 30, 0), at(10, 0, 0), at(16, 20, 0)},
		{NXTMain, at(10, 0, 30), at(16, 20, 0), 0, 0},
		{NXTAfter, at(16, 40, 0), at(20, 0, 0), 0, 0},
		{KRXAfterClosing, at(16, 40, 0), at(17, 0, 0), 0, 0},
		{KRXAfterSingle, at(17, 0, 0), at(18, 0, 0), 0, 0},
	},
}

// Windows returns every session of both venues on t's KST date, by start
// time; none on a closed day.
func (c *Calendar) Windows(t time.Time) []Window {
	if !c.IsTradingDay(t) {
		return nil
	}
	t = t.In(kst)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, kst)
	kind, note := normalDay, ""
	if late, ok := lateOpenDays[day.Format(time.DateOnly)]; ok {
		kind, note = firstTradingDay, late.reason
		if late.lateClose {
			kind = csatDay
		}
	}
	rows := sessionTable[kind]
	out := make([]Window, 0, len(rows))
	clock := func(s hm) time.Time { return day.Add(time.Duration(s) * time.Second) }
	for _, r := range rows {
		w := Window{Kind: r.kind, Start: clock(r.start), End: clock(r.end), Note: note}
		w.ContinuousStart, w.ContinuousEnd = w.Start, w.End
		if r.contStart != 0 {
			w.ContinuousStart, w.ContinuousEnd = clock(r.contStart), clock(r.contEnd)
		}
		out = append(out, w)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

// takes reports whether an order of type typ to venue v may go into
// session k (typ 0: a plain order, limit or market). SOR takes whatever
// either exchange's plain sessions take; KRX's off-hours sessions take
// only orders sent to KRX itself (the brokers' samples pair their order
// types with KRX: python-kis order.py keys them by market "KRX").
func takes(v Venue, typ OrderType, k SessionKind) bool {
	if typ == 0 || v == VenueSOR {
		if !k.PlainOrders() {
			return false
		}
		return v == VenueSOR || k.Venue() == v
	}
	return k.Takes(typ) && k.Venue() == v
}

// OrderWindow returns the session that would take a plain order to v at t.
func (c *Calendar) OrderWindow(v Venue, t time.Time) (Window, bool) {
	return c.OrderWindowFor(v, 0, t)
}

// OrderWindowFor returns the session that would take an order of type
// typ to v at t: OrderWindow, and for a KRX limit order also 시간외
// 단일가.
func (c *Calendar) OrderWindowFor(v Venue, typ OrderType, t time.Time) (Window, bool) {
	for _, w := range c.Windows(t) {
		if takes(v, typ, w.Kind) && w.Contains(t) {
			return w, true
		}
	}
	return Window{}, false
}

// NextOrderWindow returns the first session after t that takes a plain
// order to v (t itself is not in one). It looks a year ahead at most.
func (c *Calendar) NextOrderWindow(v Venue, t time.Time) (Window, bool) {
	return c.nextWindow(v, 0, t)
}

func (c *Calendar) nextWindow(v Venue, typ OrderType, t time.Time) (Window, bool) {
	t = t.In(kst)
	for i := 0; i < 366; i++ {
		for _, w := range c.Windows(t.AddDate(0, 0, i)) {
			if takes(v, typ, w.Kind) && w.Start.After(t) {
				return w, true
			}
		}
	}
	return Window{}, false
}

// ClosingWindow is the KRX closing-price session (장전 or 장후 시간외
// 종가) open at t, which a closing-price order (OrderRequest.AtClose)
// placed at t goes into.
func (c *Calendar) ClosingWindow(t time.Time) (Window, bool) {
	for _, w := range c.Windows(t) {
		if w.Kind.Closing() && w.Contains(t) {
			return w, true
		}
	}
	return Window{}, false
}

// NextClosingWindow is the first KRX closing-price session starting after
// t, looking a year ahead at most: what a refused closing-price order is
// told to wait for.
func (c *Calendar) NextClosingWindow(t time.Time) (Window, bool) {
	t = t.In(kst)
	for i := 0; i < 366; i++ {
		for _, w := range c.Windows(t.AddDate(0, 0, i)) {
			if w.Kind.Closing() && w.Start.After(t) {
				return w, true
			}
		}
	}
	return Window{}, false
}

// OffHoursSession is the KRX off-hours session an order of type typ to v
// placed at t goes into, and "" when it goes into a plain session or
// none: KRXAfterSingle for a KRX limit order during 시간외 단일가. The
// guard puts it on the request so the client sends the session's order
// type.
func (c *Calendar) OffHoursSession(v Venue, typ OrderType, t time.Time) SessionKind {
	if _, plain := c.OrderWindow(v, t); plain {
		return ""
	}
	if w, ok := c.OrderWindowFor(v, typ, t); ok && !w.Kind.PlainOrders() {
		return w.Kind
	}
	return ""
}

// CheckVenueOrderTime returns a MarketClosed error carrying the start of
// the next session that would take the order (for KRX's regular session its
// open, 09:00 on a normal day) (Code is the venue, lower
// case) when venue v takes no plain order at t. SOR for a stock NXT does
// not list is KRX: the caller passes VenueKRX then.
func (c *Calendar) CheckVenueOrderTime(v Venue, t time.Time) error {
	return c.CheckOrderTypeTime(v, 0, t)
}

// CheckOrderTypeTime is CheckVenueOrderTime for an order of type typ
// (0: plain, as CheckVenueOrderTime), so a KRX limit order is also taken
// in 시간외 단일가, and the next session named is the next that takes
// that type. Inside a KRX session that does not take it (a market order
// in 시간외 단일가, anything in a closing-price session) the reason names
// the session (Code "krx_session", Msg its kind), so the owner learns why
// KRX, which trades now, refuses.
func (c *Calendar) CheckOrderTypeTime(v Venue, typ OrderType, t time.Time) error {
	if _, ok := c.OrderWindowFor(v, typ, t); ok {
		return nil
	}
	next, _ := c.nextWindow(v, typ, t)
	reason := c.ClosedReason(t)
	if reason == "" {
		reason = "장 운영시간 외"
	}
	if v == VenueKRX {
		for _, w := range c.Windows(t) {
			if w.Venue() == VenueKRX && !w.Kind.PlainOrders() && w.Contains(t) {
				return &Error{Kind: MarketClosed, Code: "krx_session", Msg: string(w.Kind), NextOpen: c.openOf(next)}
			}
		}
	}
	return &Error{Kind: MarketClosed, Code: v.Lower(), Msg: reason, NextOpen: c.openOf(next)}
}

// openOf is when session w opens as people know it: its start, and for
// KRX's regular session its 개장 (09:00 on a normal day), as CheckOrderTime
// has always said; orders are taken from the opening auction before it.
func (c *Calendar) openOf(w Window) time.Time {
	if w.Kind == KRXRegular {
		return w.ContinuousStart
	}
	return w.Start
}

// InVenueContinuous reports whether t is in continuous trading on v, in a
// regular session only or (extended) in any session taking plain orders:
// when a strategy may act on prices.
func (c *Calendar) InVenueContinuous(v Venue, t time.Time, extended bool) bool {
	for _, w := range c.Windows(t) {
		if !takes(v, 0, w.Kind) || (w.Kind.Extended() && !extended) {
			continue
		}
		if !t.Before(w.ContinuousStart) && t.Before(w.ContinuousEnd) {
			return true
		}
	}
	return false
}

// OrderExpiry is when a day order sent to v at t lapses, and false on a
// day with no session. A KRX order lives until KRX's close (15:30; 16:30
// on 수능 day). An order to NXT, or to SOR (which may rest on NXT), lives
// until NXT's day ends, 20:00: "NXT 프리/메인마켓에서 접수한 주문은
// 애프터마켓까지 유효합니다" (Yuanta's 대체거래소 안내,
// m.myasset.com/myasset/static/trading/TR_1608001_T1.jsp), and orders
// placed before 15:30 stay valid until 20:00 (ironfxkorea.com/?p=15828 on
// NXT's launch). A SOR order for a stock NXT does not list lapses at KRX's
// close in fact; the broker's list then shows it ended, so following it
// longer costs a few polls and no wrong word.
func (c *Calendar) OrderExpiry(v Venue, t time.Time) (time.Time, bool) {
	s, ok := c.SessionOn(t)
	if !ok {
		return time.Time{}, false
	}
	if !v.ReachesNXT() {
		return s.Close, true
	}
	end := s.Close
	for _, w := range c.Windows(t) {
		if w.Venue() == VenueNXT && w.End.After(end) {
			end = w.End
		}
	}
	return end, true
}

// AnyVenueTakesOrders reports whether either exchange takes plain orders
// at t: when an open order on some venue may still fill.
func (c *Calendar) AnyVenueTakesOrders(t time.Time) bool {
	_, ok := c.OrderWindow(VenueSOR, t)
	return ok
}
