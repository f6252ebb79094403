package bot

import (
	"context"
	"testing"

	"github.com/hoga-trade/hoga/broker"
)

// countingChecker is the guard's dry run, counted.
type countingChecker struct {
	n   int
	err error
}

func (c *countingChecker) Check(context.Context, broker.OrderRequest) error {
	c.n++
	return c.err
}

// TestConfirmerChecksOnceAndReturnsTheRealError: one dry run and one quote
// per prompt; a refusal comes back as the guard's own error, nothing is
// published; a prompt goes out with buttons and its expiry.
func TestConfirmerChecksOnceAndReturnsTheRealError(t *testing.T) {
	t.Parallel()
	fb := newFakeBroker()
	chk := &countingChecker{}
	r, clk := newTestRouter(t, fb, func(c *Config) { c.Mode, c.Checker = "live", chk })
	rec := &alertRecorder{}
	feed := NewFeed(FeedConfig{})
	feed.AddSink(rec)
	c := Confirmer{Router: r, Feed: feed}
	req := broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 70_000, ClientID: "Hx", Source: "http"}

	if err := c.AskConfirm(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if chk.n != 1 || fb.Calls("quote") != 1 {
		t.Fatalf("checks %d, quotes %d; want 1 and 1", chk.n, fb.Calls("quote"))
	}
	if len(rec.alerts) != 1 || len(rec.alerts[0].Buttons) != 2 || rec.alerts[0].Type != AlertConfirm ||
		!rec.alerts[0].Expires.Equal(clk.Now().Add(r.cfg.ConfirmTTL)) {
		t.Fatalf("alerts %+v", rec.alerts)
	}

	chk.err = &broker.Error{Kind: broker.Halted, Msg: "halted"}
	err := c.AskConfirm(context.Background(), req)
	if broker.KindOf(err) != broker.Halted || chk.n != 2 || fb.Calls("quote") != 1 || len(rec.alerts) != 1 {
		t.Fatalf("refusal: %v (checks %d, quotes %d, alerts %d)", err, chk.n, fb.Calls("quote"), len(rec.alerts))
	}

	chk.err = nil
	if _, err := c.Prompt(context.Background(), broker.OrderRequest{Code: "000660", Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 1000}); broker.KindOf(err) != broker.NotFound {
		t.Fatalf("quote failure: %v; want the quote's own NotFound", err)
	}
}
