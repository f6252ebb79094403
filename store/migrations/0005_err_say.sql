-- 0005: hoga's own refusal as its catalog words it (issue 12, item 12):
-- the sentence's key (broker.Error.Say) and its arguments as a JSON array,
-- so /orders says a stored rejection in the reader's language instead of
-- err_msg, the log's English. Rows written before this step have neither
-- and are worded from err_kind.

ALTER TABLE orders ADD COLUMN err_say TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN err_args TEXT NOT NULL DEFAULT '';
