-- 0001: the order journal, its cancel log and key/value settings.
--
-- Times are Unix nanoseconds (UTC); day is the KST trading date of the row
-- (YYYY-MM-DD) so per-day queries and counts use an index rather than a
-- time-zone computation in SQL.

CREATE TABLE orders (
    id         INTEGER PRIMARY KEY,
    client_id  TEXT    NOT NULL UNIQUE,
    day        TEXT    NOT NULL,
    source     TEXT    NOT NULL DEFAULT '',
    user_id    TEXT    NOT NULL DEFAULT '',
    code       TEXT    NOT NULL,
    side       TEXT    NOT NULL CHECK (side IN ('buy', 'sell')),
    type       TEXT    NOT NULL CHECK (type IN ('limit', 'market')),
    qty        INTEGER NOT NULL CHECK (qty > 0),
    price      INTEGER NOT NULL CHECK (price >= 0),
    state      TEXT    NOT NULL,
    broker_id  TEXT    NOT NULL DEFAULT '',
    branch     TEXT    NOT NULL DEFAULT '',
    err_kind   TEXT    NOT NULL DEFAULT '',
    err_code   TEXT    NOT NULL DEFAULT '',
    err_msg    TEXT    NOT NULL DEFAULT '',
    note       TEXT    NOT NULL DEFAULT '',
    expired    INTEGER NOT NULL DEFAULT 0,
    created_ns INTEGER NOT NULL,
    updated_ns INTEGER NOT NULL
) STRICT;

CREATE INDEX orders_by_day ON orders (day);
CREATE INDEX orders_by_broker_id ON orders (broker_id) WHERE broker_id <> '';
CREATE INDEX orders_unresolved ON orders (state) WHERE state IN ('pending', 'unknown') AND expired = 0;

CREATE TABLE cancels (
    id         INTEGER PRIMARY KEY,
    day        TEXT    NOT NULL,
    order_id   TEXT    NOT NULL,
    client_id  TEXT    NOT NULL DEFAULT '',
    source     TEXT    NOT NULL DEFAULT '',
    user_id    TEXT    NOT NULL DEFAULT '',
    state      TEXT    NOT NULL,
    cancel_id  TEXT    NOT NULL DEFAULT '',
    err_kind   TEXT    NOT NULL DEFAULT '',
    err_code   TEXT    NOT NULL DEFAULT '',
    err_msg    TEXT    NOT NULL DEFAULT '',
    created_ns INTEGER NOT NULL,
    updated_ns INTEGER NOT NULL
) STRICT;

CREATE INDEX cancels_by_day ON cancels (day);

CREATE TABLE settings (
    key        TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    updated_ns INTEGER NOT NULL
) STRICT;
