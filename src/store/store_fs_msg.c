/* SPDX-License-Identifier: MIT */
/*
 * store/store_fs_msg.c - Feishu messages: insert, read by id, update, the
 * keyset pages of a chat or a thread in (create time, id) order, a chat's
 * latest message, the parts of a merged message, uuid keys, and the p2p
 * chat of a bot and a person.
 */
#include "store/store_int.h"

#include "core/arena.h"

#include <string.h>

#define MSG_COLS                                                                               \
    "m.id, m.tenant_id, m.message_id, m.chat_ref, m.sender_kind, m.sender_ref, m.msg_type, "   \
    "m.content, m.body, m.mentions, m.root_ref, m.parent_ref, m.thread_id, m.in_chat, "        \
    "m.created_ms, m.updated_ms, m.updated, m.deleted, m.edits, c.chat_id, r.message_id, "     \
    "p.message_id, m.upper_ref, u.message_id"
#define MSG_FROM                                                                               \
    " FROM fs_message m JOIN fs_chat c ON c.id = m.chat_ref LEFT JOIN fs_message r ON "        \
    "r.id = m.root_ref LEFT JOIN fs_message p ON p.id = m.parent_ref LEFT JOIN fs_message u "  \
    "ON u.id = m.upper_ref "

static const char SQL_MSG_INSERT[] =
    "INSERT INTO fs_message (tenant_id, message_id, chat_ref, sender_kind, sender_ref, "
    "msg_type, content, body, mentions, root_ref, parent_ref, thread_id, in_chat, created_ms, "
    "updated_ms, updated, deleted, edits, upper_ref) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
    "$10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING id";
static const char SQL_CHAT_TOUCH[] =
    "UPDATE fs_chat SET active_at = $2 WHERE id = $1 AND active_at < $2";
static const char SQL_MSG_GET[] = "SELECT " MSG_COLS MSG_FROM "WHERE m.message_id = $1";
static const char SQL_MSG_UPDATE[] =
    "UPDATE fs_message SET content = $2, body = $3, mentions = $4, thread_id = $5, "
    "updated_ms = $6, updated = $7, deleted = $8, edits = $9, msg_type = $10 WHERE id = $1";
/* Pages. The first: $1 the container, $2..$3 the create-time range (ms,
 * inclusive), $4 the page size. The pages after: $1 the container, $2..$3
 * the last row's (created_ms, id), $4 the far end of the range, $5 the page
 * size; the near end is behind that row already. Each is one range of the
 * index: no OR, and only one bound on each side of created_ms. */
#define PAGE(where, cond, order)                                                                \
    "SELECT " MSG_COLS MSG_FROM "WHERE " where cond " ORDER BY " order
#define IN_CHAT "m.chat_ref = $1 AND m.in_chat = 1"
#define IN_THREAD "m.thread_id = $1"
#define RANGE " AND m.created_ms >= $2 AND m.created_ms <= $3"
#define ASC "m.created_ms, m.id LIMIT "
#define DESC "m.created_ms DESC, m.id DESC LIMIT "
#define AFTER_ASC " AND (m.created_ms, m.id) > ($2, $3) AND m.created_ms <= $4"
#define AFTER_DESC " AND (m.created_ms, m.id) < ($2, $3) AND m.created_ms >= $4"
static const char *const SQL_PAGES[2][2][2] = {
    /* [thread][desc][after] */
    { { PAGE(IN_CHAT, RANGE, ASC "$4"), PAGE(IN_CHAT, AFTER_ASC, ASC "$5") },
      { PAGE(IN_CHAT, RANGE, DESC "$4"), PAGE(IN_CHAT, AFTER_DESC, DESC "$5") } },
    { { PAGE(IN_THREAD, RANGE, ASC "$4"), PAGE(IN_THREAD, AFTER_ASC, ASC "$5") },
      { PAGE(IN_THREAD, RANGE, DESC "$4"), PAGE(IN_THREAD, AFTER_DESC, DESC "$5") } },
};
/* The parts of a merged message, in the order they were merged. */
static const char SQL_MSG_PARTS[] =
    "SELECT " MSG_COLS MSG_FROM "WHERE m.upper_ref = $1 ORDER BY m.id";
static const char SQL_MSG_LAST[] =
    "SELECT " MSG_COLS MSG_FROM "WHERE m.chat_ref = $1 ORDER BY m.created_ms DESC, m.id DESC "
    "LIMIT 1";
static const char SQL_UUID_GET[] =
    "SELECT message_ref FROM fs_message_uuid WHERE tenant_id = $1 AND sender_kind = $2 AND "
    "sender_ref = $3 AND uuid = $4 AND created_at > $5";
