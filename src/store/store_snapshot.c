/* SPDX-License-Identifier: MIT */
/*
 * store/store_snapshot.c - the whole state saved to, and restored from, a
 * SQLite database file: the registry's copy (store_copy.c) both ways.
 *
 * Save reads every table in one read transaction of the live database
 * (SQLite's WAL snapshot; PostgreSQL's REPEATABLE READ), so the file holds
 * one committed state even while requests write. Restore empties every
 * table and copies the file's rows back in one write transaction: on
 * SQLite the one writer (under group commit, the group's connection, taken
 * in turn with the batches); on PostgreSQL alone among the writers of every
 * node (store_begin_alone; readers go on seeing the old state until the
 * commit). Nothing is visible before the commit, a failure rolls back, and a
 * process killed half-way leaves the old state. The file is opened as a database of its
 * own, so an older snapshot is migrated to the current schema first, and a
 * file of another server key is refused (ERR_FORBIDDEN).
 */
#include "store/store_int.h"

#include "config/config.h"
#include "core/arena.h"
#include "core/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char SQL_GEN_SET[] =
    "INSERT INTO meta (key, value) VALUES ('fault_gen', $1) ON CONFLICT (key) DO UPDATE SET "
    "value = excluded.value";
/* The nodes re-read the clock offset only where there is one (dialect.c):
 * a snapshot without it means no offset. */
static const char SQL_CLOCK_DEFAULT[] =
    "INSERT INTO meta (key, value) VALUES ('clock_offset', '0') ON CONFLICT (key) DO NOTHING";

/* The file as a store of its own: no fault injection, the live key. */
static struct store *open_file(const struct config *cfg, const char *path)
{
    struct config c = *cfg;
    size_t n = strlen(path) + sizeof("sqlite:");
    char *db = xcalloc(1, n);
    struct store *st;

    snprintf(db, n, "sqlite:%s", path);
    c.db = db;
    c.store_fault_every = 0;
    c.sqlite_fault_every = 0;
    /* The live database's key file says nothing of this one: a save after a
     * restart creates its file like the first start's did. */
    c.sqlite_key_found = false;
    st = store_open(&c);
    free(db);
    return st;
}

enum err store_snapshot_save(struct store *live, const struct config *cfg, const char *path)
{
    struct store *file = open_file(cfg, path);
    enum err e;

    if (file == NULL)
        return ERR_STORE;
    e = store_copy_quiet(live, file, true);
    store_close(file);
    return e;
}

static enum err replace_all(struct store *file, struct store *live)
{
    int64_t gen_live = 0, gen_file = 0;
    char gen[32], *db_id = NULL;
    struct arena a;
    enum err e = store_faultrule_gen(live, &gen_live);

    /* The database stays itself: its id names its upload directory
     * (svc_upload_sweep). */
    arena_init(&a, 256);
    if (e == ERR_OK && store_meta_get(live, &a, "database_id", &db_id) == ERR_NOT_FOUND)
        db_id = NULL;

    if (e == ERR_OK)
        e = store_faultrule_gen(file, &gen_file);
    for (size_t i = store_table_count; e == ERR_OK && i-- > 0;)
        if (!store_tables[i].pg_only && !store_tables[i].restore_merges)
            e = sql_exec(live, NULL, store_table_sql(&store_tables[i], TABLE_WIPE), NULL, 0,
                         NULL);
    for (size_t i = 0; e == ERR_OK && i < store_table_count; i++) {
        size_t rows;

        if (!store_tables[i].pg_only)
            e = store_copy_table(file, live, &store_tables[i], &rows);
    }
    /* Past both generations: every node reloads its fault rules. */
    snprintf(gen, sizeof(gen), "%lld", (long long)(gen_live + gen_file + 1));
    if (e == ERR_OK)
        e = store_q(live, NULL, NULL, SQL_GEN_SET, ARG_TEXT(gen));
    if (e == ERR_OK)
        e = store_q(live, NULL, NULL, SQL_CLOCK_DEFAULT);
    if (e == ERR_OK && db_id != NULL)
        e = store_meta_set(live, "database_id", db_id);
    if (e == ERR_OK)
        e = live->ops->ids_follow(live);
    arena_release(&a);
    return e;
}

enum err store_snapshot_restore(struct store *live, const struct config *cfg, const char *path)
{
    struct store *file = open_file(cfg, path);
    enum err e;

    if (file == NULL)
        return ERR_STORE;
    e = store_begin(file, false);
    if (e == ERR_OK) {
        e = store_begin_alone(live);
        if (e == ERR_OK) {
            e = replace_all(file, live);
            if (e == ERR_OK)
                e = store_commit(live);
            else
                store_rollback(live);
        }
        store_rollback(file);
    }
    store_close(file);
    if (e != ERR_OK)
        log_error("snapshot: restore from %s failed; the state is unchanged", path);
    return e;
}
