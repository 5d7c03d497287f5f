/* SPDX-License-Identifier: MIT */
/*
 * store/store_events.c - event subscriptions, and the delivery state of the
 * outbox: leasing due records (safe across nodes), settling attempts, the
 * attempt log. SQL every backend runs.
 */
#include "store/store_int.h"

#include "core/arena.h"

#include <string.h>

void store_outbox_fill(const struct sql_res *r, size_t i, struct outbox_row *o)
{
    o->id = sql_int(r, i, 0);
    o->tenant_id = sql_int(r, i, 1);
    o->app = sql_int(r, i, 2);
    o->event_type = sql_text(r, i, 3);
    o->event_id = sql_text(r, i, 4);
    o->body = sql_text(r, i, 5);
    o->created_at = sql_int(r, i, 6);
    o->delivered_at = sql_int(r, i, 7);
    o->state = sql_text(r, i, 8);
    o->attempts = sql_int(r, i, 9);
    o->next_at = sql_int(r, i, 10);
}

static const char SQL_SUB_GET[] =
    "SELECT app_ref, callback_url, encrypt_key, verification_token, types, mode "
    "FROM fs_subscription WHERE app_ref = $1";
static const char SQL_SUB_SET[] =
    "INSERT INTO fs_subscription (app_ref, callback_url, encrypt_key, verification_token, types, "
    "mode) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (app_ref) DO UPDATE SET callback_url = "
    "excluded.callback_url, encrypt_key = excluded.encrypt_key, verification_token = "
    "excluded.verification_token, types = excluded.types, mode = excluded.mode";
static const char SQL_SUB_DELETE[] = "DELETE FROM fs_subscription WHERE app_ref = $1";

enum err store_fs_subscription_get(struct store *s, struct arena *a, int64_t app,
                                   struct fs_subscription_row *out)
{
    struct sql_res r;
    enum err e = sql_one(store_q(s, a, &r, SQL_SUB_GET, ARG_INT(app)), &r);

    if (e == ERR_OK) {
        out->app = app;
        out->callback_url = sql_text(&r, 0, 1);
        out->types = sql_text(&r, 0, 4);
        out->mode = sql_text(&r, 0, 5);
        e = store_unseal(s, a, sql_text(&r, 0, 2), &out->encrypt_key);
    }
    if (e == ERR_OK)
        e = store_unseal(s, a, sql_text(&r, 0, 3), &out->verification_token);
    return e;
}

/* The sealed columns open as store_fs_subscription_get opens them, so a
 * subscription whose secrets do not open fails here as it does there. */
static const char SQL_SUB_BOTS[] =
    "SELECT m.member_ref, s.app_ref, s.types, s.encrypt_key, s.verification_token "
    "FROM fs_chat_member m LEFT JOIN fs_subscription s ON s.app_ref = m.member_ref "
    "WHERE m.chat_ref = $1 AND m.member_kind = $2 ORDER BY m.seq";

enum err store_fs_bot_subscriptions(struct store *s, struct arena *a, int64_t chat,
                                    struct fs_bot_sub **rows, size_t *n)
{
    struct sql_res r;
    const char *plain;
    enum err e = store_q(s, a, &r, SQL_SUB_BOTS, ARG_INT(chat), ARG_INT(ACTOR_BOT));

    *rows = NULL;
    *n = 0;
    if (e != ERR_OK)
        return e;
    *rows = arena_alloc(a, (r.nrows + 1) * sizeof(**rows));
    for (size_t i = 0; e == ERR_OK && i < r.nrows; i++) {
        bool has = sql_text(&r, i, 1) != NULL;

        (*rows)[i].app = sql_int(&r, i, 0);
        (*rows)[i].types = has ? sql_text(&r, i, 2) : NULL;
        if (has)
            e = store_unseal(s, a, sql_text(&r, i, 3), &plain);
        if (e == ERR_OK && has)
            e = store_unseal(s, a, sql_text(&r, i, 4), &plain);
    }
    if (e == ERR_OK)
        *n = r.nrows;
    return e;
}

