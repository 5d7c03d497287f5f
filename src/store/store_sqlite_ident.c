/* SPDX-License-Identifier: MIT */
/*
 * store/store_sqlite_ident.c - SQLite operations on tenants and their
 * per-dialect identities (people, Feishu apps, WeCom corps, Udesk accounts).
 */
#include "store/store_int.h"

#include "core/arena.h"

#define S(st) ((struct sq *)(st))

static const char SQL_TENANT_BY_NAME[] = "SELECT id, name, is_demo FROM tenant WHERE name = ?";
static const char SQL_TENANT_GET[] = "SELECT id, name, is_demo FROM tenant WHERE id = ?";
static const char SQL_TENANT_INSERT[] =
    "INSERT INTO tenant (name, is_demo, created_at) VALUES (?, ?, ?)";
static const char SQL_TENANT_DEMO[] = "SELECT id FROM tenant WHERE is_demo = 1 ORDER BY id LIMIT 1";

static enum err tenant_read(struct sq *s, struct arena *a, sqlite3_stmt *q,
                            struct tenant_row *out)
{
    enum err e;

    if (q == NULL)
        return ERR_STORE;
    e = sq_row(s, q, "tenant lookup");
    if (e != ERR_OK)
        return e;
    out->id = sqlite3_column_int64(q, 0);
    out->name = sq_col_text(a, q, 1);
    out->is_demo = sqlite3_column_int(q, 2) != 0;
    sqlite3_reset(q);
    return ERR_OK;
}

enum err sq_tenant_by_name(struct store *st, struct arena *a, const char *name,
                           struct tenant_row *out)
{
    return tenant_read(S(st), a, sq_stmt(S(st), SQL_TENANT_BY_NAME, "s", name), out);
}

enum err sq_tenant_get(struct store *st, struct arena *a, int64_t id, struct tenant_row *out)
{
    return tenant_read(S(st), a, sq_stmt(S(st), SQL_TENANT_GET, "i", id), out);
}

enum err sq_tenant_insert(struct store *st, const char *name, bool is_demo, int64_t now,
                          int64_t *id)
{
    enum err e = sq_exec(S(st), SQL_TENANT_INSERT, "sbi", name, (int)is_demo, now);

    if (e == ERR_OK)
        *id = sqlite3_last_insert_rowid(S(st)->db);
    return e;
}

enum err sq_tenant_demo(struct store *st, int64_t *id)
{
    sqlite3_stmt *q = sq_stmt(S(st), SQL_TENANT_DEMO, "");
    enum err e;

    if (q == NULL)
        return ERR_STORE;
    e = sq_row(S(st), q, "tenant_demo");
    if (e == ERR_OK) {
        *id = sqlite3_column_int64(q, 0);
        sqlite3_reset(q);
    }
    return e;
}

/* A person keeps its row id and union_id across re-seeding; only the
 * descriptive fields change. */
static const char SQL_PERSON_UPSERT[] =
    "INSERT INTO person (tenant_id, user_id, union_id, name, email, udesk_agent_id) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, user_id) DO UPDATE SET "
    "name = excluded.name, email = excluded.email, udesk_agent_id = excluded.udesk_agent_id "
    "RETURNING id, union_id";
static const char SQL_PERSON_LIST[] =
    "SELECT id, user_id, union_id, name, email, udesk_agent_id FROM person "
    "WHERE tenant_id = ? ORDER BY id";

enum err sq_person_upsert(struct store *st, struct arena *a, struct person_row *p)
{
    struct sq *s = S(st);
    sqlite3_stmt *q = sq_stmt(s, SQL_PERSON_UPSERT, "isssss", p->tenant_id, p->user_id,
                              p->union_id, p->name, p->email, (const char *)NULL);
    enum err e;

    if (q == NULL)
        return ERR_STORE;
    if (p->udesk_agent_id != 0)
        sqlite3_bind_int64(q, 6, p->udesk_agent_id);
    e = sq_row(s, q, "person_upsert");
    if (e == ERR_NOT_FOUND)
        return ERR_STORE;
    if (e != ERR_OK)
        return e;
    p->id = sqlite3_column_int64(q, 0);
    p->union_id = sq_col_text(a, q, 1);
    sqlite3_reset(q);
    return ERR_OK;
}

enum err sq_person_list(struct store *st, struct arena *a, int64_t tenant,
                        struct person_row **rows, size_t *n)
{
    struct sq *s = S(st);
    sqlite3_stmt *q = sq_stmt(s, SQL_PERSON_LIST, "i", tenant);
    size_t cap = 0;
    int rc;

    *rows = NULL;
    *n = 0;
    if (q == NULL)
        return ERR_STORE;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        struct person_row *p;

