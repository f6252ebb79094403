package store

import (
	"context"
	"reflect"
	"testing"

	"github.com/hoga-trade/hoga/broker"
)

// A rejection hoga made itself keeps its catalog sentence and arguments
// through the journal (migration 0005), so /orders can word it in the
// reader's language; a later error without one clears it (issue 12,
// item 12).
func TestJournalKeepsTheCatalogSentence(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openTest(t, t.TempDir())
	e := entry("c-say", kstTime("2026-12-04", 10, 0))
	e.State = broker.StatusRejected
	e.SetErr((&broker.Error{Kind: broker.Invalid, Code: "paper", Msg: "limit price 100000 is outside today's price limits 138600–257000"}).
		Saying("market.outside_limits", int64(100_000), int64(138_600), int64(257_000)))
	if err := db.InsertOrder(ctx, e); err != nil {
		t.Fatal(err)
	}
	got, err := db.OrderByClientID(ctx, "c-say")
	if err != nil {
		t.Fatal(err)
	}
	be, _ := broker.AsError(got.Err())
	if be == nil || be.Say != "market.outside_limits" || !reflect.DeepEqual(be.Args, []any{int64(100_000), int64(138_600), int64(257_000)}) {
		t.Fatalf("read back %+v; want the sentence and its int64 arguments", be)
	}
	if be.Msg == "" || be.Code != "paper" || be.Kind != broker.Invalid {
		t.Errorf("kind, code or message lost: %+v", be)
	}
	got, err = db.UpdateOrder(ctx, "c-say", func(x *broker.JournalEntry) error {
		x.SetErr(&broker.Error{Kind: broker.Rejected, Code: "40580000", Msg: "모의투자 주문가능금액을 초과 했습니다"})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, err = db.OrderByClientID(ctx, "c-say"); err != nil || got.ErrSay != "" || got.ErrArgs != nil {
		t.Errorf("after a broker's refusal: say %q args %v (%v); want none", got.ErrSay, got.ErrArgs, err)
	}
}

func TestArgsRoundTrip(t *testing.T) {
	t.Parallel()
	for _, args := range [][]any{nil, {int64(1), "005930", int64(-3)}, {"0000012345", int64(9_000_000_000_000)}} {
		if got := decodeArgs(encodeArgs(args)); !reflect.DeepEqual(got, args) {
			t.Errorf("%v came back %v", args, got)
		}
	}
	if got := decodeArgs("{not json"); got != nil {
		t.Errorf("damaged args read as %v", got)
	}
}
