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

/* One bound parameter. Build them with ARG_TEXT, ARG_INT and ARG_BOOL: the
 * compiler then rejects an integer passed as text or a pointer passed as an
 * integer. */
enum sql_type { SQL_TEXT = 1, SQL_INT };

struct sql_arg {
    enum sql_type type;
    union {
        const char *s; /* SQL_TEXT; NULL is SQL NULL */
        int64_t i;     /* SQL_INT */
    };
};

#define ARG_TEXT(v) ((struct sql_arg){ .type = SQL_TEXT, .s = (v) })
#define ARG_INT(v) ((struct sql_arg){ .type = SQL_INT, .i = (v) })
#define ARG_BOOL(v) ARG_INT((v) ? 1 : 0)
/* An optional reference or time: 0 is SQL NULL. */
#define ARG_INT_OR_NULL(v) ((v) != 0 ? ARG_INT(v) : ARG_TEXT(NULL))

/* Rows of one statement, row-major text (NULL: SQL NULL), in an arena. A
 * driver that reads columns by type also keeps each integer cell as a number
 * ('iv', set where 'isint' is; both NULL otherwise): sql_int reads it
 * without parsing the text. */
struct sql_res {
    size_t nrows, ncols;
    char **v;
    int64_t *iv;
    unsigned char *isint;
};

