/* SPDX-License-Identifier: MIT */
/*
 * store/store_pg.c - the PostgreSQL driver (libpq): one connection per
 * worker, statements prepared once per connection, transactions, the
 * per-tenant writer lock, and reconnection after the server goes away.
 *
 * Isolation: read transactions are REPEATABLE READ READ ONLY (one snapshot
 * for all of a request's reads); write transactions are READ COMMITTED and
 * take pg_advisory_xact_lock(tenant) before a count-then-write rule, so the
 * rule holds across every node sharing the database. Every write
 * transaction also holds the writers' key shared, which a transaction that
 * must run alone (store_begin_alone) takes exclusively. Unique indexes back
 * every uniqueness rule as well.
 *
 * Statements run on a worker's event loop, so none may wait without bound:
 * every session gets lock_timeout (a tenant's lock held by a stuck session
 * or node gives that tenant's request the store error, and the loop goes
 * on), statement_timeout, and idle_in_transaction_session_timeout (a node
 * stopped mid-transaction loses its session and its locks); connections
 * get connect_timeout and TCP keepalives (config keys pg_*).
 *
 * Round trips: a transaction's BEGIN (a writer's shared key, a tenant's
 * lock) waits and goes out in one pipeline with the transaction's first
 * statement, so a request that runs one statement costs one round trip
 * plus its COMMIT; the COMMIT of a transaction that changed nothing (a
 * read-only one, or a writer whose statements changed no row), and every
 * ROLLBACK, are sent without waiting for their answer, which is read before
 * the connection's next use (nothing such a transaction did can be lost by
 * it; its locks go when the server reads it). A transaction that runs no
 * statement costs none. A statement whose rows nobody reads (sql_later: an
 * event's outbox row, a count's update) goes into the pipeline unanswered
 * and is answered with the next statement or with a writer's COMMIT, which
 * then waits for all of them in one round trip; its failure fails that
 * statement (ERR_STORE) or the commit, and so the transaction. libpq's
 * pipeline mode carries all of these.
 */
#include "store/store_pg_int.h"

#include "config/config.h"
#include "core/arena.h"
#include "core/log.h"

#include <libpq-fe.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Advisory lock keys: tenants use their id; migrations use a key no tenant
 * id reaches. */
#define PG_LOCK_MIGRATIONS INT64_C(-8150001)
/* Every write transaction holds this key shared from its start; a
 * transaction that replaces what writers could touch (a snapshot's restore,
 * a tenant's delete or reset) holds it alone (pg_begin_alone): it waits for
 * the writes in flight, and new ones wait for it (up to lock_timeout) before
 * they take any other lock, so the two never deadlock on table locks. */
#define PG_LOCK_WRITERS "-8150002"

static const char SQL_BEGIN_READ[] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
static const char SQL_BEGIN_WRITE[] = "BEGIN ISOLATION LEVEL READ COMMITTED";
static const char SQL_WRITERS_SHARED[] = "SELECT pg_advisory_xact_lock_shared(" PG_LOCK_WRITERS ")";
static const char SQL_WRITERS_ALONE[] = "SELECT pg_advisory_xact_lock(" PG_LOCK_WRITERS ")";
static const char SQL_LOCK_TENANT[] = "SELECT pg_advisory_xact_lock($1::bigint)";
static const char SQL_COMMIT[] = "COMMIT";
/* The data version (store_data_version): read before a versioned read
 * transaction begins, moved after every commit that changed data. */
static const char SQL_VERSION_READ[] = "SELECT last_value FROM qz_data_version";


static void stmt_drop(void *owner, struct stmt_entry *e)
{
    struct pg *p = owner;

    if (p->ngone == p->capgone) {
        p->capgone = p->capgone ? 2 * p->capgone : 16;
        p->gone = realloc(p->gone, p->capgone * sizeof(*p->gone));
        if (p->gone == NULL)
            abort();
    }
    p->gone[p->ngone++] = e->id;
}

