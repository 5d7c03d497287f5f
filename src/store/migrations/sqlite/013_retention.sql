-- 013: indexes for retention (src/store/store_retention.c), which deletes in small
-- batches what has expired or aged out: settled events, expired tokens, codes, links
-- and nonces, and chat-create idempotency records past their window.
CREATE INDEX outbox_created ON outbox (created_at);
CREATE INDEX token_expiry ON token (expires_at);
CREATE INDEX nonce_expiry_all ON nonce (expires_at);
CREATE INDEX fs_chat_uuid_created ON fs_chat_uuid (created_at);
CREATE INDEX fs_auth_code_expiry ON fs_auth_code (expires_at);
CREATE INDEX fs_chat_link_expiry ON fs_chat_link (expires_at);
