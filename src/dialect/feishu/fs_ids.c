/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_ids.c - people and bots as the calling app sees them:
 * user_id_type (open_id, the default, differs per app; union_id; user_id),
 * bots by app_id (Feishu's "User ID description" page).
 */
#include "dialect/feishu/fs.h"

#include "core/arena.h"
#include "core/ids.h"
#include "core/str.h"

#include <string.h>

const char *const fs_user_id_types[] = { "open_id", "union_id", "user_id", NULL };
const char *const fs_member_id_types[] = { "open_id", "union_id", "user_id", "app_id", NULL };

const char *fs_id_type(struct req *rq, const char *key)
{
    const char *t = json_str(rq->query, key);

    return t != NULL ? t : "open_id";
}

enum err fs_person_find(struct req *rq, const char *type, const char *id, struct person_row *p)
{
    return svc_fs_person_find(&rq->svc, rq->app_ref, type, id, p);
}

const char *fs_actor_id(struct req *rq, const char *type, const struct actor *who)
{
    const char *id;

    return svc_fs_actor_id(&rq->svc, rq->app_ref, type, who, &id) == ERR_OK ? id : NULL;
}

bool fs_http_url(const char *s)
{
    return s != NULL
           && ((strncmp(s, "http://", 7) == 0 && s[7] != '\0')
               || (strncmp(s, "https://", 8) == 0 && s[8] != '\0'));
}

json_t *fs_user_id_object(struct req *rq, int64_t app, int64_t person)
{
    const char *union_id, *user_id, *open_id;

    if (svc_fs_person_ids(&rq->svc, app, person, &union_id, &user_id, &open_id) != ERR_OK)
        return NULL;
    return json_pack("{s:s?,s:s?,s:s?}", "union_id", union_id, "user_id", user_id, "open_id",
                     open_id);
}

enum err fs_tenant_key_get(struct req *rq, int64_t tenant, const char **key)
{
    enum err e;

    /* Keyed by tenant: a simulated action switches tenant mid-request. */
    if (rq->tkey != NULL && rq->tkey_tenant == tenant) {
        *key = rq->tkey;
        return ERR_OK;
    }
    e = svc_fs_tenant_key(&rq->svc, tenant, key);
    if (e != ERR_OK)
        return e;
    rq->tkey_tenant = tenant;
    rq->tkey = *key;
    return ERR_OK;
}

const char *fs_tenant_key(struct req *rq, int64_t tenant)
{
    const char *key;

    return fs_tenant_key_get(rq, tenant, &key) == ERR_OK ? key : NULL;
}
