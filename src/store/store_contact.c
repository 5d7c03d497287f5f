/* SPDX-License-Identifier: MIT */
/*
 * store/store_contact.c - the Feishu directory (departments, each person's
 * profile and department memberships), what each app holds (granted scopes,
 * contact data range, its bot's open_id) and the scopes a person granted per
 * code or user token, in SQL that every backend runs.
 */
#include "store/store_int.h"

#include "core/arena.h"

#include <string.h>

#define DEPT_COLS "id, tenant_id, department_id, open_department_id, parent_ref, sort_order, detail"

static const char SQL_DEPT_BY_ID[] =
    "SELECT " DEPT_COLS " FROM fs_department WHERE tenant_id = $1 AND department_id = $2";
static const char SQL_DEPT_INSERT[] =
    "INSERT INTO fs_department (tenant_id, department_id, open_department_id, parent_ref, "
    "sort_order, detail) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
static const char SQL_DEPT_UPDATE[] =
    "UPDATE fs_department SET parent_ref = $2, sort_order = $3, detail = $4 WHERE id = $1";
static const char SQL_DEPT_LIST[] =
    "SELECT " DEPT_COLS " FROM fs_department WHERE tenant_id = $1 ORDER BY sort_order, id";

static void dept_fill(const struct sql_res *r, size_t i, struct fs_dept_row *d)
{
    d->id = sql_int(r, i, 0);
    d->tenant_id = sql_int(r, i, 1);
    d->department_id = sql_text(r, i, 2);
    d->open_department_id = sql_text(r, i, 3);
    d->parent = sql_int(r, i, 4);
    d->order = sql_int(r, i, 5);
    d->detail = sql_text(r, i, 6);
}

enum err store_fs_dept_upsert(struct store *s, struct arena *a, struct fs_dept_row *d)
{
    struct sql_res r;
    enum err e = sql_one(
        store_q(s, a, &r, SQL_DEPT_BY_ID, ARG_INT(d->tenant_id), ARG_TEXT(d->department_id)), &r);

    if (e == ERR_OK) {
        d->id = sql_int(&r, 0, 0);
        d->open_department_id = sql_text(&r, 0, 3);
        return store_q(s, NULL, NULL, SQL_DEPT_UPDATE, ARG_INT(d->id), ARG_INT(d->parent),
                       ARG_INT(d->order), ARG_TEXT(d->detail));
    }
    if (e != ERR_NOT_FOUND)
        return e;
    return sql_one_int(store_q(s, a, &r, SQL_DEPT_INSERT, ARG_INT(d->tenant_id),
                               ARG_TEXT(d->department_id), ARG_TEXT(d->open_department_id),
                               ARG_INT(d->parent), ARG_INT(d->order), ARG_TEXT(d->detail)),
                       &r, &d->id);
}

enum err store_fs_dept_list(struct store *s, struct arena *a, int64_t tenant,
                            struct fs_dept_row **rows, size_t *n)
{
    struct sql_res r;
    enum err e = store_q(s, a, &r, SQL_DEPT_LIST, ARG_INT(tenant));

    *n = 0;
    if (e != ERR_OK)
        return e;
    *rows = arena_alloc(a, (r.nrows + 1) * sizeof(**rows));
    for (size_t i = 0; i < r.nrows; i++)
        dept_fill(&r, i, &(*rows)[i]);
    *n = r.nrows;
    return ERR_OK;
}

static const char SQL_PROFILE_SET[] =
    "INSERT INTO fs_person_profile (person_id, mobile, resigned, profile) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (person_id) DO UPDATE SET mobile = excluded.mobile, resigned = "
    "excluded.resigned, profile = excluded.profile";
static const char SQL_PROFILE_GET[] =
    "SELECT person_id, mobile, resigned, profile FROM fs_person_profile WHERE person_id = $1";

enum err store_fs_profile_set(struct store *s, const struct fs_profile_row *p)
{
    return store_q(s, NULL, NULL, SQL_PROFILE_SET, ARG_INT(p->person), ARG_TEXT(p->mobile),
                   ARG_BOOL(p->resigned), ARG_TEXT(p->profile));
}

enum err store_fs_profile_get(struct store *s, struct arena *a, int64_t person,
                              struct fs_profile_row *out)
{
    struct sql_res r;
    enum err e = sql_one(store_q(s, a, &r, SQL_PROFILE_GET, ARG_INT(person)), &r);

    if (e == ERR_OK) {
        out->person = sql_int(&r, 0, 0);
        out->mobile = sql_text(&r, 0, 1);
        out->resigned = sql_int(&r, 0, 2) != 0;
        out->profile = sql_text(&r, 0, 3);
    }
    return e;
}

