/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_gcache.c - this node's cache of the tokens its token endpoints
 * hand out again (WeCom gettoken, Feishu's tenant and app tokens): for a
 * credential as it was presented (its id and secret, byte for byte) and a
 * token kind, the token a request last answered with and what it was issued
 * to. A hit answers without the credential's digest, its lookup, the live
 * token's lookup and its unsealing.
 *
 * Never stale, as the access cache (svc_acache.c): an entry is kept with the
 * store's cache epoch of the transaction that read it and used only while
 * store_cache_now still answers that epoch; the store moves the epoch after
 * every commit that changed a credential (wc_corp, wc_secret, fs_app) or any
 * token row, on any connection of the process, before that write is
 * answered. While the epoch stands, the token table is as it was read, so
 * the newest token still valid at any later clock reading is the one kept
 * (if it is still valid then): the caller checks its expiry against the
 * request's clock, as it does for a row just read. A transaction that
 * changed such rows itself neither uses nor fills the cache until it ends.
 * PostgreSQL, shared with other processes, answers an epoch only in a
 * versioned read (store_begin_versioned): there the epoch is the data
 * version, which every node's commits move, and a token route's read-first
 * run (R_READ_FIRST) is begun versioned, so a hit costs the version's read
 * alone; the write that issues keeps nothing.
 *
 * Only credentials that were accepted are kept, and a presented secret is
 * compared in full (in constant time) with the one kept. The secret and the
 * token stay in this process's memory, as the token cache keeps tokens.
 *
 * Layout: direct-mapped slots keyed by a per-process random-seeded hash,
 * under one mutex held for a compare and a copy; each entry's strings live
 * in one allocation.
 */
#include "svc/svc.h"

#include "core/arena.h"
#include "core/ids.h"
#include "core/str.h"

#include <openssl/crypto.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define GC_SLOTS 1024
#define GC_STR_MAX 512 /* longer ids and secrets are not kept */

struct gc_slot {
    int64_t epoch; /* 0: empty */
    uint64_t hash;
    int kind;
    char *block; /* ident, secret, token: NUL-terminated, in a row */
    size_t ilen, slen;
    struct token_row row; /* its 'token' points into 'block' */
};

struct grant_cache {
    pthread_mutex_t lock;
    uint64_t seed;
    atomic_bool read_first; /* svc_gcache_read_first */
    struct gc_slot slots[GC_SLOTS];
};

struct grant_cache *svc_gcache_new(void)
{
    struct grant_cache *gc = xcalloc(1, sizeof(*gc));

    pthread_mutex_init(&gc->lock, NULL);
    ids_random(&gc->seed, sizeof(gc->seed));
    return gc;
}

static void slot_clear(struct gc_slot *s)
{
    if (s->block != NULL)
        OPENSSL_clear_free(s->block, s->ilen + s->slen + strlen(s->row.token) + 3);
    memset(s, 0, sizeof(*s));
}

void svc_gcache_free(struct grant_cache *gc)
{
    if (gc == NULL)
        return;
    for (size_t i = 0; i < GC_SLOTS; i++)
        slot_clear(&gc->slots[i]);
    pthread_mutex_destroy(&gc->lock);
    free(gc);
}

/* The kind, the id with its end, the secret. */
static uint64_t gc_hash(const struct grant_cache *gc, int kind, const char *ident, size_t ilen,
                        const char *secret, size_t slen)
{
    return str_hash(str_hash(gc->seed ^ (uint64_t)kind, ident, ilen + 1), secret, slen);
}

/* Whether 's' holds the credential as presented; under the lock. */
static bool slot_match(const struct gc_slot *s, uint64_t h, int kind, const char *ident,
                       size_t ilen, const char *secret, size_t slen)
{
    return s->epoch != 0 && s->hash == h && s->kind == kind && s->ilen == ilen && s->slen == slen
           && memcmp(s->block, ident, ilen) == 0
           && CRYPTO_memcmp(s->block + ilen + 1, secret, slen) == 0;
}

bool svc_gcache_get(struct grant_cache *gc, struct store *st, struct arena *a, int kind,
                    const char *ident, const char *secret, struct token_row *out)
{
    size_t ilen, slen;
    int64_t now;
    uint64_t h;
    struct gc_slot *s;
    bool hit;

    if (gc == NULL)
        return false;
    ilen = strlen(ident);
    slen = strlen(secret);
    if (ilen >= GC_STR_MAX || slen >= GC_STR_MAX)
        return false;
    h = gc_hash(gc, kind, ident, ilen, secret, slen);
    s = &gc->slots[h % GC_SLOTS];
    /* Nothing kept for it: the epoch is not asked for (on PostgreSQL its
     * read then goes out with the request's first statement, not alone). */
    pthread_mutex_lock(&gc->lock);
    hit = slot_match(s, h, kind, ident, ilen, secret, slen);
    pthread_mutex_unlock(&gc->lock);
    if (!hit)
        return false;
    now = store_cache_now(st);
    if (now < 0 || store_cache_epoch(st) < 0)
        return false;
    pthread_mutex_lock(&gc->lock);
    hit = s->epoch == now && slot_match(s, h, kind, ident, ilen, secret, slen);
    if (hit) {
        *out = s->row;
        out->token = arena_strdup(a, s->row.token);
    }
    pthread_mutex_unlock(&gc->lock);
    return hit;
}

void svc_gcache_put(struct grant_cache *gc, struct store *st, int kind, const char *ident,
                    const char *secret, const struct token_row *row)
{
    size_t ilen, slen, tlen;
    int64_t epoch;
    uint64_t h;
    struct gc_slot *s, old;
    char *block;

    if (gc == NULL)
        return;
    ilen = strlen(ident);
    slen = strlen(secret);
    tlen = strlen(row->token);
    epoch = store_cache_epoch(st);
    if (epoch <= 0 || ilen >= GC_STR_MAX || slen >= GC_STR_MAX)
        return;
    h = gc_hash(gc, kind, ident, ilen, secret, slen);
    block = xmalloc(ilen + slen + tlen + 3);
    memcpy(block, ident, ilen + 1);
    memcpy(block + ilen + 1, secret, slen + 1);
    memcpy(block + ilen + slen + 2, row->token, tlen + 1);
    s = &gc->slots[h % GC_SLOTS];
    pthread_mutex_lock(&gc->lock);
    old = *s;
    s->epoch = epoch;
    s->hash = h;
    s->kind = kind;
    s->block = block;
    s->ilen = ilen;
    s->slen = slen;
    s->row = *row;
    s->row.token = block + ilen + slen + 2;
    pthread_mutex_unlock(&gc->lock);
    slot_clear(&old);
}

bool svc_gcache_read_first(struct grant_cache *gc)
{
    return gc != NULL && atomic_load_explicit(&gc->read_first, memory_order_relaxed);
}

void svc_gcache_read_first_set(struct grant_cache *gc, bool on)
{
    if (gc != NULL && atomic_load_explicit(&gc->read_first, memory_order_relaxed) != on)
        atomic_store_explicit(&gc->read_first, on, memory_order_relaxed);
}
