package kiwoom_test

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/hoga-trade/hoga/broker"
	"github.com/hoga-trade/hoga/broker/brokertest"
	"github.com/hoga-trade/hoga/broker/kiwoom"
)

// officialBodies is, per api-id, the keys Kiwoom's own client sends
// (Kiwoom-Securities/Kiwoom-REST-API, examples/…, the "# 2. 요청 파라미터
// 바디" block of each file, with every optional key at its default), checked
// against kenshin579/kiwoom-go's generated request structs, which send every
// key the spec lists (no omitempty). doc.go says the same, file by file.
var officialBodies = map[string][]string{
	// kiwoom/core/auth.py, refresh_access_token: payload.
	"au10001": {"appkey", "grant_type", "secretkey"},
	// 계좌/list_domestic_accounts.py; the client sends json=body or {}.
	"ka00001": {},
	// 종목정보/get_domestic_stock_info.py.
	"ka10001": {"stk_cd"},
	// 종목정보/get_domestic_stock_detail.py.
	"ka10100": {"stk_cd"},
	// 주문/buy_domestic_stock.py and sell_domestic_stock.py: ord_uv and
	// cond_uv are sent as '' when unused (the __main__ market order).
	"kt10000": {"cond_uv", "dmst_stex_tp", "ord_qty", "ord_uv", "stk_cd", "trde_tp"},
	"kt10001": {"cond_uv", "dmst_stex_tp", "ord_qty", "ord_uv", "stk_cd", "trde_tp"},
	// 주문/cancel_domestic_stock_order.py.
	"kt10003": {"cncl_qty", "dmst_stex_tp", "orig_ord_no", "stk_cd"},
	// 계좌/get_domestic_account_evaluation_balance.py.
	"kt00018": {"dmst_stex_tp", "qry_tp"},
	// 계좌/get_domestic_deposit_detail.py.
	"kt00001": {"qry_tp"},
	// 계좌/get_domestic_unfilled_orders.py: stk_cd is sent whenever it is
	// not None (its default is a code); kiwoom-go sends "" for "all".
	"ka10075": {"all_stk_tp", "stex_tp", "stk_cd", "trde_tp"},
	// 계좌/get_domestic_filled_orders.py: stk_cd and ord_no likewise (ord_no
	// '' = no "older than this order" cursor).
	"ka10076": {"ord_no", "qry_tp", "sell_tp", "stex_tp", "stk_cd"},
}

// TestBodiesMatchOfficialExamples replays every call hoga makes and
// compares each body's keys with Kiwoom's own examples (issue 12, item 1,
// Kiwoom half), and every value is a JSON string as the spec's examples are.
func TestBodiesMatchOfficialExamples(t *testing.T) {
	t.Parallel()
	rec := &recorder{next: http.DefaultTransport}
	c, _ := newClient(t, brokertest.KiwoomFakeOptions{Stocks: kwStocks}, kiwoom.Options{HTTPClient: &http.Client{Transport: rec}})
	if _, err := c.Account(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Quote(ctx, "005930"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.NXTListed(ctx, "005930"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Balance(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.OrdersToday(ctx); err != nil {
		t.Fatal(err)
	}
	buy, err := c.PlaceOrder(ctx, broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 60_000})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PlaceOrder(ctx, broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Market, Qty: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PlaceOrder(ctx, broker.OrderRequest{Code: "005930", Side: broker.Sell, Type: broker.Market, Qty: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CancelOrder(ctx, broker.CancelRequest{OrderID: buy.ID, Code: "005930"}); err != nil {
		t.Fatal(err)
	}

	seen := map[string]bool{}
	for _, r := range rec.all() {
		id := r.header.Get("api-id")
		if r.path == "/oauth2/token" {
			id = "au10001"
		}
		want, ok := officialBodies[id]
		if !ok {
			t.Errorf("%s: no official example on record for this api-id; add it here and in doc.go", id)
			continue
		}
		seen[id] = true
		var body map[string]any
		if err := json.Unmarshal([]byte(r.body), &body); err != nil {
			t.Errorf("%s: body %q is not a JSON object: %v", id, r.body, err)
			continue
		}
		got := make([]string, 0, len(body))
		for k, v := range body {
			got = append(got, k)
			if _, isString := v.(string); !isString {
				t.Errorf("%s: %s is %T, the examples send strings", id, k, v)
			}
		}
		sort.Strings(got)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s body keys\n got %v\nwant %v (official example)", id, got, want)
		}
	}
	for id := range officialBodies {
		if !seen[id] {
			t.Errorf("%s was never sent: the replay misses a call", id)
		}
	}
}

// TestOrderBodyValuesMatchOfficialExamples holds the values the examples
// give for the fields hoga fills: trde_tp "0" 보통 with ord_uv, "3" 시장가
// with ord_uv "" (buy_domestic_stock.py's __main__), and cncl_qty "0" for
// "잔량 전부 취소" (cancel_domestic_stock_order.py's docstring).
func TestOrderBodyValuesMatchOfficialExamples(t *testing.T) {
	t.Parallel()
	rec := &recorder{next: http.DefaultTransport}
	c, _ := newClient(t, brokertest.KiwoomFakeOptions{Stocks: kwStocks}, kiwoom.Options{HTTPClient: &http.Client{Transport: rec}})
	if _, err := c.PlaceOrder(ctx, broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Market, Qty: 1}); err != nil {
		t.Fatal(err)
	}
	lim, err := c.PlaceOrder(ctx, broker.OrderRequest{Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 2, Price: 60_000})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PlaceOrder(ctx, broker.OrderRequest{Code: "005930", Side: broker.Sell, Type: broker.Market, Qty: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CancelOrder(ctx, broker.CancelRequest{OrderID: lim.ID, Code: "005930"}); err != nil {
		t.Fatal(err)
	}
	// In the order sent: a market buy (to have a share to sell), a limit
	// buy, a market sell, the cancel of the limit buy.
	want := []map[string]string{
		{"api-id": "kt10000", "dmst_stex_tp": "KRX", "stk_cd": "005930", "ord_qty": "1", "trde_tp": "3", "ord_uv": "", "cond_uv": ""},
		{"api-id": "kt10000", "dmst_stex_tp": "KRX", "stk_cd": "005930", "ord_qty": "2", "trde_tp": "0", "ord_uv": "60000", "cond_uv": ""},
		{"api-id": "kt10001", "dmst_stex_tp": "KRX", "stk_cd": "005930", "ord_qty": "1", "trde_tp": "3", "ord_uv": "", "cond_uv": ""},
		{"api-id": "kt10003", "dmst_stex_tp": "KRX", "orig_ord_no": lim.ID, "stk_cd": "005930", "cncl_qty": "0"},
	}
	for _, r := range rec.all() {
		id := r.header.Get("api-id")
		if !strings.HasPrefix(id, "kt1000") {
			continue
		}
		if len(want) == 0 {
			t.Fatalf("extra order request %s %s", id, r.body)
		}
		w := want[0]
		want = want[1:]
		var got map[string]string
		if err := json.Unmarshal([]byte(r.body), &got); err != nil {
			t.Fatal(err)
		}
		got["api-id"] = id
		for k, v := range w {
			if got[k] != v {
				t.Errorf("%s %s = %q, want %q (body %s)", id, k, got[k], v, r.body)
			}
		}
	}
	if len(want) != 0 {
		t.Errorf("never sent: %v", want)
	}
}
