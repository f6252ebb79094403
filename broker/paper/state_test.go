package paper

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
)

// view is everything a user can see of an exchange.
type view struct {
	Balance broker.Balance
	Orders  []broker.Order
	Quotes  []broker.Quote
	Stats   Stats
}

func look(t *testing.T, e *Exchange) view {
	t.Helper()
	orders, err := e.OrdersToday(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return view{Balance: balance(t, e), Orders: orders, Quotes: allQuotes(t, e), Stats: e.Stats()}
}

func open(t *testing.T, dir string, fake *clock.Fake, seed int64) *Exchange {
	t.Helper()
	e, err := New(Options{DataDir: dir, Clock: fake, Seed: seed})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return e
}

func TestRestartKeepsTheAccount(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	fake := clock.NewFake(start)
	e := open(t, dir, fake, 0) // a random seed, which the file keeps
	seed := e.Seed()
	place(t, e, broker.OrderRequest{Code: samsung, Side: broker.Buy, Type: broker.Market, Qty: 3, ClientID: "a", Source: "test", User: "me"})
	place(t, e, broker.OrderRequest{Code: "035720", Side: broker.Buy, Type: broker.Market, Qty: 10})
	place(t, e, broker.OrderRequest{Code: samsung, Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 150_000})
	place(t, e, broker.OrderRequest{Code: samsung, Side: broker.Sell, Type: broker.Limit, Qty: 2, Price: 250_000})
	fake.Advance(time.Minute)
	place(t, e, broker.OrderRequest{Code: "035720", Side: broker.Sell, Type: broker.Market, Qty: 4})
	before := look(t, e)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	if runtime.GOOS != "windows" {
		if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("data dir mode %v (%v), want 0700", fi.Mode().Perm(), err)
		}
		if fi, err := os.Stat(filepath.Join(dir, StateFile)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("state file mode %v (%v), want 0600", fi.Mode().Perm(), err)
		}
	}
	// The account and the day's candle record, and no temporary files.
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, en := range entries {
		names = append(names, en.Name())
	}
	if want := []string{CandlesFile, StateFile}; !slices.Equal(names, want) {
		t.Errorf("data dir holds %q, want only %q", names, want)
	}
	if fi, err := os.Stat(filepath.Join(dir, CandlesFile)); err != nil || runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("candle record: %v", err)
	}

	e2 := open(t, dir, fake, 0)
	defer e2.Close()
	if e2.Seed() != seed {
		t.Errorf("seed %d after restart, want %d", e2.Seed(), seed)
	}
	after := look(t, e2)
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("after restart\n%+v\nwant\n%+v", after, before)
	}
	if len(after.Orders) != 5 || after.Balance.Orderable == after.Balance.Cash {
		t.Fatalf("restart lost orders or reservations: %+v", after)
	}
	if o := place(t, e2, broker.OrderRequest{Code: samsung, Side: broker.Buy, Type: broker.Market, Qty: 1}); o.ID != "P0000006" {
		t.Errorf("order number after restart %s, want P0000006", o.ID)
	}
	// The reservations came back with the orders.
	_, err := e2.PlaceOrder(context.Background(), broker.OrderRequest{Code: samsung, Side: broker.Sell, Type: broker.Market, Qty: 3})
	mustKind(t, err, broker.InsufficientFunds)
	checkLedger(t, e2)
}

// Every order is on disk before PlaceOrder returns, without a Close.
func TestOrdersAreSavedAtOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	e, _ := newExchange(t, Options{DataDir: dir, Freeze: true})
	o := place(t, e, broker.OrderRequest{Code: samsung, Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 150_000})
	st := readFile(t, dir)
	if len(st.Orders) != 1 || st.Orders[0].ID != o.ID || st.Orders[0].Status != "accepted" {
		t.Fatalf("saved orders = %+v", st.Orders)
	}
	if _, err := e.CancelOrder(context.Background(), broker.CancelRequest{OrderID: o.ID}); err != nil {
		t.Fatal(err)
	}
	if st := readFile(t, dir); st.Orders[0].Status != "cancelled" {
		t.Fatalf("saved status after cancel = %s", st.Orders[0].Status)
	}
	// A fill caused by SetPrice is saved too.
	o2 := place(t, e, broker.OrderRequest{Code: samsung, Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 190_000})
	setPrice(t, e, samsung, 190_000)
	if st := readFile(t, dir); st.Orders[1].ID != o2.ID || st.Orders[1].Status != "filled" || st.Positions[samsung].Qty != 1 {
		t.Fatalf("saved after a fill: %+v", st)
	}
}

