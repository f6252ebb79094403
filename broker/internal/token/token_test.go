package token

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/clock"
	"github.com/hoga-trade/hoga/internal/redact"
)

var t0 = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC) // 10:00 KST

var (
	errTooSoon = errors.New("too soon")
	errRefused = errors.New("refused")
)

// issuer is a scripted broker token endpoint: each call takes the next
// answer (nil: a new token valid for ttl); past the script it issues.
type issuer struct {
	clk     *clock.Fake
	ttl     time.Duration
	mu      sync.Mutex
	script  []answer
	calls   int
	release chan struct{} // when set, each call waits for it …
	entered chan struct{} // … after a send here (buffered)
}

type answer struct {
	err     error
	unheard bool   // the broker never answered
	value   string // a fixed value (the broker handing back a token)
}

func (is *issuer) issue(ctx context.Context) (Token, bool, error) {
	if is.release != nil {
		is.entered <- struct{}{}
		select {
		case <-is.release:
		case <-ctx.Done():
			return Token{}, false, ctx.Err()
		}
	}
	is.mu.Lock()
	defer is.mu.Unlock()
	is.calls++
	var a answer
	if len(is.script) > 0 {
		a, is.script = is.script[0], is.script[1:]
	}
	if a.err != nil {
		return Token{}, !a.unheard, a.err
	}
	now := is.clk.Now()
	v := a.value
	if v == "" {
		v = fmt.Sprintf("tok-%d", is.calls)
	}
	return Token{Value: redact.Secret(v), Expiry: now.Add(is.ttl), IssuedAt: now}, true, nil
}

func (is *issuer) n() int {
	is.mu.Lock()
	defer is.mu.Unlock()
	return is.calls
}

// memStore is a Store in memory that can be made to fail.
type memStore struct {
	mu   sync.Mutex
	m    map[string]Token
	fail error
}

func (s *memStore) Load(k string) (Token, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return Token{}, false, s.fail
	}
	t, ok := s.m[k]
	return t, ok, nil
}

func (s *memStore) Save(k string, t Token) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]Token{}
	}
	s.m[k] = t
	return nil
}

// refuse is a Kiwoom-like cool-down error.
type refusal struct {
	left time.Duration
	last error
}

func (r *refusal) Error() string { return fmt.Sprintf("wait %s (last: %v)", r.left, r.last) }

// cancelled is a policy's error for a cancelled wait.
type cancelled struct {
	err error
	gap bool
}

func (c *cancelled) Error() string { return fmt.Sprintf("cancelled (gap %v): %v", c.gap, c.err) }

func waitPolicy() Policy {
	return Policy{Name: "w", RenewBefore: 10 * time.Minute, Gap: time.Minute,
		Throttled: func(err error) bool { return errors.Is(err, errTooSoon) }, Tries: 3}
}

func refusePolicy() Policy {
	p := waitPolicy()
	p.Throttled, p.Tries = nil, 0
	p.Refuse = func(left time.Duration, last error) error { return &refusal{left, last} }
	return p
}

type rig struct {
	l      *Lifecycle
	clk    *clock.Fake
	is     *issuer
	store  *memStore
	issued atomic.Int64
}

func newRig(t *testing.T, p Policy, ttl time.Duration, script ...answer) *rig {
	t.Helper()
	r := &rig{clk: clock.NewFake(t0), store: &memStore{}}
	r.is = &issuer{clk: r.clk, ttl: ttl, script: script}
	r.l = New(Config{Policy: p, Issue: r.is.issue, Store: r.store, Key: "k", Clock: r.clk,
		OnIssued: func() { r.issued.Add(1) }})
	return r
}

func (r *rig) get(t *testing.T) redact.Secret {
	t.Helper()
	v, err := r.l.Get(context.Background())
	if err != nil {
		t.Fatalf("Get at +%v: %v", r.clk.Now().Sub(t0), err)
	}
	return v
}

// getAsync runs Get in the background; the test moves the clock.
func (r *rig) getAsync(ctx context.Context) <-chan result {
	ch := make(chan result, 1)
	go func() { v, err := r.l.Get(ctx); ch <- result{v, err} }()
	return ch
}

type result struct {
	v   redact.Secret
	err error
}

func blocked(t *testing.T, clk *clock.Fake, n int) {
	t.Helper()
	done := make(chan struct{})
	tm := time.AfterFunc(5*time.Second, func() { close(done) })
	defer tm.Stop()
	if !clk.BlockUntil(n, done) {
		t.Fatalf("nothing waited on the clock")
	}
}

