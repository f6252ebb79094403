-- 0006: the KRX off-hours session an order was sent for (issue 16):
-- krx_pre_closing / krx_after_closing for a closing-price order (시간외 종가,
-- KIS ORD_DVSN 05/06, Kiwoom trde_tp 61/81), krx_after_single for 시간외
-- 단일가 (ORD_DVSN 07, trde_tp 62), '' for an ordinary order. A closing-price
-- order is journaled as type 'market' with no price, so without this column
-- it could not be told from a market order: an HTTP retry under the same
-- Idempotency-Key that changed "close" to "market" matched the row, and
-- after a restart /orders showed it as a market order. Rows written before
-- this step read as ordinary orders.

ALTER TABLE orders ADD COLUMN session TEXT NOT NULL DEFAULT '';
