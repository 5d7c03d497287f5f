/* SPDX-License-Identifier: MIT */
/*
 * store/store_sqlite.c - the SQLite driver: connection and pragmas, the
 * prepared-statement cache, transactions and the query primitive the shared
 * SQL runs on.
 */
#include "store/store_sqlite_int.h"

#include "config/config.h"
#include "core/arena.h"
#include "core/log.h"
#include "core/str.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static enum err sq_fail(struct sq *s, const char *what)
{
    int rc = sqlite3_extended_errcode(s->db);

    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return ERR_CONFLICT;
    log_error("sqlite: %s failed: %s (%d)", what, sqlite3_errmsg(s->db), rc);
    return ERR_STORE;
}

/* Rows svc keeps between requests (store_cache_epoch): the tables they
 * come from, and the process's epoch, moved after every transaction (or
 * statement outside one) that changed them. This process is the only one
 * that writes its database file (a second instance does not start on it),
 * so its own commits are every change there is. */
static const char *const cached_tables[] = { "fs_app", "fs_app_access", "wc_corp", "wc_secret",
                                              "token", "udesk_company" };
static atomic_llong cache_epoch = 1;

/* The process's data version (store_data_version): moved like cache_epoch,
 * after every transaction (or statement outside one) that changed any row. */
static atomic_llong data_epoch = 1;

static bool is_cached_table(const char *table)
{
    for (size_t i = 0; i < sizeof(cached_tables) / sizeof(cached_tables[0]); i++)
        if (strcmp(table, cached_tables[i]) == 0)
            return true;
    return false;
}

/* SQLite's update hook: a row of 'table' was inserted, updated or deleted
 * (foreign-key cascades included) on this connection. */
static void sq_row_changed(void *arg, int op, const char *db, const char *table,
                           sqlite3_int64 row)
{
    (void)op;
    (void)db;
    (void)row;
    if (!store_table_unversioned(table))
        ((struct sq *)arg)->data_dirty = true;
    if (is_cached_table(table))
        ((struct sq *)arg)->cache_dirty = true;
}

/* A statement that writes a cached table by name (the update hook misses a
 * DELETE without WHERE, which SQLite may run as a truncation). */
static void sq_mark_statement(struct sq *s, sqlite3_stmt *q, const char *sql)
{
    if (s->cache_dirty || sqlite3_stmt_readonly(q))
        return;
    for (size_t i = 0; i < sizeof(cached_tables) / sizeof(cached_tables[0]); i++)
        if (strstr(sql, cached_tables[i]) != NULL)
            s->cache_dirty = true;
}

/* After a statement that may write: data changed when it changed rows (the
 * update hook sees those too, cascades included), when it may have emptied
 * a table by truncation (a DELETE without WHERE, which no hook sees), or
 * when it failed. A write that found nothing to change moves no version,
 * so background passes over empty work keep what nodes kept. */
static void sq_mark_changes(struct sq *s, sqlite3_stmt *q, const char *sql, int rc)
{
    if (s->data_dirty || sqlite3_stmt_readonly(q) || store_sql_unversioned(sql))
        return;
    while (*sql == ' ' || *sql == '\n' || *sql == '\t')
        sql++;
    if (rc != SQLITE_DONE || sqlite3_changes64(s->db) > 0
        || (strncasecmp(sql, "DELETE", 6) == 0 && strstr(sql, "WHERE") == NULL))
        s->data_dirty = true;
}

/* Moves the epoch once what changed cached rows is over (committed, rolled
 * back, or a statement that ran on its own): a transaction that begins after
 * this sees the change, and what was kept before it is stale. */
static void sq_cache_settle(struct sq *s)
{
    if (!sqlite3_get_autocommit(s->db))
        return;
    if (s->cache_dirty) {
        s->cache_dirty = false;
        atomic_fetch_add(&cache_epoch, 1);
    }
    if (s->data_dirty) {
        s->data_dirty = false;
        atomic_fetch_add(&data_epoch, 1);
    }
}

static int64_t sq_cache_epoch(struct store *st, bool now)
{
    struct sq *s = SQ(st)->via ? SQ(st)->via : SQ(st);

    if (now)
        return atomic_load(&cache_epoch);
    return s->in_tx && !s->cache_dirty ? s->cache_epoch : -1;
}

/* Every transaction's data version is read when it begins. */
static int64_t sq_data_version(struct store *st)
{
    struct sq *s = SQ(st)->via ? SQ(st)->via : SQ(st);

    return s->in_tx && !s->data_dirty ? s->data_epoch : -1;
}

