/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_chat.c - the chat resource (chats.md §2-§3): settings,
 * the chat as each caller sees it, and get (§5). Create is fs_chat_create.c,
 * list and search fs_chat_list.c, changes fs_chat_edit.c.
 */
#include "dialect/feishu/fs.h"

#include "core/arena.h"
#include "core/str.h"

#include <string.h>

#define DEFAULT_AVATAR "default-avatar_44ae0ca3-e140-494b-956f-78091e348435"
#define AVATAR_BASE "https://p3-lark-file.byteimg.com/img/lark-avatar-staging/"

static const char *const OWNER_ALL[] = { "only_owner", "all_members", NULL };
static const char *const ALLOWED[] = { "allowed", "not_allowed", NULL };
static const char *const VISIBILITY[] = { "only_owner", "all_members", "not_anyone", NULL };
static const char *const APPROVAL[] = { "no_approval_required", "approval_required", NULL };
static const char *const MSG_TYPE[] = { "chat", "thread", NULL };
static const char *const MODERATION[] = { "all_members", "only_owner", "moderator_list", NULL };
static const char *const RESTRICT[] = { "all_members", "not_anyone", NULL };

/* §2: every enum setting, its default and where a request may set it. */
struct fs_setting {
    const char *name;
    const char *const *values; /* allowed values, NULL-terminated */
    const char *def;
    unsigned use; /* where a request may set it */
};

static const struct fs_setting fs_settings[] = {
    { "urgent_setting", OWNER_ALL, "all_members", S_CREATE | S_UPDATE },
    { "video_conference_setting", OWNER_ALL, "all_members", S_CREATE | S_UPDATE },
    { "add_member_permission", OWNER_ALL, "all_members", S_UPDATE },
    { "share_card_permission", ALLOWED, "allowed", S_UPDATE },
    { "at_all_permission", OWNER_ALL, "all_members", S_UPDATE },
    { "edit_permission", OWNER_ALL, "all_members", S_CREATE | S_UPDATE },
    { "group_message_type", MSG_TYPE, "chat", S_CREATE | S_UPDATE },
    { "join_message_visibility", VISIBILITY, "all_members", S_CREATE | S_UPDATE },
    { "leave_message_visibility", VISIBILITY, "all_members", S_CREATE | S_UPDATE },
    { "membership_approval", APPROVAL, "no_approval_required", S_CREATE | S_UPDATE },
    { "moderation_permission", MODERATION, "all_members", 0 },
    { "hide_member_count_setting", OWNER_ALL, "all_members", S_CREATE | S_UPDATE },
    { "pin_manage_setting", OWNER_ALL, "all_members", S_CREATE | S_UPDATE },
};
static const size_t fs_nsettings = sizeof(fs_settings) / sizeof(fs_settings[0]);

static const char *const RESTRICT_KEYS[] = { "screenshot_has_permission_setting",
                                             "download_has_permission_setting",
                                             "message_has_permission_setting" };

enum err fs_bad(struct req *rq, const char *field)
{
    return err_field(&rq->err, ERR_BAD_REQUEST, field, "%s", field);
}

const char *fs_setting(const struct fs_chat_row *c, const char *key, struct arena *a)
{
    json_t *s = json_loads(c->settings, 0, NULL);
    const char *v = arena_strdup(a, json_string_value(json_object_get(s, key)));

    json_decref(s);
    return v ? v : "";
}

bool fs_privileged(const struct chat_view *v)
{
    return v->owner || v->manager || v->creator_bot;
}

static bool one_of(const char *v, const char *const *values)
{
    for (; *values != NULL; values++)
        if (strcmp(v, *values) == 0)
            return true;
    return false;
}

/* §2: with status on, not all three may be all_members; with it off, none
 * may be not_anyone. */
static enum err restricted_apply(struct req *rq, json_t *in, json_t *settings)
{
    json_t *cur = json_object_get(settings, "restricted_mode_setting");
    json_t *st = json_object_get(in, "status");
    bool on, all_open = true, any_closed = false;

