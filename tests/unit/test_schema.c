/* SPDX-License-Identifier: MIT */
/* tests/unit/test_schema.c - the two backends side by side: the SQLite and
 * PostgreSQL migrations build the same tables, columns and indexes, the
 * table registry names PostgreSQL's identity columns, and each driver's
 * statement cache serves more statements than it holds, and PostgreSQL
 * transactions wait for one round trip per statement (BEGIN, locks and a
 * read-only COMMIT ride along). The PostgreSQL cases
 * need QUNZU_TEST_PG (an administrative database URL, as
 * scripts/pg-test-server.sh prints it; scripts/test.sh sets it) and skip,
 * saying so, without it. */
#include "unit.h"

#include "config/config.h"
#include "core/arena.h"
#include "store/store.h"
#include "store/store_int.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* More distinct statements than the old fixed caches had slots (128), and
 * more than the cache holds now, so some are evicted and prepared again. */
#define MANY_STATEMENTS (2 * STMT_CACHE_MAX + 100)

struct backend {
    struct config cfg;
    struct store *st;
    char key[64], db[512], pgname[64];
};

static bool key_file(char *path, size_t n)
{
    static const char hex[] =
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";
    int fd;

    snprintf(path, n, "/tmp/qz-unit-key-XXXXXX");
    fd = mkstemp(path);
    if (fd < 0)
        return false;
    if (write(fd, hex, sizeof(hex) - 1) != (ssize_t)(sizeof(hex) - 1)) {
        close(fd);
        return false;
    }
    close(fd);
    return true;
}

/* Runs one statement on the administrative database. */
static bool pg_admin(const char *url, const char *sql)
{
    PGconn *c = PQconnectdb(url);
    bool ok = PQstatus(c) == CONNECTION_OK;

    if (ok) {
        PGresult *r = PQexec(c, sql);

        ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        if (!ok)
            fprintf(stderr, "  %s: %s", sql, PQresultErrorMessage(r));
        PQclear(r);
    } else {
        fprintf(stderr, "  cannot connect to %s: %s", url, PQerrorMessage(c));
    }
    PQfinish(c);
    return ok;
}

/* "postgresql:///postgres?host=..." with another database name. */
static bool pg_url_with_db(const char *admin, const char *name, char *out, size_t n)
{
    const char *q = strchr(admin, '?');
    const char *end = q != NULL ? q : admin + strlen(admin);
    const char *slash = end;

    while (slash > admin && slash[-1] != '/')
        slash--;
    if (slash == admin || strncmp(admin, "postgres", 8) != 0)
        return false;
    snprintf(out, n, "%.*s%s%s", (int)(slash - admin), admin, name, end);
    return true;
}

/* Opens a fresh database of the backend: SQLite in memory, or a new
 * PostgreSQL database (NULL 'pg': SQLite). */
static bool backend_open(struct backend *b, const char *pg)
{
    static int seq;
    char err[256], create[128];
    char *argv[] = { "qunzu", "--db", b->db, "--secret-key-file", b->key, NULL };
    const char *env[] = { NULL };

    memset(b, 0, sizeof(*b));
    if (!key_file(b->key, sizeof(b->key)))
        return false;
    if (pg == NULL) {
        snprintf(b->db, sizeof(b->db), "sqlite::memory:");
    } else {
        snprintf(b->pgname, sizeof(b->pgname), "qz_unit_%ld_%d", (long)getpid(), seq++);
        snprintf(create, sizeof(create), "CREATE DATABASE %s", b->pgname);
        if (!pg_url_with_db(pg, b->pgname, b->db, sizeof(b->db)) || !pg_admin(pg, create))
            return false;
    }
    if (config_load(&b->cfg, 5, argv, env, err, sizeof(err)) != 0
        || config_secret_key_load(&b->cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "  config: %s\n", err);
        return false;
    }
    b->st = store_open(&b->cfg);
    return b->st != NULL;
}

static void backend_close(struct backend *b, const char *pg)
{
    char drop[128];

    store_close(b->st);
    config_release(&b->cfg);
    unlink(b->key);
    if (pg != NULL && b->pgname[0] != '\0') {
        snprintf(drop, sizeof(drop), "DROP DATABASE IF EXISTS %s", b->pgname);
        pg_admin(pg, drop);
    }
}

