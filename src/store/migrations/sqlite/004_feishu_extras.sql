-- 004: chat tabs and chat menus, in explicit order; the chat announcement.
CREATE TABLE fs_chat_tab (
    id INTEGER PRIMARY KEY,
    chat_ref INTEGER NOT NULL REFERENCES fs_chat(id),
    tab_id TEXT NOT NULL UNIQUE,
    tab_type TEXT NOT NULL,
    tab_name TEXT,
    tab_content TEXT,
    tab_config TEXT,
    position INTEGER NOT NULL
);
CREATE INDEX fs_chat_tab_order ON fs_chat_tab (chat_ref, position);

CREATE TABLE fs_menu (
    id INTEGER PRIMARY KEY,
    chat_ref INTEGER NOT NULL REFERENCES fs_chat(id),
    item_id TEXT NOT NULL UNIQUE,
    parent_ref INTEGER,
    position INTEGER NOT NULL,
    item TEXT NOT NULL
);
CREATE INDEX fs_menu_order ON fs_menu (chat_ref, parent_ref, position);

CREATE TABLE fs_announcement (
    chat_ref INTEGER PRIMARY KEY REFERENCES fs_chat(id),
    content TEXT NOT NULL,
    revision INTEGER NOT NULL,
    create_time INTEGER NOT NULL,
    update_time INTEGER NOT NULL,
    owner_kind INTEGER NOT NULL,
    owner_ref INTEGER NOT NULL,
    modifier_kind INTEGER NOT NULL,
    modifier_ref INTEGER NOT NULL
);
