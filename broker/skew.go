package broker

import (
	"net/http"
	"slices"
	"sync"
	"time"
)

// SkewWarnAt is how far the host's clock may be from the broker's before
// the owner is warned (issue 21, item 2): beyond it, order times hoga
// records and the times the broker lists disagree enough to matter.
const SkewWarnAt = 30 * time.Second

// skewSamples is how many recent measurements the median is taken over:
// enough that one slow answer cannot move it, few enough that a clock
// corrected by NTP is followed within a minute of traffic.
const skewSamples = 15

// Skew measures how far the broker's clock is ahead of the host's
// (negative: behind), from the broker's own times in its answers: the HTTP
// Date header every answer carries (RFC 9110 §6.6.1: an origin server with
// a clock must send one; one-second resolution; neither KIS nor Kiwoom
// documents it) and the order times it lists for orders hoga knows by
// number (KIS inquire-daily-ccld ord_tmd "주문시각", MCP/KIS Code
// Assistant MCP/data.csv in the official repo; Kiwoom ka10075 tm and
// ka10076 ord_tm), which broker/guard feeds in. Reconciliation subtracts it before
// comparing a listed order's time with the journal's (broker/guard): with
// the broker three minutes ahead, an order hoga sent at 10:00:00 is listed
// at 10:03:00 and must still be found.
//
// It is safe for concurrent use. The zero value is ready; a nil *Skew
// measures nothing and reports no skew.
type Skew struct {
	// OnOff, if set, is called once (on the goroutine that measured it)
	// when the median first exceeds SkewWarnAt either way, and once more
	// when it is back within it, so the owner hears of a wrong clock
	// without hearing of it on every answer.
	OnOff func(skew time.Duration, off bool)
	// Now is the host's clock (a test's fake one); nil is time.Now.
	Now func() time.Time

	mu      sync.Mutex
	samples []time.Duration
	next    int
	warned  bool
}

// ObserveDate records the Date header of an answer that took took from
// request to answer. Answers without a readable Date are ignored.
func (s *Skew) ObserveDate(h http.Header, took time.Duration) {
	if s == nil {
		return
	}
	v := h.Get("Date")
	if v == "" {
		return
	}
	d, err := http.ParseTime(v)
	if err != nil {
		return
	}
	// The header is truncated to the second: its middle is half a second
	// on; the request's middle stands for when the broker read its clock.
	mid := s.now().Add(-took / 2)
	s.Observe(d.Add(500 * time.Millisecond).Sub(mid))
}

func (s *Skew) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// SkewTransport returns base (nil: http.DefaultTransport) with every
// answer's Date header recorded in s: cmd/hoga gives it to the KIS and
// Kiwoom clients, so every call measures the broker's clock for free.
func SkewTransport(base http.RoundTripper, s *Skew) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	if s == nil {
		return base
	}
	return skewTransport{base: base, s: s}
}

type skewTransport struct {
	base http.RoundTripper
	s    *Skew
}

func (t skewTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.base.RoundTrip(r)
	if err == nil {
		t.s.ObserveDate(resp.Header, time.Since(start))
	}
	return resp, err
}

// Observe records one measurement of broker time minus host time.
func (s *Skew) Observe(d time.Duration) {
	if s == nil {
		return
	}
	s.mu.Lock()
	if len(s.samples) < skewSamples {
		s.samples = append(s.samples, d)
	} else {
		s.samples[s.next] = d
		s.next = (s.next + 1) % skewSamples
	}
	med := medianOf(s.samples)
	off := med > SkewWarnAt || med < -SkewWarnAt
	changed := off != s.warned
	s.warned = off
	fn := s.OnOff
	s.mu.Unlock()
	if changed && fn != nil {
		fn(med, off)
	}
}

// Get returns the median measured skew (broker minus host), and false when
// nothing has been measured yet.
func (s *Skew) Get() (time.Duration, bool) {
	if s == nil {
		return 0, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.samples) == 0 {
		return 0, false
	}
	return medianOf(s.samples), true
}

func medianOf(xs []time.Duration) time.Duration {
	c := slices.Clone(xs)
	slices.Sort(c)
	return c[len(c)/2]
}