/* The shared SQL numbers its parameters $1..$N; SQLite's ?N binds exactly
 * those indexes, whatever order they appear in. */
static char *to_sqlite(const char *sql)
{
    char *out = xstrdup(sql);

    for (char *p = out; *p != '\0'; p++)
        if (*p == '$' && p[1] >= '0' && p[1] <= '9')
            *p = '?';
    return out;
}

/* What a statement has bound, kept from one run to the next (its cache
 * entry's 'bound'): a parameter is bound again only when its value changed,
 * and bindings are never cleared. Binding or clearing a parameter that
 * SQLite's planner looked at (one compared with a partial index's WHERE,
 * as kb_category's and kb_item's space) expires the statement, and its next
 * step compiles it again: every WeCom and Udesk list paid a full prepare. A
 * text value is bound from this copy, which lives until it is replaced. */
struct sq_bound {
    int n;
    struct {
        enum sql_type type; /* 0: nothing bound yet */
        int64_t i;
        char *s; /* SQL_TEXT: the copy bound, NULL for SQL NULL */
    } v[];
};

static void bound_free(struct sq_bound *b)
{
    for (int i = 0; b != NULL && i < b->n; i++)
        free(b->v[i].s);
    free(b);
}

static void stmt_drop(void *owner, struct stmt_entry *e)
{
    (void)owner;
    sqlite3_finalize(e->stmt);
    bound_free(e->bound);
}

/* Binds 'args' to the statement of 'e', skipping those bound already. */
static void bind_args(struct stmt_entry *e, const struct sql_arg *args, int nargs)
{
    sqlite3_stmt *q = e->stmt;
    struct sq_bound *b = e->bound;

    if (b == NULL || b->n < nargs) {
        bound_free(b);
        b = e->bound = xcalloc(1, sizeof(*b) + (size_t)nargs * sizeof(b->v[0]));
        b->n = nargs;
    }
    for (int i = 0; i < nargs; i++) {
        const struct sql_arg *a = &args[i];

        if (a->type == SQL_INT) {
            if (b->v[i].type == SQL_INT && b->v[i].i == a->i)
                continue;
            free(b->v[i].s);
            b->v[i].s = NULL;
            b->v[i].type = SQL_INT;
            b->v[i].i = a->i;
            sqlite3_bind_int64(q, i + 1, a->i);
            continue;
        }
        if (b->v[i].type == SQL_TEXT
            && (a->s == NULL ? b->v[i].s == NULL : b->v[i].s != NULL && strcmp(b->v[i].s, a->s) == 0))
            continue;
        free(b->v[i].s);
        b->v[i].type = SQL_TEXT;
        b->v[i].s = a->s ? xstrdup(a->s) : NULL;
        if (b->v[i].s == NULL)
            sqlite3_bind_null(q, i + 1);
        else
            sqlite3_bind_text(q, i + 1, b->v[i].s, -1, SQLITE_STATIC);
    }
}

static struct stmt_entry *stmt_entry_of(struct sq *s, const char *sql)
{
    struct stmt_entry *e = stmt_cache_find(&s->cache, sql);
    sqlite3_stmt *st = NULL;
    char *text, *plain;
    enum sq_ret ret;
    int rc;

    if (e != NULL)
        return e;
    text = to_sqlite(sql);
    ret = sq_ret_plan(s->db, text, &plain);
    rc = sqlite3_prepare_v3(s->db, plain ? plain : text, -1, SQLITE_PREPARE_PERSISTENT, &st,
                            NULL);
    free(plain);
    free(text);
    if (rc != SQLITE_OK) {
        sq_fail(s, "prepare");
        log_error("sqlite: statement was: %s", sql);
        return NULL;
    }
    return stmt_cache_add(&s->cache, sql, st, (uint64_t)ret);
}

static sqlite3_stmt *stmt_cached(struct sq *s, const char *sql)
{
    struct stmt_entry *e = stmt_entry_of(s, sql);

    return e != NULL ? e->stmt : NULL;
}

