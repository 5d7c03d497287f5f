/* SPDX-License-Identifier: MIT */
/*
 * store/store_fs_react.c - reactions and pins of Feishu messages: a
 * message's reactions in the order they were added (by one emoji type or
 * all), and a chat's pins newest first within a time range, in keyset
 * pages.
 */
#include "store/store_int.h"

#include "core/arena.h"

#define REACTION_COLS                                                                           \
    "id, tenant_id, reaction_id, message_ref, emoji_type, operator_kind, operator_ref, "        \
    "created_ms"

static const char SQL_REACTION_INSERT[] =
    "INSERT INTO fs_reaction (tenant_id, reaction_id, message_ref, emoji_type, operator_kind, "
    "operator_ref, created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
static const char SQL_REACTION_GET[] =
    "SELECT " REACTION_COLS " FROM fs_reaction WHERE reaction_id = $1";
static const char SQL_REACTION_FIND[] =
    "SELECT " REACTION_COLS " FROM fs_reaction WHERE message_ref = $1 AND operator_kind = $2 "
    "AND operator_ref = $3 AND emoji_type = $4";
static const char SQL_REACTION_DELETE[] = "DELETE FROM fs_reaction WHERE id = $1";
/* $1 the message, $2 the last row, $3 the page size (, $4 the emoji type). */
static const char SQL_REACTION_PAGE[] =
    "SELECT " REACTION_COLS " FROM fs_reaction WHERE message_ref = $1 AND id > $2 "
    "ORDER BY id LIMIT $3";
static const char SQL_REACTION_PAGE_TYPE[] =
    "SELECT " REACTION_COLS " FROM fs_reaction WHERE message_ref = $1 AND id > $2 "
    "AND emoji_type = $4 ORDER BY id LIMIT $3";

#define PIN_COLS                                                                                \
    "p.message_ref, p.tenant_id, p.chat_ref, p.operator_kind, p.operator_ref, p.created_ms, "   \
    "m.message_id, c.chat_id"
#define PIN_FROM                                                                                \
    " FROM fs_pin p JOIN fs_message m ON m.id = p.message_ref JOIN fs_chat c ON "               \
    "c.id = p.chat_ref "

static const char SQL_PIN_GET[] = "SELECT " PIN_COLS PIN_FROM "WHERE p.message_ref = $1";
static const char SQL_PIN_INSERT[] =
    "INSERT INTO fs_pin (message_ref, tenant_id, chat_ref, operator_kind, operator_ref, "
    "created_ms) VALUES ($1, $2, $3, $4, $5, $6)";
static const char SQL_PIN_DELETE[] = "DELETE FROM fs_pin WHERE message_ref = $1";
/* The first page: $1 the chat, $2..$3 the range (inclusive), $4 the page
 * size. The pages after: $2..$3 the last row's (created_ms, message_ref),
 * $4 the range's near end, $5 the page size. */
static const char SQL_PIN_FIRST[] =
    "SELECT " PIN_COLS PIN_FROM "WHERE p.chat_ref = $1 AND p.created_ms >= $2 AND "
    "p.created_ms <= $3 AND m.deleted = 0 ORDER BY p.created_ms DESC, p.message_ref DESC "
    "LIMIT $4";
static const char SQL_PIN_AFTER[] =
    "SELECT " PIN_COLS PIN_FROM "WHERE p.chat_ref = $1 AND (p.created_ms, p.message_ref) < "
    "($2, $3) AND p.created_ms >= $4 AND m.deleted = 0 ORDER BY p.created_ms DESC, "
    "p.message_ref DESC LIMIT $5";

static void reaction_fill(const struct sql_res *r, size_t i, struct fs_reaction_row *out)
{
    out->id = sql_int(r, i, 0);
    out->tenant_id = sql_int(r, i, 1);
    out->reaction_id = sql_text(r, i, 2);
    out->message = sql_int(r, i, 3);
    out->emoji_type = sql_text(r, i, 4);
    out->op.kind = (enum actor_kind)sql_int(r, i, 5);
    out->op.ref = sql_int(r, i, 6);
    out->created_ms = sql_int(r, i, 7);
}

enum err store_fs_reaction_insert(struct store *s, struct fs_reaction_row *r)
{
    struct arena a;
    struct sql_res res;
    enum err e;

    arena_init(&a, 128);
    e = sql_one_int(store_q(s, &a, &res, SQL_REACTION_INSERT, ARG_INT(r->tenant_id),
                            ARG_TEXT(r->reaction_id), ARG_INT(r->message),
                            ARG_TEXT(r->emoji_type), ARG_INT(r->op.kind), ARG_INT(r->op.ref),
                            ARG_INT(r->created_ms)),
                    &res, &r->id);
    arena_release(&a);
    return e;
}

