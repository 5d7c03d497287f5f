/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_chat_edit.c - update ("Update group information") and
 * disband ("Dissolve a group") through svc_chat_update and
 * svc_chat_disband, and the chat events their changes write to the outbox
 * in the same transaction ("Group updated" and "Group disbanded" event
 * pages, schema 2.0).
 */
#include "dialect/feishu/fs.h"

#include "core/arena.h"
#include "core/str.h"

#include <string.h>

static const char *const CHANGE_KEYS[] = {
    "add_member_permission", "share_card_permission", "at_all_permission", "edit_permission",
    "membership_approval", "join_message_visibility", "leave_message_visibility",
    "moderation_permission", "restricted_mode_setting", "group_message_type",
};

/* --- events --- */

struct change_event {
    struct req *rq;
    const struct fs_chat_row *before, *after;
    json_t *added, *removed; /* moderator diffs as person ids, or NULL */
};

json_t *fs_event_header(struct req *rq, int64_t app, const char *event_id, const char *type)
{
    const char *key, *app_id;

    /* Without the receiving app's app_id (or the tenant key) there is no
     * header: NULL fails the body it is packed into, and so the change. */
    if (svc_fs_app_id(&rq->svc, app, &app_id) != ERR_OK
        || fs_tenant_key_get(rq, rq->svc.tenant, &key) != ERR_OK)
        return NULL;
    /* header.token is the receiving app's verification token; the delivery
     * worker fills it when it sends (it belongs to the subscription). */
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "event_id", event_id, "event_type", type,
                     "create_time",
                     arena_printf(rq->http->arena, "%lld", (long long)rq->svc.now * 1000),
                     "token", "", "app_id", app_id, "tenant_key", key);
}

json_t *fs_event_operator(struct req *rq, int64_t app)
{
    if (rq->actor.kind == ACTOR_USER)
        return fs_user_id_object(rq, app, rq->actor.ref);
    return json_object(); /* a bot operator has no user ids */
}

static json_t *change_json(struct req *rq, int64_t app, const struct fs_chat_row *c)
{
    const json_t *s = svc_chat_settings(&rq->svc, c);
    json_t *o = json_object();

    json_object_set_new(o, "avatar", json_string(c->avatar));
    json_object_set_new(o, "name", json_string(c->name));
    json_object_set_new(o, "description", json_string(c->description));
    json_object_set_new(o, "i18n_names", json_loads(c->i18n_names, 0, NULL));
    for (size_t i = 0; i < sizeof(CHANGE_KEYS) / sizeof(CHANGE_KEYS[0]); i++)
        json_object_set(o, CHANGE_KEYS[i], json_object_get(s, CHANGE_KEYS[i]));
    if (c->owner.kind == ACTOR_USER
        && json_object_set_new(o, "owner_id", fs_user_id_object(rq, app, c->owner.ref)) != 0) {
        json_decref(o); /* the owner's ids were not read */
        return NULL;
    }
    return o;
}

/* The people whose speaker flag changed (person ids; NULL: none), or NULL
 * when their ids were not read. */
static json_t *moderator_entries(struct req *rq, int64_t app, json_t *ids, const char *tkey)
{
    json_t *list = json_array(), *v;
    size_t i;

    json_array_foreach(ids, i, v) {
        json_t *entry = json_pack("{s:s,s:o}", "tenant_key", tkey, "user_id",
                                  fs_user_id_object(rq, app, json_integer_value(v)));

        if (json_array_append_new(list, entry) != 0) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

static json_t *updated_body(void *arg, int64_t app, const char *event_id)
{
    struct change_event *ev = arg;
    struct req *rq = ev->rq;
    const char *tkey;
    json_t *event;

    /* A part that was not built (NULL) fails the pack it goes into, and so
     * the body: svc_chat_emit then fails the change. */
    tkey = fs_tenant_key(rq, rq->svc.tenant);
    event = json_pack("{s:s,s:o,s:b,s:s,s:o,s:o}", "chat_id", ev->after->chat_id, "operator_id",
                      fs_event_operator(rq, app), "external", 0, "operator_tenant_key",
                      tkey, "after_change", change_json(rq, app, ev->after),
                      "before_change", change_json(rq, app, ev->before));
    if (json_object_set_new(event, "moderator_list",
                            json_pack("{s:o,s:o}", "added_member_list",
                                      moderator_entries(rq, app, ev->added, tkey),
                                      "removed_member_list",
                                      moderator_entries(rq, app, ev->removed, tkey)))
        != 0) {
        json_decref(event);
        return NULL;
    }
    return json_pack("{s:s,s:o,s:o}", "schema", "2.0", "header",
                     fs_event_header(rq, app, event_id, "im.chat.updated_v1"), "event", event);
}

static json_t *disbanded_body(void *arg, int64_t app, const char *event_id)
{
    struct change_event *ev = arg;
    struct req *rq = ev->rq;
    const char *tkey;

    tkey = fs_tenant_key(rq, rq->svc.tenant); /* NULL fails the pack */
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

/* --- update and disband --- */

static bool is_basic(const char *key)
{
    static const char *const BASIC[] = { "avatar", "name", "description", "i18n_names" };

    for (size_t i = 0; i < sizeof(BASIC) / sizeof(BASIC[0]); i++)
        if (strcmp(key, BASIC[i]) == 0)
            return true;
    return false;
}

/* Whether the body names nothing but the basic fields (any other member,
 * known or not, counts). */
static bool only_basic(json_t *body)
{
    const char *key;
    json_t *v;

    json_object_foreach(body, key, v) {
        if (!is_basic(key))
            return false;
    }
    return true;
}

enum err fs_chat_update(struct req *rq, json_t *body, json_t *out)
{
    const struct chat_caller by = { rq->actor, rq->app_ref, fs_id_type(rq, "user_id_type") };
    json_t *i18n = json_object_get(body, "i18n_names");
    struct chat_change in = {
        .name = json_str(body, "name"),
        .description = json_str(body, "description"),
        .avatar = json_str(body, "avatar"),
        .chat_type = json_str(body, "chat_type"),
        .owner_id = json_str(body, "owner_id"),
        .settings = body,
        .only_basic = only_basic(body),
    };
    struct fs_chat_row before, after;
    size_t len;
    enum err e;

    (void)out;
    in.i18n_names = i18n ? json_dump_arena(rq->http->arena, i18n, &len) : NULL;
    e = svc_chat_update(&rq->svc, &by, rq->params[0], &in, &before, &after);
    return e == ERR_OK ? fs_emit_updated(rq, &before, &after, NULL, NULL) : e;
}

enum err fs_chat_disband(struct req *rq, json_t *body, json_t *out)
{
    struct change_event ev = { .rq = rq };
    struct fs_chat_row before;
    enum err e;

    (void)body;
    (void)out;
    e = svc_chat_disband(&rq->svc, &rq->actor, rq->params[0], &before);
    /* Recipients are the bots in the chat when it is disbanded. */
    ev.before = &before;
    return e == ERR_OK
               ? svc_chat_emit(&rq->svc, before.id, "im.chat.disbanded_v1", disbanded_body, &ev)
               : e;
}
