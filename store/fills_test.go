package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

// A fill seen by the push and again by the poll, or again after a
// restart, is stored once; the order row follows the fills (sums, partial
// then filled); FillsOn and FillsForOrder read them back.
func TestFillsIdempotentAndOrderRow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	db := openTest(t, dir)
	at := kstTime("2026-03-03", 9, 5)
	e := entry("H1", at)
	e.State, e.BrokerID = broker.StatusAccepted, "0000001234"
	if err := db.InsertOrder(ctx, e); err != nil {
		t.Fatal(err)
	}
	day := broker.Day(at)
	fill := func(qty, price, cum int64, exec string, src broker.FillSource) broker.Fill {
		return broker.Fill{Day: day, OrderID: "0000001234", Code: "005930", Side: broker.Buy, Qty: qty, Price: price,
			CumQty: cum, ExecID: exec, Source: src, Time: at.Add(time_(cum))}
	}
	steps := []struct {
		name     string
		f        broker.Fill
		inserted bool
		state    broker.OrderStatus
		filled   int64
		avg      int64
	}{
		{"first_part_by_push", fill(3, 70_000, 3, "", broker.FillStream), true, broker.StatusPartial, 3, 70_000},
		{"same_part_by_poll", fill(3, 70_000, 3, "", broker.FillPoll), false, broker.StatusPartial, 3, 70_000},
		{"second_part", fill(3, 69_900, 6, "E2", broker.FillStream), true, broker.StatusPartial, 6, 69_950},
		{"same_exec_id_other_cum", fill(3, 69_900, 7, "E2", broker.FillStream), false, broker.StatusPartial, 6, 69_950},
		{"rest_by_poll", fill(4, 69_800, 10, "", broker.FillPoll), true, broker.StatusFilled, 10, 69_890},
	}
	for _, s := range steps {
		got, err := db.InsertFill(ctx, s.f)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got != s.inserted {
			t.Fatalf("%s: inserted %v, want %v", s.name, got, s.inserted)
		}
		row, err := db.OrderByClientID(ctx, "H1")
		if err != nil {
			t.Fatal(err)
		}
		if row.State != s.state || row.FilledQty != s.filled || row.AvgFillPrice() != s.avg {
			t.Fatalf("%s: row %s %d @ %d, want %s %d @ %d", s.name, row.State, row.FilledQty, row.AvgFillPrice(), s.state, s.filled, s.avg)
		}
	}
	db.Close()

	// After a restart the same fills are still duplicates.
	db = openTest(t, dir)
	for _, s := range steps {
		if got, err := db.InsertFill(ctx, s.f); err != nil || got {
			t.Fatalf("%s after restart: inserted %v, %v", s.name, got, err)
		}
	}
	fills, err := db.FillsOn(ctx, at)
	if err != nil {
		t.Fatal(err)
	}
	if len(fills) != 3 {
		t.Fatalf("%d fills, want 3", len(fills))
	}
	if f := fills[0]; f.ClientID != "H1" || f.Source != broker.FillStream || !f.Time.Equal(at.Add(time_(3))) || f.Seen.IsZero() {
		t.Fatalf("first fill read back as %+v", f)
	}
	byOrder, err := db.FillsForOrder(ctx, at, "0000001234")
	if err != nil || len(byOrder) != 3 || byOrder[2].CumQty != 10 {
		t.Fatalf("FillsForOrder: %v %+v", err, byOrder)
	}
	if other, _ := db.FillsOn(ctx, at.AddDate(0, 0, 1)); len(other) != 0 {
		t.Fatalf("next day has %d fills", len(other))
	}
}