static enum err reaction_one(enum err e, const struct sql_res *r, struct fs_reaction_row *out)
{
    e = sql_one(e, r);
    if (e == ERR_OK)
        reaction_fill(r, 0, out);
    return e;
}

enum err store_fs_reaction_get(struct store *s, struct arena *a, const char *reaction_id,
                               struct fs_reaction_row *out)
{
    struct sql_res r;

    return reaction_one(store_q(s, a, &r, SQL_REACTION_GET, ARG_TEXT(reaction_id)), &r, out);
}

enum err store_fs_reaction_find(struct store *s, struct arena *a, int64_t message,
                                const struct actor *op, const char *emoji_type,
                                struct fs_reaction_row *out)
{
    struct sql_res r;

    return reaction_one(store_q(s, a, &r, SQL_REACTION_FIND, ARG_INT(message), ARG_INT(op->kind),
                                ARG_INT(op->ref), ARG_TEXT(emoji_type)),
                        &r, out);
}

enum err store_fs_reaction_delete(struct store *s, int64_t id)
{
    return store_q(s, NULL, NULL, SQL_REACTION_DELETE, ARG_INT(id));
}

enum err store_fs_reaction_page(struct store *s, struct arena *a, int64_t message,
                                const char *emoji_type, int64_t after, int64_t limit,
                                struct fs_reaction_row **rows, size_t *n)
{
    const struct sql_arg p[4] = { ARG_INT(message), ARG_INT(after), ARG_INT(limit),
                                  ARG_TEXT(emoji_type) };
    struct sql_res r;
    enum err e = sql_exec(s, a, emoji_type ? SQL_REACTION_PAGE_TYPE : SQL_REACTION_PAGE, p,
                          emoji_type ? 4 : 3, &r);

    *n = 0;
    *rows = NULL;
    if (e != ERR_OK)
        return e;
    *rows = arena_alloc(a, (r.nrows + 1) * sizeof(**rows));
    for (size_t i = 0; i < r.nrows; i++)
        reaction_fill(&r, i, &(*rows)[i]);
    *n = r.nrows;
    return ERR_OK;
}

static void pin_fill(const struct sql_res *r, size_t i, struct fs_pin_row *out)
{
    out->message = sql_int(r, i, 0);
    out->tenant_id = sql_int(r, i, 1);
    out->chat = sql_int(r, i, 2);
    out->op.kind = (enum actor_kind)sql_int(r, i, 3);
    out->op.ref = sql_int(r, i, 4);
    out->created_ms = sql_int(r, i, 5);
    out->message_id = sql_text(r, i, 6);
    out->chat_id = sql_text(r, i, 7);
}

enum err store_fs_pin_get(struct store *s, struct arena *a, int64_t message,
                          struct fs_pin_row *out)
{
    struct sql_res r;
    enum err e = sql_one(store_q(s, a, &r, SQL_PIN_GET, ARG_INT(message)), &r);

    if (e == ERR_OK)
        pin_fill(&r, 0, out);
    return e;
}

enum err store_fs_pin_insert(struct store *s, const struct fs_pin_row *p)
{
    return store_q(s, NULL, NULL, SQL_PIN_INSERT, ARG_INT(p->message), ARG_INT(p->tenant_id),
                   ARG_INT(p->chat), ARG_INT(p->op.kind), ARG_INT(p->op.ref),
                   ARG_INT(p->created_ms));
}

enum err store_fs_pin_delete(struct store *s, int64_t message)
{
    return store_q(s, NULL, NULL, SQL_PIN_DELETE, ARG_INT(message));
}

enum err store_fs_pin_page(struct store *s, struct arena *a, const struct fs_pin_page *q,
                           struct fs_pin_row **rows, size_t *n)
{
    const struct sql_arg p[5] = {
        ARG_INT(q->chat),
        ARG_INT(q->after ? q->after_ms : q->from_ms),
        ARG_INT(q->after ? q->after : q->to_ms),
        ARG_INT(q->after ? q->from_ms : q->limit),
        ARG_INT(q->limit),
    };
    struct sql_res r;
    enum err e = sql_exec(s, a, q->after ? SQL_PIN_AFTER : SQL_PIN_FIRST, p, q->after ? 5 : 4,
                          &r);

    *n = 0;
    *rows = NULL;
    if (e != ERR_OK)
        return e;
    *rows = arena_alloc(a, (r.nrows + 1) * sizeof(**rows));
    for (size_t i = 0; i < r.nrows; i++)
        pin_fill(&r, i, &(*rows)[i]);
    *n = r.nrows;
    return ERR_OK;
}
