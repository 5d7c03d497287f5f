/* SPDX-License-Identifier: MIT */
/*
 * store/store_pg_pipe.c - the PostgreSQL driver's pipeline: statements
 * prepared once per connection, a transaction's held statements (its BEGIN,
 * the writers' key, a tenant's lock, the data version's read) sent with its
 * first statement, statements whose rows nobody reads sent unanswered, and
 * every answer read back with one sync: one round trip (libpq's pipeline
 * mode). The transactions built on it are in store_pg.c.
 */
#include "store/store_pg_int.h"

#include "core/arena.h"
#include "core/log.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static atomic_llong round_trips;

int64_t store_round_trips(void)
{
    return (int64_t)atomic_load_explicit(&round_trips, memory_order_relaxed);
}

/* One more round trip to the server. */
void pg_trip(void)
{
    atomic_fetch_add_explicit(&round_trips, 1, memory_order_relaxed);
}

/* Classifies a failed result: constraint violations are the caller's
 * conflict; anything else is logged as a store failure. */
enum err pg_fail(struct pg *p, PGresult *res, const char *what)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

    if (state != NULL && (strcmp(state, "23505") == 0 || strcmp(state, "23503") == 0))
        return ERR_CONFLICT;
    if (PQstatus(p->conn) != CONNECTION_OK)
        log_error("postgres: %s failed: connection lost: %s", what, PQerrorMessage(p->conn));
    else
        log_error("postgres: %s failed: %s", what,
                  res ? PQresultErrorMessage(res) : PQerrorMessage(p->conn));
    return ERR_STORE;
}

/* Returns the prepared statement name for 'sql', preparing it on first use
 * on this connection. */
const char *pg_stmt_name(struct pg *p, const char *sql, char *name, size_t n)
{
    struct stmt_entry *e = stmt_cache_find(&p->cache, sql);
    uint64_t id;
    PGresult *res;

    if (e != NULL) {
        snprintf(name, n, "qz%llu", (unsigned long long)e->id);
        return name;
    }
    id = p->next_stmt++;
    snprintf(name, n, "qz%llu", (unsigned long long)id);
    if (p->piped) {
        /* Prepared in the pipeline, before its first use there. */
        if (PQsendPrepare(p->conn, name, sql, 0, NULL) != 1) {
            pg_fail(p, NULL, "prepare");
            return NULL;
        }
        p->npending++;
        p->prepared_in_pipe = true;
        stmt_cache_add(&p->cache, sql, NULL, id);
        return name;
    }
    pg_trip();
    res = PQprepare(p->conn, name, sql, 0, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        pg_fail(p, res, "prepare");
        log_error("postgres: statement was: %s", sql);
        PQclear(res);
        return NULL;
    }
    PQclear(res);
    stmt_cache_add(&p->cache, sql, NULL, id);
    return name;
}

/* Reads the answer of a COMMIT of a transaction that changed nothing, or
 * of a ROLLBACK, sent earlier, and leaves pipeline mode: the connection is
 * then free for the next statement. */
void pg_settle(struct pg *p)
{
    PGresult *res;

    if (!p->commit_unread)
        return;
    p->commit_unread = false;
    for (;;) {
        res = PQgetResult(p->conn);
        if (res == NULL) {
            /* Between the COMMIT's result and the sync's; a connection
             * that broke ends it. */
            if (PQstatus(p->conn) != CONNECTION_OK)
                break;
            continue;
        }
        if (PQresultStatus(res) == PGRES_PIPELINE_SYNC) {
            PQclear(res);
            break;
        }
        if (PQresultStatus(res) != PGRES_COMMAND_OK)
            pg_fail(p, res, "unanswered commit or rollback");
        PQclear(res);
    }
    PQexitPipelineMode(p->conn);
}

/* Whether a statement that ran ('res' its result, NULL when none came or
 * it is not read yet) changed data: a SELECT never does; an INSERT, UPDATE
 * or DELETE that changed no row neither (so background passes over empty
 * work keep what nodes kept); anything else (a WITH, whose rows counted are
 * its SELECT's, DDL, a failure) is taken as a change. */
static bool changes_data(const char *sql, PGresult *res)
{
    const char *rows;

    while (*sql == ' ' || *sql == '\n' || *sql == '\t')
        sql++;
    if (strncasecmp(sql, "SELECT", 6) == 0)
        return false;
    if (strncasecmp(sql, "INSERT", 6) != 0 && strncasecmp(sql, "UPDATE", 6) != 0
        && strncasecmp(sql, "DELETE", 6) != 0)
        return true;
    if (res == NULL
        || (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK))
        return true;
    rows = PQcmdTuples(res);
    return !(rows[0] == '0' && rows[1] == '\0');
}

void pg_mark_changes(struct pg *p, const char *sql, PGresult *res)
{
    if (!changes_data(sql, res))
        return;
    if (store_sql_unversioned(sql))
        p->tx_wrote = true;
    else
        p->tx_dirty = true;
}

/* The answer of the held version read ('res' is its result). */
void pg_version_take(struct pg *p, PGresult *res)
{
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1
        && !PQgetisnull(res, 0, 0)) {
        p->version = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        p->version_read = true;
    }
}