#define MEMBERSHIP_COLS "d.person_id, d.dept_ref, d.pos, d.user_order, d.department_order"

static const char SQL_MEMBERSHIP_CLEAR[] = "DELETE FROM fs_person_dept WHERE person_id = $1";
static const char SQL_MEMBERSHIP_ADD[] =
    "INSERT INTO fs_person_dept (person_id, dept_ref, pos, user_order, department_order) "
    "VALUES ($1, $2, $3, $4, $5)";
static const char SQL_MEMBERSHIP_OF[] =
    "SELECT " MEMBERSHIP_COLS " FROM fs_person_dept d WHERE d.person_id = $1 ORDER BY d.pos";
/* Every membership of the tenant's people still with the company. */
static const char SQL_MEMBERSHIP_TENANT[] =
    "SELECT " MEMBERSHIP_COLS " FROM fs_person_dept d JOIN person p ON p.id = d.person_id "
    "LEFT JOIN fs_person_profile f ON f.person_id = d.person_id "
    "WHERE p.tenant_id = $1 AND COALESCE(f.resigned, 0) = 0 ORDER BY d.person_id, d.pos";
/* The direct members of one department (0: the root) still with the
 * company, larger user_order first. */
static const char SQL_MEMBERSHIP_DEPT[] =
    "SELECT " MEMBERSHIP_COLS " FROM fs_person_dept d JOIN person p ON p.id = d.person_id "
    "LEFT JOIN fs_person_profile f ON f.person_id = d.person_id "
    "WHERE p.tenant_id = $1 AND d.dept_ref = $2 AND COALESCE(f.resigned, 0) = 0 "
    "ORDER BY d.user_order DESC, d.person_id LIMIT $3 OFFSET $4";

static void membership_fill(const struct sql_res *r, size_t i, struct fs_membership_row *m)
{
    m->person = sql_int(r, i, 0);
    m->dept = sql_int(r, i, 1);
    m->pos = sql_int(r, i, 2);
    m->user_order = sql_int(r, i, 3);
    m->department_order = sql_int(r, i, 4);
}

static enum err membership_rows(enum err e, struct arena *a, const struct sql_res *r,
                                struct fs_membership_row **rows, size_t *n)
{
    *n = 0;
    if (e != ERR_OK)
        return e;
    *rows = arena_alloc(a, (r->nrows + 1) * sizeof(**rows));
    for (size_t i = 0; i < r->nrows; i++)
        membership_fill(r, i, &(*rows)[i]);
    *n = r->nrows;
    return ERR_OK;
}

enum err store_fs_membership_set(struct store *s, int64_t person,
                                 const struct fs_membership_row *rows, size_t n)
{
    enum err e = store_q(s, NULL, NULL, SQL_MEMBERSHIP_CLEAR, ARG_INT(person));

    for (size_t i = 0; e == ERR_OK && i < n; i++)
        e = store_q(s, NULL, NULL, SQL_MEMBERSHIP_ADD, ARG_INT(person), ARG_INT(rows[i].dept),
                    ARG_INT((int64_t)i), ARG_INT(rows[i].user_order),
                    ARG_INT(rows[i].department_order));
    return e;
}

enum err store_fs_membership_of(struct store *s, struct arena *a, int64_t person,
                                struct fs_membership_row **rows, size_t *n)
{
    struct sql_res r;

    return membership_rows(store_q(s, a, &r, SQL_MEMBERSHIP_OF, ARG_INT(person)), a, &r, rows, n);
}

enum err store_fs_membership_tenant(struct store *s, struct arena *a, int64_t tenant,
                                    struct fs_membership_row **rows, size_t *n)
{
    struct sql_res r;

    return membership_rows(store_q(s, a, &r, SQL_MEMBERSHIP_TENANT, ARG_INT(tenant)), a, &r, rows,
                           n);
}

enum err store_fs_membership_dept(struct store *s, struct arena *a, int64_t tenant, int64_t dept,
                                  int64_t offset, int64_t limit, struct fs_membership_row **rows,
                                  size_t *n)
{
    struct sql_res r;

    return membership_rows(store_q(s, a, &r, SQL_MEMBERSHIP_DEPT, ARG_INT(tenant), ARG_INT(dept),
                                   ARG_INT(limit), ARG_INT(offset)),
                           a, &r, rows, n);
}

/* E-mail matches ignoring ASCII case (unconfirmed, docs/compat.md); a
 * mobile as stored. The lowest row id wins if two people share one. */
static const char SQL_PERSON_BY_EMAIL[] =
    "SELECT id FROM person WHERE tenant_id = $1 AND lower(email) = lower($2) ORDER BY id LIMIT 1";
