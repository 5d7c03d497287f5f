/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_simulate.c - user actions the emulator performs on a
 * person's behalf, for tests (the admin API exposes them): a person opens
 * the p2p chat with an app's bot. The first time creates the p2p chat and
 * writes p2p_chat_create (schema 1.0, events.md A.8); every time writes
 * im.chat.access_event.bot_p2p_chat_entered_v1 (A.7).
 */
#include "dialect/feishu/fs.h"

#include "core/arena.h"
#include "core/clock.h"
#include "core/ids.h"

#include <string.h>

struct p2p_event {
    struct req *rq;
    const struct fs_chat_row *chat;
    const struct fs_app_row *app;
    const struct person_row *person;
};

static json_t *p2p_created(void *arg, int64_t app, const char *event_id)
{
    struct p2p_event *ev = arg;
    struct req *rq = ev->rq;
    json_t *ids = fs_user_id_object(rq, app, ev->person->id);
    const char *tkey;
    json_t *body;

    tkey = fs_tenant_key(rq, rq->svc.tenant);
    /* The 1.0 envelope: uuid is the event id, ts seconds with a fraction. */
    /* user_id (O*) only with the field scope. */
    body = json_pack("{s:s,s:s,s:s,s:s,s:{s:s,s:s,s:{s:O,s:O*},s:s,s:s,s:{s:s,s:O,s:O*}}}", "ts",
                     arena_printf(rq->http->arena, "%lld.%06lld", (long long)rq->svc.now,
                                  (long long)(clock_wall_us() % 1000000)),
                     "uuid", event_id, "token", "", "type", "event_callback", "event", "app_id",
                     ev->app->app_id, "chat_id", ev->chat->chat_id, "operator", "open_id",
                     json_object_get(ids, "open_id"), "user_id", json_object_get(ids, "user_id"),
                     "tenant_key", tkey, "type", "p2p_chat_create", "user", "name",
                     ev->person->name, "open_id", json_object_get(ids, "open_id"), "user_id",
                     json_object_get(ids, "user_id"));
    json_decref(ids);
    return body;
}

static json_t *p2p_entered(void *arg, int64_t app, const char *event_id)
{
    struct p2p_event *ev = arg;
    struct req *rq = ev->rq;

    /* Messages are not modelled: there is no last message to name. */
    return json_pack("{s:s,s:o,s:{s:s,s:o,s:s,s:s}}", "schema", "2.0", "header",
                     fs_event_header(rq, app, event_id,
                                     "im.chat.access_event.bot_p2p_chat_entered_v1"),
                     "event", "chat_id", ev->chat->chat_id, "operator_id",
                     fs_user_id_object(rq, app, ev->person->id), "last_message_id", "",
                     "last_message_create_time", "");
}

/* The p2p chat of (app's bot, person), found by its two members. */
static enum err find_p2p(struct req *rq, const struct actor *bot, const struct actor *user,
                         struct fs_chat_row *out)
{
    struct fs_chat_row *rows;
    size_t n;
    int64_t after = 0;

    for (int batch = 0; batch < 100; batch++) {
        enum err e = store_fs_p2p_list(rq->svc.st, rq->http->arena, bot, after, 200, &rows, &n);

        if (e != ERR_OK)
            return e;
        for (size_t i = 0; i < n; i++) {
            struct fs_member_row m;

            if (store_fs_member_get(rq->svc.st, rows[i].id, user, &m) == ERR_OK) {
                *out = rows[i];
                return ERR_OK;
            }
        }
        if (n < 200)
            break;
        after = rows[n - 1].id;
    }
    return ERR_NOT_FOUND;
}

enum err fs_sim_p2p_enter(struct req *rq, const char *app_id, const char *user_id, json_t *out)
{
    struct fs_app_row app;
    struct person_row person;
    struct fs_chat_row chat = { 0 };
    struct actor bot, user;
    struct p2p_event ev = { rq, &chat, &app, &person };
    bool created = false;
    enum err e = store_fs_app_by_app_id(rq->svc.st, rq->http->arena, app_id, &app);