/* An expired key is taken over by the new message. */
static const char SQL_UUID_PUT[] =
    "INSERT INTO fs_message_uuid (tenant_id, sender_kind, sender_ref, uuid, message_ref, "
    "created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, sender_kind, "
    "sender_ref, uuid) DO UPDATE SET message_ref = excluded.message_ref, "
    "created_at = excluded.created_at";
static const char SQL_MSG_BY_ROW[] = "SELECT message_id FROM fs_message WHERE id = $1";
static const char SQL_P2P_FIND[] =
    "SELECT c.id FROM fs_chat c JOIN fs_chat_member b ON b.chat_ref = c.id AND "
    "b.member_kind = $1 AND b.member_ref = $2 JOIN fs_chat_member u ON u.chat_ref = c.id AND "
    "u.member_kind = $3 AND u.member_ref = $4 WHERE c.chat_mode = 'p2p' ORDER BY c.id LIMIT 1";

static const char SQL_PERSON_BY_EMAIL[] =
    "SELECT id, tenant_id, user_id, union_id, name, email, udesk_agent_id FROM person "
    "WHERE tenant_id = $1 AND email = $2 ORDER BY id LIMIT 1";

static void msg_fill(const struct sql_res *r, size_t i, struct fs_msg_row *m)
{
    m->id = sql_int(r, i, 0);
    m->tenant_id = sql_int(r, i, 1);
    m->message_id = sql_text(r, i, 2);
    m->chat = sql_int(r, i, 3);
    m->sender.kind = (enum actor_kind)sql_int(r, i, 4);
    m->sender.ref = sql_int(r, i, 5);
    m->msg_type = sql_text(r, i, 6);
    m->content = sql_text(r, i, 7);
    m->body = sql_text(r, i, 8);
    m->mentions = sql_text(r, i, 9);
    m->root = sql_int(r, i, 10);
    m->parent = sql_int(r, i, 11);
    m->thread_id = sql_text(r, i, 12);
    m->in_chat = sql_int(r, i, 13) != 0;
    m->created_ms = sql_int(r, i, 14);
    m->updated_ms = sql_int(r, i, 15);
    m->updated = sql_int(r, i, 16) != 0;
    m->deleted = sql_int(r, i, 17) != 0;
    m->edits = sql_int(r, i, 18);
    m->chat_id = sql_text(r, i, 19);
    m->root_id = sql_text(r, i, 20);
    m->parent_id = sql_text(r, i, 21);
    m->upper = sql_int(r, i, 22);
    m->upper_id = sql_text(r, i, 23);
}

enum err store_fs_msg_insert(struct store *s, struct fs_msg_row *m)
{
    struct arena a;
    struct sql_res r;
    enum err e;

    arena_init(&a, 256);
    e = sql_one_int(store_q(s, &a, &r, SQL_MSG_INSERT, ARG_INT(m->tenant_id),
                            ARG_TEXT(m->message_id), ARG_INT(m->chat), ARG_INT(m->sender.kind),
                            ARG_INT(m->sender.ref), ARG_TEXT(m->msg_type), ARG_TEXT(m->content),
                            ARG_TEXT(m->body), ARG_TEXT(m->mentions), ARG_INT_OR_NULL(m->root),
                            ARG_INT_OR_NULL(m->parent), ARG_TEXT(m->thread_id),
                            ARG_BOOL(m->in_chat), ARG_INT(m->created_ms), ARG_INT(m->updated_ms),
                            ARG_BOOL(m->updated), ARG_BOOL(m->deleted), ARG_INT(m->edits),
                            ARG_INT_OR_NULL(m->upper)),
                    &r, &m->id);
    arena_release(&a);
    return e;
}

enum err store_fs_msg_get(struct store *s, struct arena *a, const char *message_id,
                          struct fs_msg_row *out)
{
    struct sql_res r;
    enum err e = sql_one(store_q(s, a, &r, SQL_MSG_GET, ARG_TEXT(message_id)), &r);

    if (e == ERR_OK)
        msg_fill(&r, 0, out);
    return e;
}

enum err store_fs_chat_touch(struct store *s, int64_t chat, int64_t now)
{
    return store_q_later(s, SQL_CHAT_TOUCH, ARG_INT(chat), ARG_INT(now));
}

enum err store_fs_msg_update(struct store *s, const struct fs_msg_row *m)
{
    return store_q(s, NULL, NULL, SQL_MSG_UPDATE, ARG_INT(m->id), ARG_TEXT(m->content),
                   ARG_TEXT(m->body), ARG_TEXT(m->mentions), ARG_TEXT(m->thread_id),
                   ARG_INT(m->updated_ms), ARG_BOOL(m->updated), ARG_BOOL(m->deleted),
                   ARG_INT(m->edits), ARG_TEXT(m->msg_type));
}

