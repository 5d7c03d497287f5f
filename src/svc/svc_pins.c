/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_pins.c - pinned messages of a Feishu chat ("Pin a message",
 * "Remove a Pin message", "Get the list of Pin messages in a group"): a
 * member pins a live message of the chat once (pinning it again answers the
 * pin there is); the chat's pin_manage_setting only_owner leaves pinning and
 * unpinning to its owner and managers; unpinning what is not pinned, or a
 * recalled message, succeeds; a recalled message's pin is no longer listed.
 */
#include "svc/svc_msg_int.h"

#include <string.h>

/* The message and its chat for an operator who must be a member, and who
 * may pin there. */
static enum err open_pin(struct svc_ctx *c, const struct actor *op, const char *message_id,
                         struct fs_msg_row *m, struct chat_view *v)
{
    enum err e = store_lock_tenant(c->st, c->tenant);

    if (e == ERR_OK)
        e = svc_msg_load(c, message_id, m);
    if (e == ERR_OK)
        e = svc_chat_open(c, m->chat_id, op, true, v);
    if (e == ERR_OK && !svc_chat_privileged(v)
        && strcmp(svc_chat_setting(c, &v->chat, "pin_manage_setting"), "only_owner") == 0)
        e = err_set(c->ei, ERR_FORBIDDEN, SUBJ_PIN, "only the owner and managers pin here");
    return e;
}

enum err svc_pin_add(struct svc_ctx *c, const struct actor *op, const char *message_id,
                     struct fs_pin_row *out)
{
    struct fs_msg_row m;
    struct chat_view v;
    enum err e = open_pin(c, op, message_id, &m, &v);

    if (e == ERR_OK && m.deleted)
        e = err_set(c->ei, ERR_GONE, SUBJ_MESSAGE, "the message is recalled");
    if (e == ERR_OK && strcmp(m.msg_type, "system") == 0)
        e = err_set(c->ei, ERR_BAD_REQUEST, SUBJ_MSG_TYPE, "system messages are not pinned");
    if (e != ERR_OK)
        return e;
    e = store_fs_pin_get(c->st, c->a, m.id, out);
    if (e != ERR_NOT_FOUND)
        return e;
    *out = (struct fs_pin_row){ .message = m.id, .tenant_id = c->tenant, .chat = m.chat,
                                .op = *op, .created_ms = svc_msg_now_ms(c),
                                .message_id = m.message_id, .chat_id = m.chat_id };
    return store_fs_pin_insert(c->st, out);
}

enum err svc_pin_remove(struct svc_ctx *c, const struct actor *op, const char *message_id)
{
    struct fs_msg_row m;
    struct chat_view v;
    enum err e = open_pin(c, op, message_id, &m, &v);

    return e == ERR_OK ? store_fs_pin_delete(c->st, m.id) : e;
}

enum err svc_pin_list(struct svc_ctx *c, const struct actor *op, const struct pin_list *q,
                      struct fs_pin_row **rows, size_t *n, bool *has_more)
{
    struct fs_pin_page page = { .from_ms = q->from_ms, .to_ms = q->to_ms,
                                .after_ms = q->after_ms, .after = q->after,
                                .limit = q->limit + 1 };
    struct chat_view v;
    enum err e;

    *n = 0;
    *has_more = false;
    if (q->from_ms > q->to_ms)
        return err_set(c->ei, ERR_BAD_REQUEST, SUBJ_NONE, "start_time is after end_time");
    e = svc_chat_open(c, q->chat_id, op, true, &v);
    if (e != ERR_OK)
        return e;
    page.chat = v.chat.id;
    e = store_fs_pin_page(c->st, c->a, &page, rows, n);
    if (e == ERR_OK && *n > (size_t)q->limit) {
        *n = (size_t)q->limit;
        *has_more = true;
    }
    return e;
}