func readFile(t *testing.T, dir string) *stateFile {
	t.Helper()
	st, err := readState(filepath.Join(dir, StateFile))
	if err != nil || st == nil {
		t.Fatalf("readState: %v, %v", st, err)
	}
	return st
}

// The walk continues across a restart exactly as it would have without
// one: the generator's position is saved.
func TestRestartContinuesTheWalk(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fa, fb := clock.NewFake(start), clock.NewFake(start)
	a := open(t, dir, fa, 77)
	b, err := New(Options{Clock: fb, Seed: 77})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	fa.Advance(500 * time.Second)
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	a = open(t, dir, fa, 77)
	defer a.Close()
	fa.Advance(500 * time.Second)
	fb.Advance(1000 * time.Second)
	qa, qb := allQuotes(t, a), allQuotes(t, b)
	if !reflect.DeepEqual(qa, qb) {
		t.Fatalf("restarted walk\n%+v\nuninterrupted\n%+v", qa, qb)
	}
}

func TestReseedKeepsPrices(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fake := clock.NewFake(start)
	e := open(t, dir, fake, 5)
	fake.Advance(time.Minute)
	before := allQuotes(t, e)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e = open(t, dir, fake, 9)
	defer e.Close()
	if e.Seed() != 9 {
		t.Errorf("Seed = %d, want the new seed 9", e.Seed())
	}
	if after := allQuotes(t, e); !reflect.DeepEqual(before, after) {
		t.Errorf("prices changed on reseeding")
	}
}

// A file that is not a sound account stops New with the file's name: the
// money is never silently reset.
func TestCorruptStateFile(t *testing.T) {
	t.Parallel()
	good := func(t *testing.T) []byte {
		dir := t.TempDir()
		e, _ := newExchange(t, Options{DataDir: dir, Freeze: true})
		place(t, e, broker.OrderRequest{Code: samsung, Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 150_000})
		data, err := os.ReadFile(filepath.Join(dir, StateFile))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}(t)
	edit := func(f func(m map[string]any)) []byte {
		var m map[string]any
		if err := json.Unmarshal(good, &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		data, _ := json.Marshal(m)
		return data
	}
	cases := map[string][]byte{
		"truncated":         good[:len(good)/2],
		"empty":             {},
		"not_json":          []byte("cash=100"),
		"other_version":     edit(func(m map[string]any) { m["version"] = 2 }),
		"negative_cash":     edit(func(m map[string]any) { m["cash"] = -1 }),
		"reservation_short": edit(func(m map[string]any) { m["cash"] = 100 }),
		"bad_rng":           edit(func(m map[string]any) { m["rng"] = "AAAA" }),
		"off_grid_price": edit(func(m map[string]any) {
			m["stocks"].(map[string]any)["005930"].(map[string]any)["price"] = 198_001
		}),
		"bad_order_status": edit(func(m map[string]any) {
			m["orders"].([]any)[0].(map[string]any)["status"] = "weird"
		}),
		"order_number_ahead": edit(func(m map[string]any) { m["next_order"] = 1 }),
		"unlisted_holding": edit(func(m map[string]any) {
			m["positions"] = map[string]any{"999999": map[string]any{"qty": 1, "cost": 1}}
		}),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, StateFile)
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			e, err := New(Options{DataDir: dir, Clock: clock.NewFake(start)})
			if err == nil {
				e.Close()
				t.Fatal("New accepted a corrupt state file")
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name %s", err, path)
			}
			if got, _ := os.ReadFile(path); string(got) != string(data) {
				t.Error("the corrupt file was overwritten")
			}
		})
	}
	t.Run("unreadable", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		path := filepath.Join(dir, StateFile)
		if err := os.Mkdir(path, 0o700); err != nil { // a directory where the file should be
			t.Fatal(err)
		}
		if _, err := New(Options{DataDir: dir}); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("New = %v, want an error naming %s", err, path)
		}
	})
}

