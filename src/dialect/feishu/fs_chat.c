/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_chat.c - the chat resource as Feishu shows it (the
 * "Group chat overview" and "Obtain the group information" pages), as
 * each caller sees it. Create is fs_chat_create.c, get, list and search
 * fs_chat_list.c, changes fs_chat_edit.c and fs_chat_admin.c; the rules
 * are svc's (svc_chat*.c).
 */
#include "dialect/feishu/fs.h"

#include "core/arena.h"

#include <string.h>

#define DEFAULT_AVATAR "default-avatar_44ae0ca3-e140-494b-956f-78091e348435"
#define AVATAR_BASE "https://p3-lark-file.byteimg.com/img/lark-avatar-staging/"

enum err fs_bad(struct req *rq, const char *field)
{
    return err_field(&rq->err, ERR_BAD_REQUEST, field, "%s", field);
}

const char *fs_setting(const struct fs_chat_row *c, const char *key, struct arena *a)
{
    struct svc_ctx ctx = { .a = a };

    return svc_chat_setting(&ctx, c, key);
}

bool fs_privileged(const struct chat_view *v)
{
    return svc_chat_privileged(v);
}

const char *fs_avatar_url(struct req *rq, const char *key)
{
    return arena_printf(rq->http->arena, AVATAR_BASE "%s~100x100.jpg",
                        key[0] ? key : DEFAULT_AVATAR);
}

/* The id of 'who' in 'type', or NULL when it has none (it is left out);
 * a store failure is the error. */
static enum err id_of(struct req *rq, const char *type, const struct actor *who, const char **id)
{
    enum err e = svc_fs_actor_id(&rq->svc, rq->app_ref, type, who, id);

    if (e == ERR_NOT_FOUND || *id == NULL) {
        *id = NULL;
        return ERR_OK;
    }
    return e;
}

/* owner_id and owner_id_type, omitted when a bot owns the chat. */
static enum err owner_json(struct req *rq, json_t *o, const struct fs_chat_row *c,
                           const char *type)
{
    const char *id;
    enum err e;

    if (c->owner.kind != ACTOR_USER)
        return ERR_OK;
    e = id_of(rq, type, &c->owner, &id);
    if (e != ERR_OK || id == NULL)
        return e;
    json_object_set_new(o, "owner_id", json_string(id));
    json_object_set_new(o, "owner_id_type", json_string(type));
    return ERR_OK;
}

enum err fs_manager_ids(struct req *rq, const struct fs_member_row *m, size_t n,
                        const char *type, json_t **users, json_t **bots)
{
    enum err e = ERR_OK;

    *users = json_array();
    *bots = json_array();
    for (size_t i = 0; e == ERR_OK && i < n; i++) {
        const char *id;

        e = id_of(rq, type, &m[i].who, &id);
        if (e == ERR_OK && id != NULL)
            json_array_append_new(m[i].who.kind == ACTOR_USER ? *users : *bots, json_string(id));
    }
    return e;
}

static enum err managers_json(struct req *rq, json_t *o, const struct chat_detail *d,
                              const char *type)
{
    json_t *users, *bots;
    enum err e = fs_manager_ids(rq, d->managers, d->n_managers, type, &users, &bots);

    json_object_set_new(o, "user_manager_id_list", users);
    json_object_set_new(o, "bot_manager_id_list", bots);
    return e;
}

/* Member counts (strings, not numbers) and the status: the full view. */
static void counts_json(struct req *rq, json_t *o, const struct fs_chat_row *c,
                        const struct chat_detail *d)
{
    json_object_set_new(o, "user_count",
                        json_string(arena_printf(rq->http->arena, "%lld", (long long)d->users)));
    json_object_set_new(o, "bot_count",
                        json_string(arena_printf(rq->http->arena, "%lld", (long long)d->bots)));
    json_object_set_new(o, "chat_status", json_string(c->status));
}

/* Settings shown between the managers and chat_mode, then after tenant_key. */
static const char *const SHOWN_FIRST[] = { "urgent_setting", "video_conference_setting",
                                           "add_member_permission", "share_card_permission",
                                           "at_all_permission", "edit_permission",
                                           "group_message_type" };
static const char *const SHOWN_LAST[] = { "join_message_visibility", "leave_message_visibility",
                                          "membership_approval", "moderation_permission",
                                          "restricted_mode_setting", "hide_member_count_setting",
                                          "pin_manage_setting" };

static void copy_keys(json_t *to, const json_t *from, const char *const *keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        json_object_set(to, keys[i], json_object_get(from, keys[i]));
}

/* The group (and topic) chat's fields in the platform's order. */
static enum err group_json(struct req *rq, json_t *o, const struct fs_chat_row *c,
                           const char *type, const struct chat_detail *d, const char *tkey)
{
    const json_t *s = svc_chat_settings(&rq->svc, c);
    enum err e;

    if (c->name[0] != '\0')
        json_object_set_new(o, "name", json_string(c->name));
    json_object_set_new(o, "description", json_string(c->description));
    json_object_set_new(o, "i18n_names", json_loads(c->i18n_names, 0, NULL));
    e = owner_json(rq, o, c, type);
    if (e == ERR_OK && d != NULL)
        e = managers_json(rq, o, d, type);
    copy_keys(o, s, SHOWN_FIRST, sizeof(SHOWN_FIRST) / sizeof(SHOWN_FIRST[0]));
    json_object_set_new(o, "chat_mode", json_string(c->chat_mode));
    json_object_set_new(o, "chat_type", json_string(c->chat_type));
    json_object_set_new(o, "chat_tag", json_string("inner"));
    json_object_set_new(o, "external", json_false());
    json_object_set_new(o, "tenant_key", json_string(tkey));
    copy_keys(o, s, SHOWN_LAST, sizeof(SHOWN_LAST) / sizeof(SHOWN_LAST[0]));
    return e;
}

enum err fs_chat_json(struct req *rq, const struct fs_chat_row *c, const char *type,
                      unsigned view, json_t *o)
{
    struct chat_detail d;
    const char *tkey;
    bool full = (view & FS_CHAT_FULL) != 0;
    enum err e = fs_tenant_key_get(rq, c->tenant_id, &tkey);

    if (e == ERR_OK && full)
        e = svc_chat_detail(&rq->svc, c, &d);
    if (e != ERR_OK)
        return e;
    if (view & FS_CHAT_WITH_ID)
        json_object_set_new(o, "chat_id", json_string(c->chat_id));
    json_object_set_new(o, "avatar", json_string(fs_avatar_url(rq, c->avatar)));
    if (strcmp(c->chat_mode, "p2p") == 0) {
        /* p2p chats show no owner, type, tag, permissions or visibility. */
        json_object_set_new(o, "chat_mode", json_string(c->chat_mode));
        json_object_set_new(o, "external", json_false());
        json_object_set_new(o, "tenant_key", json_string(tkey));
    } else {
        e = group_json(rq, o, c, type, full ? &d : NULL, tkey);
    }
    if (e == ERR_OK && full)
        counts_json(rq, o, c, &d);
    return e;
}
