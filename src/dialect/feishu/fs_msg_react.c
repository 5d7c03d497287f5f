/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_msg_react.c - reactions on messages ("Add a reaction
 * for a message", "Get the list of reactions for a message", "Delete a
 * reaction for a message"): their routes' rules, the reaction object, the
 * bodies of im.message.reaction.created_v1 / deleted_v1 ("Message reaction
 * added", "Message reaction deleted"), and their 231xxx codes, which come
 * before the message family's. The rules are svc_msg_react.c's.
 */
#include "dialect/feishu/fs.h"

#include "core/arena.h"
#include "core/cursor.h"

#include <string.h>

#define KEYS_REACTIONS "R"
#define NO_MESSAGE "The message is not found, maybe not exist or deleted."

static const struct field_rule reaction_type_fields[] = {
    { .name = "emoji_type", .type = JT_STRING, .flags = F_REQUIRED | F_NULL_BAD },
    { NULL },
};
const struct field_rule fs_reaction_rules[] = {
    { .name = "reaction_type", .type = JT_OBJECT, .flags = F_REQUIRED | F_NULL_BAD,
      .fields = reaction_type_fields },
    { NULL },
};
const struct field_rule fs_q_reaction_list[] = {
    { .name = "reaction_type", .type = JT_STRING, .flags = F_EMPTY_ABSENT },
    { .name = "page_size", .type = JT_INT, .flags = F_EMPTY_ABSENT | F_RANGE, .min = 1,
      .max = 50, .def = "20" },
    FS_Q_PAGE_TOKEN,
    FS_Q_ID_TYPE("user_id_type", fs_user_id_types, SUBJ_ID_TYPE),
    { NULL },
};

/* The codes of the reaction pages (exact rows only: the rest is the
 * message family's). Not being in the chat reads 231002 when reacting,
 * 231008 otherwise. */
static const struct dialect_error react_errors[] = {
    { ERR_BAD_REQUEST, SUBJ_REACTION, 400, 231001, "reaction type is invalid." },
    { ERR_NOT_FOUND, SUBJ_MESSAGE, 400, 231003, NO_MESSAGE },
    { ERR_GONE, SUBJ_MESSAGE, 400, 231003, NO_MESSAGE },
    { ERR_FORBIDDEN, SUBJ_MEMBERSHIP, 400, 231008, "The operator has no access to the message." },
    { ERR_FORBIDDEN, SUBJ_REACTION, 400, 231007,
      "The operator has no permission to delete this reaction." },
    { ERR_CONFLICT, SUBJ_REACTION, 400, 231010, "The reaction does not belong to the message." },
    { ERR_NOT_FOUND, SUBJ_REACTION, 400, 231011, "The request has an invalid reaction_id." },
    { ERR_BAD_REQUEST, FS_SUBJ_CURSOR, 400, 231012, "The request has an invalid pageToken." },
    { ERR_BAD_REQUEST, SUBJ_ID_TYPE, 400, 231014, "user_id_type is invalid." },
    { ERR_BAD_REQUEST, SUBJ_MSG_TYPE, 400, 231017,
      "This operation is not supported for this message type." },
};
static const struct dialect_error react_no_permission = {
    ERR_FORBIDDEN, SUBJ_MEMBERSHIP, 400, 231002,
    "The operator has no permission to react on the specific message."
};

const struct dialect_error *fs_react_error_lookup(struct req *rq, enum err e, enum subj s)
{
    if (e == ERR_FORBIDDEN && s == SUBJ_MEMBERSHIP && rq->route->method == HTTP_POST)
        return &react_no_permission;
    for (size_t i = 0; i < sizeof(react_errors) / sizeof(react_errors[0]); i++)
        if (react_errors[i].err == e && react_errors[i].subj == s)
            return &react_errors[i];
    return NULL;
}

static const char *ms(struct req *rq, int64_t v)
{
    return arena_printf(rq->http->arena, "%lld", (long long)v);
}

json_t *fs_reaction_json(struct req *rq, const struct fs_reaction_row *r, const char *id_type)
{
    bool bot = r->op.kind == ACTOR_BOT;

    return json_pack("{s:s,s:{s:s?,s:s},s:s,s:{s:s}}", "reaction_id", r->reaction_id, "operator",
                     "operator_id", fs_actor_id(rq, id_type, &r->op), "operator_type",
                     bot ? "app" : "user", "action_time", ms(rq, r->created_ms),
                     "reaction_type", "emoji_type", r->emoji_type);
}

json_t *fs_reaction_event(void *arg, int64_t app, const char *event_id,
                          const struct fs_reaction_row *r, const char *message_id, bool created,
                          int64_t action_ms)
{
    struct req *rq = arg;
    json_t *ev = json_pack("{s:s,s:{s:s},s:s,s:s}", "message_id", message_id, "reaction_type",
                           "emoji_type", r->emoji_type, "operator_type",
                           r->op.kind == ACTOR_BOT ? "app" : "user", "action_time",
                           ms(rq, action_ms));
    const char *app_id = NULL;

    /* One operator type and only its id ("Message reaction added" shows both). */
    if (r->op.kind == ACTOR_BOT) {
        if (svc_fs_app_ids(&rq->svc, r->op.ref, &app_id, NULL) != ERR_OK) {
            json_decref(ev);
            return NULL;
        }
        json_out_str(ev, "app_id", app_id);
    } else {
        json_t *id = fs_user_id_object(rq, app, r->op.ref);

        if (id == NULL) {
            json_decref(ev);
            return NULL;
        }
        json_object_set_new(ev, "user_id", id);
    }
    return json_pack("{s:s,s:o,s:o}", "schema", "2.0", "header",
                     fs_event_header(rq, app, event_id,
                                     created ? "im.message.reaction.created_v1"
                                             : "im.message.reaction.deleted_v1"),
                     "event", ev);
}

static struct reaction_op op_of(struct req *rq)
{
    return (struct reaction_op){ rq->actor, rq->app_ref, fs_reaction_event, rq };
}

enum err fs_reaction_create(struct req *rq, json_t *body, json_t *out)
{
    struct reaction_op o = op_of(rq);
    struct fs_reaction_row r;
    const char *emoji = json_str(json_object_get(body, "reaction_type"), "emoji_type");
    enum err e = svc_reaction_add(&rq->svc, &o, rq->params[0], emoji, &r);

    if (e == ERR_OK)
        json_object_update_new(out, fs_reaction_json(rq, &r, "open_id"));
    return e;
}

enum err fs_reaction_list(struct req *rq, json_t *body, json_t *out)
{
    struct reaction_op o = op_of(rq);
    const char *type = fs_id_type(rq, "user_id_type");
    struct reaction_list q = { .message_id = rq->params[0],
                               .emoji_type = json_str(rq->query, "reaction_type") };
    uint64_t scope = cursor_scope_str(arena_printf(rq->http->arena, "%s|%s", q.message_id,
                                                   q.emoji_type ? q.emoji_type : ""));
    struct fs_reaction_row *rows;
    size_t n;
    bool more;
    json_t *items;
    enum err e;

    (void)body;
    if (fs_page_in(rq, KEYS_REACTIONS, scope, &q.limit, &q.after) != ERR_OK)
        return err_set(&rq->err, ERR_BAD_REQUEST, FS_SUBJ_CURSOR, "page_token");
    e = svc_reaction_list(&rq->svc, &o, &q, &rows, &n, &more);
    if (e != ERR_OK)
        return e;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, fs_reaction_json(rq, &rows[i], type));
    json_object_set_new(out, "items", items);
    json_object_set_new(out, "has_more", json_boolean(more));
    if (more)
        json_out_str(out, "page_token", fs_page_token(rq, KEYS_REACTIONS, scope, &rows[n - 1].id));
    return ERR_OK;
}

enum err fs_reaction_delete(struct req *rq, json_t *body, json_t *out)
{
    struct reaction_op o = op_of(rq);
    struct fs_reaction_row r;
    enum err e = svc_reaction_delete(&rq->svc, &o, rq->params[0], rq->params[1], NULL, &r);

    (void)body;
    if (e == ERR_OK)
        json_object_update_new(out, fs_reaction_json(rq, &r, "open_id"));
    return e;
}
