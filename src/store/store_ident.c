/* SPDX-License-Identifier: MIT */
/*
 * store/store_ident.c - tenants and their per-dialect identities (people,
 * Feishu apps and open_ids, WeCom corps and secrets, Udesk companies and agents), in SQL
 * that every backend runs.
 */
#include "store/store_int.h"

#include "core/arena.h"

#include <string.h>

/* Result text already lives in the caller's arena (store_int.h). */
static char *text(const struct sql_res *r, size_t row, size_t col)
{
    return (char *)sql_text(r, row, col);
}

/* Single text values share one shape: one row, column 0. */
static enum err text_of(enum err e, const struct sql_res *r, char **out)
{
    e = sql_one(e, r);
    if (e == ERR_OK)
        *out = text(r, 0, 0);
    return e;
}

static const char SQL_META_DELETE[] = "DELETE FROM meta WHERE key = $1";
static const char SQL_META_GET[] = "SELECT value FROM meta WHERE key = $1";
static const char SQL_META_SET[] =
    "INSERT INTO meta (key, value) VALUES ($1, $2) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value";

enum err store_meta_get(struct store *s, struct arena *a, const char *key, char **val)
{
    struct sql_res r;

    return text_of(store_q(s, a, &r, SQL_META_GET, ARG_TEXT(key)), &r, val);
}

enum err store_meta_set(struct store *s, const char *key, const char *val)
{
    return store_q(s, NULL, NULL, SQL_META_SET, ARG_TEXT(key), ARG_TEXT(val));
}

static const char SQL_META_ADD[] =
    "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING";

enum err store_meta_add(struct store *s, const char *key, const char *val)
{
    return store_q(s, NULL, NULL, SQL_META_ADD, ARG_TEXT(key), ARG_TEXT(val));
}

enum err store_meta_delete(struct store *s, const char *key)
{
    return store_q(s, NULL, NULL, SQL_META_DELETE, ARG_TEXT(key));
}

static const char SQL_TENANT_BY_NAME[] =
    "SELECT id, name, is_demo, rate_limit FROM tenant WHERE name = $1";
static const char SQL_TENANT_GET[] =
    "SELECT id, name, is_demo, rate_limit FROM tenant WHERE id = $1";
static const char SQL_TENANT_RATE_LIMIT[] = "UPDATE tenant SET rate_limit = $2 WHERE id = $1";
static const char SQL_TENANT_INSERT[] =
    "INSERT INTO tenant (name, is_demo, created_at) VALUES ($1, $2, $3) RETURNING id";
static const char SQL_TENANT_DEMO[] =
    "SELECT id FROM tenant WHERE is_demo = 1 ORDER BY id LIMIT 1";

static enum err tenant_read(enum err e, struct sql_res *r, struct tenant_row *out)
{
    e = sql_one(e, r);
    if (e == ERR_OK) {
        out->id = sql_int(r, 0, 0);
        out->name = sql_text(r, 0, 1);
        out->is_demo = sql_int(r, 0, 2) != 0;
        out->rate_limit = sql_int(r, 0, 3) != 0;
    }
    return e;
}

enum err store_tenant_set_rate_limit(struct store *s, int64_t id, bool on)
{
    return store_q(s, NULL, NULL, SQL_TENANT_RATE_LIMIT, ARG_INT(id), ARG_BOOL(on));
}

enum err store_tenant_by_name(struct store *s, struct arena *a, const char *name,
                              struct tenant_row *out)
{
    struct sql_res r;

    return tenant_read(store_q(s, a, &r, SQL_TENANT_BY_NAME, ARG_TEXT(name)), &r, out);
}

enum err store_tenant_get(struct store *s, struct arena *a, int64_t id, struct tenant_row *out)
{
    struct sql_res r;

    return tenant_read(store_q(s, a, &r, SQL_TENANT_GET, ARG_INT(id)), &r, out);
}

enum err store_tenant_insert(struct store *s, const char *name, bool is_demo, int64_t now,
                             int64_t *id)
{
    struct arena a;
    struct sql_res r;
    enum err e;

    arena_init(&a, 1024);
    e = sql_one_int(
        store_q(s, &a, &r, SQL_TENANT_INSERT, ARG_TEXT(name), ARG_BOOL(is_demo), ARG_INT(now)), &r,
        id);
    arena_release(&a);
    return e;
}

