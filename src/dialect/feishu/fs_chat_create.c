/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_chat_create.c - POST /open-apis/im/v1/chats (Feishu's
 * "Create a group"): the body, checked by the route's rules, as a
 * chat_new for svc_chat_create; the chat as create answers it.
 */
#include "dialect/feishu/fs.h"

#include "core/arena.h"

/* The strings of a checked array (its rule says every item is one). */
static const char *const *strings(struct req *rq, const json_t *list, size_t *n)
{
    const char **out;
    json_t *v;
    size_t i;

    *n = json_array_size(list);
    out = arena_alloc(rq->http->arena, (*n + 1) * sizeof(*out));
    json_array_foreach(list, i, v) {
        out[i] = json_string_value(v);
    }
    return out;
}

static const char *str_or(json_t *body, const char *key, const char *def)
{
    const char *v = json_str(body, key);

    return v ? v : def;
}

enum err fs_chat_create(struct req *rq, json_t *body, json_t *out)
{
    const struct chat_caller by = { rq->actor, rq->app_ref, fs_id_type(rq, "user_id_type") };
    json_t *i18n = json_object_get(body, "i18n_names");
    struct chat_new in = {
        .name = str_or(body, "name", ""),
        .description = str_or(body, "description", ""),
        .avatar = str_or(body, "avatar", ""),
        .chat_mode = str_or(body, "chat_mode", "group"),
        .chat_type = str_or(body, "chat_type", "private"),
        .settings = body,
        .owner_id = json_str(body, "owner_id"),
        .uuid = json_str(rq->query, "uuid"),
        .set_bot_manager = json_is_true(json_object_get(rq->query, "set_bot_manager")),
    };
    struct fs_chat_row c;
    size_t len;
    enum err e;

    in.i18n_names = i18n ? json_dump_arena(rq->http->arena, i18n, &len) : "{}";
    in.user_ids = strings(rq, json_object_get(body, "user_id_list"), &in.n_users);
    in.bot_ids = strings(rq, json_object_get(body, "bot_id_list"), &in.n_bots);
    e = svc_chat_create(&rq->svc, &by, &in, &c);
    if (e != ERR_OK)
        return e;
    return fs_chat_json(rq, &c, by.id_type, FS_CHAT_WITH_ID, out);
}
