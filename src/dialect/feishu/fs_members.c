/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_members.c - chat members: add, remove, me_join, list,
 * is_in_chat (Feishu Open Platform: "将用户或机器人拉入群聊", "将用户或机器人移出群聊",
 * "用户或机器人主动加入群聊", "获取群成员列表", "判断用户或机器人是否在群里"). The rules
 * are svc_chat_members.c; the events it writes are spelled in
 * fs_member_events.c. Managers are fs_managers.c.
 */
#include "dialect/feishu/fs.h"

#include "core/arena.h"
#include "core/cursor.h"
#include "core/str.h"

#include <string.h>

#define CURSOR_MEMBERS "U"

/* The items of 'list' as strings, a non-string as NULL (it names nothing);
 * not an array, none. */
static const char *const *strings_of(struct req *rq, json_t *list, size_t *n)
{
    const char **out;
    json_t *v;
    size_t i;

    *n = json_is_array(list) ? json_array_size(list) : 0;
    out = arena_alloc(rq->http->arena, (*n + 1) * sizeof(*out));
    json_array_foreach(list, i, v)
        out[i] = json_string_value(v);
    return out;
}

const char *const *fs_strings(struct req *rq, json_t *body, const char *field, size_t *n)
{
    return strings_of(rq, json_object_get(body, field), n);
}

struct chat_ids fs_chat_ids(struct req *rq, json_t *body, const char *field)
{
    struct chat_ids ids = { .type = fs_id_type(rq, "member_id_type"), .field = field };

    ids.ids = strings_of(rq, json_object_get(body, field), &ids.n);
    return ids;
}

static json_t *id_list(const char *const *ids, size_t n)
{
    json_t *list = json_array();

    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_string(ids[i]));
    return list;
}

enum err fs_members_add(struct req *rq, json_t *body, json_t *out)
{
    struct chat_ids ids = fs_chat_ids(rq, body, "id_list");
    struct chat_member_result res;
    int64_t succeed = 0;
    enum err e;

    json_int(rq->query, "succeed_type", &succeed);
    e = svc_chat_members_add(&rq->svc, rq->params[0], &rq->actor, rq->app_ref, &ids,
                             (enum chat_unknown)succeed, &res);
    if (e != ERR_OK)
        return e;
    json_object_set_new(out, "invalid_id_list", json_array());
    json_object_set_new(out, "not_existed_id_list", id_list(res.not_existed, res.n_not_existed));
    json_object_set_new(out, "pending_approval_id_list", id_list(res.pending, res.npending));
    return ERR_OK;
}

enum err fs_members_remove(struct req *rq, json_t *body, json_t *out)
{
    struct chat_ids ids = fs_chat_ids(rq, body, "id_list");
    struct chat_member_result res;
    enum err e = svc_chat_members_remove(&rq->svc, rq->params[0], &rq->actor, rq->app_ref, &ids,
                                         &res);

    if (e == ERR_OK)
        json_object_set_new(out, "invalid_id_list", id_list(res.invalid, res.ninvalid));
    return e;
}

enum err fs_members_me_join(struct req *rq, json_t *body, json_t *out)
{
    (void)body;
    (void)out;
    return svc_chat_join(&rq->svc, rq->params[0], &rq->actor);
}

/* --- list and is_in_chat --- */

enum err fs_members_list(struct req *rq, json_t *body, json_t *out)
{
    const char *type = fs_id_type(rq, "member_id_type"), *tkey;
    uint64_t scope = cursor_scope_str(rq->params[0]);
    struct fs_member_person *rows;
    int64_t limit, after = 0, total = 0;
    json_t *items;
    bool more;
    size_t n;
    /* The token holds the last row's join sequence number: the keyset. */
    enum err e = fs_page_in(rq, CURSOR_MEMBERS, scope, &limit, &after);

    (void)body;
    if (e == ERR_OK)
        e = svc_chat_members_page(&rq->svc, rq->params[0], &rq->actor, rq->app_ref, after, limit,
                                  &rows, &n, &more, &total);
    if (e != ERR_OK)
        return e;
    tkey = fs_tenant_key(rq, rq->svc.tenant);
    items = json_array();
    for (size_t i = 0; i < n; i++) {
        const char *id = strcmp(type, "open_id") == 0    ? rows[i].open_id
                         : strcmp(type, "union_id") == 0 ? rows[i].union_id
                                                         : rows[i].user_id;

        json_t *item = json_object();

        /* Read back from the store: json_dump_arena checks the text. */
        json_out_text(item, "member_id_type", type);
        json_object_set_new_nocheck(item, "member_id", id ? json_string_nocheck(id) : json_null());
        json_out_text(item, "name", rows[i].name);
        json_out_text(item, "tenant_key", tkey);
        json_array_append_new(items, item);
    }
    json_object_set_new(out, "items", items);
    if (more)
        json_object_set_new(out, "page_token",
                            json_string(fs_page_token(rq, CURSOR_MEMBERS, scope, &rows[n - 1].seq)));
    json_object_set_new(out, "has_more", json_boolean(more));
    json_object_set_new(out, "member_total", json_integer(total));
    return ERR_OK;
}

/* Answers about the caller itself; a non-member gets false, not 232011. */
enum err fs_members_is_in_chat(struct req *rq, json_t *body, json_t *out)
{
    struct chat_view v;
    enum err e = svc_chat_open(&rq->svc, rq->params[0], &rq->actor, false, &v);

    (void)body;
    if (e == ERR_OK)
        json_object_set_new(out, "is_in_chat", json_boolean(v.member));
    return e;
}
