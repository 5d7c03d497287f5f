/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_ws.c - Feishu long connections as requests see them: the
 * bootstrap that checks an app's credentials and hands out a single-use
 * ticket, the handshake that redeems it under the per-app connection limit,
 * and the admin API's view and rehearsals (kick, silence, delivery
 * duplicates and delay). The connections themselves are events/ev_ws.c.
 */
#include "svc/svc.h"

#include "core/arena.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/seal.h"

#include <stdio.h>
#include <string.h>

/* "7441873153905737730": 19 decimal digits, the first non-zero. */
static void device_id(char out[20])
{
    uint64_t r;

    ids_random(&r, sizeof(r));
    snprintf(out, 20, "%llu", 1000000000000000000ULL + (unsigned long long)(r % 8000000000000000000ULL));
}

enum err svc_ws_bootstrap(struct svc_ctx *c, const char *app_id, const char *app_secret,
                          struct ws_grant *out)
{
    struct fs_app_row app;
    const char *secret = NULL;
    char *key;
    enum err e;

    if (app_id == NULL || app_id[0] == '\0' || app_secret == NULL || app_secret[0] == '\0')
        return err_set(c->ei, ERR_MISSING, SUBJ_SECRET, "AppID or AppSecret is empty");
    e = store_fs_app_by_app_id(c->st, c->a, app_id, &app);
    if (e == ERR_OK)
        e = store_fs_app_secret(c->st, c->a, &app, &secret);
    if (e == ERR_NOT_FOUND || (e == ERR_OK && !seal_str_eq(app_secret, secret)))
        return err_set(c->ei, ERR_UNAUTHENTICATED, SUBJ_SECRET,
                       "app_id or app_secret is invalid");
    if (e != ERR_OK)
        return e;
    out->app = app.id;
    device_id(out->device_id);
    ids_uuid(out->ticket);
    key = ids_hex(c->a, "", 16);
    snprintf(out->access_key, sizeof(out->access_key), "%s", key);
    return store_fs_ws_ticket_add(c->st, out->ticket, app.id, out->device_id, out->access_key,
                                  c->now + WS_TICKET_SECONDS);
}

enum err svc_ws_handshake(struct svc_ctx *c, const char *ticket, const char *dev,
                          const char *access_key, const char *node, int64_t limit,
                          int64_t *app)
{
    struct fs_ws_conn_row conn, *rows;
    const char *want_dev = NULL;
    int64_t expires = 0, wall = clock_wall_us() / 1000000;
    bool key_ok = false;
    size_t n = 0;
    enum err e;

    if (ticket == NULL || dev == NULL || access_key == NULL)
        return err_set(c->ei, ERR_UNAUTHENTICATED, SUBJ_TOKEN, "ticket missing");
    e = store_fs_ws_ticket_take(c->st, c->a, ticket, access_key, app, &want_dev, &key_ok,
                                &expires);
    if (e == ERR_NOT_FOUND || (e == ERR_OK && (strcmp(want_dev, dev) != 0 || !key_ok)))
        return err_set(c->ei, ERR_UNAUTHENTICATED, SUBJ_TOKEN, "invalid ticket");
    if (e == ERR_OK && expires < c->now)
        return err_set(c->ei, ERR_EXPIRED, SUBJ_TOKEN, "ticket expired");
    if (e == ERR_OK)
        e = store_fs_ws_conn_list(c->st, c->a, *app, wall - WS_LIVE_SECONDS, &rows, &n);
    if (e != ERR_OK)
        return e;
    if ((int64_t)n >= limit)
        return err_set(c->ei, ERR_LIMIT, SUBJ_NONE, "exceed conn limit");
    memset(&conn, 0, sizeof(conn));
    conn.id = dev;
    conn.app = *app;
    conn.node = node;
    conn.since = c->now;
    conn.seen_at = wall;
    return store_fs_ws_conn_add(c->st, &conn);
}

static enum err find_app(struct svc_ctx *c, const char *app_id, struct fs_app_row *app)
{
    enum err e = store_fs_app_by_app_id(c->st, c->a, app_id, app);

    if (e == ERR_NOT_FOUND)
        return err_set(c->ei, ERR_NOT_FOUND, SUBJ_BOT, "app '%s' not found", app_id);
    return e;
}

enum err svc_ws_conns(struct svc_ctx *c, const char *app_id, json_t **out)
{
    struct fs_ws_conn_row *rows;
    struct fs_app_row app;
    json_t *items;
    size_t n = 0;
    enum err e = find_app(c, app_id, &app);

    *out = NULL;
    if (e == ERR_OK)
        e = store_fs_ws_conn_list(c->st, c->a, app.id, clock_wall_us() / 1000000 - WS_LIVE_SECONDS,
                                  &rows, &n);
    if (e != ERR_OK)
        return e;
    items = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *it = json_pack("{s:s,s:I,s:I,s:I,s:I,s:s,s:b}", "id", rows[i].id, "since",
                               (json_int_t)rows[i].since, "last_ping",
                               (json_int_t)rows[i].last_ping, "delivered",
                               (json_int_t)rows[i].delivered, "unacked",
                               (json_int_t)rows[i].unacked, "node", rows[i].node, "silenced",
                               rows[i].silenced);

        json_array_append_new(items, it);
    }
    *out = json_pack("{s:o}", "items", items);
    return ERR_OK;
}

enum err svc_ws_flag(struct svc_ctx *c, const char *app_id, const char *conn_id, int kick,
                     int silenced, json_t **out)
{
    struct fs_app_row app;
    size_t n = 0;
    enum err e = find_app(c, app_id, &app);

    *out = NULL;
    if (e == ERR_OK)
        e = store_fs_ws_conn_flag(c->st, app.id, conn_id,
                                  clock_wall_us() / 1000000 - WS_LIVE_SECONDS, kick, silenced, &n);
    if (e != ERR_OK)
        return e;
    if (conn_id != NULL && n == 0)
        return err_set(c->ei, ERR_NOT_FOUND, SUBJ_NONE, "connection '%s' not found", conn_id);
    *out = json_pack("{s:I}", "connections", (json_int_t)n);
    return ERR_OK;
}

/* Sets the app's delivery rehearsals ('set'), or reads them, and answers them. */
static enum err delivery(struct svc_ctx *c, const char *app_id, bool set, bool duplicate,
                         int64_t delay_ms, json_t **out)
{
    struct fs_app_row app;
    enum err e = find_app(c, app_id, &app);

    *out = NULL;
    if (e == ERR_OK)
        e = set ? store_fs_delivery_opt_set(c->st, app.id, duplicate, delay_ms)
                : store_fs_delivery_opt_get(c->st, app.id, &duplicate, &delay_ms);
    if (e == ERR_OK)
        *out = json_pack("{s:s,s:b,s:I}", "app_id", app_id, "duplicate", duplicate, "delay_ms",
                         (json_int_t)delay_ms);
    return e;
}

enum err svc_ws_delivery_set(struct svc_ctx *c, const char *app_id, bool duplicate,
                             int64_t delay_ms, json_t **out)
{
    return delivery(c, app_id, true, duplicate, delay_ms, out);
}

enum err svc_ws_delivery_get(struct svc_ctx *c, const char *app_id, json_t **out)
{
    return delivery(c, app_id, false, false, 0, out);
}
