/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_chat.c - chat rules every dialect shares by meaning: who may see a
 * chat and in which role (owner, manager, creator bot, member), membership,
 * and the outbox records a change writes in its own transaction. Creating,
 * reading and changing chats are svc_chat_create.c, svc_chat_read.c and
 * svc_chat_edit.c; the announcement svc_chat_announce.c. The Feishu shapes
 * of chats and events live in dialect/feishu/.
 */
#include "svc/svc.h"

#include "core/arena.h"
#include "core/ids.h"
#include "json/json.h"

#include <string.h>

enum err svc_chat_open(struct svc_ctx *c, const char *chat_id, const struct actor *op,
                       bool need_member, struct chat_view *v)
{
    struct fs_chat_open o;
    enum err e;

    memset(v, 0, sizeof(*v));
    /* The chat, its tenant's key and the operator's membership in one read. */
    e = store_fs_chat_open(c->st, c->a, chat_id, op, &o);
    if (e == ERR_NOT_FOUND)
        return err_set(c->ei, ERR_NOT_FOUND, SUBJ_CHAT, "chat not found");
    if (e != ERR_OK)
        return e;
    v->chat = o.chat;
    if (v->chat.tenant_id != c->tenant)
        return err_set(c->ei, ERR_FORBIDDEN, SUBJ_TENANT, "chat of another tenant");
    if (strcmp(v->chat.status, "normal") != 0)
        return err_set(c->ei, ERR_GONE, SUBJ_CHAT, "chat dissolved");
    /* The key of the request's tenant, as this transaction reads it: later
     * lookups of it in this request (svc_fs_tenant_key) take this one. */
    c->tkey_tenant = c->tenant;
    c->tkey = o.tenant_key != NULL ? o.tenant_key : "";
    v->me = o.me;
    v->member = o.member;
    v->manager = v->member && v->me.is_manager;
    v->owner = v->chat.owner.kind == op->kind && v->chat.owner.ref == op->ref;
    v->creator_bot = op->kind == ACTOR_BOT && v->chat.creator_app == op->ref && op->as_owner;
    if (need_member && !v->member)
        return err_set(c->ei, ERR_FORBIDDEN, SUBJ_MEMBERSHIP, "operator not in the chat");
    return ERR_OK;
}

bool svc_chat_privileged(const struct chat_view *v)
{
    return v->owner || v->manager || v->creator_bot;
}

bool svc_chat_restricts(struct svc_ctx *c, const struct fs_chat_row *chat, const char *what)
{
    const json_t *rm = json_object_get(svc_chat_settings(c, chat), "restricted_mode_setting");
    const char *v = json_string_value(json_object_get(rm, what));

    return json_is_true(json_object_get(rm, "status")) && v != NULL
           && strcmp(v, "not_anyone") == 0;
}

const char *svc_chat_setting(struct svc_ctx *c, const struct fs_chat_row *chat, const char *key)
{
    const char *v = json_string_value(json_object_get(svc_chat_settings(c, chat), key));

    return v ? v : "";
}

enum err svc_chat_open_write(struct svc_ctx *c, const char *chat_id, const struct actor *op,
                             bool need_member, struct chat_view *v)
{
    enum err e = store_lock_tenant(c->st, c->tenant);

    return e == ERR_OK ? svc_chat_open(c, chat_id, op, need_member, v) : e;
}

enum err svc_chat_member_add(struct svc_ctx *c, int64_t chat, const struct actor *who,
                             bool manager)
{
    struct fs_member_row m = { .who = *who, .is_manager = manager, .joined_at = c->now };

    return store_fs_member_add(c->st, chat, &m);
}

/* Writes one event for 'app', whose subscription takes 'types' (NULL: it
 * has none). */
