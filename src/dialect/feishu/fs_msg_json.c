/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_msg_json.c - a message as Feishu spells it: the message
 * object of the API (as "Get the content of a specified message" returns
 * it) and the bodies of im.message.receive_v1 and im.message.recalled_v1
 * ("Receive messages", "Message recalled"), with ids as each reading app
 * sees them.
 */
#include "dialect/feishu/fs.h"

#include "core/arena.h"
#include "core/str.h"

#include <string.h>

#define RECALLED_TEXT "This message was recalled"

static const char *ms(struct req *rq, int64_t v)
{
    char buf[STR_I64_MAX];
    size_t n;
    const char *p = str_i64(buf, v, &n);

    return arena_strndup(rq->http->arena, p, n);
}

/* A person's id of 'type' for 'app', or NULL. */
static const char *person_id(struct req *rq, int64_t app, int64_t person, const char *type)
{
    struct fs_person_ids ids;

    if (svc_msg_person_ids(&rq->svc, app, person, &ids) != ERR_OK)
        return NULL;
    if (strcmp(type, "union_id") == 0)
        return ids.union_id;
    if (strcmp(type, "user_id") == 0)
        return ids.user_id;
    return ids.open_id;
}

static json_t *sender_json(struct req *rq, const struct fs_msg_row *m, int64_t app,
                           const char *type, struct fs_msg_view *how)
{
    const char *tkey = fs_tenant_key(rq, m->tenant_id);
    bool bot = m->sender.kind == ACTOR_BOT;

    if (how->last.kind != m->sender.kind || how->last.ref != m->sender.ref) {
        how->last = m->sender;
        how->last_id = NULL;
        if (bot)
            svc_fs_app_ids(&rq->svc, m->sender.ref, &how->last_id, NULL);
        else
            how->last_id = person_id(rq, app, m->sender.ref, type);
    }
    {
        json_t *o = json_object();

        /* Read back from the store: json_dump_arena checks the text. */
        json_object_set_new_nocheck(o, "id",
                                    how->last_id ? json_string_nocheck(how->last_id) : json_null());
        json_out_text(o, "id_type", bot ? "app_id" : type);
        json_out_text(o, "sender_type", bot ? "app" : "user");
        json_out_text(o, "tenant_key", tkey);
        return o;
    }
}

/* The API's mentions[]: people in 'type', bots by their open_id (app_id
 * with another user_id_type); @all has no entry (unconfirmed). */
static json_t *mentions_json(struct req *rq, const struct fs_msg_row *m, int64_t app,
                             const char *type)
{
    struct msg_mention *mm;
    size_t n = svc_msg_mentions(rq->http->arena, m->mentions, &mm);
    const char *tkey = fs_tenant_key(rq, m->tenant_id);
    json_t *arr = json_array();

    for (size_t i = 0; i < n; i++) {
        const char *id = NULL, *app_id = NULL, *id_type = type;

        if (mm[i].kind == MENTION_USER) {
            id = person_id(rq, app, mm[i].ref, type);
        } else if (mm[i].kind == MENTION_BOT
                   && svc_fs_app_ids(&rq->svc, mm[i].ref, &app_id, NULL) == ERR_OK) {
            bool open = strcmp(type, "open_id") == 0;

            id = open ? svc_fs_bot_open_id(rq->http->arena, app_id) : app_id;
            id_type = open ? "open_id" : "app_id";
        } else {
            continue;
        }
        json_array_append_new(arr, json_pack("{s:s,s:s?,s:s,s:s,s:s}", "key", mm[i].key, "id",
                                             id, "id_type", id_type, "name",
                                             mm[i].name ? mm[i].name : "", "tenant_key", tkey));
    }
    return arr;
}

json_t *fs_msg_json(struct req *rq, const struct fs_msg_row *m, struct fs_msg_view *how)
{
    json_t *o = json_object(), *body = json_object(), *mentions;
    const char *type = how->id_type ? how->id_type : "open_id";

    /* Read back from the store: json_dump_arena checks the text. */
    json_out_text(o, "message_id", m->message_id);
    json_out_text(o, "root_id", m->root_id);
    json_out_text(o, "parent_id", m->parent_id);
    json_out_text(o, "thread_id", m->thread_id);
    json_out_text(o, "msg_type", m->msg_type);
    json_out_text(o, "create_time", ms(rq, m->created_ms));
    json_out_text(o, "update_time", ms(rq, m->updated_ms));
    json_object_set_new(o, "deleted", json_boolean(m->deleted));
    json_object_set_new(o, "updated", json_boolean(m->updated));
    json_out_text(o, "chat_id", m->chat_id);
    json_object_set_new(o, "sender", sender_json(rq, m, rq->app_ref, type, how));
    if (m->upper_id != NULL)
        json_out_str(o, "upper_message_id", m->upper_id);
    if (!m->deleted)
        json_out_text(body, "content",
                      how->raw_cards && strcmp(m->msg_type, "interactive") == 0 ? m->content
                                                                                : m->body);
    else if (how->recalled_text)
        json_out_str(body, "content", RECALLED_TEXT);
    json_object_set_new(o, "body", body);
    mentions = mentions_json(rq, m, rq->app_ref, type);
    if (json_array_size(mentions) > 0)
        json_object_set_new(o, "mentions", mentions);
    else
        json_decref(mentions);
    return o;
}

