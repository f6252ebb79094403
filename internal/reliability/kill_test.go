//go:build unix

package reliability

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"testing"
	"time"
)

var readyLimit = flag.Duration("ready-limit", 2*time.Second, "slowest acceptable time from exec to a ready hoga")

// intent is one order the HTTP client wants placed exactly once; its
// quantity names it at the broker.
type intent struct {
	key string
	qty int64
}

// client is the owner's program on the HTTP API: it sends each intent
// under its own Idempotency-Key and, when hoga dies mid-request, sends the
// same key again once hoga is back, as any careful client would.
type client struct {
	mu      sync.Mutex
	next    int64
	prefix  string
	pending []intent // sent or about to be, no final answer yet
	results map[outcome]int
}

func (c *client) take() intent {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.pending) > 0 {
		it := c.pending[0]
		c.pending = c.pending[1:]
		return it
	}
	c.next++
	return intent{key: fmt.Sprintf("%s-%d", c.prefix, c.next), qty: c.next}
}

func (c *client) giveBack(it intent) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pending = append(c.pending, it)
}

func (c *client) done(o outcome) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.results[o]++
}

// run sends intents one after another until ctx ends or hoga goes away.
func (c *client) run(ctx context.Context, h *hoga, max int) {
	for sent := 0; max <= 0 || sent < max; sent++ {
		it := c.take()
		for {
			if ctx.Err() != nil {
				c.giveBack(it)
				return
			}
			o, _, err := h.post(ctx, it.key, it.qty)
			if err != nil {
				c.giveBack(it) // hoga died under us: the same key after the restart
				return
			}
			if o == outNone || o == outRetryable {
				select {
				case <-ctx.Done():
				case <-time.After(25 * time.Millisecond):
				}
				continue
			}
			c.done(o)
			break
		}
	}
}

// killStats are the figures RELIABILITY.md reports.
type killStats struct {
	kills    int
	restarts []time.Duration
	verdict  verdict
}

// TestKillLoop: hoga under a stream of HTTP orders, SIGKILLed at a seeded
// random moment, restarted, and checked after every restart: no intent
// twice at the broker, no broker order without a journal row, no row
// claiming an order the broker lacks, no "never placed" verdict for an order
// the broker has, and ready (the HTTP API's /readyz) within -ready-limit.
// -kills are spread over KIS and Kiwoom, mock and live (live orders are
// confirmed on the fake Telegram by an owner pressing [확인]).
func TestKillLoop(t *testing.T) {
	need(t)
	per := (*kills + len(setups) - 1) / len(setups)
	var mu sync.Mutex
	var all []time.Duration
	total := 0
	for i, s := range setups {
		t.Run(s.String(), func(t *testing.T) {
			st := killLoop(t, s, per, rand.New(rand.NewPCG(uint64(*seed), uint64(i))))
			mu.Lock()
			all = append(all, st.restarts...)
			total += st.kills
			mu.Unlock()
		})
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	if len(all) > 0 {
		p99 := all[(len(all)*99)/100]
		if (len(all)*99)%100 == 0 && len(all) >= 100 {
			p99 = all[len(all)*99/100-1]
		}
		t.Logf("kills %d, restarts %d, restart-to-ready max %v, p99 %v, median %v",
			total, len(all), all[len(all)-1].Round(time.Millisecond), p99.Round(time.Millisecond), all[len(all)/2].Round(time.Millisecond))
	}
}

func killLoop(t *testing.T, s setup, n int, rng *rand.Rand) killStats {
	w := newWorld(t, s)
	c := &client{prefix: "kill-" + s.String(), results: map[outcome]int{}}
	var st killStats
	check := func(when string) {
		t.Helper()
		v := w.compare()
		if v.bad() {
			t.Fatalf("%s: %+v\njournal: %+v\nbroker: %+v", when, v, w.journal(), w.brokerOrders())
		}
	}
	for k := 0; k < n; k++ {
		if rng.IntN(5) == 0 {
			// One kill in five lands during start-up (opening the
			// journal, the token, the first reconciliation pass).
			h, _, _ := w.launch()
			time.Sleep(time.Duration(rng.Int64N(int64(400 * time.Millisecond))))
			h.kill()
			st.kills++
			check(fmt.Sprintf("after start-up kill %d", k))
			continue
		}
		h, logs := w.start()
		st.restarts = append(st.restarts, h.ready)
		if h.ready > *readyLimit {
			t.Errorf("restart %d: ready after %v (limit %v)", k, h.ready, *readyLimit)
		}
		check(fmt.Sprintf("after restart %d", k))
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); c.run(ctx, h, 0) }()
		// The moment: anywhere in the first 1.5 s of orders.
		time.Sleep(time.Duration(rng.Int64N(int64(1500 * time.Millisecond))))
		h.kill()
		cancel()
		<-done
		st.kills++
		check(fmt.Sprintf("after kill %d", k))
		_ = logs
	}
	// A last start: every intent left hanging is sent again until it has
	// an answer, then a graceful stop.
	h, logs := w.start()
	st.restarts = append(st.restarts, h.ready)
	c.mu.Lock()
	left := len(c.pending)
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	c.run(ctx, h, left)
	cancel()
	check("after the last start")
	h.stop()
	check("after a graceful stop")
	rows := w.journal()
	t.Logf("%s: %d kills, %d intents, %d broker orders, %d journal rows, answers %v, restart max %v",
		s, st.kills, c.next, len(w.brokerOrders()), len(rows), c.results, maxDur(st.restarts))
	if len(w.brokerOrders()) == 0 {
		t.Errorf("no order reached the broker: the loop tested nothing\n%s", tail(logs.String()))
	}
	return st
}

func maxDur(ds []time.Duration) time.Duration {
	var m time.Duration
	for _, d := range ds {
		m = max(m, d)
	}
	return m.Round(time.Millisecond)
}