struct store_ops {
    const char *name;
    void (*close)(struct store *s);
    enum err (*ping)(struct store *s);
    enum err (*begin)(struct store *s, bool write);
    /* Optional: a write transaction no other write runs beside (store.h,
     * store_begin_alone); NULL: begin(s, true) is one already (SQLite). */
    enum err (*begin_alone)(struct store *s);
    enum err (*commit)(struct store *s);
    void (*rollback)(struct store *s);
    enum err (*lock_tenant)(struct store *s, int64_t tenant);
    /* Runs one statement (cached and prepared by its address 'sql'). A
     * unique or foreign-key violation is ERR_CONFLICT; any other failure is
     * ERR_STORE, logged. 'res' (reset first) may be NULL when no rows are
     * wanted; 'a' may then be NULL too. */
    enum err (*query)(struct store *s, struct arena *a, const char *sql,
                      const struct sql_arg *args, int nargs, struct sql_res *res);
    /* Optional (PostgreSQL): runs one statement whose rows nobody reads
     * with the transaction's next statement or its commit (sql_later);
     * NULL: query runs it at once. */
    enum err (*later)(struct store *s, const char *sql, const struct sql_arg *args, int nargs);
    /* Optional (PostgreSQL): the open write transaction's commit need not
     * wait for its flush to disk (store_commit_unflushed); NULL: nothing to
     * do (SQLite's group shares one flush). */
    enum err (*unflushed)(struct store *s);
    /* Runs a script of several statements with no parameters (migrations). */
    enum err (*script)(struct store *s, const char *sql);
    /* After rows were inserted with explicit ids, makes new rows get ids
     * past them (PostgreSQL's identity sequences; nothing for SQLite). */
    enum err (*ids_follow)(struct store *s);
    /* Optional (SQLite): route write transactions through a group. */
    void (*group_attach)(struct store *s, struct store_group *g, bool wait);
    /* Optional (SQLite): store_cache_epoch ('now' false) and
     * store_cache_now; NULL: nothing read is kept. */
    int64_t (*cache_epoch)(struct store *s, bool now);
    /* Optional: store_begin_versioned (NULL: begin(s, false)) and
     * store_data_version (NULL: -1, nothing is kept). */
    enum err (*begin_versioned)(struct store *s);
    int64_t (*data_version)(struct store *s);
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

/* Every statement goes through here, so that 'failed' is kept. At most
 * SQL_MAX_PARAMS arguments. */
enum err sql_exec(struct store *s, struct arena *a, const char *sql, const struct sql_arg *args,
                  int nargs, struct sql_res *res);

/* A connection's prepared statements (store_stmts.c), keyed by the address
 * of their SQL text and confirmed by the text. Holds up to 'max'; adding one
 * more drops the least recently used (the driver's 'drop' finalises it), so
 * a new statement is never refused. */
#define STMT_CACHE_MAX 512

struct stmt_entry {
    const char *key; /* the caller's SQL text: its address */
    char *text;      /* a copy, to confirm a hit */
    void *stmt;      /* the driver's: SQLite's statement */
    uint64_t id;     /* the driver's: PostgreSQL's statement name number, SQLite's enum sq_ret */
    void *bound;     /* the driver's: SQLite's bindings kept across runs */
    uint64_t used;   /* when last used, for eviction */
};

struct stmt_cache {
    struct stmt_entry *slot; /* open addressing; at least 2 * max slots */
    size_t n, max, mask;
    uint64_t tick, evicted;
    void (*drop)(void *owner, struct stmt_entry *e);
    void *owner;
};

void stmt_cache_init(struct stmt_cache *c, size_t max,
                     void (*drop)(void *owner, struct stmt_entry *e), void *owner);
/* The entry for 'sql', or NULL: then prepare it and add it. */
struct stmt_entry *stmt_cache_find(struct stmt_cache *c, const char *sql);
struct stmt_entry *stmt_cache_add(struct stmt_cache *c, const char *sql, void *stmt, uint64_t id);
/* Forgets every statement; 'drop' also finalises each (false: the
 * connection that held them is gone). */
void stmt_cache_clear(struct stmt_cache *c, bool drop);
void stmt_cache_free(struct stmt_cache *c);

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

/* Runs 'sql' with the arguments that follow it, each an ARG_TEXT, ARG_INT
 * or ARG_BOOL: store_q(s, a, &r, SQL_X, ARG_INT(tenant), ARG_TEXT(name)). */
#define store_q(s, a, res, sql, ...)                                                        \
    sql_exec((s), (a), (sql), (const struct sql_arg[]){ { 0 }, __VA_ARGS__ } + 1,           \
             (int)(sizeof((const struct sql_arg[]){ { 0 }, __VA_ARGS__ }) / sizeof(struct sql_arg) \
                   - 1),                                                                    \
             (res))

/* A statement whose rows nobody reads and whose failure may surface at the
 * transaction's next statement or commit as ERR_STORE (never as its own
 * ERR_CONFLICT): PostgreSQL sends it in one pipeline with what follows, so
 * it costs no round trip of its own. Only for statements that cannot
 * conflict (or whose conflict the caller would not tell from any other
 * failure). Statements keep their order: the next one sees its effect. */
enum err sql_later(struct store *s, const char *sql, const struct sql_arg *args, int nargs);


#define store_q_later(s, sql, ...)                                                          \
    sql_later((s), (sql), (const struct sql_arg[]){ { 0 }, __VA_ARGS__ } + 1,               \
              (int)(sizeof((const struct sql_arg[]){ { 0 }, __VA_ARGS__ })                  \
                        / sizeof(struct sql_arg)                                           \
                    - 1))

/* Secrets at rest (store_secrets.c). store_digest: the keyed digest a
 * lookup secret is stored and found by; store_seal: the sealed form of a
 * secret read back (NULL stays NULL); both in 'a'. store_unseal opens a
 * sealed column value into 'a' (NULL stays NULL); a value that does not open
 * (another key, damage) is ERR_STORE, logged. */
char *store_digest(const struct store *s, struct arena *a, const char *secret);
char *store_seal(const struct store *s, struct arena *a, const char *plain);
enum err store_unseal(struct store *s, struct arena *a, const char *sealed, const char **plain);

/* The table registry (store_tables.c): every table of the schema, in
 * foreign-key order (parents first). Adding a table means a migration for
 * each backend and one row here; test_store.c checks the rows against the
 * schema. */
#define TABLE_SECRETS 2

struct table_secret {
    const char *column; /* rewritten column */
    char form;          /* 'D' its keyed digest, 'S' its sealed form ... */
    const char *from;   /* ... of this column's plain value */
};

/* One way a table's rows belong to a tenant: 'column' holds the tenant's
 * id, or, with 'parent', the identity of a row of that registry table
 * (itself owned by a tenant, listed before). */
struct table_owner {
    const char *column;
    const char *parent;
};

struct store_table {
    const char *name;
    const char *columns;  /* every column, in copy order */
    const char *order;    /* ORDER BY of the copy */
    const char *identity; /* the generated id column (a PostgreSQL identity), or NULL */
    const char *upsert;   /* conflict key that makes the copy an upsert, or NULL */
    /* Only PostgreSQL has it, and it is not copied: state of the nodes
     * sharing one database, not data. */
    bool pg_only;
    /* Columns that may hold plain secrets written before migration 010,
     * converted once (store_secrets.c); 'secret_key' finds the row, NULL
     * when the table holds no secret. */
    const char *secret_key;
    struct table_secret secrets[TABLE_SECRETS];
    /* Whose rows these are, for deleting, resetting and counting a tenant
     * (store_tenant_data.c). Every row declares it: 'global' (no tenant's:
     * server settings, the nodes' shared counts), or the ways its rows
     * belong to a tenant (a row belongs when any applies). test_store.c
     * fails for a row that declares neither. */
    bool global;
    struct table_owner owner[2];
    /* A reset keeps the tenant's rows: what the seed declares (people,
     * apps, corps, companies, subscriptions), with their ids. */
    bool reset_keeps;
    /* A snapshot restore merges the file's rows into these (with 'upsert')
     * instead of replacing them. */
    bool restore_merges;
};

extern const struct store_table store_tables[];
extern const size_t store_table_count;

enum table_sql {
    TABLE_COPY_SELECT,    /* every column, in order */
    TABLE_COPY_INSERT,    /* $1..$N: the columns */
    TABLE_SECRETS_SELECT, /* the row key, then each secret's 'from' column */
    TABLE_SECRETS_UPDATE, /* $1 the row key, then each secret's new value */
    TABLE_TENANT_DELETE,  /* $1 the tenant: deletes its rows (NULL for a global table) */
    TABLE_TENANT_COUNT,   /* $1 the tenant: counts its rows (NULL for a global table) */
    TABLE_WIPE,           /* deletes every row */
    TABLE_SQL_KINDS
};

/* The statement of 'kind' for a registry row, made once per process (NULL
 * for the secrets kinds of a table without secrets). */
const char *store_table_sql(const struct store_table *t, enum table_sql kind);
/* The registry row of table 'name', or NULL. */
const struct store_table *store_table_find(const char *name);
/* Copies every row of 't' from 'src' into 'dst', each in the caller's open
 * transaction (store_copy.c); '*rows' is how many. */
enum err store_copy_quiet(struct store *src, struct store *dst, bool quiet);
enum err store_copy_table(struct store *src, struct store *dst, const struct store_table *t,
                          size_t *rows);

/* Tables no kept answer is read from, whose changes do not move the data
 * version (store_data_version): Udesk's nonces, which every signed read
 * records. store_sql_unversioned: whether statement 'sql' writes only such a
 * table (INSERT INTO t, UPDATE t, DELETE FROM t). */
bool store_table_unversioned(const char *table);
bool store_sql_unversioned(const char *sql);

/* Moves the fault rules' generation (store_faultrule.c): nodes reload. */
enum err store_faultrule_bump(struct store *s);

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
