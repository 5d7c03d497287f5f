-- 026: the outbox loses its index on (delivered_at, id), made with the table in 002 for
-- a delivery pass that found undelivered records by it. Since 006 deliveries find
-- their records by state (outbox_due, outbox_app_order) and no statement reads
-- delivered_at in a condition or an order; the index only cost every event a write.
DROP INDEX IF EXISTS outbox_pending;
