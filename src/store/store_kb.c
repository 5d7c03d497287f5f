/* SPDX-License-Identifier: MIT */
/*
 * store/store_kb.c - access tokens, nonces and knowledge-base categories, in SQL
 * that every backend runs.
 */
#include "store/store_int.h"

#include "core/arena.h"

#include <string.h>

/* The token column holds the token's keyed digest; 'sealed' the token
 * itself, sealed, for the kinds handed out again (store_secrets.c). */
#define TOKEN_COLS "sealed, kind, tenant_id, principal, created_at, expires_at, app_ref"

static const char SQL_TOKEN_INSERT[] =
    "INSERT INTO token (token, sealed, kind, tenant_id, principal, created_at, expires_at, "
    "app_ref) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
static const char SQL_TOKEN_GET[] = "SELECT " TOKEN_COLS " FROM token WHERE token = $1";
static const char SQL_TOKEN_LIVE[] =
    "SELECT " TOKEN_COLS " FROM token WHERE kind = $1 AND principal = $2 AND expires_at > $3 "
    "AND sealed IS NOT NULL ORDER BY expires_at DESC LIMIT 1";
static const char SQL_TOKEN_DELETE[] = "DELETE FROM token WHERE token = $1";

enum err store_token_insert(struct store *s, const struct token_row *t)
{
    struct arena a;
    enum err e;

    arena_init(&a, 512);
    e = store_q(s, NULL, NULL, SQL_TOKEN_INSERT, ARG_TEXT(store_digest(s, &a, t->token)),
                ARG_TEXT(t->reusable ? store_seal(s, &a, t->token) : NULL), ARG_INT(t->kind),
                ARG_INT(t->tenant_id), ARG_INT(t->principal), ARG_INT(t->created_at),
                ARG_INT(t->expires_at), ARG_INT(t->app));
    arena_release(&a);
    return e;
}

enum err store_token_delete(struct store *s, const char *token)
{
    struct arena a;
    enum err e;

    arena_init(&a, 256);
    e = store_q(s, NULL, NULL, SQL_TOKEN_DELETE, ARG_TEXT(store_digest(s, &a, token)));
    arena_release(&a);
    return e;
}

/* 'token' is the token looked up, or NULL to open the sealed one. */
static enum err token_read(struct store *s, struct arena *a, enum err e, const struct sql_res *r,
                           const char *token, struct token_row *out)
{
    e = sql_one(e, r);
    if (e == ERR_OK) {
        out->token = arena_strdup(a, token);
        out->reusable = sql_text(r, 0, 0) != NULL;
        out->kind = (int)sql_int(r, 0, 1);
        out->tenant_id = sql_int(r, 0, 2);
        out->principal = sql_int(r, 0, 3);
        out->created_at = sql_int(r, 0, 4);
        out->expires_at = sql_int(r, 0, 5);
        out->app = sql_int(r, 0, 6);
        if (token == NULL)
            e = store_unseal(s, a, sql_text(r, 0, 0), &out->token);
    }
    return e;
}

enum err store_token_get(struct store *s, struct arena *a, const char *token,
                         struct token_row *out)
{
    struct sql_res r;
    enum err e = store_q(s, a, &r, SQL_TOKEN_GET, ARG_TEXT(store_digest(s, a, token)));

    return token_read(s, a, e, &r, token, out);
}

enum err store_token_live(struct store *s, struct arena *a, int kind, int64_t principal,
                          int64_t now, struct token_row *out)
{
    struct sql_res r;
    enum err e = store_q(s, a, &r, SQL_TOKEN_LIVE, ARG_INT(kind), ARG_INT(principal), ARG_INT(now));

    return token_read(s, a, e, &r, NULL, out);
}

/* Nonces of signed requests: a replay finds its row and inserts nothing. */
static const char SQL_NONCE_INSERT[] =
    "INSERT INTO nonce (tenant_id, nonce, expires_at) VALUES ($1, $2, $3) "
    "ON CONFLICT (tenant_id, nonce) DO NOTHING RETURNING 1";
static const char SQL_NONCE_PURGE[] = "DELETE FROM nonce WHERE tenant_id = $1 AND expires_at <= $2";

