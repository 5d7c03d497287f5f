-- 007: members get a sequence number (join order; the keyset of member lists, so a
-- deep page of a 50,000-member chat costs what the first does), and chats keep their
-- user and bot counts, updated with every membership change in the same transaction.
-- The member table is rebuilt so that seq is SQLite's rowid alias.
CREATE TABLE fs_chat_member_new (
    seq INTEGER PRIMARY KEY,
    chat_ref INTEGER NOT NULL REFERENCES fs_chat(id),
    member_kind INTEGER NOT NULL,
    member_ref INTEGER NOT NULL,
    is_manager INTEGER NOT NULL DEFAULT 0,
    is_moderator INTEGER NOT NULL DEFAULT 0,
    joined_at INTEGER NOT NULL,
    UNIQUE (chat_ref, member_kind, member_ref)
);
INSERT INTO fs_chat_member_new (chat_ref, member_kind, member_ref, is_manager, is_moderator,
                                joined_at)
    SELECT chat_ref, member_kind, member_ref, is_manager, is_moderator, joined_at
    FROM fs_chat_member ORDER BY joined_at, member_kind, member_ref;
DROP TABLE fs_chat_member;
ALTER TABLE fs_chat_member_new RENAME TO fs_chat_member;
CREATE INDEX fs_chat_member_by_member ON fs_chat_member (member_kind, member_ref, chat_ref);
CREATE INDEX fs_chat_member_page ON fs_chat_member (chat_ref, member_kind, seq);
CREATE INDEX fs_chat_member_managers ON fs_chat_member (chat_ref, is_manager);

ALTER TABLE fs_chat ADD COLUMN user_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE fs_chat ADD COLUMN bot_count INTEGER NOT NULL DEFAULT 0;
UPDATE fs_chat SET
    user_count = (SELECT count(*) FROM fs_chat_member m WHERE m.chat_ref = fs_chat.id AND m.member_kind = 1),
    bot_count = (SELECT count(*) FROM fs_chat_member m WHERE m.chat_ref = fs_chat.id AND m.member_kind = 2);
