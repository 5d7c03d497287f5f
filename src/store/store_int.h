/* SPDX-License-Identifier: MIT */
/*
 * store/store_int.h - shared by store/ only: the driver each backend
 * implements, the typed statement helpers the entity operations use, and the
 * embedded migrations.
 *
 * SQL is written once, with $1..$N parameters; the SQLite driver rewrites
 * them to ?1..?N when it prepares a statement. Results come back as text in
 * the caller's arena, so one reader serves both backends.
 */
#ifndef QZ_STORE_INT_H
#define QZ_STORE_INT_H

#include "store/store.h"

#include "core/seal.h"

#define SQL_MAX_PARAMS 20

struct sql_param {
    char type; /* 's' text (NULL: SQL NULL), 'i' integer */
    const char *s;
    int64_t i;
};

/* Rows of one statement, row-major text (NULL: SQL NULL), in an arena. */
struct sql_res {
    size_t nrows, ncols;
    char **v;
};

struct store_ops {
    const char *name;
    void (*close)(struct store *s);
    enum err (*ping)(struct store *s);
    enum err (*begin)(struct store *s, bool write);
    enum err (*commit)(struct store *s);
    void (*rollback)(struct store *s);
    enum err (*lock_tenant)(struct store *s, int64_t tenant);
    /* Runs one statement (cached and prepared by its address 'sql'). A
     * unique or foreign-key violation is ERR_CONFLICT; any other failure is
     * ERR_STORE, logged. 'res' (reset first) may be NULL when no rows are
     * wanted; 'a' may then be NULL too. */
    enum err (*query)(struct store *s, struct arena *a, const char *sql,
                      const struct sql_param *params, int nparams, struct sql_res *res);
    /* Runs a script of several statements with no parameters (migrations). */
    enum err (*script)(struct store *s, const char *sql);
    /* After rows were inserted with explicit ids, makes new rows get ids
     * past them (PostgreSQL's identity sequences; nothing for SQLite). */
    enum err (*ids_follow)(struct store *s);
    /* Optional (SQLite): route write transactions through a group. */
    void (*group_attach)(struct store *s, struct store_group *g, bool wait);
};

struct store {
    const struct store_ops *ops;
    /* A statement of the open transaction failed (ERR_STORE). Commit then
     * rolls back and fails: a request that went on after a failed read
     * (an event body missing a field, say) never commits half its work. */
    bool failed;
    /* The server key: secrets are stored as digests or sealed under it
     * (store_secrets.c). Set by store_open. */
    struct seal_key key;
};

/* Every statement goes through here, so that 'failed' is kept. */
static inline enum err sql_exec(struct store *s, struct arena *a, const char *sql,
                                const struct sql_param *params, int nparams,
                                struct sql_res *res)
{
    enum err e = s->ops->query(s, a, sql, params, nparams, res);

    if (e == ERR_STORE)
        s->failed = true;
    return e;
}

struct store_migration {
    const char *name; /* "001_init.sql"; the order is the file-name order */
    const char *sql;
};

/* Generated from migrations/<backend>/ by tools/embed.cmake. */
extern const struct store_migration store_migrations_sqlite[];
extern const struct store_migration store_migrations_pg[];

struct store *sq_open(const struct config *cfg);
/* sqlite_fault_every: the name of the faulting VFS (registered on first use),
 * or NULL when 'every' is 0; faults begin once sq_fault_arm() is called. */
const char *sq_fault_vfs(int64_t every);
void sq_fault_arm(void);
struct store *pg_open(const struct config *cfg);

/* Applies the migrations not yet recorded in schema_migrations, in one
 * transaction. The caller holds whatever lock keeps two nodes apart. */
enum err store_migrate(struct store *s, const struct store_migration *list);

/* Runs 'sql' binding arguments by 'fmt' ('s' const char *, 'i' int64_t,
 * 'b' int read as 0/1). */
enum err store_q(struct store *s, struct arena *a, struct sql_res *res, const char *sql,
                 const char *fmt, ...);

/* Secrets at rest (store_secrets.c). store_digest: the keyed digest a
 * lookup secret is stored and found by; store_seal: the sealed form of a
 * secret read back (NULL stays NULL); both in 'a'. store_unseal opens a
 * sealed column value into 'a' (NULL stays NULL); a value that does not open
 * (another key, damage) is ERR_STORE, logged. */
char *store_digest(const struct store *s, struct arena *a, const char *secret);
char *store_seal(const struct store *s, struct arena *a, const char *plain);
enum err store_unseal(struct store *s, struct arena *a, const char *sealed, const char **plain);

/* The tables store_copy copies, for the test that every table is listed. */
size_t store_copy_table_count(void);
const char *store_copy_table_name(size_t i);
const char *store_copy_table_select(size_t i);

/* The columns every outbox read selects, and the row reader for them. */
#define OUTBOX_COLS                                                                     \
    "id, tenant_id, app_ref, event_type, event_id, body, created_at, delivered_at, state, " \
    "attempts, next_at"
struct outbox_row;
void store_outbox_fill(const struct sql_res *r, size_t i, struct outbox_row *o);

/* Cell access; sql_int reads a missing or NULL cell as 0. */
const char *sql_text(const struct sql_res *r, size_t row, size_t col);
int64_t sql_int(const struct sql_res *r, size_t row, size_t col);

/* For lookups that return one row: ERR_NOT_FOUND when 'e' is ERR_OK but no
 * row came back; sql_one_int also reads column 0 of the row into 'out'. */
enum err sql_one(enum err e, const struct sql_res *r);
enum err sql_one_int(enum err e, const struct sql_res *r, int64_t *out);

#endif
