-- 002: Feishu chats, their members, create idempotency keys, OAuth codes,
-- the event outbox, and the app a user token was issued through.
ALTER TABLE token ADD COLUMN app_ref INTEGER;

CREATE TABLE fs_chat (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    chat_id TEXT NOT NULL UNIQUE,
    creator_app INTEGER,
    owner_kind INTEGER NOT NULL,
    owner_ref INTEGER NOT NULL,
    chat_mode TEXT NOT NULL,
    chat_type TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    avatar TEXT NOT NULL,
    i18n_names TEXT NOT NULL,
    settings TEXT NOT NULL,
    status TEXT NOT NULL,
    top_notice TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    active_at INTEGER NOT NULL
);
CREATE INDEX fs_chat_tenant ON fs_chat (tenant_id, id);

CREATE TABLE fs_chat_member (
    chat_ref INTEGER NOT NULL REFERENCES fs_chat(id),
    member_kind INTEGER NOT NULL,
    member_ref INTEGER NOT NULL,
    is_manager INTEGER NOT NULL DEFAULT 0,
    is_moderator INTEGER NOT NULL DEFAULT 0,
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (chat_ref, member_kind, member_ref)
);
CREATE INDEX fs_chat_member_by_member ON fs_chat_member (member_kind, member_ref, chat_ref);

CREATE TABLE fs_chat_uuid (
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    uuid TEXT NOT NULL,
    owner_key TEXT NOT NULL,
    chat_ref INTEGER NOT NULL REFERENCES fs_chat(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, uuid, owner_key)
);

CREATE TABLE fs_auth_code (
    code TEXT PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    app_ref INTEGER NOT NULL REFERENCES fs_app(id),
    person_id INTEGER NOT NULL REFERENCES person(id),
    expires_at INTEGER NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    app_ref INTEGER NOT NULL,
    event_type TEXT NOT NULL,
    event_id TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    delivered_at INTEGER
);
CREATE INDEX outbox_pending ON outbox (delivered_at, id);
