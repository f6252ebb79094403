package broker

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestSkewFromDateHeaders(t *testing.T) {
	t.Parallel()
	host := time.Date(2026, 3, 4, 1, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name    string
		dates   []time.Duration // broker's Date minus host time, per answer
		want    time.Duration
		tol     time.Duration
		warned  []bool // OnOff calls, in order
		noValue bool
	}{
		{name: "none", noValue: true},
		{name: "in_step", dates: []time.Duration{0, 0, 0}, want: 0, tol: time.Second},
		{name: "ahead_3m", dates: []time.Duration{3 * time.Minute, 3 * time.Minute, 3 * time.Minute}, want: 3 * time.Minute, tol: time.Second, warned: []bool{true}},
		{name: "behind_10m", dates: []time.Duration{-10 * time.Minute}, want: -10 * time.Minute, tol: time.Second, warned: []bool{true}},
		{name: "one_outlier_ignored", dates: []time.Duration{0, 0, 5 * time.Minute, 0, 0}, want: 0, tol: time.Second},
		{name: "corrected_clock", dates: []time.Duration{-time.Minute, -time.Minute, 0, 0, 0}, want: 0, tol: time.Second, warned: []bool{true, false}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var calls []bool
			s := &Skew{Now: func() time.Time { return host }, OnOff: func(_ time.Duration, off bool) { calls = append(calls, off) }}
			for _, d := range tt.dates {
				h := http.Header{}
				h.Set("Date", host.Add(d).Format(http.TimeFormat))
				s.ObserveDate(h, 0)
			}
			got, ok := s.Get()
			if ok == tt.noValue {
				t.Fatalf("Get ok = %v", ok)
			}
			if diff := got - tt.want; diff > tt.tol || diff < -tt.tol {
				t.Errorf("skew %v; want %v ± %v", got, tt.want, tt.tol)
			}
			if len(calls) != len(tt.warned) {
				t.Fatalf("OnOff calls %v; want %v", calls, tt.warned)
			}
			for i := range calls {
				if calls[i] != tt.warned[i] {
					t.Errorf("OnOff calls %v; want %v", calls, tt.warned)
				}
			}
		})
	}
}

func TestSkewTransportReadsDate(t *testing.T) {
	t.Parallel()
	host := time.Date(2026, 3, 4, 1, 0, 0, 0, time.UTC)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", host.Add(-3*time.Minute).Format(http.TimeFormat))
	}))
	defer srv.Close()
	s := &Skew{Now: func() time.Time { return host }}
	hc := &http.Client{Transport: SkewTransport(nil, s)}
	resp, err := hc.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	got, ok := s.Get()
	if !ok || got > -3*time.Minute+2*time.Second || got < -3*time.Minute-time.Second {
		t.Fatalf("skew %v, %v; want about -3m", got, ok)
	}
	var nilSkew *Skew
	nilSkew.ObserveDate(resp.Header, 0)
	if _, ok := nilSkew.Get(); ok {
		t.Fatal("a nil Skew reported a value")
	}
}
