/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_chat_edit.c - changing chats: update (chats.md §8) with
 * the permission matrix of §14, disband (§9), moderation (§10), share link
 * (§11) and top notice (§12). Changes that §16 defines events for write
 * them to the outbox in the same transaction.
 */
#include "dialect/feishu/fs.h"

#include "core/arena.h"
#include "core/str.h"

#include <string.h>

static const char *const BASIC[] = { "avatar", "name", "description", "i18n_names" };
static const char *const CHANGE_KEYS[] = {
    "add_member_permission", "share_card_permission", "at_all_permission", "edit_permission",
    "membership_approval", "join_message_visibility", "leave_message_visibility",
    "moderation_permission", "restricted_mode_setting", "group_message_type",
};

/* --- events (§16) --- */

struct change_event {
    struct req *rq;
    const struct fs_chat_row *before, *after;
    json_t *added, *removed; /* moderator diffs as person ids, or NULL */
};

json_t *fs_event_header(struct req *rq, int64_t app, const char *event_id, const char *type)
{
    struct fs_app_row a;
    const char *key = fs_tenant_key(rq, rq->svc.tenant);

    store_fs_app_get(rq->svc.st, rq->http->arena, app, &a);
    /* header.token is the receiving app's verification token; the delivery
     * worker fills it when it sends (it belongs to the subscription). */
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "event_id", event_id, "event_type", type,
                     "create_time",
                     arena_printf(rq->http->arena, "%lld", (long long)rq->svc.now * 1000),
                     "token", "", "app_id", a.app_id, "tenant_key", key);
}

json_t *fs_event_operator(struct req *rq, int64_t app)
{
    if (rq->actor.kind == ACTOR_USER)
        return fs_user_id_object(rq, app, rq->actor.ref);
    return json_object(); /* a bot operator has no user ids */
}

static json_t *change_json(struct req *rq, int64_t app, const struct fs_chat_row *c)
{
    json_t *s = json_loads(c->settings, 0, NULL), *o = json_object();

    json_object_set_new(o, "avatar", json_string(c->avatar));
    json_object_set_new(o, "name", json_string(c->name));
    json_object_set_new(o, "description", json_string(c->description));
    json_object_set_new(o, "i18n_names", json_loads(c->i18n_names, 0, NULL));
    for (size_t i = 0; i < sizeof(CHANGE_KEYS) / sizeof(CHANGE_KEYS[0]); i++)
        json_object_set(o, CHANGE_KEYS[i], json_object_get(s, CHANGE_KEYS[i]));
    if (c->owner.kind == ACTOR_USER)
        json_object_set_new(o, "owner_id", fs_user_id_object(rq, app, c->owner.ref));
    json_decref(s);
    return o;
}

static json_t *moderator_entries(struct req *rq, int64_t app, json_t *ids, const char *tkey)
{
    json_t *list = json_array(), *v;
    size_t i;

    json_array_foreach(ids, i, v) {
        json_array_append_new(list, json_pack("{s:s,s:o}", "tenant_key", tkey, "user_id",
                                              fs_user_id_object(rq, app, json_integer_value(v))));
    }
    return list;
}

static json_t *updated_body(void *arg, int64_t app, const char *event_id)
{
    struct change_event *ev = arg;
    struct req *rq = ev->rq;
    const char *tkey;
    json_t *event;

    tkey = fs_tenant_key(rq, rq->svc.tenant);
    event = json_pack("{s:s,s:o,s:b,s:s,s:o,s:o}", "chat_id", ev->after->chat_id, "operator_id",
                      fs_event_operator(rq, app), "external", 0, "operator_tenant_key",
                      tkey, "after_change", change_json(rq, app, ev->after),
                      "before_change", change_json(rq, app, ev->before));
    json_object_set_new(event, "moderator_list",
                        json_pack("{s:o,s:o}", "added_member_list",
                                  ev->added ? moderator_entries(rq, app, ev->added, tkey)
                                            : json_array(),
                                  "removed_member_list",
                                  ev->removed
                                      ? moderator_entries(rq, app, ev->removed, tkey)
                                      : json_array()));
    return json_pack("{s:s,s:o,s:o}", "schema", "2.0", "header",
                     fs_event_header(rq, app, event_id, "im.chat.updated_v1"), "event", event);
}