func TestSingleFlight(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		policy Policy
	}{{"wait", waitPolicy()}, {"refuse", refusePolicy()}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, tc.policy, 24*time.Hour)
			r.is.release, r.is.entered = make(chan struct{}), make(chan struct{}, 1)
			const n = 16
			var wg sync.WaitGroup
			vals := make(chan redact.Secret, n)
			errs := make(chan error, n)
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					v, err := r.l.Get(context.Background())
					vals <- v
					errs <- err
				}()
			}
			<-r.is.entered // one caller issues; the others wait for it or find its token
			close(r.is.release)
			wg.Wait()
			close(vals)
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			for v := range vals {
				if v != "tok-1" {
					t.Errorf("a caller got %q; want the one issuance tok-1", v)
				}
			}
			if r.is.n() != 1 || r.issued.Load() != 1 {
				t.Fatalf("%d concurrent first calls made %d issuances (%d OnIssued); want 1", n, r.is.n(), r.issued.Load())
			}
		})
	}
}

// TestGap: within a minute of the last answered issuance a caller that
// needs a token either waits the rest of the minute (KIS) or is refused
// with the rest of it (Kiwoom); a still-valid token is used meanwhile.
func TestGap(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		policy    Policy
		after     time.Duration // from the first issuance to the refusal
		wantWait  time.Duration // 0: no wait
		wantLeft  time.Duration // > 0: refused with this much left
		wantCalls int
	}{
		{"wait within the minute", waitPolicy(), 10 * time.Second, 50 * time.Second, 0, 2},
		{"wait after the minute", waitPolicy(), 2 * time.Minute, 0, 0, 2},
		{"refuse within the minute", refusePolicy(), 10 * time.Second, 0, 50 * time.Second, 1},
		{"refuse after the minute", refusePolicy(), 2 * time.Minute, 0, 0, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, tc.policy, 24*time.Hour)
			first := r.get(t)
			r.clk.Advance(tc.after)
			r.l.Invalidate(first)
			done := r.getAsync(context.Background())
			if tc.wantWait > 0 {
				blocked(t, r.clk, 1)
				r.clk.Advance(tc.wantWait - time.Second)
				select {
				case res := <-done:
					t.Fatalf("Get returned %+v a second before the minute was up", res)
				default:
				}
				if r.is.n() != 1 {
					t.Fatalf("issued %d times within the minute", r.is.n())
				}
				r.clk.Advance(time.Second)
			}
			res := <-done
			var rf *refusal
			switch {
			case tc.wantLeft > 0:
				if !errors.As(res.err, &rf) || rf.left != tc.wantLeft || rf.last != nil {
					t.Fatalf("Get = %+v; want refused with %v left and no last error", res, tc.wantLeft)
				}
			case res.err != nil || res.v == first:
				t.Fatalf("Get = %+v; want a new token", res)
			}
			if r.is.n() != tc.wantCalls {
				t.Errorf("issuances %d; want %d", r.is.n(), tc.wantCalls)
			}
		})
	}
}

// TestGapCountsStoredIssuance: a restart within the minute still keeps it.
func TestGapCountsStoredIssuance(t *testing.T) {
	t.Parallel()
	r := newRig(t, refusePolicy(), 24*time.Hour)
	_ = r.store.Save("k", Token{IssuedAt: t0.Add(-20 * time.Second)}) // a refused token, 20 s ago
	_, err := r.l.Get(context.Background())
	var rf *refusal
	if !errors.As(err, &rf) || rf.left != 40*time.Second || r.is.n() != 0 {
		t.Fatalf("Get = %v after %d issuances; want refused with 40s left and none", err, r.is.n())
	}
}

// TestRefusalSaysWhy: the refusal carries the last answered error; an
// attempt the broker never answered starts no gap.
func TestRefusalSaysWhy(t *testing.T) {
	t.Parallel()
	r := newRig(t, refusePolicy(), 24*time.Hour, answer{err: errRefused, unheard: true}, answer{err: errRefused})
	for i, want := range []error{errRefused, errRefused} {
		if _, err := r.l.Get(context.Background()); !errors.Is(err, want) {
			t.Fatalf("call %d: %v; want %v", i, err, want)
		}
	}
	_, err := r.l.Get(context.Background())
	var rf *refusal
	if !errors.As(err, &rf) || !errors.Is(rf.last, errRefused) || rf.left != time.Minute || r.is.n() != 2 {
		t.Fatalf("third call = %v after %d issuances; want refused for a minute, saying why, after 2", err, r.is.n())
	}
}

