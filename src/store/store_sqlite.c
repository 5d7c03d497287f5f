/* SPDX-License-Identifier: MIT */
/*
 * store/store_sqlite.c - the SQLite backend: connections, pragmas,
 * migrations, transactions and the statement cache. Entity operations are in
 * store_sqlite_ident.c and store_sqlite_kb.c; the ops table is at the end.
 */
#include "store/store_int.h"

#include "config/config.h"
#include "core/arena.h"
#include "core/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum err sq_fail(struct sq *s, const char *what)
{
    int rc = sqlite3_extended_errcode(s->db);

    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return ERR_CONFLICT;
    log_error("sqlite: %s failed: %s (%d)", what, sqlite3_errmsg(s->db), rc);
    return ERR_STORE;
}

static unsigned slot_of(const char *sql)
{
    uintptr_t h = (uintptr_t)sql;

    return (unsigned)((h >> 4) ^ (h >> 12)) % SQ_CACHE_SLOTS;
}

static sqlite3_stmt *stmt_cached(struct sq *s, const char *sql)
{
    unsigned slot = slot_of(sql);

    for (unsigned i = 0; i < SQ_CACHE_SLOTS; i++) {
        unsigned k = (slot + i) % SQ_CACHE_SLOTS;
        sqlite3_stmt *st = NULL;

        if (s->cache[k].sql == sql) {
            st = s->cache[k].stmt;
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            return st;
        }
        if (s->cache[k].sql == NULL) {
            if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL)
                != SQLITE_OK) {
                sq_fail(s, "prepare");
                log_error("sqlite: statement was: %s", sql);
                return NULL;
            }
            s->cache[k].sql = sql;
            s->cache[k].stmt = st;
            return st;
        }
    }
    log_error("sqlite: statement cache full");
    return NULL;
}

static void bind_va(sqlite3_stmt *st, const char *fmt, va_list ap)
{
    for (int i = 1; fmt[i - 1] != '\0'; i++) {
        switch (fmt[i - 1]) {
        case 's': {
            const char *v = va_arg(ap, const char *);

            if (v == NULL)
                sqlite3_bind_null(st, i);
            else
                sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
            break;
        }
        case 'i':
            sqlite3_bind_int64(st, i, va_arg(ap, int64_t));
            break;
        case 'b':
            sqlite3_bind_int(st, i, va_arg(ap, int) ? 1 : 0);
            break;
        }
    }
}

sqlite3_stmt *sq_stmt(struct sq *s, const char *sql, const char *fmt, ...)
{
    sqlite3_stmt *st = stmt_cached(s, sql);
    va_list ap;

    if (st == NULL)
        return NULL;
    va_start(ap, fmt);
    bind_va(st, fmt, ap);
    va_end(ap);
    return st;
}

enum err sq_exec(struct sq *s, const char *sql, const char *fmt, ...)
{
    sqlite3_stmt *st = stmt_cached(s, sql);
    va_list ap;
    int rc;

    if (st == NULL)
        return ERR_STORE;
    va_start(ap, fmt);
    bind_va(st, fmt, ap);
    va_end(ap);
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        enum err e = sq_fail(s, "exec");

        sqlite3_reset(st);
        return e;
    }
    sqlite3_reset(st);
    return ERR_OK;
}

char *sq_col_text(struct arena *a, sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);

    return t ? arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(st, col)) : NULL;
}

enum err sq_row(struct sq *s, sqlite3_stmt *q, const char *what)
{
    int rc = sqlite3_step(q);

    if (rc == SQLITE_ROW)
        return ERR_OK;
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(s, what);
}

void *sq_grow(struct arena *a, void *arr, size_t n, size_t *cap, size_t size)
{
    void *bigger;

    if (n < *cap)
        return arr;
    *cap = *cap ? *cap * 2 : 16;
    bigger = arena_alloc(a, *cap * size);
    if (n > 0)
        memcpy(bigger, arr, n * size);
    return bigger;
}

static enum err sq_raw(struct sq *s, const char *sql)
{
    char *msg = NULL;

    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        log_error("sqlite: '%.60s' failed: %s", sql, msg ? msg : "?");
        sqlite3_free(msg);
        return ERR_STORE;
    }
    return ERR_OK;
}

static enum err sq_begin(struct store *st, bool write)
{
    return sq_raw((struct sq *)st, write ? "BEGIN IMMEDIATE" : "BEGIN");
}

static enum err sq_commit(struct store *st)
{
    struct sq *s = (struct sq *)st;

    if (sq_raw(s, "COMMIT") != ERR_OK) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return ERR_STORE;
    }
    return ERR_OK;
}

