package brokertest

import (
	"context"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/paper"
	"github.com/hoga-trade/hoga/clock"
)

// One table, one price per stock (issue 13, item 3): unless a test lists
// its own, the KIS fake, the Kiwoom fake and the paper exchange list the
// same stocks under the same names at the same prices, so /help's
// "/buy 005930 3 198000" means the same on all three.
func TestFakesListThePaperTable(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(time.Date(2026, 3, 3, 10, 0, 0, 0, broker.KST()))
	ex, err := paper.New(paper.Options{Clock: clk, Freeze: true, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ex.Close() })
	kis := NewKIS(t, KISFakeOptions{Clock: clk})
	kw := NewKiwoomServer(KiwoomFakeOptions{Clock: clk})
	t.Cleanup(kw.Close)
	names := paper.Stocks()
	if len(kis.Codes()) != len(names) || len(kw.Codes()) != len(names) {
		t.Fatalf("KIS fake lists %d, Kiwoom fake %d, paper %d", len(kis.Codes()), len(kw.Codes()), len(names))
	}
	for _, st := range ListedStocks() {
		q, err := ex.Quote(context.Background(), broker.Code(st.Code))
		if err != nil {
			t.Fatalf("paper %s: %v", st.Code, err)
		}
		kp, _ := kis.Price(st.Code)
		wp, _ := kw.Price(st.Code)
		if q.Price != st.Price || kp != st.Price || wp != st.Price || q.Name != st.Name || names[broker.Code(st.Code)] != st.Name {
			t.Errorf("%s %s: paper %s at %d, KIS fake %d, Kiwoom fake %d; want %d", st.Code, st.Name, q.Name, q.Price, kp, wp, st.Price)
		}
	}
}