/* Each query yields rows of (table, what): one line of the description. */
static const char *const SQLITE_SCHEMA[] = {
    "SELECT name, 'table' FROM sqlite_master WHERE type = 'table' "
    "AND name NOT LIKE 'sqlite_%' AND name != 'schema_migrations'",
    "SELECT m.name, 'column ' || p.name || CASE WHEN p.\"notnull\" OR p.pk > 0 "
    "THEN ' not null' ELSE '' END FROM sqlite_master m, pragma_table_info(m.name) p "
    "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name != 'schema_migrations'",
    /* Every index, a constraint's included, by its columns... */
    "SELECT m.name, CASE WHEN l.\"unique\" THEN 'unique ' ELSE 'index ' END || "
    "(SELECT group_concat(name, ', ') FROM (SELECT name FROM pragma_index_info(l.name) "
    "ORDER BY seqno)) || CASE WHEN l.partial THEN ' partial' ELSE '' END "
    "FROM sqlite_master m, pragma_index_list(m.name) l WHERE m.type = 'table' "
    "AND m.name NOT LIKE 'sqlite_%' AND m.name != 'schema_migrations'",
    /* ... and the primary key, which a rowid table keeps without one. */
    "SELECT m.name, 'unique ' || (SELECT group_concat(name, ', ') FROM (SELECT name "
    "FROM pragma_table_info(m.name) WHERE pk > 0 ORDER BY pk)) FROM sqlite_master m "
    "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name != 'schema_migrations' "
    "AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE pk > 0)",
    NULL,
};

static const char *const PG_SCHEMA[] = {
    "SELECT table_name, 'table' FROM information_schema.tables WHERE table_schema = "
    "current_schema() AND table_type = 'BASE TABLE' AND table_name != 'schema_migrations'",
    "SELECT table_name, 'column ' || column_name || CASE WHEN is_nullable = 'NO' "
    "THEN ' not null' ELSE '' END FROM information_schema.columns WHERE table_schema = "
    "current_schema() AND table_name != 'schema_migrations'",
    "SELECT t.relname, CASE WHEN x.indisunique THEN 'unique ' ELSE 'index ' END || "
    "(SELECT string_agg(a.attname, ', ' ORDER BY k.n) FROM unnest(x.indkey::int2[]) "
    "WITH ORDINALITY k(attnum, n) JOIN pg_attribute a ON a.attrelid = t.oid "
    "AND a.attnum = k.attnum) || CASE WHEN x.indpred IS NULL THEN '' ELSE ' partial' END "
    "FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n "
    "ON n.oid = t.relnamespace WHERE n.nspname = current_schema() "
    "AND t.relname != 'schema_migrations'",
    NULL,
};

static int line_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The schema as sorted, distinct lines "table: what". Tables only
 * PostgreSQL has (the registry says which) are left out. */
static char **describe(struct store *st, struct arena *a, const char *const *queries, size_t *n)
{
    char **lines = NULL;
    size_t cap = 0, k = 0;

    *n = 0;
    CHECK(store_begin(st, false) == ERR_OK);
    for (const char *const *q = queries; *q != NULL; q++) {
        struct sql_res r;

        CHECK(sql_exec(st, a, *q, NULL, 0, &r) == ERR_OK);
        for (size_t i = 0; i < r.nrows; i++) {
            bool skip = false;

            for (size_t t = 0; t < store_table_count; t++)
                skip = skip || (store_tables[t].pg_only
                                && strcmp(store_tables[t].name, sql_text(&r, i, 0)) == 0);
            if (skip)
                continue;
            if (*n == cap) {
                char **bigger = arena_alloc(a, (cap = cap ? 2 * cap : 64) * sizeof(char *));

                if (*n > 0)
                    memcpy(bigger, lines, *n * sizeof(char *));
                lines = bigger;
            }
            lines[(*n)++] = arena_printf(a, "%s: %s", sql_text(&r, i, 0), sql_text(&r, i, 1));
        }
    }
    store_rollback(st);
    if (*n > 0)
        qsort(lines, *n, sizeof(char *), line_cmp);
    for (size_t i = 0; i < *n; i++)
        if (k == 0 || strcmp(lines[k - 1], lines[i]) != 0)
            lines[k++] = lines[i];
    *n = k;
    return lines;
}

