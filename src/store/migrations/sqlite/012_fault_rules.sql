-- 012: fault rules (POST /admin/v1/faults): the next calls of an endpoint
-- answer a chosen code, slowly, or not at all. Every node reads them.
CREATE TABLE fault_rule (
    id INTEGER PRIMARY KEY,
    dialect TEXT NOT NULL,
    method TEXT NOT NULL,
    route TEXT NOT NULL,
    tenant_id INTEGER REFERENCES tenant (id) ON DELETE CASCADE,
    app_ref INTEGER REFERENCES fs_app (id) ON DELETE CASCADE,
    count INTEGER,
    ratio REAL,
    answer TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
