/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_chat_admin.c - moderation get/update (chats.md §10),
 * share link (§11) and top notice put/delete (§12).
 */
#include "dialect/feishu/fs.h"

#include "core/arena.h"
#include "core/cursor.h"
#include "core/ids.h"
#include "core/str.h"

#include <string.h>

/* Page-token key: the person id of the last speaker listed. */
#define KEYS_MODERATORS "M"

enum err fs_moderation_get(struct req *rq, json_t *body, json_t *out)
{
    const char *type = fs_id_type(rq, "user_id_type");
    struct fs_member_row *m;
    struct chat_view v;
    json_t *items = json_array();
    int64_t limit, after = 0, last = 0;
    const char *mode;
    bool more = false;
    const char *tkey;
    size_t n = 0;
    enum err e;

    (void)body;
    e = fs_page_in(rq, KEYS_MODERATORS, cursor_scope_str(rq->params[0]), &limit, &after);
    if (e == ERR_OK)
        e = svc_chat_open(&rq->svc, rq->params[0], &rq->actor, true, &v);
    if (e == ERR_OK)
        e = store_fs_member_list(rq->svc.st, rq->http->arena, v.chat.id, &m, &n);
    if (e != ERR_OK) {
        json_decref(items);
        return e;
    }
    mode = fs_setting(&v.chat, "moderation_permission", rq->http->arena);
    tkey = fs_tenant_key(rq, rq->svc.tenant);
    /* The speaker list matters only in moderator_list mode (§10.1); it is
     * paged by person id. */
    for (size_t i = 0; strcmp(mode, "moderator_list") == 0 && i < n; i++) {
        const char *id;

        if (m[i].who.kind != ACTOR_USER || !m[i].is_moderator || m[i].who.ref <= after)
            continue;
        if ((int64_t)json_array_size(items) == limit) {
            more = true;
            break;
        }
        id = fs_actor_id(rq, type, &m[i].who);
        json_array_append_new(items, json_pack("{s:s,s:s?,s:s}", "user_id_type", type, "user_id",
                                               id, "tenant_key", tkey));
        last = m[i].who.ref;
    }
    json_object_set_new(out, "moderation_setting", json_string(mode));
    if (more)
        json_object_set_new(out, "page_token",
                            json_string(fs_page_token(rq, KEYS_MODERATORS,
                                                      cursor_scope_str(rq->params[0]), &last)));
    json_object_set_new(out, "has_more", json_boolean(more));
    json_object_set_new(out, "items", items);
    return ERR_OK;
}

/* Sets is_moderator for the listed people who are members; non-members
 * are skipped, as the platform filters them (§10.2). People whose flag
 * changed are appended to 'changed' (person ids) for the event. */
static enum err mark(struct req *rq, int64_t chat, const char *type, json_t *list, bool on,
                     json_t *changed)
{
    json_t *v;
    size_t i;

    json_array_foreach(list, i, v) {
        struct fs_member_row m;
        struct person_row p;
        struct actor who;
        enum err e;

        if (!json_is_string(v))
            return fs_bad(rq, "moderator_added_list");
        e = fs_person_find(rq, type, json_string_value(v), &p);
        if (e == ERR_NOT_FOUND)
            continue;
        if (e != ERR_OK)
            return e;
        who = (struct actor){ ACTOR_USER, p.id };
        e = store_fs_member_get(rq->svc.st, chat, &who, &m);
        if (e == ERR_NOT_FOUND || (e == ERR_OK && m.is_moderator == on))
            continue;
        m.is_moderator = on;
        if (e == ERR_OK)
            e = store_fs_member_set(rq->svc.st, chat, &m);
        if (e != ERR_OK)
            return e;
        json_array_append_new(changed, json_integer(p.id));
    }
    return ERR_OK;
}

static bool overlap(json_t *a, json_t *b)
{
    json_t *x, *y;
    size_t i, j;

    json_array_foreach(a, i, x) {
        json_array_foreach(b, j, y) {
            if (json_equal(x, y))
                return true;
        }
    }
    return false;
}

enum err fs_moderation_update(struct req *rq, json_t *body, json_t *out)
{
    static const char *const modes[] = { "all_members", "only_owner", "moderator_list" };
    json_t *added = json_object_get(body, "moderator_added_list");
    json_t *removed = json_object_get(body, "moderator_removed_list"), *s;
    json_t *now_added, *now_removed;
    const char *type = fs_id_type(rq, "user_id_type"), *mode = json_str(body, "moderation_setting");
    struct fs_chat_row after;
    struct chat_view v;
    size_t len;
    enum err e;

    (void)out;
    e = ERR_OK;
    if (json_object_get(body, "moderation_setting") != NULL
        && (mode == NULL
            || (strcmp(mode, modes[0]) != 0 && strcmp(mode, modes[1]) != 0
                && strcmp(mode, modes[2]) != 0)))
        e = fs_bad(rq, "moderation_setting");
    if (e == ERR_OK && ((added && !json_is_array(added)) || (removed && !json_is_array(removed))))
        e = fs_bad(rq, "moderator_added_list");
    if (e == ERR_OK && added && removed && overlap(added, removed))
        e = fs_bad(rq, "moderator_removed_list");
    if (e == ERR_OK)
        e = svc_chat_open_write(&rq->svc, rq->params[0], &rq->actor, true, &v);
    if (e == ERR_OK && !v.owner && !v.creator_bot)
        e = err_set(&rq->err, ERR_FORBIDDEN, SUBJ_OWNER_ONLY, "owner or creator bot only");
    if (e != ERR_OK)
        return e;
    now_added = json_array();
    now_removed = json_array();
    if (added)
        e = mark(rq, v.chat.id, type, added, true, now_added);
    if (e == ERR_OK && removed)
        e = mark(rq, v.chat.id, type, removed, false, now_removed);
    after = v.chat;
    if (e == ERR_OK && mode != NULL) {
        s = json_loads(v.chat.settings, 0, NULL);
        json_object_set_new(s, "moderation_permission", json_string(mode));
        after.settings = json_dump_arena(rq->http->arena, s, &len);
        json_decref(s);
    }
    after.active_at = rq->svc.now;
    if (e == ERR_OK)
        e = store_fs_chat_update(rq->svc.st, &after);
    /* Reported through moderator_list (§16.2). */
    if (e == ERR_OK)
        e = fs_emit_updated(rq, &v.chat, &after, now_added, now_removed);
    json_decref(now_added);
    json_decref(now_removed);
    return e;
}