static void sq_rollback(struct store *st)
{
    struct sq *s = (struct sq *)st;

    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

static enum err sq_ping(struct store *st)
{
    return sq_raw((struct sq *)st, "SELECT 1");
}

static void sq_close(struct store *st)
{
    struct sq *s = (struct sq *)st;

    for (unsigned i = 0; i < SQ_CACHE_SLOTS; i++)
        sqlite3_finalize(s->cache[i].stmt);
    /* Closing the last connection checkpoints the WAL into the database. */
    if (sqlite3_close(s->db) != SQLITE_OK)
        log_error("sqlite: close failed: %s", sqlite3_errmsg(s->db));
    free(s);
}

static enum err sq_migrate(struct sq *s)
{
    enum err e;

    e = sq_raw(s, "BEGIN IMMEDIATE");
    if (e != ERR_OK)
        return e;
    e = sq_raw(s, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                  "version TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)");
    for (const struct store_migration *m = store_migrations; e == ERR_OK && m->name; m++) {
        sqlite3_stmt *st;
        int rc;

        if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM schema_migrations WHERE version = ?", -1,
                               &st, NULL) != SQLITE_OK) {
            e = sq_fail(s, "prepare migration check");
            break;
        }
        sqlite3_bind_text(st, 1, m->name, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc == SQLITE_ROW)
            continue;
        log_info("applying migration %s", m->name);
        e = sq_raw(s, m->sql);
        if (e == ERR_OK) {
            char sql[256];

            snprintf(sql, sizeof(sql),
                     "INSERT INTO schema_migrations VALUES ('%s', strftime('%%s','now'))",
                     m->name);
            e = sq_raw(s, sql);
        }
    }
    if (e != ERR_OK) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return e;
    }
    return sq_raw(s, "COMMIT");
}

/* "sqlite::memory:" must be one database shared by every worker's
 * connection, so it becomes a named memdb, unique to this process. */
static void sq_path(const char *db, char *out, size_t n)
{
    const char *path = db + strlen("sqlite:");

    if (strcmp(path, ":memory:") == 0)
        snprintf(out, n, "file:/qunzu-%ld?vfs=memdb", (long)getpid());
    else
        snprintf(out, n, "%s", path);
}

struct store *sq_open(const struct config *cfg)
{
    struct sq *s = xcalloc(1, sizeof(*s));
    char path[4096], pragma[128];
    bool memory;

    sq_path(cfg->db, path, sizeof(path));
    memory = strncmp(path, "file:/qunzu-", 12) == 0;
    s->base.ops = &sq_ops;
    if (sqlite3_open_v2(path, &s->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI
                            | SQLITE_OPEN_NOMUTEX,
                        NULL)
        != SQLITE_OK) {
        log_error("cannot open database '%s': %s", path, s->db ? sqlite3_errmsg(s->db) : "?");
        sqlite3_close(s->db);
        free(s);
        return NULL;
    }
    sqlite3_busy_timeout(s->db, (int)cfg->sqlite_busy_timeout_ms);
    snprintf(pragma, sizeof(pragma), "PRAGMA synchronous=%s", cfg->sqlite_synchronous);
    if ((!memory && sq_raw(s, "PRAGMA journal_mode=WAL") != ERR_OK)
        || sq_raw(s, pragma) != ERR_OK || sq_raw(s, "PRAGMA foreign_keys=ON") != ERR_OK
        || sq_migrate(s) != ERR_OK) {
        sq_close(&s->base);
        return NULL;
    }
    return &s->base;
}

static const char SQL_META_GET[] = "SELECT value FROM meta WHERE key = ?";
static const char SQL_META_SET[] =
    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value";

static enum err sq_meta_get(struct store *st, struct arena *a, const char *key, char **val)
{
    struct sq *s = (struct sq *)st;
    sqlite3_stmt *q = sq_stmt(s, SQL_META_GET, "s", key);
    int rc;

    if (q == NULL)
        return ERR_STORE;
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *val = sq_col_text(a, q, 0);
        sqlite3_reset(q);
        return ERR_OK;
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(s, "meta_get");
}

static enum err sq_meta_set(struct store *st, const char *key, const char *val)
{
    return sq_exec((struct sq *)st, SQL_META_SET, "ss", key, val);
}

const struct store_ops sq_ops = {
    .name = "sqlite",
    .close = sq_close,
    .ping = sq_ping,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .meta_get = sq_meta_get,
    .meta_set = sq_meta_set,
    .tenant_by_name = sq_tenant_by_name,
    .tenant_get = sq_tenant_get,
    .tenant_insert = sq_tenant_insert,
    .tenant_demo = sq_tenant_demo,
    .person_upsert = sq_person_upsert,
    .person_list = sq_person_list,
    .fs_tenant_key_get = sq_fs_tenant_key_get,
    .fs_tenant_key_set = sq_fs_tenant_key_set,
    .fs_app_upsert = sq_fs_app_upsert,
    .fs_app_list = sq_fs_app_list,
    .fs_open_id_ensure = sq_fs_open_id_ensure,
    .wc_corp_get = sq_wc_corp_get,
    .wc_corp_find = sq_wc_corp_find,
    .wc_corp_set = sq_wc_corp_set,
    .wc_secret_add = sq_wc_secret_add,
    .wc_secret_find = sq_wc_secret_find,
    .wc_secret_list = sq_wc_secret_list,
    .udesk_get = sq_udesk_get,
    .udesk_set = sq_udesk_set,
    .token_insert = sq_token_insert,
    .token_get = sq_token_get,
    .token_live = sq_token_live,
    .kb_cat_insert = sq_kb_cat_insert,
    .kb_cat_get = sq_kb_cat_get,
    .kb_cat_by_name = sq_kb_cat_by_name,
    .kb_cat_count = sq_kb_cat_count,
    .kb_cat_rename = sq_kb_cat_rename,
    .kb_cat_delete = sq_kb_cat_delete,
    .kb_cat_list = sq_kb_cat_list,
};
