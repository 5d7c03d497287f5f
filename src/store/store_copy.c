/* SPDX-License-Identifier: MIT */
/*
 * store/store_copy.c - copies every row of one database into another, empty
 * one of any backend (SQLite into PostgreSQL and back), so an emulator's
 * state can seed a production database. Tables go parents first, as the
 * registry (store_tables.c) lists them; ids are kept, so every reference
 * stays valid. Secrets are copied as stored
 * (digests, sealed values): the target needs the source's server key, which
 * main.c's --copy-to arranges or names.
 */
#include "store/store_int.h"

#include "core/arena.h"
#include "core/log.h"

#include <stdio.h>

static const char SQL_TENANT_COUNT[] = "SELECT count(*) FROM tenant";

enum err store_copy_table(struct store *src, struct store *dst, const struct store_table *t,
                          size_t *rows)
{
    struct sql_arg p[SQL_MAX_PARAMS];
    struct arena a;
    struct sql_res r;
    enum err e;

    arena_init(&a, 65536);
    e = sql_exec(src, &a, store_table_sql(t, TABLE_COPY_SELECT), NULL, 0, &r);
    for (size_t i = 0; e == ERR_OK && i < r.nrows; i++) {
        /* Text carries every value; each backend converts on insert. */
        for (size_t c = 0; c < r.ncols; c++)
            p[c] = ARG_TEXT(sql_text(&r, i, c));
        e = sql_exec(dst, NULL, store_table_sql(t, TABLE_COPY_INSERT), p, (int)r.ncols, NULL);
    }
    *rows = r.nrows;
    arena_release(&a);
    return e;
}

/* 'quiet': no line per table (a snapshot, store_snapshot.c). */
enum err store_copy_quiet(struct store *src, struct store *dst, bool quiet)
{
    struct arena a;
    struct sql_res r;
    enum err e;
    int64_t n = 0;

    arena_init(&a, 1024);
    e = store_begin(src, false);
    if (e == ERR_OK)
        e = store_begin(dst, true);
    if (e == ERR_OK)
        e = sql_one_int(store_q(dst, &a, &r, SQL_TENANT_COUNT), &r, &n);
    if (e == ERR_OK && n > 0) {
        log_error("copy: the destination database already has tenants; copy into an empty one");
        e = ERR_CONFLICT;
    }
    for (size_t i = 0; e == ERR_OK && i < store_table_count; i++) {
        size_t rows = 0;

        if (store_tables[i].pg_only)
            continue;
        e = store_copy_table(src, dst, &store_tables[i], &rows);
        if (e == ERR_OK && !quiet)
            printf("copied %zu rows of %s\n", rows, store_tables[i].name);
    }
    if (e == ERR_OK)
        e = dst->ops->ids_follow(dst);
    if (e == ERR_OK)
        e = store_commit(dst);
    if (e != ERR_OK)
        store_rollback(dst);
    store_rollback(src);
    arena_release(&a);
    return e;
}

enum err store_copy(struct store *src, struct store *dst)
{
    return store_copy_quiet(src, dst, false);
}