// A failed save is reported by Close and leaves the account in memory.
func TestSaveFailure(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	e, err := New(Options{DataDir: dir, Clock: clock.NewFake(start), Seed: 1, Freeze: true})
	if err != nil {
		t.Fatal(err)
	}
	// The data directory disappears and a file takes its place.
	if err := os.WriteFile(dir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	o := place(t, e, broker.OrderRequest{Code: samsung, Side: broker.Buy, Type: broker.Market, Qty: 1})
	if got := findOrder(t, e, o.ID); got.Status != broker.StatusFilled {
		t.Errorf("order = %+v", got)
	}
	if err := e.Close(); err == nil {
		t.Error("Close reported no error for an unwritable state directory")
	}
}

// FuzzStateFile feeds the loader arbitrary files: it must never panic, and
// whatever it accepts must be a sound account that saves and loads back to
// the same state and keeps working.
func FuzzStateFile(f *testing.F) {
	fake := clock.NewFake(start)
	e, err := New(Options{Clock: fake, Seed: 3, Freeze: true})
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	for _, req := range []broker.OrderRequest{
		{Code: samsung, Side: broker.Buy, Type: broker.Market, Qty: 5},
		{Code: samsung, Side: broker.Sell, Type: broker.Limit, Qty: 2, Price: 250_000},
		{Code: "035720", Side: broker.Buy, Type: broker.Limit, Qty: 3, Price: 50_000},
		{Code: samsung, Side: broker.Sell, Type: broker.Market, Qty: 1},
	} {
		if _, err := e.PlaceOrder(ctx, req); err != nil {
			f.Fatal(err)
		}
	}
	e.mu.Lock()
	seed, _ := json.Marshal(e.stateLocked())
	// The shape that drifted 52 s per save/load (Asia/Seoul's pre-1908
	// LMT offset through RFC 3339): an order time before 1908, so plain
	// go test replays it (TestStateTimesDoNotDriftThroughSaveLoad).
	old := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC).In(broker.KST())
	e.m.Orders[len(e.m.Orders)-1].Time, e.m.Orders[len(e.m.Orders)-1].ExpireAt = old, old
	lmt, _ := json.Marshal(e.stateLocked())
	e.mu.Unlock()
	e.Close()
	f.Add(seed)
	f.Add(lmt)
	f.Add([]byte(`{"version":1}`))
	f.Add([]byte(`{"version":1,"seed":1,"rng":"cGNnOgAAAAAAAAABAAAAAAAAAAI=","cash":5,"next_order":1,"day":"2026-11-25"}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`[`))

	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := decodeState(data)
		if err != nil {
			return
		}
		e, err := build(Options{Clock: clock.NewFake(start)})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.restore(st, 0); err != nil {
			return
		}
		e.mu.Lock()
		e.settleLocked(start)
		e.advanceLocked(start.Add(time.Minute))
		again := e.stateLocked()
		e.mu.Unlock()
		checkLedgerCovered(t, e)

		data2, err := json.Marshal(again)
		if err != nil {
			t.Fatal(err)
		}
		st2, err := decodeState(data2)
		if err != nil {
			t.Fatalf("own output refused: %v", err)
		}
		e2, _ := build(Options{Clock: clock.NewFake(start)})
		if err := e2.restore(st2, 0); err != nil {
			t.Fatalf("own output refused: %v\n%s", err, data2)
		}
		e2.mu.Lock()
		again2 := e2.stateLocked()
		e2.mu.Unlock()
		if !reflect.DeepEqual(again, again2) {
			t.Fatalf("state changed through save and load:\n%+v\n%+v", again, again2)
		}
	})
}

// checkLedgerCovered checks what a loaded account must hold (the ledger
// identity need not: a file may start from any balance).
func checkLedgerCovered(t *testing.T, e *Exchange) {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	res, _, _ := e.reservedLocked("")
	if res > e.m.Cash {
		t.Fatalf("reservations %d exceed cash %d", res, e.m.Cash)
	}
	for i, b := range e.m.Books {
		if !broker.OnTick(b.Price) || b.Price > b.Upper() || b.Price < b.Lower() {
			t.Fatalf("%s price %d off the grid or outside %d–%d", listings[i].Code, b.Price, b.Lower(), b.Upper())
		}
	}
	for _, l := range listings {
		_, selling, _ := e.reservedLocked(l.Code)
		var held int64
		if p := e.m.Positions[l.Code]; p != nil {
			held = p.Qty
		}
		if selling > held {
			t.Fatalf("%s: selling %d of %d held", l.Code, selling, held)
		}
	}
}