enum err store_nonce_insert(struct store *s, int64_t tenant, const char *nonce,
                            int64_t expires_at)
{
    struct arena a;
    struct sql_res r;
    enum err e;

    arena_init(&a, 256);
    e = sql_one(
        store_q(s, &a, &r, SQL_NONCE_INSERT, ARG_INT(tenant), ARG_TEXT(nonce), ARG_INT(expires_at)),
        &r);
    arena_release(&a);
    return e == ERR_NOT_FOUND ? ERR_CONFLICT : e;
}

enum err store_nonce_purge(struct store *s, int64_t tenant, int64_t now)
{
    return store_q_later(s, SQL_NONCE_PURGE, ARG_INT(tenant), ARG_INT(now));
}

#define KB_COLS                                                                            \
    "id, tenant_id, space, type, parent_id, owner_id, ext_id, name, is_default, created_at"

/* A top-level category has parent_id NULL (the column references its parent);
 * callers say 0. */
static const char SQL_KB_INSERT[] =
    "INSERT INTO kb_category (tenant_id, space, type, parent_id, owner_id, ext_id, name, "
    "is_default, created_at) VALUES ($1, $2, $3, NULLIF(CAST($4 AS BIGINT), 0), $5, $6, $7, $8, "
    "$9) RETURNING id";
/* The insert of a category with a unique name in a space of at most $10:
 * it inserts nothing (no row back) when the name is taken or the space is
 * full. */
static const char SQL_KB_INSERT_COUNTED[] =
    "INSERT INTO kb_category (tenant_id, space, type, parent_id, owner_id, ext_id, name, "
    "is_default, created_at) SELECT CAST($1 AS BIGINT), CAST($2 AS TEXT), CAST($3 AS TEXT), "
    "NULLIF(CAST($4 AS BIGINT), 0), CAST($5 AS BIGINT), CAST($6 AS TEXT), CAST($7 AS TEXT), "
    "CAST($8 AS SMALLINT), CAST($9 AS BIGINT) "
    "WHERE NOT EXISTS (SELECT 1 FROM kb_category WHERE tenant_id = $1 AND space = $2 AND name = $7) "
    "AND (SELECT count(*) FROM kb_category WHERE tenant_id = $1 AND space = $2) < $10 "
    "RETURNING id";
static const char SQL_KB_GET[] = "SELECT " KB_COLS " FROM kb_category "
                                 "WHERE tenant_id = $1 AND space = $2 AND ext_id = $3";
static const char SQL_KB_GET_ID[] = "SELECT " KB_COLS " FROM kb_category "
                                    "WHERE tenant_id = $1 AND space = $2 AND id = $3";
static const char SQL_KB_BY_NAME[] = "SELECT " KB_COLS " FROM kb_category "
                                     "WHERE tenant_id = $1 AND space = $2 AND name = $3";
static const char SQL_KB_COUNT[] =
    "SELECT count(*), coalesce(max(CASE WHEN name = $3 THEN id END), 0) FROM kb_category "
    "WHERE tenant_id = $1 AND space = $2";
static const char SQL_KB_RENAME[] = "UPDATE kb_category SET name = $1 WHERE id = $2";
static const char SQL_KB_MOVE[] =
    "UPDATE kb_category SET parent_id = NULLIF(CAST($1 AS BIGINT), 0) WHERE id = $2";
/* The subtree goes with it: parent_id is ON DELETE CASCADE. */
static const char SQL_KB_DELETE[] = "DELETE FROM kb_category WHERE id = $1";
static const char SQL_KB_LIST[] =
    "SELECT " KB_COLS " FROM kb_category WHERE tenant_id = $1 AND space = $2 AND type = $3 "
    "AND owner_id = $4 AND id > $5 ORDER BY id LIMIT $6";
/* A tree's rows: only what nests and names them. */
static const char SQL_KB_TREE[] =
    "SELECT id, parent_id, name FROM kb_category WHERE tenant_id = $1 AND space = $2 "
    "AND type = $3 AND owner_id = $4 ORDER BY id";
