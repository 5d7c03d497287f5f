/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_authen.c - the legacy authen v1 user-token endpoints
 * node-sdk 1.74 calls ("获取 user_access_token（OIDC）" and its siblings): the OIDC code and refresh exchange,
 * authenticated by the app's (or, for a self-built app, the same app's
 * tenant) token, and user_info for a user token. Failures answer HTTP 200
 * with a 20xxx code (FS_AUTHEN); the code flow itself is svc_fs.c.
 */
#include "dialect/feishu/fs.h"

#include <string.h>

/* user_info fields beyond the names, ids and avatars ("获取登录用户信息"), and the field
 * scopes (any one) that show them. */
#define S(...) ((const char *const[]){ __VA_ARGS__, NULL })
static const struct {
    const char *key;
    const char *const *scopes;
} info_fields[] = {
    { "email", S("contact:user.email:readonly") },
    { "enterprise_email", S("contact:user.employee:readonly") },
    { "user_id", S(SCOPE_USER_ID) },
    { "mobile", S("contact:user.phone:readonly") },
    { "employee_no", S("contact:user.employee:readonly", "contact:contact:access_as_app",
                       "contact:contact:readonly", "contact:contact:readonly_as_app") },
};
/* user_info's avatar names for the directory's sizes (unconfirmed mapping). */
static const char *const avatar_names[][2] = {
    { "avatar_url", "avatar_72" },
    { "avatar_thumb", "avatar_72" },
    { "avatar_middle", "avatar_240" },
    { "avatar_big", "avatar_640" },
};

static void token_info(struct req *rq, json_t *out, const struct token_row *access,
                       const struct token_row *refresh, const char *scope)
{
    json_out_str(out, "access_token", access->token);
    json_out_str(out, "refresh_token", refresh->token);
    json_out_str(out, "token_type", "Bearer");
    json_out_int(out, "expires_in", access->expires_at - rq->svc.now);
    json_out_int(out, "refresh_expires_in", refresh->expires_at - rq->svc.now);
    json_out_str(out, "scope", scope);
}

/* grant_type must be the one the endpoint takes, and 'key' given. */
static enum err grant(struct req *rq, json_t *body, const char *type, const char *key)
{
    const char *g = json_str(body, "grant_type");

    if (g == NULL || strcmp(g, type) != 0)
        return err_set(&rq->err, ERR_BAD_REQUEST, FS_SUBJ_GRANT, "grant_type");
    if (json_str(body, key) == NULL || *json_str(body, key) == '\0')
        return err_field(&rq->err, ERR_MISSING, key, "%s", key);
    return ERR_OK;
}

/* The OIDC exchange of a code or a refresh token, for the token's app. */
static enum err exchange(struct req *rq, json_t *body, json_t *out, bool refresh)
{
    struct fs_app_row app = { .id = rq->app_ref };
    const char *key = refresh ? "refresh_token" : "code";
    struct token_row access, next;
    const char *scope;
    enum err e = grant(rq, body, refresh ? "refresh_token" : "authorization_code", key);

    if (e == ERR_OK && refresh)
        e = svc_fs_refresh(&rq->svc, &app, json_str(body, key), NULL, &access, &next, &scope);
    else if (e == ERR_OK)
        e = svc_fs_code_exchange(&rq->svc, &app, json_str(body, key), NULL, &access, &next,
                                 &scope);
    if (e == ERR_OK)
        token_info(rq, out, &access, &next, scope);
    return e;
}

enum err fs_oidc_token(struct req *rq, json_t *body, json_t *out)
{
    return exchange(rq, body, out, false);
}

enum err fs_oidc_refresh(struct req *rq, json_t *body, json_t *out)
{
    return exchange(rq, body, out, true);
}

/* "获取登录用户信息": the token's person as its app sees them. */
enum err fs_user_info(struct req *rq, json_t *body, json_t *out)
{
    struct contact_person cp;
    struct contact_dir d;
    json_t *prof, *avatar;
    enum err e = svc_contact_open(&rq->svc, rq->app_ref, true, &d);

    (void)body;
    if (e == ERR_OK)
        e = svc_contact_person(&rq->svc, &d, rq->actor.ref, &cp);
    if (e == ERR_NOT_FOUND)
        return err_set(&rq->err, ERR_NOT_FOUND, SUBJ_USER, "User not exist");
    if (e != ERR_OK)
        return e;
    prof = json_loads(cp.profile.profile, 0, NULL);
    avatar = json_object_get(prof, "avatar");
    json_out_str(out, "name", cp.p.name);
    json_out_str(out, "en_name", json_string_value(json_object_get(prof, "en_name"))
                                     ? json_string_value(json_object_get(prof, "en_name"))
                                     : "");
    for (size_t i = 0; i < sizeof(avatar_names) / sizeof(avatar_names[0]); i++) {
        const char *url = json_string_value(json_object_get(avatar, avatar_names[i][1]));

        if (url != NULL)
            json_out_str(out, avatar_names[i][0], url);
    }
    if (cp.open_id != NULL)
        json_out_str(out, "open_id", cp.open_id);
    json_out_str(out, "union_id", cp.p.union_id);
    for (size_t i = 0; i < sizeof(info_fields) / sizeof(info_fields[0]); i++) {
        const char *key = info_fields[i].key;
        const char *v = strcmp(key, "email") == 0     ? cp.p.email
                        : strcmp(key, "user_id") == 0 ? cp.p.user_id
                                                      : json_string_value(json_object_get(prof, key));

        if (v != NULL && svc_scope_any(&d.scopes, info_fields[i].scopes))
            json_out_str(out, key, v);
    }
    json_out_str(out, "tenant_key", fs_tenant_key(rq, rq->svc.tenant));
    json_decref(prof);
    return ERR_OK;
}
