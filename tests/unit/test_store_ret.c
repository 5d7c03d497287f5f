/* SPDX-License-Identifier: MIT */
/* tests/unit/test_store_ret.c - one-row inserts that return the new rowid
 * (or 1) run on SQLite without RETURNING (store_sqlite_ret.c): which
 * statements qualify, and that the driver answers them as RETURNING would. */
#include "unit.h"

#include "config/config.h"
#include "core/arena.h"
#include "store/store.h"
#include "store/store_sqlite_int.h"

#include <stdlib.h>

static const char SCHEMA[] =
    "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT UNIQUE, b TEXT);"
    "CREATE TABLE c (x INTEGER, y INTEGER, PRIMARY KEY (x, y));"
    "CREATE TABLE w (id INTEGER PRIMARY KEY, v TEXT) WITHOUT ROWID;"
    "CREATE TABLE k (code TEXT PRIMARY KEY, n INTEGER);";

static enum sq_ret plan(sqlite3 *db, const char *sql, const char *want_plain)
{
    char *plain = NULL;
    enum sq_ret r = sq_ret_plan(db, sql, &plain);

    if (want_plain != NULL)
        CHECK_STR(plain, want_plain);
    else
        CHECK(plain == NULL);
    free(plain);
    return r;
}

static void which_statements(void)
{
    sqlite3 *db = NULL;

    CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, SCHEMA, NULL, NULL, NULL) == SQLITE_OK);
    CHECK(plan(db, "INSERT INTO t (a) VALUES (?1) RETURNING id", "INSERT INTO t (a) VALUES (?1)")
          == SQ_RET_ROWID);
    CHECK(plan(db, "INSERT INTO t (a, b) VALUES (?1, NULLIF(CAST(?2 AS TEXT), 'x)''(y')) "
                   "RETURNING id",
               "INSERT INTO t (a, b) VALUES (?1, NULLIF(CAST(?2 AS TEXT), 'x)''(y'))")
          == SQ_RET_ROWID);
    CHECK(plan(db, "INSERT INTO t (a) VALUES (?1) ON CONFLICT (a) DO NOTHING RETURNING 1",
               "INSERT INTO t (a) VALUES (?1) ON CONFLICT (a) DO NOTHING")
          == SQ_RET_ONE);
    CHECK(plan(db, "INSERT INTO t (a) VALUES (?1) ON CONFLICT (a) DO NOTHING RETURNING id",
               "INSERT INTO t (a) VALUES (?1) ON CONFLICT (a) DO NOTHING")
          == SQ_RET_ROWID);
    /* Kept as written: an upsert (its RETURNING sees the updated row), two
     * rows, a SELECT, other columns, several, a key that is no rowid. */
    CHECK(plan(db, "INSERT INTO t (a) VALUES (?1) ON CONFLICT (a) DO UPDATE SET b = 'u' "
                   "RETURNING id", NULL) == SQ_RET_NONE);
    CHECK(plan(db, "INSERT INTO t (a) VALUES (?1), (?2) RETURNING id", NULL) == SQ_RET_NONE);
    CHECK(plan(db, "INSERT INTO t (a) SELECT b FROM t RETURNING id", NULL) == SQ_RET_NONE);
    CHECK(plan(db, "INSERT INTO t (a) VALUES (?1) RETURNING a", NULL) == SQ_RET_NONE);
    CHECK(plan(db, "INSERT INTO t (a) VALUES (?1) RETURNING id, a", NULL) == SQ_RET_NONE);
    CHECK(plan(db, "INSERT INTO c (x, y) VALUES (1, 2) RETURNING x", NULL) == SQ_RET_NONE);
    CHECK(plan(db, "INSERT INTO w (id, v) VALUES (1, 'v') RETURNING id", NULL) == SQ_RET_NONE);
    CHECK(plan(db, "INSERT INTO k (code, n) VALUES ('a', 1) RETURNING code", NULL)
          == SQ_RET_NONE);
    CHECK(plan(db, "DELETE FROM t WHERE id = 1 RETURNING id", NULL) == SQ_RET_NONE);
    CHECK(plan(db, "INSERT INTO t (a) VALUES (?1)", NULL) == SQ_RET_NONE);
    sqlite3_close(db);
}

/* Through the driver: the rows RETURNING would have given. */
static void answers_as_returning(void)
{
    char err[256];
    char *argv[] = { "qunzu", "--db", "sqlite::memory:", NULL };
    const char *env[] = { NULL };
    struct config cfg;
    struct store *st;
    struct arena a;
    struct sql_res r;

    CHECK(config_load(&cfg, 3, argv, env, err, sizeof(err)) == 0);
    CHECK(config_secret_key_load(&cfg, err, sizeof(err)) == 0);
    st = store_open(&cfg);
    CHECK(st != NULL);
    arena_init(&a, 0);
    CHECK(sql_exec(st, NULL, "CREATE TABLE rt (id INTEGER PRIMARY KEY, a TEXT UNIQUE)", NULL, 0,
                   NULL) == ERR_OK);
    CHECK(store_begin(st, true) == ERR_OK);
    CHECK(store_q(st, &a, &r, "INSERT INTO rt (id, a) VALUES ($1, $2) RETURNING id",
                  ARG_INT(41), ARG_TEXT("x")) == ERR_OK);
    CHECK(r.nrows == 1 && r.ncols == 1);
    CHECK_STR(sql_text(&r, 0, 0), "41");
    CHECK(sql_int(&r, 0, 0) == 41);
    CHECK(store_q(st, &a, &r, "INSERT INTO rt (a) VALUES ($1) RETURNING id", ARG_TEXT("y"))
          == ERR_OK);
    CHECK(r.nrows == 1 && sql_int(&r, 0, 0) == 42);
    CHECK(store_q(st, &a, &r,
                  "INSERT INTO rt (a) VALUES ($1) ON CONFLICT (a) DO NOTHING RETURNING 1",
                  ARG_TEXT("z")) == ERR_OK);
    CHECK(r.nrows == 1 && r.ncols == 1 && sql_int(&r, 0, 0) == 1);
    /* Nothing inserted: no row, though the last insert's rowid is still 43. */
    CHECK(store_q(st, &a, &r,
                  "INSERT INTO rt (a) VALUES ($1) ON CONFLICT (a) DO NOTHING RETURNING 1",
                  ARG_TEXT("z")) == ERR_OK);
    CHECK(r.nrows == 0 && r.ncols == 1);
    CHECK(store_q(st, &a, &r,
                  "INSERT INTO rt (a) VALUES ($1) ON CONFLICT (a) DO NOTHING RETURNING id",
                  ARG_TEXT("y")) == ERR_OK);
    CHECK(r.nrows == 0);
    /* A constraint still fails the statement. */
    CHECK(store_q(st, &a, &r, "INSERT INTO rt (a) VALUES ($1) RETURNING id", ARG_TEXT("y"))
          == ERR_CONFLICT);
    CHECK(store_commit(st) == ERR_OK);
    arena_release(&a);
    store_close(st);
    config_release(&cfg);
}

const struct unit_case store_ret_cases[] = {
    { "store_ret/which_statements", which_statements },
    { "store_ret/answers_as_returning", answers_as_returning },
    { NULL, NULL },
};
