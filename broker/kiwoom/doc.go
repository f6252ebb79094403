// Package kiwoom is hoga's client for Kiwoom Securities' REST API
// (api.kiwoom.com; mockapi.kiwoom.com for 모의투자). It implements
// broker.Broker over plain net/http and encoding/json.
//
// The wire facts come from shared/broker-api/kiwoom.md, which cites the
// official Kiwoom-Securities/Kiwoom-REST-API repository and reports from live
// accounts. Three facts shape this package more than any other:
//
//   - Every call is a POST whose api-id header picks the TR. The account
//     is implied by the token, so no account number is ever sent.
//   - Numbers arrive as strings in several dialects: direction-signed prices
//     ("-239500" is a price of 239,500 on a down day), zero-padded signed
//     15-character amounts ("-00000000196888"), commas and blanks. One
//     tolerant parser (number.go) reads them all.
//   - Failures come in two encodings: return_code as a small class with the
//     documented 4-digit code in brackets inside return_msg (observed live),
//     or return_code as the code itself (assumed by the official client).
//     errors.go reads both and maps the codes to broker kinds in one table.
//
// Wire shapes compared with Kiwoom's own client (Kiwoom-Securities/
// Kiwoom-REST-API; issue 12.1), key for key, each against the "# 2. 요청
// 파라미터 바디" block of the example with its defaults, and against
// kenshin579/kiwoom-go's generated request structs (every key, no
// omitempty). TestBodiesMatchOfficialExamples replays every call and holds
// the key sets; TestOrderBodyValuesMatchOfficialExamples the order values.
//   - au10001 token body: kiwoom/core/auth.py refresh_access_token —
//     grant_type "client_credentials", appkey, secretkey; only Content-Type
//     "application/json;charset=UTF-8", no api-id or authorization. Same.
//   - every TR: kiwoom/core/client.py request — Content-Type, api-id,
//     authorization "Bearer …"; cont-yn/next-key only on a continuation
//     (fetch_page passes them when not None). Same.
//   - kt10000/kt10001 buy and sell: examples/국내주식/주문/
//     buy_domestic_stock.py, sell_domestic_stock.py — dmst_stex_tp, stk_cd,
//     ord_qty, trde_tp, ord_uv, cond_uv; the __main__ market order sends
//     trde_tp "3" with ord_uv "" and cond_uv "". hoga: "0" 보통 with ord_uv,
//     "3" 시장가 with "", cond_uv always "". Same.
//   - kt10003 cancel: 주문/cancel_domestic_stock_order.py — dmst_stex_tp,
//     orig_ord_no, stk_cd, cncl_qty ("'0' 입력시 잔량 전부 취소"). Same.
//   - ka10001 quote: 종목정보/get_domestic_stock_info.py — stk_cd, with the
//     venue suffix of its docstring (KRX 039490, NXT 039490_NX, SOR
//     039490_AL). Same. ka10100: 종목정보/get_domestic_stock_detail.py —
//     stk_cd. Same.
//   - ka00001 account: 계좌/list_domestic_accounts.py, no keys; the client
//     sends {} (json=body or {}). hoga sends {}. Same.
//   - kt00018 balance: 계좌/get_domestic_account_evaluation_balance.py —
//     qry_tp "1", dmst_stex_tp "KRX" (its __main__). Same. kt00001:
//     계좌/get_domestic_deposit_detail.py — qry_tp ("3" 추정조회). Same.
//   - ka10075 open orders: 계좌/get_domestic_unfilled_orders.py —
//     all_stk_tp, trde_tp, stex_tp and stk_cd (sent whenever not None).
//     ka10076 fills: 계좌/get_domestic_filled_orders.py — qry_tp, sell_tp,
//     stex_tp, stk_cd and ord_no. hoga used to leave out stk_cd (both) and
//     ord_no (ka10076); it now sends them empty, as kiwoom-go does, with
//     "0" 전체 in all_stk_tp/qry_tp so the empty code selects every stock.
//   - token refusals: the client re-issues on return_code 8005, 8031 and
//     8103 once (client.py request); hoga does the same and also on 8003,
//     8010 and 1516 (errors.go refreshCodes), once per request.
//
// Orders are never resent once they may have reached Kiwoom: a timeout, a
// reset or a server error after the request was written is UnknownOutcome,
// left to broker/guard to reconcile with OrdersToday.
package kiwoom
