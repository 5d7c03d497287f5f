/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_pins.c - pinned messages ("Pin a message", "Remove a
 * Pin message", "Get the list of Pin messages in a group"): the routes'
 * rules, the pin object, the pin codes (2300 45-48) before the message
 * family's, and their limits (5 per second per message, a list budget per
 * app). The rules are svc_pins.c's.
 */
#include "dialect/feishu/fs.h"

#include "core/arena.h"
#include "core/cursor.h"

#define KEYS_PINS "PQ"
#define MS_MAX 4102444800000LL /* 2100-01-01 */

const struct field_rule fs_pin_rules[] = {
    { .name = "message_id", .type = JT_STRING, .flags = F_REQUIRED | F_NULL_BAD },
    { NULL },
};
const struct field_rule fs_q_pin_list[] = {
    { .name = "chat_id", .type = JT_STRING, .flags = F_REQUIRED },
    { .name = "start_time", .type = JT_INT, .flags = F_EMPTY_ABSENT | F_RANGE, .min = 0,
      .max = MS_MAX },
    { .name = "end_time", .type = JT_INT, .flags = F_EMPTY_ABSENT | F_RANGE, .min = 0,
      .max = MS_MAX },
    { .name = "page_size", .type = JT_INT, .flags = F_EMPTY_ABSENT | F_RANGE, .min = 1,
      .max = 50, .def = "20" },
    FS_Q_PAGE_TOKEN,
    { NULL },
};

static const struct dialect_error pin_errors[] = {
    { ERR_NOT_FOUND, SUBJ_CHAT, 400, 230045, "The chat not exist." },
    { ERR_FORBIDDEN, SUBJ_PIN, 400, 230046, "No Permission to Pin/Unpin messages in the chat." },
    { ERR_RATE_LIMITED, SUBJ_PIN, 400, 230047, "Pin/Unpin message trigger message_id limit." },
    { ERR_RATE_LIMITED, FS_SUBJ_PIN_LIST, 400, 230048, "Get chat pins trigger app_id limit." },
};

const struct dialect_error *fs_pin_error_lookup(enum err e, enum subj s)
{
    for (size_t i = 0; i < sizeof(pin_errors) / sizeof(pin_errors[0]); i++)
        if (pin_errors[i].err == e && pin_errors[i].subj == s)
            return &pin_errors[i];
    return NULL;
}

static json_t *pin_json(struct req *rq, const struct fs_pin_row *p)
{
    bool bot = p->op.kind == ACTOR_BOT;

    return json_pack("{s:s,s:s,s:s?,s:s,s:s}", "message_id", p->message_id, "chat_id",
                     p->chat_id, "operator_id", fs_actor_id(rq, "open_id", &p->op),
                     "operator_id_type", bot ? "app_id" : "open_id", "create_time",
                     arena_printf(rq->http->arena, "%lld", (long long)p->created_ms));
}

/* Pin and unpin: 5 a second per message ("Pin a message"). */
static enum err message_budget(struct req *rq, const char *message_id)
{
    return fs_msg_rate(rq, FS_RATE_PIN, cursor_scope_str(message_id));
}

enum err fs_pin_create(struct req *rq, json_t *body, json_t *out)
{
    struct fs_pin_row p;
    const char *id = json_str(body, "message_id");
    enum err e = svc_pin_add(&rq->svc, &rq->actor, id, &p);

    if (e == ERR_OK)
        e = message_budget(rq, id);
    if (e == ERR_OK)
        json_object_set_new(out, "pin", pin_json(rq, &p));
    return e;
}

enum err fs_pin_delete(struct req *rq, json_t *body, json_t *out)
{
    enum err e = svc_pin_remove(&rq->svc, &rq->actor, rq->params[0]);

    (void)body;
    (void)out;
    if (e == ERR_OK)
        e = message_budget(rq, rq->params[0]);
    return e;
}

enum err fs_pin_list(struct req *rq, json_t *body, json_t *out)
{
    struct pin_list q = { .chat_id = json_str(rq->query, "chat_id"), .to_ms = MS_MAX };
    uint64_t scope;
    int64_t keys[2] = { 0, 0 };
    struct fs_pin_row *rows;
    size_t n;
    bool more;
    json_t *items;
    enum err e;

    (void)body;
    json_int(rq->query, "start_time", &q.from_ms);
    json_int(rq->query, "end_time", &q.to_ms);
    scope = cursor_scope_str(arena_printf(rq->http->arena, "%s|%lld|%lld", q.chat_id,
                                          (long long)q.from_ms, (long long)q.to_ms));
    /* The list's own budget per app ("Get the list of Pin messages in a group"). */
    e = fs_msg_rate(rq, FS_RATE_PIN_LIST, (uint64_t)rq->app_ref);
    if (e != ERR_OK)
        return e;
    if (fs_page_in(rq, KEYS_PINS, scope, &q.limit, keys) != ERR_OK)
        return err_set(&rq->err, ERR_BAD_REQUEST, SUBJ_NONE, "invalid page_token");
    q.after_ms = keys[0];
    q.after = keys[1];
    e = svc_pin_list(&rq->svc, &rq->actor, &q, &rows, &n, &more);
    if (e != ERR_OK)
        return e;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, pin_json(rq, &rows[i]));
    json_object_set_new(out, "items", items);
    json_object_set_new(out, "has_more", json_boolean(more));
    if (more) {
        keys[0] = rows[n - 1].created_ms;
        keys[1] = rows[n - 1].message;
        json_out_str(out, "page_token", fs_page_token(rq, KEYS_PINS, scope, keys));
    }
    return ERR_OK;
}