    if (e == ERR_NOT_FOUND)
        return err_field(&rq->err, ERR_NOT_FOUND, "app_id", "app '%s' not found", app_id);
    if (e == ERR_OK)
        e = store_fs_person_find(rq->svc.st, rq->http->arena, app.tenant_id, app.id, "user_id",
                                 user_id, &person);
    if (e == ERR_NOT_FOUND)
        return err_field(&rq->err, ERR_NOT_FOUND, "user_id", "user '%s' not in the app's tenant",
                         user_id);
    rq->svc.tenant = app.tenant_id;
    rq->app_ref = app.id;
    rq->actor = (struct actor){ ACTOR_USER, person.id };
    bot = (struct actor){ ACTOR_BOT, app.id };
    user = rq->actor;
    if (e == ERR_OK)
        e = store_lock_tenant(rq->svc.st, app.tenant_id);
    if (e == ERR_OK)
        e = find_p2p(rq, &bot, &user, &chat);
    if (e == ERR_NOT_FOUND) {
        chat = (struct fs_chat_row){ .tenant_id = app.tenant_id, .owner = user,
                                     .chat_mode = "p2p", .chat_type = "private", .name = "",
                                     .description = "", .avatar = "", .i18n_names = "{}",
                                     .status = "normal", .top_notice = "",
                                     .created_at = rq->svc.now, .active_at = rq->svc.now };
        chat.chat_id = ids_hex(rq->http->arena, "oc_", 16);
        chat.settings = "{}";
        e = store_fs_chat_insert(rq->svc.st, &chat);
        if (e == ERR_OK)
            e = svc_chat_member_add(&rq->svc, chat.id, &user, false);
        if (e == ERR_OK)
            e = svc_chat_member_add(&rq->svc, chat.id, &bot, false);
        if (e == ERR_OK)
            e = svc_event_to_app(&rq->svc, app.id, "p2p_chat_create", p2p_created, &ev);
        created = true;
    }
    if (e == ERR_OK)
        e = svc_event_to_app(&rq->svc, app.id, "im.chat.access_event.bot_p2p_chat_entered_v1",
                             p2p_entered, &ev);
    if (e == ERR_OK) {
        json_out_str(out, "chat_id", chat.chat_id);
        json_object_set_new(out, "created", json_boolean(created));
    }
    return e;
}

/* --- join by link, leave, invite, withdraw (issue: simulated user actions) --- */

/* The person 'user_id' of the chat's tenant, as the actor of an action. */
static enum err sim_person(struct req *rq, const struct fs_chat_row *chat, const char *user_id,
                           struct person_row *p)
{
    enum err e = store_fs_person_find(rq->svc.st, rq->http->arena, chat->tenant_id, 0, "user_id",
                                      user_id, p);

    if (e == ERR_NOT_FOUND)
        return err_field(&rq->err, ERR_NOT_FOUND, "user_id", "user '%s' not in the chat's tenant",
                         user_id);
    return e;
}

/* A loaded chat made ready for a simulated action: not dissolved, its
 * tenant the request's and locked (the admin API has no tenant of its own). */
static enum err sim_chat_ready(struct req *rq, const struct fs_chat_row *chat)
{
    if (strcmp(chat->status, "normal") != 0)
        return err_set(&rq->err, ERR_GONE, SUBJ_CHAT, "chat dissolved");
    rq->svc.tenant = chat->tenant_id;
    return store_lock_tenant(rq->svc.st, chat->tenant_id);
}

/* Loads a chat by its chat_id for a simulated action. */
static enum err sim_chat(struct req *rq, const char *chat_id, struct fs_chat_row *chat)
{
    enum err e = store_fs_chat_get(rq->svc.st, rq->http->arena, chat_id, chat);

    if (e == ERR_NOT_FOUND)
        return err_field(&rq->err, ERR_NOT_FOUND, "chat_id", "chat '%s' not found", chat_id);
    return e == ERR_OK ? sim_chat_ready(rq, chat) : e;
}

static bool needs_approval(struct req *rq, const struct fs_chat_row *chat)
{
    return strcmp(fs_setting(chat, "membership_approval", rq->http->arena), "approval_required")
           == 0;
}

static enum err add_person(struct req *rq, const struct fs_chat_row *chat, const struct actor *who,
                           const struct actor *op, json_t *out)
{
    struct fs_member_row m;
    enum err e = store_fs_member_get(rq->svc.st, chat->id, who, &m);

    if (e == ERR_OK) {
        json_out_str(out, "result", "already_member");
        return ERR_OK;
    }
    if (e != ERR_NOT_FOUND)
        return e;
    e = svc_chat_member_add(&rq->svc, chat->id, who, false);
    rq->actor = *op;
    if (e == ERR_OK)
        e = fs_emit_users(rq, chat, who, 1, FS_USERS_ADDED);
    if (e == ERR_OK)
        json_out_str(out, "result", "joined");
    return e;
}

enum err fs_sim_join_by_link(struct req *rq, const char *link_token, const char *user_id,
                             json_t *out)
{
    struct fs_chat_row chat;
    struct person_row p;
    struct actor creator, who;
    int64_t chat_ref, expires;
    enum err e = store_fs_link_get(rq->svc.st, link_token, &chat_ref, &expires, &creator);

    if (e == ERR_NOT_FOUND || (e == ERR_OK && expires != 0 && expires <= rq->svc.now))
        return err_field(&rq->err, ERR_NOT_FOUND, "link_token", "no such link, or it expired");
    if (e == ERR_OK)
        e = store_fs_chat_by_id(rq->svc.st, rq->http->arena, chat_ref, &chat);
    if (e == ERR_OK)
        e = sim_chat_ready(rq, &chat);
    if (e == ERR_OK)
        e = sim_person(rq, &chat, user_id, &p);
    if (e != ERR_OK)
        return e;
    who = (struct actor){ ACTOR_USER, p.id };
    json_out_str(out, "chat_id", chat.chat_id);
    /* With approval on, joining by link asks, as an invitation by the link's
     * creator would. */
    if (needs_approval(rq, &chat)) {
        e = store_fs_pending_put(rq->svc.st, chat.id, p.id, &creator, rq->svc.now);
        if (e == ERR_OK)
            json_out_str(out, "result", "pending_approval");
        return e;
    }
    return add_person(rq, &chat, &who, &who, out);
}