/* Room for twice as many rows (4 at first). */
static void sq_res_grow(struct arena *a, struct sql_res *res, size_t *cap)
{
    size_t n = *cap ? *cap * 2 : 4, cells = n * res->ncols, had = res->nrows * res->ncols;
    char **v = arena_alloc(a, cells * sizeof(char *) + 1);
    int64_t *iv = arena_alloc(a, cells * sizeof(int64_t) + 1);
    unsigned char *isint = arena_alloc(a, cells + 1);

    if (had > 0) {
        memcpy(v, res->v, had * sizeof(char *));
        memcpy(iv, res->iv, had * sizeof(int64_t));
        memcpy(isint, res->isint, had);
    }
    res->v = v;
    res->iv = iv;
    res->isint = isint;
    *cap = n;
}

/* One cell, read by its type: an integer is kept as a number and written
 * as text here (SQLite's own conversion changes the cell and costs more). */
static void sq_cell(struct arena *a, sqlite3_stmt *q, struct sql_res *res, size_t at, int c)
{
    switch (sqlite3_column_type(q, c)) {
    case SQLITE_NULL: res->v[at] = NULL; break;
    case SQLITE_INTEGER: {
        int64_t v = sqlite3_column_int64(q, c);
        char buf[STR_I64_MAX];
        size_t n;
        const char *p = str_i64(buf, v, &n);

        res->v[at] = arena_strndup(a, p, n);
        res->iv[at] = v;
        res->isint[at] = 1;
        break;
    }
    default: {
        const unsigned char *t = sqlite3_column_text(q, c);

        res->v[at] = t ? arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(q, c))
                       : NULL;
    }
    }
}

static enum err sq_tx_open(struct sq *s);

static enum err sq_query(struct store *st, struct arena *a, const char *sql,
                         const struct sql_arg *args, int nargs, struct sql_res *res)
{
    struct sq *s = SQ(st)->via ? SQ(st)->via : SQ(st);
    struct stmt_entry *e;
    sqlite3_stmt *q;
    size_t cap = 0;
    int rc;

    if (res != NULL)
        memset(res, 0, sizeof(*res));
    if (sq_tx_open(s) != ERR_OK)
        return ERR_STORE;
    if (s->in_tx && sqlite3_get_autocommit(s->db)) {
        log_error("sqlite: the transaction was rolled back under a statement; not run");
        return ERR_STORE;
    }
    e = stmt_entry_of(s, sql);
    if (e == NULL)
        return ERR_STORE;
    q = e->stmt;
    sq_mark_statement(s, q, sql);
    bind_args(e, args, nargs);
    if (res != NULL)
        res->ncols = (size_t)sqlite3_column_count(q);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (res == NULL)
            continue;
        if (res->nrows == cap)
            sq_res_grow(a, res, &cap);
        for (size_t c = 0; c < res->ncols; c++)
            sq_cell(a, q, res, res->nrows * res->ncols + c, (int)c);
        res->nrows++;
    }
    sq_mark_changes(s, q, sql, rc);
    if (rc != SQLITE_DONE) {
        enum err err = sq_fail(s, "query");

        sqlite3_reset(q);
        sq_cache_settle(s);
        return err;
    }
    if (e->id != SQ_RET_NONE && res != NULL)
        sq_ret_result(s->db, (enum sq_ret)e->id, a, res);
    sqlite3_reset(q);
    sq_cache_settle(s);
    return ERR_OK;
}

enum err sq_exec(struct sq *s, const char *sql)
{
    char *msg = NULL;

    if (sq_tx_open(s) != ERR_OK)
        return ERR_STORE;
    if (strstr(sql, "fs_app") != NULL)
        s->cache_dirty = true; /* a script (migrations): taken as a change */
    s->data_dirty = true;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        log_error("sqlite: '%.60s' failed: %s", sql, msg ? msg : "?");
        sqlite3_free(msg);
        sq_cache_settle(s);
        return ERR_STORE;
    }
    sq_cache_settle(s);
    return ERR_OK;
}

static enum err sq_script(struct store *st, const char *sql)
{
    return sq_exec(SQ(st), sql);
}

/* One statement of transaction control (BEGIN, COMMIT, SAVEPOINT, ...),
 * prepared once per connection like any other, not parsed every time as
 * sqlite3_exec would. 'quiet': a failure is expected to be handled. */
static enum err sq_control(struct sq *s, const char *sql, bool quiet)
{
    sqlite3_stmt *q = stmt_cached(s, sql);
    int rc;

    if (q == NULL)
        return ERR_STORE;
    rc = sqlite3_step(q);
    if (rc != SQLITE_DONE && !quiet)
        log_error("sqlite: '%s' failed: %s", sql, sqlite3_errmsg(s->db));
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? ERR_OK : ERR_STORE;
}

