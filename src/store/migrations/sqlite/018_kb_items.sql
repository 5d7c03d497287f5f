-- 018: knowledge items inside the knowledge-base categories: WeCom's Q&A intents in
-- their groups and Udesk's questions, useful expressions and useful links in their
-- typed catalogs, one table under both policies (svc/svc_kb_item.c).

-- space, type and owner_id as on kb_category. category_id NULL: uncategorized (a
-- Udesk catalog deleted with items in it leaves them there; WeCom deletes a group's
-- intents with the group). ext_id: the opaque id WeCom clients see. title: the main
-- question or the link's name; content: the answer, the phrase or the question's
-- body; alt_titles: the similar questions and attachments: the answer's attachments in
-- read form, both JSON arrays in qunzu's own shape. lasts 0: valid only from
-- valid_from to valid_until (unix seconds).
CREATE TABLE kb_item (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    space TEXT NOT NULL,
    type TEXT NOT NULL DEFAULT '',
    category_id INTEGER REFERENCES kb_category(id) ON DELETE SET NULL,
    owner_id INTEGER NOT NULL DEFAULT 0,
    ext_id TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    content TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL DEFAULT '',
    lasts INTEGER NOT NULL DEFAULT 1,
    valid_from INTEGER NOT NULL DEFAULT 0,
    valid_until INTEGER NOT NULL DEFAULT 0,
    alt_titles TEXT NOT NULL DEFAULT '[]',
    attachments TEXT NOT NULL DEFAULT '[]',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (tenant_id, space, ext_id)
);
-- A WeCom main question is unique across the corp's knowledge base.
CREATE UNIQUE INDEX kb_item_title ON kb_item (tenant_id, space, title) WHERE space = 'wecom';
CREATE INDEX kb_item_list ON kb_item (tenant_id, space, type, owner_id, id);
CREATE INDEX kb_item_category ON kb_item (category_id, id);

-- WeCom temporary media (POST /cgi-bin/media/upload), named by attachments: valid three
-- days; an intent keeps the file name it read when it was written.
CREATE TABLE wc_media (
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    media_id TEXT NOT NULL,
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, media_id)
);
CREATE INDEX wc_media_expiry ON wc_media (expires_at);
