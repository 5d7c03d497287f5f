/* SPDX-License-Identifier: MIT */
/*
 * store/store_sqlite_kb.c - SQLite operations on access tokens and
 * knowledge-base categories.
 */
#include "store/store_int.h"

#include "core/arena.h"

#define S(st) ((struct sq *)(st))

static const char SQL_TOKEN_INSERT[] =
    "INSERT INTO token (token, kind, tenant_id, principal, created_at, expires_at) "
    "VALUES (?, ?, ?, ?, ?, ?)";
static const char SQL_TOKEN_GET[] =
    "SELECT token, kind, tenant_id, principal, created_at, expires_at FROM token WHERE token = ?";
static const char SQL_TOKEN_LIVE[] =
    "SELECT token, kind, tenant_id, principal, created_at, expires_at FROM token "
    "WHERE kind = ? AND principal = ? AND expires_at > ? ORDER BY expires_at DESC LIMIT 1";

enum err sq_token_insert(struct store *st, const struct token_row *t)
{
    return sq_exec(S(st), SQL_TOKEN_INSERT, "siiiii", t->token, (int64_t)t->kind, t->tenant_id,
                   t->principal, t->created_at, t->expires_at);
}

static enum err token_read(struct sq *s, struct arena *a, sqlite3_stmt *q, struct token_row *out)
{
    enum err e;

    if (q == NULL)
        return ERR_STORE;
    e = sq_row(s, q, "token lookup");
    if (e != ERR_OK)
        return e;
    out->token = sq_col_text(a, q, 0);
    out->kind = sqlite3_column_int(q, 1);
    out->tenant_id = sqlite3_column_int64(q, 2);
    out->principal = sqlite3_column_int64(q, 3);
    out->created_at = sqlite3_column_int64(q, 4);
    out->expires_at = sqlite3_column_int64(q, 5);
    sqlite3_reset(q);
    return ERR_OK;
}

enum err sq_token_get(struct store *st, struct arena *a, const char *token, struct token_row *out)
{
    return token_read(S(st), a, sq_stmt(S(st), SQL_TOKEN_GET, "s", token), out);
}

enum err sq_token_live(struct store *st, struct arena *a, int kind, int64_t principal, int64_t now,
                       struct token_row *out)
{
    return token_read(S(st), a,
                      sq_stmt(S(st), SQL_TOKEN_LIVE, "iii", (int64_t)kind, principal, now), out);
}

#define KB_COLS "id, tenant_id, space, ext_id, name, is_default, created_at"

static const char SQL_KB_INSERT[] =
    "INSERT INTO kb_category (tenant_id, space, ext_id, name, is_default, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?)";
static const char SQL_KB_GET[] =
    "SELECT " KB_COLS " FROM kb_category WHERE tenant_id = ? AND space = ? AND ext_id = ?";
static const char SQL_KB_BY_NAME[] =
    "SELECT " KB_COLS " FROM kb_category WHERE tenant_id = ? AND space = ? AND name = ?";
static const char SQL_KB_COUNT[] =
    "SELECT count(*) FROM kb_category WHERE tenant_id = ? AND space = ?";
static const char SQL_KB_RENAME[] = "UPDATE kb_category SET name = ? WHERE id = ?";
static const char SQL_KB_DELETE[] = "DELETE FROM kb_category WHERE id = ?";
static const char SQL_KB_LIST[] =
    "SELECT " KB_COLS " FROM kb_category WHERE tenant_id = ? AND space = ? AND id > ? "
    "ORDER BY id LIMIT ?";

static void kb_fill(struct arena *a, sqlite3_stmt *q, struct kb_cat_row *out)
{
    out->id = sqlite3_column_int64(q, 0);
    out->tenant_id = sqlite3_column_int64(q, 1);
    out->space = sq_col_text(a, q, 2);
    out->ext_id = sq_col_text(a, q, 3);
    out->name = sq_col_text(a, q, 4);
    out->is_default = sqlite3_column_int(q, 5) != 0;
    out->created_at = sqlite3_column_int64(q, 6);
}

static enum err kb_read(struct sq *s, struct arena *a, sqlite3_stmt *q, struct kb_cat_row *out)
{
    enum err e;

    if (q == NULL)
        return ERR_STORE;
    e = sq_row(s, q, "kb_category lookup");
    if (e != ERR_OK)
        return e;
    kb_fill(a, q, out);
    sqlite3_reset(q);
    return ERR_OK;
}

enum err sq_kb_cat_insert(struct store *st, struct kb_cat_row *c)
{
    enum err e = sq_exec(S(st), SQL_KB_INSERT, "isssbi", c->tenant_id, c->space, c->ext_id,
                         c->name, (int)c->is_default, c->created_at);

    if (e == ERR_OK)
        c->id = sqlite3_last_insert_rowid(S(st)->db);
    return e;
}

enum err sq_kb_cat_get(struct store *st, struct arena *a, int64_t tenant, const char *space,
                       const char *ext_id, struct kb_cat_row *out)
{
    return kb_read(S(st), a, sq_stmt(S(st), SQL_KB_GET, "iss", tenant, space, ext_id), out);
}

enum err sq_kb_cat_by_name(struct store *st, struct arena *a, int64_t tenant, const char *space,
                           const char *name, struct kb_cat_row *out)
{
    return kb_read(S(st), a, sq_stmt(S(st), SQL_KB_BY_NAME, "iss", tenant, space, name), out);
}

enum err sq_kb_cat_count(struct store *st, int64_t tenant, const char *space, int64_t *n)
{
    struct sq *s = S(st);
    sqlite3_stmt *q = sq_stmt(s, SQL_KB_COUNT, "is", tenant, space);
    enum err e;

    if (q == NULL)
        return ERR_STORE;
    e = sq_row(s, q, "kb_cat_count");
    if (e != ERR_OK)
        return e == ERR_NOT_FOUND ? ERR_STORE : e;
    *n = sqlite3_column_int64(q, 0);
    sqlite3_reset(q);
    return ERR_OK;
}

enum err sq_kb_cat_rename(struct store *st, int64_t id, const char *name)
{
    return sq_exec(S(st), SQL_KB_RENAME, "si", name, id);
}

enum err sq_kb_cat_delete(struct store *st, int64_t id)
{
    return sq_exec(S(st), SQL_KB_DELETE, "i", id);
}

enum err sq_kb_cat_list(struct store *st, struct arena *a, int64_t tenant, const char *space,
                        int64_t after, int64_t limit, struct kb_cat_row **rows, size_t *n)
{
    struct sq *s = S(st);
    sqlite3_stmt *q = sq_stmt(s, SQL_KB_LIST, "isii", tenant, space, after, limit);
    size_t cap = 0;
    int rc;

    *rows = NULL;
    *n = 0;
    if (q == NULL)
        return ERR_STORE;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        *rows = sq_grow(a, *rows, *n, &cap, sizeof(**rows));
        kb_fill(a, q, &(*rows)[(*n)++]);
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? ERR_OK : sq_fail(s, "kb_cat_list");
}
