/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_msg.c - Feishu messages as state ("Send a message", "Reply to a
 * message", "Get the content of a specified message", "Get the history of a
 * chat"): who may send into a chat and read it, the p2p chat a message to
 * a person opens, replies and threads, uuid keys, the pages of a chat or a thread,
 * and which bots an im.message.receive_v1 goes to. Recall, edit and card
 * updates are svc_msg_ops.c; content rules svc_msg_content.c.
 */
#include "svc/svc_msg_int.h"

#include "core/arena.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/seal.h"
#include "json/json.h"

#include <string.h>

#define UUID_WINDOW_S 3600
#define UUID_MAX_CHARS 50

/* A message's create time: the request's own reading of the server clock,
 * so messages sent one after another are ordered (the seconds read at the
 * start of a request and the milliseconds read later could disagree). */
int64_t svc_msg_now_ms(const struct svc_ctx *c)
{
    if (c->now_ms != 0)
        return c->now_ms;
    return c->now * 1000 + (clock_wall_us() / 1000) % 1000;
}

const char *svc_fs_bot_open_id(struct arena *a, const char *app_id)
{
    static const struct seal_key zero;
    char *d = seal_digest(a, &zero, arena_printf(a, "bot:%s", app_id));

    d[32] = '\0';
    return arena_printf(a, "ou_%s", d);
}

enum err svc_msg_person_ids(struct svc_ctx *c, int64_t app, int64_t person,
                            struct fs_person_ids *out)
{
    struct person_row p;
    char *open_id = NULL;
    enum err e = store_person_get(c->st, c->a, person, &p);

    memset(out, 0, sizeof(*out));
    if (e != ERR_OK)
        return e;
    e = store_fs_open_id_get(c->st, c->a, app, person, &open_id);
    if (e != ERR_OK && e != ERR_NOT_FOUND)
        return e;
    out->open_id = open_id;
    out->union_id = p.union_id;
    out->user_id = p.user_id;
    out->name = p.name;
    return ERR_OK;
}

enum err svc_fs_app_ids(struct svc_ctx *c, int64_t app, const char **app_id, const char **name)
{
    struct fs_app_row row;
    enum err e;

    if (c->acc != NULL && c->acc->app == app) { /* the request's own app, read already */
        *app_id = c->acc->app_id;
        if (name != NULL)
            *name = c->acc->name;
        return ERR_OK;
    }
    e = store_fs_app_get(c->st, c->a, app, &row);
    if (e == ERR_OK) {
        *app_id = row.app_id;
        if (name != NULL)
            *name = row.name;
    }
    return e;
}

enum err svc_tenant_rate_limit(struct svc_ctx *c, bool *on)
{
    struct tenant_row t;
    enum err e = store_tenant_get(c->st, c->a, c->tenant, &t);

    if (e == ERR_OK)
        *on = t.rate_limit;
    return e;
}

size_t svc_msg_mentions(struct arena *a, const char *text, struct msg_mention **out)
{
    json_t *arr = json_loads(text ? text : "[]", 0, NULL), *v;
    size_t n = json_array_size(arr), i;

    *out = arena_alloc(a, (n + 1) * sizeof(**out));
    json_array_foreach(arr, i, v) {
        json_int_t kind = json_integer_value(json_object_get(v, "kind"));

        (*out)[i] = (struct msg_mention){ (enum msg_mention_kind)kind,
                                          json_integer_value(json_object_get(v, "ref")),
                                          arena_strdup(a, json_str(v, "name")),
                                          arena_strdup(a, json_str(v, "key")) };
    }
    json_decref(arr);
    return n;
}

const char *svc_msg_mentions_json(struct arena *a, const struct msg_content *mc)
{
    json_t *arr = json_array();
    size_t len;
    const char *s;

    for (size_t i = 0; i < mc->nmentions; i++) {
        const struct msg_mention *m = &mc->mentions[i];

        json_array_append_new(arr, json_pack("{s:i,s:I,s:s,s:s}", "kind", (int)m->kind, "ref",
                                             (json_int_t)m->ref, "name", m->name ? m->name : "",
                                             "key", m->key));
    }
    s = json_dump_arena(a, arr, &len);
    json_decref(arr);
    return s;
}

/* --- content lookups: mentions and shares as the sender's app sees them --- */

struct lookup_ctx {
    struct svc_ctx *c;
    const struct msg_op *o;
};

static enum err find_bot(struct svc_ctx *c, const char *open_id, struct fs_app_row *out)
{
    struct fs_app_row *apps;
    size_t n;
    enum err e = store_fs_app_list(c->st, c->a, c->tenant, &apps, &n);

    for (size_t i = 0; e == ERR_OK && i < n; i++) {
        if (strcmp(svc_fs_bot_open_id(c->a, apps[i].app_id), open_id) == 0) {
            *out = apps[i];
            return ERR_OK;
        }
    }
    return e == ERR_OK ? ERR_NOT_FOUND : e;
}

/* A person of the tenant by open_id (the acting app's), union_id or user_id. */
static enum err find_person_any(struct svc_ctx *c, int64_t app, const char *id,
                                struct person_row *p)
{
    static const char *const kinds[] = { "open_id", "union_id", "user_id" };
    enum err e = ERR_NOT_FOUND;

    for (size_t i = 0; i < 3 && e == ERR_NOT_FOUND; i++)
        e = store_fs_person_find(c->st, c->a, c->tenant, app, kinds[i], id, p);
    return e;
}

static enum err lk_mention(void *arg, const char *id, struct msg_mention *out)
{
    struct lookup_ctx *l = arg;
    struct person_row p;
    struct fs_app_row app;
    enum err e = find_person_any(l->c, l->o->app, id, &p);

    if (e == ERR_OK) {
        *out = (struct msg_mention){ MENTION_USER, p.id, p.name, NULL };
        return ERR_OK;
    }
    if (e == ERR_NOT_FOUND)
        e = find_bot(l->c, id, &app);
    if (e == ERR_OK)
        *out = (struct msg_mention){ MENTION_BOT, app.id, app.name, NULL };
    return e;
}

static enum err lk_share_chat(void *arg, const char *chat_id)
{
    struct lookup_ctx *l = arg;
    struct chat_view v;
    struct err_info ei;
    struct svc_ctx c = *l->c;
    enum err e;

    c.ei = &ei;
    e = svc_chat_open(&c, chat_id, &l->o->op, true, &v);
    if (e == ERR_STORE)
        return e;
    if (e == ERR_FORBIDDEN && ei.subj == SUBJ_MEMBERSHIP)
        return err_set(l->c->ei, ERR_FORBIDDEN, SUBJ_MEMBERSHIP, "operator not in the shared chat");
    if (e != ERR_OK)
        return ERR_NOT_FOUND;
    if (strcmp(v.chat.chat_mode, "p2p") == 0)
        return err_set(l->c->ei, ERR_BAD_REQUEST, SUBJ_P2P, "p2p chat can not be shared");
    return ERR_OK;
}

static enum err lk_share_user(void *arg, const char *user_id)
{
    struct lookup_ctx *l = arg;
    struct person_row p;

    /* open_id only ("Message content description": share_user). */
    return store_fs_person_find(l->c->st, l->c->a, l->c->tenant, l->o->app, "open_id", user_id,
                                &p);
}

static enum err lk_resource(void *arg, const char *kind, const char *key, struct fs_res_row *out)
{
    struct lookup_ctx *l = arg;

    return svc_res_for_message(l->c, l->o->app, kind, key, out);
}

enum err svc_msg_check_content(struct svc_ctx *c, const struct msg_op *o, const char *msg_type,
                               const char *content, struct msg_content *out)
{
    struct lookup_ctx l = { c, o };
    struct msg_lookup lk = { lk_mention, lk_share_chat, lk_share_user, lk_resource, &l };

    return svc_msg_content(c->a, c->ei, msg_type, content, &lk, out);
}

/* --- the chat a message goes to --- */

static bool privileged(const struct chat_view *v)
{
    return v->owner || v->manager || v->creator_bot;
}

/* Speak rights (chat moderation_permission); 230018 when blocked. */
enum err svc_msg_may_speak(struct svc_ctx *c, const struct chat_view *v)
{
    const char *mode = json_str(svc_chat_settings(c, &v->chat), "moderation_permission");
    bool ok = mode == NULL || strcmp(mode, "all_members") == 0 || privileged(v)
              || (strcmp(mode, "moderator_list") == 0 && v->member && v->me.is_moderator);

    return ok ? ERR_OK
              : err_set(c->ei, ERR_FORBIDDEN, SUBJ_SPEAK, "only some members may speak");
}

/* @all needs at_all_permission all_members, or an owner, manager or
 * creator bot (unconfirmed: refused as the chat's settings, 230018). */
enum err svc_msg_may_mention_all(struct svc_ctx *c, const struct chat_view *v,
                                 const struct msg_content *mc)
{
    const char *mode;
    bool all = false, ok;

    for (size_t i = 0; i < mc->nmentions; i++)
        all = all || mc->mentions[i].kind == MENTION_ALL;
    if (!all || privileged(v) || strcmp(v->chat.chat_mode, "p2p") == 0)
        return ERR_OK;
    mode = json_str(svc_chat_settings(c, &v->chat), "at_all_permission");
    ok = mode == NULL || strcmp(mode, "only_owner") != 0;
    return ok ? ERR_OK : err_set(c->ei, ERR_FORBIDDEN, SUBJ_SPEAK, "only owners may @all");
}

/* Loads the chat of a send for 'op': a member of a live chat. Membership
 * failures read as the message family's 230002. */
enum err svc_msg_chat(struct svc_ctx *c, const struct msg_op *o, const char *chat_id,
                      struct chat_view *v)
{
    enum err e = svc_chat_open(c, chat_id, &o->op, true, v);

    if (e == ERR_NOT_FOUND)
        return err_set(c->ei, ERR_BAD_REQUEST, SUBJ_NONE, "invalid receive_id");
    return e;
}

/* The p2p chat of the acting app's bot and 'person', created on demand. */
enum err svc_msg_p2p_open(struct svc_ctx *c, const struct msg_op *o, int64_t person,
                         struct chat_view *v)
{
    struct actor bot = { ACTOR_BOT, o->app }, user = { ACTOR_USER, person };
    int64_t id = 0;
    enum err e = store_fs_p2p_find(c->st, o->app, person, &id);

    if (e == ERR_NOT_FOUND) {
        struct fs_chat_row chat = { .tenant_id = c->tenant, .owner = user, .chat_mode = "p2p",
                                    .chat_type = "private", .name = "", .description = "",
                                    .avatar = "", .i18n_names = "{}", .settings = "{}",
                                    .status = "normal", .top_notice = "",
                                    .created_at = c->now, .active_at = c->now };

        chat.chat_id = ids_hex_ordered(c->a, "oc_", 16);
        e = store_fs_chat_insert(c->st, &chat);
        if (e == ERR_OK)
            e = svc_chat_member_add(c, chat.id, &user, false);
        if (e == ERR_OK)
            e = svc_chat_member_add(c, chat.id, &bot, false);
        id = chat.id;
    }
    if (e != ERR_OK)
        return e;
    memset(v, 0, sizeof(*v));
    e = store_fs_chat_by_id(c->st, c->a, id, &v->chat);
    if (e == ERR_OK)
        e = store_fs_member_get(c->st, id, &bot, &v->me);
    v->member = e == ERR_OK;
    return e;
}

enum err svc_msg_receiver(struct svc_ctx *c, const struct msg_op *o, const char *type,
                          const char *id, enum subj unknown, struct chat_view *v)
{
    static const char *const types[] = { "chat_id", "open_id", "union_id", "user_id", "email" };
    struct person_row p;
    size_t i = 0;
    enum err e;

    while (i < 5 && strcmp(type, types[i]) != 0)
        i++;
    if (i == 5)
        return err_set(c->ei, ERR_BAD_REQUEST, SUBJ_NONE, "invalid receive_id_type");
    if (i == 0) {
        e = svc_msg_chat(c, o, id, v);
        return e == ERR_BAD_REQUEST ? err_set(c->ei, e, unknown, "invalid receive_id") : e;
    }
    if (o->op.kind != ACTOR_BOT)
        return err_set(c->ei, ERR_FORBIDDEN, SUBJ_NONE,
                       "a user token sends into chats, not to people");
    e = i == 4 ? store_person_by_email(c->st, c->a, c->tenant, id, &p)
               : store_fs_person_find(c->st, c->a, c->tenant, o->app, types[i], id, &p);
    if (e == ERR_NOT_FOUND && i == 1) { /* a bot's open_id ("Send a message": not to bots) */
        struct fs_app_row bot;

        e = find_bot(c, id, &bot);
        if (e == ERR_OK)
            return err_set(c->ei, ERR_BAD_REQUEST, SUBJ_NONE,
                           "this operation to bots is currently not supported");
    }
    if (e == ERR_NOT_FOUND)
        return err_set(c->ei, ERR_BAD_REQUEST, unknown, "invalid receive_id");
    if (e == ERR_OK) { /* "Send a message": not to people who resigned */
        struct fs_profile_row prof;

        e = store_fs_profile_get(c->st, c->a, p.id, &prof);
        if (e == ERR_OK && prof.resigned)
            return err_set(c->ei, ERR_GONE, SUBJ_USER, "the person resigned");
        if (e == ERR_NOT_FOUND)
            e = ERR_OK;
    }
    return e == ERR_OK ? svc_msg_p2p_open(c, o, p.id, v) : e;
}

/* --- events --- */

struct recv_arg {
    const struct msg_events *ev;
    const struct fs_msg_row *m;
    const struct fs_chat_row *chat;
};

static json_t *recv_body(void *arg, int64_t app, const char *event_id)
{
    struct recv_arg *r = arg;

    return r->ev->received(r->ev->arg, app, event_id, r->m, r->chat);
}

static bool mentions_app(const struct msg_content *mc, int64_t app)
{
    for (size_t i = 0; i < mc->nmentions; i++)
        if (mc->mentions[i].kind == MENTION_BOT && mc->mentions[i].ref == app)
            return true;
    return false;
}

/* Which scopes let an app's bot receive a message ("Receive messages": the
 * scopes each kind of message needs); any one suffices. */
static const char *const P2P_SCOPES[] = { "im:message.p2p_msg", "im:message.p2p_msg:readonly",
                                          NULL };
static const char *const GROUP_SCOPES[] = { "im:message.group_msg",
                                            "im:message.group_msg:readonly", NULL };
static const char *const AT_SCOPES[] = { "im:message.group_at_msg",
                                         "im:message.group_at_msg:readonly", NULL };
static const char *const AT_BOT_SCOPES[] = { "im:message.group_at_msg.include_bot:readonly",
                                             NULL };

/* Whether 'app''s bot gets a message of this chat: in p2p with a p2p scope;
 * in groups a person's message with the all-messages scope, or one that
 * mentions the bot with an @-message scope; another bot's message only when
 * it mentions the bot, with the include-bot scope. Never the sender. */
static enum err receives(struct svc_ctx *c, const struct fs_msg_row *m,
                         const struct fs_chat_row *chat, const struct msg_content *mc,
                         int64_t app, bool *yes)
{
    struct scope_set held;
    bool at = mentions_app(mc, app);
    enum err e;

    *yes = false;
    if (m->sender.kind == ACTOR_BOT && (app == m->sender.ref || !at))
        return ERR_OK;
    e = svc_app_scopes(c, app, &held);
    if (e != ERR_OK)
        return e;
    if (strcmp(chat->chat_mode, "p2p") == 0)
        *yes = svc_scope_any(&held, P2P_SCOPES);
    else if (m->sender.kind == ACTOR_BOT)
        *yes = svc_scope_any(&held, AT_BOT_SCOPES);
    else
        *yes = svc_scope_any(&held, GROUP_SCOPES) || (at && svc_scope_any(&held, AT_SCOPES));
    return ERR_OK;
}

/* im.message.receive_v1 ("Receive messages") to the bots of the chat that
 * receive it (receives()). */
static enum err emit_received(struct svc_ctx *c, const struct msg_op *o,
                              const struct fs_msg_row *m, const struct fs_chat_row *chat,
                              const struct msg_content *mc)
{
    struct recv_arg r = { o->events, m, chat };
    struct fs_member_row *bots;
    size_t n;
    enum err e;

    if (o->events == NULL)
        return ERR_OK;
    e = store_fs_member_list_kind(c->st, c->a, chat->id, ACTOR_BOT, &bots, &n);
    for (size_t i = 0; e == ERR_OK && i < n; i++) {
        int64_t app = bots[i].who.ref;
        bool yes = false;

        e = receives(c, m, chat, mc, app, &yes);
        if (e == ERR_OK && yes)
            e = svc_event_to_app(c, app, "im.message.receive_v1", recv_body, &r);
    }
    return e;
}

/* --- send and reply --- */

bool svc_msg_topic_chat(struct svc_ctx *c, const struct fs_chat_row *chat)
{
    const char *t;

    if (strcmp(chat->chat_mode, "topic") == 0)
        return true;
    t = json_str(svc_chat_settings(c, chat), "group_message_type");
    return t != NULL && strcmp(t, "thread") == 0;
}

static const char *new_thread_id(struct svc_ctx *c)
{
    return ids_hex(c->a, "omt_", 8);
}

/* Places a reply to 'to' ("Reply to a message"): into its thread if it has one, into a new
 * thread with reply_in_thread, else a plain reply under the same root. */
static enum err place_reply(struct svc_ctx *c, const struct chat_view *v, struct fs_msg_row *to,
                            bool in_thread, struct fs_msg_row *m)
{
    if (to->thread_id == NULL && in_thread) {
        if (strcmp(v->chat.chat_mode, "p2p") == 0)
            return err_set(c->ei, ERR_BAD_REQUEST, SUBJ_THREAD, "p2p chats have no threads");
        /* The message answered becomes the thread's root. */
        to->thread_id = new_thread_id(c);
        enum err e = store_fs_msg_update(c->st, to);

        if (e != ERR_OK)
            return e;
    }
    if (to->thread_id != NULL) {
        int64_t root = to->in_chat ? to->id : to->root;

        m->thread_id = to->thread_id;
        m->root = m->parent = root;
        m->in_chat = false;
    } else {
        m->root = to->root != 0 ? to->root : to->id;
        m->parent = to->id;
        m->in_chat = true;
    }
    return ERR_OK;
}

enum err svc_msg_uuid_seen(struct svc_ctx *c, const struct msg_op *o, const char *key,
                           struct fs_msg_row *out, bool *dup)
{
    char *id = NULL;
    enum err e = store_fs_msg_uuid_get(c->st, c->a, c->tenant, &o->op, key,
                                       c->now - UUID_WINDOW_S, &id);

    *dup = false;
    if (e == ERR_NOT_FOUND)
        return ERR_OK;
    if (e == ERR_OK)
        e = store_fs_msg_get(c->st, c->a, id, out);
    *dup = e == ERR_OK;
    return e;
}

static enum err uuid_check(struct svc_ctx *c, const struct msg_op *o, const char *uuid,
                           struct fs_msg_row *out, bool *dup)
{
    *dup = false;
    if (uuid == NULL)
        return ERR_OK;
    if (strlen(uuid) > UUID_MAX_CHARS)
        return err_set(c->ei, ERR_BAD_REQUEST, SUBJ_NONE, "uuid is too long");
    return svc_msg_uuid_seen(c, o, uuid, out, dup);
}

enum err svc_msg_send(struct svc_ctx *c, const struct msg_op *o, const struct msg_send *s,
                      struct fs_msg_row *out)
{
    struct chat_view v;
    struct fs_msg_row to, m = { 0 };
    struct msg_content mc;
    bool dup, system = s->msg_type != NULL && strcmp(s->msg_type, "system") == 0;
    /* Serialised per tenant only for what counts then writes: a uuid's
     * first use, a reply (it may open the thread), a p2p chat (it may be
     * made). A plain send to a group inserts its own rows and moves the
     * chat's active_at alone (store_fs_chat_touch): sends run side by side,
     * and PostgreSQL commits them together. */
    bool serial = s->uuid != NULL || s->reply_to != NULL
                  || strcmp(s->receive_id_type ? s->receive_id_type : "", "chat_id") != 0;
    enum err e = serial ? store_lock_tenant(c->st, c->tenant) : ERR_OK;

    if (e == ERR_OK)
        e = uuid_check(c, o, s->uuid, out, &dup);
    if (e != ERR_OK || dup)
        return e;
    if (s->reply_to != NULL) {
        e = svc_msg_get(c, o, s->reply_to, &to);
        if (e == ERR_OK && to.deleted)
            e = err_set(c->ei, ERR_GONE, SUBJ_MESSAGE, "the message is recalled");
        if (e == ERR_OK && system)
            e = err_set(c->ei, ERR_BAD_REQUEST, SUBJ_NONE, "invalid msg_type");
        if (e == ERR_OK)
            e = svc_chat_open(c, to.chat_id, &o->op, true, &v);
    } else {
        e = svc_msg_receiver(c, o, s->receive_id_type, s->receive_id, SUBJ_NONE, &v);
    }
    if (e == ERR_OK && system && o->op.kind != ACTOR_BOT)
        e = err_set(c->ei, ERR_BAD_REQUEST, SUBJ_NONE,
                    "sending system messages as a user is not supported");
    if (e == ERR_OK && system && strcmp(v.chat.chat_mode, "p2p") != 0)
        e = err_set(c->ei, ERR_BAD_REQUEST, SUBJ_NONE,
                    "sending system messages in group chats is not supported");
    if (e == ERR_OK && strcmp(v.chat.chat_mode, "p2p") != 0)
        e = svc_msg_may_speak(c, &v);
    if (e == ERR_OK)
        e = svc_msg_check_content(c, o, s->msg_type, s->content, &mc);
    if (e == ERR_OK)
        e = svc_msg_may_mention_all(c, &v, &mc);
    if (e != ERR_OK)
        return e;
    m.tenant_id = c->tenant;
    m.message_id = ids_hex_ordered(c->a, "om_", 16);
    m.chat = v.chat.id;
    m.chat_id = v.chat.chat_id;
    m.sender = o->op;
    m.msg_type = s->msg_type;
    m.content = mc.sent;
    m.body = mc.body;
    m.mentions = svc_msg_mentions_json(c->a, &mc);
    m.in_chat = true;
    m.created_ms = m.updated_ms = svc_msg_now_ms(c);
    if (s->reply_to != NULL)
        e = place_reply(c, &v, &to, s->reply_in_thread, &m);
    else if (svc_msg_topic_chat(c, &v.chat))
        m.thread_id = new_thread_id(c);
    if (e == ERR_OK && m.root != 0) {
        m.root_id = m.root == to.id ? to.message_id : to.root_id;
        m.parent_id = m.parent == to.id ? to.message_id : to.root_id;
    }
    if (e == ERR_OK)
        e = svc_msg_post(c, o, &v.chat, &m, &mc);
    if (e == ERR_OK && s->uuid != NULL)
        e = store_fs_msg_uuid_put(c->st, c->tenant, &o->op, s->uuid, m.id, c->now);
    if (e == ERR_OK)
        *out = m;
    return e;
}

enum err svc_msg_post(struct svc_ctx *c, const struct msg_op *o, struct fs_chat_row *chat,
                      struct fs_msg_row *m, const struct msg_content *mc)
{
    enum err e = store_fs_msg_insert(c->st, m);

    /* The chat is active now (chat lists sort by it): one write a second
     * at most, however many messages it takes. */
    if (e == ERR_OK && chat->active_at < c->now) {
        chat->active_at = c->now;
        e = store_fs_chat_touch(c->st, chat->id, c->now);
    }
    if (e == ERR_OK)
        e = emit_received(c, o, m, chat, mc);
    return e;
}

/* --- reading --- */

static bool id_shape(const char *id, const char *prefix)
{
    size_t pl = strlen(prefix), n = id ? strlen(id) : 0;

    if (n <= pl || n > 64 || strncmp(id, prefix, pl) != 0)
        return false;
    for (size_t i = pl; i < n; i++) {
        char ch = id[i];

        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
              || ch == '_' || ch == '-'))
            return false;
    }
    return true;
}

