/* SPDX-License-Identifier: MIT */
/* store/store_faultrule.c - fault rules and their generation; see store.h. */
#include "store/store_int.h"

#include "core/arena.h"
#include "core/str.h"

#include <stdio.h>
#include <stdlib.h>

static const char SQL_FAULT_INSERT[] =
    "INSERT INTO fault_rule (dialect, method, route, tenant_id, app_ref, count, ratio, answer, "
    "created_at) VALUES ($1, $2, $3, NULLIF($4, 0), NULLIF($5, 0), NULLIF($6, 0), $7, $8, $9) "
    "RETURNING id";
static const char SQL_FAULT_LIST[] =
    "SELECT id, dialect, method, route, coalesce(tenant_id, 0), coalesce(app_ref, 0), "
    "coalesce(count, 0), coalesce(ratio, 0), answer, created_at FROM fault_rule ORDER BY id";
static const char SQL_FAULT_DELETE[] = "DELETE FROM fault_rule WHERE id = $1 RETURNING id";
/* Every change moves the generation in its own transaction. */
static const char SQL_FAULT_BUMP[] =
    "INSERT INTO meta (key, value) VALUES ('fault_gen', '1') ON CONFLICT (key) DO UPDATE SET "
    "value = CAST(CAST(meta.value AS BIGINT) + 1 AS TEXT)";
static const char SQL_FAULT_GEN[] = "SELECT value FROM meta WHERE key = 'fault_gen'";

enum err store_faultrule_bump(struct store *s)
{
    return store_q(s, NULL, NULL, SQL_FAULT_BUMP);
}

enum err store_faultrule_insert(struct store *s, struct fault_rule_row *r)
{
    struct arena a;
    struct sql_res res;
    char ratio[32];
    enum err e;

    /* The ratio goes as text: each backend reads it as its REAL. */
    snprintf(ratio, sizeof(ratio), "%.17g", r->ratio);
    arena_init(&a, 256);
    e = sql_one_int(store_q(s, &a, &res, SQL_FAULT_INSERT, ARG_TEXT(r->dialect),
                            ARG_TEXT(r->method), ARG_TEXT(r->route), ARG_INT(r->tenant_id),
                            ARG_INT(r->app_ref), ARG_INT(r->count),
                            ARG_TEXT(r->ratio > 0 ? ratio : NULL), ARG_TEXT(r->answer),
                            ARG_INT(r->created_at)),
                    &res, &r->id);
    arena_release(&a);
    return e == ERR_OK ? store_faultrule_bump(s) : e;
}

enum err store_faultrule_list(struct store *s, struct arena *a, struct fault_rule_row **rows,
                              size_t *n)
{
    struct sql_res r;
    enum err e = store_q(s, a, &r, SQL_FAULT_LIST);

    *rows = NULL;
    *n = 0;
    if (e != ERR_OK)
        return e;
    *rows = arena_alloc(a, (r.nrows + 1) * sizeof(**rows));
    for (size_t i = 0; i < r.nrows; i++) {
        struct fault_rule_row *f = &(*rows)[i];

        f->id = sql_int(&r, i, 0);
        f->dialect = sql_text(&r, i, 1);
        f->method = sql_text(&r, i, 2);
        f->route = sql_text(&r, i, 3);
        f->tenant_id = sql_int(&r, i, 4);
        f->app_ref = sql_int(&r, i, 5);
        f->count = sql_int(&r, i, 6);
        f->ratio = sql_text(&r, i, 7) ? strtod(sql_text(&r, i, 7), NULL) : 0;
        f->answer = sql_text(&r, i, 8);
        f->created_at = sql_int(&r, i, 9);
    }
    *n = r.nrows;
    return ERR_OK;
}

enum err store_faultrule_delete(struct store *s, int64_t id)
{
    struct arena a;
    struct sql_res r;
    enum err e;

    arena_init(&a, 128);
    e = sql_one(store_q(s, &a, &r, SQL_FAULT_DELETE, ARG_INT(id)), &r);
    arena_release(&a);
    return e == ERR_OK ? store_faultrule_bump(s) : e;
}

enum err store_faultrule_gen(struct store *s, int64_t *gen)
{
    struct arena a;
    struct sql_res r;
    enum err e;

    *gen = 0;
    arena_init(&a, 128);
    e = sql_one(store_q(s, &a, &r, SQL_FAULT_GEN), &r);
    if (e == ERR_OK)
        *gen = sql_int(&r, 0, 0);
    arena_release(&a);
    return e == ERR_NOT_FOUND ? ERR_OK : e;
}