enum err store_tenant_demo(struct store *s, int64_t *id)
{
    struct arena a;
    struct sql_res r;
    enum err e;

    arena_init(&a, 1024);
    e = sql_one_int(store_q(s, &a, &r, SQL_TENANT_DEMO), &r, id);
    arena_release(&a);
    return e;
}

/* A person keeps its row id and union_id across re-seeding; only the
 * descriptive fields change. */
static const char SQL_PERSON_UPSERT[] =
    "INSERT INTO person (tenant_id, user_id, union_id, name, email, udesk_agent_id) "
    "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, user_id) DO UPDATE SET "
    "name = excluded.name, email = excluded.email, udesk_agent_id = excluded.udesk_agent_id "
    "RETURNING id, union_id";
static const char SQL_PERSON_LIST[] =
    "SELECT id, user_id, union_id, name, email, udesk_agent_id FROM person "
    "WHERE tenant_id = $1 ORDER BY id";

enum err store_person_upsert(struct store *s, struct arena *a, struct person_row *p)
{
    struct sql_res r;
    /* No agent id is NULL, not 0. */
    enum err e = store_q(s, a, &r, SQL_PERSON_UPSERT, ARG_INT(p->tenant_id), ARG_TEXT(p->user_id),
                         ARG_TEXT(p->union_id), ARG_TEXT(p->name), ARG_TEXT(p->email),
                         ARG_INT_OR_NULL(p->udesk_agent_id));

    e = sql_one(e, &r);
    if (e == ERR_OK) {
        p->id = sql_int(&r, 0, 0);
        p->union_id = text(&r, 0, 1);
    }
    return e == ERR_NOT_FOUND ? ERR_STORE : e;
}

static const char SQL_PERSON_BY_AGENT[] =
    "SELECT id, user_id, union_id, name, email, udesk_agent_id FROM person "
    "WHERE tenant_id = $1 AND udesk_agent_id = $2";

static void person_fill(const struct sql_res *r, size_t i, int64_t tenant, struct person_row *p)
{
    p->id = sql_int(r, i, 0);
    p->tenant_id = tenant;
    p->user_id = sql_text(r, i, 1);
    p->union_id = sql_text(r, i, 2);
    p->name = sql_text(r, i, 3);
    p->email = sql_text(r, i, 4);
    p->udesk_agent_id = sql_int(r, i, 5);
}

enum err store_person_by_agent(struct store *s, struct arena *a, int64_t tenant, int64_t agent,
                               struct person_row *out)
{
    struct sql_res r;
    enum err e =
        sql_one(store_q(s, a, &r, SQL_PERSON_BY_AGENT, ARG_INT(tenant), ARG_INT(agent)), &r);

    if (e == ERR_OK)
        person_fill(&r, 0, tenant, out);
    return e;
}

enum err store_person_list(struct store *s, struct arena *a, int64_t tenant,
                           struct person_row **rows, size_t *n)
{
    struct sql_res r;
    enum err e = store_q(s, a, &r, SQL_PERSON_LIST, ARG_INT(tenant));

    *n = 0;
    *rows = NULL;
    if (e != ERR_OK)
        return e;
    *rows = arena_alloc(a, (r.nrows + 1) * sizeof(**rows));
    for (size_t i = 0; i < r.nrows; i++)
        person_fill(&r, i, tenant, &(*rows)[i]);
    *n = r.nrows;
    return ERR_OK;
}

static const char SQL_FS_KEY_GET[] = "SELECT tenant_key FROM fs_tenant WHERE tenant_id = $1";
static const char SQL_FS_KEY_SET[] =
    "INSERT INTO fs_tenant (tenant_id, tenant_key) VALUES ($1, $2) "
    "ON CONFLICT (tenant_id) DO UPDATE SET tenant_key = excluded.tenant_key";
