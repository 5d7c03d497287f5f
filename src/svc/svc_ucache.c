/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_ucache.c - this node's cache of the Udesk companies its signed
 * requests name (svc_ud_company): for an admin e-mail and the Host's
 * subdomain (or none), the company row a request last found, its API token
 * and admin password unsealed. Every Udesk call checks its signature against
 * that row, on its worker and again in the group's batch; a hit answers
 * without the company's read and the unsealing.
 *
 * Never stale, as the access cache (svc_acache.c): an entry is kept with the
 * store's cache epoch of the transaction that read it and used only while
 * store_cache_now still answers that epoch; the store moves the epoch after
 * every commit that changed a company row (udesk_company is one of its
 * cached tables), on any connection of the process, before that write is
 * answered. A transaction that changed such rows itself neither uses nor
 * fills the cache until it ends; on PostgreSQL only versioned reads answer
 * an epoch, which Udesk calls never are: nothing is kept there.
 *
 * Only lookups that found their company are kept. The token and password
 * stay in this process's memory, as the unsealing cache keeps them.
 *
 * Layout: direct-mapped slots keyed by a per-process random-seeded hash of
 * the e-mail and subdomain, under one mutex held for a compare and a copy;
 * each entry's strings live in one allocation.
 */
#include "svc/svc.h"

#include "core/arena.h"
#include "core/ids.h"
#include "core/str.h"

#include <openssl/crypto.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define UC_SLOTS 256
#define UC_STR_MAX 512 /* longer e-mails and subdomains are not kept */

struct uc_slot {
    int64_t epoch; /* 0: empty */
    uint64_t hash;
    char *block; /* key (subdomain '\n' e-mail), then the row's strings */
    size_t klen, blen;
    struct udesk_row row; /* its strings point into 'block' */
};

struct udesk_cache {
    pthread_mutex_t lock;
    uint64_t seed;
    struct uc_slot slots[UC_SLOTS];
};

struct udesk_cache *svc_ucache_new(void)
{
    struct udesk_cache *uc = xcalloc(1, sizeof(*uc));

    pthread_mutex_init(&uc->lock, NULL);
    ids_random(&uc->seed, sizeof(uc->seed));
    return uc;
}

static void slot_clear(struct uc_slot *s)
{
    if (s->block != NULL)
        OPENSSL_clear_free(s->block, s->blen);
    memset(s, 0, sizeof(*s));
}

void svc_ucache_free(struct udesk_cache *uc)
{
    if (uc == NULL)
        return;
    for (size_t i = 0; i < UC_SLOTS; i++)
        slot_clear(&uc->slots[i]);
    pthread_mutex_destroy(&uc->lock);
    free(uc);
}

/* The key: the subdomain ("" none; a subdomain holds no newline) and the
 * e-mail, in 'a'; NULL when either is too long to keep. */
static const char *uc_key(struct arena *a, const char *subdomain, const char *email,
                          size_t *klen)
{
    const char *sub = subdomain != NULL ? subdomain : "";
    size_t sl = strlen(sub), el = strlen(email);
    char *k;

    if (sl >= UC_STR_MAX || el >= UC_STR_MAX)
        return NULL;
    k = arena_alloc(a, sl + el + 2);
    memcpy(k, sub, sl);
    k[sl] = '\n';
    memcpy(k + sl + 1, email, el + 1);
    *klen = sl + el + 1;
    return k;
}

static char *dup_or_null(struct arena *a, const char *v)
{
    return v != NULL ? arena_strdup(a, v) : NULL;
}

bool svc_ucache_get(struct udesk_cache *uc, struct store *st, struct arena *a,
                    const char *subdomain, const char *email, struct udesk_row *out)
{
    size_t klen = 0;
    const char *key;
    int64_t now;
    uint64_t h;
    struct uc_slot *s;
    bool hit;

    if (uc == NULL)
        return false;
    now = store_cache_now(st);
    if (now < 0 || store_cache_epoch(st) < 0)
        return false;
    key = uc_key(a, subdomain, email, &klen);
    if (key == NULL)
        return false;
    h = str_hash(uc->seed, key, klen);
    s = &uc->slots[h % UC_SLOTS];
    pthread_mutex_lock(&uc->lock);
    hit = s->epoch == now && s->hash == h && s->klen == klen && memcmp(s->block, key, klen) == 0;
    if (hit) {
        out->tenant_id = s->row.tenant_id;
        out->subdomain = dup_or_null(a, s->row.subdomain);
        out->admin_email = dup_or_null(a, s->row.admin_email);
        out->api_token = dup_or_null(a, s->row.api_token);
        out->admin_password = dup_or_null(a, s->row.admin_password);
    }
    pthread_mutex_unlock(&uc->lock);
    return hit;
}

void svc_ucache_put(struct udesk_cache *uc, struct store *st, struct arena *a,
                    const char *subdomain, const char *email, const struct udesk_row *row)
{
    size_t klen = 0, blen;
    const char *key;
    int64_t epoch;
    uint64_t h;
    struct uc_slot *s, old;
    char *block, *at;

    if (uc == NULL)
        return;
    epoch = store_cache_epoch(st);
    key = epoch > 0 ? uc_key(a, subdomain, email, &klen) : NULL;
    if (key == NULL)
        return;
    h = str_hash(uc->seed, key, klen);
    blen = klen + 1 + str_size0(row->subdomain) + str_size0(row->admin_email) + str_size0(row->api_token)
           + str_size0(row->admin_password);
    at = block = xmalloc(blen);
    memcpy(at, key, klen + 1);
    at += klen + 1;
    s = &uc->slots[h % UC_SLOTS];
    pthread_mutex_lock(&uc->lock);
    old = *s;
    s->epoch = epoch;
    s->hash = h;
    s->block = block;
    s->klen = klen;
    s->blen = blen;
    s->row.tenant_id = row->tenant_id;
    s->row.subdomain = str_pack(&at, row->subdomain);
    s->row.admin_email = str_pack(&at, row->admin_email);
    s->row.api_token = str_pack(&at, row->api_token);
    s->row.admin_password = str_pack(&at, row->admin_password);
    pthread_mutex_unlock(&uc->lock);
    slot_clear(&old);
}
