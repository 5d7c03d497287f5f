/* SPDX-License-Identifier: MIT */
/*
 * store/store_console.c - the web console's pages (store_console.h): each
 * one range of an index, a page at a time.
 */
#include "store/store_int.h"
#include "store/store_console.h"

#include "core/arena.h"

static const char SQL_CHATS[] =
    "SELECT id, chat_id, name, chat_mode, chat_type, status, user_count, bot_count, "
    "created_at, active_at FROM fs_chat WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3";
static const char SQL_MEMBERS[] =
    "SELECT m.seq, m.member_kind, m.member_ref, COALESCE(p.user_id, a.app_id), COALESCE(p.name, a.name), "
    "m.is_manager, m.joined_at FROM fs_chat_member m "
    "LEFT JOIN person p ON m.member_kind = 1 AND p.id = m.member_ref "
    "LEFT JOIN fs_app a ON m.member_kind = 2 AND a.id = m.member_ref "
    "WHERE m.chat_ref = $1 AND m.seq > $2 ORDER BY m.seq LIMIT $3";
static const char SQL_PEOPLE[] =
    "SELECT id, user_id, union_id, name, email FROM person WHERE tenant_id = $1 AND id > $2 "
    "ORDER BY id LIMIT $3";

static const char SQL_DEPTS[] =
    "SELECT d.id, d.department_id, d.open_department_id, p.department_id, d.detail FROM "
    "fs_department d LEFT JOIN fs_department p ON p.id = d.parent_ref WHERE d.tenant_id = $1 "
    "AND d.id > $2 ORDER BY d.id LIMIT $3";

/* The reactions of one range of a timeline ($1 the chat or the thread,
 * $2..$5 the range's ends), each bound on created_ms also on its own so
 * that the range is one of the index's. */
#define REACTIONS(where)                                                                        \
    "SELECT r.message_ref, r.reaction_id, r.emoji_type, r.operator_kind, "                      \
    "COALESCE(p.user_id, a.app_id), COALESCE(p.name, a.name), r.created_ms FROM fs_message m "  \
    "JOIN fs_reaction r ON r.message_ref = m.id "                                               \
    "LEFT JOIN person p ON r.operator_kind = 1 AND p.id = r.operator_ref "                      \
    "LEFT JOIN fs_app a ON r.operator_kind = 2 AND a.id = r.operator_ref WHERE " where          \
    " AND m.created_ms >= $2 AND m.created_ms <= $4 AND (m.created_ms, m.id) >= ($2, $3) "      \
    "AND (m.created_ms, m.id) <= ($4, $5) ORDER BY r.message_ref, r.id"
static const char SQL_REACTIONS_CHAT[] = REACTIONS("m.chat_ref = $1 AND m.in_chat = 1");
static const char SQL_REACTIONS_THREAD[] = REACTIONS("m.thread_id = $1");

static void chat_fill(const struct sql_res *r, size_t i, void *row)
{
    *(struct console_chat *)row = (struct console_chat){
        .id = sql_int(r, i, 0),         .chat_id = sql_text(r, i, 1),
        .name = sql_text(r, i, 2),      .chat_mode = sql_text(r, i, 3),
        .chat_type = sql_text(r, i, 4), .status = sql_text(r, i, 5),
        .user_count = sql_int(r, i, 6), .bot_count = sql_int(r, i, 7),
        .created_at = sql_int(r, i, 8), .active_at = sql_int(r, i, 9),
    };
}

static void member_fill(const struct sql_res *r, size_t i, void *row)
{
    *(struct console_member *)row = (struct console_member){
        .seq = sql_int(r, i, 0),
        .kind = (enum actor_kind)sql_int(r, i, 1),
        .ref = sql_int(r, i, 2),
        .id = sql_text(r, i, 3) ? sql_text(r, i, 3) : "",
        .name = sql_text(r, i, 4) ? sql_text(r, i, 4) : "",
        .is_manager = sql_int(r, i, 5) != 0,
        .joined_at = sql_int(r, i, 6),
    };
}

static void person_fill(const struct sql_res *r, size_t i, void *row)
{
    *(struct console_person *)row = (struct console_person){
        .id = sql_int(r, i, 0),         .user_id = sql_text(r, i, 1),
        .union_id = sql_text(r, i, 2),  .name = sql_text(r, i, 3),
        .email = sql_text(r, i, 4),
    };
}

static void dept_fill(const struct sql_res *r, size_t i, void *row)
{
    *(struct console_dept *)row = (struct console_dept){
        .id = sql_int(r, i, 0),          .department_id = sql_text(r, i, 1),
        .open_department_id = sql_text(r, i, 2), .parent_id = sql_text(r, i, 3),
        .detail = sql_text(r, i, 4),
    };
}

static const struct {
    const char *sql;
    size_t size;
    void (*fill)(const struct sql_res *r, size_t i, void *row);
} pages[] = {
    [CONSOLE_CHATS] = { SQL_CHATS, sizeof(struct console_chat), chat_fill },
    [CONSOLE_MEMBERS] = { SQL_MEMBERS, sizeof(struct console_member), member_fill },
    [CONSOLE_PEOPLE] = { SQL_PEOPLE, sizeof(struct console_person), person_fill },
    [CONSOLE_DEPTS] = { SQL_DEPTS, sizeof(struct console_dept), dept_fill },
};

enum err store_console_page(struct store *s, struct arena *a, enum console_page which,
                            int64_t key, int64_t after, int64_t limit, void **rows, size_t *n)
{
    struct sql_res r;
    enum err e = store_q(s, a, &r, pages[which].sql, ARG_INT(key), ARG_INT(after), ARG_INT(limit));

    *rows = NULL;
    *n = 0;
    if (e != ERR_OK)
        return e;
    *rows = arena_alloc(a, (r.nrows + 1) * pages[which].size);
    for (size_t i = 0; i < r.nrows; i++)
        pages[which].fill(&r, i, (char *)*rows + i * pages[which].size);
    *n = r.nrows;
    return ERR_OK;
}

enum err store_console_reactions(struct store *s, struct arena *a,
                                 const struct console_msg_range *q,
                                 struct console_reaction **rows, size_t *n)
{
    struct sql_res r;
    enum err e = store_q(s, a, &r, q->thread_id ? SQL_REACTIONS_THREAD : SQL_REACTIONS_CHAT,
                         q->thread_id ? ARG_TEXT(q->thread_id) : ARG_INT(q->chat),
                         ARG_INT(q->lo_ms), ARG_INT(q->lo), ARG_INT(q->hi_ms), ARG_INT(q->hi));

    *rows = NULL;
    *n = 0;
    if (e != ERR_OK)
        return e;
    *rows = arena_alloc(a, (r.nrows + 1) * sizeof(**rows));
    for (size_t i = 0; i < r.nrows; i++)
        (*rows)[i] = (struct console_reaction){
            .message = sql_int(&r, i, 0),
            .reaction_id = sql_text(&r, i, 1),
            .emoji_type = sql_text(&r, i, 2),
            .kind = (enum actor_kind)sql_int(&r, i, 3),
            .id = sql_text(&r, i, 4) ? sql_text(&r, i, 4) : "",
            .name = sql_text(&r, i, 5) ? sql_text(&r, i, 5) : "",
            .created_ms = sql_int(&r, i, 6),
        };
    *n = r.nrows;
    return ERR_OK;
}
