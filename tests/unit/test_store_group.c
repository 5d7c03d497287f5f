/* SPDX-License-Identifier: MIT */
/* tests/unit/test_store_group.c - SQLite group commit: jobs share one
 * transaction, a failing job loses only its own work, a transaction SQLite
 * drops fails only the jobs that were in it, and attached connections take
 * turns with the batches. */
#include "unit.h"

#include "config/config.h"
#include "core/arena.h"
#include "store/store.h"
#include "store/store_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

struct gfix {
    char dir[64];
    struct config cfg;
    struct store *st;
    struct store_group *g;
};

static void gsetup(struct gfix *f)
{
    char err[256], db[128];
    char *argv[] = { "qunzu", "--db", db, NULL };
    const char *env[] = { NULL };

    memset(f, 0, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/qunzu-unit-XXXXXX");
    CHECK(mkdtemp(f->dir) != NULL);
    snprintf(db, sizeof(db), "sqlite:%s/q.db", f->dir);
    CHECK(config_load(&f->cfg, 3, argv, env, err, sizeof(err)) == 0);
    CHECK(config_secret_key_load(&f->cfg, err, sizeof(err)) == 0);
    f->st = store_open(&f->cfg);
    CHECK(f->st != NULL);
    CHECK(store_group_open(&f->cfg, &f->g) == ERR_OK && f->g != NULL);
    store_group_attach(f->st, f->g, true);
}

static void gteardown(struct gfix *f)
{
    char path[128];

    store_group_close(f->g);
    store_close(f->st);
    config_release(&f->cfg);
    snprintf(path, sizeof(path), "rm -rf '%s'", f->dir);
    CHECK(system(path) == 0);
}

/* A job sets meta key 'key'; 'fail' then makes it fail (a bad statement),
 * 'drop' makes SQLite drop the whole transaction under it. */
struct tjob {
    struct store_job sj;
    const char *key;
    bool fail, drop;
    enum err own;   /* what its commit returned */
    enum err batch; /* what done() was told */
    bool done;
};

static pthread_mutex_t done_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cond = PTHREAD_COND_INITIALIZER;

static void tjob_run(struct store *st, void *arg)
{
    struct tjob *j = arg;

    if (store_begin(st, true) != ERR_OK) {
        j->own = ERR_STORE;
        return;
    }
    store_meta_set(st, j->key, "v");
    if (j->fail)
        sql_exec(st, NULL, "SELECT no_such_column FROM no_such_table", NULL, 0, NULL);
    if (j->drop)
        sql_exec(st, NULL, "ROLLBACK", NULL, 0, NULL);
    j->own = store_commit(st);
}

static void tjob_done(void *arg, enum err batch)
{
    struct tjob *j = arg;

    pthread_mutex_lock(&done_lock);
    j->batch = batch;
    j->done = true;
    pthread_cond_broadcast(&done_cond);
    pthread_mutex_unlock(&done_lock);
}

static enum err submit_sized(struct gfix *f, struct tjob *j, const char *key, bool fail, bool drop,
                             size_t bytes)
{
    memset(j, 0, sizeof(*j));
    j->key = key;
    j->fail = fail;
    j->drop = drop;
    j->sj.run = tjob_run;
    j->sj.done = tjob_done;
    j->sj.arg = j;
    j->sj.bytes = bytes;
    return store_group_submit(f->g, &j->sj);
}

static void submit(struct gfix *f, struct tjob *j, const char *key, bool fail, bool drop)
{
    CHECK(submit_sized(f, j, key, fail, drop, 0) == ERR_OK);
}

static void wait_all(struct tjob *jobs, int n)
{
    struct timespec until;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 10;
    pthread_mutex_lock(&done_lock);
    for (int i = 0; i < n; i++)
        while (!jobs[i].done)
            if (pthread_cond_timedwait(&done_cond, &done_lock, &until) != 0)
                break;
    pthread_mutex_unlock(&done_lock);
    for (int i = 0; i < n; i++)
        CHECK(jobs[i].done);
}

static bool has_key(struct gfix *f, const char *key)
{
    struct arena a;
    char *v = NULL;
    enum err e;

    arena_init(&a, 256);
    CHECK(store_begin(f->st, false) == ERR_OK);
    e = store_meta_get(f->st, &a, key, &v);
    store_rollback(f->st);
    arena_release(&a);
    CHECK(e == ERR_OK || e == ERR_NOT_FOUND);
    return e == ERR_OK;
}

/* Jobs queued while another writer holds the connection go in one batch;
 * the failing one loses its own work and nobody else's. */
static void group_isolates_failed_jobs(void)
{
    struct gfix f;
    struct tjob jobs[3];
    struct store_group_stats gs;

    gsetup(&f);
    /* An attached connection's write transaction holds the group. */
    CHECK(store_begin(f.st, true) == ERR_OK);
    submit(&f, &jobs[0], "j1", false, false);
    submit(&f, &jobs[1], "j2", true, false);
    submit(&f, &jobs[2], "j3", false, false);
    usleep(50000);
    CHECK(store_meta_set(f.st, "sync", "1") == ERR_OK);
    CHECK(store_commit(f.st) == ERR_OK);
    wait_all(jobs, 3);
    CHECK(jobs[0].own == ERR_OK && jobs[2].own == ERR_OK);
    CHECK(jobs[1].own == ERR_STORE);
    for (int i = 0; i < 3; i++)
        CHECK(jobs[i].batch == ERR_OK);
    CHECK(has_key(&f, "j1") && !has_key(&f, "j2") && has_key(&f, "j3") && has_key(&f, "sync"));
    store_group_stats(f.g, &gs);
    CHECK(gs.batches == 1 && gs.jobs == 3 && gs.held_jobs == 0 && gs.held_bytes == 0);
    gteardown(&f);
}

/* When SQLite drops the batch's transaction, the jobs that ran in it are
 * told their work is lost; those after it run in a new one. */
static void group_dropped_transaction_fails_its_jobs(void)
{
    struct gfix f;
    struct tjob jobs[3];
    struct store_group_stats gs;

    gsetup(&f);
    CHECK(store_begin(f.st, true) == ERR_OK);
    submit(&f, &jobs[0], "k1", false, false);
    submit(&f, &jobs[1], "k2", false, true);
    submit(&f, &jobs[2], "k3", false, false);
    usleep(50000);
    store_rollback(f.st);
    wait_all(jobs, 3);
    CHECK(jobs[0].batch == ERR_STORE && jobs[1].batch == ERR_STORE);
    CHECK(jobs[2].batch == ERR_OK && jobs[2].own == ERR_OK);
    CHECK(!has_key(&f, "k1") && !has_key(&f, "k2") && has_key(&f, "k3"));
    store_group_stats(f.g, &gs);
    CHECK(gs.batches == 2 && gs.jobs == 3);
    gteardown(&f);
}

/* Closing runs what was queued first. */
static void group_close_drains(void)
{
    struct gfix f;
    struct tjob jobs[20];
    char keys[20][8];

    gsetup(&f);
    for (int i = 0; i < 20; i++) {
        snprintf(keys[i], sizeof(keys[i]), "d%d", i);
        submit(&f, &jobs[i], keys[i], false, false);
    }
    store_group_close(f.g);
    f.g = NULL;
    for (int i = 0; i < 20; i++)
        CHECK(jobs[i].done && jobs[i].batch == ERR_OK && has_key(&f, keys[i]));
    gteardown(&f);
}

/* What waits is bounded by count and by memory: past either, a job is
 * refused at once and never runs; what was admitted runs. */
static void group_bounds_refuse_at_once(void)
{
    struct gfix f;
    struct tjob jobs[6];
    struct store_group_stats gs;

    memset(&f, 0, sizeof(f));
    gsetup(&f);
    store_group_close(f.g);
    f.cfg.write_queue_max = 3;
    f.cfg.write_queue_bytes = 1000;
    CHECK(store_group_open(&f.cfg, &f.g) == ERR_OK);
    store_group_attach(f.st, f.g, true);
    CHECK(store_begin(f.st, true) == ERR_OK); /* hold the writer */
    CHECK(submit_sized(&f, &jobs[0], "b0", false, false, 600) == ERR_OK);
    CHECK(submit_sized(&f, &jobs[1], "b1", false, false, 600) == ERR_BUSY); /* bytes */
    CHECK(submit_sized(&f, &jobs[2], "b2", false, false, 100) == ERR_OK);
    CHECK(submit_sized(&f, &jobs[3], "b3", false, false, 100) == ERR_OK);
    CHECK(submit_sized(&f, &jobs[4], "b4", false, false, 1) == ERR_BUSY); /* count */
    store_group_stats(f.g, &gs);
    CHECK(gs.held_jobs == 3 && gs.held_bytes == 800 && gs.refused == 2);
    CHECK(store_commit(f.st) == ERR_OK);
    wait_all(&jobs[2], 2);
    wait_all(jobs, 1);
    CHECK(!jobs[1].done && !jobs[4].done);
    CHECK(has_key(&f, "b0") && !has_key(&f, "b1") && has_key(&f, "b3") && !has_key(&f, "b4"));
    /* Once done, what they held is free again; one job alone is always
     * taken, whatever its size. */
    store_group_stats(f.g, &gs);
    CHECK(gs.held_jobs == 0 && gs.held_bytes == 0);
    CHECK(submit_sized(&f, &jobs[5], "b5", false, false, 5000) == ERR_OK);
    wait_all(&jobs[5], 1);
    gteardown(&f);
}

/* An event loop's connection never waits for the group: while a batch (or
 * another writer) has the connection, its begin says ERR_BUSY at once. */
static void group_nowait_connection(void)
{
    struct gfix f;
    struct store *loop;

    gsetup(&f);
    loop = store_open(&f.cfg);
    CHECK(loop != NULL);
    store_group_attach(loop, f.g, false);
    CHECK(store_begin(f.st, true) == ERR_OK);
    CHECK(store_begin(loop, true) == ERR_BUSY);
    CHECK(store_begin(loop, false) == ERR_OK); /* reads never wait */
    store_rollback(loop);
    store_rollback(f.st);
    CHECK(store_begin(loop, true) == ERR_OK);
    CHECK(store_meta_set(loop, "nw", "1") == ERR_OK);
    CHECK(store_commit(loop) == ERR_OK);
    store_close(loop);
    gteardown(&f);
}

/* Shutdown: cancel fails what waits (ERR_BUSY, nothing of it written) and
 * refuses what comes after. */
static void group_cancel_fails_waiting(void)
{
    struct gfix f;
    struct tjob jobs[4];

    gsetup(&f);
    CHECK(store_begin(f.st, true) == ERR_OK);
    submit(&f, &jobs[0], "c0", false, false);
    submit(&f, &jobs[1], "c1", false, false);
    usleep(50000);
    store_group_cancel(f.g);
    wait_all(jobs, 2);
    CHECK(jobs[0].batch == ERR_BUSY && jobs[1].batch == ERR_BUSY);
    CHECK(submit_sized(&f, &jobs[2], "c2", false, false, 0) == ERR_BUSY);
    store_rollback(f.st);
    CHECK(!has_key(&f, "c0") && !has_key(&f, "c1"));
    gteardown(&f);
}

const struct unit_case group_cases[] = {
    { "store/group_bounds_refuse_at_once", group_bounds_refuse_at_once },
    { "store/group_nowait_connection", group_nowait_connection },
    { "store/group_cancel_fails_waiting", group_cancel_fails_waiting },
    { "store/group_isolates_failed_jobs", group_isolates_failed_jobs },
    { "store/group_dropped_transaction_fails_its_jobs", group_dropped_transaction_fails_its_jobs },
    { "store/group_close_drains", group_close_drains },
    { NULL, NULL },
};