    if (!json_is_object(in) || (st != NULL && !json_is_boolean(st)))
        return fs_bad(rq, "restricted_mode_setting");
    if (st != NULL)
        json_object_set(cur, "status", st);
    for (size_t i = 0; i < 3; i++) {
        json_t *v = json_object_get(in, RESTRICT_KEYS[i]);

        if (v != NULL && (!json_is_string(v) || !one_of(json_string_value(v), RESTRICT)))
            return fs_bad(rq, "restricted_mode_setting");
        if (v != NULL)
            json_object_set(cur, RESTRICT_KEYS[i], v);
    }
    on = json_is_true(json_object_get(cur, "status"));
    for (size_t i = 0; i < 3; i++) {
        const char *v = json_string_value(json_object_get(cur, RESTRICT_KEYS[i]));

        all_open = all_open && strcmp(v, "all_members") == 0;
        any_closed = any_closed || strcmp(v, "not_anyone") == 0;
    }
    if ((on && all_open) || (!on && any_closed))
        return fs_bad(rq, "restricted_mode_setting");
    return ERR_OK;
}

enum err fs_settings_apply(struct req *rq, json_t *body, unsigned use, json_t *settings)
{
    json_t *rm = json_object_get(body, "restricted_mode_setting");

    for (size_t i = 0; i < fs_nsettings; i++) {
        json_t *v = json_object_get(body, fs_settings[i].name);

        if (v == NULL || !(fs_settings[i].use & use))
            continue;
        if (!json_is_string(v) || !one_of(json_string_value(v), fs_settings[i].values))
            return fs_bad(rq, fs_settings[i].name);
        json_object_set(settings, fs_settings[i].name, v);
    }
    return rm != NULL ? restricted_apply(rq, rm, settings) : ERR_OK;
}

json_t *fs_settings_default(void)
{
    json_t *s = json_object();

    for (size_t i = 0; i < fs_nsettings; i++)
        json_object_set_new(s, fs_settings[i].name, json_string(fs_settings[i].def));
    json_object_set_new(s, "restricted_mode_setting",
                        json_pack("{s:b,s:s,s:s,s:s}", "status", 0, RESTRICT_KEYS[0],
                                  "all_members", RESTRICT_KEYS[1], "all_members", RESTRICT_KEYS[2],
                                  "all_members"));
    return s;
}

static bool chars_ok(json_t *v, long max)
{
    return json_is_string(v) && str_utf8_len(json_string_value(v), json_string_length(v)) <= max;
}

/* Limits of §15 (recommendations the platform documents; enforced here). */
enum err fs_basic_check(struct req *rq, json_t *body)
{
    json_t *i18n = json_object_get(body, "i18n_names"), *v;
    const char *key, *avatar = json_str(body, "avatar");

