//go:build unix

package reliability

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker/brokertest"
)

// TestFaultMatrix plays each fault at the order call, for both brokers
// (mock; with -matrix=full live too), against one running hoga per setup,
// and holds hoga to: at most one broker order per intent; a journal row for
// it; an answer that does not lie (placed means the broker has it, a
// refusal means it does not, unknown is settled by reconciliation to what
// the broker has); hoga still alive and placing the next order normally.
func TestFaultMatrix(t *testing.T) {
	need(t)
	ss := setups[:2]
	if *matrix == "full" {
		ss = setups
	}
	for _, s := range ss {
		t.Run(s.String(), func(t *testing.T) {
			// In parallel: each setup waits out its broker client's minute
			// between token issuances once (token-expiry), and these waits
			// overlap.
			t.Parallel()
			w := newWorld(t, s)
			h, logs := w.start()
			defer func() { h.stop() }()
			var qty int64
			for _, f := range allFaults {
				t0 := time.Now()
				qty++
				switch {
				case f == faultToken && w.kis != nil:
					// KIS answers EGW00123 to the order itself.
					w.kis.Inject(brokertest.KISFault{Kind: brokertest.FaultTokenExpired, Path: "/uapi/domestic-stock/v1/trading/order-cash"})
				case f == faultToken:
					w.kw.ExpireTokens()
				default:
					w.proxy.inject(f)
				}
				o, ans := placeOne(t, h, fmt.Sprintf("fault-%s-%s", s, f), qty)
				if w.proxy.pending() {
					t.Fatalf("%s: the fault was never played (no order call reached the broker); answer %v %+v", f, o, ans)
				}
				checkIntent(t, w, f, qty, o)
				select {
				case <-h.exited:
					t.Fatalf("%s: hoga died: %v\n%s", f, h.err, tail(logs.String()))
				default:
				}
				// The next order, with no fault, goes through. After a
				// Kiwoom token expiry hoga's client waits out its minute
				// between issuances and refuses (sends nothing) meanwhile:
				// the short matrix does not wait that long.
				qty++
				recovery := time.Duration(0)
				if f == faultToken && w.kw != nil {
					if *matrix != "full" {
						t.Logf("%s: not waiting out the Kiwoom client's minute between token issuances (-matrix=full does)", f)
						continue
					}
					recovery = 75 * time.Second
				}
				if o, ans := placeEventually(t, h, fmt.Sprintf("after-%s-%s", s, f), qty, recovery); o != outPlaced {
					t.Fatalf("after %s: the next order got %s %+v\n%s", f, outcomeName(o), ans, tail(logs.String()))
				}
				if v := w.compare(); v.bad() {
					t.Fatalf("after %s: %+v", f, v)
				}
				t.Logf("%s: answer %s, broker has it: %v, journal: %s(%v)", f, outcomeName(o), w.brokerHas(qty-1), w.rowState(qty-1), time.Since(t0).Round(time.Millisecond))
			}
		})
	}
}

// placeOne sends one intent until hoga gives a final answer.
func placeOne(t *testing.T, h *hoga, key string, qty int64) (outcome, apiOrder) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for {
		o, ans, err := h.post(ctx, key, qty)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		if o != outNone && o != outRetryable {
			return o, ans
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s: no final answer in 60 s (last %v %+v)", key, o, ans)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// placeEventually is placeOne, trying fresh keys while hoga refuses for up
// to within.
func placeEventually(t *testing.T, h *hoga, key string, qty int64, within time.Duration) (outcome, apiOrder) {
	t.Helper()
	deadline := time.Now().Add(within)
	for i := 0; ; i++ {
		o, ans := placeOne(t, h, fmt.Sprintf("%s-%d", key, i), qty)
		if o != outRejected || time.Now().After(deadline) {
			return o, ans
		}
		time.Sleep(time.Second) // hoga's own wait, in another process
	}
}

func outcomeName(o outcome) string {
	return map[outcome]string{outNone: "none", outPlaced: "placed", outUnknown: "unknown", outRejected: "rejected", outRetryable: "retryable"}[o]
}

func (w *world) brokerHas(qty int64) int {
	n := 0
	for _, o := range w.brokerOrders() {
		if o.Qty == qty {
			n++
		}
	}
	return n
}

func (w *world) rowState(qty int64) string {
	s := ""
	for _, r := range w.journal() {
		if r.Qty == qty {
			s += r.State
			if r.ErrCode != "" {
				s += "[" + r.ErrCode + "]"
			}
			s += " "
		}
	}
	if s == "" {
		return "(no row)"
	}
	return s
}

// checkIntent holds the answer to one faulted order against the broker and
// the journal, waiting for reconciliation where the answer was unknown.
func checkIntent(t *testing.T, w *world, f fault, qty int64, o outcome) {
	t.Helper()
	n := w.brokerHas(qty)
	if n > 1 {
		t.Fatalf("%s: the broker has the order %d times", f, n)
	}
	if w.rowState(qty) == "(no row)" {
		t.Fatalf("%s: no journal row", f)
	}
	switch o {
	case outPlaced:
		if n != 1 {
			t.Fatalf("%s: answered placed, but the broker does not have it", f)
		}
	case outRejected:
		if n != 0 {
			t.Fatalf("%s: answered refused, but the broker has it (journal: %s)", f, w.rowState(qty))
		}
	case outUnknown:
		if n == 0 {
			return // unsettled until the reconcile grace: never resent, and nothing to match
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			st := w.rowState(qty)
			if st == "accepted " || st == "partial " || st == "filled " {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: the broker has the order but the journal still says %s after 30 s", f, st)
			}
			time.Sleep(100 * time.Millisecond) // reconciliation runs in another process
		}
	}
}
