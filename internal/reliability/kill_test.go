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

var (
	readyLimit = flag.Duration("ready-limit", 2*time.Second, "slowest acceptable time from exec to a ready hoga")
	settle     = flag.Bool("settle", false, "after the kills, keep the last hoga running until reconciliation has settled every row (its grace is 2 minutes), so the 'never placed' verdicts are issued and checked")
)

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
// startSteps gathers where each restart's time went (startup_test.go).
var startSteps stepTable

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
	var all []time.Duration
	total := 0
	type left struct {
		w    *world
		h    *hoga
		t    *testing.T
		logs *lockedBuffer
	}
	var running []left
	for i, s := range setups {
		one := func(t *testing.T) {
			st, w, h, logs := killLoop(t, s, per, rand.New(rand.NewPCG(uint64(*seed), uint64(i))))
			all = append(all, st.restarts...)
			total += st.kills
			if h != nil {
				running = append(running, left{w, h, t, logs})
			}
		}
		if *settle {
			one(t) // the fakes must outlive a subtest: the last hoga settles below
		} else {
			t.Run(s.String(), one)
		}
	}
	// The settling runs side by side: each waits out the same grace.
	var wg sync.WaitGroup
	verdicts := make([]int, len(running))
	for i, r := range running {
		wg.Add(1)
		go func() {
			defer wg.Done()
			verdicts[i] = settleAll(t, r.w, r.h, r.logs)
		}()
	}
	wg.Wait()
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	if len(all) > 0 {
		p99 := all[min(len(all)-1, (len(all)*99+99)/100-1)]
		t.Logf("kills %d, restarts %d, restart-to-ready max %v, p99 %v, median %v",
			total, len(all), all[len(all)-1].Round(time.Millisecond), p99.Round(time.Millisecond), all[len(all)/2].Round(time.Millisecond))
		t.Log(startSteps.String())
	}
	if *settle {
		n := 0
		for _, v := range verdicts {
			n += v
		}
		t.Logf("settled: %d 'never placed' verdicts, all for orders the broker does not have; 0 for orders it has", n)
	}
}

// settleAll waits until the journal has no unsettled row, checks, and
// stops hoga. It returns the number of "never placed" verdicts.
func settleAll(t *testing.T, w *world, h *hoga, logs *lockedBuffer) int {
	defer h.stop()
	deadline := time.Now().Add(5 * time.Minute)
	for {
		open := 0
		for _, r := range w.journal() {
			if r.State == "pending" || r.State == "unknown" {
				open++
			}
		}
		if open == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("%s: %d rows still unsettled after 5 minutes: %+v\nhoga's log:\n%s", w.setup, open, w.journal(), tail(logs.String()))
			return 0
		}
		time.Sleep(time.Second) // reconciliation runs in another process on its own schedule
	}
	if v := w.compare(); v.bad() {
		t.Errorf("%s: after settling: %+v", w.setup, v)
	}
	n := 0
	for _, r := range w.journal() {
		if r.ErrCode == "not_at_broker" {
			n++
		}
	}
	t.Logf("%s: settled, %d 'never placed' verdicts", w.setup, n)
	return n
}

func killLoop(t *testing.T, s setup, n int, rng *rand.Rand) (killStats, *world, *hoga, *lockedBuffer) {
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
		startSteps.add(h.t0, h.ready, logs)
		if h.ready > *readyLimit {
			t.Errorf("restart %d: ready after %v (limit %v)\n%s", k, h.ready, *readyLimit, tail(logs.String()))
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
	startSteps.add(h.t0, h.ready, logs)
	if h.ready > *readyLimit {
		t.Errorf("last restart: ready after %v (limit %v)\n%s", h.ready, *readyLimit, tail(logs.String()))
	}
	c.mu.Lock()
	left := len(c.pending)
	c.mu.Unlock()
	if left > 0 {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		c.run(ctx, h, left)
		cancel()
	}
	check("after the last start")
	rows := w.journal()
	t.Logf("%s: %d kills, %d intents, %d broker orders, %d journal rows, answers %v, restart max %v",
		s, st.kills, c.next, len(w.brokerOrders()), len(rows), c.results, maxDur(st.restarts))
	if len(w.brokerOrders()) == 0 {
		t.Errorf("no order reached the broker: the loop tested nothing\n%s", tail(logs.String()))
	}
	if *settle {
		return st, w, h, logs // settled by TestKillLoop, side by side with the others
	}
	h.stop()
	check("after a graceful stop")
	return st, w, nil, nil
}

func maxDur(ds []time.Duration) time.Duration {
	var m time.Duration
	for _, d := range ds {
		m = max(m, d)
	}
	return m.Round(time.Millisecond)
}