    if (json_object_get(body, "name") != NULL && !chars_ok(json_object_get(body, "name"), 60))
        return fs_bad(rq, "name");
    if (json_object_get(body, "description") != NULL
        && !chars_ok(json_object_get(body, "description"), 100))
        return fs_bad(rq, "description");
    if (i18n != NULL) {
        if (!json_is_object(i18n))
            return fs_bad(rq, "i18n_names");
        json_object_foreach(i18n, key, v) {
            if (!chars_ok(v, 60))
                return fs_bad(rq, "i18n_names");
        }
    }
    if (json_object_get(body, "avatar") != NULL) {
        size_t n = avatar ? strlen(avatar) : 0;

        if (avatar == NULL || n == 0 || n > 128
            || strspn(avatar, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
                   != n)
            return err_set(&rq->err, ERR_BAD_REQUEST, SUBJ_AVATAR, "avatar key");
    }
    return ERR_OK;
}

const char *fs_avatar_url(struct req *rq, const char *key)
{
    return arena_printf(rq->http->arena, AVATAR_BASE "%s~100x100.jpg",
                        key[0] ? key : DEFAULT_AVATAR);
}

/* owner_id and owner_id_type, omitted when a bot owns the chat (§3). */
static void owner_json(struct req *rq, json_t *o, const struct fs_chat_row *c, const char *type)
{
    const char *id;

    if (c->owner.kind != ACTOR_USER)
        return;
    id = fs_actor_id(rq, type, &c->owner);
    if (id == NULL)
        return;
    json_object_set_new(o, "owner_id", json_string(id));
    json_object_set_new(o, "owner_id_type", json_string(type));
}

static void managers_json(struct req *rq, json_t *o, const struct fs_chat_row *c, const char *type)
{
    json_t *users = json_array(), *bots = json_array();
    struct fs_member_row *m;
    size_t n = 0;

    store_fs_manager_list(rq->svc.st, rq->http->arena, c->id, &m, &n);
    for (size_t i = 0; i < n; i++) {
        const char *id = fs_actor_id(rq, type, &m[i].who);

        if (id != NULL)
            json_array_append_new(m[i].who.kind == ACTOR_USER ? users : bots, json_string(id));
    }
    json_object_set_new(o, "user_manager_id_list", users);
    json_object_set_new(o, "bot_manager_id_list", bots);
}

static void counts_json(struct req *rq, json_t *o, const struct fs_chat_row *c)
{
    int64_t users = 0, bots = 0;

    store_fs_member_counts(rq->svc.st, c->id, &users, &bots);
    /* Strings, not numbers (§3). */
    json_object_set_new(o, "user_count", json_string(arena_printf(rq->http->arena, "%lld",
                                                                  (long long)users)));
    json_object_set_new(o, "bot_count", json_string(arena_printf(rq->http->arena, "%lld",
                                                                 (long long)bots)));
}

json_t *fs_chat_json(struct req *rq, const struct fs_chat_row *c, const char *type, bool with_id,
                     bool full)
{
    json_t *s = json_loads(c->settings, 0, NULL), *o = json_object();
    static const char *const order[] = { "urgent_setting", "video_conference_setting",
                                         "add_member_permission", "share_card_permission",
                                         "at_all_permission", "edit_permission",
                                         "group_message_type" };

    if (with_id)
        json_object_set_new(o, "chat_id", json_string(c->chat_id));
    json_object_set_new(o, "avatar", json_string(fs_avatar_url(rq, c->avatar)));
    if (strcmp(c->chat_mode, "p2p") == 0) {
        /* p2p chats show no owner, type, tag, permissions or visibility (§5). */
        json_object_set_new(o, "chat_mode", json_string(c->chat_mode));
        json_object_set_new(o, "external", json_false());
        json_object_set_new(o, "tenant_key", json_string(fs_tenant_key(rq, c->tenant_id)));
        if (full) {
            counts_json(rq, o, c);
            json_object_set_new(o, "chat_status", json_string(c->status));
        }
        json_decref(s);
        return o;
    }
    if (c->name[0] != '\0')
        json_object_set_new(o, "name", json_string(c->name));
    json_object_set_new(o, "description", json_string(c->description));
    json_object_set_new(o, "i18n_names", json_loads(c->i18n_names, 0, NULL));
    owner_json(rq, o, c, type);
    if (full)
        managers_json(rq, o, c, type);
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
        json_object_set(o, order[i], json_object_get(s, order[i]));
    json_object_set_new(o, "chat_mode", json_string(c->chat_mode));
    json_object_set_new(o, "chat_type", json_string(c->chat_type));
    json_object_set_new(o, "chat_tag", json_string("inner"));
    json_object_set_new(o, "external", json_false());
    json_object_set_new(o, "tenant_key", json_string(fs_tenant_key(rq, c->tenant_id)));
    json_object_set(o, "join_message_visibility", json_object_get(s, "join_message_visibility"));
    json_object_set(o, "leave_message_visibility", json_object_get(s, "leave_message_visibility"));
    json_object_set(o, "membership_approval", json_object_get(s, "membership_approval"));
    json_object_set(o, "moderation_permission", json_object_get(s, "moderation_permission"));
    json_object_set(o, "restricted_mode_setting", json_object_get(s, "restricted_mode_setting"));
    json_object_set(o, "hide_member_count_setting",
                    json_object_get(s, "hide_member_count_setting"));
    json_object_set(o, "pin_manage_setting", json_object_get(s, "pin_manage_setting"));
    if (full) {
        counts_json(rq, o, c);
        json_object_set_new(o, "chat_status", json_string(c->status));
    }
    json_decref(s);
    return o;
}
