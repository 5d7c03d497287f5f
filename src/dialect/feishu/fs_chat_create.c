/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_chat_create.c - POST /open-apis/im/v1/chats (chats.md
 * §4): validation, owner and member resolution in the caller's
 * user_id_type, uuid idempotency, then one transaction that inserts the
 * chat and its members.
 */
#include "dialect/feishu/fs.h"

#include "core/arena.h"
#include "core/ids.h"
#include "core/str.h"

#include <string.h>

#define UUID_WINDOW (10 * 3600)
#define MAX_USERS 50
#define MAX_BOTS_PER_CALL 5
#define MAX_BOTS_PER_CHAT 15

/* Resolves user_id_list; every unknown id is named in one 232043. */
static enum err resolve_users(struct req *rq, const char *type, json_t *list, struct actor *out,
                              size_t *n)
{
    char *bad_ids = NULL;
    json_t *v;
    size_t i;

    *n = 0;
    json_array_foreach(list, i, v) {
        struct person_row p;
        enum err e;

        if (!json_is_string(v))
            return fs_bad(rq, "user_id_list");
        e = fs_person_find(rq, type, json_string_value(v), &p);
        if (e == ERR_NOT_FOUND) {
            bad_ids = arena_printf(rq->http->arena, "%s%s%s", bad_ids ? bad_ids : "",
                                   bad_ids ? ", " : "", json_string_value(v));
            continue;
        }
        if (e != ERR_OK)
            return e;
        out[(*n)++] = (struct actor){ ACTOR_USER, p.id };
    }
    if (bad_ids != NULL)
        return err_set(&rq->err, ERR_NOT_FOUND, SUBJ_USER, "invalid user ids: [%s]", bad_ids);
    return ERR_OK;
}

/* Resolves bot_id_list: app_ids of this tenant, not the calling bot. */
static enum err resolve_bots(struct req *rq, json_t *list, struct actor *out, size_t *n)
{
    json_t *v;
    size_t i;

    *n = 0;
    json_array_foreach(list, i, v) {
        struct fs_app_row app;
        enum err e;

        if (!json_is_string(v))
            return fs_bad(rq, "bot_id_list");
        e = store_fs_app_by_app_id(rq->svc.st, rq->http->arena, json_string_value(v), &app);
        if (e == ERR_NOT_FOUND || (e == ERR_OK && app.tenant_id != rq->svc.tenant))
            return err_set(&rq->err, ERR_NOT_FOUND, SUBJ_BOT, "bot %s", json_string_value(v));
        if (e != ERR_OK)
            return e;
        if (rq->actor.kind == ACTOR_BOT && app.id == rq->actor.ref)
            return fs_bad(rq, "bot_id_list");
        out[(*n)++] = (struct actor){ ACTOR_BOT, app.id };
    }
    return ERR_OK;
}

/* §2: public chats need a name of at least two characters. */
static enum err public_name(struct req *rq, const char *chat_type, const char *name)
{
    long chars = str_utf8_len(name, strlen(name));

    if (strcmp(chat_type, "public") != 0)
        return ERR_OK;
    if (chars == 0)
        return err_set(&rq->err, ERR_MISSING, SUBJ_NAME, "public chat name empty");
    if (chars < 2)
        return err_set(&rq->err, ERR_BAD_REQUEST, SUBJ_NAME, "public chat name too short");
    return ERR_OK;
}

static const char *str_or(json_t *body, const char *key, const char *def)
{
    const char *v = json_str(body, key);

    return v ? v : def;
}

static enum err check_enums(struct req *rq, json_t *body)
{
    static const char *const modes[] = { "group", "topic" };
    const char *mode = str_or(body, "chat_mode", "group");
    const char *type = str_or(body, "chat_type", "private");

    if ((json_object_get(body, "chat_mode") && !json_str(body, "chat_mode"))
        || (strcmp(mode, modes[0]) != 0 && strcmp(mode, modes[1]) != 0))
        return fs_bad(rq, "chat_mode");
    if ((json_object_get(body, "chat_type") && !json_str(body, "chat_type"))
        || (strcmp(type, "private") != 0 && strcmp(type, "public") != 0))
        return fs_bad(rq, "chat_type");
    return ERR_OK;
}

/* The chat's members at creation: creator, owner, listed users and bots. */
static enum err add_members(struct req *rq, const struct fs_chat_row *c, const struct actor *users,
                            size_t nu, const struct actor *bots, size_t nb, bool bot_manager)
{
    struct svc_ctx *s = &rq->svc;
    enum err e = svc_chat_member_add(s, c->id, &rq->actor, bot_manager);

    if (e == ERR_OK)
        e = svc_chat_member_add(s, c->id, &c->owner, false);
    for (size_t i = 0; e == ERR_OK && i < nu; i++)
        e = svc_chat_member_add(s, c->id, &users[i], false);
    for (size_t i = 0; e == ERR_OK && i < nb; i++)
        e = svc_chat_member_add(s, c->id, &bots[i], false);
    return e;
}

