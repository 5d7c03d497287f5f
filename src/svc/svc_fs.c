/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_fs.c - Feishu identity: app credentials, and the OAuth code flow
 * that yields user tokens (codes minted through the admin API stand in for
 * the browser login). Token issue and checks are svc_token.c.
 */
#include "svc/svc.h"

#include "core/ids.h"
#include "core/seal.h"

#include <string.h>

enum {
    CODE_LIFETIME = 300,
    USER_TOKEN_LIFETIME = 7200,
    REFRESH_LIFETIME = 30 * 86400,
};

static const struct token_policy user_policy = {
    .kind = TOKEN_FS_USER, .lifetime = USER_TOKEN_LIFETIME,
    .reuse_min_remaining = USER_TOKEN_LIFETIME + 1, /* never reused */
    .prefix = "u-", .bytes = 30,
};
static const struct token_policy refresh_policy = {
    .kind = TOKEN_FS_REFRESH, .lifetime = REFRESH_LIFETIME,
    .reuse_min_remaining = REFRESH_LIFETIME + 1,
    .prefix = "ur-", .bytes = 30,
};

enum err svc_fs_app_login(struct svc_ctx *c, const char *app_id, const char *secret,
                          struct fs_app_row *app)
{
    enum err e = store_fs_app_by_app_id(c->st, c->a, app_id, app);
    const char *want = NULL;

    if (e == ERR_NOT_FOUND)
        return err_set(c->ei, ERR_UNAUTHENTICATED, SUBJ_TENANT, "invalid param");
    if (e == ERR_OK)
        e = store_fs_app_secret(c->st, c->a, app, &want);
    if (e != ERR_OK)
        return e;
    if (!seal_str_eq(secret, want))
        return err_set(c->ei, ERR_UNAUTHENTICATED, SUBJ_SECRET, "app secret invalid");
    return ERR_OK;
}

enum err svc_fs_app_user(struct svc_ctx *c, const char *app_id, const char *user_id,
                         struct fs_app_row *app, struct person_row *p)
{
    enum err e = store_fs_app_by_app_id(c->st, c->a, app_id, app);

    if (e == ERR_NOT_FOUND)
        return err_field(c->ei, ERR_NOT_FOUND, "app_id", "app '%s' not found", app_id);
    if (e == ERR_OK)
        e = store_fs_person_find(c->st, c->a, app->tenant_id, app->id, "user_id", user_id, p);
    if (e == ERR_NOT_FOUND)
        return err_field(c->ei, ERR_NOT_FOUND, "user_id", "user '%s' not in the app's tenant",
                         user_id);
    return e;
}

/* Space-separated names, each a scope 'held' has, none twice; "" is NULL. */
static enum err grant_check(struct svc_ctx *c, const struct scope_set *held, const char *text,
                            const char *field)
{
    struct scope_set want;

    if (text == NULL)
        return ERR_OK;
    svc_scope_parse(c->a, text, &want);
    for (size_t i = 0; i < want.n; i++) {
        for (size_t k = 0; k < i; k++) {
            if (strcmp(want.v[k], want.v[i]) == 0)
                return err_field(c->ei, ERR_CONFLICT, field, "scope %s is repeated", want.v[i]);
        }
        if (!svc_scope_has(held, want.v[i]))
            return err_field(c->ei, ERR_FORBIDDEN, field, "scope %s is not granted", want.v[i]);
    }
    return ERR_OK;
}

enum err svc_fs_code_mint(struct svc_ctx *c, const char *app_id, const char *user_id,
                          const char *scope, char **code)
{
    struct scope_set held;
    struct fs_app_row app;
    struct person_row p;
    enum err e = svc_fs_app_user(c, app_id, user_id, &app, &p);

    if (e == ERR_OK)
        e = svc_app_scopes(c, app.id, &held);
    if (e == ERR_OK && scope != NULL && grant_check(c, &held, scope, "scope") != ERR_OK) {
        c->ei->code = ERR_BAD_REQUEST; /* the admin API's 400, the reason kept */
        return ERR_BAD_REQUEST;
    }
    if (e != ERR_OK)
        return e;
    *code = ids_hex(c->a, "", 16);
    e = store_fs_code_put(c->st, *code, app.tenant_id, app.id, p.id, c->now + CODE_LIFETIME);
    if (e == ERR_OK && scope != NULL && *scope != '\0')
        e = store_fs_grant_put(c->st, *code, scope, c->now + CODE_LIFETIME, c->now);
    return e;
}

/* A user token and its refresh token, issued through 'app' to 'person',
 * with the grant of 'from' (a code or refresh token) narrowed by 'narrow'. */
static enum err issue_pair(struct svc_ctx *c, int64_t tenant, int64_t app, int64_t person,
                           const char *from, const char *narrow, struct token_row *access,
                           struct token_row *refresh, const char **scope)
{
    struct scope_set granted;
    char *text = NULL;
    enum err e = store_fs_grant_get(c->st, c->a, from, &text);

    if (e == ERR_NOT_FOUND)
        text = NULL, e = ERR_OK;
    if (e != ERR_OK)
        return e;
    if (narrow != NULL && *narrow != '\0') {
        svc_scope_parse(c->a, text, &granted);
        if (text == NULL && (e = svc_app_scopes(c, app, &granted)) != ERR_OK)
            return e;
        e = grant_check(c, &granted, narrow, "scope");
        if (e != ERR_OK) {
            c->ei->subj = SUBJ_SCOPE;
            return e;
        }
        text = (char *)narrow;
    }
    *scope = text ? text : "";
    e = svc_token_issue(c, &user_policy, tenant, person, app, access);
    if (e == ERR_OK)
        e = svc_token_issue(c, &refresh_policy, tenant, person, app, refresh);
    if (e == ERR_OK && text != NULL)
        e = store_fs_grant_put(c->st, access->token, text, access->expires_at, c->now);
    if (e == ERR_OK && text != NULL)
        e = store_fs_grant_put(c->st, refresh->token, text, refresh->expires_at, c->now);
    return e;
}