/* A message of this tenant. */
enum err svc_msg_load(struct svc_ctx *c, const char *message_id, struct fs_msg_row *out)
{
    enum err e;

    if (!id_shape(message_id, "om_"))
        return err_set(c->ei, ERR_BAD_REQUEST, SUBJ_MESSAGE, "not a message id");
    e = store_fs_msg_get(c->st, c->a, message_id, out);
    /* As for chats: another tenant's is 232010, not unknown. */
    if (e == ERR_OK && out->tenant_id != c->tenant)
        return err_set(c->ei, ERR_FORBIDDEN, SUBJ_TENANT, "message of another tenant");
    if (e == ERR_NOT_FOUND)
        return err_set(c->ei, ERR_NOT_FOUND, SUBJ_MESSAGE, "invalid message_id");
    return e;
}

enum err svc_msg_get(struct svc_ctx *c, const struct msg_op *o, const char *message_id,
                     struct fs_msg_row *out)
{
    struct chat_view v;
    enum err e = svc_msg_load(c, message_id, out);

    if (e == ERR_OK)
        e = svc_chat_open(c, out->chat_id, &o->op, true, &v);
    return e;
}

enum err svc_msg_thread_root(struct svc_ctx *c, const char *thread_id, struct fs_msg_row *out)
{
    struct fs_msg_page first = { .thread_id = thread_id, .to_ms = INT64_MAX, .limit = 1 };
    struct fs_msg_row *root;
    size_t k;
    enum err e;