static const char SQL_FS_APP_UPSERT[] =
    "INSERT INTO fs_app (tenant_id, app_id, app_secret, name) "
    "VALUES ($1, $2, coalesce($3, $4), $5) "
    "ON CONFLICT (app_id) DO UPDATE SET app_secret = coalesce($3, fs_app.app_secret), "
    "name = excluded.name WHERE fs_app.tenant_id = excluded.tenant_id RETURNING id, app_secret";
static const char SQL_FS_APP_LIST[] =
    "SELECT id, app_id, app_secret, name FROM fs_app WHERE tenant_id = $1 ORDER BY id";
static const char SQL_OPEN_ID_INSERT[] =
    "INSERT INTO fs_open_id (app_id, person_id, open_id) VALUES ($1, $2, $3)";

enum err store_fs_tenant_key_get(struct store *s, struct arena *a, int64_t tenant, char **key)
{
    struct sql_res r;

    return text_of(store_q(s, a, &r, SQL_FS_KEY_GET, ARG_INT(tenant)), &r, key);
}

enum err store_fs_tenant_key_set(struct store *s, int64_t tenant, const char *key)
{
    return store_q(s, NULL, NULL, SQL_FS_KEY_SET, ARG_INT(tenant), ARG_TEXT(key));
}

/* App secrets are stored sealed: the admin API returns them. */
enum err store_fs_app_upsert(struct store *s, struct arena *a, struct fs_app_row *app,
                             const char *new_secret)
{
    struct sql_res r;
    enum err e = store_q(s, a, &r, SQL_FS_APP_UPSERT, ARG_INT(app->tenant_id),
                         ARG_TEXT(app->app_id), ARG_TEXT(store_seal(s, a, app->app_secret)),
                         ARG_TEXT(store_seal(s, a, new_secret)), ARG_TEXT(app->name));

    /* No row back: the app_id belongs to another tenant. */
    e = sql_one(e, &r);
    if (e == ERR_NOT_FOUND)
        return ERR_CONFLICT;
    if (e == ERR_OK) {
        app->id = sql_int(&r, 0, 0);
        e = store_unseal(s, a, sql_text(&r, 0, 1), &app->app_secret);
    }
    return e;
}

enum err store_fs_app_list(struct store *s, struct arena *a, int64_t tenant,
                           struct fs_app_row **rows, size_t *n)
{
    struct sql_res r;
    enum err e = store_q(s, a, &r, SQL_FS_APP_LIST, ARG_INT(tenant));

    *n = 0;
    *rows = NULL;
    if (e != ERR_OK)
        return e;
    *rows = arena_alloc(a, (r.nrows + 1) * sizeof(**rows));
    for (size_t i = 0; e == ERR_OK && i < r.nrows; i++) {
        (*rows)[i].id = sql_int(&r, i, 0);
        (*rows)[i].tenant_id = tenant;
        (*rows)[i].app_id = sql_text(&r, i, 1);
        (*rows)[i].name = sql_text(&r, i, 3);
        e = store_unseal(s, a, sql_text(&r, i, 2), &(*rows)[i].app_secret);
    }
    *n = e == ERR_OK ? r.nrows : 0;
    return e;
}

enum err store_fs_open_id_ensure(struct store *s, struct arena *a, int64_t app, int64_t person,
                                 const char *candidate, char **open_id)
{
    enum err e = store_fs_open_id_get(s, a, app, person, open_id);

    if (e != ERR_NOT_FOUND)
        return e;
    e = store_q(s, a, NULL, SQL_OPEN_ID_INSERT, ARG_INT(app), ARG_INT(person), ARG_TEXT(candidate));
    if (e == ERR_OK)
        *open_id = arena_strdup(a, candidate);
    return e;
}

static const char SQL_WC_CORP_GET[] = "SELECT corpid FROM wc_corp WHERE tenant_id = $1";
static const char SQL_WC_CORP_FIND[] = "SELECT tenant_id FROM wc_corp WHERE corpid = $1";
static const char SQL_WC_CORP_SET[] =
    "INSERT INTO wc_corp (tenant_id, corpid) VALUES ($1, $2) "
    "ON CONFLICT (tenant_id) DO UPDATE SET corpid = excluded.corpid";
