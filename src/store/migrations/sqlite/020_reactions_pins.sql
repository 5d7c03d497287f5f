-- 020: Feishu message reactions and pins. A reaction is one operator's
-- emoji on one message (at most one of each type per operator), listed in
-- the order they were added. A pin is a message pinned in its chat (at most
-- once), listed by the chat newest first; a recalled message's pin stays
-- stored but is no longer listed.
CREATE TABLE fs_reaction (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    reaction_id TEXT NOT NULL UNIQUE,
    message_ref INTEGER NOT NULL REFERENCES fs_message(id),
    emoji_type TEXT NOT NULL,
    operator_kind INTEGER NOT NULL,
    operator_ref INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    UNIQUE (message_ref, operator_kind, operator_ref, emoji_type)
);
CREATE INDEX fs_reaction_message ON fs_reaction (message_ref, id);

CREATE TABLE fs_pin (
    message_ref INTEGER PRIMARY KEY REFERENCES fs_message(id),
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    chat_ref INTEGER NOT NULL REFERENCES fs_chat(id),
    operator_kind INTEGER NOT NULL,
    operator_ref INTEGER NOT NULL,
    created_ms INTEGER NOT NULL
);
CREATE INDEX fs_pin_chat ON fs_pin (chat_ref, created_ms, message_ref);
