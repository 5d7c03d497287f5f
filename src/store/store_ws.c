/* SPDX-License-Identifier: MIT */
/*
 * store/store_ws.c - Feishu long-connection events: bootstrap tickets, the
 * open connections of every node (with the admin API's kick and silence
 * flags), the per-app delivery rehearsals, and leasing one app's due
 * outbox records for its connections. SQL every backend runs.
 */
#include "store/store_int.h"

#include "core/arena.h"
#include "core/seal.h"

static const char SQL_TICKET_ADD[] =
    "INSERT INTO fs_ws_ticket (ticket, app_ref, device_id, access_key, expires_at) "
    "VALUES ($1, $2, $3, $4, $5)";
static const char SQL_TICKET_TAKE[] =
    "DELETE FROM fs_ws_ticket WHERE ticket = $1 RETURNING app_ref, device_id, access_key, "
    "expires_at";

enum err store_fs_ws_ticket_add(struct store *s, const char *ticket, int64_t app,
                                const char *device_id, const char *access_key, int64_t expires_at)
{
    struct arena a;
    enum err e;

    arena_init(&a, 256);
    e = store_q(s, NULL, NULL, SQL_TICKET_ADD, ARG_TEXT(store_digest(s, &a, ticket)), ARG_INT(app),
                ARG_TEXT(device_id), ARG_TEXT(store_digest(s, &a, access_key)),
                ARG_INT(expires_at));
    arena_release(&a);
    return e;
}

enum err store_fs_ws_ticket_take(struct store *s, struct arena *a, const char *ticket,
                                 const char *access_key, int64_t *app, const char **device_id,
                                 bool *key_ok, int64_t *expires_at)
{
    struct sql_res r;
    enum err e =
        sql_one(store_q(s, a, &r, SQL_TICKET_TAKE, ARG_TEXT(store_digest(s, a, ticket))), &r);

    if (e == ERR_OK) {
        *app = sql_int(&r, 0, 0);
        *device_id = sql_text(&r, 0, 1);
        *key_ok = seal_str_eq(store_digest(s, a, access_key), sql_text(&r, 0, 2));
        *expires_at = sql_int(&r, 0, 3);
    }
    return e;
}

#define CONN_COLS "id, app_ref, node, since, last_ping, delivered, unacked, silenced, kick, seen_at"

static const char SQL_CONN_ADD[] =
    "INSERT INTO fs_ws_conn (" CONN_COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
static const char SQL_CONN_DELETE[] = "DELETE FROM fs_ws_conn WHERE id = $1";
static const char SQL_CONN_UPDATE[] =
    "UPDATE fs_ws_conn SET last_ping = $2, delivered = $3, unacked = $4, seen_at = $5 "
    "WHERE id = $1";
static const char SQL_CONN_LIST[] =
    "SELECT " CONN_COLS " FROM fs_ws_conn WHERE app_ref = $1 AND seen_at >= $2 "
    "ORDER BY since, id";
static const char SQL_CONN_OF_NODE[] =
    "SELECT " CONN_COLS " FROM fs_ws_conn WHERE node = $1 ORDER BY id";
static const char SQL_CONN_FLAG_ONE[] =
    "UPDATE fs_ws_conn SET kick = CASE WHEN $3 < 0 THEN kick ELSE $3 END, "
    "silenced = CASE WHEN $4 < 0 THEN silenced ELSE $4 END "
    "WHERE app_ref = $1 AND id = $2 RETURNING id";
static const char SQL_CONN_FLAG_ALL[] =
    "UPDATE fs_ws_conn SET kick = CASE WHEN $3 < 0 THEN kick ELSE $3 END, "
    "silenced = CASE WHEN $4 < 0 THEN silenced ELSE $4 END "
    "WHERE app_ref = $1 AND seen_at >= $2 RETURNING id";
static const char SQL_CONN_LAPSE[] = "DELETE FROM fs_ws_conn WHERE seen_at < $1";

enum err store_fs_ws_conn_add(struct store *s, const struct fs_ws_conn_row *c)
{
    return store_q(s, NULL, NULL, SQL_CONN_ADD, ARG_TEXT(c->id), ARG_INT(c->app), ARG_TEXT(c->node),
                   ARG_INT(c->since), ARG_INT(c->last_ping), ARG_INT(c->delivered),
                   ARG_INT(c->unacked), ARG_INT(c->silenced), ARG_INT(c->kick),
                   ARG_INT(c->seen_at));
}

enum err store_fs_ws_conn_delete(struct store *s, const char *id)
{
    return store_q(s, NULL, NULL, SQL_CONN_DELETE, ARG_TEXT(id));
}

enum err store_fs_ws_conn_update(struct store *s, const struct fs_ws_conn_row *c)
{
    return store_q(s, NULL, NULL, SQL_CONN_UPDATE, ARG_TEXT(c->id), ARG_INT(c->last_ping),
                   ARG_INT(c->delivered), ARG_INT(c->unacked), ARG_INT(c->seen_at));
}