/* Deallocates the evicted statements; a name is never used again, so one
 * that fails to go only waits for the connection to close. */
static void stmt_forget_gone(struct pg *p)
{
    char sql[48];

    for (size_t i = 0; i < p->ngone; i++) {
        snprintf(sql, sizeof(sql), "DEALLOCATE qz%llu", (unsigned long long)p->gone[i]);
        pg_trip();
        PQclear(PQexec(p->conn, sql));
    }
    p->ngone = 0;
}

/* A result's rows, copied into 'a'. */
static void rows_copy(PGresult *res, struct arena *a, struct sql_res *out)
{
    out->nrows = (size_t)PQntuples(res);
    out->ncols = (size_t)PQnfields(res);
    out->v = arena_alloc(a, out->nrows * out->ncols * sizeof(char *) + 1);
    for (size_t r = 0; r < out->nrows; r++)
        for (size_t c = 0; c < out->ncols; c++)
            out->v[r * out->ncols + c] =
                PQgetisnull(res, (int)r, (int)c)
                    ? NULL
                    : arena_strndup(a, PQgetvalue(res, (int)r, (int)c),
                                    (size_t)PQgetlength(res, (int)r, (int)c));
}

static enum err flush_held(struct pg *p);

static enum err pg_query(struct store *st, struct arena *a, const char *sql,
                         const struct sql_arg *args, int nargs, struct sql_res *out)
{
    struct pg *p = PG(st);
    const char *values[SQL_MAX_PARAMS];
    char ints[SQL_MAX_PARAMS][24], name[32];
    PGresult *res;
    ExecStatusType status;
    enum err e = ERR_OK;
    bool failed = false, early = false;

    if (out != NULL)
        memset(out, 0, sizeof(*out));
    pg_settle(p);
    if (p->tx_lost)
        return pg_fail(p, NULL, "query (the transaction did not begin)");
    if (pg_stmt_name(p, sql, name, sizeof(name)) == NULL)
        return ERR_STORE;
    pg_values(args, nargs, values, ints);
    if (p->nheld > 0 || p->piped) {
        res = pg_run_pipeline(p, name, nargs, values, &failed, &early);
        /* Its BEGIN did not take: no later statement may run outside the
         * transaction. */
        p->tx_lost = failed && PQtransactionStatus(p->conn) == PQTRANS_IDLE;
    } else {
        pg_trip();
        res = PQexecPrepared(p->conn, name, nargs, values, NULL, NULL, 0);
    }
    status = PQresultStatus(res);
    pg_mark_changes(p, sql, res);
    if (failed || (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)) {
        e = pg_fail(p, res, "query");
        if (early) /* not this statement's own conflict */
            e = ERR_STORE;
    } else if (out != NULL) {
        rows_copy(res, a, out);
    }
    PQclear(res);
    return pg_version_after(p, e);
}

/* Sends the statement into the transaction's pipeline, opening it (with the
 * held statements first) unless it is open; its answer is the pipeline's
 * last (npending). */
static enum err pipe_send(struct pg *p, const char *sql, const struct sql_arg *args, int nargs)
{
    const char *values[SQL_MAX_PARAMS];
    char ints[SQL_MAX_PARAMS][24], name[32];

    if (!p->piped && pg_stmt_name(p, sql, name, sizeof(name)) == NULL)
        return ERR_STORE;
    if (!pg_pipe_open(p))
        return pg_fail(p, NULL, "pipeline");
    if (p->piped && pg_stmt_name(p, sql, name, sizeof(name)) == NULL)
        return ERR_STORE;
    pg_values(args, nargs, values, ints);
    if (PQsendQueryPrepared(p->conn, name, nargs, values, NULL, NULL, 0) != 1)
        return pg_fail(p, NULL, "query");
    p->npending++;
    return ERR_OK;
}

/* Sends the statement into the open transaction's pipeline (opening it, with
 * the held statements first) and returns without waiting: its answer is read
 * with the next statement's or the commit's. */
