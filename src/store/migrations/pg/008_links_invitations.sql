-- 008 (PostgreSQL types): share links (so a person can join by one) and pending invitations (people
-- invited into a chat that needs approval; an invitation can be withdrawn).
CREATE TABLE fs_chat_link (
    link_token TEXT PRIMARY KEY,
    chat_ref BIGINT NOT NULL REFERENCES fs_chat(id),
    expires_at BIGINT NOT NULL,
    creator_kind BIGINT NOT NULL,
    creator_ref BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE fs_chat_pending (
    chat_ref BIGINT NOT NULL REFERENCES fs_chat(id),
    person_id BIGINT NOT NULL REFERENCES person(id),
    inviter_kind BIGINT NOT NULL,
    inviter_ref BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (chat_ref, person_id)
);
