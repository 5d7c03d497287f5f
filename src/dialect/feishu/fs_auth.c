/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_auth.c - Feishu credentials: the Bearer check every
 * business API makes, the self-built app token endpoints (Feishu's "Get
 * custom app tenant_access_token" and "Get custom app app_access_token")
 * and the OAuth code and refresh exchange ("Get user_access_token",
 * "Refresh user_access_token").
 */
#include "dialect/feishu/fs.h"

#include <string.h>

/* 2 hours; the same token while at least 30 minutes remain. */
static const struct token_policy tenant_policy = {
    .kind = TOKEN_FS_TENANT, .lifetime = 7200, .reuse_min_remaining = 1800,
    .prefix = "t-", .bytes = 30,
};
static const struct token_policy app_policy = {
    .kind = TOKEN_FS_APP, .lifetime = 7200, .reuse_min_remaining = 1800,
    .prefix = "t-", .bytes = 30,
};

/* The Authorization header must be exactly "Bearer <token>"; a header
 * without the prefix counts as no token at all (observed). Tenant
 * tokens act as the app's bot, user tokens as the person. Then the token
 * kinds the route takes and its scopes (fs_scopes.c). */
enum err fs_auth(struct req *rq)
{
    const char *h = rq->http->authorization;
    const struct fs_access *ac = fs_access_of(rq->route);
    unsigned kinds = ac ? ac->tokens : TK_TU;
    struct token_row tok;
    bool user;
    enum err e;

    if (h == NULL || strncmp(h, "Bearer ", 7) != 0 || h[7] == '\0')
        return err_set(&rq->err, ERR_MISSING, SUBJ_TOKEN, "missing access token");
    h += 7;
    user = strncmp(h, "u-", 2) == 0;
    if (user && !(kinds & TK_U))
        return err_set(&rq->err, ERR_UNAUTHENTICATED,
                       (kinds & TK_A) ? FS_SUBJ_APP_TOKEN : SUBJ_TOKEN,
                       "a user token is not taken here");
    if (!user && !(kinds & (TK_T | TK_A)))
        return err_set(&rq->err, ERR_UNAUTHENTICATED, SUBJ_USER_TOKEN, "a user token is needed");
    e = svc_token_check(&rq->svc, user ? TOKEN_FS_USER : TOKEN_FS_TENANT, h, &tok);
    if (e != ERR_OK && !user && (kinds & TK_A))
        e = svc_token_check(&rq->svc, TOKEN_FS_APP, h, &tok);
    if (e != ERR_OK) {
        if (user && (e == ERR_UNAUTHENTICATED || e == ERR_EXPIRED))
            rq->err.subj = SUBJ_USER_TOKEN;
        else if (kinds & TK_A)
            rq->err.subj = FS_SUBJ_APP_TOKEN;
        return e;
    }
    if (user) {
        rq->actor = (struct actor){ ACTOR_USER, tok.principal };
        rq->app_ref = tok.app;
    } else {
        rq->actor = (struct actor){ ACTOR_BOT, tok.principal };
        rq->app_ref = tok.principal;
    }
    rq->principal = tok.principal;
    return fs_scope_check(rq, ac, h);
}

/* The app's tokens under the 'n' policies 'ps' (svc_fs_app_token). */
static enum err login_token(struct req *rq, json_t *body, const struct token_policy *const *ps,
                            size_t n, struct token_row *t)
{
    const char *id = json_str(body, "app_id"), *secret = json_str(body, "app_secret");

    if (id == NULL || secret == NULL)
        return err_set(&rq->err, ERR_MISSING, SUBJ_TENANT, "invalid param");
    return svc_fs_app_token(&rq->svc, ps, n, id, secret, t);
}

enum err fs_tenant_token(struct req *rq, json_t *body, json_t *out)
{
    static const struct token_policy *const ps[] = { &tenant_policy };
    struct token_row t;
    enum err e = login_token(rq, body, ps, 1, &t);

    if (e != ERR_OK)
        return e;
    json_out_int(out, "code", 0);
    json_out_str(out, "msg", "ok");
    json_out_str(out, "tenant_access_token", t.token);
    json_out_int(out, "expire", t.expires_at - rq->svc.now);
    return ERR_OK;
}

/* Self-built apps get both tokens in one call. */
enum err fs_app_token(struct req *rq, json_t *body, json_t *out)
{
    static const struct token_policy *const ps[] = { &app_policy, &tenant_policy };
    struct token_row t[2];
    enum err e = login_token(rq, body, ps, 2, t);
    const struct token_row *at = &t[0], *tt = &t[1];

    if (e != ERR_OK)
        return e;
    json_out_int(out, "code", 0);
    json_out_str(out, "msg", "ok");
    json_out_str(out, "app_access_token", at->token);
    json_out_int(out, "expire", at->expires_at - rq->svc.now);
    json_out_str(out, "tenant_access_token", tt->token);
    return ERR_OK;
}

/* POST /open-apis/authen/v2/oauth/token: authorization_code or
 * refresh_token grants; the client authenticates in the body. */
enum err fs_oauth_token(struct req *rq, json_t *body, json_t *out)
{
    const char *grant = json_str(body, "grant_type"), *client = json_str(body, "client_id");
    const char *secret = json_str(body, "client_secret");
    const char *narrow = json_str(body, "scope"), *scope = "";
    struct token_row access, refresh;
    struct fs_app_row app;
    enum err e;

    if (grant == NULL || client == NULL || secret == NULL)
        return err_set(&rq->err, ERR_MISSING, SUBJ_NONE,
                       "grant_type, client_id and client_secret are required");
    e = svc_fs_app_login(&rq->svc, client, secret, &app);
    if (e != ERR_OK) {
        snprintf(rq->err.msg, sizeof(rq->err.msg), "%s", "Client authentication failed.");
        return e;
    }
    if (strcmp(grant, "authorization_code") == 0 && json_str(body, "code") != NULL)
        e = svc_fs_code_exchange(&rq->svc, &app, json_str(body, "code"), narrow, &access,
                                 &refresh, &scope);
    else if (strcmp(grant, "refresh_token") == 0 && json_str(body, "refresh_token") != NULL)
        e = svc_fs_refresh(&rq->svc, &app, json_str(body, "refresh_token"), narrow, &access,
                           &refresh, &scope);
    else
        return err_set(&rq->err, ERR_BAD_REQUEST, SUBJ_NONE,
                       "unsupported grant_type or missing code/refresh_token");
    if (e != ERR_OK)
        return e;
    json_out_int(out, "code", 0);
    json_out_str(out, "access_token", access.token);
    json_out_int(out, "expires_in", access.expires_at - rq->svc.now);
    json_out_str(out, "refresh_token", refresh.token);
    json_out_int(out, "refresh_token_expires_in", refresh.expires_at - rq->svc.now);
    json_out_str(out, "token_type", "Bearer");
    json_out_str(out, "scope", scope);
    return ERR_OK;
}
