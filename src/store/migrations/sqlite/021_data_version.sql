-- The data version (store_data_version) of a SQLite database lives in the
-- one process that writes it (store_sqlite.c): nothing is stored. This
-- migration keeps the two backends' numbering in step.
SELECT 1;
