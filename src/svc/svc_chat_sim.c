/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_chat_sim.c - what the emulator does on a person's behalf, for
 * tests (the admin API exposes it): open the p2p chat with an app's bot
 * (created the first time), join by a share link, leave, invite, and take
 * a pending invitation back. Each writes the events the real action would.
 * The admin API has no tenant of its own: each action switches c->tenant
 * to the one it acts in and takes that tenant's writer lock.
 */
#include "svc/svc.h"

#include "core/ids.h"

#include <string.h>

enum { P2P_BATCH = 200, P2P_MAX_BATCHES = 100 };

static bool same(const struct actor *a, const struct actor *b)
{
    return a->kind == b->kind && a->ref == b->ref;
}

/* The p2p chat of (bot, user), found by its two members. */
static enum err find_p2p(struct svc_ctx *c, const struct actor *bot, const struct actor *user,
                         struct fs_chat_row *out)
{
    struct fs_chat_row *rows;
    size_t n;
    int64_t after = 0;

    for (int batch = 0; batch < P2P_MAX_BATCHES; batch++) {
        enum err e = store_fs_p2p_list(c->st, c->a, bot, after, P2P_BATCH, &rows, &n);

        if (e != ERR_OK)
            return e;
        for (size_t i = 0; i < n; i++) {
            struct fs_member_row m;

            e = store_fs_member_get(c->st, rows[i].id, user, &m);
            if (e == ERR_OK) {
                *out = rows[i];
                return ERR_OK;
            }
            if (e != ERR_NOT_FOUND)
                return e;
        }
        if (n < P2P_BATCH)
            break;
        after = rows[n - 1].id;
    }
    return ERR_NOT_FOUND;
}

enum err svc_chat_p2p_enter(struct svc_ctx *c, const char *app_id, const char *user_id,
                            const char **chat_id, bool *created)
{
    struct fs_app_row app;
    struct person_row person;
    struct fs_chat_row chat = { 0 };
    struct actor bot, user;
    struct chat_event ev = { .chat = &chat, .app = &app, .person = &person };
    enum err e = svc_fs_app_user(c, app_id, user_id, &app, &person);

    *created = false;
    if (e != ERR_OK)
        return e;
    c->tenant = app.tenant_id;
    bot = (struct actor){ ACTOR_BOT, app.id };
    user = (struct actor){ ACTOR_USER, person.id };
    ev.op = user;
    ev.who = &user;
    ev.n = 1;
    e = store_lock_tenant(c->st, app.tenant_id);
    if (e == ERR_OK)
        e = find_p2p(c, &bot, &user, &chat);
    if (e == ERR_NOT_FOUND) {
        chat = (struct fs_chat_row){ .tenant_id = app.tenant_id, .owner = user,
                                     .chat_mode = "p2p", .chat_type = "private", .name = "",
                                     .description = "", .avatar = "", .i18n_names = "{}",
                                     .settings = "{}", .status = "normal", .top_notice = "",
                                     .created_at = c->now, .active_at = c->now };
        chat.chat_id = ids_hex_ordered(c->a, "oc_", 16);
        e = store_fs_chat_insert(c->st, &chat);
        if (e == ERR_OK)
            e = svc_chat_member_add(c, chat.id, &user, false);
        if (e == ERR_OK)
            e = svc_chat_member_add(c, chat.id, &bot, false);
        ev.kind = CHAT_EV_P2P_CREATED;
        if (e == ERR_OK)
            e = svc_chat_event(c, &ev);
        *created = true;
    }
    ev.kind = CHAT_EV_P2P_ENTERED;
    if (e == ERR_OK)
        e = svc_chat_event(c, &ev);
    *chat_id = chat.chat_id;
    return e;
}

/* The person 'user_id' of the chat's tenant. */
static enum err sim_person(struct svc_ctx *c, const struct fs_chat_row *chat, const char *user_id,
                           struct actor *who)
{
    struct person_row p;
    enum err e = store_fs_person_find(c->st, c->a, chat->tenant_id, 0, "user_id", user_id, &p);

    if (e == ERR_NOT_FOUND)
        return err_field(c->ei, ERR_NOT_FOUND, "user_id", "user '%s' not in the chat's tenant",
                         user_id);
    if (e == ERR_OK)
        *who = (struct actor){ ACTOR_USER, p.id };
    return e;
}

/* A loaded chat made ready for an action: not dissolved, its tenant the
 * context's and locked. */
static enum err sim_chat_ready(struct svc_ctx *c, const struct fs_chat_row *chat)
{
    if (strcmp(chat->status, "normal") != 0)
        return err_set(c->ei, ERR_GONE, SUBJ_CHAT, "chat dissolved");
    c->tenant = chat->tenant_id;
    return store_lock_tenant(c->st, chat->tenant_id);
}

/* Loads a chat by its chat_id for an action. */
static enum err sim_chat(struct svc_ctx *c, const char *chat_id, struct fs_chat_row *chat)
{
    enum err e = store_fs_chat_get(c->st, c->a, chat_id, chat);

    if (e == ERR_NOT_FOUND)
        return err_field(c->ei, ERR_NOT_FOUND, "chat_id", "chat '%s' not found", chat_id);
    return e == ERR_OK ? sim_chat_ready(c, chat) : e;
}

static bool needs_approval(struct svc_ctx *c, const struct fs_chat_row *chat)
{
    return strcmp(svc_chat_setting(c, chat, "membership_approval"), "approval_required") == 0;
}