/* Sends one held statement into the pipeline. */
static int send_held(struct pg *p, const struct held *h)
{
    char arg[24], name[32];
    const char *values[1] = { arg };

    /* Prepared once per connection like any statement (in the pipeline):
     * the server then neither parses nor plans them per transaction. */
    if (pg_stmt_name(p, h->sql, name, sizeof(name)) == NULL)
        return 0;
    snprintf(arg, sizeof(arg), "%lld", (long long)h->arg);
    return PQsendQueryPrepared(p->conn, name, h->has_arg, values, NULL, NULL, 0);
}

/* Opens the pipeline unless it is open, and sends the held statements into
 * it. False when the connection refused (PQerrorMessage says why). */
bool pg_pipe_open(struct pg *p)
{
    bool ok = true;

    if (!p->piped) {
        ok = PQenterPipelineMode(p->conn) == 1;
        p->piped = ok;
    }
    for (int i = 0; ok && i < p->nheld; i++) {
        ok = send_held(p, &p->held[i]) == 1;
        p->npending += ok;
        if (ok && p->held[i].version) {
            p->version_at = p->npending;
            ok = PQpipelineSync(p->conn) == 1;
            p->syncs_early += ok;
        }
    }
    p->nheld = 0;
    p->tx_held = false;
    return ok;
}

/* Ends the pipeline: a sync, one round trip, and every answer read. 'ok'
 * false: sending failed. Returns the last statement's result when 'keep_last'
 * (NULL otherwise, or when all went well), or the first failure's, which
 * 'failed' then marks; 'early' marks a failure of a statement before the
 * last one (a held or a later statement's). */
PGresult *pg_pipe_finish(struct pg *p, bool ok, bool keep_last, bool *failed, bool *early)
{
    PGresult *res, *keep = NULL;
    int n = p->npending, got = 0, vat = p->version_at, syncs = p->syncs_early + 1;

    *failed = *early = false;
    p->npending = p->version_at = p->syncs_early = 0;
    if (!p->piped)
        return NULL;
    if (ok)
        ok = PQpipelineSync(p->conn) == 1;
    pg_trip();
    /* One result (then NULL) per statement, a sync's after the version's
     * read and after the last. */
    while (ok) {
        res = PQgetResult(p->conn);
        if (res == NULL) {
            if (PQstatus(p->conn) != CONNECTION_OK)
                break;
            continue;
        }
        ExecStatusType st = PQresultStatus(res);

        if (st == PGRES_PIPELINE_SYNC) {
            PQclear(res);
            if (--syncs == 0)
                break;
            continue;
        }
        got++;
        if (got == vat) {
            /* Its failure leaves the version unread, nothing else. */
            pg_version_take(p, res);
            PQclear(res);
            continue;
        }
        if (!*failed && st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
            *failed = true;
            *early = got < n || !keep_last;
            PQclear(keep);
            keep = res; /* the first failure; those after it are aborted */
            continue;
        }
        if (!*failed && got == n && keep_last) {
            keep = res;
            continue;
        }
        PQclear(res);
    }
    PQexitPipelineMode(p->conn);
    p->piped = false;
    if (!ok || (!*failed && got < n)) {
        *failed = true; /* the connection broke: PQerrorMessage says why */
        PQclear(keep);
        keep = NULL;
    }
    if (*failed && p->prepared_in_pipe)
        /* A statement prepared in this pipeline may not exist: forget
         * them all (rare: a broken connection, a faulty statement). */
        stmt_cache_clear(&p->cache, true);
    p->prepared_in_pipe = false;
    return keep;
}

/* Runs what the pipeline holds (held statements, later ones), then 'name'
 * with 'values' (unless NULL), in one round trip. As pipe_finish. */
PGresult *pg_run_pipeline(struct pg *p, const char *name, int nvalues,
                              const char *const *values, bool *failed, bool *early)
{
    bool ok = pg_pipe_open(p);

    if (ok && name != NULL) {
        ok = PQsendQueryPrepared(p->conn, name, nvalues, values, NULL, NULL, 0) == 1;
        p->npending += ok;
    }
    return pg_pipe_finish(p, ok, name != NULL, failed, early);
}

/* The statement's text values: integers printed into 'ints'. */
void pg_values(const struct sql_arg *args, int nargs, const char **values,
                      char (*ints)[24])
{
    for (int i = 0; i < nargs; i++) {
        if (args[i].type == SQL_INT) {
            snprintf(ints[i], sizeof(ints[i]), "%lld", (long long)args[i].i);
            values[i] = ints[i];
        } else {
            values[i] = args[i].s;
        }
    }
}

/* Moves the data version after a change that ran outside any transaction
 * (a statement or script on its own), before it is answered. */
static enum err pg_version_bump(struct pg *p)
{
    PGresult *res;
    enum err e = ERR_OK;

    p->tx_dirty = false;
    pg_trip();
    res = PQexec(p->conn, PG_SQL_VERSION_BUMP);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        e = pg_fail(p, res, "data version");
    PQclear(res);
    return e;
}

/* After a statement or script that changed data: on its own, the version
 * moves now; in a transaction, at its commit. */
enum err pg_version_after(struct pg *p, enum err e)
{
    if (e == ERR_OK && p->tx_dirty && !p->tx_held && !p->piped
        && PQtransactionStatus(p->conn) == PQTRANS_IDLE)
        return pg_version_bump(p);
    return e;
}
