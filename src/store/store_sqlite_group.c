/* SPDX-License-Identifier: MIT */
/*
 * store/store_sqlite_group.c - group commit for SQLite.
 *
 * With synchronous=FULL every commit waits for an fsync of the WAL, and
 * SQLite has one writer at a time: one commit per request caps durable
 * writes at what the disk syncs per second, whatever the CPU could do. Here
 * one writer thread owns a connection; requests hand it their write
 * transaction as a job and go back to their event loop. The thread takes
 * every job queued, runs each inside a savepoint of one transaction (a job
 * that fails rolls back to its savepoint: the others' work stays), commits
 * once, and only then tells each job whether its work is durable. Jobs that
 * queue during one fsync form the next batch, so the batch grows with the
 * load and the fsyncs per second stay what the disk allows.
 *
 * If a statement makes SQLite roll the whole transaction back (a full disk,
 * an I/O error), the jobs of the batch that had run are told their work is
 * lost and the rest run in a new transaction.
 *
 * Other connections of the process (worker threads' own transactions, event
 * delivery) attach to the group: their write transactions take the group's
 * lock and run on its connection between batches, so no writer of this
 * process ever sleeps in SQLite's busy handler waiting for another. An event
 * loop's connection only tries the lock (sq_group_try): its caller submits
 * a job instead of waiting.
 *
 * What waits is bounded: the jobs submitted and not yet done, and the memory
 * their requests hold, may not pass write_queue_max and write_queue_bytes;
 * a job past either is refused at once (ERR_BUSY), never queued to wait.
 */
#include "store/store_sqlite_int.h"

#include "config/config.h"
#include "core/arena.h"
#include "core/log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A batch is cut at this many jobs, so that the first job of a long queue
 * is not held for the whole queue's work. */
#define GROUP_MAX_BATCH 512

struct store_group {
    struct store *st; /* what jobs get: the connection, fault-wrapped in tests */
    struct sq *conn;  /* the connection itself */
    struct sq_ckpt *ckpt; /* its checkpoints (store_sqlite_ckpt.c), or NULL */
    pthread_mutex_t lock; /* held by whoever has a transaction on 'conn' */
    pthread_mutex_t qlock;
    pthread_cond_t qcond;
    struct store_job *head, *tail;
    bool stop;
    bool cancelled; /* shutting down: refuse, fail what waits */
    int64_t max_jobs, max_bytes;
    int64_t delay_ms; /* testing: sqlite_group_delay_ms */
    int64_t held_jobs, held_bytes; /* under qlock: submitted, not yet done */
    pthread_t thread;
    atomic_llong batches, jobs; /* transactions committed or lost; jobs run */
    atomic_llong refused;
    atomic_llong size_buckets[STORE_GROUP_SIZE_BUCKETS]; /* by jobs per transaction */
};

struct sq *sq_group_take(struct store_group *g)
{
    pthread_mutex_lock(&g->lock);
    return g->conn;
}

struct sq *sq_group_try(struct store_group *g)
{
    return pthread_mutex_trylock(&g->lock) == 0 ? g->conn : NULL;
}

void sq_group_give(struct store_group *g)
{
    pthread_mutex_unlock(&g->lock);
}

/* Tells each job of 'list' how it ended. What they held counts as free
 * first: a client that has its answer sees the queue without its job. */
static void tell(struct store_group *g, struct store_job *list, enum err e)
{
    int64_t n = 0, bytes = 0;

    for (struct store_job *j = list; j != NULL; j = j->next) {
        n++;
        bytes += (int64_t)j->bytes;
    }
    pthread_mutex_lock(&g->qlock);
    g->held_jobs -= n;
    g->held_bytes -= bytes;
    pthread_mutex_unlock(&g->qlock);
    while (list != NULL) {
        struct store_job *next = list->next; /* done may free the job */

        list->done(list->arg, e);
        list = next;
    }
}

/* Runs jobs from '*queue' in one transaction until the queue is empty or
 * SQLite drops the transaction; returns the jobs that ran, in '*ran', and
 * whether their work is durable. Called with the group lock held. */