/* The encrypt key and the verification token are stored sealed: delivery
 * needs them to encrypt and sign events. */
enum err store_fs_subscription_set(struct store *s, const struct fs_subscription_row *sub)
{
    struct arena a;
    enum err e;

    arena_init(&a, 1024);
    e = store_q(s, NULL, NULL, SQL_SUB_SET, ARG_INT(sub->app), ARG_TEXT(sub->callback_url),
                ARG_TEXT(store_seal(s, &a, sub->encrypt_key)),
                ARG_TEXT(store_seal(s, &a, sub->verification_token)), ARG_TEXT(sub->types),
                ARG_TEXT(sub->mode ? sub->mode : "webhook"));
    arena_release(&a);
    return e;
}

enum err store_fs_subscription_delete(struct store *s, int64_t app)
{
    return store_q(s, NULL, NULL, SQL_SUB_DELETE, ARG_INT(app));
}

/* The outer WHERE re-checks the lease on the row being updated: on
 * PostgreSQL a second node that picked the same ids waits for the first's
 * row lock, re-evaluates it against the new row and skips it, so a record
 * is leased once. SQLite serialises writers anyway. A record is taken while
 * fewer than $4 older records of its app wait for their first attempt or
 * are in flight (the count stops at $4). Apps in long-connection mode are
 * left to their connections (store_outbox_claim_app). */
static const char SQL_CLAIM[] =
    "UPDATE outbox SET lease_until = $1 WHERE state = 'pending' AND lease_until <= $2 "
    "AND next_at <= $2 AND id IN (SELECT o.id FROM outbox o WHERE o.state = 'pending' "
    "AND o.next_at <= $2 AND o.lease_until <= $2 AND o.app_ref NOT IN (SELECT app_ref FROM "
    "fs_subscription WHERE mode = 'long_connection') AND (SELECT count(*) FROM (SELECT 1 FROM "
    "outbox p WHERE p.app_ref = o.app_ref AND p.state = 'pending' AND p.id < o.id AND "
    "(p.attempts = 0 OR p.lease_until > $2) LIMIT $4) AS older) < $4 ORDER BY o.id LIMIT $3) "
    "RETURNING " OUTBOX_COLS;

enum err store_outbox_claim(struct store *s, struct arena *a, int64_t now, int64_t lease_until,
                            int64_t limit, int64_t per_app, struct outbox_row **rows, size_t *n)
{
    struct sql_res r;
    enum err e = store_q(s, a, &r, SQL_CLAIM, ARG_INT(lease_until), ARG_INT(now), ARG_INT(limit),
                         ARG_INT(per_app));

    *n = 0;
    *rows = NULL;
    if (e != ERR_OK)
        return e;
    *rows = arena_alloc(a, (r.nrows + 1) * sizeof(**rows));
    for (size_t i = 0; i < r.nrows; i++)
        store_outbox_fill(&r, i, &(*rows)[i]);
    *n = r.nrows;
    return ERR_OK;
}

static const char SQL_SETTLE[] =
    "UPDATE outbox SET state = $2, attempts = $3, next_at = $4, delivered_at = $5, "
    "lease_until = 0 WHERE id = $1";
static const char SQL_ATTEMPT_ADD[] =
    "INSERT INTO outbox_attempt (outbox_ref, attempt, at, http_status, latency_us, error, "
    "response, connection) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

enum err store_outbox_settle(struct store *s, const struct outbox_row *o,
                             const struct outbox_attempt_row *at)
{
    enum err e =
        store_q(s, NULL, NULL, SQL_SETTLE, ARG_INT(o->id), ARG_TEXT(o->state), ARG_INT(o->attempts),
                ARG_INT(o->next_at), ARG_INT_OR_NULL(o->delivered_at));

    if (e == ERR_OK && at != NULL)
        e = store_q(s, NULL, NULL, SQL_ATTEMPT_ADD, ARG_INT(at->outbox), ARG_INT(at->attempt),
                    ARG_INT(at->at), ARG_INT(at->http_status), ARG_INT(at->latency_us),
                    ARG_TEXT(at->error), ARG_TEXT(at->response),
                    ARG_TEXT(at->connection ? at->connection : ""));
    return e;
}

