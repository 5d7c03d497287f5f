-- 001: tenants, identities, tokens, knowledge-base categories.
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE tenant (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    is_demo INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

CREATE TABLE person (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    user_id TEXT NOT NULL,
    union_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    email TEXT,
    udesk_agent_id INTEGER,
    UNIQUE (tenant_id, user_id)
);

CREATE TABLE fs_tenant (
    tenant_id INTEGER PRIMARY KEY REFERENCES tenant(id),
    tenant_key TEXT NOT NULL UNIQUE
);

CREATE TABLE fs_app (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    app_id TEXT NOT NULL UNIQUE,
    app_secret TEXT NOT NULL,
    name TEXT NOT NULL
);

CREATE TABLE fs_open_id (
    app_id INTEGER NOT NULL REFERENCES fs_app(id),
    person_id INTEGER NOT NULL REFERENCES person(id),
    open_id TEXT NOT NULL UNIQUE,
    PRIMARY KEY (app_id, person_id)
);

CREATE TABLE wc_corp (
    tenant_id INTEGER PRIMARY KEY REFERENCES tenant(id),
    corpid TEXT NOT NULL UNIQUE
);

CREATE TABLE wc_secret (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    secret TEXT NOT NULL UNIQUE
);

CREATE TABLE udesk_company (
    tenant_id INTEGER PRIMARY KEY REFERENCES tenant(id),
    subdomain TEXT NOT NULL UNIQUE,
    admin_email TEXT NOT NULL,
    api_token TEXT NOT NULL
);

CREATE TABLE token (
    token TEXT PRIMARY KEY,
    kind INTEGER NOT NULL,
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    principal INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX token_principal ON token (kind, principal, expires_at);

CREATE TABLE kb_category (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    space TEXT NOT NULL,
    ext_id TEXT NOT NULL,
    name TEXT NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    UNIQUE (tenant_id, space, ext_id)
);
CREATE UNIQUE INDEX kb_category_name ON kb_category (tenant_id, space, name);
CREATE INDEX kb_category_list ON kb_category (tenant_id, space, id);
