-- 015: Feishu uploads. A resource is an image or a file key an app uploaded;
-- its bytes live outside the database, in a file named by their SHA-256
-- (upload_dir), counted once in fs_blob however many keys share them.
CREATE TABLE fs_blob (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE fs_resource (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    res_key TEXT NOT NULL UNIQUE,
    app_ref INTEGER NOT NULL,
    kind TEXT NOT NULL,
    sub_type TEXT NOT NULL,
    file_name TEXT NOT NULL,
    duration INTEGER NOT NULL,
    mime TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL REFERENCES fs_blob(sha256),
    created_at INTEGER NOT NULL
);