static enum err msg_rows(enum err e, struct arena *a, const struct sql_res *r,
                         struct fs_msg_row **rows, size_t *n)
{
    *n = 0;
    *rows = NULL;
    if (e != ERR_OK)
        return e;
    *rows = arena_alloc(a, (r->nrows + 1) * sizeof(**rows));
    for (size_t i = 0; i < r->nrows; i++)
        msg_fill(r, i, &(*rows)[i]);
    *n = r->nrows;
    return ERR_OK;
}

enum err store_fs_msg_page(struct store *s, struct arena *a, const struct fs_msg_page *q,
                           struct fs_msg_row **rows, size_t *n)
{
    const char *sql = SQL_PAGES[q->thread_id != NULL][q->desc][q->after != 0];
    const struct sql_arg p[5] = {
        q->thread_id ? ARG_TEXT(q->thread_id) : ARG_INT(q->chat),
        ARG_INT(q->after ? q->after_ms : q->from_ms),
        ARG_INT(q->after ? q->after : q->to_ms),
        ARG_INT(q->after ? (q->desc ? q->from_ms : q->to_ms) : q->limit),
        ARG_INT(q->limit),
    };
    struct sql_res r;

    return msg_rows(sql_exec(s, a, sql, p, q->after ? 5 : 4, &r), a, &r, rows, n);
}

enum err store_fs_msg_parts(struct store *s, struct arena *a, int64_t upper,
                            struct fs_msg_row **rows, size_t *n)
{
    struct sql_res r;

    return msg_rows(store_q(s, a, &r, SQL_MSG_PARTS, ARG_INT(upper)), a, &r, rows, n);
}

enum err store_fs_msg_last(struct store *s, struct arena *a, int64_t chat, struct fs_msg_row *out)
{
    struct sql_res r;
    enum err e = sql_one(store_q(s, a, &r, SQL_MSG_LAST, ARG_INT(chat)), &r);

    if (e == ERR_OK)
        msg_fill(&r, 0, out);
    return e;
}

enum err store_fs_msg_uuid_get(struct store *s, struct arena *a, int64_t tenant,
                               const struct actor *sender, const char *uuid, int64_t since,
                               char **message_id)
{
    struct sql_res r;
    int64_t ref;
    enum err e = sql_one_int(store_q(s, a, &r, SQL_UUID_GET, ARG_INT(tenant),
                                     ARG_INT(sender->kind), ARG_INT(sender->ref), ARG_TEXT(uuid),
                                     ARG_INT(since)),
                             &r, &ref);

    if (e == ERR_OK)
        e = sql_one(store_q(s, a, &r, SQL_MSG_BY_ROW, ARG_INT(ref)), &r);
    if (e == ERR_OK)
        *message_id = (char *)sql_text(&r, 0, 0);
    return e;
}

enum err store_fs_msg_uuid_put(struct store *s, int64_t tenant, const struct actor *sender,
                               const char *uuid, int64_t message, int64_t now)
{
    return store_q(s, NULL, NULL, SQL_UUID_PUT, ARG_INT(tenant), ARG_INT(sender->kind),
                   ARG_INT(sender->ref), ARG_TEXT(uuid), ARG_INT(message), ARG_INT(now));
}

enum err store_fs_p2p_find(struct store *s, int64_t app, int64_t person, int64_t *chat)
{
    struct arena a;
    struct sql_res r;
    enum err e;

    arena_init(&a, 128);
    e = sql_one_int(store_q(s, &a, &r, SQL_P2P_FIND, ARG_INT(ACTOR_BOT), ARG_INT(app),
                            ARG_INT(ACTOR_USER), ARG_INT(person)),
                    &r, chat);
    arena_release(&a);
    return e;
}

enum err store_person_by_email(struct store *s, struct arena *a, int64_t tenant,
                               const char *email, struct person_row *out)
{
    struct sql_res r;
    enum err e = sql_one(store_q(s, a, &r, SQL_PERSON_BY_EMAIL, ARG_INT(tenant), ARG_TEXT(email)), &r);

    if (e == ERR_OK) {
        out->id = sql_int(&r, 0, 0);
        out->tenant_id = sql_int(&r, 0, 1);
        out->user_id = sql_text(&r, 0, 2);
        out->union_id = sql_text(&r, 0, 3);
        out->name = sql_text(&r, 0, 4);
        out->email = sql_text(&r, 0, 5);
        out->udesk_agent_id = sql_int(&r, 0, 6);
    }
    return e;
}
