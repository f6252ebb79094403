package broker

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Venue is where an order is sent: one of Korea's two stock exchanges, or
// the broker's smart order routing between them. The zero value means "the
// configured default" (HOGA_VENUE) and is resolved before an order leaves
// hoga, so a broker never sees it.
//
// The three values are exactly the KIS wire values of EXCG_ID_DVSN_CD on
// order-cash and order-rvsecncl (koreainvestment/open-trading-api,
// examples_user/domestic_stock/domestic_stock_functions.py: "KRX:한국거래소,
// NXT:넥스트레이드, SOR:SOR"; examples_llm/domestic_stock/order_rvsecncl/
// order_rvsecncl.py line 36 "KRX: 한국거래소, NXT:대체거래소, SOR:SOR") and
// of Kiwoom's dmst_stex_tp on kt10000–kt10003 (Kiwoom-REST-API spec:
// "국내거래소구분 KRX,NXT,SOR").
type Venue string

// Venues.
const (
	// VenueKRX is the Korea Exchange: regular session 09:00–15:30 KST.
	VenueKRX Venue = "KRX"
	// VenueNXT is Nextrade, the alternative exchange (since 2025-03-04):
	// 08:00–20:00 in three sessions, for the stocks it lists.
	VenueNXT Venue = "NXT"
	// VenueSOR lets the broker route each order to the better of the two
	// (smart order routing); outside KRX's session it can only go to NXT.
	VenueSOR Venue = "SOR"
)

// Venues lists the venues an order may name, in the order they are shown.
var Venues = []Venue{VenueKRX, VenueNXT, VenueSOR}

// ParseVenue reads "krx", "nxt" or "sor" in any case.
func ParseVenue(s string) (Venue, error) {
	v := Venue(strings.ToUpper(strings.TrimSpace(s)))
	if v.Valid() {
		return v, nil
	}
	return "", &Error{Kind: Invalid, Msg: fmt.Sprintf("venue %q must be krx, nxt or sor", s)}
}

// Valid reports whether v is one of the three venues (not the zero value).
func (v Venue) Valid() bool {
	return v == VenueKRX || v == VenueNXT || v == VenueSOR
}

// Or returns v, or def when v is the zero value.
func (v Venue) Or(def Venue) Venue {
	if v == "" {
		return def
	}
	return v
}

// Lower is the venue as a user types it: krx, nxt, sor.
func (v Venue) Lower() string { return strings.ToLower(string(v)) }

// ReachesNXT reports whether an order at v may trade on Nextrade, so the
// stock must be one NXT lists (SOR routes an unlisted stock to KRX only).
func (v Venue) ReachesNXT() bool { return v == VenueNXT || v == VenueSOR }

// VenueSupport says which venues a broker connection can send orders to.
// KIS and Kiwoom mock (모의투자) accounts trade on KRX only. Kiwoom says so
// on every API of its spec (Kiwoom-Securities/Kiwoom-REST-API: "모의투자
// 도메인 https://mockapi.kiwoom.com(KRX만 지원가능)"). The KIS samples say
// less: order_cash's only documented value is "(KRX)" and its demo example
// passes excg_id_dvsn_cd="KRX" (examples_llm/domestic_stock/order_cash/
// order_cash.py lines 62 and 70), while NXT/SOR appear only with real-account
// APIs; hoga treats the KIS mock as KRX-only too (an assumption: refusing
// early is safer than an order the mock server rejects).
type VenueSupport struct {
	KRX, NXT, SOR bool
	// OffHours is whether KRX's off-hours order types (시간외 단일가, 시간외 종가) may
	// be sent: live accounts only. python-kis marks ORD_DVSN 05/06/07 as
	// real-account codes (pykis/api/account/order.py, the first key True
	// = 실전); Kiwoom's mock is assumed alike (its spec says only
	// "KRX만 지원가능" of the mock domain).
	OffHours bool
}