/* A read transaction's BEGIN goes out with its first statement: SQLite's
 * (deferred) BEGIN takes no view before the first read anyway, and a
 * request answered from memory (a kept answer, token and app row) then
 * costs no BEGIN and no COMMIT. */
static enum err sq_tx_open(struct sq *s)
{
    enum err e;

    if (!s->begin_pending)
        return ERR_OK;
    s->begin_pending = false;
    e = sq_control(s, "BEGIN", false);
    if (e != ERR_OK)
        s->in_tx = false;
    return e;
}

enum err sq_tx_begin(struct sq *s, bool write)
{
    enum err e;

    /* Read before the transaction's view is taken (its first read). */
    s->cache_epoch = atomic_load(&cache_epoch);
    s->data_epoch = atomic_load(&data_epoch);
    if (!write) {
        s->begin_pending = s->in_tx = true;
        return ERR_OK;
    }
    e = sq_control(s, "BEGIN IMMEDIATE", false);

    s->in_tx = e == ERR_OK;
    return e;
}

enum err sq_tx_end(struct sq *s, bool commit)
{
    enum err e = ERR_STORE;

    s->in_tx = false;
    if (s->begin_pending) { /* it read nothing */
        s->begin_pending = false;
        return commit ? ERR_OK : ERR_STORE;
    }
    if (commit)
        e = sq_control(s, "COMMIT", false);
    if (!sqlite3_get_autocommit(s->db))
        sq_control(s, "ROLLBACK", true);
    sq_cache_settle(s);
    return e;
}

/* A job of a batch: a savepoint of the batch's transaction. */
enum err sq_savepoint_end(struct sq *s, bool commit)
{
    enum err e = ERR_STORE;

    if (!s->savepoint)
        return ERR_STORE;
    s->savepoint = false;
    if (commit)
        e = sq_control(s, "RELEASE j", false);
    if (e != ERR_OK && !sqlite3_get_autocommit(s->db)) {
        sq_control(s, "ROLLBACK TO j", true);
        sq_control(s, "RELEASE j", true);
    }
    return e;
}

/* BEGIN IMMEDIATE takes the write lock up front: SQLite has one writer, so
 * every write transaction is serialised, and lock_tenant has nothing to add.
 * With a group, the process's writers take turns on its one connection
 * instead of waiting on the file lock. */
static enum err sq_begin(struct store *st, bool write)
{
    struct sq *s = SQ(st), *w;
    enum err e;

    if (write && sq_file_check(s, false) != ERR_OK)
        return ERR_STORE;
    if (s->batch) {
        e = s->savepoint ? ERR_STORE : sq_control(s, "SAVEPOINT j", false);
        s->savepoint = e == ERR_OK;
        return e;
    }
    if (write && s->group != NULL) {
        w = s->nowait ? sq_group_try(s->group) : sq_group_take(s->group);
        if (w == NULL)
            return ERR_BUSY;
        e = sq_tx_begin(w, true);
        if (e != ERR_OK) {
            sq_group_give(s->group);
            return e;
        }
        s->via = w;
        return ERR_OK;
    }
    return sq_tx_begin(s, write);
}

static enum err sq_end(struct store *st, bool commit)
{
    struct sq *s = SQ(st);
    enum err e;

    if (s->batch)
        return sq_savepoint_end(s, commit);
    if (s->via != NULL) {
        e = sq_tx_end(s->via, commit);
        s->via = NULL;
        sq_group_give(s->group);
        return e;
    }
    return sq_tx_end(s, commit);
}

static enum err sq_commit(struct store *st)
{
    return sq_end(st, true);
}

static void sq_rollback(struct store *st)
{
    sq_end(st, false);
}

static void sq_group_attach(struct store *st, struct store_group *g, bool wait)
{
    SQ(st)->group = g;
    SQ(st)->nowait = !wait;
}

static enum err sq_lock_tenant(struct store *st, int64_t tenant)
{
    (void)st;
    (void)tenant;
    return ERR_OK;
}

static enum err sq_ids_follow(struct store *st)
{
    (void)st; /* INTEGER PRIMARY KEY takes max(id) + 1 by itself */
    return ERR_OK;
}

/* Ready: the file is there and writable, and a statement runs. */
static enum err sq_ping(struct store *st)
{
    if (sq_file_check(SQ(st), true) != ERR_OK)
        return ERR_STORE;
    return sq_script(st, "SELECT 1");
}