        *rows = sq_grow(a, *rows, *n, &cap, sizeof(**rows));
        p = &(*rows)[(*n)++];
        p->id = sqlite3_column_int64(q, 0);
        p->tenant_id = tenant;
        p->user_id = sq_col_text(a, q, 1);
        p->union_id = sq_col_text(a, q, 2);
        p->name = sq_col_text(a, q, 3);
        p->email = sq_col_text(a, q, 4);
        p->udesk_agent_id = sqlite3_column_int64(q, 5);
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? ERR_OK : sq_fail(s, "person_list");
}

/* Single-value lookups share one shape: bind, step, copy column 0. */
static enum err text_lookup(struct sq *s, struct arena *a, sqlite3_stmt *q, char **out)
{
    enum err e;

    if (q == NULL)
        return ERR_STORE;
    e = sq_row(s, q, "lookup");
    if (e != ERR_OK)
        return e;
    *out = sq_col_text(a, q, 0);
    sqlite3_reset(q);
    return ERR_OK;
}

static enum err int_lookup(struct sq *s, sqlite3_stmt *q, int64_t *out)
{
    enum err e;

    if (q == NULL)
        return ERR_STORE;
    e = sq_row(s, q, "lookup");
    if (e != ERR_OK)
        return e;
    *out = sqlite3_column_int64(q, 0);
    sqlite3_reset(q);
    return ERR_OK;
}

static const char SQL_FS_KEY_GET[] = "SELECT tenant_key FROM fs_tenant WHERE tenant_id = ?";
static const char SQL_FS_KEY_SET[] =
    "INSERT INTO fs_tenant (tenant_id, tenant_key) VALUES (?, ?) "
    "ON CONFLICT (tenant_id) DO UPDATE SET tenant_key = excluded.tenant_key";
static const char SQL_FS_APP_UPSERT[] =
    "INSERT INTO fs_app (tenant_id, app_id, app_secret, name) VALUES (?1, ?2, coalesce(?3, ?5), ?4) "
    "ON CONFLICT (app_id) DO UPDATE SET app_secret = coalesce(?3, fs_app.app_secret), "
    "name = excluded.name WHERE fs_app.tenant_id = excluded.tenant_id RETURNING id, app_secret";
static const char SQL_FS_APP_LIST[] =
    "SELECT id, app_id, app_secret, name FROM fs_app WHERE tenant_id = ? ORDER BY id";
static const char SQL_OPEN_ID_GET[] =
    "SELECT open_id FROM fs_open_id WHERE app_id = ? AND person_id = ?";
static const char SQL_OPEN_ID_INSERT[] =
    "INSERT INTO fs_open_id (app_id, person_id, open_id) VALUES (?, ?, ?)";

enum err sq_fs_tenant_key_get(struct store *st, struct arena *a, int64_t tenant, char **key)
{
    return text_lookup(S(st), a, sq_stmt(S(st), SQL_FS_KEY_GET, "i", tenant), key);
}

enum err sq_fs_tenant_key_set(struct store *st, int64_t tenant, const char *key)
{
    return sq_exec(S(st), SQL_FS_KEY_SET, "is", tenant, key);
}

enum err sq_fs_app_upsert(struct store *st, struct arena *a, struct fs_app_row *app,
                          const char *new_secret)
{
    struct sq *s = S(st);
    sqlite3_stmt *q = sq_stmt(s, SQL_FS_APP_UPSERT, "issss", app->tenant_id, app->app_id,
                              app->app_secret, app->name, new_secret);
    enum err e;

    if (q == NULL)
        return ERR_STORE;
    e = sq_row(s, q, "fs_app_upsert");
    /* No row back: the app_id belongs to another tenant. */
    if (e != ERR_OK)
        return e == ERR_NOT_FOUND ? ERR_CONFLICT : e;
    app->id = sqlite3_column_int64(q, 0);
    app->app_secret = sq_col_text(a, q, 1);
    sqlite3_reset(q);
    return ERR_OK;
}

enum err sq_fs_app_list(struct store *st, struct arena *a, int64_t tenant,
                        struct fs_app_row **rows, size_t *n)
{
    struct sq *s = S(st);
    sqlite3_stmt *q = sq_stmt(s, SQL_FS_APP_LIST, "i", tenant);
    size_t cap = 0;
    int rc;

    *rows = NULL;
    *n = 0;
    if (q == NULL)
        return ERR_STORE;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        struct fs_app_row *r;

        *rows = sq_grow(a, *rows, *n, &cap, sizeof(**rows));
        r = &(*rows)[(*n)++];
        r->id = sqlite3_column_int64(q, 0);
        r->tenant_id = tenant;
        r->app_id = sq_col_text(a, q, 1);
        r->app_secret = sq_col_text(a, q, 2);
        r->name = sq_col_text(a, q, 3);
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? ERR_OK : sq_fail(s, "fs_app_list");
}

enum err sq_fs_open_id_ensure(struct store *st, struct arena *a, int64_t app, int64_t person,
                              const char *candidate, char **open_id)
{
    struct sq *s = S(st);
    enum err e = text_lookup(s, a, sq_stmt(s, SQL_OPEN_ID_GET, "ii", app, person), open_id);

    if (e != ERR_NOT_FOUND)
        return e;
    e = sq_exec(s, SQL_OPEN_ID_INSERT, "iis", app, person, candidate);
    if (e == ERR_OK)
        *open_id = arena_strdup(a, candidate);
    return e;
}

