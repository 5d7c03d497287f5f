-- 014: Feishu messages. A message belongs to one chat; its content is kept
-- as sent (normalised) and as read back (body), with the people and bots it
-- mentions resolved at send time. Listing a chat walks (chat_ref, in_chat,
-- created_ms, id): in_chat is 0 for the replies inside a thread, which are
-- listed through their thread instead. uuid keys make a send happen at
-- most once per sender within an hour.
CREATE TABLE fs_message (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    message_id TEXT NOT NULL UNIQUE,
    chat_ref INTEGER NOT NULL REFERENCES fs_chat(id),
    sender_kind INTEGER NOT NULL,
    sender_ref INTEGER NOT NULL,
    msg_type TEXT NOT NULL,
    content TEXT NOT NULL,
    body TEXT NOT NULL,
    mentions TEXT NOT NULL,
    root_ref INTEGER,
    parent_ref INTEGER,
    thread_id TEXT,
    in_chat INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    updated INTEGER NOT NULL DEFAULT 0,
    deleted INTEGER NOT NULL DEFAULT 0,
    edits INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX fs_message_chat ON fs_message (chat_ref, in_chat, created_ms, id);
CREATE INDEX fs_message_last ON fs_message (chat_ref, created_ms, id);
CREATE INDEX fs_message_thread ON fs_message (thread_id, created_ms, id);

CREATE TABLE fs_message_uuid (
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    sender_kind INTEGER NOT NULL,
    sender_ref INTEGER NOT NULL,
    uuid TEXT NOT NULL,
    message_ref INTEGER NOT NULL REFERENCES fs_message(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, sender_kind, sender_ref, uuid)
);