static json_t *disbanded_body(void *arg, int64_t app, const char *event_id)
{
    struct change_event *ev = arg;
    struct req *rq = ev->rq;
    const char *tkey;

    tkey = fs_tenant_key(rq, rq->svc.tenant);
    return json_pack("{s:s,s:o,s:{s:s,s:o,s:b,s:s,s:s,s:o}}", "schema", "2.0", "header",
                     fs_event_header(rq, app, event_id, "im.chat.disbanded_v1"), "event", "chat_id",
                     ev->before->chat_id, "operator_id", fs_event_operator(rq, app), "external", 0,
                     "operator_tenant_key", tkey, "name", ev->before->name,
                     "i18n_names", json_loads(ev->before->i18n_names, 0, NULL));
}

enum err fs_emit_updated(struct req *rq, const struct fs_chat_row *before,
                         const struct fs_chat_row *after, json_t *added, json_t *removed)
{
    struct change_event ev = { rq, before, after, added, removed };

    return svc_chat_emit(&rq->svc, after->id, "im.chat.updated_v1", updated_body, &ev);
}

/* --- update (§8) --- */

static bool only_basic(json_t *body)
{
    const char *key;
    json_t *v;

    json_object_foreach(body, key, v) {
        bool basic = false;

        for (size_t i = 0; i < 4; i++)
            basic = basic || strcmp(key, BASIC[i]) == 0;
        if (!basic)
            return false;
    }
    return true;
}

/* §2: add_member_permission and share_card_permission change together:
 * only_owner with not_allowed, all_members with allowed. */
static enum err paired(struct req *rq, json_t *body)
{
    const char *add = json_str(body, "add_member_permission");
    const char *share = json_str(body, "share_card_permission");

    if (add == NULL && share == NULL)
        return ERR_OK;
    if (add == NULL || share == NULL
        || (strcmp(add, "only_owner") == 0) != (strcmp(share, "not_allowed") == 0))
        return fs_bad(rq, "share_card_permission");
    return ERR_OK;
}

static enum err new_owner(struct req *rq, const struct chat_view *v, const char *type,
                          const char *id, struct actor *owner)
{
    struct fs_member_row m;
    struct person_row p;
    enum err e;

    if (!v->owner && !v->creator_bot)
        return err_set(&rq->err, ERR_FORBIDDEN, SUBJ_OWNER_ONLY, "only the owner transfers");
    e = fs_person_find(rq, type, id, &p);
    if (e == ERR_NOT_FOUND)
        return err_set(&rq->err, ERR_NOT_FOUND, SUBJ_OWNER, "owner_id");
    if (e != ERR_OK)
        return e;
    *owner = (struct actor){ ACTOR_USER, p.id };
    e = store_fs_member_get(rq->svc.st, v->chat.id, owner, &m);
    if (e == ERR_NOT_FOUND)
        return err_set(&rq->err, ERR_BAD_REQUEST, SUBJ_OWNER, "new owner not in the chat");
    return e;
}

/* Public chat names are unique in the tenant (§8, 232026). */
static enum err public_name_free(struct req *rq, const struct fs_chat_row *c)
{
    struct fs_chat_row *rows;
    size_t n;
    int64_t after = 0;

    for (int batch = 0; batch < 100; batch++) {
        enum err e = store_fs_chat_list(rq->svc.st, rq->http->arena, &(struct actor){ 0, 0 },
                                        c->tenant_id, false, 0, after, 500, &rows, &n);

        if (e != ERR_OK)
            return e;
        for (size_t i = 0; i < n; i++)
            if (rows[i].id != c->id && strcmp(rows[i].chat_type, "public") == 0
                && strcmp(rows[i].name, c->name) == 0)
                return err_set(&rq->err, ERR_CONFLICT, SUBJ_NAME, "public name taken");
        if (n < 500)
            break;
        after = rows[n - 1].id;
    }
    return ERR_OK;
}

