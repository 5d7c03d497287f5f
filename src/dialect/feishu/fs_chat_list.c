/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_chat_list.c - reading chats: get ("Obtain the group
 * information"), the caller's chats ("Obtain the list of groups that the
 * user or bot is in") and search ("Search for groups visible to the user
 * or bot"), with opaque keyset page tokens.
 */
#include "dialect/feishu/fs.h"

#include "core/cursor.h"

#include <string.h>

/* Page-token keys: the chat's id; in the activity order its active_at first. */
#define KEYS_BY_ID "C"
#define KEYS_BY_ACTIVE "AC"

/* What a non-member of the same tenant sees of a chat. */
static const char *const NON_MEMBER_KEYS[] = { "name", "avatar", "user_count", "bot_count",
                                               "chat_status" };
/* What a list shows of each chat. */
static const char *const ITEM_KEYS[] = { "chat_id", "avatar", "name", "description", "owner_id",
                                         "owner_id_type", "external", "tenant_key" };

static void copy_keys(json_t *to, json_t *from, const char *const *keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (json_object_get(from, keys[i]) != NULL)
            json_object_set(to, keys[i], json_object_get(from, keys[i]));
}

enum err fs_chat_get(struct req *rq, json_t *body, json_t *out)
{
    const char *type = fs_id_type(rq, "user_id_type");
    struct chat_view v;
    json_t *res;
    enum err e;

    (void)body;
    e = svc_chat_open(&rq->svc, rq->params[0], &rq->actor, false, &v);
    if (e != ERR_OK)
        return e;
    if (v.member)
        return fs_chat_json(rq, &v.chat, type, FS_CHAT_FULL, out);
    res = json_object();
    e = fs_chat_json(rq, &v.chat, type, FS_CHAT_FULL, res);
    copy_keys(out, res, NON_MEMBER_KEYS, sizeof(NON_MEMBER_KEYS) / sizeof(NON_MEMBER_KEYS[0]));
    json_decref(res);
    return e;
}

/* Chat lists are the caller's: a page token is bound to who asked. */
static uint64_t caller_scope(const struct req *rq)
{
    return cursor_scope_ints(rq->svc.tenant, rq->actor.kind, rq->actor.ref);
}

/* items, page_token (after the last row, when there is more) and has_more. */
static enum err page_json(struct req *rq, json_t *out, const struct fs_chat_row *rows, size_t n,
                          bool more, bool by_active)
{
    const char *type = fs_id_type(rq, "user_id_type");
    json_t *items = json_array();
    enum err e = ERR_OK;

    for (size_t i = 0; e == ERR_OK && i < n; i++) {
        json_t *full = json_object(), *o = json_object();

        e = fs_chat_json(rq, &rows[i], type, FS_CHAT_WITH_ID, full);
        copy_keys(o, full, ITEM_KEYS, sizeof(ITEM_KEYS) / sizeof(ITEM_KEYS[0]));
        json_object_set_new(o, "chat_status", json_string(rows[i].status));
        json_array_append_new(items, o);
        json_decref(full);
    }
    json_object_set_new(out, "items", items);
    if (more) {
        int64_t keys[2] = { rows[n - 1].active_at, rows[n - 1].id };
        uint64_t scope = caller_scope(rq);

        json_object_set_new(out, "page_token",
                            json_string(by_active ? fs_page_token(rq, KEYS_BY_ACTIVE, scope, keys)
                                                  : fs_page_token(rq, KEYS_BY_ID, scope, keys + 1)));
    }
    json_object_set_new(out, "has_more", json_boolean(more));
    return e;
}

enum err fs_chat_list(struct req *rq, json_t *body, json_t *out)
{
    const char *sort = json_str(rq->query, "sort_type");
    bool by_active = sort != NULL && strcmp(sort, "ByActiveTimeDesc") == 0, more;
    /* Where the page starts: (active_at, id), or the id alone. */
    int64_t limit, keys[2] = { INT64_MAX, by_active ? INT64_MAX : 0 };
    struct fs_chat_row *rows;
    size_t n;
    enum err e;

    (void)body;
    e = by_active ? fs_page_in(rq, KEYS_BY_ACTIVE, caller_scope(rq), &limit, keys)
                  : fs_page_in(rq, KEYS_BY_ID, caller_scope(rq), &limit, keys + 1);
    if (e == ERR_OK)
        e = svc_chat_list(&rq->svc, &rq->actor, by_active, keys, limit, &rows, &n, &more);
    return e == ERR_OK ? page_json(rq, out, rows, n, more, by_active) : e;
}

enum err fs_chat_search(struct req *rq, json_t *body, json_t *out)
{
    struct fs_chat_row *rows;
    int64_t limit, after = 0;
    bool more;
    size_t n;
    enum err e;

    (void)body;
    e = fs_page_in(rq, KEYS_BY_ID, caller_scope(rq), &limit, &after);
    if (e == ERR_OK)
        e = svc_chat_search(&rq->svc, &rq->actor, json_str(rq->query, "query"), after, limit,
                            &rows, &n, &more);
    return e == ERR_OK ? page_json(rq, out, rows, n, more, false) : e;
}
