-- 008: share links (so a person can join by one) and pending invitations (people
-- invited into a chat that needs approval; an invitation can be withdrawn).
CREATE TABLE fs_chat_link (
    link_token TEXT PRIMARY KEY,
    chat_ref INTEGER NOT NULL REFERENCES fs_chat(id),
    expires_at INTEGER NOT NULL,
    creator_kind INTEGER NOT NULL,
    creator_ref INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE fs_chat_pending (
    chat_ref INTEGER NOT NULL REFERENCES fs_chat(id),
    person_id INTEGER NOT NULL REFERENCES person(id),
    inviter_kind INTEGER NOT NULL,
    inviter_ref INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (chat_ref, person_id)
);