static enum err run_one_tx(struct store_group *g, struct store_job **queue, struct store_job **ran)
{
    struct sq *c = g->conn;
    struct store_job **tail = ran;
    bool dropped = false;

    *ran = NULL;
    if (sq_tx_begin(c, true) != ERR_OK) {
        /* Nothing ran: the whole queue is lost. */
        *ran = *queue;
        *queue = NULL;
        return ERR_STORE;
    }
    c->batch = true;
    while (*queue != NULL && !dropped) {
        struct store_job *j = *queue;

        *queue = j->next;
        j->next = NULL;
        *tail = j;
        tail = &j->next;
        j->run(g->st, j->arg);
        if (c->savepoint) { /* a job that left its savepoint open loses it */
            log_error("sqlite: a group job left its transaction open; rolled back");
            sq_savepoint_end(c, false);
        }
        dropped = sqlite3_get_autocommit(c->db) != 0;
    }
    c->batch = false;
    if (dropped)
        log_error("sqlite: the batch's transaction was rolled back; its jobs fail");
    return sq_tx_end(c, !dropped);
}

/* Takes up to GROUP_MAX_BATCH jobs off the queue; NULL once stopped. */
static struct store_job *take(struct store_group *g, int64_t *n)
{
    struct store_job *batch, **cut;

    pthread_mutex_lock(&g->qlock);
    batch = g->head;
    for (cut = &g->head; *cut != NULL && *n < GROUP_MAX_BATCH; (*n)++)
        cut = &(*cut)->next;
    g->head = *cut;
    *cut = NULL;
    if (g->head == NULL)
        g->tail = NULL;
    pthread_mutex_unlock(&g->qlock);
    return batch;
}

static void *group_main(void *arg)
{
    struct store_group *g = arg;

    for (;;) {
        struct store_job *queue;
        int64_t n = 0;

        pthread_mutex_lock(&g->qlock);
        while (g->head == NULL && !g->stop)
            pthread_cond_wait(&g->qcond, &g->qlock);
        if (g->head == NULL) {
            pthread_mutex_unlock(&g->qlock);
            break;
        }
        pthread_mutex_unlock(&g->qlock);
        if (g->delay_ms > 0)
            usleep((useconds_t)(g->delay_ms * 1000));
        /* The batch is cut once the connection is ours: what queued while
         * another writer had it goes in too. */
        pthread_mutex_lock(&g->lock);
        queue = take(g, &n);
        atomic_fetch_add(&g->jobs, n);
        while (queue != NULL) {
            struct store_job *ran;
            enum err e = run_one_tx(g, &queue, &ran);
            int64_t n = 0;
            size_t b = 0;

            for (struct store_job *j = ran; j != NULL; j = j->next)
                n++;
            while (b + 1 < STORE_GROUP_SIZE_BUCKETS && n > (1 << b))
                b++;
            atomic_fetch_add(&g->size_buckets[b], 1);
            atomic_fetch_add(&g->batches, 1);
            pthread_mutex_unlock(&g->lock);
            tell(g, ran, e);
            pthread_mutex_lock(&g->lock);
        }
        pthread_mutex_unlock(&g->lock);
    }
    return NULL;
}

void store_group_stats(struct store_group *g, struct store_group_stats *out)
{
    memset(out, 0, sizeof(*out));
    if (g == NULL)
        return;
    out->batches = atomic_load(&g->batches);
    out->jobs = atomic_load(&g->jobs);
    out->refused = atomic_load(&g->refused);
    for (size_t b = 0; b < STORE_GROUP_SIZE_BUCKETS; b++)
        out->size_buckets[b] = atomic_load(&g->size_buckets[b]);
    sq_ckpt_counts(g->ckpt, &out->checkpoints, &out->writer_checkpoints);
    pthread_mutex_lock(&g->qlock);
    out->held_jobs = g->held_jobs;
    out->held_bytes = g->held_bytes;
    pthread_mutex_unlock(&g->qlock);
}

