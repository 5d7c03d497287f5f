/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_token.c - access tokens of every scheme: issue with a reuse rule,
 * check with expiry against the server clock; the single-use nonces of signed
 * requests.
 */
#include "svc/svc.h"

#include "core/ids.h"

/* svc_token_issue; '*fresh' tells whether a new token was stored. */
static enum err token_issue(struct svc_ctx *c, const struct token_policy *p, int64_t tenant,
                            int64_t principal, int64_t app, struct token_row *out, bool *fresh)
{
    struct store *st = c->st;
    /* A policy that never hands a token back (reuse_min_remaining past the
     * lifetime) needs neither the lock nor the lookup, and its tokens are
     * stored as their digest alone; the others are kept recoverable
     * (sealed), and issuing is serialised per tenant, so two nodes asked at
     * once hand out one token. */
    bool reusable = p->reuse_min_remaining <= p->lifetime;
    enum err e;

    *fresh = false;
    /* Read first: the live token without the lock; only a token that must
     * be issued needs the write (and the lock, and a second look). */
    if (reusable && c->read_first) {
        e = store_token_live(st, c->a, p->kind, principal, c->now, out);
        if (e == ERR_OK && out->expires_at - c->now >= p->reuse_min_remaining)
            return ERR_OK;
        if (e != ERR_OK && e != ERR_NOT_FOUND)
            return e;
    }
    if (c->read_first) {
        c->write_needed = true;
        return err_set(c->ei, ERR_BUSY, SUBJ_NONE, "a token must be issued: a write is needed");
    }
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
    *fresh = true;
    return store_token_insert(st, out);
}

enum err svc_token_issue(struct svc_ctx *c, const struct token_policy *p, int64_t tenant,
                         int64_t principal, int64_t app, struct token_row *out)
{
    bool fresh;

    return token_issue(c, p, tenant, principal, app, out, &fresh);
}

/* What a credential names: the tenant, principal and app its tokens are
 * issued to (only those fields of 'to' are set). */
typedef enum err (*token_login_fn)(struct svc_ctx *c, const char *ident, const char *secret,
                                   struct token_row *to);

/* A credential's tokens under the 'n' policies 'ps' (a Feishu app's token
 * and its tenant token in one call): each from the grant cache while it
 * holds one with enough time left (the store would answer the same:
 * svc_gcache.c); otherwise the credential is checked once and each token
 * handed out again or issued, then kept. The node's read-first switch
 * (svc_gcache_read_first) follows what the store answered. */
static enum err token_grant(struct svc_ctx *c, const struct token_policy *const *ps, size_t n,
                            const char *ident, const char *secret, token_login_fn login,
                            struct token_row *out)
{
    struct token_row to = { 0 };
    bool hit[2] = { false, false }, all = true, fresh = false, any_fresh = false;
    enum err e = ERR_OK;

    if (n > 2)
        return err_set(c->ei, ERR_INTERNAL, SUBJ_NONE, "too many token policies");
    for (size_t i = 0; i < n; i++) {
        const struct token_policy *p = ps[i];

        hit[i] = svc_gcache_get(c->grants, c->st, c->a, p->kind, ident, secret, &out[i])
                 && out[i].expires_at > c->now
                 && out[i].expires_at - c->now >= p->reuse_min_remaining;
        all = all && hit[i];
    }
    if (all)
        return ERR_OK;
    e = login(c, ident, secret, &to);
    for (size_t i = 0; i < n && e == ERR_OK; i++) {
        if (hit[i])
            continue;
        e = token_issue(c, ps[i], to.tenant_id, to.principal, to.app, &out[i], &fresh);
        any_fresh = any_fresh || fresh;
    }
    if (c->write_needed || e == ERR_OK)
        svc_gcache_read_first_set(c->grants, !c->write_needed && !any_fresh);
    for (size_t i = 0; i < n && e == ERR_OK; i++)
        if (!hit[i] && ps[i]->reuse_min_remaining <= ps[i]->lifetime)
            svc_gcache_put(c->grants, c->st, ps[i]->kind, ident, secret, &out[i]);
    return e;
}

static enum err wc_login(struct svc_ctx *c, const char *corpid, const char *secret,
                         struct token_row *to)
{
    return svc_wc_credential(c, corpid, secret, &to->tenant_id, &to->principal);
}

static enum err fs_login(struct svc_ctx *c, const char *app_id, const char *secret,
                         struct token_row *to)
{
    struct fs_app_row app = { 0 };
    enum err e = svc_fs_app_login(c, app_id, secret, &app);

    to->tenant_id = app.tenant_id;
    to->principal = to->app = app.id;
    return e;
}

enum err svc_wc_token(struct svc_ctx *c, const struct token_policy *p, const char *corpid,
                      const char *secret, struct token_row *out)
{
    return token_grant(c, &p, 1, corpid, secret, wc_login, out);
}

enum err svc_fs_app_token(struct svc_ctx *c, const struct token_policy *const *ps, size_t n,
                          const char *app_id, const char *secret, struct token_row *out)
{
    return token_grant(c, ps, n, app_id, secret, fs_login, out);
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

enum err svc_nonce_claim_read(struct svc_ctx *c, const char *nonce, int64_t ttl)
{
    enum err e = store_commit_unflushed(c->st);

    return e == ERR_OK ? svc_nonce_claim(c, nonce, ttl) : e;
}
