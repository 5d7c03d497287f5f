/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_msg_read.c - who read a Feishu message and who was buzzed about
 * it: a person's reading (and the im.message.message_read_v1 it tells the
 * sending bot, "Message read"), the readers of a bot's own message ("Query
 * the read status of a message"), buzzes ("Send an urgent message in app",
 * "... by SMS", "... by phone") and their record for the admin API.
 * Forwarding is svc_msg_fwd.c's.
 */
#include "svc/svc_msg_int.h"

#include "core/arena.h"

#include <string.h>

#define DAY_MS (86400LL * 1000)
#define READ_WINDOW_MS (7 * DAY_MS)  /* read_users: messages up to 7 days old */
#define UNREAD_BUZZ_MAX 200          /* unread buzzes one person may have */
#define PAID_WINDOW_MS (30 * DAY_MS) /* the SMS and phone quota's period (unconfirmed) */

/* The scopes im.message.message_read_v1 needs ("Message read"). */
static const char *const READ_EVENT_SCOPES[] = { "im:message", "im:message:readonly", NULL };

static bool same_actor(const struct actor *a, const struct actor *b)
{
    return a->kind == b->kind && a->ref == b->ref;
}

struct read_arg {
    const struct msg_read_event *ev;
    const struct fs_msg_row *m;
    int64_t reader, read_ms;
};

static json_t *read_body(void *arg, int64_t app, const char *event_id)
{
    struct read_arg *r = arg;

    return r->ev->body(r->ev->arg, app, event_id, r->m, r->reader, r->read_ms);
}

enum err svc_msg_read(struct svc_ctx *c, int64_t person, const char *message_id,
                      const struct msg_read_event *ev, int64_t *read_ms, bool *first)
{
    struct actor who = { ACTOR_USER, person };
    struct fs_msg_row m;
    struct chat_view v;
    struct scope_set held;
    struct read_arg ra;
    enum err e = store_lock_tenant(c->st, c->tenant);

    *first = false;
    if (e == ERR_OK)
        e = svc_msg_load(c, message_id, &m);
    if (e == ERR_OK)
        e = svc_chat_open(c, m.chat_id, &who, true, &v);
    if (e != ERR_OK)
        return e;
    if (m.deleted)
        return err_set(c->ei, ERR_GONE, SUBJ_MESSAGE, "the message is recalled");
    if (same_actor(&m.sender, &who))
        return err_field(c->ei, ERR_BAD_REQUEST, "message_id", "the reader sent the message");
    *read_ms = svc_msg_now_ms(c);
    e = store_fs_read_put(c->st, c->tenant, m.id, person, *read_ms, first);
    if (e == ERR_OK && !*first)
        e = store_fs_read_get(c->st, m.id, person, read_ms);
    /* Only a bot's p2p messages are reported read ("Message read"). */
    if (e != ERR_OK || !*first || ev == NULL || m.sender.kind != ACTOR_BOT
        || strcmp(v.chat.chat_mode, "p2p") != 0)
        return e;
    e = svc_app_scopes(c, m.sender.ref, &held);
    if (e != ERR_OK || !svc_scope_any(&held, READ_EVENT_SCOPES))
        return e;
    ra = (struct read_arg){ ev, &m, person, *read_ms };
    return svc_event_to_app(c, m.sender.ref, "im.message.message_read_v1", read_body, &ra);
}

/* The operator's own message in a chat it is in, not recalled. */
static enum err own_message(struct svc_ctx *c, const struct msg_op *o, const char *message_id,
                            struct fs_msg_row *m, struct chat_view *v)
{
    enum err e = svc_msg_load(c, message_id, m);

    if (e == ERR_OK)
        e = svc_chat_open(c, m->chat_id, &o->op, true, v);
    if (e != ERR_OK)
        return e;
    if (m->deleted)
        return err_set(c->ei, ERR_GONE, SUBJ_MESSAGE, "the message is recalled");
    if (!same_actor(&m->sender, &o->op))
        return err_set(c->ei, ERR_FORBIDDEN, SUBJ_SENDER, "not the sender");
    return ERR_OK;
}

enum err svc_msg_read_users(struct svc_ctx *c, const struct msg_op *o, const char *message_id,
                            int64_t after_ms, int64_t after, int64_t limit,
                            struct fs_read_row **rows, size_t *n, bool *more)
{
    struct fs_msg_row m;
    struct chat_view v;
    enum err e = own_message(c, o, message_id, &m, &v);

    *n = 0;
    *more = false;
    if (e != ERR_OK)
        return e;
    if (svc_msg_now_ms(c) - m.created_ms > READ_WINDOW_MS)
        return err_set(c->ei, ERR_EXPIRED, SUBJ_READ, "sent more than 7 days ago");
    e = store_fs_read_page(c->st, c->a, m.id, after_ms, after, limit + 1, rows, n);
    if (e == ERR_OK && *n > (size_t)limit) {
        *n = (size_t)limit;
        *more = true;
    }
    return e;
}

/* Whether 'who' may be buzzed about 'm': a person in the chat who has not
 * read it. */
