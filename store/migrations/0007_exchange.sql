-- 0007: the exchange a SOR order traded on (issue 16), as the broker's fill
-- notice said (KIS H0STCNI0/9 ORD_EXG_GB: 3 SOR-KRX, 4 SOR-NXT): 'KRX' or
-- 'NXT', 'SOR' when its fills came from both, '' when no notice has said.
-- KIS's order list (inquire-daily-ccld) names only the venue an order was
-- sent to, so before this step a restart forgot where a SOR order went and
-- /orders showed "SOR" until its next notice. Rows written before this
-- step have no exchange.

ALTER TABLE orders ADD COLUMN exchange TEXT NOT NULL DEFAULT '' CHECK (exchange IN ('', 'KRX', 'NXT', 'SOR'));
