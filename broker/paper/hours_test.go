package paper

import (
	"context"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
)

func kst(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, broker.KST())
}

func TestMarketHoursOrders(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		at       time.Time
		open     bool
		nextOpen time.Time // for closed cases
	}{
		{"saturday", kst(2026, 11, 21, 10, 0), false, kst(2026, 11, 23, 9, 0)},
		{"christmas", kst(2026, 12, 25, 10, 0), false, kst(2026, 12, 28, 9, 0)},
		{"constitution_day", kst(2026, 7, 17, 11, 0), false, kst(2026, 7, 20, 9, 0)},
		{"before_the_auction", kst(2026, 11, 24, 8, 29), false, kst(2026, 11, 24, 9, 0)},
		{"opening_auction", kst(2026, 11, 24, 8, 30), true, time.Time{}},
		{"continuous", kst(2026, 11, 24, 10, 0), true, time.Time{}},
		{"closing_auction", kst(2026, 11, 24, 15, 29), true, time.Time{}},
		{"after_the_close", kst(2026, 11, 24, 15, 30), false, kst(2026, 11, 25, 9, 0)},
		{"csat_day_late_open", kst(2026, 11, 19, 9, 20), false, kst(2026, 11, 19, 10, 0)},
		{"csat_day_late_close", kst(2026, 11, 19, 16, 0), true, time.Time{}},
		{"first_day_of_2026", kst(2026, 1, 2, 9, 10), false, kst(2026, 1, 2, 10, 0)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, _ := newExchange(t, Options{Clock: clock.NewFake(tc.at), MarketHours: true, Freeze: true})
			ctx := context.Background()
			if _, err := e.Quote(ctx, samsung); err != nil {
				t.Fatalf("quotes are available at any hour: %v", err)
			}
			o, err := e.PlaceOrder(ctx, broker.OrderRequest{Code: samsung, Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 150_000})
			if tc.open {
				if err != nil {
					t.Fatalf("order refused in session: %v", err)
				}
				if _, err := e.CancelOrder(ctx, broker.CancelRequest{OrderID: o.ID}); err != nil {
					t.Fatalf("cancel refused in session: %v", err)
				}
				return
			}
			mustKind(t, err, broker.MarketClosed)
			be, _ := broker.AsError(err)
			if !be.NextOpen.Equal(tc.nextOpen) {
				t.Errorf("NextOpen = %v, want %v", be.NextOpen, tc.nextOpen)
			}
			_, err = e.PlaceOrder(ctx, broker.OrderRequest{Code: samsung, Side: broker.Buy, Type: broker.Market, Qty: 1})
			mustKind(t, err, broker.MarketClosed)
			if b := balance(t, e); b.Cash != DefaultCash {
				t.Errorf("a refused order moved cash: %+v", b)
			}
		})
	}
}

// With market hours, prices move only in continuous trading, a new day
// starts at the opening auction (Friday's session stands over the
// weekend), and open orders lapse at the close, after which a cancel is
// refused.
func TestMarketHoursSession(t *testing.T) {
	t.Parallel()
	fake := clock.NewFake(kst(2026, 11, 27, 7, 0)) // Friday
	e, _ := newExchange(t, Options{Clock: fake, MarketHours: true, Seed: 21, Tick: 10 * time.Second})
	ctx := context.Background()

	still := func(from, to time.Time) broker.Quote {
		t.Helper()
		fake.Set(from)
		q0 := quote(t, e, samsung)
		fake.Set(to)
		q1 := quote(t, e, samsung)
		if q0.Price != q1.Price || q0.Volume != q1.Volume || q0.PrevClose != q1.PrevClose {
			t.Fatalf("quote changed between %v and %v: %+v → %+v", from, to, q0, q1)
		}
		return q1
	}
	pre := still(kst(2026, 11, 27, 7, 0), kst(2026, 11, 27, 8, 59))
	if pre.Volume != 0 || pre.Price != 198_000 {
		t.Fatalf("pre-open quote = %+v", pre)
	}

	fake.Set(kst(2026, 11, 27, 10, 0))
	o, err := e.PlaceOrder(ctx, broker.OrderRequest{Code: samsung, Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 150_000})
	if err != nil {
		t.Fatal(err)
	}
	fake.Set(kst(2026, 11, 27, 15, 20))
	inSession := quote(t, e, samsung)
	if inSession.Volume == 0 {
		t.Fatalf("no trading in the session: %+v", inSession)
	}
	closing := still(kst(2026, 11, 27, 15, 20), kst(2026, 11, 27, 15, 29))
	if got := findOrder(t, e, o.ID); got.Status != broker.StatusAccepted {
		t.Fatalf("order before the close = %s", got.Status)
	}
	fake.Set(kst(2026, 11, 27, 15, 30))
	if got := findOrder(t, e, o.ID); got.Status != broker.StatusCancelled {
		t.Fatalf("order after the close = %s, want expired", got.Status)
	}
	if b := balance(t, e); b.Orderable != b.Cash {
		t.Errorf("an expired order still reserves cash: %+v", b)
	}
	_, err = e.CancelOrder(ctx, broker.CancelRequest{OrderID: o.ID})
	mustKind(t, err, broker.MarketClosed)

	// The weekend keeps Friday's day.
	weekend := still(kst(2026, 11, 27, 20, 0), kst(2026, 11, 30, 8, 29))
	if weekend.PrevClose != 198_000 || weekend.Volume != closing.Volume || weekend.Price != closing.Price {
		t.Fatalf("weekend quote = %+v, want Friday's (%+v)", weekend, closing)
	}
	// Monday's opening auction starts a new day from Friday's close.
	fake.Set(kst(2026, 11, 30, 8, 30))
	mon := quote(t, e, samsung)
	up, lo := priceLimits(closing.Price)
	if mon.PrevClose != closing.Price || mon.Price != closing.Price || mon.Volume != 0 || mon.Change != 0 ||
		mon.Open != closing.Price || mon.UpperLimit != up || mon.LowerLimit != lo {
		t.Fatalf("Monday's first quote = %+v, want a new day based on %d", mon, closing.Price)
	}
}