static enum err apply_update(struct req *rq, json_t *body, const struct chat_view *v,
                             const char *type, struct fs_chat_row *c)
{
    struct arena *a = rq->http->arena;
    json_t *s = json_loads(c->settings, 0, NULL);
    const char *owner_id = json_str(body, "owner_id"), *ct = json_str(body, "chat_type");
    size_t len;
    long chars;
    enum err e = fs_settings_apply(rq, body, S_UPDATE, s);

    c->settings = json_dump_arena(a, s, &len);
    json_decref(s);
    if (e != ERR_OK)
        return e;
    if (json_str(body, "name") != NULL)
        c->name = json_str(body, "name");
    if (json_str(body, "description") != NULL)
        c->description = json_str(body, "description");
    if (json_str(body, "avatar") != NULL)
        c->avatar = json_str(body, "avatar");
    if (json_object_get(body, "i18n_names") != NULL)
        c->i18n_names = json_dump_arena(a, json_object_get(body, "i18n_names"), &len);
    if (json_object_get(body, "chat_type") != NULL) {
        if (ct == NULL || (strcmp(ct, "private") != 0 && strcmp(ct, "public") != 0))
            return fs_bad(rq, "chat_type");
        c->chat_type = ct;
    }
    if (json_object_get(body, "owner_id") != NULL) {
        if (owner_id == NULL)
            return fs_bad(rq, "owner_id");
        e = new_owner(rq, v, type, owner_id, &c->owner);
        if (e != ERR_OK)
            return e;
    }
    if (strcmp(c->chat_type, "public") != 0)
        return ERR_OK;
    chars = str_utf8_len(c->name, strlen(c->name));
    if (chars == 0)
        return err_set(&rq->err, ERR_MISSING, SUBJ_NAME, "public chat name empty");
    if (chars < 2)
        return err_set(&rq->err, ERR_BAD_REQUEST, SUBJ_NAME, "public chat name too short");
    return public_name_free(rq, c);
}

enum err fs_chat_update(struct req *rq, json_t *body, json_t *out)
{
    struct fs_chat_row after;
    struct chat_view v;
    const char *type = fs_id_type(rq, "user_id_type");
    enum err e;

    (void)out;
    e = svc_chat_open_write(&rq->svc, rq->params[0], &rq->actor, true, &v);
    if (e == ERR_OK && strcmp(v.chat.chat_mode, "group") != 0)
        e = err_set(&rq->err, ERR_BAD_REQUEST, SUBJ_CHAT_MODE, "group chats only");
    if (e == ERR_OK && !fs_privileged(&v)) {
        /* §14: other members edit basic information only, and only while
         * edit_permission is all_members. */
        if (strcmp(fs_setting(&v.chat, "edit_permission", rq->http->arena), "all_members") != 0)
            e = err_set(&rq->err, ERR_FORBIDDEN, SUBJ_EDIT, "only owner or managers edit");
        else if (!only_basic(body))
            e = err_set(&rq->err, ERR_FORBIDDEN, SUBJ_SETTINGS, "basic fields only");
    }
    if (e == ERR_OK)
        e = fs_basic_check(rq, body);
    if (e == ERR_OK)
        e = paired(rq, body);
    if (e != ERR_OK)
        return e;
    after = v.chat;
    e = apply_update(rq, body, &v, type, &after);
    if (e != ERR_OK)
        return e;
    after.active_at = rq->svc.now;
    e = store_fs_chat_update(rq->svc.st, &after);
    return e == ERR_OK ? fs_emit_updated(rq, &v.chat, &after, NULL, NULL) : e;
}

/* --- disband (§9) --- */

enum err fs_chat_disband(struct req *rq, json_t *body, json_t *out)
{
    struct change_event ev = { .rq = rq };
    struct fs_chat_row after;
    struct chat_view v;
    enum err e;

    (void)body;
    (void)out;
    e = svc_chat_open_write(&rq->svc, rq->params[0], &rq->actor, true, &v);
    if (e == ERR_OK && strcmp(v.chat.chat_mode, "group") != 0)
        e = err_set(&rq->err, ERR_BAD_REQUEST, SUBJ_CHAT_MODE, "group chats only");
    if (e == ERR_OK && !v.owner && !v.creator_bot)
        e = err_set(&rq->err, ERR_FORBIDDEN, SUBJ_OWNER_ONLY, "owner or creator bot only");
    if (e != ERR_OK)
        return e;
    /* Recipients are the bots in the chat when it is disbanded. */
    ev.before = &v.chat;
    e = svc_chat_emit(&rq->svc, v.chat.id, "im.chat.disbanded_v1", disbanded_body, &ev);
    after = v.chat;
    after.status = "dissolved";
    after.active_at = rq->svc.now;
    return e == ERR_OK ? store_fs_chat_update(rq->svc.st, &after) : e;
}
