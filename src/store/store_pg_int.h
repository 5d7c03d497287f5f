/* SPDX-License-Identifier: MIT */
/*
 * store/store_pg_int.h - what the PostgreSQL driver's files share: the
 * connection's state (struct pg) and the pipeline that carries a
 * transaction's statements (store_pg_pipe.c). Nothing outside
 * src/store/store_pg*.c includes it.
 */
#ifndef QZ_STORE_PG_INT_H
#define QZ_STORE_PG_INT_H

#include "store/store_int.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

/* The data version's move (store_data_version), after every commit that
 * changed data. */
#define PG_SQL_VERSION_BUMP "SELECT nextval('qz_data_version')"

/* Statements held back for the transaction's first statement: its BEGIN,
 * the writers' key, a tenant's lock. */
#define PG_HELD_MAX 4

struct held {
    const char *sql;
    bool has_arg; /* one bigint parameter */
    int64_t arg;
    /* The data version's read: its answer is kept (pg->version), and a
     * sync follows it, so that it runs, on its own, before the BEGIN that
     * follows takes the transaction's snapshot. */
    bool version;
};

struct pg {
    struct store base;
    PGconn *conn;
    struct stmt_cache cache;
    uint64_t next_stmt; /* statement names are qz<n>, never reused */
    /* Statements evicted from the cache, deallocated on the server before
     * the next transaction: never inside one, where a failure would doom it. */
    uint64_t *gone;
    size_t ngone, capgone;
    char session[256]; /* the SETs every new or reset connection runs */
    struct held held[PG_HELD_MAX];
    int nheld;
    bool tx_held;       /* the open transaction's BEGIN is held: it ran nothing yet */
    bool tx_lost;       /* its BEGIN failed: every statement fails until the next */
    bool commit_unread; /* a COMMIT (nothing changed) or ROLLBACK went out unanswered */
    bool piped;            /* in pipeline mode, with 'npending' answers unread */
    int npending;
    bool prepared_in_pipe; /* a statement was prepared in the open pipeline */
    /* The open pipeline's answer that is the data version's read (1-based
     * among npending; 0: none) and the syncs sent before its last one. */
    int version_at, syncs_early;
    /* store_data_version: whether the open transaction was begun versioned,
     * whether it ran a statement that may have changed data, and the
     * version once read. */
    bool tx_versioned, tx_dirty, version_read;
    /* It changed rows that move no data version (a nonce): its COMMIT is
     * still waited for, but moves no version. */
    bool tx_wrote;
    int64_t version;
};

#define PG(st) ((struct pg *)(st))

/* One more round trip to the server. */
void pg_trip(void);
/* Classifies a failed result ('res' may be NULL): a constraint's violation
 * is ERR_CONFLICT; anything else is logged and is ERR_STORE. */
enum err pg_fail(struct pg *p, PGresult *res, const char *what);
/* The prepared statement's name for 'sql' (into 'name', 'n' bytes),
 * preparing it on first use on this connection (in the open pipeline, if
 * any). NULL when it could not be prepared. */
const char *pg_stmt_name(struct pg *p, const char *sql, char *name, size_t n);
/* Reads the answer of a COMMIT or ROLLBACK sent unanswered, if any. */
void pg_settle(struct pg *p);
/* After a statement that ran ('res' its result, or NULL when not read):
 * marks the transaction tx_dirty when it changed data, or tx_wrote when it
 * changed only rows no kept answer reads (store_table_unversioned). */
void pg_mark_changes(struct pg *p, const char *sql, PGresult *res);
/* Keeps the data version's read from its result. */
void pg_version_take(struct pg *p, PGresult *res);
/* The pipeline: opened with the held statements first; finished with one
 * sync and one round trip, every answer read. */
bool pg_pipe_open(struct pg *p);
PGresult *pg_pipe_finish(struct pg *p, bool ok, bool keep_last, bool *failed, bool *early);
PGresult *pg_run_pipeline(struct pg *p, const char *name, int nvalues,
                          const char *const *values, bool *failed, bool *early);
/* A statement's text values, integers printed into 'ints'. */
void pg_values(const struct sql_arg *args, int nargs, const char **values, char (*ints)[24]);
/* After a statement that changed data outside a transaction, the data
 * version moves now; in one, at its commit. */
enum err pg_version_after(struct pg *p, enum err e);

#endif
