package paper

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

func TestFills(t *testing.T) {
	t.Parallel()
	type move struct {
		price int64
		fill  bool // the order should be filled after this move
	}
	cases := []struct {
		name      string
		side      broker.Side
		typ       broker.OrderType
		limit     int64
		atOnce    bool // filled when placed
		moves     []move
		wantPrice int64
	}{
		{name: "market_buy", side: broker.Buy, typ: broker.Market, atOnce: true, wantPrice: 198_000},
		{name: "market_sell", side: broker.Sell, typ: broker.Market, atOnce: true, wantPrice: 198_000},
		{name: "limit_buy_marketable_fills_at_the_better_price", side: broker.Buy, typ: broker.Limit, limit: 199_000, atOnce: true, wantPrice: 198_000},
		{name: "limit_sell_marketable_fills_at_the_better_price", side: broker.Sell, typ: broker.Limit, limit: 197_000, atOnce: true, wantPrice: 198_000},
		{name: "limit_buy_at_the_price", side: broker.Buy, typ: broker.Limit, limit: 198_000, atOnce: true, wantPrice: 198_000},
		{name: "limit_buy_crossed_down", side: broker.Buy, typ: broker.Limit, limit: 197_000,
			moves: []move{{197_500, false}, {198_100, false}, {197_000, true}}, wantPrice: 197_000},
		// A resting order fills at its own limit, even when the price
		// gaps through it (it was on the book; the trade that reached it
		// traded with it). It filled at the gap's better price before the
		// one simulated market (issue 13 item 3), unlike both fakes.
		{name: "limit_buy_gap_down_fills_at_its_limit", side: broker.Buy, typ: broker.Limit, limit: 197_000,
			moves: []move{{197_100, false}, {196_000, true}}, wantPrice: 197_000},
		{name: "limit_sell_crossed_up", side: broker.Sell, typ: broker.Limit, limit: 199_000,
			moves: []move{{198_500, false}, {197_000, false}, {199_000, true}}, wantPrice: 199_000},
		{name: "limit_sell_gap_up_fills_at_its_limit", side: broker.Sell, typ: broker.Limit, limit: 199_000,
			moves: []move{{198_900, false}, {201_000, true}}, wantPrice: 199_000},
		{name: "limit_sell_across_a_tick_bracket", side: broker.Sell, typ: broker.Limit, limit: 200_500,
			moves: []move{{199_900, false}, {200_000, false}, {200_500, true}}, wantPrice: 200_500},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, _ := newExchange(t, Options{Freeze: true})
			if tc.side == broker.Sell {
				place(t, e, broker.OrderRequest{Code: samsung, Side: broker.Buy, Type: broker.Market, Qty: 5})
			}
			before := balance(t, e)
			o := place(t, e, broker.OrderRequest{Code: samsung, Side: tc.side, Type: tc.typ, Qty: 5, Price: tc.limit, ClientID: "c1", Source: "test", User: "u"})
			if got := o.Status == broker.StatusFilled; got != tc.atOnce {
				t.Fatalf("placed: status %s, want filled=%v", o.Status, tc.atOnce)
			}
			for i, m := range tc.moves {
				setPrice(t, e, samsung, m.price)
				got := findOrder(t, e, o.ID)
				if (got.Status == broker.StatusFilled) != m.fill {
					t.Fatalf("after move %d to %d: status %s, want filled=%v", i, m.price, got.Status, m.fill)
				}
				if !m.fill && (got.Status != broker.StatusAccepted || got.Remaining() != 5) {
					t.Fatalf("after move %d: %+v, want open for 5", i, got)
				}
			}
			got := findOrder(t, e, o.ID)
			if got.Status != broker.StatusFilled || got.FilledQty != 5 || got.AvgFillPrice != tc.wantPrice {
				t.Fatalf("order = %+v, want filled 5 @ %d", got, tc.wantPrice)
			}
			if got.ClientID != "c1" || got.Source != "test" || got.User != "u" || got.Name != "삼성전자" || got.Price != tc.limit {
				t.Errorf("order lost request fields: %+v", got)
			}
			after := balance(t, e)
			amount := 5 * tc.wantPrice
			comm := amount * 150 / 1_000_000
			want := before.Cash - amount - comm
			if tc.side == broker.Sell {
				want = before.Cash + amount - comm - amount*2_000/1_000_000
			}
			if after.Cash != want || after.Orderable != want {
				t.Errorf("cash %d orderable %d, want %d", after.Cash, after.Orderable, want)
			}
		})
	}
}

