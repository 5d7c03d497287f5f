/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_answers.c - this node's cache of whole answers to read requests
 * (routes marked R_CACHE): the status, content type and body bytes a
 * renderer wrote, keyed by everything the answer depends on (the route, the
 * caller as authenticated, the credential, path, query and body; dialect.c
 * builds the key).
 *
 * Never stale: an answer is kept with the data version its transaction read
 * before it read any data (store_data_version, store.h), and served only to
 * a transaction that reads the same version. Every commit that changed data
 * moves the version before that write is answered, on this node or any other
 * (PostgreSQL's version is a sequence in the database), so an answer served
 * is one a transaction begun at the same moment would have rendered. A
 * version that moved makes every kept answer a miss; the first lookup of each
 * frees it, and so does the next answer kept in its shard once it is at the
 * least recently used end.
 *
 * Layout: ANS_SHARDS shards, each a mutex, a chained hash table and a list
 * in least-recently-used order, holding at most max_bytes / ANS_SHARDS; an
 * entry is one allocation (key and body after it). A hit copies the body
 * into the request's arena under the shard's lock.
 */
#include "svc/svc.h"

#include "core/arena.h"
#include "core/log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define ANS_SHARDS 16
#define ANS_BUCKETS 4096 /* per shard, a power of two */

struct ans_entry {
    struct ans_entry *chain;      /* the bucket's next */
    struct ans_entry *prev, *next; /* the shard's LRU list (head: newest) */
    uint64_t hash;
    int64_t version;
    size_t klen, blen, size;
    int status;
    long log_code;
    const char *content_type; /* static: what the renderer set */
    char bytes[];             /* key, then body */
};

struct ans_shard {
    pthread_mutex_t lock;
    struct ans_entry *buckets[ANS_BUCKETS];
    struct ans_entry *head, *tail;
    size_t bytes, n;
};

struct answer_cache {
    size_t shard_max; /* bytes per shard */
    atomic_llong hits, misses;
    struct ans_shard shards[ANS_SHARDS];
};

struct answer_cache *svc_answers_new(size_t max_bytes)
{
    struct answer_cache *ac;

    if (max_bytes == 0)
        return NULL;
    ac = xcalloc(1, sizeof(*ac));
    ac->shard_max = max_bytes / ANS_SHARDS;
    for (size_t i = 0; i < ANS_SHARDS; i++)
        pthread_mutex_init(&ac->shards[i].lock, NULL);
    return ac;
}

void svc_answers_free(struct answer_cache *ac)
{
    if (ac == NULL)
        return;
    for (size_t i = 0; i < ANS_SHARDS; i++) {
        struct ans_entry *e = ac->shards[i].head, *next;

        for (; e != NULL; e = next) {
            next = e->next;
            free(e);
        }
        pthread_mutex_destroy(&ac->shards[i].lock);
    }
    free(ac);
}

/* The key's 8-byte words multiplied in, then mixed: the low bits pick the
 * shard, the high bits the bucket. */
static uint64_t key_hash(const char *key, size_t klen)
{
    uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ klen, w;
    size_t i = 0;

    for (; i + 8 <= klen; i += 8) {
        memcpy(&w, key + i, 8);
        h = (h ^ w) * UINT64_C(0xff51afd7ed558ccd);
        h ^= h >> 29;
    }
    w = 0;
    memcpy(&w, key + i, klen - i);
    h = (h ^ w) * UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    return h ^ (h >> 33);
}

static struct ans_entry **bucket_of(struct ans_shard *sh, uint64_t hash)
{
    return &sh->buckets[(hash >> 32) & (ANS_BUCKETS - 1)];
}

static void lru_unlink(struct ans_shard *sh, struct ans_entry *e)
{
    if (e->prev != NULL)
        e->prev->next = e->next;
    else
        sh->head = e->next;
    if (e->next != NULL)
        e->next->prev = e->prev;
    else
        sh->tail = e->prev;
    e->prev = e->next = NULL;
}

static void lru_push(struct ans_shard *sh, struct ans_entry *e)
{
    e->prev = NULL;
    e->next = sh->head;
    if (sh->head != NULL)
        sh->head->prev = e;
    sh->head = e;
    if (sh->tail == NULL)
        sh->tail = e;
}

/* Unlinks 'e' from its bucket and the list and frees it. */
static void entry_drop(struct ans_shard *sh, struct ans_entry *e)
{
    struct ans_entry **pp = bucket_of(sh, e->hash);

    while (*pp != e)
        pp = &(*pp)->chain;
    *pp = e->chain;
    lru_unlink(sh, e);
    sh->bytes -= e->size;
    sh->n--;
    free(e);
}

static struct ans_entry *entry_find(struct ans_shard *sh, uint64_t hash, const char *key,
                                    size_t klen)
{
    for (struct ans_entry *e = *bucket_of(sh, hash); e != NULL; e = e->chain)
        if (e->hash == hash && e->klen == klen && memcmp(e->bytes, key, klen) == 0)
            return e;
    return NULL;
}

int64_t svc_data_version(struct svc_ctx *c)
{
    return store_data_version(c->st);
}

bool svc_answer_get(struct answer_cache *ac, const char *key, size_t klen, int64_t version,
                    struct arena *a, struct kept_answer *out)
{
    uint64_t hash;
    struct ans_shard *sh;
    struct ans_entry *e;
    char *body = NULL;

    if (ac == NULL || version < 0)
        return false;
    hash = key_hash(key, klen);
    sh = &ac->shards[hash & (ANS_SHARDS - 1)];
    pthread_mutex_lock(&sh->lock);
    e = entry_find(sh, hash, key, klen);
    if (e != NULL && e->version != version) {
        entry_drop(sh, e); /* rendered at another version: never again */
        e = NULL;
    }
    if (e != NULL) {
        body = arena_alloc_raw(a, e->blen + 1);
        memcpy(body, e->bytes + e->klen, e->blen);
        body[e->blen] = '\0';
        out->status = e->status;
        out->content_type = e->content_type;
        out->body = body;
        out->len = e->blen;
        out->log_code = e->log_code;
        lru_unlink(sh, e);
        lru_push(sh, e);
    }
    pthread_mutex_unlock(&sh->lock);
    atomic_fetch_add_explicit(e != NULL ? &ac->hits : &ac->misses, 1, memory_order_relaxed);
    return e != NULL;
}

void svc_answer_put(struct answer_cache *ac, const char *key, size_t klen, int64_t version,
                    const struct kept_answer *ans)
{
    size_t size = sizeof(struct ans_entry) + klen + ans->len;
    uint64_t hash;
    struct ans_shard *sh;
    struct ans_entry *e, *old;

    /* One answer may take an eighth of its shard at most. */
    if (ac == NULL || version < 0 || size > ac->shard_max / 8)
        return;
    hash = key_hash(key, klen);
    sh = &ac->shards[hash & (ANS_SHARDS - 1)];
    e = malloc(size);
    if (e == NULL)
        return;
    *e = (struct ans_entry){ .hash = hash, .version = version, .klen = klen, .blen = ans->len,
                             .size = size, .status = ans->status, .log_code = ans->log_code,
                             .content_type = ans->content_type };
    memcpy(e->bytes, key, klen);
    memcpy(e->bytes + klen, ans->body, ans->len);
    pthread_mutex_lock(&sh->lock);
    old = entry_find(sh, hash, key, klen);
    if (old != NULL)
        entry_drop(sh, old);
    e->chain = *bucket_of(sh, hash);
    *bucket_of(sh, hash) = e;
    lru_push(sh, e);
    sh->bytes += size;
    sh->n++;
    /* Versions only move forward: an answer kept at an older one never
     * serves again. The least recently used end holds them first. */
    while (sh->tail != NULL && (sh->bytes > ac->shard_max || sh->tail->version < version))
        entry_drop(sh, sh->tail);
    pthread_mutex_unlock(&sh->lock);
}

void svc_answers_stats(struct answer_cache *ac, struct answer_stats *out)
{
    memset(out, 0, sizeof(*out));
    if (ac == NULL)
        return;
    out->hits = atomic_load_explicit(&ac->hits, memory_order_relaxed);
    out->misses = atomic_load_explicit(&ac->misses, memory_order_relaxed);
    for (size_t i = 0; i < ANS_SHARDS; i++) {
        struct ans_shard *sh = &ac->shards[i];

        pthread_mutex_lock(&sh->lock);
        out->bytes += (int64_t)sh->bytes;
        out->entries += (int64_t)sh->n;
        pthread_mutex_unlock(&sh->lock);
    }
}
