/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_announcement.c - the chat announcement (Feishu's
 * "Obtain group announcement information" and "Update group announcement
 * information"): svc_chat_announcement*, shown with ids in the caller's
 * user_id_type.
 */
#include "dialect/feishu/fs.h"

#include "core/arena.h"

#include <stdio.h>

/* owner/modifier: a person in user_id_type, a bot as its app_id ("" when
 * it has none). */
static enum err who_json(struct req *rq, json_t *out, const char *field, const struct actor *a,
                         const char *type)
{
    const char *id;
    char key[32];
    enum err e = svc_fs_actor_id(&rq->svc, rq->app_ref, type, a, &id);

    if (e != ERR_OK && e != ERR_NOT_FOUND)
        return e;

    snprintf(key, sizeof(key), "%s_id_type", field);
    json_object_set_new(out, key, json_string(a->kind == ACTOR_BOT ? "app_id" : type));
    snprintf(key, sizeof(key), "%s_id", field);
    json_object_set_new(out, key, json_string(e == ERR_OK && id ? id : ""));
    return ERR_OK;
}

enum err fs_announcement_get(struct req *rq, json_t *body, json_t *out)
{
    const char *type = fs_id_type(rq, "user_id_type");
    struct fs_announcement_row an;
    struct arena *a = rq->http->arena;
    enum err e;

    (void)body;
    e = svc_chat_announcement(&rq->svc, &rq->actor, rq->params[0], &an);
    if (e != ERR_OK)
        return e;
    json_out_str(out, "content", an.content);
    json_out_str(out, "revision", arena_printf(a, "%lld", (long long)an.revision));
    json_out_str(out, "create_time", arena_printf(a, "%lld", (long long)an.create_time));
    json_out_str(out, "update_time", arena_printf(a, "%lld", (long long)an.update_time));
    e = who_json(rq, out, "owner", &an.owner, type);
    return e == ERR_OK ? who_json(rq, out, "modifier", &an.modifier, type) : e;
}

/* revision (digits) and requests (at least one) are the route's rules. */
enum err fs_announcement_patch(struct req *rq, json_t *body, json_t *out)
{
    int64_t base = 0;

    (void)out;
    json_id(body, "revision", &base);
    return svc_chat_announcement_patch(&rq->svc, &rq->actor, rq->params[0], base,
                                       json_object_get(body, "requests"));
}
