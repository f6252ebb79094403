package paper

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
)

func allQuotes(t testing.TB, e *Exchange) []broker.Quote {
	t.Helper()
	out := make([]broker.Quote, len(listings))
	for i, l := range listings {
		out[i] = quote(t, e, l.Code)
	}
	return out
}

// The same seed and clock give the same prices, however often the walk is
// looked at in between; another seed gives other prices.
func TestWalkIsDeterministic(t *testing.T) {
	t.Parallel()
	a, ca := newExchange(t, Options{Seed: 42})
	b, cb := newExchange(t, Options{Seed: 42})
	lazy, cl := newExchange(t, Options{Seed: 42})
	other, co := newExchange(t, Options{Seed: 43})
	moved := false
	for step := 1; step <= 2_000; step++ {
		for _, c := range []*clock.Fake{ca, cb, cl, co} {
			c.Advance(time.Second)
		}
		qa, qb := allQuotes(t, a), allQuotes(t, b)
		for i := range qa {
			if qa[i] != qb[i] {
				t.Fatalf("step %d: seed 42 gave %+v and %+v", step, qa[i], qb[i])
			}
			moved = moved || qa[i].Price != listings[i].Ref
		}
	}
	if !moved {
		t.Fatal("no price moved in 2,000 steps")
	}
	qa, ql, qo := allQuotes(t, a), allQuotes(t, lazy), allQuotes(t, other)
	same := 0
	for i := range qa {
		if qa[i] != ql[i] {
			t.Errorf("looked at once after 2,000 steps: %+v, stepwise %+v", ql[i], qa[i])
		}
		if qa[i].Price == qo[i].Price && qa[i].Volume == qo[i].Volume {
			same++
		}
	}
	if same == len(qa) {
		t.Error("seeds 42 and 43 gave the same prices")
	}
}

// The same seed and the same orders give the same fills.
func TestWalkFillsAreDeterministic(t *testing.T) {
	t.Parallel()
	run := func() []broker.Order {
		e, fake := newExchange(t, Options{Seed: 9})
		ctx := context.Background()
		for i, l := range listings {
			q := quote(t, e, l.Code)
			side, price := broker.Buy, broker.SnapDown(q.Price-q.Price/200)
			if i%2 == 1 {
				place(t, e, broker.OrderRequest{Code: l.Code, Side: broker.Buy, Type: broker.Market, Qty: 1})
				side, price = broker.Sell, broker.SnapUp(q.Price+q.Price/200)
			}
			place(t, e, broker.OrderRequest{Code: l.Code, Side: side, Type: broker.Limit, Qty: 1, Price: price})
		}
		fake.Advance(3 * time.Hour)
		orders, err := e.OrdersToday(ctx)
		if err != nil {
			t.Fatal(err)
		}
		checkLedger(t, e)
		return orders
	}
	first, second := run(), run()
	filled := 0
	for i := range first {
		if first[i] != second[i] {
			t.Fatalf("order %d: %+v vs %+v", i, first[i], second[i])
		}
		o := first[i]
		if o.Type == broker.Limit && o.Status == broker.StatusFilled {
			filled++
			if (o.Side == broker.Buy && o.AvgFillPrice > o.Price) || (o.Side == broker.Sell && o.AvgFillPrice < o.Price) {
				t.Errorf("%+v filled on the wrong side of its limit", o)
			}
		}
	}
	if filled == 0 {
		t.Error("no limit order 0.5% away filled in three hours of walk")
	}
}

