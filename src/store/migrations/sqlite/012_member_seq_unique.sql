-- 012: nothing on SQLite, where a member's seq is the rowid (007) and so unique
-- already. The PostgreSQL migration gives its identity column a unique index.
SELECT 1;
