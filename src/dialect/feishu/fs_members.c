/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_members.c - chat members: add, remove, me_join, list,
 * is_in_chat (official documentation: "Add users or bots to a group",
 * "Remove users or bots from a group", "Users or bots join a group
 * actively", "Obtain the group member list", "Determine whether a user or
 * bot is in a group"). The rules are svc_chat_members.c; the events it
 * writes are spelled in fs_member_events.c. Managers are fs_managers.c.
 */
#include "dialect/feishu/fs.h"

#include "core/arena.h"
#include "core/cursor.h"
#include "core/str.h"

#include <string.h>

#define CURSOR_MEMBERS 'U'

/* member_id_type: open_id (default), union_id, user_id, and app_id
 * where 'bots_ok'. */
enum err fs_member_id_type(struct req *rq, bool bots_ok, const char **type)
{
    static const char *const types[] = { "open_id", "union_id", "user_id", "app_id" };
    const char *t = dialect_query(rq, "member_id_type");

    *type = "open_id";
    if (t == NULL || *t == '\0')
        return ERR_OK;
    for (size_t i = 0; i < (bots_ok ? 4u : 3u); i++) {
        if (strcmp(t, types[i]) == 0) {
            *type = types[i];
            return ERR_OK;
        }
    }
    return fs_bad(rq, "member_id_type");
}

/* The ids of 'field' in 'body' as svc takes them: absent is an empty list
 * (svc answers that), anything but an array of non-empty strings is 232001
 * (a non-array too, unless 'nonarray_empty'). */
enum err fs_chat_ids(struct req *rq, json_t *body, const char *field, const char *type,
                     bool nonarray_empty, struct chat_ids *ids)
{
    json_t *list = json_object_get(body, field), *v;
    const char **out;
    size_t i;

    *ids = (struct chat_ids){ .type = type, .field = field };
    if (list != NULL && !json_is_array(list) && !nonarray_empty)
        return fs_bad(rq, field);
    if (!json_is_array(list))
        return ERR_OK;
    out = arena_alloc(rq->http->arena, (json_array_size(list) + 1) * sizeof(*out));
    json_array_foreach(list, i, v) {
        if (!json_is_string(v) || json_string_length(v) == 0)
            return fs_bad(rq, field);
        out[i] = json_string_value(v);
    }
    ids->ids = out;
    ids->n = json_array_size(list);
    return ERR_OK;
}

enum err fs_strings(struct req *rq, json_t *body, const char *field, const char *const **list,
                    size_t *n)
{
    json_t *a = json_object_get(body, field), *v;
    const char **out;
    size_t i;

    if (!json_is_array(a))
        return fs_bad(rq, field);
    *n = json_array_size(a);
    out = arena_alloc(rq->http->arena, (*n + 1) * sizeof(*out));
    json_array_foreach(a, i, v)
        out[i] = json_string_value(v);
    *list = out;
    return ERR_OK;
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
    const char *type, *st = dialect_query(rq, "succeed_type");
    struct chat_member_result res;
    struct chat_ids ids;
    int64_t succeed = 0;
    enum err e = fs_member_id_type(rq, true, &type);

    if (e == ERR_OK)
        e = fs_chat_ids(rq, body, "id_list", type, false, &ids);
    if (e == ERR_OK && st != NULL && *st != '\0' && !str_to_i64(st, 0, 2, &succeed))
        e = fs_bad(rq, "succeed_type");
    if (e == ERR_OK)
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
    struct chat_member_result res;
    struct chat_ids ids;
    const char *type;
    enum err e = fs_member_id_type(rq, true, &type);

    if (e == ERR_OK)
        e = fs_chat_ids(rq, body, "id_list", type, false, &ids);
    if (e == ERR_OK)
        e = svc_chat_members_remove(&rq->svc, rq->params[0], &rq->actor, rq->app_ref, &ids,
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
    const char *type, *ps = dialect_query(rq, "page_size"), *pt = dialect_query(rq, "page_token");
    struct fs_member_person *rows;
    int64_t limit = 20, after = 0, total = 0;
    const char *tkey;
    json_t *items;
    bool more;
    size_t n;
    enum err e;

    (void)body;
    e = fs_member_id_type(rq, false, &type);
    if (e == ERR_OK && ps != NULL && *ps != '\0' && !str_to_i64(ps, 1, 100, &limit))
        e = fs_bad(rq, "page_size");
    /* The token holds the last row's join sequence number: the keyset. */
    if (e == ERR_OK && pt != NULL && *pt != '\0'
        && !cursor_decode(pt, CURSOR_MEMBERS, cursor_scope_str(rq->params[0]), &after))
        e = fs_bad(rq, "page_token");
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

        json_array_append_new(items, json_pack("{s:s,s:s?,s:s,s:s}", "member_id_type", type,
                                               "member_id", id, "name", rows[i].name,
                                               "tenant_key", tkey));
    }
    json_object_set_new(out, "items", items);
    if (more)
        json_object_set_new(out, "page_token",
                            json_string(cursor_encode(rq->http->arena, CURSOR_MEMBERS,
                                                      cursor_scope_str(rq->params[0]),
                                                      rows[n - 1].seq)));
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