// Exact won amounts with the default 0.015% commission and 0.20% tax,
// rounded down to the won.
func TestFeesAndTax(t *testing.T) {
	t.Parallel()
	e, _ := newExchange(t, Options{Freeze: true})
	place(t, e, broker.OrderRequest{Code: samsung, Side: broker.Buy, Type: broker.Market, Qty: 10})
	// 10 × 198,000 = 1,980,000; commission 297.
	if b := balance(t, e); b.Cash != 8_019_703 {
		t.Fatalf("cash after buy = %d, want 8,019,703", b.Cash)
	}
	setPrice(t, e, samsung, 200_000)
	o := place(t, e, broker.OrderRequest{Code: samsung, Side: broker.Sell, Type: broker.Market, Qty: 10})
	// 2,000,000; commission 300; tax 4,000.
	b := balance(t, e)
	if b.Cash != 10_015_403 || len(b.Positions) != 0 || b.StockValue != 0 {
		t.Fatalf("after sell: %+v, want cash 10,015,403 and no holdings", b)
	}
	st := e.Stats()
	if st.Realized != 20_000 || st.Commission != 597 || st.Tax != 4_000 || st.Net() != 15_403 {
		t.Errorf("stats = %+v (net %d)", st, st.Net())
	}
	e.mu.Lock()
	if got := e.m.ByID[o.ID]; got.Commission != 300 || got.Tax != 4_000 {
		t.Errorf("sell order fees %d/%d, want 300/4000", got.Commission, got.Tax)
	}
	e.mu.Unlock()

	// Fractions of a won are dropped: 7 × 61,200 = 428,400 → 64.26;
	// 7 × 61,300 = 429,100 → 64.365 and tax 858.2.
	const kakao = broker.Code("035720")
	place(t, e, broker.OrderRequest{Code: kakao, Side: broker.Buy, Type: broker.Market, Qty: 7})
	setPrice(t, e, kakao, 61_300)
	place(t, e, broker.OrderRequest{Code: kakao, Side: broker.Sell, Type: broker.Market, Qty: 7})
	if b := balance(t, e); b.Cash != 10_015_403-428_400-64+429_100-64-858 {
		t.Errorf("cash = %d", b.Cash)
	}
}

func TestFeeOptions(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name          string
		comm, tax     int64
		wantBuy       int64 // cash after buying 10 @ 198,000
		wantAfterSell int64 // after selling them @ 200,000
	}{
		{"defaults", 0, 0, 8_019_703, 10_015_403},
		{"no_fees", -1, -1, 8_020_000, 10_020_000},
		{"2025_tax_rate", -1, 1_500, 8_020_000, 10_017_000},
		{"one_percent_commission", 10_000, -1, 8_000_200, 9_980_200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, _ := newExchange(t, Options{Freeze: true, CommissionRate: tc.comm, SellTaxRate: tc.tax})
			place(t, e, broker.OrderRequest{Code: samsung, Side: broker.Buy, Type: broker.Market, Qty: 10})
			if b := balance(t, e); b.Cash != tc.wantBuy {
				t.Errorf("after buy cash = %d, want %d", b.Cash, tc.wantBuy)
			}
			setPrice(t, e, samsung, 200_000)
			place(t, e, broker.OrderRequest{Code: samsung, Side: broker.Sell, Type: broker.Market, Qty: 10})
			if b := balance(t, e); b.Cash != tc.wantAfterSell {
				t.Errorf("after sell cash = %d, want %d", b.Cash, tc.wantAfterSell)
			}
		})
	}
}

