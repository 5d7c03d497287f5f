/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_retention.c - retention, off the request path: a thread with its
 * own connection runs a pass of batched deletes (store_retention_pass) every
 * retention_interval_ms, and the next pass at once while a batch comes back
 * full, so a backlog goes in small transactions that requests slip between.
 * Ages are on the server clock (POST /admin/v1/clock moves them).
 *
 * Each pass also sweeps a few shards of the upload directory
 * (svc_upload_sweep): the bytes no key names, left by a commit that failed
 * or a crash. Right after the start the passes go on at once until every
 * shard was swept once.
 */
#include "svc/svc.h"

#include "config/config.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/log.h"

#include <pthread.h>
#include <stdlib.h>

#define NAP_MS 50       /* how soon a stop is noticed */
#define BACKLOG_MS 20   /* between passes while there is more to delete */
#define DAY (24 * 3600)
#define SWEEP_SHARDS 4  /* upload shards one pass sweeps */

struct svc_retention {
    struct store *st;
    const struct qclock *clock;
    volatile sig_atomic_t *stop;
    const struct config *cfg;
    int64_t every_ms, keep_seconds, events_max, batch;
    int sweep_cursor, swept; /* swept: shards since the start, up to a round */
    bool failing, sweep_refused;
    pthread_t thread;
};

/* One pass in one write transaction. Returns whether there is more. */
static bool pass(struct svc_retention *r)
{
    int64_t now = clock_now(r->clock), deleted = 0;
    struct store_retention p = {
        .now = now,
        .older_than = r->keep_seconds > 0 ? now - r->keep_seconds : 0,
        /* Chat-create uuids answer for 10 hours (fs_chat_create.c); a day is past it. */
        .uuid_older_than = now - (r->keep_seconds > DAY ? r->keep_seconds : DAY),
        .events_max = r->events_max,
        .batch = r->batch,
    };
    bool more = false;
    enum err e = store_begin(r->st, true);

    if (e == ERR_OK)
        e = store_retention_pass(r->st, &p, &deleted, &more);
    if (e == ERR_OK)
        e = store_commit(r->st);
    else
        store_rollback(r->st);
    if (e != ERR_OK) {
        if (!r->failing)
            log_warn("retention: a pass failed (%s); trying again later", err_name(e));
        r->failing = true;
        return false;
    }
    r->failing = false;
    if (deleted > 0)
        log_debug("retention: deleted %lld rows", (long long)deleted);
    return more;
}

/* One step of the upload sweep. Returns whether the first round after the
 * start is still going. */
static bool sweep(struct svc_retention *r)
{
    int64_t removed = 0;
    enum err e = svc_upload_sweep(r->st, r->cfg, &r->sweep_cursor, SWEEP_SHARDS, &removed);

    if (e == ERR_CONFLICT && !r->sweep_refused)
        log_warn("retention: the upload directory belongs to another database (its "
                 ".qunzu-database file): not swept");
    r->sweep_refused = e == ERR_CONFLICT;
    if (removed > 0)
        log_info("retention: removed %lld upload files no key names", (long long)removed);
    if (r->swept < UPLOAD_SHARDS)
        r->swept += SWEEP_SHARDS;
    return e == ERR_OK && r->swept < UPLOAD_SHARDS;
}

static void *retention_main(void *arg)
{
    struct svc_retention *r = arg;
    int64_t next_pass = 0, next_sweep = 0;

    /* Two schedules: a pass's backlog does not hurry the sweep, nor the
     * sweep's first round the passes (each is a write transaction). */
    while (!*r->stop) {
        int64_t now = clock_mono_us() / 1000;
        int64_t next = next_pass < next_sweep ? next_pass : next_sweep;

        if (next > now) {
            clock_nap_ms(next - now < NAP_MS ? next - now : NAP_MS);
            continue;
        }
        if (next_pass <= now)
            next_pass = now + (pass(r) ? BACKLOG_MS : r->every_ms);
        if (next_sweep <= now)
            next_sweep = now + (sweep(r) ? BACKLOG_MS : r->every_ms);
    }
    return NULL;
}

enum err svc_retention_start(const struct config *cfg, const struct qclock *clock,
                             struct store_group *group, volatile sig_atomic_t *stop,
                             struct svc_retention **out)
{
    struct svc_retention *r;
    struct store *st;

    *out = NULL;
    if (cfg->retention_interval_ms == 0)
        return ERR_OK;
    st = store_open(cfg);
    if (st == NULL)
        return ERR_STORE;
    store_group_attach(st, group, true);
    r = xcalloc(1, sizeof(*r));
    r->st = st;
    r->clock = clock;
    r->stop = stop;
    r->cfg = cfg;
    r->every_ms = cfg->retention_interval_ms;
    r->keep_seconds = cfg->retention_days * DAY;
    r->events_max = cfg->retention_events_max;
    r->batch = cfg->retention_batch;
    if (pthread_create(&r->thread, NULL, retention_main, r) != 0) {
        store_close(st);
        free(r);
        return ERR_INTERNAL;
    }
    *out = r;
    return ERR_OK;
}

void svc_retention_stop(struct svc_retention *r)
{
    if (r == NULL)
        return;
    pthread_join(r->thread, NULL);
    store_close(r->st);
    free(r);
}