static enum err buzzable(struct svc_ctx *c, const struct fs_msg_row *m, const struct actor *who,
                         bool *yes)
{
    struct fs_member_row row;
    int64_t at;
    enum err e;

    *yes = false;
    if (who->kind != ACTOR_USER || same_actor(who, &m->sender))
        return ERR_OK;
    e = store_fs_member_get(c->st, m->chat, who, &row);
    if (e != ERR_OK)
        return e == ERR_NOT_FOUND ? ERR_OK : e;
    e = store_fs_read_get(c->st, m->id, who->ref, &at);
    *yes = e == ERR_NOT_FOUND;
    return *yes ? ERR_OK : e;
}

enum err svc_msg_urgent(struct svc_ctx *c, const struct msg_op *o, const char *message_id,
                        const struct msg_urgent *u, struct msg_merge_result *res)
{
    struct fs_msg_row m;
    struct chat_view v;
    struct actor *to;
    size_t nto = 0;
    int64_t count;
    enum err e = store_lock_tenant(c->st, c->tenant);

    memset(res, 0, sizeof(*res));
    if (e == ERR_OK)
        e = own_message(c, o, message_id, &m, &v);
    if (e != ERR_OK)
        return e;
    /* A part of a merged message is not buzzed; in a group the chat's
     * urgent_setting may leave buzzing to its owner and managers. */
    if (m.upper != 0
        || (strcmp(v.chat.chat_mode, "p2p") != 0
            && strcmp(svc_chat_setting(c, &v.chat, "urgent_setting"), "only_owner") == 0
            && !svc_chat_privileged(&v)))
        return err_set(c->ei, ERR_FORBIDDEN, SUBJ_URGENT, "can not urgent this message");
    to = arena_alloc(c->a, (u->n + 1) * sizeof(*to));
    res->invalid = arena_alloc(c->a, (u->n + 1) * sizeof(*res->invalid));
    for (size_t i = 0; i < u->n; i++) {
        struct actor who;
        bool yes = false, again = false;

        e = svc_chat_actor_find(c, o->app, u->id_type, u->ids[i], &who);
        if (e == ERR_OK)
            e = buzzable(c, &m, &who, &yes);
        if (e == ERR_NOT_FOUND)
            e = ERR_OK;
        if (e != ERR_OK)
            return e;
        for (size_t k = 0; yes && k < nto; k++)
            again = again || same_actor(&to[k], &who);
        if (!yes)
            res->invalid[res->ninvalid++] = u->ids[i];
        else if (!again)
            to[nto++] = who;
    }
    if (nto == 0)
        return err_set(c->ei, ERR_BAD_REQUEST, SUBJ_NONE, "all ids in the user_id_list are invalid");
    for (size_t i = 0; e == ERR_OK && i < nto; i++) {
        e = store_fs_buzz_unread(c->st, to[i].ref, &count);
        if (e == ERR_OK && count >= UNREAD_BUZZ_MAX)
            return err_set(c->ei, ERR_LIMIT, SUBJ_USER, "too many unread urgent messages");
    }
    if (e == ERR_OK && u->quota > 0 && strcmp(u->kind, "app") != 0) {
        e = store_fs_buzz_paid(c->st, c->tenant, svc_msg_now_ms(c) - PAID_WINDOW_MS, &count);
        if (e == ERR_OK && count + (int64_t)nto > u->quota)
            return err_set(c->ei, ERR_LIMIT, SUBJ_URGENT, "urgent quota reached");
    }
    for (size_t i = 0; e == ERR_OK && i < nto; i++) {
        struct fs_buzz_row b = { .tenant_id = c->tenant, .message = m.id, .person = to[i].ref,
                                 .app = o->app, .kind = u->kind,
                                 .created_ms = svc_msg_now_ms(c) };

        e = store_fs_buzz_add(c->st, &b);
    }
    return e;
}

enum err svc_msg_buzzes(struct svc_ctx *c, const char *message_id, struct msg_buzz **out,
                        size_t *n)
{
    struct fs_msg_row m;
    struct fs_buzz_row *rows;
    enum err e = store_fs_msg_get(c->st, c->a, message_id, &m);

    *n = 0;
    if (e == ERR_NOT_FOUND)
        return err_field(c->ei, ERR_NOT_FOUND, "message_id", "message '%s' not found",
                         message_id);
    if (e == ERR_OK)
        e = store_fs_buzz_list(c->st, c->a, m.id, &rows, n);
    if (e != ERR_OK)
        return e;
    *out = arena_alloc(c->a, (*n + 1) * sizeof(**out));
    for (size_t i = 0; e == ERR_OK && i < *n; i++) {
        struct person_row p;
        struct msg_buzz *b = &(*out)[i];
        int64_t at;

        e = store_person_get(c->st, c->a, rows[i].person, &p);
        if (e == ERR_OK)
            e = svc_fs_app_ids(c, rows[i].app, &b->app_id, NULL);
        if (e == ERR_OK) {
            e = store_fs_read_get(c->st, m.id, rows[i].person, &at);
            b->read = e == ERR_OK;
            e = e == ERR_NOT_FOUND ? ERR_OK : e;
        }
        b->user_id = p.user_id;
        b->kind = rows[i].kind;
        b->created_ms = rows[i].created_ms;
    }
    return e;
}