/* Both walks are bounded by $2 levels, whatever the rows say. */
static const char SQL_KB_PATH[] =
    "WITH RECURSIVE up (id, parent_id, n) AS ("
    "SELECT id, parent_id, 1 FROM kb_category WHERE id = $1 "
    "UNION ALL SELECT k.id, k.parent_id, up.n + 1 FROM kb_category k "
    "JOIN up ON k.id = up.parent_id WHERE up.n < CAST($2 AS INTEGER)) "
    "SELECT id FROM up ORDER BY n";
static const char SQL_KB_HEIGHT[] =
    "WITH RECURSIVE down (id, n) AS ("
    "SELECT id, 1 FROM kb_category WHERE id = $1 "
    "UNION ALL SELECT k.id, down.n + 1 FROM kb_category k "
    "JOIN down ON k.parent_id = down.id WHERE down.n < CAST($2 AS INTEGER)) "
    "SELECT max(n) FROM down";

static void kb_fill(const struct sql_res *r, size_t i, struct kb_cat_row *out)
{
    out->id = sql_int(r, i, 0);
    out->tenant_id = sql_int(r, i, 1);
    out->space = sql_text(r, i, 2);
    out->type = sql_text(r, i, 3);
    out->parent_id = sql_int(r, i, 4);
    out->owner_id = sql_int(r, i, 5);
    out->ext_id = sql_text(r, i, 6);
    out->name = sql_text(r, i, 7);
    out->is_default = sql_int(r, i, 8) != 0;
    out->created_at = sql_int(r, i, 9);
}

static enum err kb_one(enum err e, const struct sql_res *r, struct kb_cat_row *out)
{
    e = sql_one(e, r);
    if (e == ERR_OK)
        kb_fill(r, 0, out);
    return e;
}

enum err store_kb_cat_insert(struct store *s, struct kb_cat_row *c)
{
    struct arena a;
    struct sql_res r;
    enum err e;

    arena_init(&a, 1024);
    e = store_q(s, &a, &r, SQL_KB_INSERT, ARG_INT(c->tenant_id), ARG_TEXT(c->space),
                ARG_TEXT(c->type), ARG_INT(c->parent_id), ARG_INT(c->owner_id), ARG_TEXT(c->ext_id),
                ARG_TEXT(c->name), ARG_BOOL(c->is_default), ARG_INT(c->created_at));
    e = sql_one_int(e, &r, &c->id);
    arena_release(&a);
    return e;
}

enum err store_kb_cat_insert_counted(struct store *s, struct kb_cat_row *c, int64_t max_count,
                                     bool *made)
{
    struct arena a;
    struct sql_res r;
    enum err e;

    arena_init(&a, 1024);
    e = store_q(s, &a, &r, SQL_KB_INSERT_COUNTED, ARG_INT(c->tenant_id), ARG_TEXT(c->space),
                ARG_TEXT(c->type), ARG_INT(c->parent_id), ARG_INT(c->owner_id), ARG_TEXT(c->ext_id),
                ARG_TEXT(c->name), ARG_BOOL(c->is_default), ARG_INT(c->created_at),
                ARG_INT(max_count));
    *made = e == ERR_OK && r.nrows == 1;
    if (*made)
        e = sql_one_int(e, &r, &c->id);
    arena_release(&a);
    return e;
}

enum err store_kb_cat_get(struct store *s, struct arena *a, int64_t tenant, const char *space,
                          const char *ext_id, struct kb_cat_row *out)
{
    struct sql_res r;

    return kb_one(store_q(s, a, &r, SQL_KB_GET, ARG_INT(tenant), ARG_TEXT(space), ARG_TEXT(ext_id)),
                  &r, out);
}

enum err store_kb_cat_get_id(struct store *s, struct arena *a, int64_t tenant,
                             const char *space, int64_t id, struct kb_cat_row *out)
{
    struct sql_res r;

    return kb_one(store_q(s, a, &r, SQL_KB_GET_ID, ARG_INT(tenant), ARG_TEXT(space), ARG_INT(id)),
                  &r, out);
}

enum err store_kb_cat_by_name(struct store *s, struct arena *a, int64_t tenant,
                              const char *space, const char *name, struct kb_cat_row *out)
{
    struct sql_res r;

    return kb_one(
        store_q(s, a, &r, SQL_KB_BY_NAME, ARG_INT(tenant), ARG_TEXT(space), ARG_TEXT(name)), &r,
        out);
}