static void sq_close(struct store *st)
{
    struct sq *s = SQ(st);

    stmt_cache_free(&s->cache);
    /* Closing the last connection checkpoints the WAL into the database. */
    if (sqlite3_close(s->db) != SQLITE_OK)
        log_error("sqlite: close failed: %s", sqlite3_errmsg(s->db));
    free(s);
}

static const struct store_ops sq_ops = {
    .name = "sqlite",
    .close = sq_close,
    .ping = sq_ping,
    .begin = sq_begin,
    .commit = sq_commit,
    .data_version = sq_data_version,
    .rollback = sq_rollback,
    .lock_tenant = sq_lock_tenant,
    .query = sq_query,
    .script = sq_script,
    .ids_follow = sq_ids_follow,
    .group_attach = sq_group_attach,
    .cache_epoch = sq_cache_epoch,
};

/* "sqlite::memory:" must be one database shared by every worker's
 * connection, so it becomes a named memdb, unique to this process. */
static bool sq_path(const char *db, char *out, size_t n)
{
    const char *path = db + strlen("sqlite:");

    if (strcmp(path, ":memory:") == 0) {
        snprintf(out, n, "file:/qunzu-%ld?vfs=memdb", (long)getpid());
        return true;
    }
    snprintf(out, n, "%s", path);
    return false;
}

/* SQLite's memory statistics take a global mutex on every allocation of
 * every connection; nothing reads them. Set once, before SQLite starts. */
static void sq_global(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* The VFS a file database opens with (NULL: SQLite's default): the
 * faulting one in the reliability tests; else, where every commit syncs the
 * WAL, the one that gathers WAL writes (store_sqlite_fault.c). */
static const char *sq_vfs(const struct config *cfg)
{
    if (cfg->sqlite_fault_every > 0)
        return sq_fault_vfs(cfg->sqlite_fault_every);
    if (strcmp(cfg->sqlite_synchronous, "full") == 0
        || strcmp(cfg->sqlite_synchronous, "extra") == 0)
        return sq_wal_vfs();
    return NULL;
}

struct store *sq_open(const struct config *cfg)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    struct sq *s = xcalloc(1, sizeof(*s));
    char path[4096], pragma[128];
    bool memory = sq_path(cfg->db, path, sizeof(path));

    pthread_once(&once, sq_global);

    s->base.ops = &sq_ops;
    s->check_ms = memory ? -1 : cfg->sqlite_file_check_ms;
    if (!memory && !sq_file_may_open(cfg, path)) {
        free(s);
        return NULL;
    }
    if (!memory)
        sq_file_guard();
    stmt_cache_init(&s->cache, STMT_CACHE_MAX, stmt_drop, s);
    if (sqlite3_open_v2(path, &s->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI
                            | SQLITE_OPEN_NOMUTEX,
                        memory ? NULL : sq_vfs(cfg))
        != SQLITE_OK) {
        log_error("cannot open database '%s': %s", path, s->db ? sqlite3_errmsg(s->db) : "?");
        sqlite3_close(s->db);
        free(s);
        return NULL;
    }
    sqlite3_busy_timeout(s->db, (int)cfg->sqlite_busy_timeout_ms);
    sqlite3_update_hook(s->db, sq_row_changed, s);
    snprintf(pragma, sizeof(pragma), "PRAGMA synchronous=%s", cfg->sqlite_synchronous);
    if ((!memory && sq_script(&s->base, "PRAGMA journal_mode=WAL") != ERR_OK)
        || sq_script(&s->base, pragma) != ERR_OK
        || sq_script(&s->base, "PRAGMA foreign_keys=ON") != ERR_OK
        /* Reads map the file instead of copying pages in with read(): another
         * connection's commit no longer costs this one a re-read. */
        || sq_script(&s->base, "PRAGMA mmap_size=1073741824") != ERR_OK
        || sq_script(&s->base, "PRAGMA cache_size=-32768") != ERR_OK) {
        sq_close(&s->base);
        return NULL;
    }
    /* BEGIN IMMEDIATE is the lock that keeps two processes' migrations apart. */
    if (sq_begin(&s->base, true) != ERR_OK
        || store_migrate(&s->base, store_migrations_sqlite) != ERR_OK
        || sq_commit(&s->base) != ERR_OK) {
        sq_rollback(&s->base);
        sq_close(&s->base);
        return NULL;
    }
    return &s->base;
}