static enum err event_write(struct svc_ctx *c, int64_t app, const char *types,
                            const char *event_type,
                            json_t *(*body_for)(void *arg, int64_t app, const char *event_id),
                            void *arg)
{
    struct outbox_row o = { .tenant_id = c->tenant, .app = app, .event_type = event_type,
                            .created_at = c->now };
    json_t *body;
    size_t len;

    /* An app that does not take this type never gets it: the record is
     * written already settled, and the delivery worker never sees it.
     * 'types' is compact JSON of plain strings, so a quoted match is exact. */
    if (types == NULL || strstr(types, arena_printf(c->a, "\"%s\"", event_type)) == NULL)
        o.state = "skipped";
    o.event_id = ids_hex_ordered(c->a, "", 16);
    body = body_for(arg, app, o.event_id);
    /* A body that could not be built (a lookup in it failed) fails the
     * change: an event is never written without its ids. */
    if (body == NULL)
        return err_set(c->ei, ERR_STORE, SUBJ_NONE, "event body not built");
    o.body = json_dump_arena(c->a, body, &len);
    json_decref(body);
    return store_outbox_add(c->st, &o);
}

enum err svc_event_to_app(struct svc_ctx *c, int64_t app, const char *event_type,
                          json_t *(*body_for)(void *arg, int64_t app, const char *event_id),
                          void *arg)
{
    struct fs_subscription_row sub;
    enum err e = store_fs_subscription_get(c->st, c->a, app, &sub);

    if (e != ERR_OK && e != ERR_NOT_FOUND)
        return e;
    return event_write(c, app, e == ERR_OK ? sub.types : NULL, event_type, body_for, arg);
}

enum err svc_chat_emit(struct svc_ctx *c, int64_t chat, const char *event_type,
                       json_t *(*body_for)(void *arg, int64_t app, const char *event_id),
                       void *arg)
{
    struct fs_bot_sub *bots;
    size_t n;
    /* The bots with their subscriptions, in one read. */
    enum err e = store_fs_bot_subscriptions(c->st, c->a, chat, &bots, &n);

    for (size_t i = 0; e == ERR_OK && i < n; i++)
        e = event_write(c, bots[i].app, bots[i].types, event_type, body_for, arg);
    return e;
}

const char *svc_chat_item_id(struct svc_ctx *c)
{
    uint64_t v;

    ids_random(&v, sizeof(v));
    return arena_printf(c->a, "7%018llu", (unsigned long long)(v % 1000000000000000000ULL));
}

struct event_arg {
    struct svc_ctx *c;
    const struct chat_event *ev;
};

static json_t *event_body(void *arg, int64_t app, const char *event_id)
{
    struct event_arg *ea = arg;

    return ea->c->events->body(ea->c, ea->ev, app, event_id);
}

/* User events go to every bot in the chat; a bot event and the p2p events
 * go to the one app they are about. */
enum err svc_chat_event(struct svc_ctx *c, const struct chat_event *ev)
{
    struct chat_event full = *ev;
    struct event_arg ea = { c, &full };
    struct person_row *people;
    const char *type;
    enum err e;

    if (c->events == NULL)
        return ERR_OK;
    type = c->events->type[ev->kind];
    switch (ev->kind) {
    case CHAT_EV_USERS_ADDED:
    case CHAT_EV_USERS_DELETED:
    case CHAT_EV_USERS_WITHDRAWN:
        if (ev->n == 0)
            return ERR_OK;
        people = arena_alloc(c->a, ev->n * sizeof(*people));
        for (size_t i = 0; i < ev->n; i++) {
            e = store_person_get(c->st, c->a, ev->who[i].ref, &people[full.npeople]);
            if (e == ERR_OK)
                full.npeople++;
            else if (e != ERR_NOT_FOUND)
                return e;
        }
        full.people = people;
        c->event_people = people;
        c->event_npeople = full.npeople;
        e = svc_chat_emit(c, ev->chat->id, type, event_body, &ea);
        c->event_people = NULL;
        c->event_npeople = 0;
        return e;
    case CHAT_EV_BOT_ADDED:
    case CHAT_EV_BOT_DELETED:
        return svc_event_to_app(c, ev->who[0].ref, type, event_body, &ea);
    case CHAT_EV_P2P_CREATED:
    case CHAT_EV_P2P_ENTERED:
        return svc_event_to_app(c, ev->app->id, type, event_body, &ea);
    case CHAT_EV__COUNT:
        break;
    }
    return err_set(c->ei, ERR_INTERNAL, SUBJ_NONE, "unknown chat event");
}