// TestThrottledAnswerRetried: an answer meaning "too soon" is waited out
// and asked again, Tries attempts in all.
func TestThrottledAnswerRetried(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		script    []answer
		wantErr   error
		wantCalls int
	}{
		{"once", []answer{{err: errTooSoon}}, nil, 2},
		{"every time", []answer{{err: errTooSoon}, {err: errTooSoon}, {err: errTooSoon}}, errTooSoon, 3},
		{"other errors are not", []answer{{err: errRefused}}, errRefused, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, waitPolicy(), 24*time.Hour, tc.script...)
			done := r.getAsync(context.Background())
			for i := 1; i < tc.wantCalls; i++ {
				blocked(t, r.clk, 1)
				r.clk.Advance(time.Minute)
			}
			res := <-done
			if !errors.Is(res.err, tc.wantErr) || (tc.wantErr == nil && res.v == "") {
				t.Fatalf("Get = %+v; want %v", res, tc.wantErr)
			}
			if r.is.n() != tc.wantCalls {
				t.Errorf("issuances %d; want %d", r.is.n(), tc.wantCalls)
			}
		})
	}
}

// TestRenewal: a token is renewed RenewBefore ahead of its expiry, or at
// the policy's earlier point; one handed back (issued after that point,
// same value) is not renewed again and is no issuance.
func TestRenewal(t *testing.T) {
	t.Parallel()
	at0950 := func(tok Token, now time.Time) time.Time { return t0.Add(-10 * time.Minute) }
	for _, tc := range []struct {
		name    string
		renewAt func(Token, time.Time) time.Time
		ttl     time.Duration
		script  []answer
		steps   []time.Duration // clock moves, each followed by a Get
		want    []int           // issuances after each step
		issued  int64
	}{
		{"ten minutes ahead", nil, time.Hour, nil,
			[]time.Duration{49 * time.Minute, time.Minute, 30 * time.Minute}, []int{1, 2, 2}, 2},
		{"handed back", nil, time.Hour, []answer{{}, {value: "tok-1"}},
			[]time.Duration{50 * time.Minute, 5 * time.Minute}, []int{2, 2}, 1},
		{"earlier point", at0950, time.Hour, nil,
			[]time.Duration{time.Minute}, []int{1}, 1},
		{"earlier point reached", func(Token, time.Time) time.Time { return t0.Add(20 * time.Minute) }, time.Hour, nil,
			[]time.Duration{19 * time.Minute, time.Minute, time.Minute}, []int{1, 2, 2}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := waitPolicy()
			p.RenewAt = tc.renewAt
			r := newRig(t, p, tc.ttl, tc.script...)
			r.get(t)
			for i, d := range tc.steps {
				r.clk.Advance(d)
				r.get(t)
				if r.is.n() != tc.want[i] {
					t.Fatalf("step %d (+%v): issuances %d; want %d", i, r.clk.Now().Sub(t0), r.is.n(), tc.want[i])
				}
			}
			if r.issued.Load() != tc.issued {
				t.Errorf("OnIssued %d; want %d", r.issued.Load(), tc.issued)
			}
		})
	}
}

// TestRenewalFailureKeepsTheToken: a failed renewal leaves the current,
// still valid token in use, for either policy.
func TestRenewalFailureKeepsTheToken(t *testing.T) {
	t.Parallel()
	for i, p := range []Policy{waitPolicy(), refusePolicy()} {
		r := newRig(t, p, time.Hour, answer{}, answer{err: errRefused})
		first := r.get(t)
		r.clk.Advance(55 * time.Minute)
		if v := r.get(t); v != first || r.is.n() != 2 {
			t.Fatalf("policy %d: Get = %q after %d issuances; want %q after 2", i, v, r.is.n(), first)
		}
		if got := r.l.Expiry(); !got.Equal(t0.Add(time.Hour)) {
			t.Errorf("expiry %v", got)
		}
	}
}

