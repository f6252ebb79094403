package market

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

func TestLimits(t *testing.T) {
	t.Parallel()
	cases := []struct {
		base, upper, lower int64
	}{
		{198_000, 257_000, 138_600}, // width 59,400 on the 100 grid; lower on the 100 grid
		{65_800, 85_500, 46_100},    // width 19,740 → 19,700
		{2_015, 2_615, 1_415},       // width 604.5 → 600 (5-won tick of the base): a 70%-of-base rounding gives 1,410 or 1,411
		{1_000, 1_300, 700},
		{10_000, 13_000, 7_000},
		{50_000, 65_000, 35_000},
		{1_650_000, 2_145_000, 1_155_000},
		{1, 1, 1},
	}
	for _, c := range cases {
		up, lo := Limits(c.base)
		if up != c.upper || lo != c.lower {
			t.Errorf("Limits(%d) = %d, %d; want %d, %d", c.base, up, lo, c.upper, c.lower)
		}
		if !broker.OnTick(up) || !broker.OnTick(lo) {
			t.Errorf("Limits(%d) = %d, %d: off the grid", c.base, up, lo)
		}
	}
}

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, broker.KST())

func newTest(t *testing.T, cfg Config) (*Market, *[]Event) {
	t.Helper()
	var evs []Event
	cfg.OnEvent = func(ev Event) { evs = append(evs, ev) }
	cfg.Frozen = true
	if cfg.Instruments == nil {
		cfg.Instruments = []Instrument{{Code: "005930", Name: "삼성전자", Market: "KOSPI", Ref: 198_000}}
	}
	return New(cfg, t0, 1, 10_000_000), &evs
}

func limit(side broker.Side, qty, price int64) broker.OrderRequest {
	return broker.OrderRequest{Code: "005930", Side: side, Type: broker.Limit, Qty: qty, Price: price}
}

func TestRestingOrderFillsAtItsLimitAndPartially(t *testing.T) {
	t.Parallel()
	m, evs := newTest(t, Config{})
	o, err := m.Place(t0, limit(broker.Buy, 10, 197_000))
	if err != nil || o.Status != broker.StatusAccepted {
		t.Fatalf("place: %+v, %v", o, err)
	}
	if got := m.Orderable(); got != 10_000_000-1_970_000 {
		t.Fatalf("orderable %d", got)
	}
	if err := m.Fill(t0, o.ID, 3); err != nil {
		t.Fatal(err)
	}
	if o.Status != broker.StatusPartial || o.Open() != 7 || m.Orderable() != 10_000_000-1_970_000 {
		t.Fatalf("after a partial fill: %+v open %d orderable %d", o.Order, o.Open(), m.Orderable())
	}
	m.SetPrice(t0, "005930", 196_000) // gaps through the limit
	if o.Status != broker.StatusFilled || o.AvgFillPrice != 197_000 || m.Cash != 10_000_000-1_970_000 {
		t.Fatalf("after the cross: %+v cash %d", o.Order, m.Cash)
	}
	var fills []int64
	for _, ev := range *evs {
		if ev.Kind == EventFill {
			fills = append(fills, ev.Qty, ev.Price, ev.Seq)
		}
	}
	if want := []int64{3, 197_000, 1, 7, 197_000, 2}; !slices.Equal(fills, want) {
		t.Fatalf("fill events %v, want %v", fills, want)
	}
	if _, err := m.Cancel(t0, o.ID, 0); !isReason(err, NotOpen) {
		t.Fatalf("cancel a filled order: %v", err)
	}
}

func TestMarketableOrderFillsAtTheCurrentPrice(t *testing.T) {
	t.Parallel()
	m, _ := newTest(t, Config{CommissionRate: 150, SellTaxRate: 2_000})
	o, err := m.Place(t0, limit(broker.Buy, 5, 199_000))
	if err != nil || o.Status != broker.StatusFilled || o.AvgFillPrice != 198_000 || o.Commission != 148 {
		t.Fatalf("%+v %v", o, err)
	}
	s, err := m.Place(t0, broker.OrderRequest{Code: "005930", Side: broker.Sell, Type: broker.Market, Qty: 5})
	if err != nil || s.AvgFillPrice != 198_000 || s.Tax != 1_980 {
		t.Fatalf("%+v %v", s, err)
	}
	if m.Realized != 0 || m.Positions["005930"].Qty != 0 || m.DaySold != 990_000 || m.DayBought != 990_000 {
		t.Fatalf("ledger: realised %d position %+v", m.Realized, m.Positions["005930"])
	}
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	m, _ := newTest(t, Config{Name: "x", MarketBuyAtUpper: true})
	cases := []struct {
		req  broker.OrderRequest
		want Reason
	}{
		{broker.OrderRequest{Code: "000000", Side: broker.Buy, Type: broker.Market, Qty: 1}, NotListed},
		{limit(broker.Buy, 1, 257_500), OutsideLimits},
		{limit(broker.Buy, 1, 138_500), OutsideLimits},
		{limit(broker.Buy, 51, 197_000), NoCash},
		// 39 × 198,000 fits, 39 × the upper limit 257,000 does not.
		{broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Market, Qty: 39}, NoCash},
		{limit(broker.Sell, 1, 197_000), NoShares},
	}
	for _, c := range cases {
		if _, err := m.Place(t0, c.req); !isReason(err, c.want) {
			t.Errorf("%+v: %v, want reason %d", c.req, err, c.want)
		}
	}
}