// Supports reports whether orders to v are possible.
func (s VenueSupport) Supports(v Venue) bool {
	switch v {
	case VenueKRX:
		return s.KRX
	case VenueNXT:
		return s.NXT
	case VenueSOR:
		return s.SOR
	}
	return false
}

// Default is the venue to use when the owner names none: SOR where the
// connection supports it (the better price, and the longer day), KRX
// otherwise.
func (s VenueSupport) Default() Venue {
	if s.SOR {
		return VenueSOR
	}
	return VenueKRX
}

// LiveVenues is what a live (실전) KIS or Kiwoom account supports.
var LiveVenues = VenueSupport{KRX: true, NXT: true, SOR: true, OffHours: true}

// MockVenues is what a mock (모의투자) account supports: KRX only.
var MockVenues = VenueSupport{KRX: true}

// VenueQuoter is a broker that quotes one venue's book: KRX's, Nextrade's,
// or both together (v = VenueSOR: the integrated price, what smart routing
// trades at). KIS takes FID_COND_MRKT_DIV_CODE "J:KRX, NX:NXT, UN:통합"
// (koreainvestment/open-trading-api, examples_llm/domestic_stock/
// inquire_price/inquire_price.py line 26); Kiwoom takes the code with a
// suffix, "KRX:039490,NXT:039490_NX,SOR:039490_AL" (Kiwoom-Securities/
// Kiwoom-REST-API, examples/국내주식/종목정보/get_domestic_stock_info.py,
// ka10001 stk_cd). Quote is QuoteOn(KRX). The returned Quote's Venue says
// which book it is.
type VenueQuoter interface {
	QuoteOn(ctx context.Context, code Code, v Venue) (Quote, error)
}

// QuoteOn asks b for v's price when b can quote venues, and for its plain
// quote when v is KRX and it cannot; another venue from a broker that
// cannot is Invalid.
func QuoteOn(ctx context.Context, b Broker, code Code, v Venue) (Quote, error) {
	if vq, ok := b.(VenueQuoter); ok {
		return vq.QuoteOn(ctx, code, v)
	}
	if v == VenueKRX || v == "" {
		return b.Quote(ctx, code)
	}
	return Quote{}, &Error{Kind: Invalid, Msg: fmt.Sprintf("%s quotes KRX only", b.Name())}
}

// NXTLister is a broker that can say whether Nextrade lists a stock, so an
// NXT order for one it does not is refused before it is sent, and a SOR
// order for one keeps to KRX's hours. KIS answers it in search-stock-info
// (CTPF1002R) and Kiwoom in ka10100; see their NXTListed methods.
type NXTLister interface {
	NXTListed(ctx context.Context, code Code) (bool, error)
}

// NXTListCache asks a lister about each code once per KST day (NXT adds and
// drops stocks between days, not during one), so an order costs no extra
// broker call after the first for its stock. Errors are not cached. Safe
// for concurrent use.
type NXTListCache struct {
	l   NXTLister
	now func() time.Time

	mu   sync.Mutex
	day  string
	seen map[Code]bool
}

// NewNXTListCache caches l's answers; now is the clock (nil: time.Now).
func NewNXTListCache(l NXTLister, now func() time.Time) *NXTListCache {
	if now == nil {
		now = time.Now
	}
	return &NXTListCache{l: l, now: now}
}

// NXTListed is l's answer for code, asked once per KST day.
func (c *NXTListCache) NXTListed(ctx context.Context, code Code) (bool, error) {
	day := Day(c.now())
	c.mu.Lock()
	if c.day != day {
		c.day, c.seen = day, map[Code]bool{}
	}
	listed, ok := c.seen[code]
	c.mu.Unlock()
	if ok {
		return listed, nil
	}
	listed, err := c.l.NXTListed(ctx, code)
	if err != nil {
		return false, err
	}
	c.mu.Lock()
	if c.day == day {
		c.seen[code] = listed
	}
	c.mu.Unlock()
	return listed, nil
}
