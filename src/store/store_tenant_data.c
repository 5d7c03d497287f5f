/* SPDX-License-Identifier: MIT */
/*
 * store/store_tenant_data.c - a tenant's rows as a whole: the page of
 * tenants the admin API lists, how many rows of each table a tenant owns,
 * and deleting them (a tenant's delete and reset). Driven by the table
 * registry (store_tables.c): every table declares whose its rows are, so a
 * new table is counted, deleted and reset without a change here.
 */
#include "store/store_int.h"

#include "core/arena.h"

#include <string.h>

static const char SQL_TENANT_PAGE[] =
    "SELECT id, name, is_demo, created_at, rate_limit FROM tenant WHERE id > $1 ORDER BY id "
    "LIMIT $2";

enum err store_tenant_page(struct store *s, struct arena *a, int64_t after, int64_t limit,
                           struct tenant_row **rows, size_t *n)
{
    struct sql_res r;
    enum err e = store_q(s, a, &r, SQL_TENANT_PAGE, ARG_INT(after), ARG_INT(limit));

    *rows = NULL;
    *n = 0;
    if (e != ERR_OK)
        return e;
    *rows = arena_alloc(a, (r.nrows + 1) * sizeof(**rows));
    for (size_t i = 0; i < r.nrows; i++)
        (*rows)[i] = (struct tenant_row){
            .id = sql_int(&r, i, 0),
            .name = sql_text(&r, i, 1),
            .is_demo = sql_int(&r, i, 2) != 0,
            .created_at = sql_int(&r, i, 3),
            .rate_limit = sql_int(&r, i, 4) != 0,
        };
    *n = r.nrows;
    return ERR_OK;
}

enum err store_tenant_counts(struct store *s, struct arena *a, int64_t tenant,
                             struct table_count **rows, size_t *n)
{
    enum err e = ERR_OK;

    *rows = arena_alloc(a, store_table_count * sizeof(**rows));
    *n = 0;
    for (size_t i = 0; e == ERR_OK && i < store_table_count; i++) {
        const struct store_table *t = &store_tables[i];
        const char *sql = store_table_sql(t, TABLE_TENANT_COUNT);
        struct sql_res r;

        if (sql == NULL || strcmp(t->name, "tenant") == 0)
            continue;
        e = sql_exec(s, a, sql, (const struct sql_arg[]){ ARG_INT(tenant) }, 1, &r);
        if (e == ERR_OK)
            (*rows)[(*n)++] = (struct table_count){ t->name, sql_int(&r, 0, 0) };
    }
    return e;
}

/* Children first: the registry lists parents first. */
enum err store_tenant_purge(struct store *s, int64_t tenant, bool reset)
{
    enum err e = ERR_OK;

    for (size_t i = store_table_count; e == ERR_OK && i-- > 0;) {
        const struct store_table *t = &store_tables[i];
        const char *sql = store_table_sql(t, TABLE_TENANT_DELETE);

        if (sql == NULL || (reset && t->reset_keeps))
            continue;
        e = sql_exec(s, NULL, sql, (const struct sql_arg[]){ ARG_INT(tenant) }, 1, NULL);
    }
    /* Fault rules of the tenant went: every node reloads its copy. */
    if (e == ERR_OK)
        e = store_faultrule_bump(s);
    return e;
}
