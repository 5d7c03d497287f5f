-- 023: the outbox's indexes cost every event less.
-- The index on (delivered_at, id), made with the table in 002 for a delivery pass that
-- found undelivered records by it, goes: since 006 deliveries find their records by
-- state, and no statement reads delivered_at in a condition or an order.
DROP INDEX IF EXISTS outbox_pending;
-- Per-app delivery order (the claims' "no older record of the app in flight" and the
-- long connections' due check) only ever reads pending records: the index keeps only
-- those, so a record written settled (an app that does not take the event) or settled
-- since (delivered, failed) leaves it.
DROP INDEX IF EXISTS outbox_app_order;
CREATE INDEX outbox_app_order ON outbox (app_ref, state, id) WHERE state = 'pending';