static enum err pg_later(struct store *st, const char *sql, const struct sql_arg *args,
                         int nargs)
{
    struct pg *p = PG(st);
    enum err e;

    pg_settle(p);
    if (p->tx_lost)
        return pg_fail(p, NULL, "query (the transaction did not begin)");
    e = pipe_send(p, sql, args, nargs);
    if (e != ERR_OK)
        return e;
    pg_mark_changes(p, sql, NULL); /* its rows are not read: any write counts */
    return ERR_OK;
}

/* store_commit_unflushed: synchronous_commit off for this transaction
 * alone (set_config(..., true) is SET LOCAL, as a statement that can be
 * prepared and sent unanswered with the next one). */
static const char SQL_UNFLUSHED[] = "SELECT set_config('synchronous_commit', 'off', true)";

static enum err pg_unflushed(struct store *st)
{
    return pg_later(st, SQL_UNFLUSHED, NULL, 0);
}

/* Sends the held statements now and reads what the pipeline holds (a
 * script follows, which a pipeline cannot carry). */
static enum err flush_held(struct pg *p)
{
    bool failed, early;
    PGresult *res;
    enum err e = ERR_OK;

    if (p->nheld == 0 && !p->piped)
        return ERR_OK;
    res = pg_run_pipeline(p, NULL, 0, NULL, &failed, &early);
    if (failed && pg_fail(p, res, "begin") != ERR_OK)
        e = ERR_STORE;
    p->tx_lost = failed && PQtransactionStatus(p->conn) == PQTRANS_IDLE;
    PQclear(res);
    return e;
}

static enum err pg_script(struct store *st, const char *sql)
{
    struct pg *p = PG(st);
    PGresult *res;
    enum err e;

    pg_settle(p);
    e = flush_held(p);
    if (e != ERR_OK)
        return e;
    pg_trip();
    res = PQexec(p->conn, sql);

    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
        e = pg_fail(p, res, "statement");
    PQclear(res);
    return e;
}

/* store_script: scripts change data (migrations, a seed's). */
static enum err pg_script_data(struct store *st, const char *sql)
{
    struct pg *p = PG(st);

    p->tx_dirty = true;
    return pg_version_after(p, pg_script(st, sql));
}

/* Session settings of a new connection: the timeouts, and quiet notices. */
static enum err pg_session(struct pg *p)
{
    return pg_script(&p->base, p->session);
}

/* A connection that went away is re-established at the start of the next
 * transaction, never in the middle of one. */
static enum err pg_ensure(struct pg *p)
{
    bool failed, early;

    pg_settle(p);
    p->nheld = 0;
    p->tx_held = false;
    PQclear(pg_pipe_finish(p, true, false, &failed, &early));
    if (PQstatus(p->conn) == CONNECTION_OK)
        return ERR_OK;
    PQreset(p->conn);
    stmt_cache_clear(&p->cache, false);
    p->ngone = 0;
    p->commit_unread = false;
    p->piped = false;
    p->npending = p->version_at = p->syncs_early = 0;
    if (PQstatus(p->conn) != CONNECTION_OK) {
        log_error("postgres: database unavailable: %s", PQerrorMessage(p->conn));
        return ERR_STORE;
    }
    log_info("postgres: reconnected");
    return pg_session(p);
}

static void hold(struct pg *p, const char *sql, bool has_arg, int64_t arg)
{
    if (p->nheld < PG_HELD_MAX)
        p->held[p->nheld++] = (struct held){ sql, has_arg, arg, false };
}

/* Opens a transaction: its statements are held for the first statement's
 * pipeline (nothing goes out yet). A versioned one reads the data version
 * first, in the same pipeline, before its BEGIN. */
static enum err pg_begin_as(struct store *st, bool write, const char *writers, bool versioned)
{
    struct pg *p = PG(st);
    enum err e = pg_ensure(p);

