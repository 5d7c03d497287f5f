-- 017: the Feishu directory (contact v3): departments, each person's directory
-- profile and department memberships; what each app holds (granted scopes, contact
-- data range, the bot's own open_id); the scopes a person granted, kept per OAuth
-- code and user/refresh token (by its digest).
CREATE TABLE fs_department (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenant(id),
    department_id TEXT NOT NULL,
    open_department_id TEXT NOT NULL UNIQUE,
    parent_ref INTEGER NOT NULL,
    sort_order INTEGER NOT NULL,
    detail TEXT NOT NULL,
    UNIQUE (tenant_id, department_id)
);
CREATE INDEX fs_department_parent ON fs_department (tenant_id, parent_ref, sort_order, id);

CREATE TABLE fs_person_profile (
    person_id INTEGER PRIMARY KEY REFERENCES person(id),
    mobile TEXT,
    resigned INTEGER NOT NULL DEFAULT 0,
    profile TEXT NOT NULL
);
CREATE INDEX fs_person_profile_mobile ON fs_person_profile (mobile);

CREATE TABLE fs_person_dept (
    person_id INTEGER NOT NULL REFERENCES person(id),
    dept_ref INTEGER NOT NULL,
    pos INTEGER NOT NULL,
    user_order INTEGER NOT NULL,
    department_order INTEGER NOT NULL,
    PRIMARY KEY (person_id, dept_ref)
);
CREATE INDEX fs_person_dept_by_dept ON fs_person_dept (dept_ref, user_order, person_id);
-- Everyone already there sits under the root, as a person seeded without departments.
INSERT INTO fs_person_dept (person_id, dept_ref, pos, user_order, department_order)
    SELECT id, 0, 0, 0, 0 FROM person;

CREATE TABLE fs_app_access (
    app_ref INTEGER PRIMARY KEY REFERENCES fs_app(id),
    scopes TEXT,
    contact_range TEXT,
    bot_open_id TEXT NOT NULL UNIQUE
);

CREATE TABLE fs_grant (
    secret TEXT PRIMARY KEY,
    scope TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
-- Apps already there keep the defaults; their bots get their open_ids now.
INSERT INTO fs_app_access (app_ref, scopes, contact_range, bot_open_id)
    SELECT id, NULL, NULL, 'ou_' || lower(hex(randomblob(16))) FROM fs_app;
