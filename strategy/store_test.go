package strategy

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/store"
)

// openers are the durable StateStore implementations: the SQLite store
// hoga runs with. Each opens (or reopens) the store in dir.
var openers = map[string]func(t *testing.T, dir string) StateStore{
	"sqlite": func(t *testing.T, dir string) StateStore {
		db, err := store.Open(context.Background(), store.Options{Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return NewDBStore(db)
	},
}

func TestStoreRoundTrip(t *testing.T) {
	t.Parallel()
	for name, open := range openers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			testStoreRoundTrip(t, func(dir string) StateStore { return open(t, dir) })
		})
	}
}

func testStoreRoundTrip(t *testing.T, open func(dir string) StateStore) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	s := open(dir)
	file := baseRule()
	chat := baseRule()
	chat.Cooldown, chat.Type, chat.Confirm, chat.RearmBP, chat.MaxPosition = 90*time.Second, broker.Market, true, 150, 40
	st := State{BuyArmed: false, SellArmed: true, BuyBelow: 65_000, SellAbove: 75_000, LastFire: t0, Day: "2026-03-10",
		FiresToday: 2, Failures: 1, RetryAt: t0.Add(5 * time.Second), Disabled: "", LastPrice: 64_800}
	for _, err := range []error{
		s.SaveRule(ctx, StoredRule{Code: "005930", Rule: chat, Base: &file, Updated: t0}),
		s.SaveRule(ctx, StoredRule{Code: "000660", Deleted: true, Updated: t0}),
		s.SaveRule(ctx, StoredRule{Code: "035720", Rule: Rule{Code: "035720", BuyBelow: 1, Qty: 1, Type: broker.Limit}}),
		s.DeleteRule(ctx, "035720"),
		s.SaveState(ctx, "005930", st),
		s.SaveState(ctx, "000660", NewState()),
		s.DeleteState(ctx, "000660"),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}

	again := open(dir)
	edits, _ := again.LoadRules(ctx)
	if len(edits) != 2 || edits[0].Code != "000660" || !edits[0].Deleted || edits[1].Rule != chat || *edits[1].Base != file || !edits[1].Updated.Equal(t0) {
		t.Fatalf("edits %+v", edits)
	}
	states, _ := again.LoadState(ctx)
	got := states["005930"]
	if len(states) != 1 || !got.LastFire.Equal(st.LastFire) || !got.RetryAt.Equal(st.RetryAt) {
		t.Fatalf("states %+v", states)
	}
	got.LastFire, got.RetryAt = st.LastFire, st.RetryAt
	if got != st {
		t.Fatalf("state\n got %+v\nwant %+v", got, st)
	}

}

func TestStoredRuleJSON(t *testing.T) {
	t.Parallel()
	in := StoredRule{Code: "005930", Rule: baseRule(), Updated: t0}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out StoredRule
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	if out.Rule != in.Rule || out.Base != nil || !out.Updated.Equal(t0) {
		t.Fatalf("round trip: %+v -> %s -> %+v", in, data, out)
	}
}
