-- 012: a member's seq is unique, as on SQLite, where it is the rowid. 007 added it as
-- an identity column without an index of its own; the schema parity test
-- (tests/unit/test_schema.c) found the difference.
CREATE UNIQUE INDEX fs_chat_member_seq ON fs_chat_member (seq);