// TestInvalidate: only the token in use is dropped, once; the store keeps
// its issuance time, not its value.
func TestInvalidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		used     func(first redact.Secret) redact.Secret
		dropped  bool
		twoCalls bool
	}{
		{"the token in use", func(f redact.Secret) redact.Secret { return f }, true, false},
		{"an older token", func(redact.Secret) redact.Secret { return "tok-0" }, false, false},
		{"no token", func(redact.Secret) redact.Secret { return "" }, false, false},
		{"twice", func(f redact.Secret) redact.Secret { return f }, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, waitPolicy(), 24*time.Hour)
			first := r.get(t)
			r.clk.Advance(2 * time.Minute)
			r.l.Invalidate(tc.used(first))
			if tc.twoCalls {
				r.l.Invalidate(tc.used(first))
			}
			stored, _, _ := r.store.Load("k")
			if tc.dropped != r.l.Expiry().IsZero() || tc.dropped != (stored.Value == "") || !stored.IssuedAt.Equal(t0) {
				t.Fatalf("after Invalidate: expiry %v, stored %v", r.l.Expiry(), stored)
			}
			v := r.get(t)
			if wantNew := tc.dropped; (v != first) != wantNew || r.is.n() != map[bool]int{true: 2, false: 1}[wantNew] {
				t.Errorf("Get = %q after %d issuances", v, r.is.n())
			}
		})
	}
}

// TestStore: a stored token is used without an issuance; a newer one
// stored by another client is adopted when renewal comes; an unreadable
// store means a new token.
func TestStore(t *testing.T) {
	t.Parallel()
	t.Run("reused", func(t *testing.T) {
		t.Parallel()
		r := newRig(t, waitPolicy(), time.Hour)
		_ = r.store.Save("k", Token{Value: "saved", Expiry: t0.Add(5 * time.Hour), IssuedAt: t0.Add(-time.Hour)})
		if v := r.get(t); v != "saved" || r.is.n() != 0 || !r.l.Expiry().Equal(t0.Add(5*time.Hour)) {
			t.Fatalf("Get = %q after %d issuances", v, r.is.n())
		}
	})
	t.Run("newer from another client", func(t *testing.T) {
		t.Parallel()
		r := newRig(t, waitPolicy(), time.Hour)
		r.get(t)
		r.clk.Advance(55 * time.Minute)
		_ = r.store.Save("k", Token{Value: "theirs", Expiry: t0.Add(3 * time.Hour), IssuedAt: t0.Add(54 * time.Minute)})
		if v := r.get(t); v != "theirs" || r.is.n() != 1 {
			t.Fatalf("Get = %q after %d issuances; want theirs after 1", v, r.is.n())
		}
	})
	t.Run("unreadable", func(t *testing.T) {
		t.Parallel()
		r := newRig(t, waitPolicy(), time.Hour)
		r.store.fail = errors.New("corrupt")
		if v := r.get(t); v != "tok-1" {
			t.Fatalf("Get = %q", v)
		}
		r.store.fail = nil
		if stored, ok, _ := r.store.Load("k"); !ok || stored.Value != "tok-1" {
			t.Errorf("stored %v", stored)
		}
	})
	t.Run("none", func(t *testing.T) {
		t.Parallel()
		clk := clock.NewFake(t0)
		is := &issuer{clk: clk, ttl: time.Hour}
		l := New(Config{Policy: waitPolicy(), Issue: is.issue, Clock: clk})
		if v, err := l.Get(context.Background()); err != nil || v != "tok-1" {
			t.Fatalf("Get = %q, %v", v, err)
		}
		l.Invalidate("tok-1")
	})
}

// TestCancel: a caller cancelled while another issues, or while the gap
// is waited out, gets the policy's error at once and issues nothing.
func TestCancel(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		gap  bool
	}{{"behind another caller", false}, {"in the gap", true}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := waitPolicy()
			p.Cancelled = func(err error, gap bool) error { return &cancelled{err, gap} }
			r := newRig(t, p, 24*time.Hour)
			var other <-chan result
			if tc.gap {
				r.l.Invalidate(r.get(t))
			} else {
				r.is.release, r.is.entered = make(chan struct{}), make(chan struct{}, 1)
				other = r.getAsync(context.Background())
				<-r.is.entered // the other caller holds the issuance
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := r.getAsync(ctx)
			if tc.gap {
				blocked(t, r.clk, 1)
			}
			cancel()
			res := <-done
			var c *cancelled
			if !errors.As(res.err, &c) || c.gap != tc.gap || !errors.Is(c.err, context.Canceled) {
				t.Fatalf("Get = %+v; want the policy's cancelled error (gap %v)", res, tc.gap)
			}
			if other != nil {
				close(r.is.release)
				if res := <-other; res.err != nil {
					t.Fatal(res.err)
				}
			}
			if want := 1; r.is.n() != want {
				t.Errorf("issuances %d; want %d", r.is.n(), want)
			}
		})
	}
}
