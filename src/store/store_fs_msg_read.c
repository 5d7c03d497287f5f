/* SPDX-License-Identifier: MIT */
/*
 * store/store_fs_msg_read.c - who read a Feishu message and when (one row a
 * reader, its first reading), the pages of a message's readers, and the
 * buzzes sent for messages: one row per person buzzed, counted per person
 * (unread ones) and per tenant (SMS and phone). Messages themselves are
 * store_fs_msg.c's.
 */
#include "store/store_int.h"

#include "core/arena.h"

#include <string.h>

/* A reading already recorded stays (its time is the first reading's). */
static const char SQL_READ_PUT[] =
    "INSERT INTO fs_message_read (tenant_id, message_ref, person_ref, read_ms) VALUES ($1, $2, "
    "$3, $4) ON CONFLICT (message_ref, person_ref) DO NOTHING RETURNING person_ref";
static const char SQL_READ_GET[] =
    "SELECT read_ms FROM fs_message_read WHERE message_ref = $1 AND person_ref = $2";
static const char SQL_READ_FIRST[] =
    "SELECT person_ref, read_ms FROM fs_message_read WHERE message_ref = $1 "
    "ORDER BY read_ms, person_ref LIMIT $2";
static const char SQL_READ_AFTER[] =
    "SELECT person_ref, read_ms FROM fs_message_read WHERE message_ref = $1 AND "
    "(read_ms, person_ref) > ($2, $3) ORDER BY read_ms, person_ref LIMIT $4";
static const char SQL_BUZZ_ADD[] =
    "INSERT INTO fs_message_buzz (tenant_id, message_ref, person_ref, app_ref, kind, created_ms) "
    "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
static const char SQL_BUZZ_UNREAD[] =
    "SELECT COUNT(*) FROM fs_message_buzz b WHERE b.person_ref = $1 AND NOT EXISTS (SELECT 1 "
    "FROM fs_message_read r WHERE r.message_ref = b.message_ref AND r.person_ref = b.person_ref)";
static const char SQL_BUZZ_PAID[] =
    "SELECT COUNT(*) FROM fs_message_buzz WHERE tenant_id = $1 AND kind IN ('sms', 'phone') AND "
    "created_ms >= $2";
static const char SQL_BUZZ_LIST[] =
    "SELECT id, tenant_id, message_ref, person_ref, app_ref, kind, created_ms FROM "
    "fs_message_buzz WHERE message_ref = $1 ORDER BY id";

enum err store_fs_read_put(struct store *s, int64_t tenant, int64_t message, int64_t person,
                           int64_t read_ms, bool *first)
{
    struct arena a;
    struct sql_res r;
    enum err e;

    arena_init(&a, 128);
    e = store_q(s, &a, &r, SQL_READ_PUT, ARG_INT(tenant), ARG_INT(message), ARG_INT(person),
                ARG_INT(read_ms));
    *first = e == ERR_OK && r.nrows == 1;
    arena_release(&a);
    return e;
}

enum err store_fs_read_get(struct store *s, int64_t message, int64_t person, int64_t *read_ms)
{
    struct arena a;
    struct sql_res r;
    enum err e;

    arena_init(&a, 128);
    e = sql_one_int(store_q(s, &a, &r, SQL_READ_GET, ARG_INT(message), ARG_INT(person)), &r,
                    read_ms);
    arena_release(&a);
    return e;
}

enum err store_fs_read_page(struct store *s, struct arena *a, int64_t message, int64_t after_ms,
                            int64_t after, int64_t limit, struct fs_read_row **rows, size_t *n)
{
    struct sql_res r;
    enum err e = after != 0 ? store_q(s, a, &r, SQL_READ_AFTER, ARG_INT(message),
                                      ARG_INT(after_ms), ARG_INT(after), ARG_INT(limit))
                            : store_q(s, a, &r, SQL_READ_FIRST, ARG_INT(message), ARG_INT(limit));

    *n = 0;
    *rows = NULL;
    if (e != ERR_OK)
        return e;
    *rows = arena_alloc(a, (r.nrows + 1) * sizeof(**rows));
    for (size_t i = 0; i < r.nrows; i++)
        (*rows)[i] = (struct fs_read_row){ sql_int(&r, i, 0), sql_int(&r, i, 1) };
    *n = r.nrows;
    return ERR_OK;
}

enum err store_fs_buzz_add(struct store *s, struct fs_buzz_row *b)
{
    struct arena a;
    struct sql_res r;
    enum err e;

    arena_init(&a, 128);
    e = sql_one_int(store_q(s, &a, &r, SQL_BUZZ_ADD, ARG_INT(b->tenant_id), ARG_INT(b->message),
                            ARG_INT(b->person), ARG_INT(b->app), ARG_TEXT(b->kind),
                            ARG_INT(b->created_ms)),
                    &r, &b->id);
    arena_release(&a);
    return e;
}

static enum err count(struct store *s, const char *sql, const struct sql_arg *args, size_t nargs,
                      int64_t *n)
{
    struct arena a;
    struct sql_res r;
    enum err e;

    arena_init(&a, 128);
    e = sql_one_int(sql_exec(s, &a, sql, args, nargs, &r), &r, n);
    arena_release(&a);
    return e;
}

enum err store_fs_buzz_unread(struct store *s, int64_t person, int64_t *n)
{
    const struct sql_arg p[1] = { ARG_INT(person) };

    return count(s, SQL_BUZZ_UNREAD, p, 1, n);
}

enum err store_fs_buzz_paid(struct store *s, int64_t tenant, int64_t since_ms, int64_t *n)
{
    const struct sql_arg p[2] = { ARG_INT(tenant), ARG_INT(since_ms) };

    return count(s, SQL_BUZZ_PAID, p, 2, n);
}

enum err store_fs_buzz_list(struct store *s, struct arena *a, int64_t message,
                            struct fs_buzz_row **rows, size_t *n)
{
    struct sql_res r;
    enum err e = store_q(s, a, &r, SQL_BUZZ_LIST, ARG_INT(message));

    *n = 0;
    *rows = NULL;
    if (e != ERR_OK)
        return e;
    *rows = arena_alloc(a, (r.nrows + 1) * sizeof(**rows));
    for (size_t i = 0; i < r.nrows; i++)
        (*rows)[i] = (struct fs_buzz_row){ sql_int(&r, i, 0), sql_int(&r, i, 1),
                                           sql_int(&r, i, 2), sql_int(&r, i, 3),
                                           sql_int(&r, i, 4), sql_text(&r, i, 5),
                                           sql_int(&r, i, 6) };
    *n = r.nrows;
    return ERR_OK;
}