static const char SQL_WC_CORP_GET[] = "SELECT corpid FROM wc_corp WHERE tenant_id = ?";
static const char SQL_WC_CORP_FIND[] = "SELECT tenant_id FROM wc_corp WHERE corpid = ?";
static const char SQL_WC_CORP_SET[] =
    "INSERT INTO wc_corp (tenant_id, corpid) VALUES (?, ?) "
    "ON CONFLICT (tenant_id) DO UPDATE SET corpid = excluded.corpid";
static const char SQL_WC_SECRET_ADD[] =
    "INSERT INTO wc_secret (tenant_id, secret) VALUES (?, ?) ON CONFLICT (secret) DO NOTHING";
static const char SQL_WC_SECRET_FIND[] = "SELECT id, tenant_id FROM wc_secret WHERE secret = ?";
static const char SQL_WC_SECRET_LIST[] =
    "SELECT id, secret FROM wc_secret WHERE tenant_id = ? ORDER BY id";

enum err sq_wc_corp_get(struct store *st, struct arena *a, int64_t tenant, char **corpid)
{
    return text_lookup(S(st), a, sq_stmt(S(st), SQL_WC_CORP_GET, "i", tenant), corpid);
}

enum err sq_wc_corp_find(struct store *st, const char *corpid, int64_t *tenant)
{
    return int_lookup(S(st), sq_stmt(S(st), SQL_WC_CORP_FIND, "s", corpid), tenant);
}

enum err sq_wc_corp_set(struct store *st, int64_t tenant, const char *corpid)
{
    return sq_exec(S(st), SQL_WC_CORP_SET, "is", tenant, corpid);
}

enum err sq_wc_secret_add(struct store *st, int64_t tenant, const char *secret)
{
    return sq_exec(S(st), SQL_WC_SECRET_ADD, "is", tenant, secret);
}

enum err sq_wc_secret_find(struct store *st, struct arena *a, const char *secret,
                           struct wc_secret_row *out)
{
    struct sq *s = S(st);
    sqlite3_stmt *q = sq_stmt(s, SQL_WC_SECRET_FIND, "s", secret);
    enum err e;

    if (q == NULL)
        return ERR_STORE;
    e = sq_row(s, q, "wc_secret_find");
    if (e != ERR_OK)
        return e;
    out->id = sqlite3_column_int64(q, 0);
    out->tenant_id = sqlite3_column_int64(q, 1);
    out->secret = arena_strdup(a, secret);
    sqlite3_reset(q);
    return ERR_OK;
}

enum err sq_wc_secret_list(struct store *st, struct arena *a, int64_t tenant,
                           struct wc_secret_row **rows, size_t *n)
{
    struct sq *s = S(st);
    sqlite3_stmt *q = sq_stmt(s, SQL_WC_SECRET_LIST, "i", tenant);
    size_t cap = 0;
    int rc;

    *rows = NULL;
    *n = 0;
    if (q == NULL)
        return ERR_STORE;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        struct wc_secret_row *r;

        *rows = sq_grow(a, *rows, *n, &cap, sizeof(**rows));
        r = &(*rows)[(*n)++];
        r->id = sqlite3_column_int64(q, 0);
        r->tenant_id = tenant;
        r->secret = sq_col_text(a, q, 1);
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? ERR_OK : sq_fail(s, "wc_secret_list");
}

static const char SQL_UDESK_GET[] =
    "SELECT subdomain, admin_email, api_token FROM udesk_company WHERE tenant_id = ?";
static const char SQL_UDESK_SET[] =
    "INSERT INTO udesk_company (tenant_id, subdomain, admin_email, api_token) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (tenant_id) DO UPDATE SET subdomain = excluded.subdomain, "
    "admin_email = excluded.admin_email, api_token = excluded.api_token";

enum err sq_udesk_get(struct store *st, struct arena *a, int64_t tenant, struct udesk_row *out)
{
    struct sq *s = S(st);
    sqlite3_stmt *q = sq_stmt(s, SQL_UDESK_GET, "i", tenant);
    enum err e;

    if (q == NULL)
        return ERR_STORE;
    e = sq_row(s, q, "udesk_get");
    if (e != ERR_OK)
        return e;
    out->tenant_id = tenant;
    out->subdomain = sq_col_text(a, q, 0);
    out->admin_email = sq_col_text(a, q, 1);
    out->api_token = sq_col_text(a, q, 2);
    sqlite3_reset(q);
    return ERR_OK;
}

enum err sq_udesk_set(struct store *st, const struct udesk_row *u)
{
    return sq_exec(S(st), SQL_UDESK_SET, "isss", u->tenant_id, u->subdomain, u->admin_email,
                   u->api_token);
}
