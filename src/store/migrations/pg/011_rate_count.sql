-- 011: rate-limit counts shared by the nodes on one database. Each node adds
-- the calls it admitted in a window since its last sync and reads the others'
-- back (src/svc/svc_rate.c). The counts are throwaway: UNLOGGED skips the WAL,
-- and a crash that empties the table only forgets the open windows' counts.
CREATE UNLOGGED TABLE rate_count (
    rkey BIGINT NOT NULL,
    window_ms BIGINT NOT NULL,
    start_ms BIGINT NOT NULL,
    ends_ms BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (rkey, window_ms, start_ms)
);
CREATE INDEX rate_count_ends ON rate_count (ends_ms);