/* 'secret' holds the secret's keyed digest (gettoken finds the row by it),
 * 'sealed' the secret itself, sealed, for the admin API. */
static const char SQL_WC_SECRET_ADD[] =
    "INSERT INTO wc_secret (tenant_id, secret, sealed) VALUES ($1, $2, $3) "
    "ON CONFLICT (secret) DO NOTHING";
static const char SQL_WC_SECRET_FIND[] = "SELECT id, tenant_id FROM wc_secret WHERE secret = $1";
/* gettoken's two lookups in one statement (store_wc_credential_find). */
static const char SQL_WC_CREDENTIAL_FIND[] =
    "SELECT c.tenant_id, s.id, s.tenant_id FROM wc_corp c LEFT JOIN wc_secret s "
    "ON s.secret = $2 WHERE c.corpid = $1";
static const char SQL_WC_SECRET_LIST[] =
    "SELECT id, sealed FROM wc_secret WHERE tenant_id = $1 ORDER BY id";

enum err store_wc_corp_get(struct store *s, struct arena *a, int64_t tenant, char **corpid)
{
    struct sql_res r;

    return text_of(store_q(s, a, &r, SQL_WC_CORP_GET, ARG_INT(tenant)), &r, corpid);
}

enum err store_wc_corp_find(struct store *s, struct arena *a, const char *corpid,
                            int64_t *tenant)
{
    struct sql_res r;

    return sql_one_int(store_q(s, a, &r, SQL_WC_CORP_FIND, ARG_TEXT(corpid)), &r, tenant);
}

enum err store_wc_corp_set(struct store *s, int64_t tenant, const char *corpid)
{
    return store_q(s, NULL, NULL, SQL_WC_CORP_SET, ARG_INT(tenant), ARG_TEXT(corpid));
}

enum err store_wc_secret_add(struct store *s, int64_t tenant, const char *secret)
{
    struct arena a;
    enum err e;

    arena_init(&a, 512);
    e = store_q(s, NULL, NULL, SQL_WC_SECRET_ADD, ARG_INT(tenant),
                ARG_TEXT(store_digest(s, &a, secret)), ARG_TEXT(store_seal(s, &a, secret)));
    arena_release(&a);
    return e;
}

enum err store_wc_credential_find(struct store *s, struct arena *a, const char *corpid,
                                  const char *secret, int64_t *tenant, struct wc_secret_row *out)
{
    struct sql_res r;
    enum err e = sql_one(store_q(s, a, &r, SQL_WC_CREDENTIAL_FIND, ARG_TEXT(corpid),
                                 ARG_TEXT(store_digest(s, a, secret))),
                         &r);

    memset(out, 0, sizeof(*out));
    if (e != ERR_OK)
        return e;
    *tenant = sql_int(&r, 0, 0);
    out->id = sql_int(&r, 0, 1); /* NULL (no such secret) reads as 0, no row id */
    out->tenant_id = sql_int(&r, 0, 2);
    out->secret = out->id != 0 ? arena_strdup(a, secret) : NULL;
    return ERR_OK;
}

enum err store_wc_secret_find(struct store *s, struct arena *a, const char *secret,
                              struct wc_secret_row *out)
{
    struct sql_res r;
    enum err e =
        sql_one(store_q(s, a, &r, SQL_WC_SECRET_FIND, ARG_TEXT(store_digest(s, a, secret))), &r);

    if (e == ERR_OK) {
        out->id = sql_int(&r, 0, 0);
        out->tenant_id = sql_int(&r, 0, 1);
        out->secret = arena_strdup(a, secret);
    }
    return e;
}

enum err store_wc_secret_list(struct store *s, struct arena *a, int64_t tenant,
                              struct wc_secret_row **rows, size_t *n)
{
    struct sql_res r;
    enum err e = store_q(s, a, &r, SQL_WC_SECRET_LIST, ARG_INT(tenant));

