-- 005: knowledge-base categories get a type, a parent and an owner, so one table holds
-- WeCom's flat groups and Udesk's typed catalog trees owned by agents; Udesk admin
-- passwords and agent ids; the single-use nonces of signed requests.
-- Same changes as migrations/sqlite/005_kb_tree_udesk.sql, in PostgreSQL's types.

-- '' for untyped knowledge bases (WeCom). parent_id NULL: top level; deleting a
-- category deletes its subtree, so no row is ever orphaned. The check is deferred to
-- COMMIT so that --copy-to may insert a child before a parent with a higher id (a
-- catalog moved under a newer one).
ALTER TABLE kb_category ADD COLUMN type TEXT NOT NULL DEFAULT '';
ALTER TABLE kb_category ADD COLUMN parent_id BIGINT
    REFERENCES kb_category(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;
-- The person row of the owning agent; 0: the administrator (or no owner).
ALTER TABLE kb_category ADD COLUMN owner_id BIGINT NOT NULL DEFAULT 0;

-- Group names are unique in a WeCom corp; Udesk catalog names may repeat.
DROP INDEX kb_category_name;
CREATE UNIQUE INDEX kb_category_name ON kb_category (tenant_id, space, name)
    WHERE space = 'wecom';
DROP INDEX kb_category_list;
CREATE INDEX kb_category_list ON kb_category (tenant_id, space, type, owner_id, id);
CREATE INDEX kb_category_parent ON kb_category (parent_id);

-- One person per agent id in a tenant.
CREATE UNIQUE INDEX person_udesk_agent ON person (tenant_id, udesk_agent_id);

-- NULL: POST /open_api_v1/log_in is refused for the company.
ALTER TABLE udesk_company ADD COLUMN admin_password TEXT;
CREATE INDEX udesk_company_email ON udesk_company (admin_email);

-- Nonces of signed requests, remembered until they expire (then purged).
CREATE TABLE nonce (
    tenant_id BIGINT NOT NULL REFERENCES tenant(id),
    nonce TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, nonce)
);
CREATE INDEX nonce_expiry ON nonce (tenant_id, expires_at);
