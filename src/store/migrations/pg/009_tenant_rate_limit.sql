-- A tenant's rate limits can be switched off (seed: tenants[].rate_limit = false),
-- so that load tests of one tenant run unthrottled while others stay throttled.
ALTER TABLE tenant ADD COLUMN rate_limit INTEGER NOT NULL DEFAULT 1;
