/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_msg_fwd.c - forwarding Feishu messages ("Forward a message",
 * "Merge and forward messages"): which messages may be forwarded, where to
 * (a chat, a person's p2p chat, a thread), the uuid key per target, and
 * the parts of a merged message: copies of the messages merged, kept in
 * the merged message's chat under it (upper_ref) and read back with it.
 * Sending is svc_msg.c's; read receipts and buzzes svc_msg_read.c's.
 */
#include "svc/svc_msg_int.h"

#include "core/arena.h"
#include "core/ids.h"
#include "json/json.h"

#include <stdlib.h>
#include <string.h>

/* A merged message's content ("Message content description": merge_forward). */
#define MERGED_BODY "{\"content\":\"Merged and Forwarded Message\"}"
#define PARTS_MAX 2000 /* rows one merged message may hold, nested merges included */
#define DEPTH_MAX 8    /* merged messages inside merged messages */

/* What the platform does not forward ("Forward a message": red packets,
 * votes, audio, calendar transfers, system messages). */
static const char *const UNFORWARDABLE[] = { "audio",    "system",  "hongbao",
                                             "vote",     "calendar", "share_calendar_event",
                                             "general_calendar", NULL };

static bool listed(const char *s, const char *const *list)
{
    for (size_t i = 0; list[i] != NULL; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

/* A message 'o' may forward: unknown or in a chat the operator is not in
 * is ERR_NOT_FOUND (SUBJ_FORWARD), another tenant's is svc_msg_load's
 * ERR_FORBIDDEN (SUBJ_TENANT), as everywhere; recalled ERR_GONE,
 * a type not forwarded ERR_BAD_REQUEST, a restricted chat ERR_FORBIDDEN.
 * '*known' tells whether the id named a message of the tenant at all. */
static enum err source_load(struct svc_ctx *c, const struct msg_op *o, const char *id,
                            struct fs_msg_row *m, bool *known)
{
    struct chat_view v;
    struct err_info ei;
    struct svc_ctx cc = *c;
    enum err e;

    *known = false;
    cc.ei = &ei;
    e = svc_msg_load(&cc, id, m);
    if (e == ERR_NOT_FOUND)
        return err_set(c->ei, ERR_NOT_FOUND, SUBJ_FORWARD, "invalid message_id");
    if (e != ERR_OK) {
        *c->ei = ei;
        return e;
    }
    *known = true;
    e = svc_chat_open(&cc, m->chat_id, &o->op, true, &v);
    if (e == ERR_FORBIDDEN && ei.subj == SUBJ_MEMBERSHIP)
        return err_set(c->ei, ERR_NOT_FOUND, SUBJ_FORWARD, "invisible to the operator");
    if (e != ERR_OK) {
        *c->ei = ei;
        return e;
    }
    if (m->deleted)
        return err_set(c->ei, ERR_GONE, SUBJ_FORWARD, "recalled");
    /* A part of a merged message is not forwarded again. */
    if (m->upper != 0)
        return err_set(c->ei, ERR_NOT_FOUND, SUBJ_FORWARD, "a part of a merged message");
    if (listed(m->msg_type, UNFORWARDABLE))
        return err_set(c->ei, ERR_BAD_REQUEST, SUBJ_FORWARD, "not forwarded");
    /* A chat in restricted mode whose messages nobody may copy or forward. */
    if (svc_chat_restricts(c, &v.chat, "message_has_permission_setting"))
        return err_set(c->ei, ERR_FORBIDDEN, SUBJ_FORWARD, "restricted mode");
    return ERR_OK;
}

/* Where a forward goes: a chat the bot is in (with speak rights), a
 * person's p2p chat, or a thread ('root' its first message). */
struct target {
    struct chat_view v;
    struct fs_msg_row root;
    bool thread;
};

static enum err target_open(struct svc_ctx *c, const struct msg_op *o, const char *type,
                            const char *id, struct target *t)
{
    enum err e;

    memset(t, 0, sizeof(*t));
    if (strcmp(type, "thread_id") == 0) {
        e = svc_msg_thread_root(c, id, &t->root);
        if (e == ERR_NOT_FOUND)
            return err_set(c->ei, ERR_NOT_FOUND, SUBJ_THREAD, "no such thread");
        if (e == ERR_OK)
            e = svc_msg_chat(c, o, t->root.chat_id, &t->v);
        t->thread = true;
    } else if (strcmp(type, "chat_id") == 0) {
        e = svc_chat_open(c, id, &o->op, true, &t->v);
        if (e == ERR_NOT_FOUND)
            return err_set(c->ei, ERR_NOT_FOUND, SUBJ_TARGET, "invalid chat_id");
    } else {
        e = svc_msg_receiver(c, o, type, id, SUBJ_TARGET, &t->v);
    }
    if (e == ERR_OK && strcmp(t->v.chat.chat_mode, "p2p") != 0)
        e = svc_msg_may_speak(c, &t->v);
    return e;
}

/* A forward's uuid: once per sender and target within the hour
 * ("Forward a message": uuid). '*dup' set: 'out' is the first one's message. */
static enum err uuid_seen(struct svc_ctx *c, const struct msg_op *o, const char *kind,
                          const struct target *t, const char *uuid, const char **key,
                          struct fs_msg_row *out, bool *dup)
{
    *dup = false;
    *key = NULL;
    if (uuid == NULL)
        return ERR_OK;
    /* The key names the target: the same uuid to another target is another forward. */
    *key = arena_printf(c->a, "%s|%s|%s", kind,
                        t->thread ? t->root.thread_id : t->v.chat.chat_id, uuid);
    return svc_msg_uuid_seen(c, o, *key, out, dup);
}

/* A new message of 'o' in the target with the type and content of 'src'
 * (NULL: a merged message). */
static void new_message(struct svc_ctx *c, const struct msg_op *o, const struct target *t,
                        const struct fs_msg_row *src, struct fs_msg_row *m)
{
    memset(m, 0, sizeof(*m));
    m->tenant_id = c->tenant;
    m->message_id = ids_hex_ordered(c->a, "om_", 16);
    m->chat = t->v.chat.id;
    m->chat_id = t->v.chat.chat_id;
    m->sender = o->op;
    m->msg_type = src ? src->msg_type : "merge_forward";
    m->content = src ? src->content : MERGED_BODY;
    m->body = src ? src->body : MERGED_BODY;
    m->mentions = src ? src->mentions : "[]";
    m->in_chat = true;
    m->created_ms = m->updated_ms = svc_msg_now_ms(c);
    if (t->thread) {
        m->thread_id = t->root.thread_id;
        m->root = m->parent = t->root.id;
        m->root_id = m->parent_id = t->root.message_id;
        m->in_chat = false;
    } else if (svc_msg_topic_chat(c, &t->v.chat)) {
        m->thread_id = ids_hex(c->a, "omt_", 8);
    }
}

/* Copies 'src' as a part of merged message 'into', and the parts of 'src'
 * under the copy when it is a merged message itself. '*left' counts down
 * the rows one merged message may hold. */
static enum err copy_part(struct svc_ctx *c, const struct fs_msg_row *src,
                          const struct fs_msg_row *into, int depth, size_t *left)
{
    struct fs_msg_row p = *src, *parts;
    size_t n;
    enum err e;

    if (*left == 0 || depth > DEPTH_MAX)
        return err_set(c->ei, ERR_BAD_REQUEST, SUBJ_NONE, "too many messages to forward");
    (*left)--;
    p.id = 0;
    p.message_id = ids_hex_ordered(c->a, "om_", 16);
    p.chat = into->chat;
    p.chat_id = into->chat_id;
    p.upper = into->id;
    p.upper_id = into->message_id;
    p.root = p.parent = 0;
    p.root_id = p.parent_id = p.thread_id = NULL;
    p.in_chat = false;
    e = store_fs_msg_insert(c->st, &p);
    if (e != ERR_OK || strcmp(src->msg_type, "merge_forward") != 0)
        return e;
    e = store_fs_msg_parts(c->st, c->a, src->id, &parts, &n);
    for (size_t i = 0; e == ERR_OK && i < n; i++)
        e = copy_part(c, &parts[i], &p, depth + 1, left);
    return e;
}

/* A message's mentions as a checked content carries them (for the
 * receive event of its copy). */
static void mentions_of(struct svc_ctx *c, const struct fs_msg_row *m, struct msg_content *mc)
{
    memset(mc, 0, sizeof(*mc));
    mc->sent = m->content;
    mc->body = m->body;
    mc->nmentions = svc_msg_mentions(c->a, m->mentions, &mc->mentions);
}

enum err svc_msg_forward(struct svc_ctx *c, const struct msg_op *o, const struct msg_forward *f,
                         struct fs_msg_row *out)
{
    struct fs_msg_row src, m, *parts;
    struct target t;
    struct msg_content mc;
    const char *key;
    bool known, dup;
    size_t n, left = PARTS_MAX;
    enum err e = store_lock_tenant(c->st, c->tenant);

    if (e == ERR_OK)
        e = source_load(c, o, f->message_id, &src, &known);
    if (e == ERR_OK)
        e = target_open(c, o, f->receive_id_type, f->receive_id, &t);
    if (e == ERR_OK)
        e = uuid_seen(c, o, "forward", &t, f->uuid, &key, out, &dup);
    if (e != ERR_OK || dup)
        return e;
    new_message(c, o, &t, &src, &m);
    mentions_of(c, &src, &mc);
    e = svc_msg_post(c, o, &t.v.chat, &m, &mc);
    if (e == ERR_OK && strcmp(src.msg_type, "merge_forward") == 0) {
        e = store_fs_msg_parts(c->st, c->a, src.id, &parts, &n);
        for (size_t i = 0; e == ERR_OK && i < n; i++)
            e = copy_part(c, &parts[i], &m, 1, &left);
    }
    if (e == ERR_OK && key != NULL)
        e = store_fs_msg_uuid_put(c->st, c->tenant, &o->op, key, m.id, c->now);
    if (e == ERR_OK)
        *out = m;
    return e;
}

static int by_time(const void *a, const void *b)
{
    const struct fs_msg_row *x = a, *y = b;

    if (x->created_ms != y->created_ms)
        return x->created_ms < y->created_ms ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* The messages of a merge that can be merged, in time order; the others
 * into 'res'. All from one chat (ERR_CONFLICT, SUBJ_FORWARD), all in one
 * thread or none (ERR_CONFLICT, SUBJ_THREAD); none at all: why. */
static enum err sources_load(struct svc_ctx *c, const struct msg_op *o,
                             const struct msg_forward *f, struct fs_msg_row **rows, size_t *n,
                             struct msg_merge_result *res)
{
    size_t unknown = 0, recalled = 0;

    *rows = arena_alloc(c->a, (f->n + 1) * sizeof(**rows));
    res->invalid = arena_alloc(c->a, (f->n + 1) * sizeof(*res->invalid));
    *n = res->ninvalid = 0;
    for (size_t i = 0; i < f->n; i++) {
        struct fs_msg_row *m = &(*rows)[*n];
        struct err_info ei;
        struct svc_ctx cc = *c;
        bool known, again = false;
        enum err e;

        cc.ei = &ei;
        e = source_load(&cc, o, f->ids[i], m, &known);
        if (e == ERR_STORE) {
            *c->ei = ei;
            return e;
        }
        if (e != ERR_OK) {
            unknown += !known;
            recalled += e == ERR_GONE && ei.subj == SUBJ_FORWARD;
            res->invalid[res->ninvalid++] = f->ids[i];
            continue;
        }
        for (size_t k = 0; k < *n; k++)
            again = again || (*rows)[k].id == m->id;
        if (again)
            continue;
        if (*n > 0 && m->chat != (*rows)[0].chat)
            return err_set(c->ei, ERR_CONFLICT, SUBJ_FORWARD, "messages of different chats");
        if (*n > 0 && (m->thread_id == NULL) != ((*rows)[0].thread_id == NULL))
            return err_set(c->ei, ERR_CONFLICT, SUBJ_THREAD, "thread and chat messages mixed");
        if (*n > 0 && m->thread_id != NULL && strcmp(m->thread_id, (*rows)[0].thread_id) != 0)
            return err_set(c->ei, ERR_CONFLICT, SUBJ_THREAD, "messages of different threads");
        (*n)++;
    }
    if (*n == 0 && unknown == f->n)
        return err_set(c->ei, ERR_BAD_REQUEST, SUBJ_NONE, "no valid message to forward");
    if (*n == 0 && recalled == f->n)
        return err_set(c->ei, ERR_GONE, SUBJ_FORWARD, "all recalled");
    if (*n == 0)
        return err_set(c->ei, ERR_NOT_FOUND, SUBJ_FORWARD, "all invalid");
    qsort(*rows, *n, sizeof(**rows), by_time);
    return ERR_OK;
}

enum err svc_msg_merge_forward(struct svc_ctx *c, const struct msg_op *o,
                               const struct msg_forward *f, struct fs_msg_row *out,
                               struct msg_merge_result *res)
{
    struct fs_msg_row *src, m;
    struct target t;
    struct msg_content mc = { MERGED_BODY, MERGED_BODY, NULL, 0 };
    const char *key;
    bool dup;
    size_t n, left = PARTS_MAX;
    enum err e = store_lock_tenant(c->st, c->tenant);

    memset(res, 0, sizeof(*res));
    if (e == ERR_OK)
        e = sources_load(c, o, f, &src, &n, res);
    if (e == ERR_OK)
        e = target_open(c, o, f->receive_id_type, f->receive_id, &t);
    if (e == ERR_OK)
        e = uuid_seen(c, o, "merge_forward", &t, f->uuid, &key, out, &dup);
    if (e != ERR_OK || dup)
        return e;
    new_message(c, o, &t, NULL, &m);
    e = svc_msg_post(c, o, &t.v.chat, &m, &mc);
    for (size_t i = 0; e == ERR_OK && i < n; i++)
        e = copy_part(c, &src[i], &m, 1, &left);
    if (e == ERR_OK && key != NULL)
        e = store_fs_msg_uuid_put(c->st, c->tenant, &o->op, key, m.id, c->now);
    if (e == ERR_OK)
        *out = m;
    return e;
}

enum err svc_msg_parts(struct svc_ctx *c, const struct fs_msg_row *m, struct fs_msg_row **rows,
                       size_t *n)
{
    struct fs_msg_row *all = NULL, *level;
    size_t cap = 0, k;
    enum err e = ERR_OK;

    *rows = NULL;
    *n = 0;
    if (strcmp(m->msg_type, "merge_forward") != 0 || m->deleted)
        return ERR_OK;
    /* Breadth first: each merged message's parts after it, nested ones after theirs. */
    e = store_fs_msg_parts(c->st, c->a, m->id, &level, &k);
    for (size_t next = 0; e == ERR_OK; next++) {
        if (*n + k > cap) {
            struct fs_msg_row *grown;

            cap = (*n + k) * 2 + 8;
            grown = arena_alloc(c->a, cap * sizeof(*grown));
            if (*n > 0)
                memcpy(grown, all, *n * sizeof(*grown));
            all = grown;
        }
        if (k > 0)
            memcpy(all + *n, level, k * sizeof(*level));
        *n += k;
        k = 0;
        while (next < *n && strcmp(all[next].msg_type, "merge_forward") != 0)
            next++;
        if (next >= *n || *n >= PARTS_MAX)
            break;
        e = store_fs_msg_parts(c->st, c->a, all[next].id, &level, &k);
    }
    *rows = all;
    return e;
}
