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
    int pages, max_pages, tail;
    /* Frames of the WAL copied into the database, as the last checkpoint
     * left them (0 once the WAL started over); whether the thread has one
     * to run or running, and whether the writer may copy a tail. */
    atomic_int copied;
    atomic_bool busy, tail_ok;
    atomic_llong runs, writer_runs;
};

static void checkpoint_failed(sqlite3 *db, int rc)
{
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
        log_error("sqlite: checkpoint failed: %s", sqlite3_errmsg(db));
}

/* After each commit on the writer's connection, with the WAL's frames.
 *
 * SQLite starts the WAL over at a write transaction that begins with every
 * frame copied. A thread that chases a busy writer never sees that: each
 * batch commits new frames while it copies. So once the thread has copied
 * all but a tail of at most 'tail' frames (the last few commits'), the
 * writer copies that tail itself, one short checkpoint, and its next
 * transaction starts the WAL over; once per run of the thread, so readers
 * that keep it from starting over cannot make every commit checkpoint. */
static int wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
    struct sq_ckpt *k = arg;
    int copied = atomic_load(&k->copied);

    if (frames < copied) { /* the WAL started over */
        copied = 0;
        atomic_store(&k->copied, 0);
    }
    if (frames >= k->max_pages || (frames >= k->pages && copied > 0 && frames - copied <= k->tail
                                   && !atomic_load(&k->busy) && atomic_load(&k->tail_ok))) {
        /* The tail: PASSIVE. Past the bound (the thread has not kept up,
         * or readers kept the WAL from starting over), RESTART: the writer
         * waits, at most the busy timeout, for readers, and the WAL starts
         * over (SQLITE_BUSY at once while the thread is checkpointing: the
         * next commit tries again). */
        int mode = frames >= k->max_pages ? SQLITE_CHECKPOINT_RESTART : SQLITE_CHECKPOINT_PASSIVE;

        atomic_store(&k->tail_ok, false);
        copied = 0;
        checkpoint_failed(db, sqlite3_wal_checkpoint_v2(db, name, mode, NULL, &copied));
        atomic_store(&k->copied, copied > 0 ? copied : 0);
        atomic_fetch_add(&k->writer_runs, 1);
        return SQLITE_OK;
    }
    if (frames >= k->pages && !atomic_load(&k->busy)) {
        atomic_store(&k->busy, true);
        pthread_mutex_lock(&k->lock);
        k->wanted = true;
        pthread_cond_signal(&k->cond);
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
        checkpoint_failed(db, rc);
        atomic_store(&k->copied, copied > 0 ? copied : 0);
        atomic_fetch_add(&k->runs, 1);
        atomic_store(&k->tail_ok, true);
        atomic_store(&k->busy, false);
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
    k = xcalloc(1, sizeof(*k));
    k->st = st;
    k->pages = (int)cfg->sqlite_checkpoint_pages;
    k->max_pages = k->pages * 4;
    k->tail = k->pages / 8 > 16 ? k->pages / 8 : 16;
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