static const char SQL_PERSON_BY_MOBILE[] =
    "SELECT p.id FROM person p JOIN fs_person_profile f ON f.person_id = p.id "
    "WHERE p.tenant_id = $1 AND f.mobile = $2 ORDER BY p.id LIMIT 1";

enum err store_fs_person_by_contact(struct store *s, int64_t tenant, const char *kind,
                                    const char *value, int64_t *person)
{
    struct sql_res r;
    struct arena a;
    enum err e;

    arena_init(&a, 256);
    e = sql_one_int(store_q(s, &a, &r,
                            strcmp(kind, "email") == 0 ? SQL_PERSON_BY_EMAIL : SQL_PERSON_BY_MOBILE,
                            ARG_INT(tenant), ARG_TEXT(value)),
                    &r, person);
    arena_release(&a);
    return e;
}

static const char SQL_ACCESS_GET[] =
    "SELECT x.app_ref, x.scopes, x.contact_range, x.bot_open_id, a.app_id, a.name, a.tenant_id, "
    "t.tenant_key FROM fs_app_access x JOIN fs_app a ON a.id = x.app_ref "
    "LEFT JOIN fs_tenant t ON t.tenant_id = a.tenant_id WHERE x.app_ref = $1";
static const char SQL_ACCESS_INSERT[] =
    "INSERT INTO fs_app_access (app_ref, scopes, contact_range, bot_open_id) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT (app_ref) DO NOTHING";
static const char SQL_ACCESS_SCOPES[] = "UPDATE fs_app_access SET scopes = $2 WHERE app_ref = $1";
static const char SQL_ACCESS_RANGE[] =
    "UPDATE fs_app_access SET contact_range = $2 WHERE app_ref = $1";

enum err store_fs_access_get(struct store *s, struct arena *a, int64_t app,
                             struct fs_access_row *out)
{
    struct sql_res r;
    enum err e = sql_one(store_q(s, a, &r, SQL_ACCESS_GET, ARG_INT(app)), &r);

    if (e == ERR_OK) {
        out->app = sql_int(&r, 0, 0);
        out->scopes = sql_text(&r, 0, 1);
        out->contact_range = sql_text(&r, 0, 2);
        out->bot_open_id = sql_text(&r, 0, 3);
        out->app_id = sql_text(&r, 0, 4);
        out->name = sql_text(&r, 0, 5);
        out->tenant = sql_int(&r, 0, 6);
        out->tenant_key = sql_text(&r, 0, 7);
    }
    return e;
}

enum err store_fs_access_ensure(struct store *s, int64_t app, const char *bot_open_id)
{
    return store_q(s, NULL, NULL, SQL_ACCESS_INSERT, ARG_INT(app), ARG_TEXT(NULL), ARG_TEXT(NULL),
                   ARG_TEXT(bot_open_id));
}

enum err store_fs_access_set(struct store *s, int64_t app, bool scopes, const char *value)
{
    return store_q(s, NULL, NULL, scopes ? SQL_ACCESS_SCOPES : SQL_ACCESS_RANGE, ARG_INT(app),
                   ARG_TEXT(value));
}

static const char SQL_GRANT_PUT[] =
    "INSERT INTO fs_grant (secret, scope, expires_at) VALUES ($1, $2, $3) "
    "ON CONFLICT (secret) DO UPDATE SET scope = excluded.scope, expires_at = excluded.expires_at";
static const char SQL_GRANT_GET[] = "SELECT scope FROM fs_grant WHERE secret = $1";
static const char SQL_GRANT_PURGE[] = "DELETE FROM fs_grant WHERE expires_at <= $1";

enum err store_fs_grant_put(struct store *s, const char *secret, const char *scope,
                            int64_t expires_at, int64_t now)
{
    struct arena a;
    enum err e;

    arena_init(&a, 256);
    e = store_q(s, NULL, NULL, SQL_GRANT_PURGE, ARG_INT(now));
    if (e == ERR_OK)
        e = store_q(s, NULL, NULL, SQL_GRANT_PUT, ARG_TEXT(store_digest(s, &a, secret)),
                    ARG_TEXT(scope), ARG_INT(expires_at));
    arena_release(&a);
    return e;
}

enum err store_fs_grant_get(struct store *s, struct arena *a, const char *secret, char **scope)
{
    struct sql_res r;
    enum err e =
        sql_one(store_q(s, a, &r, SQL_GRANT_GET, ARG_TEXT(store_digest(s, a, secret))), &r);

    if (e == ERR_OK)
        *scope = (char *)sql_text(&r, 0, 0);
    return e;
}