static enum err conn_rows(enum err e, struct arena *a, const struct sql_res *r,
                          struct fs_ws_conn_row **rows, size_t *n)
{
    *n = 0;
    *rows = NULL;
    if (e != ERR_OK)
        return e;
    *rows = arena_alloc(a, (r->nrows + 1) * sizeof(**rows));
    for (size_t i = 0; i < r->nrows; i++) {
        struct fs_ws_conn_row *c = &(*rows)[i];

        c->id = sql_text(r, i, 0);
        c->app = sql_int(r, i, 1);
        c->node = sql_text(r, i, 2);
        c->since = sql_int(r, i, 3);
        c->last_ping = sql_int(r, i, 4);
        c->delivered = sql_int(r, i, 5);
        c->unacked = sql_int(r, i, 6);
        c->silenced = sql_int(r, i, 7) != 0;
        c->kick = sql_int(r, i, 8) != 0;
        c->seen_at = sql_int(r, i, 9);
    }
    *n = r->nrows;
    return ERR_OK;
}

enum err store_fs_ws_conn_list(struct store *s, struct arena *a, int64_t app, int64_t live_after,
                               struct fs_ws_conn_row **rows, size_t *n)
{
    struct sql_res r;

    return conn_rows(store_q(s, a, &r, SQL_CONN_LIST, ARG_INT(app), ARG_INT(live_after)), a, &r,
                     rows, n);
}

enum err store_fs_ws_conn_of_node(struct store *s, struct arena *a, const char *node,
                                  struct fs_ws_conn_row **rows, size_t *n)
{
    struct sql_res r;

    return conn_rows(store_q(s, a, &r, SQL_CONN_OF_NODE, ARG_TEXT(node)), a, &r, rows, n);
}

enum err store_fs_ws_conn_flag(struct store *s, int64_t app, const char *id, int64_t live_after,
                               int kick, int silenced, size_t *n)
{
    struct arena a;
    struct sql_res r;
    enum err e;

    arena_init(&a, 1024);
    if (id != NULL)
        e = store_q(s, &a, &r, SQL_CONN_FLAG_ONE, ARG_INT(app), ARG_TEXT(id), ARG_INT(kick),
                    ARG_INT(silenced));
    else
        e = store_q(s, &a, &r, SQL_CONN_FLAG_ALL, ARG_INT(app), ARG_INT(live_after), ARG_INT(kick),
                    ARG_INT(silenced));
    *n = e == ERR_OK ? r.nrows : 0;
    arena_release(&a);
    return e;
}

enum err store_fs_ws_conn_lapse(struct store *s, int64_t before)
{
    return store_q(s, NULL, NULL, SQL_CONN_LAPSE, ARG_INT(before));
}

static const char SQL_OPT_GET[] =
    "SELECT duplicate, delay_ms FROM fs_delivery_opt WHERE app_ref = $1";
static const char SQL_OPT_SET[] =
    "INSERT INTO fs_delivery_opt (app_ref, duplicate, delay_ms) VALUES ($1, $2, $3) "
    "ON CONFLICT (app_ref) DO UPDATE SET duplicate = excluded.duplicate, "
    "delay_ms = excluded.delay_ms";

enum err store_fs_delivery_opt_get(struct store *s, int64_t app, bool *duplicate, int64_t *delay_ms)
{
    struct arena a;
    struct sql_res r;
    enum err e;

    arena_init(&a, 256);
    e = sql_one(store_q(s, &a, &r, SQL_OPT_GET, ARG_INT(app)), &r);
    *duplicate = e == ERR_OK && sql_int(&r, 0, 0) != 0;
    *delay_ms = e == ERR_OK ? sql_int(&r, 0, 1) : 0;
    arena_release(&a);
    return e == ERR_NOT_FOUND ? ERR_OK : e;
}

enum err store_fs_delivery_opt_set(struct store *s, int64_t app, bool duplicate, int64_t delay_ms)
{
    return store_q(s, NULL, NULL, SQL_OPT_SET, ARG_INT(app), ARG_INT(duplicate), ARG_INT(delay_ms));
}

static const char SQL_DUE_APP[] =
    "SELECT 1 FROM outbox WHERE app_ref = $1 AND state = 'pending' AND next_at <= $2 "
    "AND lease_until <= $2 LIMIT 1";

enum err store_outbox_due_app(struct store *s, int64_t app, int64_t now, bool *due)
{
    struct arena a;
    struct sql_res r;
    enum err e;

    arena_init(&a, 256);
    e = store_q(s, &a, &r, SQL_DUE_APP, ARG_INT(app), ARG_INT(now));
    *due = e == ERR_OK && r.nrows > 0;
    arena_release(&a);
    return e;
}

/* As store_outbox_claim's statement (per-app commit order, one lease), for
 * one app in long-connection mode. */
static const char SQL_CLAIM_APP[] =
    "UPDATE outbox SET lease_until = $1 WHERE state = 'pending' AND lease_until <= $2 "
    "AND next_at <= $2 AND id IN (SELECT o.id FROM outbox o WHERE o.app_ref = $4 "
    "AND o.state = 'pending' AND o.next_at <= $2 AND o.lease_until <= $2 AND EXISTS (SELECT 1 "
    "FROM fs_subscription s WHERE s.app_ref = o.app_ref AND s.mode = 'long_connection') "
    "AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.app_ref = o.app_ref AND p.state = 'pending' "
    "AND p.id < o.id AND (p.attempts = 0 OR p.lease_until > $2)) ORDER BY o.id LIMIT $3) "
    "RETURNING " OUTBOX_COLS;

enum err store_outbox_claim_app(struct store *s, struct arena *a, int64_t app, int64_t now,
                                int64_t lease_until, int64_t limit, struct outbox_row **rows,
                                size_t *n)
{
    struct sql_res r;
    enum err e = store_q(s, a, &r, SQL_CLAIM_APP, ARG_INT(lease_until), ARG_INT(now),
                         ARG_INT(limit), ARG_INT(app));

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