    if (!id_shape(thread_id, "omt_"))
        return ERR_NOT_FOUND;
    e = store_fs_msg_page(c->st, c->a, &first, &root, &k);
    if (e == ERR_OK && (k == 0 || root[0].tenant_id != c->tenant))
        return ERR_NOT_FOUND;
    if (e == ERR_OK)
        *out = root[0];
    return e;
}

enum err svc_msg_list(struct svc_ctx *c, const struct msg_op *o, const struct msg_list *q,
                      struct fs_msg_row **rows, size_t *n, bool *has_more)
{
    struct fs_msg_page page = { .from_ms = q->from_ms, .to_ms = q->to_ms, .desc = q->desc,
                                .after_ms = q->after_ms, .after = q->after,
                                .limit = q->limit + 1 };
    struct chat_view v;
    const char *chat_id = q->container_id;
    enum err e = ERR_OK;

    *n = 0;
    *has_more = false;
    if (q->thread) {
        struct fs_msg_row root;

        e = svc_msg_thread_root(c, q->container_id, &root);
        if (e == ERR_NOT_FOUND)
            return err_set(c->ei, ERR_BAD_REQUEST, SUBJ_NONE, "invalid container_id");
        if (e == ERR_OK)
            chat_id = root.chat_id;
        page.thread_id = q->container_id;
    }
    if (e == ERR_OK)
        e = svc_chat_open(c, chat_id, &o->op, true, &v);
    if (e == ERR_NOT_FOUND)
        return err_set(c->ei, ERR_BAD_REQUEST, SUBJ_NONE, "invalid container_id");
    if (e != ERR_OK)
        return e;
    page.chat = v.chat.id;
    e = store_fs_msg_page(c->st, c->a, &page, rows, n);
    if (e == ERR_OK && *n > (size_t)q->limit) {
        *n = (size_t)q->limit;
        *has_more = true;
    }
    return e;
}

