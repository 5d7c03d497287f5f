/* SPDX-License-Identifier: MIT */
/*
 * store/store_rate.c - the rate-limit counts that nodes on one database
 * share (svc_rate.c): one row per (key, window) holding every node's pushed
 * calls. The table exists on PostgreSQL only (migration 011): a SQLite
 * database serves one node, which counts alone.
 */
#include "store/store_int.h"

#include "core/arena.h"
#include "core/rate.h"

#include <string.h>

static const char SQL_RATE_ADD[] =
    "INSERT INTO rate_count (rkey, window_ms, start_ms, ends_ms, n) VALUES ($1, $2, $3, $4, $5) "
    "ON CONFLICT (rkey, window_ms, start_ms) DO UPDATE SET n = rate_count.n + excluded.n";
static const char SQL_RATE_OPEN[] =
    "SELECT rkey, window_ms, start_ms, n FROM rate_count WHERE ends_ms > $1";
static const char SQL_RATE_PURGE[] = "DELETE FROM rate_count WHERE ends_ms < $1";

/* Keys are 64-bit hashes, kept in a BIGINT as the same bits. */
enum err store_rate_add(struct store *s, const struct rate_share *sh, size_t n)
{
    enum err e = ERR_OK;

    for (size_t i = 0; e == ERR_OK && i < n; i++)
        e = store_q(s, NULL, NULL, SQL_RATE_ADD, ARG_INT(sh[i].key), ARG_INT(sh[i].window_ms),
                    ARG_INT(sh[i].start_ms), ARG_INT(sh[i].start_ms + sh[i].window_ms),
                    ARG_INT(sh[i].n));
    return e;
}

enum err store_rate_open(struct store *s, struct arena *a, int64_t now_ms,
                         struct rate_share **rows, size_t *n)
{
    struct sql_res r;
    enum err e = store_q(s, a, &r, SQL_RATE_OPEN, ARG_INT(now_ms));

    *n = 0;
    *rows = NULL;
    if (e != ERR_OK)
        return e;
    *rows = arena_alloc(a, (r.nrows + 1) * sizeof(**rows));
    for (size_t i = 0; i < r.nrows; i++)
        (*rows)[i] = (struct rate_share){ .key = (uint64_t)sql_int(&r, i, 0),
                                          .window_ms = sql_int(&r, i, 1),
                                          .start_ms = sql_int(&r, i, 2),
                                          .n = sql_int(&r, i, 3) };
    *n = r.nrows;
    return ERR_OK;
}

enum err store_rate_purge(struct store *s, int64_t before_ms)
{
    return store_q(s, NULL, NULL, SQL_RATE_PURGE, ARG_INT(before_ms));
}
