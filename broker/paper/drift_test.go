package paper

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/clock"
)

// TestStateTimesDoNotDriftThroughSaveLoad: Asia/Seoul before 1908 is LMT
// +08:27:52 and RFC 3339 offsets have no seconds, so a KST order time
// moved 52 s per save/load (issue 21, item 8; found by FuzzStateFile).
func TestStateTimesDoNotDriftThroughSaveLoad(t *testing.T) {
	t.Parallel()
	e, err := New(Options{Clock: clock.NewFake(start), Seed: 3, Freeze: true})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if _, err := e.PlaceOrder(context.Background(), broker.OrderRequest{Code: samsung, Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 140_000}); err != nil {
		t.Fatal(err)
	}
	old := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC).In(broker.KST())
	e.mu.Lock()
	e.m.Orders[0].Time, e.m.Orders[0].ExpireAt = old, old
	st := e.stateLocked()
	e.mu.Unlock()
	load := func(st *stateFile) *stateFile {
		t.Helper()
		data, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeState(data)
		if err != nil {
			t.Fatal(err)
		}
		e2, _ := build(Options{Clock: clock.NewFake(start)})
		if err := e2.restore(got, 0); err != nil {
			t.Fatal(err)
		}
		e2.mu.Lock()
		defer e2.mu.Unlock()
		return e2.stateLocked()
	}
	once := load(st)
	twice := load(once)
	if !once.Orders[0].Time.Equal(old) || !reflect.DeepEqual(once, twice) {
		t.Fatalf("order time drifted: %v → %v → %v", old, once.Orders[0].Time, twice.Orders[0].Time)
	}
}
