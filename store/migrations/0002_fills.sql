-- 0002: fills (issue 14). One row per execution hoga learned of, whether
-- from the broker's push, a change in its order list, or the paper
-- exchange. A fill's identity is its order and the order's cumulative
-- filled quantity after it (the push and the poll agree on that), or the
-- broker's execution number where it gives one (Kiwoom 909): a fill seen
-- twice, or again after a restart, is stored once. The order row keeps the
-- sums so /orders needs no join.

CREATE TABLE fills (
    id         INTEGER PRIMARY KEY,
    day        TEXT    NOT NULL,
    order_id   TEXT    NOT NULL,
    client_id  TEXT    NOT NULL DEFAULT '',
    code       TEXT    NOT NULL,
    side       TEXT    NOT NULL CHECK (side IN ('buy', 'sell')),
    qty        INTEGER NOT NULL CHECK (qty > 0),
    price      INTEGER NOT NULL CHECK (price > 0),
    cum_qty    INTEGER NOT NULL CHECK (cum_qty >= qty),
    exec_id    TEXT    NOT NULL DEFAULT '',
    commission INTEGER NOT NULL DEFAULT 0,
    tax        INTEGER NOT NULL DEFAULT 0,
    cost_price INTEGER NOT NULL DEFAULT 0,
    source     TEXT    NOT NULL DEFAULT '',
    late       INTEGER NOT NULL DEFAULT 0,
    filled_ns  INTEGER NOT NULL,
    seen_ns    INTEGER NOT NULL,
    UNIQUE (day, order_id, cum_qty)
) STRICT;

CREATE INDEX fills_by_day ON fills (day);
CREATE UNIQUE INDEX fills_by_exec_id ON fills (day, exec_id) WHERE exec_id <> '';

ALTER TABLE orders ADD COLUMN filled_qty INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN fill_amount INTEGER NOT NULL DEFAULT 0;