static void schema_parity(void)
{
    const char *pg = getenv("QUNZU_TEST_PG");
    struct backend sq, pq;
    struct arena a;
    char **ls, **lp;
    size_t ns, np, i = 0, j = 0;

    if (pg == NULL || pg[0] == '\0') {
        unit_skip("QUNZU_TEST_PG is not set (scripts/test.sh sets it)");
        return;
    }
    arena_init(&a, 0);
    CHECK(backend_open(&sq, NULL));
    CHECK(backend_open(&pq, pg));
    if (sq.st == NULL || pq.st == NULL)
        goto out;
    ls = describe(sq.st, &a, SQLITE_SCHEMA, &ns);
    lp = describe(pq.st, &a, PG_SCHEMA, &np);
    CHECK(ns > 100 && np > 100);
    while (i < ns || j < np) {
        int c = i == ns ? 1 : j == np ? -1 : strcmp(ls[i], lp[j]);

        if (c < 0)
            fprintf(stderr, "  only SQLite has %s\n", ls[i++]);
        else if (c > 0)
            fprintf(stderr, "  only PostgreSQL has %s\n", lp[j++]);
        else
            i++, j++;
        CHECK(c == 0);
    }
    /* The registry's identity columns are PostgreSQL's, and no other. */
    {
        struct sql_res r;
        size_t want = 0;

        CHECK(store_begin(pq.st, false) == ERR_OK);
        CHECK(sql_exec(pq.st, &a,
                       "SELECT table_name, column_name FROM information_schema.columns "
                       "WHERE table_schema = current_schema() AND is_identity = 'YES'",
                       NULL, 0, &r)
              == ERR_OK);
        store_rollback(pq.st);
        for (size_t t = 0; t < store_table_count; t++)
            want += store_tables[t].identity != NULL;
        CHECK(r.nrows == want);
        for (size_t k = 0; k < r.nrows; k++) {
            bool found = false;

            for (size_t t = 0; t < store_table_count; t++)
                found = found
                        || (strcmp(store_tables[t].name, sql_text(&r, k, 0)) == 0
                            && store_tables[t].identity != NULL
                            && strcmp(store_tables[t].identity, sql_text(&r, k, 1)) == 0);
            if (!found)
                fprintf(stderr, "  identity %s.%s is not the registry's\n", sql_text(&r, k, 0),
                        sql_text(&r, k, 1));
            CHECK(found);
        }
    }
out:
    backend_close(&sq, NULL);
    backend_close(&pq, pg);
    arena_release(&a);
}

static bool answer_is(struct store *st, struct arena *a, const char *sql, const char *want)
{
    struct sql_res r;
    enum err e = sql_exec(st, a, sql, NULL, 0, &r);

    return e == ERR_OK && r.nrows == 1 && sql_text(&r, 0, 0) != NULL
           && strcmp(sql_text(&r, 0, 0), want) == 0;
}

/* Every statement of a request runs, however many distinct ones the
 * connection has seen: past the old fixed 128 slots, past the cache's
 * size (evicted statements are prepared again), and a statement whose text
 * changed at the same address runs as its new text. */