    if (e != ERR_OK)
        return e;
    stmt_forget_gone(p);
    p->tx_lost = false;
    p->tx_held = true;
    p->tx_dirty = p->tx_wrote = p->version_read = false;
    p->tx_versioned = versioned;
    if (versioned)
        p->held[p->nheld++] = (struct held){ SQL_VERSION_READ, false, 0, true };
    hold(p, write ? SQL_BEGIN_WRITE : SQL_BEGIN_READ, false, 0);
    if (writers != NULL)
        hold(p, writers, false, 0);
    return ERR_OK;
}

static enum err pg_begin(struct store *st, bool write)
{
    return pg_begin_as(st, write, write ? SQL_WRITERS_SHARED : NULL, false);
}

static enum err pg_begin_alone(struct store *st)
{
    return pg_begin_as(st, true, SQL_WRITERS_ALONE, false);
}

static enum err pg_begin_versioned(struct store *st)
{
    return pg_begin_as(st, false, NULL, true);
}

/* The version read before the transaction began. When no statement has
 * run yet, the read goes out now on its own (one round trip, a prepared
 * statement) and the BEGIN stays held for the first statement that reads
 * data: a request answered from what the node kept (svc_answers.c, the
 * access rows) runs this one statement and nothing else. */
static int64_t pg_data_version(struct store *st)
{
    struct pg *p = PG(st);
    char name[32];
    PGresult *res;

    if (!p->tx_versioned || p->tx_dirty || p->tx_lost)
        return -1;
    if (!p->version_read && p->tx_held && !p->piped && p->nheld > 0 && p->held[0].version) {
        p->nheld--;
        memmove(&p->held[0], &p->held[1], (size_t)p->nheld * sizeof(p->held[0]));
        pg_settle(p);
        if (pg_stmt_name(p, SQL_VERSION_READ, name, sizeof(name)) == NULL)
            return -1;
        pg_trip();
        res = PQexecPrepared(p->conn, name, 0, NULL, NULL, NULL, 0);
        pg_version_take(p, res);
        if (!p->version_read)
            pg_fail(p, res, "data version");
        PQclear(res);
    }
    return p->version_read ? p->version : -1;
}

/* The rows nodes keep (svc_acache.c) are kept by the data version too: only
 * in a versioned transaction, whose version is both its epoch and now. */
static int64_t pg_cache_epoch(struct store *st, bool now)
{
    (void)now;
    return pg_data_version(st);
}

/* Sends 'sql' (COMMIT or ROLLBACK) without waiting for its answer, which
 * pg_settle reads before the connection's next use: no round trip. */
static bool send_unanswered(struct pg *p, const char *sql)
{
    if (PQenterPipelineMode(p->conn) != 1)
        return false;
    if (PQsendQueryParams(p->conn, sql, 0, NULL, NULL, NULL, NULL, 0) == 1
        && PQpipelineSync(p->conn) == 1) {
        p->commit_unread = true;
        return true;
    }
    PQexitPipelineMode(p->conn);
    return false;
}

/* A transaction that ran no statement has nothing to commit. One that
 * changed nothing (read-only, or a writer whose statements changed no
 * row) has its COMMIT go out unanswered (pg_settle reads it). A writer's
 * waits (one that changed only a nonce's row too, moving no version),
 * sent in one pipeline with the statements still unanswered (sql_later's):
 * a failed COMMIT (the connection dropped) leaves the outcome unknown to
 * us; the request is not acknowledged, so the client retries. */
static enum err pg_commit(struct store *st)
{
    struct pg *p = PG(st);
    bool dirty = p->tx_dirty, wrote = dirty || p->tx_wrote, failed, early, ok;
    char name[32];
    PGresult *res;

