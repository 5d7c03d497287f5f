/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_member_events.c - how Feishu spells the membership
 * events svc writes (svc_chat_event): users added, removed or withdrawn and
 * a bot added or removed (schema 2.0), and a person's p2p chat with a bot
 * (p2p_chat_create in the 1.0 envelope, then bot_p2p_chat_entered_v1), as
 * the Feishu Open Platform's pages of these event types describe them.
 */
#include "dialect/feishu/fs.h"

#include "core/arena.h"
#include "core/clock.h"

#include <stddef.h>

struct req *fs_req_of(struct svc_ctx *c)
{
    return (struct req *)((char *)c - offsetof(struct req, svc));
}

/* NULL when an id cannot be read (the event then fails its change). */
static json_t *users_json(struct req *rq, int64_t app, const struct chat_event *ev)
{
    json_t *list = json_array();
    const char *tkey = fs_tenant_key(rq, rq->svc.tenant);

    for (size_t i = 0; i < ev->npeople; i++) {
        json_t *u = json_pack("{s:s,s:s?,s:o}", "name", ev->people[i].name, "tenant_key", tkey,
                              "user_id", fs_user_id_object(rq, app, ev->people[i].id));

        if (u == NULL || tkey == NULL) {
            json_decref(u);
            json_decref(list);
            return NULL;
        }
        json_array_append_new(list, u);
    }
    return list;
}

static json_t *member_body(struct req *rq, const struct chat_event *ev, int64_t app,
                           const char *event_id, const char *type)
{
    const char *tkey = fs_tenant_key(rq, rq->svc.tenant);
    bool bot = ev->kind == CHAT_EV_BOT_ADDED || ev->kind == CHAT_EV_BOT_DELETED;
    json_t *users = bot ? NULL : users_json(rq, app, ev);
    /* A bot operator has no user ids. */
    json_t *op = ev->op.kind == ACTOR_USER ? fs_user_id_object(rq, app, ev->op.ref)
                                           : json_object();
    json_t *event = json_pack("{s:s,s:o,s:b,s:s}", "chat_id", ev->chat->chat_id, "operator_id",
                              op, "external", 0, "operator_tenant_key", tkey);

    if (event == NULL || (!bot && users == NULL)) {
        json_decref(users);
        json_decref(event);
        return NULL;
    }
    if (!bot)
        json_object_set_new(event, "users", users);
    json_object_set_new(event, "name", json_string(ev->chat->name));
    json_object_set_new(event, "i18n_names", json_loads(ev->chat->i18n_names, 0, NULL));
    return json_pack("{s:s,s:o,s:o}", "schema", "2.0", "header",
                     fs_event_header(rq, app, event_id, type), "event", event);
}

static json_t *p2p_created(struct req *rq, const struct chat_event *ev, int64_t app,
                           const char *event_id)
{
    json_t *ids = fs_user_id_object(rq, app, ev->person->id);
    const char *tkey = fs_tenant_key(rq, rq->svc.tenant);
    json_t *body;

    /* The 1.0 envelope: uuid is the event id, ts seconds with a fraction. */
    body = json_pack("{s:s,s:s,s:s,s:s,s:{s:s,s:s,s:{s:O,s:O},s:s,s:s,s:{s:s,s:O,s:O}}}", "ts",
                     arena_printf(rq->svc.a, "%lld.%06lld", (long long)rq->svc.now,
                                  (long long)(clock_wall_us() % 1000000)),
                     "uuid", event_id, "token", "", "type", "event_callback", "event", "app_id",
                     ev->app->app_id, "chat_id", ev->chat->chat_id, "operator", "open_id",
                     json_object_get(ids, "open_id"), "user_id", json_object_get(ids, "user_id"),
                     "tenant_key", tkey, "type", "p2p_chat_create", "user", "name",
                     ev->person->name, "open_id", json_object_get(ids, "open_id"), "user_id",
                     json_object_get(ids, "user_id"));
    json_decref(ids);
    return body;
}

static json_t *p2p_entered(struct req *rq, const struct chat_event *ev, int64_t app,
                           const char *event_id, const char *type)
{
    const char *last = "", *last_time = "";

    /* The chat's latest message ("" when it has none). */
    if (svc_msg_last(&rq->svc, ev->chat->id, &last, &last_time) != ERR_OK)
        return NULL;
    return json_pack("{s:s,s:o,s:{s:s,s:o,s:s,s:s}}", "schema", "2.0", "header",
                     fs_event_header(rq, app, event_id, type), "event", "chat_id",
                     ev->chat->chat_id, "operator_id",
                     fs_user_id_object(rq, app, ev->person->id), "last_message_id", last,
                     "last_message_create_time", last_time);
}

static json_t *body(struct svc_ctx *c, const struct chat_event *ev, int64_t app,
                    const char *event_id)
{
    struct req *rq = fs_req_of(c);
    const char *type = fs_chat_events.type[ev->kind];

    switch (ev->kind) {
    case CHAT_EV_P2P_CREATED:
        return p2p_created(rq, ev, app, event_id);
    case CHAT_EV_P2P_ENTERED:
        return p2p_entered(rq, ev, app, event_id, type);
    default:
        return member_body(rq, ev, app, event_id, type);
    }
}

const struct chat_event_format fs_chat_events = {
    .type = {
        [CHAT_EV_USERS_ADDED] = "im.chat.member.user.added_v1",
        [CHAT_EV_USERS_DELETED] = "im.chat.member.user.deleted_v1",
        [CHAT_EV_USERS_WITHDRAWN] = "im.chat.member.user.withdrawn_v1",
        [CHAT_EV_BOT_ADDED] = "im.chat.member.bot.added_v1",
        [CHAT_EV_BOT_DELETED] = "im.chat.member.bot.deleted_v1",
        [CHAT_EV_P2P_CREATED] = "p2p_chat_create",
        [CHAT_EV_P2P_ENTERED] = "im.chat.access_event.bot_p2p_chat_entered_v1",
    },
    .body = body,
};
