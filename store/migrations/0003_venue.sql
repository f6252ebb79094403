-- 0003: the venue an order was sent to (issue 16): KRX, NXT or SOR, as the
-- brokers' wire fields take it (KIS EXCG_ID_DVSN_CD, Kiwoom dmst_stex_tp).
-- A cancel must go to the venue of its order, and reconciliation matches
-- on it. Rows written before this step were all sent to KRX, the only
-- venue hoga knew then, so they read as KRX.

ALTER TABLE orders ADD COLUMN venue TEXT NOT NULL DEFAULT 'KRX' CHECK (venue IN ('KRX', 'NXT', 'SOR'));