static const char SQL_BY_EVENT_ID[] = "SELECT " OUTBOX_COLS " FROM outbox WHERE event_id = $1";
static const char SQL_ATTEMPTS[] =
    "SELECT outbox_ref, attempt, at, http_status, latency_us, error, response, connection "
    "FROM outbox_attempt WHERE outbox_ref = $1 ORDER BY attempt, id";
static const char SQL_REQUEUE[] =
    "UPDATE outbox SET state = 'pending', next_at = $2, lease_until = 0, delivered_at = NULL "
    "WHERE id = $1";

enum err store_outbox_by_event_id(struct store *s, struct arena *a, const char *event_id,
                                  struct outbox_row *out)
{
    struct sql_res r;
    enum err e = sql_one(store_q(s, a, &r, SQL_BY_EVENT_ID, ARG_TEXT(event_id)), &r);

    if (e == ERR_OK)
        store_outbox_fill(&r, 0, out);
    return e;
}

enum err store_outbox_attempts(struct store *s, struct arena *a, int64_t outbox,
                               struct outbox_attempt_row **rows, size_t *n)
{
    struct sql_res r;
    enum err e = store_q(s, a, &r, SQL_ATTEMPTS, ARG_INT(outbox));

    *n = 0;
    *rows = NULL;
    if (e != ERR_OK)
        return e;
    *rows = arena_alloc(a, (r.nrows + 1) * sizeof(**rows));
    for (size_t i = 0; i < r.nrows; i++) {
        struct outbox_attempt_row *t = &(*rows)[i];

        t->outbox = sql_int(&r, i, 0);
        t->attempt = sql_int(&r, i, 1);
        t->at = sql_int(&r, i, 2);
        t->http_status = sql_int(&r, i, 3);
        t->latency_us = sql_int(&r, i, 4);
        t->error = sql_text(&r, i, 5);
        t->response = sql_text(&r, i, 6);
        t->connection = sql_text(&r, i, 7);
    }
    *n = r.nrows;
    return ERR_OK;
}

enum err store_outbox_requeue(struct store *s, int64_t outbox, int64_t now)
{
    return store_q(s, NULL, NULL, SQL_REQUEUE, ARG_INT(outbox), ARG_INT(now));
}

static const char SQL_LEASE[] = "UPDATE outbox SET lease_until = $2 WHERE id = $1";

enum err store_outbox_lease(struct store *s, int64_t outbox, int64_t until)
{
    return store_q(s, NULL, NULL, SQL_LEASE, ARG_INT(outbox), ARG_INT(until));
}

/* Counted per state with the index on (state, ...): each state is a range
 * scan of its own entries. */
static const char SQL_OUTBOX_STATES[] =
    "SELECT state, count(*) FROM outbox GROUP BY state";

enum err store_outbox_states(struct store *s, struct outbox_states *out)
{
    struct arena a;
    struct sql_res r;
    enum err e;

    memset(out, 0, sizeof(*out));
    arena_init(&a, 512);
    e = store_q(s, &a, &r, SQL_OUTBOX_STATES);
    for (size_t i = 0; e == ERR_OK && i < r.nrows; i++) {
        const char *st = sql_text(&r, i, 0);
        int64_t n = sql_int(&r, i, 1);

        if (st == NULL)
            continue;
        if (strcmp(st, "pending") == 0)
            out->pending = n;
        else if (strcmp(st, "delivered") == 0)
            out->delivered = n;
        else if (strcmp(st, "failed") == 0)
            out->failed = n;
        else if (strcmp(st, "skipped") == 0)
            out->skipped = n;
    }
    arena_release(&a);
    return e;
}
