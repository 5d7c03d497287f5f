/* SPDX-License-Identifier: MIT */
/*
 * store/store_sqlite_ret.c - the shared SQL's one-row inserts that return
 * the new row's id (INSERT ... VALUES (...) [ON CONFLICT ... DO NOTHING]
 * RETURNING id, or RETURNING 1 to learn whether a row went in), run on
 * SQLite without their RETURNING clause.
 *
 * SQLite runs RETURNING as a trigger that writes the rows into a temporary
 * b-tree and reads them back when the statement ends: every such insert
 * opened and closed a b-tree, its pager and its page cache, 1-3% of a write
 * request's CPU each (a create chat runs three). The same answer is at hand
 * once the insert is done: the row went in when sqlite3_changes() is 1, and
 * its id is sqlite3_last_insert_rowid() when the returned column is the
 * table's rowid (its one INTEGER PRIMARY KEY column, in a table with rowids).
 * Any other statement keeps its RETURNING and runs as written.
 */
#include "store/store_sqlite_int.h"

#include "core/arena.h"
#include "core/str.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static const char *skip_space(const char *p)
{
    while (isspace((unsigned char)*p))
        p++;
    return p;
}

/* The ')' that closes the '(' at 'p', past nested parentheses and quoted
 * strings; NULL if there is none. */
static const char *closing(const char *p)
{
    int depth = 0;

    for (; *p != '\0'; p++) {
        if (*p == '\'') {
            for (p++; *p != '\0' && !(*p == '\'' && p[1] != '\''); p++)
                if (*p == '\'')
                    p++; /* a doubled quote */
            if (*p == '\0')
                return NULL;
        } else if (*p == '(') {
            depth++;
        } else if (*p == ')' && --depth == 0) {
            return p;
        }
    }
    return NULL;
}

/* A copy of 'sql' up to 'stop', without the spaces before it. */
static char *cut(const char *sql, const char *stop)
{
    size_t n = (size_t)(stop - sql);
    char *out;

    while (n > 0 && isspace((unsigned char)sql[n - 1]))
        n--;
    out = xmalloc(n + 1);
    memcpy(out, sql, n);
    out[n] = '\0';
    return out;
}

static bool is_name(const char *s, size_t n)
{
    if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
            return false;
    return true;
}

/* Whether 'col' is the rowid of 'table': its only primary-key column, of
 * type INTEGER, in a table that has rowids. */
static bool is_rowid(sqlite3 *db, const char *table, const char *col)
{
    static const char q_pk[] = "SELECT name, type FROM pragma_table_info(?1) WHERE pk > 0";
    static const char q_wr[] = "SELECT wr FROM pragma_table_list(?1) WHERE schema = 'main'";
    sqlite3_stmt *q = NULL;
    bool pk = false, rowids = false;
    int rows = 0;

    if (sqlite3_prepare_v2(db, q_pk, -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
        while (sqlite3_step(q) == SQLITE_ROW) {
            const char *name = (const char *)sqlite3_column_text(q, 0);
            const char *type = (const char *)sqlite3_column_text(q, 1);

            rows++;
            pk = name != NULL && type != NULL && strcasecmp(name, col) == 0
                 && strcasecmp(type, "INTEGER") == 0;
        }
    }
    sqlite3_finalize(q);
    q = NULL;
    if (sqlite3_prepare_v2(db, q_wr, -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
        rowids = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) == 0;
    }
    sqlite3_finalize(q);
    return rows == 1 && pk && rowids;
}

enum sq_ret sq_ret_plan(sqlite3 *db, const char *sql, char **plain)
{
    const char *p, *values, *end, *ret, *col;
    char table[128], name[64];
    size_t n;

    *plain = NULL;
    if (!starts(sql, "INSERT INTO ") || strstr(sql, "SELECT") != NULL
        || strstr(sql, "DO UPDATE") != NULL)
        return SQ_RET_NONE;
    p = sql + strlen("INSERT INTO ");
    n = strcspn(p, " (");
    if (n >= sizeof(table) || !is_name(p, n))
        return SQ_RET_NONE;
    memcpy(table, p, n);
    table[n] = '\0';
    values = strstr(p, " VALUES (");
    if (values == NULL || strstr(values + 1, " VALUES (") != NULL)
        return SQ_RET_NONE;
    end = closing(values + strlen(" VALUES "));
    if (end == NULL)
        return SQ_RET_NONE;
    p = skip_space(end + 1);
    /* One row: no second tuple; then nothing or ON CONFLICT ... DO NOTHING. */
    ret = strstr(p, "RETURNING ");
    if (ret == NULL || strstr(ret + 1, "RETURNING ") != NULL)
        return SQ_RET_NONE;
    if (ret != p) {
        n = (size_t)(ret - p);
        while (n > 0 && isspace((unsigned char)p[n - 1]))
            n--;
        if (!starts(p, "ON CONFLICT ") || n < strlen("DO NOTHING")
            || strncmp(p + n - strlen("DO NOTHING"), "DO NOTHING", strlen("DO NOTHING")) != 0)
            return SQ_RET_NONE;
    }
    col = ret + strlen("RETURNING ");
    n = strlen(col);
    while (n > 0 && isspace((unsigned char)col[n - 1]))
        n--;
    if (n == 1 && col[0] == '1') {
        *plain = cut(sql, ret);
        return SQ_RET_ONE;
    }
    if (n >= sizeof(name) || !is_name(col, n))
        return SQ_RET_NONE;
    memcpy(name, col, n);
    name[n] = '\0';
    if (!is_rowid(db, table, name))
        return SQ_RET_NONE;
    *plain = cut(sql, ret);
    return SQ_RET_ROWID;
}

void sq_ret_result(sqlite3 *db, enum sq_ret kind, struct arena *a, struct sql_res *res)
{
    int64_t v;
    char buf[STR_I64_MAX];
    size_t n;
    const char *t;

    res->ncols = 1;
    res->nrows = 0;
    if (sqlite3_changes(db) < 1)
        return;
    v = kind == SQ_RET_ONE ? 1 : (int64_t)sqlite3_last_insert_rowid(db);
    t = str_i64(buf, v, &n);
    res->v = arena_alloc(a, sizeof(char *));
    res->iv = arena_alloc(a, sizeof(int64_t));
    res->isint = arena_alloc(a, 1);
    res->v[0] = arena_strndup(a, t, n);
    res->iv[0] = v;
    res->isint[0] = 1;
    res->nrows = 1;
}