enum err fs_chat_link(struct req *rq, json_t *body, json_t *out)
{
    const char *period = json_str(body, "validity_period");
    struct arena *a = rq->http->arena;
    struct chat_view v;
    int64_t expire = 0;
    bool permanent = false, restricted;
    const char *token;
    enum err e;

    if (json_object_get(body, "validity_period") != NULL && period == NULL)
        return fs_bad(rq, "validity_period");
    if (period == NULL || strcmp(period, "week") == 0)
        expire = rq->svc.now + 7 * 86400;
    else if (strcmp(period, "year") == 0)
        expire = rq->svc.now + 365 * 86400;
    else if (strcmp(period, "permanently") == 0)
        permanent = true;
    else
        return fs_bad(rq, "validity_period");
    e = svc_chat_open(&rq->svc, rq->params[0], &rq->actor, true, &v);
    if (e == ERR_OK && strcmp(v.chat.chat_mode, "p2p") == 0)
        e = err_set(&rq->err, ERR_BAD_REQUEST, SUBJ_P2P, "p2p chat");
    restricted = e == ERR_OK
                 && (strcmp(fs_setting(&v.chat, "add_member_permission", a), "only_owner") == 0
                     || strcmp(fs_setting(&v.chat, "share_card_permission", a), "not_allowed") == 0);
    if (restricted && !fs_privileged(&v))
        e = err_set(&rq->err, ERR_FORBIDDEN, SUBJ_SHARE, "sharing restricted");
    if (e != ERR_OK)
        return e;
    token = ids_hex(a, "", 18);
    /* Kept, so a person can join by it (POST /admin/v1/feishu/join_by_link). */
    e = store_fs_link_put(rq->svc.st, token, v.chat.id, expire, &rq->actor, rq->svc.now);
    if (e != ERR_OK)
        return e;
    json_out_str(out, "share_link",
                 arena_printf(a, "https://applink.feishu.cn/client/chat/chatter/add_by_link?"
                                 "link_token=%s",
                              token));
    json_out_str(out, "expire_time", arena_printf(a, "%lld", (long long)expire));
    json_object_set_new(out, "is_permanent", json_boolean(permanent));
    return ERR_OK;
}

/* Pinning follows pin_manage_setting: only_owner leaves it to the owner
 * and managers (§12, 232014). */
static enum err pin_open(struct req *rq, struct chat_view *v)
{
    enum err e = svc_chat_open(&rq->svc, rq->params[0], &rq->actor, true, v);

    if (e == ERR_OK
        && strcmp(fs_setting(&v->chat, "pin_manage_setting", rq->http->arena), "only_owner") == 0
        && !fs_privileged(v))
        e = err_set(&rq->err, ERR_FORBIDDEN, SUBJ_PIN, "pin management restricted");
    return e;
}

enum err fs_top_notice_put(struct req *rq, json_t *body, json_t *out)
{
    json_t *list = json_object_get(body, "chat_top_notice"), *first;
    const char *action, *msg;
    struct fs_chat_row after;
    struct chat_view v;
    size_t len;
    enum err e;

    (void)out;
    if (!json_is_array(list) || json_array_size(list) == 0)
        return fs_bad(rq, "chat_top_notice");
    first = json_array_get(list, 0);
    action = json_str(first, "action_type");
    msg = json_str(first, "message_id");
    if (!json_is_object(first) || (json_object_get(first, "action_type") && action == NULL))
        return fs_bad(rq, "chat_top_notice");
    if (action == NULL)
        action = "2";
    if (strcmp(action, "1") != 0 && strcmp(action, "2") != 0)
        return fs_bad(rq, "action_type");
    if (strcmp(action, "1") == 0 && (msg == NULL || strncmp(msg, "om_", 3) != 0))
        return fs_bad(rq, "message_id");
    e = pin_open(rq, &v);
    /* A message notice names a message of this chat (not recalled). */
    if (e == ERR_OK && strcmp(action, "1") == 0
        && svc_msg_of_chat(&rq->svc, msg, v.chat.id) == ERR_NOT_FOUND)
        return fs_bad(rq, "message_id");
    if (e != ERR_OK)
        return e;
    after = v.chat;
    after.top_notice = json_dump_arena(rq->http->arena, first, &len);
    after.active_at = rq->svc.now;
    return store_fs_chat_update(rq->svc.st, &after);
}

enum err fs_top_notice_delete(struct req *rq, json_t *body, json_t *out)
{
    struct fs_chat_row after;
    struct chat_view v;
    enum err e;

    (void)body;
    (void)out;
    e = pin_open(rq, &v);
    if (e != ERR_OK)
        return e;
    after = v.chat;
    after.top_notice = "";
    after.active_at = rq->svc.now;
    return store_fs_chat_update(rq->svc.st, &after);
}