enum err fs_sim_leave(struct req *rq, const char *chat_id, const char *user_id, json_t *out)
{
    struct fs_chat_row chat;
    struct fs_member_row m;
    struct person_row p;
    struct actor who;
    enum err e = sim_chat(rq, chat_id, &chat);

    if (e == ERR_OK)
        e = sim_person(rq, &chat, user_id, &p);
    if (e != ERR_OK)
        return e;
    who = (struct actor){ ACTOR_USER, p.id };
    if (chat.owner.kind == who.kind && chat.owner.ref == who.ref)
        return err_set(&rq->err, ERR_FORBIDDEN, SUBJ_OWNER,
                       "the owner leaves only after handing the chat over");
    e = store_fs_member_get(rq->svc.st, chat.id, &who, &m);
    if (e == ERR_NOT_FOUND)
        return err_field(&rq->err, ERR_NOT_FOUND, "user_id", "'%s' is not in the chat", user_id);
    if (e == ERR_OK)
        e = store_fs_member_delete(rq->svc.st, chat.id, &who);
    rq->actor = who;
    if (e == ERR_OK)
        e = fs_emit_users(rq, &chat, &who, 1, FS_USERS_DELETED);
    if (e == ERR_OK)
        json_out_str(out, "result", "left");
    return e;
}

enum err fs_sim_invite(struct req *rq, const char *chat_id, const char *inviter_id,
                       const char *user_id, json_t *out)
{
    struct fs_chat_row chat;
    struct fs_member_row m;
    struct person_row inv, p;
    struct actor inviter, who;
    bool privileged;
    enum err e = sim_chat(rq, chat_id, &chat);

    if (e == ERR_OK)
        e = sim_person(rq, &chat, inviter_id, &inv);
    if (e == ERR_OK)
        e = sim_person(rq, &chat, user_id, &p);
    if (e != ERR_OK)
        return e;
    inviter = (struct actor){ ACTOR_USER, inv.id };
    who = (struct actor){ ACTOR_USER, p.id };
    e = store_fs_member_get(rq->svc.st, chat.id, &inviter, &m);
    if (e == ERR_NOT_FOUND)
        return err_set(&rq->err, ERR_FORBIDDEN, SUBJ_MEMBERSHIP, "the inviter is not in the chat");
    if (e != ERR_OK)
        return e;
    privileged = m.is_manager || (chat.owner.kind == ACTOR_USER && chat.owner.ref == inv.id);
    if (!privileged && strcmp(fs_setting(&chat, "add_member_permission", rq->http->arena),
                              "only_owner") == 0)
        return err_set(&rq->err, ERR_FORBIDDEN, SUBJ_OWNER_ONLY, "only owner and managers invite");
    json_out_str(out, "chat_id", chat.chat_id);
    if (needs_approval(rq, &chat) && !privileged) {
        e = store_fs_pending_put(rq->svc.st, chat.id, p.id, &inviter, rq->svc.now);
        if (e == ERR_OK)
            json_out_str(out, "result", "pending_approval");
        return e;
    }
    return add_person(rq, &chat, &who, &inviter, out);
}

enum err fs_sim_withdraw(struct req *rq, const char *chat_id, const char *user_id, json_t *out)
{
    struct fs_chat_row chat;
    struct person_row p;
    struct actor inviter, who;
    enum err e = sim_chat(rq, chat_id, &chat);

    if (e == ERR_OK)
        e = sim_person(rq, &chat, user_id, &p);
    if (e == ERR_OK)
        e = store_fs_pending_take(rq->svc.st, chat.id, p.id, &inviter);
    if (e == ERR_NOT_FOUND && rq->err.code == ERR_OK)
        return err_field(&rq->err, ERR_NOT_FOUND, "user_id", "no pending invitation for '%s'",
                         user_id);
    if (e != ERR_OK)
        return e;
    who = (struct actor){ ACTOR_USER, p.id };
    /* The inviter takes the invitation back (events.md A.4). */
    rq->actor = inviter;
    e = fs_emit_users(rq, &chat, &who, 1, FS_USERS_WITHDRAWN);
    if (e == ERR_OK)
        json_out_str(out, "result", "withdrawn");
    return e;
}
