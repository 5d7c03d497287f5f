-- 010: secrets at rest (docs/reliability.md, "Secrets at rest"). The secrets the server
-- looks rows up by (access tokens, WeCom secrets, OAuth codes, share-link tokens) are
-- kept as HMAC-SHA256 digests under the server key, in the columns that held them;
-- those it must read back are sealed with AES-256-GCM under the same key: app secrets,
-- Udesk API tokens and admin passwords, event encrypt keys and verification tokens in
-- place, WeCom secrets and reusable access tokens in the new 'sealed' columns (NULL:
-- a token that is never handed out again). The key never enters the database.
ALTER TABLE wc_secret ADD COLUMN sealed TEXT;
ALTER TABLE token ADD COLUMN sealed TEXT;

-- Rows written before this migration hold plain text: the marker makes the server
-- convert them at its next start, in one transaction, once (store_secrets.c).
INSERT INTO meta (key, value) VALUES ('secrets_plain', '1');