enum err store_group_submit(struct store_group *g, struct store_job *j)
{
    j->next = NULL;
    pthread_mutex_lock(&g->qlock);
    /* One job alone is always taken, however large: a bound on memory must
     * not refuse forever what body_limit lets in. */
    if (g->cancelled || g->held_jobs >= g->max_jobs
        || (g->held_jobs > 0 && g->held_bytes + (int64_t)j->bytes > g->max_bytes)) {
        pthread_mutex_unlock(&g->qlock);
        atomic_fetch_add(&g->refused, 1);
        return ERR_BUSY;
    }
    g->held_jobs++;
    g->held_bytes += (int64_t)j->bytes;
    if (g->tail != NULL)
        g->tail->next = j;
    else
        g->head = j;
    g->tail = j;
    pthread_cond_signal(&g->qcond);
    pthread_mutex_unlock(&g->qlock);
    return ERR_OK;
}

void store_group_cancel(struct store_group *g)
{
    struct store_job *waiting;

    if (g == NULL)
        return;
    pthread_mutex_lock(&g->qlock);
    g->cancelled = true;
    waiting = g->head;
    g->head = g->tail = NULL;
    pthread_mutex_unlock(&g->qlock);
    tell(g, waiting, ERR_BUSY);
}

/* The writer's connection, unlike the readers', keeps a small page cache.
 * A page split in a b-tree renumbers pages through a temporary number past
 * 1 GiB (the lock-byte page), and every commit after one walks the whole
 * hash of the cache to drop pages past the end of the file (pcache1's
 * truncate): with the readers' 32 MiB (8192 pages) that walk was 5-10% of a
 * write's CPU. The pages a write reads are mapped (mmap_size) or in the
 * WAL; 512 pages keep the b-trees' upper levels.
 * The WAL is checkpointed into the database every 4000 pages instead of
 * SQLite's 1000: a checkpoint copies each page once however many commits
 * changed it, so the hot pages (index leaves, the tables' last pages) are
 * copied a quarter as often, and the WAL stays under 16 MiB. */
static enum err writer_settings(struct sq *s)
{
    if (sq_exec(s, "PRAGMA cache_size=-2048") != ERR_OK)
        return ERR_STORE;
    return sq_exec(s, "PRAGMA wal_autocheckpoint=4000");
}

enum err store_group_open(const struct config *cfg, struct store_group **out)
{
    struct store_group *g;
    struct store *conn;

    *out = NULL;
    if (store_shared(cfg) || !cfg->sqlite_group_commit)
        return ERR_OK;
    conn = store_open(cfg);
    if (conn == NULL)
        return ERR_STORE;
    if (writer_settings(SQ(conn)) != ERR_OK) {
        store_close(conn);
        return ERR_STORE;
    }
    g = xcalloc(1, sizeof(*g));
    g->max_jobs = cfg->write_queue_max;
    g->max_bytes = cfg->write_queue_bytes;
    g->delay_ms = cfg->sqlite_group_delay_ms;
    g->conn = SQ(conn);
    g->ckpt = sq_ckpt_start(cfg, g->conn);
    g->st = store_fault_wrap(conn, cfg);
    pthread_mutex_init(&g->lock, NULL);
    pthread_mutex_init(&g->qlock, NULL);
    pthread_cond_init(&g->qcond, NULL);
    if (pthread_create(&g->thread, NULL, group_main, g) != 0) {
        log_error("sqlite: cannot start the group commit thread");
        sq_ckpt_stop(g->ckpt, g->conn);
        store_close(g->st);
        free(g);
        return ERR_STORE;
    }
    *out = g;
    return ERR_OK;
}

void store_group_close(struct store_group *g)
{
    if (g == NULL)
        return;
    pthread_mutex_lock(&g->qlock);
    g->stop = true;
    pthread_cond_signal(&g->qcond);
    pthread_mutex_unlock(&g->qlock);
    pthread_join(g->thread, NULL);
    sq_ckpt_stop(g->ckpt, g->conn);
    store_close(g->st);
    pthread_mutex_destroy(&g->lock);
    pthread_mutex_destroy(&g->qlock);
    pthread_cond_destroy(&g->qcond);
    free(g);
}