func TestAveragePrice(t *testing.T) {
	t.Parallel()
	const kakao = broker.Code("035720")
	e, _ := newExchange(t, Options{Freeze: true})
	place(t, e, broker.OrderRequest{Code: kakao, Side: broker.Buy, Type: broker.Market, Qty: 2}) // @ 61,200
	setPrice(t, e, kakao, 61_300)
	place(t, e, broker.OrderRequest{Code: kakao, Side: broker.Buy, Type: broker.Market, Qty: 1})
	p, ok := balance(t, e).Position(kakao)
	// 183,700 / 3 = 61,233.3: the weighted average, without commission.
	if !ok || p.Qty != 3 || p.Cost != 183_700 || p.AvgPrice != 61_233 || p.Value != 183_900 || p.PnL != 200 || p.Sellable != 3 {
		t.Fatalf("position = %+v", p)
	}

	setPrice(t, e, kakao, 62_000)
	place(t, e, broker.OrderRequest{Code: kakao, Side: broker.Sell, Type: broker.Market, Qty: 1})
	// The sold share takes 183,700/3 = 61,233 of the cost; 122,467 stays
	// for two shares, shown as 61,234.
	b := balance(t, e)
	p, _ = b.Position(kakao)
	if p.Qty != 2 || p.Cost != 122_467 || p.AvgPrice != 61_234 || p.Value != 124_000 || p.PnL != 1_533 {
		t.Fatalf("position after a sell = %+v", p)
	}
	if want := float64(1_533) / 122_467 * 100; p.PnLPct != want {
		t.Errorf("PnLPct = %v, want %v", p.PnLPct, want)
	}
	if st := e.Stats(); st.Realized != 62_000-61_233 {
		t.Errorf("realised = %d, want %d", st.Realized, 62_000-61_233)
	}
	if b.StockValue != 124_000 || b.Cost != 122_467 || b.PnL != 1_533 || b.Total != b.Cash+124_000 {
		t.Errorf("balance totals = %+v", b)
	}
	checkLedger(t, e)
}

// checkLedger asserts the account's bookkeeping identity and that the
// reservations are covered.
func checkLedger(t testing.TB, e *Exchange) {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	var cost int64
	for _, p := range e.m.Positions {
		cost += p.Cost
	}
	if got, want := e.m.Cash+cost, e.m.InitialCash+e.m.Realized-e.m.PaidComm-e.m.PaidTax; got != want {
		t.Errorf("cash %d + cost %d = %d, want initial + realised − fees = %d", e.m.Cash, cost, got, want)
	}
	res, _, _ := e.reservedLocked("")
	if res > e.m.Cash {
		t.Errorf("reservations %d exceed cash %d", res, e.m.Cash)
	}
	for _, l := range listings {
		_, selling, _ := e.reservedLocked(l.Code)
		var held int64
		if p := e.m.Positions[l.Code]; p != nil {
			held = p.Qty
		}
		if selling > held {
			t.Errorf("%s: selling %d of %d held", l.Code, selling, held)
		}
	}
}

func TestReservations(t *testing.T) {
	t.Parallel()
	e, _ := newExchange(t, Options{Freeze: true})
	ctx := context.Background()
	buy := func(qty, price int64) broker.OrderRequest {
		typ := broker.Limit
		if price == 0 {
			typ = broker.Market
		}
		return broker.OrderRequest{Code: samsung, Side: broker.Buy, Type: typ, Qty: qty, Price: price}
	}

	o1 := place(t, e, buy(10, 190_000)) // reserves 1,900,000 + 285
	if b := balance(t, e); b.Cash != DefaultCash || b.Orderable != DefaultCash-1_900_285 {
		t.Fatalf("after one open buy: cash %d orderable %d", b.Cash, b.Orderable)
	}
	place(t, e, buy(42, 190_000)) // 7,980,000 + 1,197: 118,518 left
	if b := balance(t, e); b.Orderable != 118_518 {
		t.Fatalf("orderable = %d, want 118,518", b.Orderable)
	}
	_, err := e.PlaceOrder(ctx, buy(1, 190_000)) // 190,028
	mustKind(t, err, broker.InsufficientFunds)
	if !strings.Contains(err.Error(), "190028") || !strings.Contains(err.Error(), "118518") {
		t.Errorf("message %q should name what is needed and what is orderable", err)
	}
	_, err = e.PlaceOrder(ctx, buy(1, 0)) // market at 198,000
	mustKind(t, err, broker.InsufficientFunds)

	if _, err := e.CancelOrder(ctx, broker.CancelRequest{OrderID: o1.ID}); err != nil {
		t.Fatal(err)
	}
	if b := balance(t, e); b.Orderable != 118_518+1_900_285 {
		t.Fatalf("orderable after cancel = %d", b.Orderable)
	}

	// A fill releases the reservation. A resting buy fills at its limit
	// when the price falls through it (it filled at 189,000 before the one
	// simulated market, issue 13 item 3).
	o3 := place(t, e, buy(10, 190_000))
	setPrice(t, e, samsung, 189_000)
	if got := findOrder(t, e, o3.ID); got.Status != broker.StatusFilled || got.AvgFillPrice != 190_000 {
		t.Fatalf("o3 = %+v", got)
	}
	// Both open buys (the 42) filled at their 190,000 too.
	b := balance(t, e)
	want := int64(DefaultCash) - 1_900_000 - 285 - 7_980_000 - 1_197
	if b.Cash != want || b.Orderable != want {
		t.Fatalf("cash %d orderable %d, want %d", b.Cash, b.Orderable, want)
	}
	checkLedger(t, e)

	// Shares in open sells are not sellable twice.
	setPrice(t, e, samsung, 200_000)
	s1 := place(t, e, broker.OrderRequest{Code: samsung, Side: broker.Sell, Type: broker.Limit, Qty: 50, Price: 210_000})
	if p, _ := balance(t, e).Position(samsung); p.Qty != 52 || p.Sellable != 2 {
		t.Fatalf("position with an open sell = %+v", p)
	}
	_, err = e.PlaceOrder(ctx, broker.OrderRequest{Code: samsung, Side: broker.Sell, Type: broker.Market, Qty: 3})
	mustKind(t, err, broker.InsufficientFunds)
	if !strings.Contains(err.Error(), "2 sellable") {
		t.Errorf("message %q should say how many are sellable", err)
	}
	place(t, e, broker.OrderRequest{Code: samsung, Side: broker.Sell, Type: broker.Market, Qty: 2})
	if _, err := e.CancelOrder(ctx, broker.CancelRequest{OrderID: s1.ID}); err != nil {
		t.Fatal(err)
	}
	if p, _ := balance(t, e).Position(samsung); p.Qty != 50 || p.Sellable != 50 {
		t.Fatalf("position after cancelling the sell = %+v", p)
	}
	checkLedger(t, e)
}