// A fill of an order hoga did not place is stored without touching any
// row; a malformed fill is refused.
func TestFillsForeignAndRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openTest(t, t.TempDir())
	at := kstTime("2026-03-03", 10, 0)
	f := broker.Fill{Day: broker.Day(at), OrderID: "77", Code: "000660", Side: broker.Sell, Qty: 2, Price: 150_000,
		CumQty: 2, CostPrice: 140_000, Commission: 45, Tax: 600, Time: at, Late: true}
	if ok, err := db.InsertFill(ctx, f); err != nil || !ok {
		t.Fatalf("foreign fill: %v %v", ok, err)
	}
	got, _ := db.FillsForOrder(ctx, at, "77")
	if len(got) != 1 || got[0].ClientID != "" || !got[0].Late || got[0].CostPrice != 140_000 || got[0].Tax != 600 {
		t.Fatalf("read back %+v", got)
	}
	for i, bad := range []broker.Fill{
		{Day: f.Day, OrderID: "77", Qty: 0, Price: 1, CumQty: 1, Time: at, Side: broker.Buy},
		{Day: f.Day, OrderID: "77", Qty: 2, Price: 1, CumQty: 1, Time: at, Side: broker.Buy},
		{Day: f.Day, OrderID: "", Qty: 1, Price: 1, CumQty: 1, Time: at, Side: broker.Buy},
		{Day: f.Day, OrderID: "78", Qty: 1, Price: 1, CumQty: 1, Side: broker.Buy},
	} {
		if _, err := db.InsertFill(ctx, bad); err == nil {
			t.Fatalf("bad fill %d accepted", i)
		}
	}
}

// A fill found at start-up keeps which of the two labels it had (while
// hoga was down, or maybe before the stop and after when), so an alert
// re-sent after another restart says what the first one said.
func TestFillLateLabelsRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openTest(t, t.TempDir())
	at := kstTime("2026-03-03", 10, 0)
	since := at.Add(-12 * time.Second)
	for i, f := range []broker.Fill{
		{CumQty: 1},
		{CumQty: 2, Late: true},
		{CumQty: 3, Late: true, LateSince: since},
	} {
		f.Day, f.OrderID, f.Code, f.Side, f.Qty, f.Price, f.Time = "2026-03-03", "88", "005930", broker.Buy, 1, 70_000, at
		if ok, err := db.InsertFill(ctx, f); err != nil || !ok {
			t.Fatalf("fill %d: %v %v", i, ok, err)
		}
	}
	got, err := db.UnalertedFills(ctx, "2026-03-03")
	if err != nil || len(got) != 3 {
		t.Fatalf("%d fills, %v", len(got), err)
	}
	if got[0].Late || !got[0].LateSince.IsZero() || !got[1].Late || !got[1].LateSince.IsZero() ||
		!got[2].Late || !got[2].LateSince.Equal(since) {
		t.Fatalf("read back %+v", got)
	}
}

func time_(cum int64) time.Duration { return time.Duration(cum) * time.Second }

// A stored fill is unalerted until a transport reports its alert
// delivered; a restart finds the ones that were not (issue 14).
func TestFillAlertedMark(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openTest(t, filepath.Join(t.TempDir(), "data"))
	at := kstTime("2026-03-03", 10, 0)
	for _, cum := range []int64{4, 10} {
		f := broker.Fill{Day: "2026-03-03", OrderID: "0000000007", Code: "005930", Side: broker.Buy, Qty: 4, Price: 70_000, CumQty: cum, Time: at}
		if cum == 10 {
			f.Qty = 6
		}
		if _, err := db.InsertFill(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.UnalertedFills(ctx, "2026-03-02")
	if err != nil || len(got) != 2 {
		t.Fatalf("unalerted = %+v, %v; want both", got, err)
	}
	if err := db.MarkFillAlerted(ctx, "2026-03-03", "0000000007", 4); err != nil {
		t.Fatal(err)
	}
	got, _ = db.UnalertedFills(ctx, "2026-03-02")
	if len(got) != 1 || got[0].CumQty != 10 {
		t.Fatalf("after marking the first: %+v", got)
	}
	if got, _ := db.UnalertedFills(ctx, "2026-03-04"); len(got) != 0 {
		t.Fatalf("a later day lists earlier fills: %+v", got)
	}
}
