/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_ids.c - people and bots as the calling app sees them:
 * user_id_type (open_id, the default, differs per app; union_id; user_id),
 * bots by app_id (conventions.md §7).
 */
#include "dialect/feishu/fs.h"

#include "core/arena.h"
#include "core/ids.h"
#include "core/str.h"

#include <string.h>

enum err fs_id_type(struct req *rq, const char **type)
{
    static const char *const types[] = { "open_id", "union_id", "user_id" };
    const char *t = dialect_query(rq, "user_id_type");

    if (t == NULL || *t == '\0') {
        *type = "open_id";
        return ERR_OK;
    }
    for (size_t i = 0; i < 3; i++) {
        if (strcmp(t, types[i]) == 0) {
            *type = types[i];
            return ERR_OK;
        }
    }
    return err_field(&rq->err, ERR_BAD_REQUEST, "user_id_type", "user_id_type");
}

enum err fs_person_find(struct req *rq, const char *type, const char *id, struct person_row *p)
{
    return store_fs_person_find(rq->svc.st, rq->http->arena, rq->svc.tenant, rq->app_ref, type, id,
                                p);
}

static const char *person_id(struct req *rq, int64_t app, const char *type, int64_t person)
{
    struct person_row p;
    char *open_id = NULL;

    if (strcmp(type, "open_id") == 0) {
        if (store_fs_open_id_get(rq->svc.st, rq->http->arena, app, person, &open_id) == ERR_OK)
            return open_id;
        return NULL;
    }
    if (store_person_get(rq->svc.st, rq->http->arena, person, &p) != ERR_OK)
        return NULL;
    return strcmp(type, "union_id") == 0 ? p.union_id : p.user_id;
}

const char *fs_actor_id(struct req *rq, const char *type, const struct actor *who)
{
    struct fs_app_row app;

    if (who->kind == ACTOR_USER)
        return person_id(rq, rq->app_ref, type, who->ref);
    if (store_fs_app_get(rq->svc.st, rq->http->arena, who->ref, &app) != ERR_OK)
        return NULL;
    return app.app_id;
}

const char *fs_numeric_id(struct req *rq)
{
    uint64_t v;

    ids_random(&v, sizeof(v));
    return arena_printf(rq->http->arena, "7%018llu",
                        (unsigned long long)(v % 1000000000000000000ULL));
}

bool fs_http_url(const char *s)
{
    return s != NULL
           && ((strncmp(s, "http://", 7) == 0 && s[7] != '\0')
               || (strncmp(s, "https://", 8) == 0 && s[8] != '\0'));
}

json_t *fs_user_id_object(struct req *rq, int64_t app, int64_t person)
{
    struct person_row p;
    struct scope_set held;
    char *open_id = NULL;
    bool known = store_person_get(rq->svc.st, rq->http->arena, person, &p) == ERR_OK;
    /* user_id only for an app holding the field scope (events.md A.1). */
    bool user_id = known && svc_app_scopes(&rq->svc, app, &held) == ERR_OK
                   && svc_scope_has(&held, SCOPE_USER_ID);

    if (store_fs_open_id_get(rq->svc.st, rq->http->arena, app, person, &open_id) != ERR_OK)
        open_id = NULL;
    return json_pack("{s:s?,s:s*,s:s?}", "union_id", known ? p.union_id : NULL, "user_id",
                     user_id ? p.user_id : NULL, "open_id", open_id);
}

const char *fs_tenant_key(struct req *rq, int64_t tenant)
{
    char *key = NULL;

    /* Keyed by tenant: a simulated action switches tenant mid-request. */
    if (rq->tkey != NULL && rq->tkey_tenant == tenant)
        return rq->tkey;
    store_fs_tenant_key_get(rq->svc.st, rq->http->arena, tenant, &key);
    rq->tkey_tenant = tenant;
    rq->tkey = key ? key : "";
    return rq->tkey;
}
