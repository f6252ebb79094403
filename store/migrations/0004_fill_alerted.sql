-- 0004: whether the owner has been told of each fill. A fill is stored
-- before its alert is sent, and the alert waits in memory (Telegram may be
-- down): a restart in between lost it. New fills are stored with
-- alerted = 0 and marked when a transport has delivered the alert; at start
-- hoga sends the alerts of fills still unmarked (issue 14). Fills stored
-- before this migration were alerted by the hoga that stored them, as far
-- as anyone can know now: 1.

ALTER TABLE fills ADD COLUMN alerted INTEGER NOT NULL DEFAULT 1;

CREATE INDEX fills_unalerted ON fills (day) WHERE alerted = 0;