func TestRefusedOrders(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		req  broker.OrderRequest
		want broker.Kind
	}{
		{"sell_without_shares", broker.OrderRequest{Code: samsung, Side: broker.Sell, Type: broker.Market, Qty: 1}, broker.InsufficientFunds},
		{"limit_sell_without_shares", broker.OrderRequest{Code: samsung, Side: broker.Sell, Type: broker.Limit, Qty: 1, Price: 200_000}, broker.InsufficientFunds},
		{"buy_beyond_cash", broker.OrderRequest{Code: "000660", Side: broker.Buy, Type: broker.Market, Qty: 100}, broker.InsufficientFunds},
		{"absurd_quantity", broker.OrderRequest{Code: samsung, Side: broker.Buy, Type: broker.Limit, Qty: 1 << 62, Price: 198_000}, broker.InsufficientFunds},
		{"off_tick", broker.OrderRequest{Code: samsung, Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 198_050}, broker.Invalid},
		{"zero_quantity", broker.OrderRequest{Code: samsung, Side: broker.Buy, Type: broker.Market}, broker.Invalid},
		{"no_side", broker.OrderRequest{Code: samsung, Type: broker.Market, Qty: 1}, broker.Invalid},
		{"market_with_price", broker.OrderRequest{Code: samsung, Side: broker.Buy, Type: broker.Market, Qty: 1, Price: 198_000}, broker.Invalid},
		{"bad_code", broker.OrderRequest{Code: "12", Side: broker.Buy, Type: broker.Market, Qty: 1}, broker.Invalid},
		{"unlisted", broker.OrderRequest{Code: "999999", Side: broker.Buy, Type: broker.Market, Qty: 1}, broker.NotFound},
		{"above_upper_limit", broker.OrderRequest{Code: samsung, Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 257_500}, broker.Rejected},
		{"below_lower_limit", broker.OrderRequest{Code: samsung, Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 138_500}, broker.Rejected},
	}
	e, _ := newExchange(t, Options{Freeze: true})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.PlaceOrder(context.Background(), tc.req)
			mustKind(t, err, tc.want)
		})
	}
	if orders, _ := e.OrdersToday(context.Background()); len(orders) != 0 {
		t.Errorf("refused orders were recorded: %+v", orders)
	}
	if b := balance(t, e); b.Cash != DefaultCash || b.Orderable != DefaultCash {
		t.Errorf("refused orders touched the cash: %+v", b)
	}
}