enum err svc_fs_code_exchange(struct svc_ctx *c, const struct fs_app_row *app, const char *code,
                              const char *narrow, struct token_row *access,
                              struct token_row *refresh, const char **scope)
{
    int64_t tenant, app_ref, person;
    enum err e = store_fs_code_take(c->st, c->a, code, c->now, &tenant, &app_ref, &person);

    if (e == ERR_OK && app_ref != app->id)
        return err_set(c->ei, ERR_FORBIDDEN, SUBJ_CODE,
                       "The authorization code is not found or has expired.");
    if (e == ERR_NOT_FOUND)
        return err_set(c->ei, ERR_UNAUTHENTICATED, SUBJ_CODE,
                       "The authorization code is not found or has expired.");
    if (e != ERR_OK)
        return e;
    return issue_pair(c, tenant, app->id, person, code, narrow, access, refresh, scope);
}

enum err svc_fs_refresh(struct svc_ctx *c, const struct fs_app_row *app, const char *refresh,
                        const char *narrow, struct token_row *access, struct token_row *next,
                        const char **scope)
{
    struct token_row old;
    enum err e = store_token_get(c->st, c->a, refresh, &old);

    if (e == ERR_OK && old.kind != TOKEN_FS_REFRESH)
        e = ERR_NOT_FOUND;
    if (e == ERR_OK && old.app != app->id)
        return err_set(c->ei, ERR_FORBIDDEN, SUBJ_REFRESH,
                       "The refresh token is invalid or has been used.");
    if (e == ERR_OK && old.expires_at <= c->now)
        return err_set(c->ei, ERR_EXPIRED, SUBJ_REFRESH, "The refresh token has expired.");
    if (e == ERR_NOT_FOUND)
        return err_set(c->ei, ERR_UNAUTHENTICATED, SUBJ_REFRESH,
                       "The refresh token is invalid or has been used.");
    /* Single use: deleting it first makes a second exchange fail. */
    if (e == ERR_OK)
        e = store_token_delete(c->st, refresh);
    return e == ERR_OK ? issue_pair(c, old.tenant_id, app->id, old.principal, refresh, narrow,
                                    access, next, scope)
                       : e;
}

/* --- ids as an app sees them --- */

enum err svc_fs_person_find(struct svc_ctx *c, int64_t app, const char *type, const char *id,
                            struct person_row *p)
{
    return store_fs_person_find(c->st, c->a, c->tenant, app, type, id, p);
}

enum err svc_fs_actor_id(struct svc_ctx *c, int64_t app, const char *type,
                         const struct actor *who, const char **id)
{
    struct person_row p;
    char *open_id = NULL;
    enum err e;

    *id = NULL;
    if (who->kind != ACTOR_USER)
        return svc_fs_app_id(c, who->ref, id);
    if (strcmp(type, "open_id") == 0) {
        e = store_fs_open_id_get(c->st, c->a, app, who->ref, &open_id);
        *id = open_id;
        return e;
    }
    e = store_person_get(c->st, c->a, who->ref, &p);
    if (e == ERR_OK)
        *id = strcmp(type, "union_id") == 0 ? p.union_id : p.user_id;
    return e;
}

enum err svc_fs_person_ids(struct svc_ctx *c, int64_t app, int64_t person,
                           const char **union_id, const char **user_id, const char **open_id)
{
    struct person_row p;
    char *oid = NULL;
    enum err e;
    size_t i;

    /* A person the event being written names was read just now. */
    for (i = 0; i < c->event_npeople && c->event_people[i].id != person; i++)
        ;
    if (i < c->event_npeople) {
        p = c->event_people[i];
        e = ERR_OK;
    } else {
        e = store_person_get(c->st, c->a, person, &p);
    }

    *union_id = e == ERR_OK ? p.union_id : NULL;
    *user_id = e == ERR_OK ? p.user_id : NULL;
    *open_id = NULL;
    if (e != ERR_OK && e != ERR_NOT_FOUND)
        return e;
    e = store_fs_open_id_get(c->st, c->a, app, person, &oid);
    *open_id = e == ERR_OK ? oid : NULL;
    return e == ERR_NOT_FOUND ? ERR_OK : e;
}

enum err svc_fs_tenant_key(struct svc_ctx *c, int64_t tenant, const char **key)
{
    char *k = NULL;
    enum err e;

    if (c->tkey != NULL && c->tkey_tenant == tenant) {
        *key = c->tkey;
        return ERR_OK;
    }
    e = store_fs_tenant_key_get(c->st, c->a, tenant, &k);

    *key = k != NULL ? k : "";
    return e == ERR_NOT_FOUND ? ERR_OK : e;
}

enum err svc_fs_app_id(struct svc_ctx *c, int64_t app, const char **app_id)
{
    struct fs_app_row row;
    enum err e;

    if (c->acc != NULL && c->acc->app == app) {
        *app_id = c->acc->app_id; /* the request's own app, read already */
        return ERR_OK;
    }
    e = store_fs_app_get(c->st, c->a, app, &row);
    *app_id = e == ERR_OK ? row.app_id : NULL;
    return e;
}
