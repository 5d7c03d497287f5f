/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_chat_admin.c - speech permissions ("Obtain group
 * speech permissions", "Update group speech permissions"), the share link
 * ("Obtain group share link") and the top notice ("Update group top
 * notice", "Remove group top notice"), through svc_chat_*.
 */
#include "dialect/feishu/fs.h"

#include "core/arena.h"
#include "core/cursor.h"

#include <string.h>

/* Page-token key: the person id of the last speaker listed. */
#define KEYS_MODERATORS "M"

enum err fs_moderation_get(struct req *rq, json_t *body, json_t *out)
{
    const char *type = fs_id_type(rq, "user_id_type"), *mode, *tkey;
    uint64_t scope = cursor_scope_str(rq->params[0]);
    int64_t limit, after = 0, *people;
    json_t *items;
    bool more;
    size_t n;
    enum err e;

    (void)body;
    e = fs_page_in(rq, KEYS_MODERATORS, scope, &limit, &after);
    if (e == ERR_OK)
        e = svc_chat_moderators(&rq->svc, &rq->actor, rq->params[0], after, limit, &mode, &people,
                                &n, &more);
    if (e == ERR_OK)
        e = fs_tenant_key_get(rq, rq->svc.tenant, &tkey);
    if (e != ERR_OK)
        return e;
    items = json_array();
    for (size_t i = 0; i < n; i++) {
        const char *id = fs_actor_id(rq, type, &(struct actor){ ACTOR_USER, people[i] });

        json_array_append_new(items, json_pack("{s:s,s:s?,s:s}", "user_id_type", type, "user_id",
                                               id, "tenant_key", tkey));
    }
    json_object_set_new(out, "moderation_setting", json_string(mode));
    if (more)
        json_object_set_new(out, "page_token",
                            json_string(fs_page_token(rq, KEYS_MODERATORS, scope, &people[n - 1])));
    json_object_set_new(out, "has_more", json_boolean(more));
    json_object_set_new(out, "items", items);
    return ERR_OK;
}

enum err fs_moderation_update(struct req *rq, json_t *body, json_t *out)
{
    const struct chat_caller by = { rq->actor, rq->app_ref, fs_id_type(rq, "user_id_type") };
    struct fs_chat_row before, after;
    json_t *added, *removed;
    enum err e;

    (void)out;
    e = svc_chat_moderation(&rq->svc, &by, rq->params[0], json_str(body, "moderation_setting"),
                            json_object_get(body, "moderator_added_list"),
                            json_object_get(body, "moderator_removed_list"), &before, &after,
                            &added, &removed);
    /* Reported through the updated event's moderator_list. */
    if (e == ERR_OK)
        e = fs_emit_updated(rq, &before, &after, added, removed);
    json_decref(added);
    json_decref(removed);
    return e;
}

/* validity_period (the route's rule checks it) in seconds; 0: permanently. */
static const struct {
    const char *name;
    int64_t seconds;
} PERIODS[] = {
    { "week", 7 * 86400 },
    { "year", 365 * 86400 },
    { "permanently", 0 },
};

enum err fs_chat_link(struct req *rq, json_t *body, json_t *out)
{
    const char *period = json_str(body, "validity_period"), *token;
    struct arena *a = rq->http->arena;
    int64_t lifetime = PERIODS[0].seconds, expire;
    enum err e;

    for (size_t i = 0; period != NULL && i < sizeof(PERIODS) / sizeof(PERIODS[0]); i++)
        if (strcmp(period, PERIODS[i].name) == 0)
            lifetime = PERIODS[i].seconds;
    e = svc_chat_link(&rq->svc, &rq->actor, rq->params[0], lifetime, &token, &expire);
    if (e != ERR_OK)
        return e;
    json_out_str(out, "share_link",
                 arena_printf(a, "https://applink.feishu.cn/client/chat/chatter/add_by_link?"
                                 "link_token=%s",
                              token));
    json_out_str(out, "expire_time", arena_printf(a, "%lld", (long long)expire));
    json_object_set_new(out, "is_permanent", json_boolean(lifetime == 0));
    return ERR_OK;
}

/* Only the first notice of chat_top_notice counts, so the rule for its
 * items lives here rather than on the route (a field rule would judge
 * every item): an object whose action_type is "1" (a message, message_id
 * om_...) or "2" (the announcement, the default). */
static enum err first_notice(struct req *rq, json_t *body, const char **text)
{
    json_t *first = json_array_get(json_object_get(body, "chat_top_notice"), 0);
    const char *action = json_str(first, "action_type"), *msg = json_str(first, "message_id");
    size_t len;

    /* Item 0 must be an object: an 'each' rule would judge every item. */
    if (!json_is_object(first) || (json_object_get(first, "action_type") && action == NULL))
        return fs_bad(rq, "chat_top_notice");
    if (action == NULL)
        action = "2";
    /* Item 0's action_type only: a 'values' rule in 'each' would judge every item. */
    if (strcmp(action, "1") != 0 && strcmp(action, "2") != 0)
        return fs_bad(rq, "action_type");
    /* Needed only when action_type is "1": no rule depends on another field. */
    if (strcmp(action, "1") == 0 && (msg == NULL || strncmp(msg, "om_", 3) != 0))
        return fs_bad(rq, "message_id");
    *text = json_dump_arena(rq->http->arena, first, &len);
    return ERR_OK;
}

enum err fs_top_notice_put(struct req *rq, json_t *body, json_t *out)
{
    const char *notice = NULL;
    enum err e = first_notice(rq, body, &notice);

    (void)out;
    return e == ERR_OK ? svc_chat_top_notice(&rq->svc, &rq->actor, rq->params[0], notice) : e;
}

enum err fs_top_notice_delete(struct req *rq, json_t *body, json_t *out)
{
    (void)body;
    (void)out;
    return svc_chat_top_notice(&rq->svc, &rq->actor, rq->params[0], "");
}
