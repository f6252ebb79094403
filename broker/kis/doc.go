// Package kis is hoga's client for the Korea Investment & Securities
// "KIS Developers" REST API, domestic (KRX) stocks, real (실전) and mock
// (모의투자) accounts.
//
// The broker's rules it keeps, all from shared/broker-api/kis.md:
//   - one access token a minute at most, persisted per app key and mode so
//     a restart reuses it, renewed before it runs out (10 minutes before
//     expiry, and at 08:50 KST when it would otherwise expire during the
//     session); single-flight so concurrent callers share one issuance;
//   - a client-side pace (18/s live, 1.8/s mock by default, never more
//     than KIS's 20 or 2 in any second; pace.Limiter) in front of every
//     request, and bounded exponential backoff on EGW00201;
//   - every body read and decoded whatever the HTTP status, rt_cd "0" as
//     the only success, msg_cd mapped to broker error kinds in one table;
//   - orders never sent twice: once an order request may have reached KIS,
//     any failure without a clear rejection is broker.UnknownOutcome, and
//     only a refused connection, a rate-limit rejection or a token
//     rejection (all of which prove KIS did nothing) is retried.
//
// Wire shapes compared with KIS's official samples (koreainvestment/
// open-trading-api, examples_llm/…; issue 12.1), key for key:
//   - order-cash body: domestic_stock/order_cash/order_cash.py lines
//     120-130 and MCP/Kis Trading MCP/configs/domestic_stock.json
//     (order_cash): all nine keys CANO, ACNT_PRDT_CD, PDNO, ORD_DVSN,
//     ORD_QTY, ORD_UNPR, EXCG_ID_DVSN_CD, SLL_TYPE, CNDT_PRIC, "" where
//     unused. hoga used to leave SLL_TYPE out of buys and CNDT_PRIC out of
//     everything; fixed, and the fake refuses an incomplete body with
//     IGW00007 as KIS does.
//   - order-rvsecncl body: domestic_stock/order_rvsecncl/order_rvsecncl.py
//     lines 113-124: the same ten keys (CNDT_PRIC is optional there).
//   - inquire-daily-ccld query: domestic_stock/inquire_daily_ccld/
//     inquire_daily_ccld.py lines 156-171: the same fourteen keys, plus
//     EXCG_ID_DVSN_CD "KRX", which the MCP config's inquire_daily_ccld
//     lists with that default. output1 must be an array (see decodeList).
//   - inquire-balance query: domestic_stock/inquire_balance/
//     inquire_balance.py lines 122-134: the same eleven keys.
//   - inquire-psbl-order query: domestic_stock/inquire_psbl_order/
//     inquire_psbl_order.py lines 102-110: the same seven keys; the
//     output field used is nrcvb_buy_amt (chk_inquire_psbl_order.py line
//     28), not ord_psbl_cash (line 23), which leaves out today's sales.
//   - inquire-price query: domestic_stock/inquire_price/inquire_price.py
//     lines 66-69; inquire-daily-itemchartprice: domestic_stock/
//     inquire_daily_itemchartprice/inquire_daily_itemchartprice.py lines
//     86-93: the same keys.
//   - tokenP body: examples_llm/kis_auth.py lines 195-209 (grant_type,
//     appkey, appsecret); Approval: lines 476-485 (secretkey).
//
// App keys, secrets, tokens and account numbers are carried in types that
// log and print redacted (redact.Secret, Account).
package kis
