/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_rate.c - shares the rate-limit counts of the nodes on one
 * PostgreSQL database, off the request path. Every rate_sync_ms a thread
 * with its own connection adds the calls this node admitted since the last
 * sync to the shared totals, reads back the totals of every open window and
 * hands them to the limiter (core/rate.h), all in one short transaction.
 * Requests never wait for it: they decide on the counts of the last sync.
 */
#include "svc/svc.h"

#include "config/config.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/rate.h"

#include <pthread.h>
#include <stdlib.h>

#define SYNC_MAX_WINDOWS 4096 /* pushed per sync; the rest go in the next one */
#define NAP_MS 50             /* how soon a stop is noticed */
#define PURGE_EVERY_MS 10000
#define PURGE_AFTER_MS 60000 /* ended windows kept this long (nodes' clocks differ a little) */

struct svc_rate_sync {
    struct rate_limiter *rl;
    struct store *st;
    volatile sig_atomic_t *stop;
    int64_t every_ms;
    int64_t purged_ms; /* wall clock of the last purge */
    bool failing;      /* the last sync failed (logged once) */
    struct arena arena;
    struct rate_share pending[SYNC_MAX_WINDOWS];
    pthread_t thread;
};

static void sync_once(struct svc_rate_sync *rs)
{
    int64_t now = clock_wall_us() / 1000;
    size_t n = rate_pending(rs->rl, now, rs->pending, SYNC_MAX_WINDOWS), nt = 0;
    struct rate_share *totals = NULL;
    bool purge = now - rs->purged_ms >= PURGE_EVERY_MS;
    enum err e;

    arena_reset(&rs->arena);
    e = store_begin(rs->st, true);
    if (e == ERR_OK)
        e = store_rate_add(rs->st, rs->pending, n);
    if (e == ERR_OK)
        e = store_rate_open(rs->st, &rs->arena, now, &totals, &nt);
    if (e == ERR_OK && purge)
        e = store_rate_purge(rs->st, now - PURGE_AFTER_MS);
    if (e == ERR_OK)
        e = store_commit(rs->st);
    else
        store_rollback(rs->st);
    if (e != ERR_OK) {
        /* Nothing is marked pushed: the next sync adds these calls again. */
        if (!rs->failing)
            log_warn("rate limits: cannot sync with the other nodes (%s); counting alone "
                     "until the database answers",
                     err_name(e));
        rs->failing = true;
        return;
    }
    if (rs->failing)
        log_info("rate limits: synced with the other nodes again");
    rs->failing = false;
    if (purge)
        rs->purged_ms = now;
    rate_pushed(rs->rl, rs->pending, n);
    rate_totals(rs->rl, totals, nt);
}

static void *sync_main(void *arg)
{
    struct svc_rate_sync *rs = arg;
    int64_t next = clock_mono_us() / 1000 + rs->every_ms;

    while (!*rs->stop) {
        int64_t left = next - clock_mono_us() / 1000;

        if (left > 0) {
            clock_nap_ms(left < NAP_MS ? left : NAP_MS);
            continue;
        }
        sync_once(rs);
        next = clock_mono_us() / 1000 + rs->every_ms;
    }
    return NULL;
}

enum err svc_rate_sync_start(const struct config *cfg, struct rate_limiter *rl,
                             volatile sig_atomic_t *stop, struct svc_rate_sync **out)
{
    struct svc_rate_sync *rs;
    struct store *st;

    *out = NULL;
    /* One node on a database that is not shared: its own counts are exact. */
    if (rl == NULL || cfg->rate_sync_ms == 0 || !store_shared(cfg))
        return ERR_OK;
    st = store_open(cfg);
    if (st == NULL)
        return ERR_STORE;
    rs = xcalloc(1, sizeof(*rs));
    rs->rl = rl;
    rs->st = st;
    rs->stop = stop;
    rs->every_ms = cfg->rate_sync_ms;
    arena_init(&rs->arena, 65536);
    if (pthread_create(&rs->thread, NULL, sync_main, rs) != 0) {
        store_close(st);
        arena_release(&rs->arena);
        free(rs);
        return ERR_INTERNAL;
    }
    log_info("rate limits: shared with the other nodes every %lld ms", (long long)rs->every_ms);
    *out = rs;
    return ERR_OK;
}

void svc_rate_sync_stop(struct svc_rate_sync *rs)
{
    if (rs == NULL)
        return;
    pthread_join(rs->thread, NULL);
    store_close(rs->st);
    arena_release(&rs->arena);
    free(rs);
}
