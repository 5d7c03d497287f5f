-- 011: nothing on SQLite. The PostgreSQL migration adds the rate-limit counts
-- that several nodes on one database share; a SQLite database serves one node,
-- whose own counters are exact (docs/scale-out.md, "Rate limits").
SELECT 1;
