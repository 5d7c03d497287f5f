/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_tcache.c - the in-memory cache of access-token checks.
 *
 * Every authenticated request checks its token; without the cache that is a
 * keyed digest and an indexed read of the token table per request. What the
 * cache keeps is the row (kind, tenant, principal, app, expiry), which never
 * changes once issued, so a cached row is as good as a read:
 *  - expiry is checked on every hit, against the request's server clock
 *    (which the admin API can move), exactly as for a row just read;
 *  - refresh tokens, the only ones qunzu deletes, are never looked up
 *    through the cache (svc_fs_refresh reads the row itself);
 *  - the control room's tenant delete and reset and a snapshot's restore
 *    remove or replace rows: they empty this node's cache after their
 *    commit (svc_tcache_flush), and a check that read its row before the
 *    flush does not put it back (the epoch, read before the row);
 *  - another node, or an operator's SQL, can only remove rows this process
 *    does not see: an entry lives at most token_cache_ttl_ms, and is then
 *    read again.
 *
 * Layout: stripes of direct-mapped slots, each stripe under its own mutex,
 * keyed by a per-process random-seeded hash of the token; the token itself
 * is compared in full, so a collision only costs a read.
 */
#include "svc/svc.h"

#include "core/arena.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/str.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define TC_STRIPES 64
#define TC_SLOTS 256          /* per stripe */
#define TC_TOKEN_MAX 112      /* longer tokens are not cached */

struct tc_slot {
    uint64_t hash;
    int64_t at_us; /* when it was cached; 0: empty */
    size_t len;
    char token[TC_TOKEN_MAX];
    struct token_row row; /* its 'token' is this slot's, set on the way out */
};

struct tc_stripe {
    pthread_mutex_t lock;
    struct tc_slot slots[TC_SLOTS];
};

struct token_cache {
    uint64_t seed;
    int64_t ttl_us;
    atomic_llong hits, misses;
    atomic_ullong epoch; /* flushes so far */
    struct tc_stripe stripes[TC_STRIPES];
};

struct token_cache *svc_tcache_new(int64_t ttl_ms)
{
    struct token_cache *tc;

    if (ttl_ms <= 0)
        return NULL;
    tc = xcalloc(1, sizeof(*tc));
    ids_random(&tc->seed, sizeof(tc->seed));
    tc->ttl_us = ttl_ms * 1000;
    for (int i = 0; i < TC_STRIPES; i++)
        pthread_mutex_init(&tc->stripes[i].lock, NULL);
    return tc;
}

void svc_tcache_free(struct token_cache *tc)
{
    if (tc == NULL)
        return;
    for (int i = 0; i < TC_STRIPES; i++)
        pthread_mutex_destroy(&tc->stripes[i].lock);
    free(tc);
}

static uint64_t tc_hash(const struct token_cache *tc, const char *s, size_t n)
{
    return str_hash(tc->seed, s, n);
}

/* The slot 'token' maps to, its stripe locked (unlock with tc_unlock);
 * NULL, nothing locked, when there is no cache or the token is too long. */
static struct tc_slot *tc_lock(struct token_cache *tc, const char *token, size_t n,
                               uint64_t *hash)
{
    struct tc_stripe *sp;
    uint64_t h;

    if (tc == NULL || n >= TC_TOKEN_MAX)
        return NULL;
    h = tc_hash(tc, token, n);
    *hash = h;
    sp = &tc->stripes[h % TC_STRIPES];
    pthread_mutex_lock(&sp->lock);
    return &sp->slots[(h / TC_STRIPES) % TC_SLOTS];
}

static void tc_unlock(struct token_cache *tc, uint64_t hash)
{
    pthread_mutex_unlock(&tc->stripes[hash % TC_STRIPES].lock);
}

bool svc_tcache_get(struct token_cache *tc, const char *token, struct token_row *out)
{
    uint64_t h = 0;
    struct tc_slot *s = tc_lock(tc, token, strlen(token), &h);
    bool hit;

    if (s == NULL)
        return false;
    hit = s->at_us != 0 && s->hash == h && s->len == strlen(token)
          && memcmp(s->token, token, s->len) == 0 && clock_mono_us() - s->at_us < tc->ttl_us;
    if (hit) {
        *out = s->row;
        out->token = token;
    }
    tc_unlock(tc, h);
    atomic_fetch_add(hit ? &tc->hits : &tc->misses, 1);
    return hit;
}

uint64_t svc_tcache_epoch(struct token_cache *tc)
{
    return tc != NULL ? atomic_load(&tc->epoch) : 0;
}

void svc_tcache_put(struct token_cache *tc, const char *token, const struct token_row *row,
                    uint64_t epoch)
{
    size_t n = strlen(token);
    uint64_t h = 0;
    struct tc_slot *s = tc_lock(tc, token, n, &h);

    if (s == NULL)
        return;
    /* Checked under the stripe's lock, which the flush takes after moving
     * the epoch: a put either sees the move or is undone by the flush. */
    if (atomic_load(&tc->epoch) != epoch) {
        tc_unlock(tc, h);
        return;
    }
    s->hash = h;
    s->len = n;
    memcpy(s->token, token, n);
    s->row = *row;
    s->row.token = NULL;
    s->at_us = clock_mono_us();
    tc_unlock(tc, h);
}

void svc_tcache_stats(const struct token_cache *tc, int64_t *hits, int64_t *misses)
{
    *hits = tc ? atomic_load(&tc->hits) : 0;
    *misses = tc ? atomic_load(&tc->misses) : 0;
}

void svc_tcache_flush(struct token_cache *tc)
{
    if (tc == NULL)
        return;
    atomic_fetch_add(&tc->epoch, 1);
    for (int i = 0; i < TC_STRIPES; i++) {
        pthread_mutex_lock(&tc->stripes[i].lock);
        for (int j = 0; j < TC_SLOTS; j++)
            tc->stripes[i].slots[j].at_us = 0;
        pthread_mutex_unlock(&tc->stripes[i].lock);
    }
}