static void cache_past_old_limit(struct store *st)
{
    struct arena a;
    char **sql = NULL, buf[64];
    bool all = true;

    arena_init(&a, 0);
    sql = arena_alloc(&a, MANY_STATEMENTS * sizeof(char *));
    CHECK(store_begin(st, true) == ERR_OK);
    for (int i = 0; i < MANY_STATEMENTS; i++) {
        sql[i] = arena_printf(&a, "SELECT %d + 0", i);
        all = all && answer_is(st, &a, sql[i], arena_printf(&a, "%d", i));
    }
    CHECK(all);
    /* The first ones were evicted long ago. */
    for (int i = 0; i < 10; i++)
        CHECK(answer_is(st, &a, sql[i], arena_printf(&a, "%d", i)));
    snprintf(buf, sizeof(buf), "SELECT 'first'");
    CHECK(answer_is(st, &a, buf, "first"));
    snprintf(buf, sizeof(buf), "SELECT 'second'");
    CHECK(answer_is(st, &a, buf, "second"));
    CHECK(store_commit(st) == ERR_OK);
    /* The next transaction (PostgreSQL deallocates the evicted ones first). */
    CHECK(store_begin(st, false) == ERR_OK);
    CHECK(answer_is(st, &a, sql[MANY_STATEMENTS - 1],
                    arena_printf(&a, "%d", MANY_STATEMENTS - 1)));
    CHECK(answer_is(st, &a, sql[0], "0"));
    CHECK(store_commit(st) == ERR_OK);
    arena_release(&a);
}

static void stmt_cache_sqlite(void)
{
    struct backend b;

    CHECK(backend_open(&b, NULL));
    if (b.st != NULL)
        cache_past_old_limit(b.st);
    backend_close(&b, NULL);
}

static void stmt_cache_pg(void)
{
    const char *pg = getenv("QUNZU_TEST_PG");
    struct backend b;

    if (pg == NULL || pg[0] == '\0') {
        unit_skip("QUNZU_TEST_PG is not set (scripts/test.sh sets it)");
        return;
    }
    CHECK(backend_open(&b, pg));
    if (b.st != NULL)
        cache_past_old_limit(b.st);
    backend_close(&b, pg);
}

/* Round trips a transaction waits for on PostgreSQL: its BEGIN (and a
 * writer's locks) go with its first statement, the COMMIT of a transaction
 * that changed nothing (read-only, or a writer whose statements changed no
 * row) is not waited for, a writer's that changed data is, a transaction
 * that runs nothing sends nothing; a lock that cannot be had fails the
 * statement it went with, and the transaction. */
static const char SQL_RT[] = "SELECT 'rt'";
static const char SQL_RT_WRITE[] =
    "INSERT INTO meta (key, value) VALUES ('qz.rt', $1) ON CONFLICT (key) DO UPDATE SET "
    "value = excluded.value";

/* A writer that changes one row: the statement, then its COMMIT. */
static int64_t write_trips(struct store *st)
{
    int64_t before = store_round_trips();
    bool ok = store_begin(st, true) == ERR_OK
              && store_q(st, NULL, NULL, SQL_RT_WRITE, ARG_TEXT("1")) == ERR_OK
              && store_commit(st) == ERR_OK;

    return ok ? store_round_trips() - before : -1;
}

static int64_t trips_of(struct store *st, struct arena *a, bool write, bool lock, int statements)
{
    int64_t before = store_round_trips();
    bool ok = store_begin(st, write) == ERR_OK;

    if (lock)
        ok = ok && store_lock_tenant(st, 4242) == ERR_OK;
    for (int i = 0; i < statements; i++)
        ok = ok && answer_is(st, a, SQL_RT, "rt");
    ok = ok && store_commit(st) == ERR_OK;
    return ok ? store_round_trips() - before : -1;
}

/* A statement sent with sql_later runs before the next statement, in order,
 * and costs no round trip of its own; its failure fails the statement it
 * is read with (as ERR_STORE) or the commit, and the connection then serves
 * the next transaction. */
static const char SQL_LATER_SET[] = "SELECT set_config('qz.later', $1, true)";
static const char SQL_LATER_GET[] = "SELECT current_setting('qz.later', true)";
static const char SQL_LATER_FAIL[] = "SELECT 1 / CAST($1 AS INTEGER)";

static int64_t later_trips(struct store *st, struct arena *a)
{
    int64_t before = store_round_trips();
    bool ok = store_begin(st, true) == ERR_OK
              && store_q_later(st, SQL_LATER_SET, ARG_TEXT("x")) == ERR_OK
              && answer_is(st, a, SQL_LATER_GET, "x")
              && store_q_later(st, SQL_LATER_SET, ARG_TEXT("y")) == ERR_OK
              && answer_is(st, a, SQL_LATER_GET, "y")
              && store_q_later(st, SQL_LATER_SET, ARG_TEXT("z")) == ERR_OK
              && store_commit(st) == ERR_OK;

    return ok ? store_round_trips() - before : -1;
}

