-- 003: member listing in join order at any chat size, managers by chat, and
-- a tenant's chat size limit (0: the platform's default).
ALTER TABLE fs_tenant ADD COLUMN member_limit INTEGER NOT NULL DEFAULT 0;
CREATE INDEX fs_chat_member_page ON fs_chat_member (chat_ref, member_kind, joined_at, member_ref);
CREATE INDEX fs_chat_member_managers ON fs_chat_member (chat_ref, is_manager);
