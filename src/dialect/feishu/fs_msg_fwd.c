/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_msg_fwd.c - the message endpoints past sending:
 * forward and merge-forward ("Forward a message", "Merge and forward
 * messages"), a message's readers ("Query the read status of a message"),
 * buzzes ("Send an urgent message in app / by SMS / by phone"), and the
 * body of im.message.message_read_v1 ("Message read"). Each reads its
 * fields and calls one svc operation (svc_msg_fwd.c, svc_msg_read.c).
 */
#include "dialect/feishu/fs.h"

#include "config/config.h"
#include "core/arena.h"
#include "core/cursor.h"

#include <string.h>

static struct msg_op op_of(struct req *rq, struct msg_events *ev)
{
    *ev = (struct msg_events){ fs_msg_received, fs_msg_recalled, rq };
    return (struct msg_op){ rq->actor, rq->app_ref, ev };
}

static json_t *string_list(const char *const *ids, size_t n)
{
    json_t *list = json_array();

    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_string(ids[i]));
    return list;
}

/* The copy went into a chat: that chat's budget of messages, as a send's. */
static enum err chat_budget(struct req *rq, const struct fs_msg_row *m)
{
    return fs_msg_rate(rq, FS_RATE_CHAT, (uint64_t)m->chat);
}

enum err fs_msg_forward(struct req *rq, json_t *body, json_t *out)
{
    struct msg_events ev;
    struct msg_op o = op_of(rq, &ev);
    struct msg_forward f = { .receive_id_type = json_str(rq->query, "receive_id_type"),
                             .receive_id = json_str(body, "receive_id"),
                             .uuid = json_str(rq->query, "uuid"),
                             .message_id = rq->params[0] };
    struct fs_msg_view how = { .id_type = NULL };
    struct fs_msg_row m;
    enum err e = svc_msg_forward(&rq->svc, &o, &f, &m);

    if (e == ERR_OK)
        e = chat_budget(rq, &m);
    if (e == ERR_OK)
        json_object_update_new(out, fs_msg_json(rq, &m, &how));
    return e;
}

enum err fs_msg_merge_forward(struct req *rq, json_t *body, json_t *out)
{
    struct msg_events ev;
    struct msg_op o = op_of(rq, &ev);
    struct msg_forward f = { .receive_id_type = json_str(rq->query, "receive_id_type"),
                             .receive_id = json_str(body, "receive_id"),
                             .uuid = json_str(rq->query, "uuid") };
    struct fs_msg_view how = { .id_type = NULL };
    struct msg_merge_result res;
    struct fs_msg_row m;
    enum err e;

    f.ids = fs_strings(rq, body, "message_id_list", &f.n);
    e = svc_msg_merge_forward(&rq->svc, &o, &f, &m, &res);
    /* Nothing to merge: the plural wording of 230064 and 230065. */
    if (e != ERR_OK && rq->err.subj == SUBJ_FORWARD && (e == ERR_NOT_FOUND || e == ERR_GONE))
        rq->err.subj = FS_SUBJ_MERGED;
    if (e == ERR_OK)
        e = chat_budget(rq, &m);
    if (e != ERR_OK)
        return e;
    json_object_set_new(out, "message", fs_msg_json(rq, &m, &how));
    json_object_set_new(out, "invalid_message_id_list", string_list(res.invalid, res.ninvalid));
    return ERR_OK;
}

/* read_users and the buzzes name a recalled message 230110. */
static enum err deleted_is_230110(struct req *rq, enum err e)
{
    if (e == ERR_GONE && rq->err.subj == SUBJ_MESSAGE)
        rq->err.subj = FS_SUBJ_DELETED;
    return e;
}

#define KEYS_READERS "ti" /* a page token: the last reader's (read time, person) */

enum err fs_msg_read_users(struct req *rq, json_t *body, json_t *out)
{
    struct msg_events ev;
    struct msg_op o = op_of(rq, &ev);
    const char *type = fs_id_type(rq, "user_id_type"), *tkey = NULL;
    uint64_t scope = cursor_scope_str(arena_printf(rq->http->arena, "%s|%s", rq->params[0], type));
    int64_t limit = 20, keys[2] = { 0, 0 };
    struct fs_read_row *rows;
    json_t *items;
    size_t n;
    bool more;
    enum err e;

    (void)body;
    /* A token of another message or id type is the family's 230001 (unconfirmed). */
    if (fs_page_in(rq, KEYS_READERS, scope, &limit, keys) != ERR_OK)
        return err_set(&rq->err, ERR_BAD_REQUEST, SUBJ_NONE, "invalid page_token");
    e = deleted_is_230110(rq, svc_msg_read_users(&rq->svc, &o, rq->params[0], keys[0], keys[1],
                                                 limit, &rows, &n, &more));
    if (e == ERR_OK)
        e = fs_tenant_key_get(rq, rq->svc.tenant, &tkey);
    if (e != ERR_OK)
        return e;
    items = json_array();
    for (size_t i = 0; i < n; i++) {
        const char *id = fs_actor_id(rq, type, &(struct actor){ ACTOR_USER, rows[i].person });

        json_array_append_new(items, json_pack("{s:s,s:s?,s:s,s:s}", "user_id_type", type,
                                               "user_id", id, "timestamp",
                                               arena_printf(rq->http->arena, "%lld",
                                                            (long long)rows[i].read_ms),
                                               "tenant_key", tkey));
    }
    json_object_set_new(out, "items", items);
    json_object_set_new(out, "has_more", json_boolean(more));
    if (more) {
        keys[0] = rows[n - 1].read_ms;
        keys[1] = rows[n - 1].person;
        json_out_str(out, "page_token", fs_page_token(rq, KEYS_READERS, scope, keys));
    }
    return ERR_OK;
}

enum err fs_msg_urgent(struct req *rq, json_t *body, json_t *out)
{
    static const char *const kinds[][2] = { { "/urgent_app", "app" },
                                            { "/urgent_sms", "sms" },
                                            { "/urgent_phone", "phone" } };
    struct msg_events ev;
    struct msg_op o = op_of(rq, &ev);
    const char *path = rq->route->path;
    struct msg_urgent u = { .kind = "app", .id_type = fs_id_type(rq, "user_id_type"),
                            .quota = rq->app->cfg->feishu_urgent_quota };
    struct msg_merge_result res;
    enum err e;

    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        size_t pl = strlen(path), kl = strlen(kinds[i][0]);

        if (pl > kl && strcmp(path + pl - kl, kinds[i][0]) == 0)
            u.kind = kinds[i][1];
    }
    u.ids = fs_strings(rq, body, "user_id_list", &u.n);
    e = deleted_is_230110(rq, svc_msg_urgent(&rq->svc, &o, rq->params[0], &u, &res));
    if (e == ERR_OK)
        json_object_set_new(out, "invalid_user_id_list", string_list(res.invalid, res.ninvalid));
    return e;
}

json_t *fs_msg_read_body(void *arg, int64_t app, const char *event_id, const struct fs_msg_row *m,
                         int64_t reader, int64_t read_ms)
{
    struct req *rq = arg;

    return json_pack("{s:s,s:o,s:{s:{s:o,s:s,s:s},s:[s]}}", "schema", "2.0", "header",
                     fs_event_header(rq, app, event_id, "im.message.message_read_v1"), "event",
                     "reader", "reader_id", fs_user_id_object(rq, app, reader), "read_time",
                     arena_printf(rq->http->arena, "%lld", (long long)read_ms), "tenant_key",
                     fs_tenant_key(rq, m->tenant_id), "message_id_list", m->message_id);
}
