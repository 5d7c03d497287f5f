/* SPDX-License-Identifier: MIT */
/*
 * store/store_sqlite_ckpt.c - WAL checkpoints off the commit path.
 *
 * SQLite checkpoints the WAL into the database from the connection that
 * commits, at the end of the commit that passes wal_autocheckpoint pages:
 * under group commit that is the writer, which then copies a few thousand
 * pages and syncs the WAL and the database before it can start the next
 * batch, while every write request waits (the long tail of a write's
 * latency). Here the writer's connection only notes the WAL's size after
 * each commit (its WAL hook), and past sqlite_checkpoint_pages wakes a
 * thread with a connection of its own, which runs a PASSIVE checkpoint:
 * SQLite lets one run beside the writer, copying the frames every reader
 * is done with, and the writer starts the WAL over at its next commit once
 * all were copied.
 *
 * The checkpoint's sync of the database is paced (SQ_FCNTL_PACED_SYNC,
 * store_sqlite_fault.c): its megabytes go to the device in steps, so the
 * writer's WAL syncs meanwhile do not wait behind all of them at once.
 *
 * Durability is SQLite's own: a checkpoint copies only committed frames,
 * syncs the WAL before it writes the database and the database before it
 * lets the WAL be started over, whichever connection runs it.
 *
 * The WAL stays bounded: if it reaches four times sqlite_checkpoint_pages
 * (readers kept the checkpoints from finishing, or the thread cannot keep
 * up), the writer itself runs a RESTART checkpoint after its commit, as
 * SQLite's own automatic checkpoint would, and the WAL starts over.
 */
#include "store/store_sqlite_int.h"

#include "config/config.h"
#include "core/arena.h"
#include "core/log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct sq_ckpt {
    struct store *st; /* the checkpointer's own connection */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool wanted, stop; /* under lock */
    int pages, max_pages;
    /* Frames the last checkpoint copied: until the WAL starts over (fewer
     * frames than that), another is worth it only for as many new ones. */
    atomic_int copied;
    atomic_llong runs, writer_runs;
};

/* After each commit on the writer's connection, with the WAL's frames. */
static int wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
    struct sq_ckpt *k = arg;

    if (frames >= k->max_pages) {
        /* The thread has not kept the WAL bounded: the writer starts it
         * over itself (waiting, at most the busy timeout, for readers). */
        int rc = sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_RESTART, NULL, NULL);

        atomic_fetch_add(&k->writer_runs, 1);
        if (rc != SQLITE_OK && rc != SQLITE_BUSY)
            log_error("sqlite: checkpoint failed: %s", sqlite3_errstr(rc));
        return SQLITE_OK;
    }
    if (frames < atomic_load(&k->copied))
        atomic_store(&k->copied, 0); /* the WAL started over */
    if (frames >= k->pages && frames - atomic_load(&k->copied) >= k->pages) {
        pthread_mutex_lock(&k->lock);
        if (!k->wanted) {
            k->wanted = true;
            pthread_cond_signal(&k->cond);
        }
        pthread_mutex_unlock(&k->lock);
    }
    return SQLITE_OK;
}

static void *ckpt_main(void *arg)
{
    struct sq_ckpt *k = arg;
    sqlite3 *db = SQ(k->st)->db;

    pthread_mutex_lock(&k->lock);
    for (;;) {
        int rc, copied = 0;

        while (!k->wanted && !k->stop)
            pthread_cond_wait(&k->cond, &k->lock);
        if (k->stop)
            break;
        k->wanted = false;
        pthread_mutex_unlock(&k->lock);
        rc = sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_PASSIVE, NULL, &copied);
        atomic_store(&k->copied, copied > 0 ? copied : 0);
        atomic_fetch_add(&k->runs, 1);
        if (rc != SQLITE_OK && rc != SQLITE_BUSY)
            log_error("sqlite: checkpoint failed: %s", sqlite3_errmsg(db));
        pthread_mutex_lock(&k->lock);
    }
    pthread_mutex_unlock(&k->lock);
    return NULL;
}

struct sq_ckpt *sq_ckpt_start(const struct config *cfg, struct sq *writer)
{
    struct sq_ckpt *k;
    struct store *st;

    if (cfg->sqlite_checkpoint_pages <= 0 || strcmp(cfg->db, "sqlite::memory:") == 0)
        return NULL;
    st = store_open(cfg);
    if (st == NULL)
        return NULL;
    /* The database's sync, at the end of each checkpoint, in steps. */
    sqlite3_file_control(SQ(st)->db, "main", SQ_FCNTL_PACED_SYNC, NULL);
    k = xcalloc(1, sizeof(*k));
    k->st = st;
    k->pages = (int)cfg->sqlite_checkpoint_pages;
    k->max_pages = k->pages * 4;
    pthread_mutex_init(&k->lock, NULL);
    pthread_cond_init(&k->cond, NULL);
    if (pthread_create(&k->thread, NULL, ckpt_main, k) != 0) {
        log_error("sqlite: cannot start the checkpoint thread");
        pthread_mutex_destroy(&k->lock);
        pthread_cond_destroy(&k->cond);
        store_close(st);
        free(k);
        return NULL;
    }
    /* Replaces the writer's automatic checkpoint (itself a WAL hook). */
    sqlite3_wal_hook(writer->db, wal_hook, k);
    return k;
}

void sq_ckpt_stop(struct sq_ckpt *k, struct sq *writer)
{
    if (k == NULL)
        return;
    sqlite3_wal_hook(writer->db, NULL, NULL);
    pthread_mutex_lock(&k->lock);
    k->stop = true;
    pthread_cond_signal(&k->cond);
    pthread_mutex_unlock(&k->lock);
    pthread_join(k->thread, NULL);
    store_close(k->st);
    pthread_mutex_destroy(&k->lock);
    pthread_cond_destroy(&k->cond);
    free(k);
}

void sq_ckpt_counts(struct sq_ckpt *k, int64_t *runs, int64_t *writer_runs)
{
    *runs = k != NULL ? atomic_load(&k->runs) : 0;
    *writer_runs = k != NULL ? atomic_load(&k->writer_runs) : 0;
}