// Property: over many steps, across day turnovers and with prices pushed
// against the limits, every price stays on the tick grid, inside the
// day's limits and inside the day's high and low, and volume only grows
// within a day.
func TestWalkStaysOnGridAndInLimits(t *testing.T) {
	t.Parallel()
	for _, seed := range []int64{1, 1 << 40, -5} {
		e, _ := newExchange(t, Options{Seed: seed, Tick: 10 * time.Second})
		ts := start
		prevVol := make([]int64, len(listings))
		day := ""
		for step := 0; step < 10_000; step++ {
			if step%2_500 == 0 {
				// Push a stock to a limit and make it the walk's anchor.
				i := (step / 2_500) % len(listings)
				e.mu.Lock()
				b := e.m.Books[i]
				e.mu.Unlock()
				target := b.Upper()
				if step%5_000 == 0 {
					target = b.Lower()
				}
				setPrice(t, e, listings[i].Code, target)
			}
			ts = ts.Add(10 * time.Second)
			e.mu.Lock()
			e.advanceLocked(ts)
			newDay := e.m.Day != day
			day = e.m.Day
			for i, b := range e.m.Books {
				up, lo := priceLimits(b.PrevClose)
				switch {
				case !broker.OnTick(b.Price):
					t.Fatalf("seed %d step %d %s: price %d off the grid", seed, step, listings[i].Code, b.Price)
				case b.Price > b.Upper() || b.Price < b.Lower() || b.Upper() != up || b.Lower() != lo:
					t.Fatalf("seed %d step %d %s: price %d outside %d–%d (base %d)", seed, step, listings[i].Code, b.Price, b.Lower(), b.Upper(), b.PrevClose)
				case b.Price > b.High || b.Price < b.Low || b.High > b.Upper() || b.Low < b.Lower():
					t.Fatalf("seed %d step %d %s: price %d outside low %d–high %d", seed, step, listings[i].Code, b.Price, b.Low, b.High)
				case !newDay && b.Volume < prevVol[i]:
					t.Fatalf("seed %d step %d %s: volume fell %d → %d", seed, step, listings[i].Code, prevVol[i], b.Volume)
				}
				prevVol[i] = b.Volume
			}
			e.mu.Unlock()
		}
		if day == start.Format(time.DateOnly) {
			t.Fatalf("seed %d: the walk never reached a second day", seed)
		}
	}
}

// The walk reverts to its reference: over a long run each price keeps
// within a few percent of it, yet does move.
func TestWalkRevertsToReference(t *testing.T) {
	t.Parallel()
	e, _ := newExchange(t, Options{Seed: 11})
	n := 50_000
	sum2 := make([]float64, len(listings))
	maxDev := make([]float64, len(listings))
	ts := start
	for range n {
		ts = ts.Add(time.Second)
		e.mu.Lock()
		e.advanceLocked(ts)
		for i, b := range e.m.Books {
			d := float64(b.Price-b.Ref) / float64(b.Ref)
			sum2[i] += d * d
			maxDev[i] = max(maxDev[i], math.Abs(d))
		}
		e.mu.Unlock()
	}
	for i, l := range listings {
		sd := math.Sqrt(sum2[i] / float64(n))
		t.Logf("%s: spread %.2f%%, widest %.2f%%", l.Code, sd*100, maxDev[i]*100)
		if sd < 0.005 || sd > 0.05 || maxDev[i] > 0.15 {
			t.Errorf("%s %s: spread %.2f%%, widest %.2f%% from the reference; want about 2%%",
				l.Code, l.Name, sd*100, maxDev[i]*100)
		}
	}
}

// A laptop that slept for a month does not replay every missed step: one
// look runs at most maxCatchUp steps (here a month of 1ms steps would be
// 2.6 billion), yet still turns the day over and expires old orders.
func TestWalkCatchUpIsBounded(t *testing.T) {
	t.Parallel()
	e, _ := newExchange(t, Options{Seed: 4, Tick: time.Millisecond})
	open := place(t, e, broker.OrderRequest{Code: samsung, Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 150_000})
	later := start.Add(30 * 24 * time.Hour)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.advanceLocked(later)
	if !e.m.LastStep.Equal(later) {
		t.Errorf("walk at %v, want %v", e.m.LastStep, later)
	}
	if e.m.Day != later.Format(time.DateOnly) {
		t.Errorf("day %s, want %s", e.m.Day, later.Format(time.DateOnly))
	}
	if got := e.m.ByID[open.ID]; got.Status != broker.StatusCancelled {
		t.Errorf("month-old open order is %s, want expired", got.Status)
	}
}

func TestFrozen(t *testing.T) {
	t.Parallel()
	e, fake := newExchange(t, Options{Seed: 5, Freeze: true})
	before := allQuotes(t, e)
	fake.Advance(time.Hour)
	after := allQuotes(t, e)
	for i := range before {
		if before[i].Price != after[i].Price || before[i].Volume != after[i].Volume {
			t.Fatalf("frozen %s moved: %+v → %+v", listings[i].Code, before[i], after[i])
		}
	}
	e.SetFrozen(false)
	fake.Advance(time.Hour)
	moved := false
	for i, q := range allQuotes(t, e) {
		moved = moved || q.Price != after[i].Price
	}
	if !moved {
		t.Error("no price moved in an hour after unfreezing")
	}
}