    *n = 0;
    *rows = NULL;
    if (e != ERR_OK)
        return e;
    *rows = arena_alloc(a, (r.nrows + 1) * sizeof(**rows));
    for (size_t i = 0; e == ERR_OK && i < r.nrows; i++) {
        (*rows)[i].id = sql_int(&r, i, 0);
        (*rows)[i].tenant_id = tenant;
        e = store_unseal(s, a, sql_text(&r, i, 1), &(*rows)[i].secret);
    }
    *n = e == ERR_OK ? r.nrows : 0;
    return e;
}

#define UDESK_COLS "tenant_id, subdomain, admin_email, api_token, admin_password"

static const char SQL_UDESK_GET[] = "SELECT " UDESK_COLS " FROM udesk_company WHERE tenant_id = $1";
static const char SQL_UDESK_BY_SUB[] =
    "SELECT " UDESK_COLS " FROM udesk_company WHERE lower(subdomain) = lower($1)";
static const char SQL_UDESK_BY_EMAIL[] = "SELECT " UDESK_COLS " FROM udesk_company "
                                         "WHERE admin_email = $1 ORDER BY tenant_id LIMIT $2";
static const char SQL_UDESK_SET[] =
    "INSERT INTO udesk_company (tenant_id, subdomain, admin_email, api_token, admin_password) "
    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id) DO UPDATE SET "
    "subdomain = excluded.subdomain, admin_email = excluded.admin_email, "
    "api_token = excluded.api_token, "
    "admin_password = coalesce(excluded.admin_password, udesk_company.admin_password)";

/* The API token (it signs requests; log_in returns it) and the admin
 * password (the admin API returns it) are stored sealed. */
static enum err udesk_fill(struct store *s, struct arena *a, const struct sql_res *r, size_t i,
                           struct udesk_row *out)
{
    enum err e;

    out->tenant_id = sql_int(r, i, 0);
    out->subdomain = sql_text(r, i, 1);
    out->admin_email = sql_text(r, i, 2);
    e = store_unseal(s, a, sql_text(r, i, 3), &out->api_token);
    return e == ERR_OK ? store_unseal(s, a, sql_text(r, i, 4), &out->admin_password) : e;
}

static enum err udesk_one(struct store *s, struct arena *a, enum err e, const struct sql_res *r,
                          struct udesk_row *out)
{
    e = sql_one(e, r);
    return e == ERR_OK ? udesk_fill(s, a, r, 0, out) : e;
}

enum err store_udesk_get(struct store *s, struct arena *a, int64_t tenant, struct udesk_row *out)
{
    struct sql_res r;

    return udesk_one(s, a, store_q(s, a, &r, SQL_UDESK_GET, ARG_INT(tenant)), &r, out);
}

enum err store_udesk_by_subdomain(struct store *s, struct arena *a, const char *subdomain,
                                  struct udesk_row *out)
{
    struct sql_res r;

    return udesk_one(s, a, store_q(s, a, &r, SQL_UDESK_BY_SUB, ARG_TEXT(subdomain)), &r, out);
}

enum err store_udesk_by_email(struct store *s, struct arena *a, const char *email, size_t max,
                              struct udesk_row **rows, size_t *n)
{
    struct sql_res r;
    enum err e = store_q(s, a, &r, SQL_UDESK_BY_EMAIL, ARG_TEXT(email), ARG_INT(max));

    *n = 0;
    *rows = NULL;
    if (e != ERR_OK)
        return e;
    *rows = arena_alloc(a, (r.nrows + 1) * sizeof(**rows));
    for (size_t i = 0; e == ERR_OK && i < r.nrows; i++)
        e = udesk_fill(s, a, &r, i, &(*rows)[i]);
    *n = e == ERR_OK ? r.nrows : 0;
    return e;
}

enum err store_udesk_set(struct store *s, const struct udesk_row *u)
{
    struct arena a;
    enum err e;

    arena_init(&a, 1024);
    e = store_q(s, NULL, NULL, SQL_UDESK_SET, ARG_INT(u->tenant_id), ARG_TEXT(u->subdomain),
                ARG_TEXT(u->admin_email), ARG_TEXT(store_seal(s, &a, u->api_token)),
                ARG_TEXT(store_seal(s, &a, u->admin_password)));
    arena_release(&a);
    return e;
}
