package kiwoom

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/hoga-trade/hoga/broker"
)

func rows(t *testing.T, js string) []orderRow {
	t.Helper()
	var r []orderRow
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatalf("rows: %v", err)
	}
	return r
}

func TestMergeOrders(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 3, 10, 0, 0, 0, broker.KST())
	tests := []struct {
		name      string
		all, open string
		want      []broker.Order
	}{
		{
			// The official ka10076 example: two sells filled in full.
			name: "filled_sells_official_example",
			all: `[{"ord_no":"0000037","stk_nm":"삼성전자","io_tp_nm":"-매도","ord_pric":"158200","ord_qty":"1","cntr_pric":"158200","cntr_qty":"1","oso_qty":"0","ord_stt":"체결","trde_tp":"보통","orig_ord_no":"0000000","ord_tm":"153815","stk_cd":"005930"},
			       {"ord_no":"0000036","stk_nm":"삼성전자","io_tp_nm":"-매도","ord_pric":"158200","ord_qty":"1","cntr_pric":"158200","cntr_qty":"1","oso_qty":"0","ord_stt":"체결","trde_tp":"보통","orig_ord_no":"0000000","ord_tm":"153806","stk_cd":"005930"}]`,
			open: `[]`,
			want: []broker.Order{
				{ID: "0000036", Code: "005930", Name: "삼성전자", Side: broker.Sell, Type: broker.Limit, Qty: 1, Price: 158200, FilledQty: 1, AvgFillPrice: 158200, LastFillPrice: 158200, Status: broker.StatusFilled, Time: time.Date(2026, 3, 3, 15, 38, 6, 0, broker.KST())},
				{ID: "0000037", Code: "005930", Name: "삼성전자", Side: broker.Sell, Type: broker.Limit, Qty: 1, Price: 158200, FilledQty: 1, AvgFillPrice: 158200, LastFillPrice: 158200, Status: broker.StatusFilled, Time: time.Date(2026, 3, 3, 15, 38, 15, 0, broker.KST())},
			},
		},
		{
			// The official ka10075 example: a market buy not yet traded,
			// plus a partly filled limit buy with a padded quantity.
			name: "open_and_partial",
			all:  `[]`,
			open: `[{"acnt_no":"1234567890","ord_no":"0000069","stk_cd":"005930","ord_stt":"접수","stk_nm":"삼성전자","ord_qty":"1","ord_pric":"0","oso_qty":"1","cntr_tot_amt":"0","orig_ord_no":"0000000","io_tp_nm":"+매수","trde_tp":"시장가","tm":"154113","cntr_qty":"0","cur_prc":"+74100"},
			        {"ord_no":"0000070","stk_cd":"A000660","ord_stt":"체결","stk_nm":"SK하이닉스","ord_qty":"000000000010","ord_pric":"000000180000","oso_qty":"000000000004","cntr_tot_amt":"1080000","io_tp_nm":"+매수","trde_tp":"보통","tm":"100000","cntr_qty":"6"}]`,
			want: []broker.Order{
				{ID: "0000069", Code: "005930", Name: "삼성전자", Side: broker.Buy, Type: broker.Market, Qty: 1, Status: broker.StatusAccepted, Time: time.Date(2026, 3, 3, 15, 41, 13, 0, broker.KST())},
				{ID: "0000070", Code: "000660", Name: "SK하이닉스", Side: broker.Buy, Type: broker.Limit, Qty: 10, Price: 180000, FilledQty: 6, AvgFillPrice: 180000, Status: broker.StatusPartial, Time: time.Date(2026, 3, 3, 10, 0, 0, 0, broker.KST())},
			},
		},
		{
			// A cancelled order listed with its cancel row: gone from the
			// open list, nothing traded.
			name: "cancelled_with_cancel_row",
			all: `[{"ord_no":"0000002","io_tp_nm":"매수취소","ord_qty":"1","ord_stt":"확인","orig_ord_no":"0000001","stk_cd":"005930","stk_nm":"삼성전자","trde_tp":"보통","ord_tm":"091001"},
			       {"ord_no":"0000001","io_tp_nm":"+매수","ord_qty":"1","ord_pric":"56800","cntr_qty":"0","oso_qty":"0","ord_stt":"접수","stk_cd":"005930","stk_nm":"삼성전자","trde_tp":"보통","ord_tm":"091000"}]`,
			open: `[]`,
			want: []broker.Order{
				{ID: "0000001", Code: "005930", Name: "삼성전자", Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 56800, Status: broker.StatusCancelled, Time: time.Date(2026, 3, 3, 9, 10, 0, 0, broker.KST())},
			},
		},
		{
			// ka10076 holding traded orders only: the cancelled order is
			// rebuilt from its cancel row.
			name: "cancelled_rebuilt_from_cancel_row",
			all:  `[{"ord_no":"0000005","io_tp_nm":"매도취소","ord_qty":"3","ord_pric":"0","ord_stt":"확인","orig_ord_no":"0000004","stk_cd":"035720","stk_nm":"카카오","trde_tp":"보통","ord_tm":"100500"}]`,
			open: `[]`,
			want: []broker.Order{
				{ID: "0000004", Code: "035720", Name: "카카오", Side: broker.Sell, Type: broker.Limit, Qty: 3, Status: broker.StatusCancelled, Time: time.Date(2026, 3, 3, 10, 5, 0, 0, broker.KST()), Note: "rebuilt from cancel 0000005"},
			},
		},
		{
			// Partly filled, then the rest cancelled: cancelled, with the
			// fill kept.
			name: "partial_then_cancelled",
			all: `[{"ord_no":"0000008","io_tp_nm":"-매도","ord_qty":"10","ord_pric":"42000","cntr_pric":"42000","cntr_qty":"4","oso_qty":"0","ord_stt":"체결","stk_cd":"035720","stk_nm":"카카오","trde_tp":"보통","ord_tm":"110000"},
			       {"ord_no":"0000009","io_tp_nm":"매도취소","ord_qty":"6","ord_stt":"확인","orig_ord_no":"0000008","stk_cd":"035720","trde_tp":"보통","ord_tm":"110100"}]`,
			open: `[]`,
			want: []broker.Order{
				{ID: "0000008", Code: "035720", Name: "카카오", Side: broker.Sell, Type: broker.Limit, Qty: 10, Price: 42000, FilledQty: 4, AvgFillPrice: 42000, LastFillPrice: 42000, Status: broker.StatusCancelled, Time: time.Date(2026, 3, 3, 11, 0, 0, 0, broker.KST())},
			},
		},
		{
			// A cancel still 접수 does not close an order that is open.
			name: "cancel_pending_order_still_open",
			all: `[{"ord_no":"0000011","io_tp_nm":"+매수","ord_qty":"2","ord_pric":"70000","cntr_qty":"0","oso_qty":"2","ord_stt":"접수","stk_cd":"005930","trde_tp":"보통","ord_tm":"120000"},
			       {"ord_no":"0000012","io_tp_nm":"매수취소","ord_qty":"2","ord_stt":"접수","orig_ord_no":"0000011","stk_cd":"005930","trde_tp":"보통","ord_tm":"120001"}]`,
			open: `[{"ord_no":"0000011","io_tp_nm":"+매수","ord_qty":"2","ord_pric":"70000","oso_qty":"2","cntr_qty":"0","ord_stt":"접수","stk_cd":"005930","trde_tp":"보통","tm":"120000"}]`,
			want: []broker.Order{
				{ID: "0000011", Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 2, Price: 70000, Status: broker.StatusAccepted, Time: time.Date(2026, 3, 3, 12, 0, 0, 0, broker.KST())},
			},
		},
		{
			name: "rejected_and_modified",
			all: `[{"ord_no":"0000021","io_tp_nm":"+매수","ord_qty":"1","ord_pric":"70000","cntr_qty":"0","oso_qty":"0","ord_stt":"거부","stk_cd":"005930","trde_tp":"보통","ord_tm":"130000"},
			       {"ord_no":"0000022","io_tp_nm":"+매수","ord_qty":"5","ord_pric":"69000","cntr_qty":"0","oso_qty":"0","ord_stt":"접수","stk_cd":"005930","trde_tp":"보통","ord_tm":"130100"},
			       {"ord_no":"0000023","io_tp_nm":"+매수정정","ord_qty":"5","ord_pric":"69500","cntr_qty":"0","oso_qty":"5","ord_stt":"확인","orig_ord_no":"0000022","stk_cd":"005930","trde_tp":"보통","ord_tm":"130200"}]`,
			open: `[{"ord_no":"0000023","io_tp_nm":"+매수정정","ord_qty":"5","ord_pric":"69500","oso_qty":"5","cntr_qty":"0","ord_stt":"접수","stk_cd":"005930","trde_tp":"보통","tm":"130200"}]`,
			want: []broker.Order{
				{ID: "0000021", Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 1, Price: 70000, Status: broker.StatusRejected, Time: time.Date(2026, 3, 3, 13, 0, 0, 0, broker.KST())},
				{ID: "0000022", Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 5, Price: 69000, Status: broker.StatusCancelled, Time: time.Date(2026, 3, 3, 13, 1, 0, 0, broker.KST()), Note: "정정 → 0000023"},
				{ID: "0000023", Code: "005930", Side: broker.Buy, Type: broker.Limit, Qty: 5, Price: 69500, Status: broker.StatusAccepted, Time: time.Date(2026, 3, 3, 13, 2, 0, 0, broker.KST())},
			},
		},
		{
			// One row per fill: the most advanced running total wins.
			name: "rows_per_fill",
			all: `[{"ord_no":"0000031","io_tp_nm":"+매수","ord_qty":"10","ord_pric":"0","cntr_pric":"71000","cntr_qty":"4","oso_qty":"6","ord_stt":"체결","stk_cd":"005930","trde_tp":"시장가","ord_tm":"140000"},
			       {"ord_no":"0000031","io_tp_nm":"+매수","ord_qty":"10","ord_pric":"0","cntr_pric":"71050","cntr_qty":"10","oso_qty":"0","ord_stt":"체결","stk_cd":"005930","trde_tp":"시장가","ord_tm":"140000"}]`,
			open: `[]`,
			want: []broker.Order{
				{ID: "0000031", Code: "005930", Side: broker.Buy, Type: broker.Market, Qty: 10, FilledQty: 10, AvgFillPrice: 71050, LastFillPrice: 71050, Status: broker.StatusFilled, Time: time.Date(2026, 3, 3, 14, 0, 0, 0, broker.KST())},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := mergeOrders(rows(t, tt.all), rows(t, tt.open), now)
			if err != nil {
				t.Fatalf("mergeOrders: %v", err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d orders %+v, want %d", len(got), got, len(tt.want))
			}
			for i := range got {
				if !got[i].Time.Equal(tt.want[i].Time) {
					t.Errorf("order %s time %v, want %v", got[i].ID, got[i].Time, tt.want[i].Time)
				}
				got[i].Time, tt.want[i].Time = time.Time{}, time.Time{}
				if got[i] != tt.want[i] {
					t.Errorf("order %d:\n got %+v\nwant %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestMergeOrdersBadNumber(t *testing.T) {
	t.Parallel()
	_, err := mergeOrders(rows(t, `[{"ord_no":"1","io_tp_nm":"+매수","ord_qty":"x1","stk_cd":"005930"}]`), nil, time.Now())
	if broker.KindOf(err) != broker.Internal {
		t.Fatalf("bad number: %v, want an internal error", err)
	}
	_, err = mergeOrders(rows(t, `[{"ord_no":"1","io_tp_nm":"??","ord_qty":"1","stk_cd":"005930"}]`), nil, time.Now())
	if broker.KindOf(err) != broker.Internal {
		t.Fatalf("no side: %v, want an internal error", err)
	}
}

// TestTypeAndSessionOf: 매매구분 by word or code (kt10000 trde_tp, Kiwoom-REST-API
// buy_domestic_stock.py): the closing-price types read as market orders of
// their session, 시간외단일가 as a limit order of its own.
func TestTypeAndSessionOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		typ     broker.OrderType
		session broker.SessionKind
	}{
		{"보통", broker.Limit, ""},
		{"시장가", broker.Market, ""},
		{"3", broker.Market, ""},
		{"장시작전시간외", broker.Market, broker.KRXPreClosing},
		{"61", broker.Market, broker.KRXPreClosing},
		{"장마감후시간외", broker.Market, broker.KRXAfterClosing},
		{"81", broker.Market, broker.KRXAfterClosing},
		{"시간외단일가", broker.Limit, broker.KRXAfterSingle},
		{"62", broker.Limit, broker.KRXAfterSingle},
	}
	for _, tt := range tests {
		if typ, s := typeOf(tt.in), sessionOf(tt.in); typ != tt.typ || s != tt.session {
			t.Errorf("%q: %v %q; want %v %q", tt.in, typ, s, tt.typ, tt.session)
		}
	}
}
