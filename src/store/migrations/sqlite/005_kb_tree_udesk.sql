-- 005: knowledge-base categories get a type, a parent and an owner, so one table holds
-- WeCom's flat groups and Udesk's typed catalog trees owned by agents; Udesk admin
-- passwords and agent ids; the single-use nonces of signed requests.

-- The table is rebuilt rather than altered: AUTOINCREMENT keeps SQLite from handing a
-- deleted category's id to the next one (Udesk clients hold integer catalog ids).
-- type: '' for untyped knowledge bases (WeCom). parent_id NULL: top level; deleting a
-- category deletes its subtree, so no row is ever orphaned. The check is deferred to
-- COMMIT so that --copy-to may insert a child before a parent with a higher id (a
-- catalog moved under a newer one). owner_id: the person row of the owning agent; 0:
-- the administrator (or no owner).
CREATE TABLE kb_category_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    space TEXT NOT NULL,
    type TEXT NOT NULL DEFAULT '',
    parent_id INTEGER REFERENCES kb_category(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    owner_id INTEGER NOT NULL DEFAULT 0,
    ext_id TEXT NOT NULL,
    name TEXT NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    UNIQUE (tenant_id, space, ext_id)
);
INSERT INTO kb_category_new (id, tenant_id, space, ext_id, name, is_default, created_at)
    SELECT id, tenant_id, space, ext_id, name, is_default, created_at FROM kb_category;
DROP TABLE kb_category;
ALTER TABLE kb_category_new RENAME TO kb_category;

-- Group names are unique in a WeCom corp; Udesk catalog names may repeat.
CREATE UNIQUE INDEX kb_category_name ON kb_category (tenant_id, space, name)
    WHERE space = 'wecom';
CREATE INDEX kb_category_list ON kb_category (tenant_id, space, type, owner_id, id);
CREATE INDEX kb_category_parent ON kb_category (parent_id);

-- One person per agent id in a tenant.
CREATE UNIQUE INDEX person_udesk_agent ON person (tenant_id, udesk_agent_id);

-- NULL: POST /open_api_v1/log_in is refused for the company.
ALTER TABLE udesk_company ADD COLUMN admin_password TEXT;
CREATE INDEX udesk_company_email ON udesk_company (admin_email);

-- Nonces of signed requests, remembered until they expire (then purged).
CREATE TABLE nonce (
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    nonce TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, nonce)
);
CREATE INDEX nonce_expiry ON nonce (tenant_id, expires_at);