    p->tx_versioned = p->tx_dirty = p->tx_wrote = false;
    if (p->tx_lost) {
        p->tx_lost = false;
        return ERR_STORE;
    }
    p->nheld = 0; /* locks no statement followed */
    if (p->tx_held) { /* never begun on the server */
        p->tx_held = false;
        return ERR_OK;
    }
    /* A transaction that changed data moves the version after its COMMIT,
     * in the COMMIT's pipeline, and is answered after both: a reader that
     * reads the new version sees the change (store.h). When the COMMIT
     * failed, nothing changed and the version stays. */
    if (p->piped || wrote) {
        ok = pg_pipe_open(p) && pg_stmt_name(p, SQL_COMMIT, name, sizeof(name)) != NULL
             && PQsendQueryPrepared(p->conn, name, 0, NULL, NULL, NULL, 0) == 1;
        p->npending += ok;
        if (ok && dirty) {
            ok = pg_stmt_name(p, PG_SQL_VERSION_BUMP, name, sizeof(name)) != NULL
                 && PQsendQueryPrepared(p->conn, name, 0, NULL, NULL, NULL, 0) == 1;
            p->npending += ok;
        }
        res = pg_pipe_finish(p, ok, true, &failed, &early);
        if (failed) {
            pg_fail(p, res, "commit");
            PQclear(res);
            if (PQstatus(p->conn) == CONNECTION_OK
                && PQtransactionStatus(p->conn) != PQTRANS_IDLE) {
                pg_trip();
                PQclear(PQexec(p->conn, "ROLLBACK"));
            }
            return ERR_STORE;
        }
        PQclear(res);
        return ERR_OK;
    }
    /* Nothing changed (a read-only transaction, or a writer whose every
     * statement changed no row): nothing can be lost, so its COMMIT goes
     * out unanswered, and the locks it held go when the server reads it. */
    if (send_unanswered(p, "COMMIT"))
        return ERR_OK;
    return pg_script(st, "COMMIT");
}

static void pg_rollback(struct store *st)
{
    struct pg *p = PG(st);
    bool failed, early;

    pg_settle(p);
    p->nheld = 0;
    PQclear(pg_pipe_finish(p, true, false, &failed, &early));
    p->tx_lost = p->tx_versioned = p->tx_dirty = p->tx_wrote = false;
    p->nheld = 0;
    if (p->tx_held) { /* never begun on the server */
        p->tx_held = false;
        return;
    }
    /* Nothing of it is kept whatever the answer: unanswered. */
    if (PQstatus(p->conn) == CONNECTION_OK && PQtransactionStatus(p->conn) != PQTRANS_IDLE
        && !send_unanswered(p, "ROLLBACK")) {
        pg_trip();
        PQclear(PQexec(p->conn, "ROLLBACK"));
    }
}

/* Held for the next statement's pipeline, which takes the lock before
 * that statement runs, as if it had been sent alone first; its failure
 * (lock_timeout) then fails that statement, and the transaction. A lock no
 * statement follows guards nothing and is dropped. */
static enum err pg_lock_tenant(struct store *st, int64_t tenant)
{
    struct pg *p = PG(st);

    if (p->nheld < PG_HELD_MAX) {
        hold(p, SQL_LOCK_TENANT, true, tenant);
        return ERR_OK;
    }
    return store_q(st, NULL, NULL, SQL_LOCK_TENANT, ARG_INT(tenant));
}

/* The identity columns are the table registry's (store_tables.c). */
static enum err pg_ids_follow(struct store *st)
{
    char sql[256];
    enum err e = ERR_OK;

    for (size_t i = 0; e == ERR_OK && i < store_table_count; i++) {
        const struct store_table *t = &store_tables[i];

        if (t->identity == NULL)
            continue;
        snprintf(sql, sizeof(sql),
                 "SELECT setval(pg_get_serial_sequence('%s', '%s'), "
                 "(SELECT coalesce(max(%s), 0) + 1 FROM %s), false)",
                 t->name, t->identity, t->identity, t->name);
        e = pg_script(st, sql);
    }
    return e;
}

static enum err pg_ping(struct store *st)
{
    struct pg *p = PG(st);

    pg_settle(p);
    if (PQtransactionStatus(p->conn) == PQTRANS_IDLE && !p->tx_held && pg_ensure(p) != ERR_OK)
        return ERR_STORE;
    return pg_script(st, "SELECT 1");
}