/* Reads the one integer an aggregate query returns, then releases 'a'. */
static enum err agg_int(struct arena *a, enum err e, const struct sql_res *r, int64_t *out)
{
    e = sql_one_int(e, r, out);
    arena_release(a);
    return e == ERR_NOT_FOUND ? ERR_STORE : e;
}

enum err store_kb_cat_count(struct store *s, int64_t tenant, const char *space, const char *name,
                            int64_t *n, int64_t *named)
{
    struct arena a;
    struct sql_res r;
    enum err e;

    arena_init(&a, 1024);
    e = sql_one(store_q(s, &a, &r, SQL_KB_COUNT, ARG_INT(tenant), ARG_TEXT(space), ARG_TEXT(name)),
                &r);
    if (e == ERR_OK) {
        *n = sql_int(&r, 0, 0);
        *named = sql_int(&r, 0, 1);
    }
    arena_release(&a);
    return e;
}

enum err store_kb_cat_rename(struct store *s, int64_t id, const char *name)
{
    return store_q(s, NULL, NULL, SQL_KB_RENAME, ARG_TEXT(name), ARG_INT(id));
}

enum err store_kb_cat_move(struct store *s, int64_t id, int64_t parent)
{
    return store_q(s, NULL, NULL, SQL_KB_MOVE, ARG_INT(parent), ARG_INT(id));
}

enum err store_kb_cat_delete(struct store *s, int64_t id)
{
    return store_q_later(s, SQL_KB_DELETE, ARG_INT(id));
}

enum err store_kb_cat_list(struct store *s, struct arena *a, int64_t tenant, const char *space,
                           const char *type, int64_t owner, int64_t after, int64_t limit,
                           struct kb_cat_row **rows, size_t *n)
{
    struct sql_res r;
    enum err e = store_q(s, a, &r, SQL_KB_LIST, ARG_INT(tenant), ARG_TEXT(space), ARG_TEXT(type),
                         ARG_INT(owner), ARG_INT(after), ARG_INT(limit));

    *n = 0;
    *rows = NULL;
    if (e != ERR_OK)
        return e;
    *rows = arena_alloc(a, (r.nrows + 1) * sizeof(**rows));
    for (size_t i = 0; i < r.nrows; i++)
        kb_fill(&r, i, &(*rows)[i]);
    *n = r.nrows;
    return ERR_OK;
}

enum err store_kb_cat_tree(struct store *s, struct arena *a, int64_t tenant, const char *space,
                           const char *type, int64_t owner, struct kb_cat_row **rows, size_t *n)
{
    struct sql_res r;
    enum err e = store_q(s, a, &r, SQL_KB_TREE, ARG_INT(tenant), ARG_TEXT(space), ARG_TEXT(type),
                         ARG_INT(owner));

    *n = 0;
    *rows = NULL;
    if (e != ERR_OK)
        return e;
    *rows = arena_alloc(a, (r.nrows + 1) * sizeof(**rows));
    for (size_t i = 0; i < r.nrows; i++) {
        (*rows)[i].id = sql_int(&r, i, 0);
        (*rows)[i].parent_id = sql_int(&r, i, 1);
        (*rows)[i].name = sql_text(&r, i, 2);
    }
    *n = r.nrows;
    return ERR_OK;
}

enum err store_kb_cat_path(struct store *s, struct arena *a, int64_t id, int64_t max,
                           int64_t **ids, size_t *n)
{
    struct sql_res r;
    enum err e = store_q(s, a, &r, SQL_KB_PATH, ARG_INT(id), ARG_INT(max));

    *n = 0;
    *ids = NULL;
    if (e != ERR_OK)
        return e;
    *ids = arena_alloc(a, (r.nrows + 1) * sizeof(**ids));
    for (size_t i = 0; i < r.nrows; i++)
        (*ids)[i] = sql_int(&r, i, 0);
    *n = r.nrows;
    return ERR_OK;
}

enum err store_kb_cat_height(struct store *s, int64_t id, int64_t max, int64_t *height)
{
    struct arena a;
    struct sql_res r;

    arena_init(&a, 1024);
    return agg_int(&a, store_q(s, &a, &r, SQL_KB_HEIGHT, ARG_INT(id), ARG_INT(max)), &r, height);
}