/* 'who' joins, added by 'op' (itself when it joins by a link). */
static enum err add_person(struct svc_ctx *c, const struct fs_chat_row *chat,
                           const struct actor *who, const struct actor *op, const char **result)
{
    struct fs_member_row m;
    struct chat_event ev = { .kind = CHAT_EV_USERS_ADDED, .chat = chat, .op = *op, .who = who,
                             .n = 1 };
    enum err e = store_fs_member_get(c->st, chat->id, who, &m);

    if (e == ERR_OK) {
        *result = "already_member";
        return ERR_OK;
    }
    if (e != ERR_NOT_FOUND)
        return e;
    e = svc_chat_member_add(c, chat->id, who, false);
    if (e == ERR_OK)
        e = svc_chat_event(c, &ev);
    *result = "joined";
    return e;
}

/* 'who' waits for approval, invited by 'inviter'. */
static enum err add_pending(struct svc_ctx *c, const struct fs_chat_row *chat,
                            const struct actor *who, const struct actor *inviter,
                            const char **result)
{
    *result = "pending_approval";
    return store_fs_pending_put(c->st, chat->id, who->ref, inviter, c->now);
}

enum err svc_chat_join_by_link(struct svc_ctx *c, const char *link_token, const char *user_id,
                               const char **chat_id, const char **result)
{
    struct fs_chat_row chat;
    struct actor creator, who;
    int64_t chat_ref, expires;
    enum err e = store_fs_link_get(c->st, link_token, &chat_ref, &expires, &creator);

    if (e == ERR_NOT_FOUND || (e == ERR_OK && expires != 0 && expires <= c->now))
        return err_field(c->ei, ERR_NOT_FOUND, "link_token", "no such link, or it expired");
    if (e == ERR_OK)
        e = store_fs_chat_by_id(c->st, c->a, chat_ref, &chat);
    if (e == ERR_OK)
        e = sim_chat_ready(c, &chat);
    if (e == ERR_OK)
        e = sim_person(c, &chat, user_id, &who);
    if (e != ERR_OK)
        return e;
    *chat_id = chat.chat_id;
    /* With approval on, joining by link asks, as an invitation by the link's
     * creator would. */
    if (needs_approval(c, &chat))
        return add_pending(c, &chat, &who, &creator, result);
    return add_person(c, &chat, &who, &who, result);
}

enum err svc_chat_leave(struct svc_ctx *c, const char *chat_id, const char *user_id,
                        const char **result)
{
    struct fs_chat_row chat;
    struct fs_member_row m;
    struct actor who;
    struct chat_event ev = { .kind = CHAT_EV_USERS_DELETED, .chat = &chat, .who = &who, .n = 1 };
    enum err e = sim_chat(c, chat_id, &chat);

    if (e == ERR_OK)
        e = sim_person(c, &chat, user_id, &who);
    if (e != ERR_OK)
        return e;
    if (same(&chat.owner, &who))
        return err_set(c->ei, ERR_FORBIDDEN, SUBJ_OWNER,
                       "the owner leaves only after handing the chat over");
    e = store_fs_member_get(c->st, chat.id, &who, &m);
    if (e == ERR_NOT_FOUND)
        return err_field(c->ei, ERR_NOT_FOUND, "user_id", "'%s' is not in the chat", user_id);
    if (e == ERR_OK)
        e = store_fs_member_delete(c->st, chat.id, &who);
    ev.op = who;
    if (e == ERR_OK)
        e = svc_chat_event(c, &ev);
    *result = "left";
    return e;
}

enum err svc_chat_invite(struct svc_ctx *c, const char *chat_id, const char *inviter_id,
                         const char *user_id, const char **result)
{
    struct fs_chat_row chat;
    struct fs_member_row m;
    struct actor inviter, who;
    bool privileged;
    enum err e = sim_chat(c, chat_id, &chat);

    if (e == ERR_OK)
        e = sim_person(c, &chat, inviter_id, &inviter);
    if (e == ERR_OK)
        e = sim_person(c, &chat, user_id, &who);
    if (e != ERR_OK)
        return e;
    e = store_fs_member_get(c->st, chat.id, &inviter, &m);
    if (e == ERR_NOT_FOUND)
        return err_set(c->ei, ERR_FORBIDDEN, SUBJ_MEMBERSHIP, "the inviter is not in the chat");
    if (e != ERR_OK)
        return e;
    privileged = m.is_manager || same(&chat.owner, &inviter);
    if (!privileged
        && strcmp(svc_chat_setting(c, &chat, "add_member_permission"), "only_owner") == 0)
        return err_set(c->ei, ERR_FORBIDDEN, SUBJ_OWNER_ONLY, "only owner and managers invite");
    if (needs_approval(c, &chat) && !privileged)
        return add_pending(c, &chat, &who, &inviter, result);
    return add_person(c, &chat, &who, &inviter, result);
}

enum err svc_chat_withdraw(struct svc_ctx *c, const char *chat_id, const char *user_id,
                           const char **result)
{
    struct fs_chat_row chat;
    struct actor inviter, who;
    struct chat_event ev = { .kind = CHAT_EV_USERS_WITHDRAWN, .chat = &chat, .who = &who,
                             .n = 1 };
    enum err e = sim_chat(c, chat_id, &chat);

    if (e == ERR_OK)
        e = sim_person(c, &chat, user_id, &who);
    if (e == ERR_OK)
        e = store_fs_pending_take(c->st, chat.id, who.ref, &inviter);
    if (e == ERR_NOT_FOUND && c->ei->code == ERR_OK)
        return err_field(c->ei, ERR_NOT_FOUND, "user_id", "no pending invitation for '%s'",
                         user_id);
    if (e != ERR_OK)
        return e;
    /* The inviter takes the invitation back. */
    ev.op = inviter;
    e = svc_chat_event(c, &ev);
    *result = "withdrawn";
    return e;
}
