/* SPDX-License-Identifier: MIT */
/*
 * store/store.c - backend selection, the transaction wrappers, typed
 * statement helpers and migrations, shared by every backend.
 */
#include "store/store.h"
#include "store/store_int.h"

#include "config/config.h"
#include "core/arena.h"
#include "core/log.h"
#include "core/str.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

bool store_shared(const struct config *cfg)
{
    return strncmp(cfg->db, "sqlite:", 7) != 0;
}

struct store *store_open(const struct config *cfg)
{
    struct store *s;
    enum err e;

    if (!cfg->has_secret_key) {
        log_error("store: no server key loaded (secret_key_file)");
        return NULL;
    }
    s = store_shared(cfg) ? pg_open(cfg) : sq_open(cfg);
    if (s == NULL)
        return NULL;
    s->key = cfg->secret_key;
    e = store_begin(s, true);
    if (e == ERR_OK) {
        e = store_secrets_init(s);
        if (e == ERR_OK)
            e = store_commit(s);
        else
            store_rollback(s);
    }
    /* A database that does not answer is not fatal here, as in pg_open:
     * start-up fails on it and opens again. Another key is fatal. */
    if (e != ERR_OK && e != ERR_STORE) {
        store_close(s);
        return NULL;
    }
    return s;
}

void store_group_attach(struct store *s, struct store_group *g, bool wait)
{
    if (g != NULL && s->ops->group_attach != NULL)
        s->ops->group_attach(s, g, wait);
}

void store_close(struct store *s)
{
    if (s != NULL)
        s->ops->close(s);
}

enum err store_ping(struct store *s)
{
    return s->ops->ping(s);
}

enum err store_begin(struct store *s, bool write)
{
    s->failed = false;
    return s->ops->begin(s, write);
}

int64_t store_cache_epoch(struct store *s)
{
    return s->ops->cache_epoch != NULL ? s->ops->cache_epoch(s, false) : -1;
}

int64_t store_cache_now(struct store *s)
{
    return s->ops->cache_epoch != NULL ? s->ops->cache_epoch(s, true) : -1;
}

enum err store_begin_versioned(struct store *s)
{
    s->failed = false;
    return s->ops->begin_versioned != NULL ? s->ops->begin_versioned(s) : s->ops->begin(s, false);
}

int64_t store_data_version(struct store *s)
{
    return s->ops->data_version != NULL && !s->failed ? s->ops->data_version(s) : -1;
}

enum err store_begin_alone(struct store *s)
{
    s->failed = false;
    return s->ops->begin_alone != NULL ? s->ops->begin_alone(s) : s->ops->begin(s, true);
}

enum err store_commit(struct store *s)
{
    if (s->failed) {
        log_warn("store: a statement failed in this transaction; rolled back");
        s->ops->rollback(s);
        return ERR_STORE;
    }
    return s->ops->commit(s);
}

void store_rollback(struct store *s)
{
    s->ops->rollback(s);
}

enum err store_lock_tenant(struct store *s, int64_t tenant)
{
    enum err e = s->ops->lock_tenant(s, tenant);

    if (e == ERR_STORE)
        s->failed = true;
    return e;
}

static const char *const unversioned_tables[] = { "nonce" };

bool store_table_unversioned(const char *table)
{
    for (size_t i = 0; i < sizeof(unversioned_tables) / sizeof(unversioned_tables[0]); i++)
        if (strcmp(table, unversioned_tables[i]) == 0)
            return true;
    return false;
}

bool store_sql_unversioned(const char *sql)
{
    static const char *const verbs[] = { "INSERT INTO ", "UPDATE ", "DELETE FROM " };
    size_t n;

    while (*sql == ' ' || *sql == '\n' || *sql == '\t')
        sql++;
    for (size_t v = 0; v < sizeof(verbs) / sizeof(verbs[0]); v++) {
        n = strlen(verbs[v]);
        if (strncmp(sql, verbs[v], n) != 0)
            continue;
        for (size_t i = 0; i < sizeof(unversioned_tables) / sizeof(unversioned_tables[0]); i++) {
            size_t m = strlen(unversioned_tables[i]);

            if (strncmp(sql + n, unversioned_tables[i], m) == 0
                && (sql[n + m] == ' ' || sql[n + m] == '\0'))
                return true;
        }
    }
    return false;
}

enum err sql_exec(struct store *s, struct arena *a, const char *sql, const struct sql_arg *args,
                  int nargs, struct sql_res *res)
{
    enum err e;

    if (nargs > SQL_MAX_PARAMS) {
        log_error("store: %d parameters, more than %d: %s", nargs, SQL_MAX_PARAMS, sql);
        e = ERR_STORE;
    } else {
        e = s->ops->query(s, a, sql, args, nargs, res);
    }
    if (e == ERR_STORE)
        s->failed = true;
    return e;
}


enum err sql_later(struct store *s, const char *sql, const struct sql_arg *args, int nargs)
{
    enum err e;

    if (s->ops->later == NULL || nargs > SQL_MAX_PARAMS)
        return sql_exec(s, NULL, sql, args, nargs, NULL);
    e = s->ops->later(s, sql, args, nargs);
    if (e != ERR_OK)
        s->failed = true;
    return e;
}

enum err store_commit_unflushed(struct store *s)
{
    enum err e;

    if (s->ops->unflushed == NULL)
        return ERR_OK;
    e = s->ops->unflushed(s);
    if (e != ERR_OK)
        s->failed = true;
    return e;
}

const char *sql_text(const struct sql_res *r, size_t row, size_t col)
{
    if (row >= r->nrows || col >= r->ncols)
        return NULL;
    return r->v[row * r->ncols + col];
}

int64_t sql_int(const struct sql_res *r, size_t row, size_t col)
{
    const char *t = sql_text(r, row, col);
    int64_t v = 0;

    if (t != NULL && r->isint != NULL && r->isint[row * r->ncols + col])
        return r->iv[row * r->ncols + col];

    if (t != NULL && !str_to_i64(t, INT64_MIN, INT64_MAX, &v))
        v = 0;
    return v;
}

enum err sql_one(enum err e, const struct sql_res *r)
{
    return (e == ERR_OK && r->nrows == 0) ? ERR_NOT_FOUND : e;
}

enum err sql_one_int(enum err e, const struct sql_res *r, int64_t *out)
{
    e = sql_one(e, r);
    if (e == ERR_OK)
        *out = sql_int(r, 0, 0);
    return e;
}

static const char SQL_MIGR_TABLE[] = "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                     "version TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)";
static const char SQL_MIGR_HAS[] = "SELECT 1 FROM schema_migrations WHERE version = $1";
static const char SQL_MIGR_ADD[] =
    "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)";

enum err store_migrate(struct store *s, const struct store_migration *list)
{
    struct arena a;
    struct sql_res r;
    enum err e;

    arena_init(&a, 4096);
    e = s->ops->script(s, SQL_MIGR_TABLE);
    for (const struct store_migration *m = list; e == ERR_OK && m->name != NULL; m++) {
        e = store_q(s, &a, &r, SQL_MIGR_HAS, ARG_TEXT(m->name));
        if (e != ERR_OK || r.nrows > 0)
            continue;
        log_info("applying migration %s (%s)", m->name, s->ops->name);
        e = s->ops->script(s, m->sql);
        if (e == ERR_OK)
            e = store_q(s, &a, NULL, SQL_MIGR_ADD, ARG_TEXT(m->name), ARG_INT(time(NULL)));
    }
    arena_release(&a);
    return e;
}