static void later_checks(struct store *st, struct arena *a)
{
    /* Two reads, the third later statement with the COMMIT: 3 round trips
     * once the statements are prepared (the first time, one more). */
    CHECK(later_trips(st, a) == 4);
    CHECK(later_trips(st, a) == 3);
    /* A failure read with the next statement fails it, and the commit. */
    CHECK(store_begin(st, true) == ERR_OK);
    CHECK(store_q_later(st, SQL_LATER_FAIL, ARG_INT(0)) == ERR_OK);
    CHECK(!answer_is(st, a, SQL_LATER_GET, ""));
    CHECK(store_commit(st) == ERR_STORE);
    CHECK(later_trips(st, a) == 3);
    /* A failure read with the COMMIT fails it. */
    CHECK(store_begin(st, true) == ERR_OK);
    CHECK(answer_is(st, a, SQL_RT, "rt"));
    CHECK(store_q_later(st, SQL_LATER_FAIL, ARG_INT(0)) == ERR_OK);
    CHECK(store_commit(st) == ERR_STORE);
    CHECK(later_trips(st, a) == 3);
    /* A rollback drops what was sent. */
    CHECK(store_begin(st, true) == ERR_OK);
    CHECK(store_q_later(st, SQL_LATER_SET, ARG_TEXT("gone")) == ERR_OK);
    store_rollback(st);
    CHECK(later_trips(st, a) == 3);
}

static void round_trips_pg(void)
{
    const char *pg = getenv("QUNZU_TEST_PG");
    struct backend b;
    struct store *other;
    struct arena a;

    if (pg == NULL || pg[0] == '\0') {
        unit_skip("QUNZU_TEST_PG is not set (scripts/test.sh sets it)");
        return;
    }
    arena_init(&a, 0);
    CHECK(backend_open(&b, pg));
    if (b.st == NULL)
        goto out;
    CHECK(trips_of(b.st, &a, false, false, 1) == 2); /* the statement is prepared first */
    CHECK(trips_of(b.st, &a, false, false, 1) == 1);
    CHECK(trips_of(b.st, &a, false, false, 3) == 3);
    CHECK(trips_of(b.st, &a, false, false, 0) == 0);
    CHECK(trips_of(b.st, &a, true, true, 1) == 1); /* nothing changed: COMMIT unanswered */
    CHECK(trips_of(b.st, &a, true, true, 0) == 0);
    CHECK(write_trips(b.st) == 3); /* the statement is prepared first */
    CHECK(write_trips(b.st) == 2); /* the statement, the COMMIT */
    /* Another session holds the tenant's lock: the statement sent with the
     * lock fails after lock_timeout, the commit refuses, and the connection
     * serves the next transaction. */
    other = store_open(&b.cfg);
    CHECK(other != NULL);
    if (other != NULL) {
        CHECK(store_begin(other, true) == ERR_OK);
        CHECK(store_lock_tenant(other, 4242) == ERR_OK);
        CHECK(answer_is(other, &a, SQL_RT, "rt"));
        CHECK(store_begin(b.st, true) == ERR_OK);
        CHECK(store_lock_tenant(b.st, 4242) == ERR_OK);
        CHECK(!answer_is(b.st, &a, SQL_RT, "rt"));
        CHECK(store_commit(b.st) == ERR_STORE);
        CHECK(store_commit(other) == ERR_OK);
        CHECK(trips_of(b.st, &a, true, true, 1) == 1);
        store_close(other);
    }
    later_checks(b.st, &a);
out:
    backend_close(&b, pg);
    arena_release(&a);
}

const struct unit_case schema_cases[] = {
    { "store/stmt_cache_past_old_limit", stmt_cache_sqlite },
    { "pg/stmt_cache_past_old_limit", stmt_cache_pg },
    { "pg/schema_parity", schema_parity },
    { "pg/round_trips", round_trips_pg },
    { NULL, NULL },
};