enum err fs_chat_create(struct req *rq, json_t *body, json_t *out)
{
    struct actor users[MAX_USERS], bots[MAX_BOTS_PER_CALL];
    json_t *ulist = json_object_get(body, "user_id_list"), *blist = json_object_get(body, "bot_id_list");
    const char *type = fs_id_type(rq, "user_id_type"), *uuid = json_str(rq->query, "uuid");
    const char *owner_id = json_str(body, "owner_id");
    bool sbm = json_is_true(json_object_get(rq->query, "set_bot_manager"));
    struct fs_chat_row c = { 0 };
    json_t *settings, *res, *i18n;
    size_t nu = 0, nb = 0, len;
    int64_t existing;
    enum err e;

    e = ERR_OK;
    if (e == ERR_OK && ((ulist && (!json_is_array(ulist) || json_array_size(ulist) > MAX_USERS))))
        e = fs_bad(rq, "user_id_list");
    if (e == ERR_OK
        && (blist && (!json_is_array(blist) || json_array_size(blist) > MAX_BOTS_PER_CALL)))
        e = fs_bad(rq, "bot_id_list");
    if (e == ERR_OK && json_object_get(body, "owner_id") != NULL && owner_id == NULL)
        e = fs_bad(rq, "owner_id");
    if (e == ERR_OK)
        e = check_enums(rq, body);
    if (e == ERR_OK)
        e = fs_basic_check(rq, body);
    if (e == ERR_OK) {
        settings = fs_settings_default();
        e = fs_settings_apply(rq, body, S_CREATE, settings);
        c.settings = json_dump_arena(rq->http->arena, settings, &len);
        json_decref(settings);
    }
    if (e != ERR_OK)
        return e;

    c.tenant_id = rq->svc.tenant;
    c.chat_mode = str_or(body, "chat_mode", "group");
    c.chat_type = str_or(body, "chat_type", "private");
    c.name = str_or(body, "name", "");
    c.description = str_or(body, "description", "");
    c.avatar = str_or(body, "avatar", "");
    e = public_name(rq, c.chat_type, c.name);
    if (e != ERR_OK)
        return e;

    /* The owner: named, or else whoever creates the chat. */
    c.owner = rq->actor;
    if (owner_id != NULL) {
        struct person_row p;

        e = fs_person_find(rq, type, owner_id, &p);
        if (e == ERR_NOT_FOUND)
            return err_set(&rq->err, ERR_NOT_FOUND, SUBJ_USER, "invalid user ids: [%s]",
                           owner_id);
        if (e != ERR_OK)
            return e;
        c.owner = (struct actor){ ACTOR_USER, p.id };
    }
    if (ulist != NULL)
        e = resolve_users(rq, type, ulist, users, &nu);
    if (e == ERR_OK && blist != NULL)
        e = resolve_bots(rq, blist, bots, &nb);
    if (e == ERR_OK && nb + (rq->actor.kind == ACTOR_BOT) > MAX_BOTS_PER_CHAT)
        e = fs_bad(rq, "bot_id_list");
    /* Serialised per tenant: 20 parallel creates with one uuid make one chat. */
    if (e == ERR_OK)
        e = store_lock_tenant(rq->svc.st, rq->svc.tenant);
    if (e != ERR_OK)
        return e;

    if (uuid != NULL) {
        e = store_fs_uuid_get(rq->svc.st, rq->svc.tenant, uuid, owner_id ? owner_id : "",
                              rq->svc.now - UUID_WINDOW, &existing);
        if (e == ERR_OK) {
            e = store_fs_chat_by_id(rq->svc.st, rq->http->arena, existing, &c);
            if (e != ERR_OK)
                return e;
            res = fs_chat_json(rq, &c, type, true, false);
            json_object_update_new(out, res);
            return ERR_OK;
        }
        if (e != ERR_NOT_FOUND)
            return e;
    }

    i18n = json_object_get(body, "i18n_names");
    c.i18n_names = i18n ? json_dump_arena(rq->http->arena, i18n, &len) : "{}";
    c.chat_id = ids_hex(rq->http->arena, "oc_", 16);
    c.creator_app = rq->actor.kind == ACTOR_BOT ? rq->actor.ref : 0;
    c.status = "normal";
    c.top_notice = "";
    c.created_at = rq->svc.now;
    c.active_at = rq->svc.now;
    e = store_fs_chat_insert(rq->svc.st, &c);
    if (e == ERR_OK)
        e = add_members(rq, &c, users, nu, bots, nb,
                        sbm && c.owner.kind == ACTOR_USER
                            && rq->actor.kind == ACTOR_BOT);
    if (e == ERR_OK && uuid != NULL)
        e = store_fs_uuid_put(rq->svc.st, rq->svc.tenant, uuid, owner_id ? owner_id : "", c.id,
                              rq->svc.now);
    if (e != ERR_OK)
        return e;
    res = fs_chat_json(rq, &c, type, true, false);
    json_object_update_new(out, res);
    return ERR_OK;
}
