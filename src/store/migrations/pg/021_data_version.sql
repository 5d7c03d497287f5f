-- The data version (store_data_version, svc_answers.c): every commit that
-- changed data moves it, after the COMMIT and before the write is answered;
-- a node keeps a rendered answer with the version it read before its
-- transaction began, and serves it while the version has not moved. A
-- sequence, not a row: moving it takes no lock a writer would wait on.
CREATE SEQUENCE qz_data_version;
