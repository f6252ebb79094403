package guard

import (
	"context"
	"errors"
	"testing"

	"github.com/hoga-trade/hoga/broker"
)

// heldBroker is the fake broker holding one position, with its balance
// call counted and optionally failing.
type heldBroker struct {
	*fakeBroker
	pos      broker.Position
	balErr   error
	balCalls int
}

func (h *heldBroker) Balance(ctx context.Context) (broker.Balance, error) {
	h.balCalls++
	if h.balErr != nil {
		return broker.Balance{}, h.balErr
	}
	return broker.Balance{Cash: 1_000_000, Positions: []broker.Position{h.pos}}, nil
}

// TestSellPastCommittedRefused: a sell for more than the shares held minus
// those already in hoga's open sells is refused before the broker is asked
// (issue 14, positions), with the numbers for the owner's reply; the
// broker's own sellable quantity (which nets the open sells it already
// has) is never undercut twice; buys and an unreadable balance pass.
func TestSellPastCommittedRefused(t *testing.T) {
	t.Parallel()
	sell := func(qty int64) broker.OrderRequest {
		r := limitBuy(qty, 70_000)
		r.Side = broker.Sell
		return r
	}
	tests := []struct {
		name             string
		held, sellable   int64
		buying, selling  int64
		balErr           error
		req              broker.OrderRequest
		refused          bool
		room             broker.SellRoom
		wantBalanceCalls int
	}{
		// No open sell: the broker decides, and no balance call is spent.
		{name: "no_open_sell", held: 10, sellable: 10, req: sell(10)},
		{name: "no_open_sell_over_held_broker_decides", held: 10, sellable: 10, req: sell(11)},
		{name: "over_held", held: 10, sellable: 10, selling: 1, req: sell(11), refused: true,
			room: broker.SellRoom{Qty: 11, Held: 10, Committed: 1, Free: 9}, wantBalanceCalls: 1},
		{name: "committed_not_yet_netted", held: 10, sellable: 10, selling: 6, req: sell(5), refused: true,
			room: broker.SellRoom{Qty: 5, Held: 10, Committed: 6, Free: 4}, wantBalanceCalls: 1},
		{name: "committed_rest_ok", held: 10, sellable: 10, selling: 6, req: sell(4), wantBalanceCalls: 1},
		// The broker already nets the open sell (sellable 4): counting it
		// again would leave -2 free; hoga caps the held quantity instead.
		{name: "broker_netted_not_twice", held: 10, sellable: 4, selling: 6, req: sell(4), wantBalanceCalls: 1},
		{name: "all_in_open_sells", held: 5, sellable: 5, selling: 5, req: sell(1), refused: true,
			room: broker.SellRoom{Qty: 1, Held: 5, Committed: 5}, wantBalanceCalls: 1},
		{name: "open_buys_do_not_count", held: 0, buying: 10, selling: 1, req: sell(1), refused: true,
			room: broker.SellRoom{Qty: 1}, wantBalanceCalls: 1},
		{name: "buy_not_checked", held: 0, selling: 5, req: limitBuy(1, 70_000), wantBalanceCalls: 0},
		{name: "balance_unreadable_broker_decides", selling: 1, balErr: &broker.Error{Kind: broker.Transient, Msg: "timeout"},
			req: sell(1), wantBalanceCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var hb *heldBroker
			e := newEnv(t, func(o *Options) {
				hb = &heldBroker{fakeBroker: o.Broker.(*fakeBroker), balErr: tt.balErr,
					pos: broker.Position{Code: "005930", Qty: tt.held, Sellable: tt.sellable}}
				o.Broker = hb
				o.Committed = func(c broker.Code) (int64, int64) {
					if c != "005930" {
						return 0, 0
					}
					return tt.buying, tt.selling
				}
			})
			_, err := e.g.PlaceOrder(context.Background(), tt.req)
			if hb.balCalls != tt.wantBalanceCalls {
				t.Errorf("balance calls = %d; want %d", hb.balCalls, tt.wantBalanceCalls)
			}
			if !tt.refused {
				if err != nil {
					t.Fatalf("PlaceOrder: %v; want accepted", err)
				}
				return
			}
			wantKind(t, err, broker.InsufficientFunds)
			if be, _ := broker.AsError(err); be.Code != "sell_committed" {
				t.Errorf("code = %q; want sell_committed", be.Code)
			}
			var room *broker.SellRoom
			if !errors.As(err, &room) || *room != tt.room {
				t.Errorf("room = %+v; want %+v", room, tt.room)
			}
			if e.fb.placeCalls != 0 {
				t.Errorf("the broker was asked %d times; want refused before it", e.fb.placeCalls)
			}
			if n, _ := e.db.CountOrdersOn(context.Background(), e.clk.Now()); n != 0 {
				t.Errorf("%d journal rows; a refusal before the broker writes none", n)
			}
		})
	}
}

// TestExitSellWithAnOpenSellReadsTheBalanceOnce: a protective exit's sell
// while hoga has another sell open needs the balance twice — for the shares
// not yet committed (checkSellable) and for the order-limit exemption
// (checkProtective) — and one read answers both: the broker is asked once
// per order, counted at the fake. A failed read is not retried within the
// order (each check falls back as it says: the broker decides, the limits
// apply).
func TestExitSellWithAnOpenSellReadsTheBalanceOnce(t *testing.T) {
	t.Parallel()
	exitSell := func(qty int64) broker.OrderRequest {
		return broker.OrderRequest{Code: "005930", Side: broker.Sell, Type: broker.Market, Qty: qty,
			Source: "strategy", User: broker.ExitUserPrefix + "005930:stop"}
	}
	tests := []struct {
		name    string
		selling int64
		balErr  error
		req     broker.OrderRequest
		placed  bool
	}{
		{name: "open_sell", selling: 4, req: exitSell(6), placed: true},
		{name: "open_sell_too_many", selling: 4, req: exitSell(7)},
		{name: "no_open_sell", req: exitSell(10), placed: true},
		{name: "unreadable", selling: 4, balErr: &broker.Error{Kind: broker.Transient, Msg: "timeout"}, req: exitSell(6)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var hb *heldBroker
			e := newEnv(t, func(o *Options) {
				// Limits on, so the exemption is asked for: 10 shares at
				// the fake's price are over 1 won.
				o.MaxOrderKRW, o.MaxDailyOrders = 1, 100
				hb = &heldBroker{fakeBroker: o.Broker.(*fakeBroker), balErr: tt.balErr,
					pos: broker.Position{Code: "005930", Qty: 10, Sellable: 10}}
				o.Broker = hb
				o.Committed = func(c broker.Code) (int64, int64) { return 0, tt.selling }
			})
			_, err := e.g.PlaceOrder(context.Background(), tt.req)
			if hb.balCalls != 1 {
				t.Errorf("balance calls = %d; want 1 for one order", hb.balCalls)
			}
			if tt.placed != (err == nil) {
				t.Errorf("PlaceOrder: %v; want placed %v", err, tt.placed)
			}
		})
	}
}
