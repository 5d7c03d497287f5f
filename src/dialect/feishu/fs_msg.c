/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_msg.c - the message endpoints (POST /open-apis/im/v1/messages
 * and the operations on /open-apis/im/v1/messages/:message_id):
 * send, reply, get, list, recall, edit, card update. Each reads its fields
 * and calls one svc_msg_ operation; the rules are in svc/svc_msg*.c.
 */
#include "dialect/feishu/fs.h"

#include "core/arena.h"
#include "core/cursor.h"

#include <string.h>

static struct msg_op op_of(struct req *rq, struct msg_events *ev)
{
    *ev = (struct msg_events){ fs_msg_received, fs_msg_recalled, rq };
    return (struct msg_op){ rq->actor, rq->app_ref, ev };
}

/* How send, reply and edit answer: ids as open_ids, cards simplified. */
static struct fs_msg_view send_view(void)
{
    return (struct fs_msg_view){ .id_type = NULL };
}

/* Messages into one chat (a person's p2p chat included): the chat's own
 * budget, shared by every sender ("Send a message": 5 QPS per chat). Over
 * it, the request fails and its transaction, the message with it, rolls
 * back. */
static enum err chat_budget(struct req *rq, const struct fs_msg_row *m)
{
    return fs_msg_rate(rq, FS_RATE_CHAT, m->chat);
}

static enum err send_common(struct req *rq, const struct msg_send *s, json_t *out)
{
    struct msg_events ev;
    struct msg_op o = op_of(rq, &ev);
    struct fs_msg_row m;
    struct fs_msg_view how = send_view();
    enum err e = svc_msg_send(&rq->svc, &o, s, &m);

    if (e == ERR_OK)
        e = chat_budget(rq, &m);
    if (e == ERR_OK)
        json_object_update_new(out, fs_msg_json(rq, &m, &how));
    return e;
}

enum err fs_msg_send(struct req *rq, json_t *body, json_t *out)
{
    struct msg_send s = { .receive_id_type = json_str(rq->query, "receive_id_type"),
                          .receive_id = json_str(body, "receive_id"),
                          .msg_type = json_str(body, "msg_type"),
                          .content = json_str(body, "content"),
                          .uuid = json_str(body, "uuid") };

    return send_common(rq, &s, out);
}

enum err fs_msg_reply(struct req *rq, json_t *body, json_t *out)
{
    struct msg_send s = { .reply_to = rq->params[0],
                          .reply_in_thread = json_is_true(json_object_get(body, "reply_in_thread")),
                          .msg_type = json_str(body, "msg_type"),
                          .content = json_str(body, "content"),
                          .uuid = json_str(body, "uuid") };

    return send_common(rq, &s, out);
}

static bool raw_cards(struct req *rq)
{
    const char *t = json_str(rq->query, "card_msg_content_type");

    return t != NULL && strcmp(t, "user_card_content") == 0;
}

enum err fs_msg_get(struct req *rq, json_t *body, json_t *out)
{
    struct msg_events ev;
    struct msg_op o = op_of(rq, &ev);
    struct fs_msg_view how = { fs_id_type(rq, "user_id_type"), raw_cards(rq), false, { 0, 0 },
                               NULL };
    struct fs_msg_row m, *parts;
    size_t n = 0;
    json_t *items;
    enum err e = svc_msg_get(&rq->svc, &o, rq->params[0], &m);

    (void)body;
    /* A merged message comes with its parts, each naming its holder. */
    if (e == ERR_OK)
        e = svc_msg_parts(&rq->svc, &m, &parts, &n);
    if (e != ERR_OK)
        return e;
    items = json_pack("[o]", fs_msg_json(rq, &m, &how));
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, fs_msg_json(rq, &parts[i], &how));
    json_object_set_new(out, "items", items);
    return ERR_OK;
}

/* Unix seconds of a time-range parameter, as milliseconds ('dflt' absent). */
static int64_t range_ms(struct req *rq, const char *key, int64_t dflt)
{
    int64_t s;

    return json_int(rq->query, key, &s) ? s * 1000 + (dflt > 0 ? 999 : 0) : dflt;
}

