/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_chat_list.c - reading chats: get (chats.md §5), list
 * the caller's chats (§6) and search visible chats (§7), with opaque keyset
 * page tokens.
 */
#include "dialect/feishu/fs.h"

#include "core/arena.h"
#include "core/cursor.h"
#include "core/str.h"

#include <string.h>

/* Page-token keys: the chat's id; in the activity order its active_at first. */
#define KEYS_BY_ID "C"
#define KEYS_BY_ACTIVE "AC"
#define SEARCH_BATCH 200
#define SEARCH_MAX_BATCHES 50

enum err fs_chat_get(struct req *rq, json_t *body, json_t *out)
{
    struct chat_view v;
    const char *type;
    json_t *res;
    enum err e;

    (void)body;
    type = fs_id_type(rq, "user_id_type");
    e = svc_chat_open(&rq->svc, rq->params[0], &rq->actor, false, &v);
    if (e != ERR_OK)
        return e;
    res = fs_chat_json(rq, &v.chat, type, false, true);
    if (!v.member) {
        /* A non-member of the same tenant sees name, avatar, counts and
         * status only (§5). */
        static const char *const keep[] = { "name", "avatar", "user_count", "bot_count",
                                            "chat_status" };

        for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
            json_object_set(out, keep[i], json_object_get(res, keep[i]));
        json_decref(res);
        return ERR_OK;
    }
    json_object_update_new(out, res);
    return ERR_OK;
}

/* Chat lists are the caller's: a page token is bound to who asked. It
 * holds the last row's keyset position: its id, and for the activity order
 * its active_at first. */
static uint64_t caller_scope(const struct req *rq)
{
    return cursor_scope_ints(rq->svc.tenant, rq->actor.kind, rq->actor.ref);
}

static json_t *item_json(struct req *rq, const struct fs_chat_row *c, const char *type)
{
    json_t *full = fs_chat_json(rq, c, type, true, false), *o = json_object();
    static const char *const keep[] = { "chat_id", "avatar", "name", "description", "owner_id",
                                        "owner_id_type", "external", "tenant_key" };

    for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
        if (json_object_get(full, keep[i]) != NULL)
            json_object_set(o, keep[i], json_object_get(full, keep[i]));
    json_object_set_new(o, "chat_status", json_string(c->status));
    json_decref(full);
    return o;
}

static void page_json(json_t *out, json_t *items, bool more, const char *token)
{
    json_object_set_new(out, "items", items);
    if (more)
        json_object_set_new(out, "page_token", json_string(token));
    json_object_set_new(out, "has_more", json_boolean(more));
}

static const char *next_token(struct req *rq, bool by_active, const struct fs_chat_row *last)
{
    int64_t keys[2] = { last->active_at, last->id };

    return by_active ? fs_page_token(rq, KEYS_BY_ACTIVE, caller_scope(rq), keys)
                     : fs_page_token(rq, KEYS_BY_ID, caller_scope(rq), keys + 1);
}

enum err fs_chat_list(struct req *rq, json_t *body, json_t *out)
{
    const char *type = fs_id_type(rq, "user_id_type"), *sort = json_str(rq->query, "sort_type");
    bool by_active = sort != NULL && strcmp(sort, "ByActiveTimeDesc") == 0, more;
    /* Where the page starts: (active_at, id), or the id alone. */
    int64_t limit, keys[2] = { INT64_MAX, by_active ? INT64_MAX : 0 };
    struct fs_chat_row *rows;
    json_t *items;
    size_t n;
    enum err e;

    (void)body;
    e = by_active ? fs_page_in(rq, KEYS_BY_ACTIVE, caller_scope(rq), &limit, keys)
                  : fs_page_in(rq, KEYS_BY_ID, caller_scope(rq), &limit, keys + 1);
    if (e == ERR_OK)
        e = store_fs_chat_list(rq->svc.st, rq->http->arena, &rq->actor, 0, by_active, keys[0],
                               keys[1], limit + 1, &rows, &n);
    if (e != ERR_OK)
        return e;
    more = (int64_t)n > limit;
    if (more)
        n = (size_t)limit;
    items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, item_json(rq, &rows[i], type));
    page_json(out, items, more, more ? next_token(rq, by_active, &rows[n - 1]) : NULL);
    return ERR_OK;
}

/* Case-insensitive (ASCII) substring match on the chat's names, then on its
 * members' names (§7). */
static bool search_match(struct req *rq, const struct fs_chat_row *c, const char *q,
                         const char *lower)
{
    json_t *i18n = json_loads(c->i18n_names, 0, NULL), *v;
    const char *key;
    bool hit = strcasestr(c->name, q) != NULL;

    json_object_foreach(i18n, key, v) {
        hit = hit || (json_is_string(v) && strcasestr(json_string_value(v), q) != NULL);
    }
    json_decref(i18n);
    if (hit)
        return true;
    store_fs_member_name_match(rq->svc.st, rq->http->arena, c->id, lower, &hit);
    return hit;
}

enum err fs_chat_search(struct req *rq, json_t *body, json_t *out)
{
    const char *type = fs_id_type(rq, "user_id_type"), *q = json_str(rq->query, "query");
    char *lower;
    int64_t limit, after = 0;
    json_t *items = json_array();
    const struct fs_chat_row *last = NULL;
    bool more = false;
    enum err e;

    (void)body;
    e = fs_page_in(rq, KEYS_BY_ID, caller_scope(rq), &limit, &after);
    if (e != ERR_OK) {
        json_decref(items);
        return e;
    }
    /* An empty query or one over 64 characters finds nothing (§7). */
    if (q == NULL || *q == '\0' || str_utf8_len(q, strlen(q)) > 64) {
        page_json(out, items, false, NULL);
        return ERR_OK;
    }
    /* Member names are matched in SQL against the lower-cased query. */
    lower = arena_strdup(rq->http->arena, q);
    for (char *p = lower; *p != '\0'; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    for (int batch = 0; batch < SEARCH_MAX_BATCHES && !more; batch++) {
        struct fs_chat_row *rows;
        size_t n;

        e = store_fs_chat_list(rq->svc.st, rq->http->arena, &rq->actor, rq->svc.tenant, false, 0,
                               after, SEARCH_BATCH, &rows, &n);
        if (e != ERR_OK) {
            json_decref(items);
            return e;
        }
        for (size_t i = 0; i < n && !more; i++) {
            if (!search_match(rq, &rows[i], q, lower))
                continue;
            if ((int64_t)json_array_size(items) == limit) {
                more = true;
                break;
            }
            json_array_append_new(items, item_json(rq, &rows[i], type));
            last = &rows[i];
        }
        if (n < SEARCH_BATCH)
            break;
        after = rows[n - 1].id;
    }
    page_json(out, items, more, more ? next_token(rq, false, last) : NULL);
    return ERR_OK;
}