enum err svc_msg_sim_person(struct svc_ctx *c, const char *chat_id, const char *message_id,
                            const char *user_id, int64_t *person)
{
    struct fs_chat_row chat;
    struct fs_msg_row m;
    struct person_row p;
    enum err e;

    if (message_id != NULL) {
        e = store_fs_msg_get(c->st, c->a, message_id, &m);
        if (e == ERR_NOT_FOUND)
            return err_field(c->ei, ERR_NOT_FOUND, "message_id", "message '%s' not found",
                             message_id);
        if (e != ERR_OK)
            return e;
        chat_id = m.chat_id;
    }
    e = store_fs_chat_get(c->st, c->a, chat_id, &chat);
    if (e == ERR_NOT_FOUND)
        return err_field(c->ei, ERR_NOT_FOUND, "chat_id", "chat '%s' not found", chat_id);
    if (e == ERR_OK)
        e = store_fs_person_find(c->st, c->a, chat.tenant_id, 0, "user_id", user_id, &p);
    if (e == ERR_NOT_FOUND)
        return err_field(c->ei, ERR_NOT_FOUND, "user_id", "user '%s' not in the chat's tenant",
                         user_id);
    if (e == ERR_OK) {
        c->tenant = chat.tenant_id;
        *person = p.id;
    }
    return e;
}

enum err svc_msg_of_chat(struct svc_ctx *c, const char *message_id, int64_t chat)
{
    struct fs_msg_row m;
    enum err e = store_fs_msg_get(c->st, c->a, message_id, &m);

    if (e == ERR_OK && (m.chat != chat || m.deleted))
        e = ERR_NOT_FOUND;
    return e;
}

enum err svc_msg_last(struct svc_ctx *c, int64_t chat, const char **message_id,
                      const char **create_time)
{
    struct fs_msg_row m;
    enum err e = store_fs_msg_last(c->st, c->a, chat, &m);

    *message_id = *create_time = "";
    if (e == ERR_OK) {
        *message_id = m.message_id;
        *create_time = arena_printf(c->a, "%lld", (long long)m.created_ms);
    }
    return e == ERR_NOT_FOUND ? ERR_OK : e;
}