static void pg_close(struct store *st)
{
    struct pg *p = PG(st);

    stmt_cache_clear(&p->cache, false);
    stmt_cache_free(&p->cache);
    free(p->gone);
    PQfinish(p->conn);
    free(p);
}

static const struct store_ops pg_ops = {
    .name = "postgres",
    .close = pg_close,
    .ping = pg_ping,
    .begin = pg_begin,
    .begin_alone = pg_begin_alone,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .lock_tenant = pg_lock_tenant,
    .query = pg_query,
    .later = pg_later,
    .unflushed = pg_unflushed,
    .begin_versioned = pg_begin_versioned,
    .data_version = pg_data_version,
    .cache_epoch = pg_cache_epoch,
    .script = pg_script_data,
    .ids_follow = pg_ids_follow,
};

/* Connects with the configured connect timeout and keepalives; the URL's
 * own values for these keys are overridden. */
static PGconn *pg_connect(const struct config *cfg)
{
    char timeout[24], idle[24], interval[24], user_timeout[24];
    const char *keys[] = { "dbname", "connect_timeout", "keepalives", "keepalives_idle",
                           "keepalives_interval", "keepalives_count", "tcp_user_timeout",
                           NULL };
    const char *values[] = { cfg->db, timeout, "1", idle, interval, "3", user_timeout, NULL };

    snprintf(timeout, sizeof(timeout), "%lld", (long long)cfg->pg_connect_timeout_s);
    snprintf(idle, sizeof(idle), "%lld", (long long)cfg->pg_keepalive_s);
    snprintf(interval, sizeof(interval), "%lld", (long long)(cfg->pg_keepalive_s + 1) / 2);
    snprintf(user_timeout, sizeof(user_timeout), "%lld", (long long)cfg->pg_keepalive_s * 1000);
    if (cfg->pg_keepalive_s == 0)
        keys[3] = NULL; /* the system's keepalive defaults, no tcp_user_timeout */
    return PQconnectdbParams(keys, values, 1);
}

/* Opens a connection and migrates. If the server cannot be reached the
 * store is still returned: every transaction then fails cleanly until the
 * database is back (pg_ensure reconnects). Only a failed migration on a
 * reachable server is fatal. Migrations wait for another node's as long as
 * it takes (no lock or statement timeout in their transaction). */
struct store *pg_open(const struct config *cfg)
{
    struct pg *p = xcalloc(1, sizeof(*p));
    enum err e;

    p->base.ops = &pg_ops;
    stmt_cache_init(&p->cache, STMT_CACHE_MAX, stmt_drop, p);
    snprintf(p->session, sizeof(p->session),
             "SET client_min_messages = warning; SET lock_timeout = %lld; "
             "SET statement_timeout = %lld; SET idle_in_transaction_session_timeout = %lld",
             (long long)cfg->pg_lock_timeout_ms, (long long)cfg->pg_statement_timeout_ms,
             (long long)cfg->pg_idle_tx_timeout_ms);
    p->conn = pg_connect(cfg);
    if (PQstatus(p->conn) != CONNECTION_OK) {
        log_error("postgres: cannot connect: %s", PQerrorMessage(p->conn));
        return &p->base;
    }
    e = pg_session(p);
    if (e == ERR_OK)
        e = pg_script(&p->base, "BEGIN; SET LOCAL lock_timeout = 0; SET LOCAL statement_timeout = 0");
    if (e == ERR_OK)
        e = store_q(&p->base, NULL, NULL, SQL_LOCK_TENANT, ARG_INT(PG_LOCK_MIGRATIONS));
    if (e == ERR_OK)
        e = store_migrate(&p->base, store_migrations_pg);
    if (e == ERR_OK)
        e = pg_commit(&p->base);
    if (e != ERR_OK) {
        pg_rollback(&p->base);
        log_error("postgres: cannot bring the schema up to date");
        pg_close(&p->base);
        return NULL;
    }
    return &p->base;
}
