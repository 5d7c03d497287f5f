/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_chat_create.c - creating a chat (Feishu's "Create a group"): the
 * public-name rule, owner, member and bot resolution, the uuid that makes
 * a retried create one chat, then the chat and its members.
 */
#include "svc/svc.h"

#include "core/arena.h"
#include "core/ids.h"
#include "core/str.h"

#include <string.h>

#define UUID_WINDOW (10 * 3600)
#define MAX_BOTS_PER_CHAT 15

/* Resolves the listed people; every unknown id is named in one error. */
static enum err resolve_users(struct svc_ctx *c, const struct chat_caller *by,
                              const char *const *ids, size_t n, struct actor *out)
{
    char *bad_ids = NULL;

    for (size_t i = 0; i < n; i++) {
        struct person_row p;
        enum err e = svc_fs_person_find(c, by->app, by->id_type, ids[i], &p);

        if (e == ERR_NOT_FOUND) {
            bad_ids = arena_printf(c->a, "%s%s%s", bad_ids ? bad_ids : "", bad_ids ? ", " : "",
                                   ids[i]);
            continue;
        }
        if (e != ERR_OK)
            return e;
        out[i] = (struct actor){ ACTOR_USER, p.id };
    }
    if (bad_ids != NULL)
        return err_set(c->ei, ERR_NOT_FOUND, SUBJ_USER, "invalid user ids: [%s]", bad_ids);
    return ERR_OK;
}

/* Resolves bots by app_id: apps of this tenant, not the creating bot. */
static enum err resolve_bots(struct svc_ctx *c, const struct actor *op, const char *const *ids,
                             size_t n, struct actor *out)
{
    for (size_t i = 0; i < n; i++) {
        struct fs_app_row app;
        enum err e = store_fs_app_by_app_id(c->st, c->a, ids[i], &app);

        if (e == ERR_NOT_FOUND || (e == ERR_OK && app.tenant_id != c->tenant))
            return err_set(c->ei, ERR_NOT_FOUND, SUBJ_BOT, "bot %s", ids[i]);
        if (e != ERR_OK)
            return e;
        if (op->kind == ACTOR_BOT && app.id == op->ref)
            return err_field(c->ei, ERR_BAD_REQUEST, "bot_id_list", "bot_id_list");
        out[i] = (struct actor){ ACTOR_BOT, app.id };
    }
    return ERR_OK;
}

/* Public chats need a name of at least two characters. */
static enum err public_name(struct svc_ctx *c, const char *chat_type, const char *name)
{
    long chars = str_utf8_len(name, strlen(name));

    if (strcmp(chat_type, "public") != 0)
        return ERR_OK;
    if (chars == 0)
        return err_set(c->ei, ERR_MISSING, SUBJ_NAME, "public chat name empty");
    if (chars < 2)
        return err_set(c->ei, ERR_BAD_REQUEST, SUBJ_NAME, "public chat name too short");
    return ERR_OK;
}

/* The chat's members at creation: creator, owner, listed users and bots. */
static enum err add_members(struct svc_ctx *c, const struct actor *op,
                            const struct fs_chat_row *chat, const struct actor *users, size_t nu,
                            const struct actor *bots, size_t nb, bool bot_manager)
{
    enum err e = svc_chat_member_add(c, chat->id, op, bot_manager);

    /* The creator owns the chat unless another owner is named: then it is
     * in already (adding a member twice adds nothing). */
    if (e == ERR_OK && (chat->owner.kind != op->kind || chat->owner.ref != op->ref))
        e = svc_chat_member_add(c, chat->id, &chat->owner, false);
    for (size_t i = 0; e == ERR_OK && i < nu; i++)
        e = svc_chat_member_add(c, chat->id, &users[i], false);
    for (size_t i = 0; e == ERR_OK && i < nb; i++)
        e = svc_chat_member_add(c, chat->id, &bots[i], false);
    return e;
}

/* The settings: defaults with the requested ones merged in. In a request
 * (its JSON made in c->a) the object is kept as the row's parsed settings
 * (svc_chat_settings), so the answer does not parse what was just written.
 * A request that names none takes the defaults' text, written once (their
 * parsed object is the process's shared one). */
static enum err settings_of(struct svc_ctx *c, const json_t *req, struct fs_chat_row *ch)
{
    struct arena *named;
    json_t *s;
    enum err e;
    size_t len;

    if (!svc_chat_settings_named(req, CHAT_SET_CREATE)) {
        ch->settings = svc_chat_settings_default_text();
        return ERR_OK;
    }
    named = json_arena_use(c->a);
    json_arena_use(named);
    s = svc_chat_settings_default();
    e = svc_chat_settings_apply(c, req, CHAT_SET_CREATE, s);
    ch->settings = json_dump_arena(c->a, s, &len);
    if (named == c->a) {
        ch->settings_of = ch->settings;
        ch->settings_json = s;
    } else {
        json_decref(s);
    }
    return e;
}

enum err svc_chat_create(struct svc_ctx *c, const struct chat_caller *by, const struct chat_new *in,
                         struct fs_chat_row *out)
{
    struct actor *users = arena_alloc(c->a, (in->n_users + 1) * sizeof(*users));
    struct actor *bots = arena_alloc(c->a, (in->n_bots + 1) * sizeof(*bots));
    const char *owner_key = in->owner_id ? in->owner_id : "";
    struct fs_chat_row *ch = out;
    int64_t existing;
    enum err e;

    memset(ch, 0, sizeof(*ch));
    e = settings_of(c, in->settings, ch);
    if (e == ERR_OK)
        e = public_name(c, in->chat_type, in->name);
    if (e != ERR_OK)
        return e;
    /* The owner: named, or else whoever creates the chat. */
    ch->owner = by->op;
    if (in->owner_id != NULL) {
        struct person_row p;

        e = svc_fs_person_find(c, by->app, by->id_type, in->owner_id, &p);
        if (e == ERR_NOT_FOUND)
            return err_set(c->ei, ERR_NOT_FOUND, SUBJ_USER, "invalid user ids: [%s]",
                           in->owner_id);
        if (e != ERR_OK)
            return e;
        ch->owner = (struct actor){ ACTOR_USER, p.id };
    }
    e = resolve_users(c, by, in->user_ids, in->n_users, users);
    if (e == ERR_OK)
        e = resolve_bots(c, &by->op, in->bot_ids, in->n_bots, bots);
    if (e == ERR_OK && in->n_bots + (by->op.kind == ACTOR_BOT) > MAX_BOTS_PER_CHAT)
        e = err_field(c->ei, ERR_BAD_REQUEST, "bot_id_list", "bot_id_list");
    /* Serialised per tenant when a uuid is given: 20 parallel creates with
     * one uuid make one chat. Without one nothing is counted before it is
     * written, and creates run side by side. */
    if (e == ERR_OK && in->uuid != NULL)
        e = store_lock_tenant(c->st, c->tenant);
    if (e != ERR_OK)
        return e;
    if (in->uuid != NULL) {
        e = store_fs_uuid_get(c->st, c->tenant, in->uuid, owner_key, c->now - UUID_WINDOW,
                              &existing);
        if (e == ERR_OK)
            return store_fs_chat_by_id(c->st, c->a, existing, out);
        if (e != ERR_NOT_FOUND)
            return e;
    }
    ch->tenant_id = c->tenant;
    ch->chat_mode = in->chat_mode;
    ch->chat_type = in->chat_type;
    ch->name = in->name;
    ch->description = in->description;
    ch->avatar = in->avatar;
    ch->i18n_names = in->i18n_names;
    ch->chat_id = ids_hex_ordered(c->a, "oc_", 16);
    ch->creator_app = by->op.kind == ACTOR_BOT ? by->op.ref : 0;
    ch->status = "normal";
    ch->top_notice = "";
    ch->created_at = c->now;
    ch->active_at = c->now;
    e = store_fs_chat_insert(c->st, ch);
    if (e == ERR_OK)
        e = add_members(c, &by->op, ch, users, in->n_users, bots, in->n_bots,
                        in->set_bot_manager && ch->owner.kind == ACTOR_USER
                            && by->op.kind == ACTOR_BOT);
    if (e == ERR_OK && in->uuid != NULL)
        e = store_fs_uuid_put(c->st, c->tenant, in->uuid, owner_key, ch->id, c->now);
    return e;
}