func TestCancel(t *testing.T) {
	t.Parallel()
	e, _ := newExchange(t, Options{Freeze: true})
	ctx := context.Background()
	_, err := e.CancelOrder(ctx, broker.CancelRequest{OrderID: "P9999999"})
	mustKind(t, err, broker.NotFound)

	filled := place(t, e, broker.OrderRequest{Code: samsung, Side: broker.Buy, Type: broker.Market, Qty: 1})
	_, err = e.CancelOrder(ctx, broker.CancelRequest{OrderID: filled.ID})
	mustKind(t, err, broker.Rejected)

	open := place(t, e, broker.OrderRequest{Code: samsung, Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 150_000})
	if open.ID != "P0000002" || open.Status != broker.StatusAccepted || !open.Time.Equal(start) {
		t.Fatalf("open order = %+v", open)
	}
	c, err := e.CancelOrder(ctx, broker.CancelRequest{OrderID: open.ID, Code: samsung, Type: broker.Limit})
	if err != nil || c.ID != open.ID || c.Status != broker.StatusCancelled {
		t.Fatalf("cancel = %+v, %v", c, err)
	}
	_, err = e.CancelOrder(ctx, broker.CancelRequest{OrderID: open.ID})
	mustKind(t, err, broker.Rejected)
	// A cancelled order never fills.
	setPrice(t, e, samsung, 150_000)
	if got := findOrder(t, e, open.ID); got.Status != broker.StatusCancelled || got.FilledQty != 0 {
		t.Errorf("cancelled order = %+v", got)
	}
}

// Orders are day orders: an open one lapses at midnight KST (without
// market hours), and yesterday's orders leave the day list but keep their
// numbers.
func TestOrdersTodayAndExpiry(t *testing.T) {
	t.Parallel()
	e, fake := newExchange(t, Options{Freeze: true, Tick: time.Minute})
	place(t, e, broker.OrderRequest{Code: samsung, Side: broker.Buy, Type: broker.Market, Qty: 1})
	open := place(t, e, broker.OrderRequest{Code: samsung, Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 150_000})
	if orders, _ := e.OrdersToday(context.Background()); len(orders) != 2 {
		t.Fatalf("%d orders today, want 2", len(orders))
	}
	fake.Set(time.Date(2026, 11, 25, 23, 59, 0, 0, broker.KST()))
	if got := findOrder(t, e, open.ID); got.Status != broker.StatusAccepted {
		t.Fatalf("before midnight: %s", got.Status)
	}
	fake.Set(time.Date(2026, 11, 26, 0, 0, 0, 0, broker.KST()))
	if orders, _ := e.OrdersToday(context.Background()); len(orders) != 0 {
		t.Fatalf("yesterday's orders listed today: %+v", orders)
	}
	e.mu.Lock()
	got := *e.m.ByID[open.ID]
	e.mu.Unlock()
	if got.Status != broker.StatusCancelled || got.Note == "" {
		t.Errorf("expired order = %+v", got)
	}
	b := balance(t, e)
	if b.Orderable != b.Cash {
		t.Errorf("expired order still reserves: %+v", b)
	}
	if q := quote(t, e, samsung); q.PrevClose != 198_000 || q.Volume != 0 {
		t.Errorf("new day quote = %+v", q)
	}
	next := place(t, e, broker.OrderRequest{Code: samsung, Side: broker.Sell, Type: broker.Market, Qty: 1})
	if next.ID != "P0000003" {
		t.Errorf("next order number %s, want P0000003", next.ID)
	}
}

func TestHistoryPruned(t *testing.T) {
	t.Parallel()
	e, fake := newExchange(t, Options{Freeze: true, Tick: time.Hour})
	place(t, e, broker.OrderRequest{Code: samsung, Side: broker.Buy, Type: broker.Market, Qty: 1})
	fake.Advance(historyDays * 24 * time.Hour)
	quote(t, e, samsung)
	e.mu.Lock()
	n := len(e.m.Orders)
	e.mu.Unlock()
	if n != 1 {
		t.Fatalf("%d orders after %d days, want 1", n, historyDays)
	}
	fake.Advance(24 * time.Hour)
	quote(t, e, samsung)
	e.mu.Lock()
	n = len(e.m.Orders)
	e.mu.Unlock()
	if n != 0 {
		t.Errorf("%d orders kept after %d days", n, historyDays+1)
	}
}