func TestDayOrdersLapseAtTheClose(t *testing.T) {
	t.Parallel()
	cal, err := broker.NewCalendar(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name        string
		placed      time.Time
		open, lapse time.Time
	}{
		{"normal day", t0, t0.Add(5*time.Hour + 29*time.Minute), t0.Add(5*time.Hour + 30*time.Minute)},
		// 수능 2026-11-19 closes at 16:30.
		{"CSAT", time.Date(2026, 11, 19, 10, 0, 0, 0, broker.KST()),
			time.Date(2026, 11, 19, 16, 29, 0, 0, broker.KST()), time.Date(2026, 11, 19, 16, 30, 0, 0, broker.KST())},
	} {
		t.Run(c.name, func(t *testing.T) {
			var evs []Event
			m := New(Config{Sessions: NewKRX(cal), Frozen: true, OnEvent: func(ev Event) { evs = append(evs, ev) },
				Instruments: []Instrument{{Code: "005930", Name: "삼성전자", Ref: 198_000}}}, c.placed, 1, 10_000_000)
			o, err := m.Place(c.placed, limit(broker.Buy, 1, 190_000))
			if err != nil {
				t.Fatal(err)
			}
			m.Advance(c.open)
			if o.Open() != 1 {
				t.Fatalf("lapsed before the close: %+v", o.Order)
			}
			m.Advance(c.lapse)
			if o.Open() != 0 || !o.Lapsed || o.Status != broker.StatusCancelled || m.Orderable() != 10_000_000 {
				t.Fatalf("after the close: %+v", o)
			}
			if len(evs) != 1 || evs[0].Kind != EventExpire || !evs[0].Time.Equal(c.lapse) || evs[0].Qty != 1 {
				t.Fatalf("events %+v", evs)
			}
		})
	}
}

// A scheduled price fills a resting order when the clock gets there, not
// before: what a fake uses to fill an order "30 s later".
func TestPriceAt(t *testing.T) {
	t.Parallel()
	m, evs := newTest(t, Config{})
	b, _ := m.Place(t0, limit(broker.Buy, 2, 197_000))
	m.PriceAt(t0.Add(30*time.Second), "005930", 197_000)
	m.Advance(t0.Add(29 * time.Second))
	if b.Open() != 2 {
		t.Fatal("filled early")
	}
	m.Advance(t0.Add(31 * time.Second))
	if b.Status != broker.StatusFilled || !b.FillTime.Equal(t0.Add(30*time.Second)) {
		t.Fatalf("%+v", b)
	}
	if n := len(*evs); n != 2 || (*evs)[0].Kind != EventPrice || (*evs)[1].Kind != EventFill {
		t.Fatalf("events %+v", *evs)
	}
}

func TestCancelInPart(t *testing.T) {
	t.Parallel()
	m, _ := newTest(t, Config{})
	o, _ := m.Place(t0, limit(broker.Buy, 10, 197_000))
	if _, err := m.Cancel(t0, o.ID, 11); !isReason(err, BadQty) {
		t.Fatal(err)
	}
	if _, err := m.Cancel(t0, o.ID, 4); err != nil || o.Open() != 6 || o.Status != broker.StatusAccepted {
		t.Fatalf("%+v %v", o, err)
	}
	if _, err := m.Cancel(t0, o.ID, 0); err != nil || o.Open() != 0 || o.Status != broker.StatusCancelled {
		t.Fatalf("%+v %v", o, err)
	}
	if _, err := m.Cancel(t0, "nope", 0); !isReason(err, NoOrder) {
		t.Fatal(err)
	}
}

func isReason(err error, r Reason) bool {
	var rej *Reject
	return errors.As(err, &rej) && rej.Reason == r
}
