/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_acache.c - this node's cache of the Feishu apps' access rows (the
 * scopes, contact range and bot open_id with the app's app_id and name),
 * which every authenticated Feishu call reads (svc_app_access).
 *
 * Never stale: an entry is kept with the store's cache epoch of the
 * transaction that read it and used only while store_cache_now still
 * answers that epoch; the store moves the epoch after every commit that
 * changed an app or its access row, on any connection of the process,
 * before that write is answered. A transaction that changed such rows itself
 * neither uses nor fills the cache until it ends. On PostgreSQL, shared with
 * other processes, the epoch is the data version of a versioned read
 * (store_begin_versioned), which every node's commits move; other
 * transactions answer none and keep nothing.
 *
 * Layout: direct-mapped slots keyed by the app's row id, under one mutex
 * held for a copy; each entry's strings live in one allocation.
 */
#include "svc/svc.h"

#include "core/arena.h"
#include "core/str.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define AC_SLOTS 256

struct ac_slot {
    int64_t app, epoch; /* app 0: empty */
    char *block;
    struct fs_access_row row;
};

struct access_cache {
    pthread_mutex_t lock;
    struct ac_slot slots[AC_SLOTS];
};

struct access_cache *svc_acache_new(void)
{
    struct access_cache *ac = xcalloc(1, sizeof(*ac));

    pthread_mutex_init(&ac->lock, NULL);
    return ac;
}

void svc_acache_free(struct access_cache *ac)
{
    if (ac == NULL)
        return;
    for (size_t i = 0; i < AC_SLOTS; i++)
        free(ac->slots[i].block);
    pthread_mutex_destroy(&ac->lock);
    free(ac);
}

static struct ac_slot *slot_of(struct access_cache *ac, int64_t app)
{
    return &ac->slots[(uint64_t)app * UINT64_C(0x9e3779b97f4a7c15) >> 56];
}

bool svc_acache_get(struct access_cache *ac, struct store *st, struct arena *a, int64_t app,
                    struct fs_access_row *out)
{
    int64_t now = store_cache_now(st);
    struct ac_slot *s = slot_of(ac, app);
    bool hit;

    if (now < 0 || store_cache_epoch(st) < 0)
        return false;
    pthread_mutex_lock(&ac->lock);
    hit = s->app == app && s->epoch == now;
    if (hit) {
        *out = s->row;
        out->scopes = arena_strdup(a, s->row.scopes);
        out->contact_range = arena_strdup(a, s->row.contact_range);
        out->bot_open_id = arena_strdup(a, s->row.bot_open_id);
        out->app_id = arena_strdup(a, s->row.app_id);
        out->name = arena_strdup(a, s->row.name);
    }
    pthread_mutex_unlock(&ac->lock);
    return hit;
}

void svc_acache_put(struct access_cache *ac, struct store *st, const struct fs_access_row *row)
{
    int64_t epoch = store_cache_epoch(st);
    struct ac_slot *s = slot_of(ac, row->app), old;
    char *block, *at;

    if (epoch < 0)
        return;
    at = block = xmalloc(str_size0(row->scopes) + str_size0(row->contact_range) + str_size0(row->bot_open_id)
                         + str_size0(row->app_id) + str_size0(row->name) + 1);
    pthread_mutex_lock(&ac->lock);
    old = *s;
    s->app = row->app;
    s->epoch = epoch;
    s->block = block;
    s->row = (struct fs_access_row){ .app = row->app };
    s->row.scopes = str_pack(&at, row->scopes);
    s->row.contact_range = str_pack(&at, row->contact_range);
    s->row.bot_open_id = str_pack(&at, row->bot_open_id);
    s->row.app_id = str_pack(&at, row->app_id);
    s->row.name = str_pack(&at, row->name);
    pthread_mutex_unlock(&ac->lock);
    free(old.block);
}
