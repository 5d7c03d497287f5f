/* SPDX-License-Identifier: MIT */
/*
 * store/store_retention.c - deleting what has expired or aged out, in small
 * batches: settled outbox records (delivered, skipped, failed) with their
 * attempt log, expired tokens, OAuth codes, share links, WeCom media and nonces, and
 * chat-create idempotency records. SQL every backend runs.
 *
 * Every delete takes at most 'batch' rows, so one pass holds the write lock
 * for a few milliseconds. The deletes are idempotent: two nodes running the
 * same pass delete each row once (they also take turns, store_retention_pass
 * locking RETENTION_LOCK first). A pending event is never deleted.
 */
#include "store/store_int.h"

#include "core/arena.h"

/* Not a tenant id: the advisory lock PostgreSQL nodes take turns on. */
#define RETENTION_LOCK INT64_C(-8150002)

/* The first outbox id to keep by age and by count: the oldest record made at
 * or after the cutoff, and the newest 'keep' records. */
static const char SQL_OUTBOX_AGE[] = "SELECT min(id) FROM outbox WHERE created_at >= $1";
static const char SQL_OUTBOX_NEXT[] = "SELECT coalesce(max(id), 0) + 1 FROM outbox";
static const char SQL_OUTBOX_NTH[] = "SELECT id FROM outbox ORDER BY id DESC LIMIT 1 OFFSET $1";

/* Attempts first (they reference the record); a record whose attempts are
 * still there (it was settled between the two statements) waits for the
 * next pass. */
static const char SQL_ATTEMPTS_PURGE[] =
    "DELETE FROM outbox_attempt WHERE outbox_ref IN (SELECT id FROM outbox WHERE id < $1 "
    "AND state <> 'pending' ORDER BY id LIMIT $2) RETURNING 1";
static const char SQL_OUTBOX_PURGE[] =
    "DELETE FROM outbox WHERE id IN (SELECT o.id FROM outbox o WHERE o.id < $1 AND o.state <> "
    "'pending' AND NOT EXISTS (SELECT 1 FROM outbox_attempt a WHERE a.outbox_ref = o.id) "
    "ORDER BY o.id LIMIT $2) RETURNING 1";

/* $1: the cutoff, $2: the batch. expires_at 0 is "never" (a permanent
 * share link). */
static const char *const SQL_EXPIRED[] = {
    "DELETE FROM token WHERE token IN (SELECT token FROM token WHERE expires_at > 0 AND "
    "expires_at < $1 LIMIT $2) RETURNING 1",
    "DELETE FROM fs_auth_code WHERE code IN (SELECT code FROM fs_auth_code WHERE expires_at > 0 "
    "AND expires_at < $1 LIMIT $2) RETURNING 1",
    "DELETE FROM fs_chat_link WHERE link_token IN (SELECT link_token FROM fs_chat_link WHERE "
    "expires_at > 0 AND expires_at < $1 LIMIT $2) RETURNING 1",
    /* WeCom temporary media: intents keep the names they read. */
    "DELETE FROM wc_media WHERE (tenant_id, media_id) IN (SELECT tenant_id, media_id FROM "
    "wc_media WHERE expires_at < $1 LIMIT $2) RETURNING 1",
};
static const char SQL_NONCE_EXPIRED[] =
    "DELETE FROM nonce WHERE (tenant_id, nonce) IN (SELECT tenant_id, nonce FROM nonce WHERE "
    "expires_at <= $1 LIMIT $2) RETURNING 1";
static const char SQL_UUID_OLD[] =
    "DELETE FROM fs_chat_uuid WHERE (tenant_id, uuid, owner_key) IN (SELECT tenant_id, uuid, "
    "owner_key FROM fs_chat_uuid WHERE created_at < $1 LIMIT $2) RETURNING 1";

/* Runs one batched delete; adds the rows it took to '*n' and says whether
 * the batch was full (there may be more). */
static enum err purge(struct store *s, struct arena *a, const char *sql, int64_t a1, int64_t batch,
                      int64_t *n, bool *more)
{
    struct sql_res r;
    enum err e = store_q(s, a, &r, sql, ARG_INT(a1), ARG_INT(batch));

    if (e == ERR_OK) {
        *n += (int64_t)r.nrows;
        *more = *more || (int64_t)r.nrows >= batch;
    }
    return e;
}

/* The id below which settled outbox records go: the larger of the age
 * bound and the count bound. */
static enum err outbox_bound(struct store *s, struct arena *a, const struct store_retention *p,
                             int64_t *bound)
{
    struct sql_res r;
    int64_t by_count = 0;
    enum err e = ERR_OK;

    *bound = 0;
    if (p->older_than > 0) {
        e = store_q(s, a, &r, SQL_OUTBOX_AGE, ARG_INT(p->older_than));
        if (e == ERR_OK && sql_text(&r, 0, 0) == NULL)
            e = store_q(s, a, &r, SQL_OUTBOX_NEXT);
        if (e == ERR_OK)
            *bound = sql_int(&r, 0, 0);
    }
    if (e == ERR_OK && p->events_max > 0) {
        e = store_q(s, a, &r, SQL_OUTBOX_NTH, ARG_INT(p->events_max));
        if (e == ERR_OK && r.nrows > 0)
            by_count = sql_int(&r, 0, 0) + 1;
    }
    if (by_count > *bound)
        *bound = by_count;
    return e;
}

enum err store_retention_pass(struct store *s, const struct store_retention *p,
                              int64_t *deleted, bool *more)
{
    struct arena a;
    int64_t bound;
    enum err e;

    *deleted = 0;
    *more = false;
    arena_init(&a, 16384);
    e = store_lock_tenant(s, RETENTION_LOCK);
    if (e == ERR_OK)
        e = outbox_bound(s, &a, p, &bound);
    if (e == ERR_OK && bound > 0)
        e = purge(s, &a, SQL_ATTEMPTS_PURGE, bound, p->batch, deleted, more);
    if (e == ERR_OK && bound > 0)
        e = purge(s, &a, SQL_OUTBOX_PURGE, bound, p->batch, deleted, more);
    for (size_t i = 0; i < sizeof(SQL_EXPIRED) / sizeof(*SQL_EXPIRED); i++)
        if (e == ERR_OK && p->older_than > 0)
            e = purge(s, &a, SQL_EXPIRED[i], p->older_than, p->batch, deleted, more);
    if (e == ERR_OK)
        e = purge(s, &a, SQL_NONCE_EXPIRED, p->now, p->batch, deleted, more);
    if (e == ERR_OK)
        e = purge(s, &a, SQL_UUID_OLD, p->uuid_older_than, p->batch, deleted, more);
    arena_release(&a);
    return e;
}