/* --- events --- */

static json_t *event_mentions(struct req *rq, const struct fs_msg_row *m, int64_t app)
{
    struct msg_mention *mm;
    size_t n = svc_msg_mentions(rq->http->arena, m->mentions, &mm);
    const char *tkey = fs_tenant_key(rq, m->tenant_id);
    json_t *arr = json_array();

    for (size_t i = 0; i < n; i++) {
        json_t *id;
        const char *app_id = NULL;

        if (mm[i].kind == MENTION_USER)
            id = fs_user_id_object(rq, app, mm[i].ref);
        else if (mm[i].kind == MENTION_BOT
                 && svc_fs_app_ids(&rq->svc, mm[i].ref, &app_id, NULL) == ERR_OK)
            id = json_pack("{s:s,s:s,s:s}", "union_id", "", "user_id", "", "open_id",
                           svc_fs_bot_open_id(rq->http->arena, app_id));
        else
            id = json_pack("{s:s,s:s,s:s}", "union_id", "", "user_id", "", "open_id", "");
        json_array_append_new(arr, json_pack("{s:s,s:o,s:s,s:s,s:s}", "key", mm[i].key, "id", id,
                                             "mentioned_type",
                                             mm[i].kind == MENTION_BOT ? "bot" : "user", "name",
                                             mm[i].name ? mm[i].name : "", "tenant_key", tkey));
    }
    return arr;
}

json_t *fs_msg_received(void *arg, int64_t app, const char *event_id, const struct fs_msg_row *m,
                        const struct fs_chat_row *chat)
{
    struct req *rq = arg;
    const char *tkey = fs_tenant_key(rq, m->tenant_id);
    json_t *sender, *msg;

    if (m->sender.kind == ACTOR_BOT) {
        const char *app_id = "";

        svc_fs_app_ids(&rq->svc, m->sender.ref, &app_id, NULL);
        /* A bot sender: "app" (the doc says "bot"; unconfirmed). */
        sender = json_pack("{s:{s:s,s:s,s:s},s:s,s:s}", "sender_id", "union_id", "", "user_id",
                           "", "open_id", svc_fs_bot_open_id(rq->http->arena, app_id),
                           "sender_type", "app", "tenant_key", tkey);
    } else {
        sender = json_pack("{s:o,s:s,s:s}", "sender_id", fs_user_id_object(rq, app, m->sender.ref),
                           "sender_type", "user", "tenant_key", tkey);
    }
    msg = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "message_id", m->message_id, "create_time",
                    ms(rq, m->created_ms), "update_time", ms(rq, m->updated_ms), "chat_id",
                    m->chat_id, "chat_type",
                    strcmp(chat->chat_mode, "p2p") == 0 ? "p2p" : "group", "message_type",
                    m->msg_type, "content", m->body);
    if (m->root_id != NULL)
        json_out_str(msg, "root_id", m->root_id);
    if (m->parent_id != NULL)
        json_out_str(msg, "parent_id", m->parent_id);
    if (m->thread_id != NULL)
        json_out_str(msg, "thread_id", m->thread_id);
    json_object_set_new(msg, "mentions", event_mentions(rq, m, app));
    return json_pack("{s:s,s:o,s:{s:o,s:o}}", "schema", "2.0", "header",
                     fs_event_header(rq, app, event_id, "im.message.receive_v1"), "event",
                     "sender", sender, "message", msg);
}

json_t *fs_msg_recalled(void *arg, int64_t app, const char *event_id, const struct fs_msg_row *m,
                        const char *recall_type)
{
    struct req *rq = arg;

    return json_pack("{s:s,s:o,s:{s:s,s:s,s:s,s:s}}", "schema", "2.0", "header",
                     fs_event_header(rq, app, event_id, "im.message.recalled_v1"), "event",
                     "message_id", m->message_id, "chat_id", m->chat_id, "recall_time",
                     ms(rq, rq->svc.now * 1000), "recall_type", recall_type);
}