enum err fs_msg_list(struct req *rq, json_t *body, json_t *out)
{
    struct msg_events ev;
    struct msg_op o = op_of(rq, &ev);
    struct fs_msg_view how = { "open_id", raw_cards(rq), true, { 0, 0 }, NULL };
    const char *type = json_str(rq->query, "container_id_type");
    const char *sort = json_str(rq->query, "sort_type");
    struct msg_list q = { .thread = strcmp(type, "thread") == 0,
                          .container_id = json_str(rq->query, "container_id"),
                          .from_ms = range_ms(rq, "start_time", 0),
                          .to_ms = range_ms(rq, "end_time", INT64_MAX),
                          .desc = sort != NULL && strcmp(sort, "ByCreateTimeDesc") == 0 };
    uint64_t scope = cursor_scope_str(
        arena_printf(rq->http->arena, "%s|%s|%d|%lld|%lld", type, q.container_id, q.desc,
                     (long long)q.from_ms, (long long)q.to_ms));
    struct fs_msg_row *rows;
    int64_t keys[2] = { 0, 0 };
    size_t n;
    bool more;
    json_t *items;
    enum err e;

    (void)body;
    if (q.thread && (json_object_get(rq->query, "start_time") != NULL
                     || json_object_get(rq->query, "end_time") != NULL))
        return err_set(&rq->err, ERR_BAD_REQUEST, SUBJ_NONE,
                       "start_time and end_time are not supported for threads");
    if (q.to_ms < q.from_ms)
        return err_set(&rq->err, ERR_BAD_REQUEST, SUBJ_NONE,
                       "The end_time is earlier than the start_time");
    if (fs_page_in(rq, "MI", scope, &q.limit, keys) != ERR_OK)
        return err_set(&rq->err, ERR_BAD_REQUEST, SUBJ_NONE,
                       "the request parameters have changed, page_token is invalid");
    if (q.limit > 50)
        return err_set(&rq->err, ERR_BAD_REQUEST, SUBJ_NONE, "The page_size exceeds the limit");
    q.after_ms = keys[0];
    q.after = keys[1];
    e = svc_msg_list(&rq->svc, &o, &q, &rows, &n, &more);
    if (e != ERR_OK)
        return e;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, fs_msg_json(rq, &rows[i], &how));
    json_object_set_new(out, "has_more", json_boolean(more));
    if (more) {
        keys[0] = rows[n - 1].created_ms;
        keys[1] = rows[n - 1].id;
        json_out_str(out, "page_token", fs_page_token(rq, "MI", scope, keys));
    }
    json_object_set_new(out, "items", items);
    return ERR_OK;
}

enum err fs_msg_recall(struct req *rq, json_t *body, json_t *out)
{
    struct msg_events ev;
    struct msg_op o = op_of(rq, &ev);

    (void)body;
    (void)out;
    return svc_msg_recall(&rq->svc, &o, rq->params[0]);
}

enum err fs_msg_edit(struct req *rq, json_t *body, json_t *out)
{
    struct msg_events ev;
    struct msg_op o = op_of(rq, &ev);
    struct fs_msg_row m;
    struct fs_msg_view how = send_view();
    enum err e;

    if (rq->actor.kind != ACTOR_BOT)
        return err_set(&rq->err, ERR_UNAUTHENTICATED, SUBJ_USER_TOKEN,
                       "editing takes a tenant token");
    e = svc_msg_edit(&rq->svc, &o, rq->params[0], json_str(body, "msg_type"),
                     json_str(body, "content"), &m);
    if (e == ERR_OK)
        e = chat_budget(rq, &m);
    if (e == ERR_OK)
        json_object_update_new(out, fs_msg_json(rq, &m, &how));
    return e;
}

enum err fs_msg_patch(struct req *rq, json_t *body, json_t *out)
{
    struct msg_events ev;
    struct msg_op o = op_of(rq, &ev);
    enum err e = svc_msg_patch_card(&rq->svc, &o, rq->params[0], json_str(body, "content"));

    (void)out;
    if (e == ERR_OK)
        e = fs_msg_rate(rq, FS_RATE_CARD, cursor_scope_str(rq->params[0]));
    return e;
}
