/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_chat_edit.c - changing chats, with who may do what: update
 * (Feishu's "Update group information"), disband ("Dissolve a group"),
 * moderation ("Update group speech permissions"), share links ("Obtain
 * group share link") and the pinned notice ("Update group top notice",
 * "Remove group top notice").
 */
#include "svc/svc.h"

#include "core/arena.h"
#include "core/ids.h"
#include "core/str.h"

#include <string.h>

#define NAME_BATCH 500
#define NAME_MAX_BATCHES 100

/* add_member_permission and share_card_permission change together:
 * only_owner with not_allowed, all_members with allowed. */
static enum err paired(struct svc_ctx *c, const json_t *req)
{
    const char *add = json_str(req, "add_member_permission");
    const char *share = json_str(req, "share_card_permission");

    if (add == NULL && share == NULL)
        return ERR_OK;
    if (add == NULL || share == NULL
        || (strcmp(add, "only_owner") == 0) != (strcmp(share, "not_allowed") == 0))
        return err_field(c->ei, ERR_BAD_REQUEST, "share_card_permission",
                         "share_card_permission");
    return ERR_OK;
}

/* Only the owner or the creator bot hands ownership on, to a member. */
static enum err new_owner(struct svc_ctx *c, const struct chat_caller *by,
                          const struct chat_view *v, const char *id, struct actor *owner)
{
    struct fs_member_row m;
    struct person_row p;
    enum err e;

    if (!v->owner && !v->creator_bot)
        return err_set(c->ei, ERR_FORBIDDEN, SUBJ_OWNER_ONLY, "only the owner transfers");
    e = svc_fs_person_find(c, by->app, by->id_type, id, &p);
    if (e == ERR_NOT_FOUND)
        return err_set(c->ei, ERR_NOT_FOUND, SUBJ_OWNER, "owner_id");
    if (e != ERR_OK)
        return e;
    *owner = (struct actor){ ACTOR_USER, p.id };
    e = store_fs_member_get(c->st, v->chat.id, owner, &m);
    if (e == ERR_NOT_FOUND)
        return err_set(c->ei, ERR_BAD_REQUEST, SUBJ_OWNER, "new owner not in the chat");
    return e;
}

/* Public chat names are unique in the tenant. */
static enum err public_name_free(struct svc_ctx *c, const struct fs_chat_row *chat)
{
    struct fs_chat_row *rows;
    size_t n;
    int64_t after = 0;

    for (int batch = 0; batch < NAME_MAX_BATCHES; batch++) {
        enum err e = store_fs_chat_list(c->st, c->a, &(struct actor){ 0, 0 }, chat->tenant_id,
                                        false, 0, after, NAME_BATCH, &rows, &n);

        if (e != ERR_OK)
            return e;
        for (size_t i = 0; i < n; i++)
            if (rows[i].id != chat->id && strcmp(rows[i].chat_type, "public") == 0
                && strcmp(rows[i].name, chat->name) == 0)
                return err_set(c->ei, ERR_CONFLICT, SUBJ_NAME, "public name taken");
        if (n < NAME_BATCH)
            break;
        after = rows[n - 1].id;
    }
    return ERR_OK;
}

/* A public chat's name: two characters at least, and its own. */
static enum err public_name(struct svc_ctx *c, const struct fs_chat_row *chat)
{
    long chars;

    if (strcmp(chat->chat_type, "public") != 0)
        return ERR_OK;
    chars = str_utf8_len(chat->name, strlen(chat->name));
    if (chars == 0)
        return err_set(c->ei, ERR_MISSING, SUBJ_NAME, "public chat name empty");
    if (chars < 2)
        return err_set(c->ei, ERR_BAD_REQUEST, SUBJ_NAME, "public chat name too short");
    return public_name_free(c, chat);
}

/* The settings are merged into a copy of the row's parsed ones (parsed
 * once per text: svc_chat_settings), and only when the request names one:
 * otherwise the row keeps its text. */
static enum err apply_update(struct svc_ctx *c, const struct chat_caller *by,
                             const struct chat_change *in, const struct chat_view *v,
                             struct fs_chat_row *chat)
{
    enum err e = ERR_OK;

    if (svc_chat_settings_named(in->settings, CHAT_SET_UPDATE)) {
        json_t *s = json_deep_copy(svc_chat_settings(c, chat));
        size_t len;

        e = svc_chat_settings_apply(c, in->settings, CHAT_SET_UPDATE, s);
        chat->settings = json_dump_arena(c->a, s, &len);
        json_decref(s);
    }
    if (e != ERR_OK)
        return e;
    chat->name = in->name ? in->name : chat->name;
    chat->description = in->description ? in->description : chat->description;
    chat->avatar = in->avatar ? in->avatar : chat->avatar;
    chat->i18n_names = in->i18n_names ? in->i18n_names : chat->i18n_names;
    chat->chat_type = in->chat_type ? in->chat_type : chat->chat_type;
    if (in->owner_id != NULL) {
        e = new_owner(c, by, v, in->owner_id, &chat->owner);
        if (e != ERR_OK)
            return e;
    }
    return public_name(c, chat);
}

enum err svc_chat_update(struct svc_ctx *c, const struct chat_caller *by, const char *chat_id,
                         const struct chat_change *in, struct fs_chat_row *before,
                         struct fs_chat_row *after)
{
    struct chat_view v;
    enum err e = svc_chat_open_write(c, chat_id, &by->op, true, &v);

    if (e == ERR_OK && strcmp(v.chat.chat_mode, "group") != 0)
        e = err_set(c->ei, ERR_BAD_REQUEST, SUBJ_CHAT_MODE, "group chats only");
    if (e == ERR_OK && !svc_chat_privileged(&v)) {
        /* Other members edit basic information only, and only while
         * edit_permission is all_members. */
        if (strcmp(svc_chat_setting(c, &v.chat, "edit_permission"), "all_members") != 0)
            e = err_set(c->ei, ERR_FORBIDDEN, SUBJ_EDIT, "only owner or managers edit");
        else if (!in->only_basic)
            e = err_set(c->ei, ERR_FORBIDDEN, SUBJ_SETTINGS, "basic fields only");
    }
    if (e == ERR_OK)
        e = paired(c, in->settings);
    if (e != ERR_OK)
        return e;
    *before = v.chat;
    *after = v.chat;
    e = apply_update(c, by, in, &v, after);
    if (e != ERR_OK)
        return e;
    after->active_at = c->now;
    return store_fs_chat_update(c->st, after);
}

enum err svc_chat_disband(struct svc_ctx *c, const struct actor *op, const char *chat_id,
                          struct fs_chat_row *before)
{
    struct fs_chat_row after;
    struct chat_view v;
    enum err e = svc_chat_open_write(c, chat_id, op, true, &v);

    if (e == ERR_OK && strcmp(v.chat.chat_mode, "group") != 0)
        e = err_set(c->ei, ERR_BAD_REQUEST, SUBJ_CHAT_MODE, "group chats only");
    if (e == ERR_OK && !v.owner && !v.creator_bot)
        e = err_set(c->ei, ERR_FORBIDDEN, SUBJ_OWNER_ONLY, "owner or creator bot only");
    if (e != ERR_OK)
        return e;
    *before = v.chat;
    after = v.chat;
    after.status = "dissolved";
    after.active_at = c->now;
    return store_fs_chat_update(c->st, &after);
}

/* Sets is_moderator for the listed people who are members; unknown people
 * and non-members are skipped, as the platform filters them. People whose
 * flag changed are appended to 'changed' (person ids). */
static enum err mark(struct svc_ctx *c, const struct chat_caller *by, int64_t chat,
                     const json_t *ids, bool on, json_t *changed)
{
    json_t *v;
    size_t i;

    json_array_foreach(ids, i, v) {
        struct fs_member_row m;
        struct person_row p;
        struct actor who;
        enum err e = svc_fs_person_find(c, by->app, by->id_type, json_string_value(v), &p);

        if (e == ERR_NOT_FOUND)
            continue;
        if (e != ERR_OK)
            return e;
        who = (struct actor){ ACTOR_USER, p.id };
        e = store_fs_member_get(c->st, chat, &who, &m);
        if (e == ERR_NOT_FOUND || (e == ERR_OK && m.is_moderator == on))
            continue;
        m.is_moderator = on;
        if (e == ERR_OK)
            e = store_fs_member_set(c->st, chat, &m);
        if (e != ERR_OK)
            return e;
        json_array_append_new(changed, json_integer(p.id));
    }
    return ERR_OK;
}

static bool overlap(const json_t *a, const json_t *b)
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

enum err svc_chat_moderation(struct svc_ctx *c, const struct chat_caller *by, const char *chat_id,
                             const char *mode, const json_t *add_ids, const json_t *remove_ids,
                             struct fs_chat_row *before, struct fs_chat_row *after, json_t **added,
                             json_t **removed)
{
    struct chat_view v;
    enum err e = ERR_OK;
    size_t len;

    *added = NULL;
    *removed = NULL;
    /* One person on both lists is a contradiction, refused before anything
     * is looked up. */
    if (overlap(add_ids, remove_ids))
        e = err_field(c->ei, ERR_BAD_REQUEST, "moderator_removed_list", "moderator_removed_list");
    if (e == ERR_OK)
        e = svc_chat_open_write(c, chat_id, &by->op, true, &v);
    if (e == ERR_OK && !v.owner && !v.creator_bot)
        e = err_set(c->ei, ERR_FORBIDDEN, SUBJ_OWNER_ONLY, "owner or creator bot only");
    if (e != ERR_OK)
        return e;
    *added = json_array();
    *removed = json_array();
    e = mark(c, by, v.chat.id, add_ids, true, *added);
    if (e == ERR_OK)
        e = mark(c, by, v.chat.id, remove_ids, false, *removed);
    *before = v.chat;
    *after = v.chat;
    if (e == ERR_OK && mode != NULL) {
        json_t *s = json_loads(v.chat.settings, 0, NULL);

        json_object_set_new(s, "moderation_permission", json_string(mode));
        after->settings = json_dump_arena(c->a, s, &len);
        json_decref(s);
    }
    after->active_at = c->now;
    return e == ERR_OK ? store_fs_chat_update(c->st, after) : e;
}

enum err svc_chat_link(struct svc_ctx *c, const struct actor *op, const char *chat_id,
                       int64_t lifetime, const char **token, int64_t *expire)
{
    struct chat_view v;
    bool restricted;
    enum err e = svc_chat_open(c, chat_id, op, true, &v);

    *expire = lifetime > 0 ? c->now + lifetime : 0;
    if (e == ERR_OK && strcmp(v.chat.chat_mode, "p2p") == 0)
        e = err_set(c->ei, ERR_BAD_REQUEST, SUBJ_P2P, "p2p chat");
    restricted =
        e == ERR_OK
        && (strcmp(svc_chat_setting(c, &v.chat, "add_member_permission"), "only_owner") == 0
            || strcmp(svc_chat_setting(c, &v.chat, "share_card_permission"), "not_allowed") == 0);
    if (restricted && !svc_chat_privileged(&v))
        e = err_set(c->ei, ERR_FORBIDDEN, SUBJ_SHARE, "sharing restricted");
    if (e != ERR_OK)
        return e;
    *token = ids_hex(c->a, "", 18);
    /* Kept, so a person can join by it. */
    return store_fs_link_put(c->st, *token, v.chat.id, *expire, op, c->now);
}

enum err svc_chat_top_notice(struct svc_ctx *c, const struct actor *op, const char *chat_id,
                             const char *notice)
{
    struct chat_view v;
    enum err e = svc_chat_open(c, chat_id, op, true, &v);

    /* pin_manage_setting only_owner leaves pinning to the owner and managers. */
    if (e == ERR_OK && strcmp(svc_chat_setting(c, &v.chat, "pin_manage_setting"), "only_owner") == 0
        && !svc_chat_privileged(&v))
        e = err_set(c->ei, ERR_FORBIDDEN, SUBJ_PIN, "pin management restricted");
    /* A message notice names a message of this chat (not recalled). */
    if (e == ERR_OK && notice != NULL && *notice != '\0') {
        json_t *n = json_loads(notice, 0, NULL);
        const char *act = json_string_value(json_object_get(n, "action_type"));
        const char *mid = json_string_value(json_object_get(n, "message_id"));

        if (act != NULL && strcmp(act, "1") == 0
            && (mid == NULL || svc_msg_of_chat(c, mid, v.chat.id) == ERR_NOT_FOUND))
            e = err_field(c->ei, ERR_BAD_REQUEST, "message_id", "message_id");
        json_decref(n);
    }
    if (e != ERR_OK)
        return e;
    v.chat.top_notice = notice;
    v.chat.active_at = c->now;
    return store_fs_chat_update(c->st, &v.chat);
}
