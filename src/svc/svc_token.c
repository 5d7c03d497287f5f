/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_token.c - access tokens of every scheme: issue with a reuse rule,
 * check with expiry against the server clock; the single-use nonces of signed
 * requests.
 */
#include "svc/svc.h"

#include "core/ids.h"

enum err svc_token_issue(struct svc_ctx *c, const struct token_policy *p, int64_t tenant,
                         int64_t principal, int64_t app, struct token_row *out)
{
    struct store *st = c->st;
    /* A policy that never hands a token back (reuse_min_remaining past the
     * lifetime) needs neither the lock nor the lookup, and its tokens are
     * stored as their digest alone; the others are kept recoverable
     * (sealed), and issuing is serialised per tenant, so two nodes asked at
     * once hand out one token. */
    bool reusable = p->reuse_min_remaining <= p->lifetime;
    enum err e;

    if (reusable) {
        e = store_lock_tenant(st, tenant);
        if (e != ERR_OK)
            return e;
        e = store_token_live(st, c->a, p->kind, principal, c->now, out);
        if (e == ERR_OK && out->expires_at - c->now >= p->reuse_min_remaining)
            return ERR_OK;
        if (e != ERR_OK && e != ERR_NOT_FOUND)
            return e;
    }
    out->token = ids_token(c->a, p->prefix, p->bytes);
    out->reusable = reusable;
    out->kind = p->kind;
    out->tenant_id = tenant;
    out->principal = principal;
    out->app = app;
    out->created_at = c->now;
    out->expires_at = c->now + p->lifetime;
    return store_token_insert(st, out);
}

enum err svc_token_check(struct svc_ctx *c, int kind, const char *token, struct token_row *out)
{
    enum err e = ERR_OK;

    if (!svc_tcache_get(c->tokens, token, out)) {
        /* Before the read: the read's snapshot is taken at its statement. */
        uint64_t epoch = svc_tcache_epoch(c->tokens);

        e = store_token_get(c->st, c->a, token, out);
        if (e == ERR_OK)
            svc_tcache_put(c->tokens, token, out, epoch);
    }

    if (e == ERR_NOT_FOUND || (e == ERR_OK && out->kind != kind))
        return err_set(c->ei, ERR_UNAUTHENTICATED, SUBJ_TOKEN, "invalid access token");
    if (e != ERR_OK)
        return e;
    if (out->expires_at <= c->now)
        return err_set(c->ei, ERR_EXPIRED, SUBJ_TOKEN, "access token expired");
    c->tenant = out->tenant_id;
    return ERR_OK;
}

enum err svc_nonce_claim(struct svc_ctx *c, const char *nonce, int64_t ttl)
{
    /* Purged per tenant as it signs, so the table holds at most 'ttl'
     * seconds of each tenant's traffic. */
    enum err e = store_nonce_purge(c->st, c->tenant, c->now);

    if (e == ERR_OK)
        e = store_nonce_insert(c->st, c->tenant, nonce, c->now + ttl);
    if (e == ERR_CONFLICT)
        return err_set(c->ei, ERR_CONFLICT, SUBJ_NONCE, "nonce already used");
    return e;
}
