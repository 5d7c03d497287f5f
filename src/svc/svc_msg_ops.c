/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_msg_ops.c - what happens to a message after it is sent
 * ("Recall a message", "Edit a message", "Update an app card message"):
 * recall (who may, until when; the recalled event),
 * edit of text and post (sender only, 20 edits, a window), card updates
 * (sender only, 14 days).
 */
#include "svc/svc_msg_int.h"

#include "core/arena.h"
#include "json/json.h"

#include <string.h>

#define DAY_MS (86400LL * 1000)
#define RECALL_OWN_MS DAY_MS          /* the admin's recall window (default assumed) */
#define RECALL_OTHERS_MS (365 * DAY_MS) /* a chat's owner or manager bot */
#define EDIT_WINDOW_MS DAY_MS
#define EDIT_MAX 20
#define CARD_WINDOW_MS (14 * DAY_MS)

static bool same_actor(const struct actor *a, const struct actor *b)
{
    return a->kind == b->kind && a->ref == b->ref;
}

/* The message and its chat for an operator who must be a member. */
static enum err open_member(struct svc_ctx *c, const struct msg_op *o, const char *message_id,
                            struct fs_msg_row *m, struct chat_view *v)
{
    enum err e = store_lock_tenant(c->st, c->tenant);

    if (e == ERR_OK)
        e = svc_msg_load(c, message_id, m);
    if (e == ERR_OK)
        e = svc_chat_open(c, m->chat_id, &o->op, true, v);
    return e;
}

struct recall_arg {
    const struct msg_events *ev;
    const struct fs_msg_row *m;
    const char *type;
};

static json_t *recalled_body(void *arg, int64_t app, const char *event_id)
{
    struct recall_arg *r = arg;

    return r->ev->recalled(r->ev->arg, app, event_id, r->m, r->type);
}

enum err svc_msg_recall(struct svc_ctx *c, const struct msg_op *o, const char *message_id)
{
    struct fs_msg_row m;
    struct chat_view v;
    struct recall_arg ra;
    const char *type = "message_owner";
    int64_t now = svc_msg_now_ms(c), age;
    enum err e = open_member(c, o, message_id, &m, &v);

    if (e != ERR_OK)
        return e;
    if (m.deleted)
        return err_set(c->ei, ERR_GONE, SUBJ_MESSAGE, "the message is recalled");
    if (strcmp(m.msg_type, "system") == 0)
        return err_set(c->ei, ERR_BAD_REQUEST, SUBJ_MSG_TYPE, "system messages stay");
    age = now - m.created_ms;
    if (same_actor(&m.sender, &o->op)) {
        if (age > RECALL_OWN_MS)
            return err_set(c->ei, ERR_EXPIRED, SUBJ_RECALL, "past the recall window");
    } else {
        /* Others' messages: a group's owner or manager (a bot also as the
         * chat's creator), within a year. */
        if (strcmp(v.chat.chat_mode, "p2p") == 0 || !(v.owner || v.manager || v.creator_bot))
            return err_set(c->ei, ERR_FORBIDDEN, SUBJ_RECALL, "not the sender");
        if (age > RECALL_OTHERS_MS)
            return err_set(c->ei, ERR_EXPIRED, SUBJ_RECALL, "past the recall window");
        type = v.owner || v.creator_bot ? "group_owner" : "group_manager";
    }
    m.deleted = true;
    m.body = "";
    m.mentions = "[]";
    e = store_fs_msg_update(c->st, &m);
    if (e != ERR_OK || o->events == NULL)
        return e;
    ra = (struct recall_arg){ o->events, &m, type };
    return svc_chat_emit(c, v.chat.id, "im.message.recalled_v1", recalled_body, &ra);
}

enum err svc_msg_edit(struct svc_ctx *c, const struct msg_op *o, const char *message_id,
                      const char *msg_type, const char *content, struct fs_msg_row *out)
{
    struct fs_msg_row m;
    struct chat_view v;
    struct msg_content mc;
    int64_t now = svc_msg_now_ms(c);
    enum err e;

    if (msg_type == NULL || (strcmp(msg_type, "text") != 0 && strcmp(msg_type, "post") != 0))
        return err_set(c->ei, ERR_BAD_REQUEST, SUBJ_NONE, "invalid msg_type");
    e = open_member(c, o, message_id, &m, &v);
    if (e != ERR_OK)
        return e;
    if (m.deleted)
        return err_set(c->ei, ERR_GONE, SUBJ_MESSAGE, "the message is recalled");
    if (strcmp(m.msg_type, "text") != 0 && strcmp(m.msg_type, "post") != 0)
        return err_set(c->ei, ERR_BAD_REQUEST, SUBJ_MSG_TYPE, "only text and post are edited");
    if (!same_actor(&m.sender, &o->op))
        return err_set(c->ei, ERR_FORBIDDEN, SUBJ_MSG_EDIT, "not the sender");
    if (m.edits >= EDIT_MAX)
        return err_set(c->ei, ERR_LIMIT, SUBJ_MSG_EDIT, "edited too often");
    if (now - m.created_ms > EDIT_WINDOW_MS)
        return err_set(c->ei, ERR_EXPIRED, SUBJ_MSG_EDIT, "past the edit window");
    if (strcmp(v.chat.chat_mode, "p2p") != 0)
        e = svc_msg_may_speak(c, &v);
    if (e == ERR_OK)
        e = svc_msg_check_content(c, o, msg_type, content, &mc);
    if (e == ERR_OK)
        e = svc_msg_may_mention_all(c, &v, &mc);
    if (e != ERR_OK)
        return e;
    m.msg_type = msg_type;
    m.content = mc.sent;
    m.body = mc.body;
    m.mentions = svc_msg_mentions_json(c->a, &mc);
    m.updated = true;
    m.updated_ms = now > m.updated_ms ? now : m.updated_ms + 1;
    m.edits++;
    e = store_fs_msg_update(c->st, &m);
    if (e == ERR_OK)
        *out = m;
    return e;
}

enum err svc_msg_patch_card(struct svc_ctx *c, const struct msg_op *o, const char *message_id,
                            const char *content)
{
    struct fs_msg_row m;
    struct chat_view v;
    struct msg_content mc;
    int64_t now = svc_msg_now_ms(c);
    enum err e = store_lock_tenant(c->st, c->tenant);

    /* The sender patches its card whether or not it is still in the chat. */
    if (e == ERR_OK)
        e = svc_msg_load(c, message_id, &m);
    if (e == ERR_OK)
        e = svc_chat_open(c, m.chat_id, &o->op, false, &v);
    if (e != ERR_OK)
        return e;
    if (m.deleted)
        return err_set(c->ei, ERR_GONE, SUBJ_MESSAGE, "the message is recalled");
    if (strcmp(m.msg_type, "interactive") != 0)
        return err_set(c->ei, ERR_BAD_REQUEST, SUBJ_NONE, "This message is NOT a card");
    if (!same_actor(&m.sender, &o->op))
        return err_set(c->ei, ERR_FORBIDDEN, SUBJ_CARD, "not the card's sender");
    if (now - m.created_ms > CARD_WINDOW_MS)
        return err_set(c->ei, ERR_EXPIRED, SUBJ_CARD, "past 14 days");
    e = svc_msg_check_content(c, o, "interactive", content, &mc);
    if (e != ERR_OK)
        return e;
    m.content = mc.sent;
    m.body = mc.body;
    m.mentions = svc_msg_mentions_json(c->a, &mc);
    m.updated = true;
    m.updated_ms = now > m.updated_ms ? now : m.updated_ms + 1;
    return store_fs_msg_update(c->st, &m);
}
