/* SPDX-License-Identifier: MIT */
/*
 * events/ev_ws.c - the node's long connections (events-ws 5-7). One thread,
 * the WebSocket loop of http_ws.h, holds every connection of this node and
 * its own database connection. Each tick it:
 *   - reads the flags the admin API set on its connections (kick, silence);
 *   - leases the due outbox records of every app it holds a connection of
 *     (store_outbox_claim_app: the lease keeps a record to one node) and
 *     pushes each to one of the app's connections, picked at random;
 *   - fails the pushes not acked within 3 s (and those of a connection
 *     that closed): the record goes back on the webhook retry schedule
 *     (Feishu's "Event subscription overview") and the next attempt picks
 *     whatever connection is open then;
 *   - refreshes its connections' rows (the admin list) once a second.
 * Pings are answered with a pong carrying ClientConfig; acks settle the
 * attempt, logged with the connection it went to.
 */
#include "events/ev_ws.h"
#include "events/ev.h"

#include "config/config.h"
#include "core/arena.h"
#include "core/ids.h"
#include "core/log.h"
#include "http/http_ws.h"
#include "json/json.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TICK_MS 50
#define IDLE_EVERY_US 200000
#define ROWS_EVERY_US 1000000
#define LAPSE_SECONDS 60
#define CLAIM_BATCH 16
#define MAX_MSG (1u << 20) /* a client frame (an ack) is small */

struct wconn;

/* One push of an outbox record: waiting for its delay, or for its ack. */
struct push {
    struct push *next;
    struct wconn *conn; /* NULL once the connection is gone */
    char conn_id[20];
    struct outbox_row row; /* strings owned by the push */
    char message_id[37];
    int64_t due_us;  /* when to send (a rehearsed delay) */
    int64_t sent_us; /* 0 until sent */
    bool copy;       /* the second of a rehearsed duplicate: never settles */
};

struct wconn {
    struct wconn *next;
    struct http_ws_conn *c;
    char id[20];
    int64_t app;
    int32_t service;
    int64_t since, last_ping, delivered, unacked;
    int64_t last_in_us;
    uint64_t seq_id;
    bool silenced, closing;
};

/* What a handshake hands to the loop. */
struct opening {
    int64_t app;
    char id[20];
};

struct ev_ws {
    const struct config *cfg;
    const struct qclock *clock;
    struct store *st;
    struct arena arena;
    struct http_ws_loop *loop;
    char node[40];
    struct wconn *conns;
    struct push *pushes;
    int64_t idle_us, rows_us;
};

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = xcalloc(1, n);

    memcpy(d, s, n);
    return d;
}

static void push_free(struct push *p)
{
    free((char *)p->row.event_type);
    free((char *)p->row.event_id);
    free((char *)p->row.body);
    free(p);
}

/* --- settling ---------------------------------------------------------------- */

/* Writes the attempt, with the connection it went to, and the record's
 * next state (ev_settle). */
static void settle(struct ev_ws *w, struct push *p, int64_t status, const char *error,
                   const char *response)
{
    struct outbox_attempt_row at = { .at = clock_now(w->clock), .http_status = status };
    struct outbox_row o;

    at.latency_us = p->sent_us ? clock_mono_us() - p->sent_us : 0;
    at.error = error;
    at.response = response;
    at.connection = p->conn_id;
    if (ev_settle(w->st, &p->row, &at, status == 200, &o) == ERR_OK)
        log_info("event %s %s to app %lld over connection %s: attempt %lld, %s", o.event_id,
                 o.event_type, (long long)o.app, p->conn_id, (long long)o.attempts, o.state);
}

/* Unlinks 'p' from the list and settles it unless it is a copy. */
static void finish(struct ev_ws *w, struct push *p, int64_t status, const char *error,
                   const char *response)
{
    for (struct push **pp = &w->pushes; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == p) {
            *pp = p->next;
            break;
        }
    }
    if (!p->copy)
        settle(w, p, status, error, response);
    if (p->conn != NULL && status != 200 && !p->copy)
        p->conn->unacked++;
    push_free(p);
}

/* --- sending ----------------------------------------------------------------- */

/* Sends the record on its connection: the body with the app's
 * verification token, plaintext (events-ws 6.1), in chunks of at most
 * ws_chunk_bytes. */
static bool send_push(struct ev_ws *w, struct push *p)
{
    struct fs_subscription_row sub;
    struct ev_request req;
    struct wconn *c = p->conn;
    size_t chunk = (size_t)w->cfg->ws_chunk_bytes, off = 0;
    char trace[33];
    int sum, seq = 0;
    int64_t ts = clock_now(w->clock) * 1000 + (clock_wall_us() / 1000) % 1000;

    if (store_fs_subscription_get(w->st, &w->arena, p->row.app, &sub) != ERR_OK
        || ev_request_build(&w->arena, p->row.body, sub.verification_token, "", 0, &req) != ERR_OK)
        return false;
    snprintf(trace, sizeof(trace), "%s", ids_hex(&w->arena, "", 16));
    sum = (int)((req.body_len + chunk - 1) / chunk);
    if (sum == 0)
        sum = 1;
    for (; seq < sum; seq++, off += chunk) {
        struct ev_chunk ch = {
            .seq_id = ++c->seq_id, .service = c->service, .message_id = p->message_id,
            .trace_id = trace, .sum = sum, .seq = seq, .timestamp_ms = ts,
            .payload = req.body + off,
            .payload_len = req.body_len - off < chunk ? req.body_len - off : chunk,
        };
        size_t len;
        uint8_t *frame = ev_frame_event(&ch, &len);

        http_ws_send(c->c, frame, len);
        free(frame);
    }
    p->sent_us = clock_mono_us();
    return true;
}

static struct push *push_new(struct wconn *c, const struct outbox_row *row, int64_t due_us,
                             bool copy)
{
    struct push *p = xcalloc(1, sizeof(*p));

    p->conn = c;
    memcpy(p->conn_id, c->id, sizeof(p->conn_id));
    p->row = *row;
    p->row.event_type = dup_str(row->event_type);
    p->row.event_id = dup_str(row->event_id);
    p->row.body = dup_str(row->body);
    p->row.state = "pending";
    p->due_us = due_us;
    p->copy = copy;
    ids_uuid(p->message_id);
    return p;
}

/* A connection of 'app', picked uniformly at random (events-ws 7.1). */
static struct wconn *pick(struct ev_ws *w, int64_t app)
{
    struct wconn *chosen = NULL;
    uint32_t n = 0, r;

    for (struct wconn *c = w->conns; c != NULL; c = c->next) {
        if (c->app != app || c->closing)
            continue;
        n++;
        ids_random(&r, sizeof(r));
        if (r % n == 0) /* reservoir sampling: each kept with 1/n */
            chosen = c;
    }
    return chosen;
}

/* Leases the due records of every app held here and pushes them. */
static void claim(struct ev_ws *w)
{
    int64_t now = clock_now(w->clock), done[64];
    size_t ndone = 0;

    for (struct wconn *c = w->conns; c != NULL && ndone < 64; c = c->next) {
        struct outbox_row *rows;
        bool duplicate = false, seen = false, due = false;
        int64_t delay_ms = 0;
        size_t n = 0;

        for (size_t i = 0; i < ndone; i++)
            seen = seen || done[i] == c->app;
        if (seen || c->closing)
            continue;
        done[ndone++] = c->app;
        arena_reset(&w->arena);
        if (store_outbox_due_app(w->st, c->app, now, &due) != ERR_OK || !due)
            continue;
        if (store_begin(w->st, true) != ERR_OK)
            return;
        if (store_fs_delivery_opt_get(w->st, c->app, &duplicate, &delay_ms) != ERR_OK
            || store_outbox_claim_app(w->st, &w->arena, c->app, now,
                                      now + 10 + (delay_ms + EV_WS_ACK_MS) / 1000, CLAIM_BATCH,
                                      &rows, &n)
                   != ERR_OK
            || store_commit(w->st) != ERR_OK) {
            store_rollback(w->st);
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            struct wconn *to = pick(w, c->app);
            int64_t due_us = clock_mono_us() + delay_ms * 1000;
            struct push *p = push_new(to, &rows[i], due_us, false);

            p->next = w->pushes;
            w->pushes = p;
            if (duplicate) {
                struct push *d = push_new(to, &rows[i], due_us, true);

                d->next = w->pushes;
                w->pushes = d;
            }
        }
    }
}

/* Sends what is due; fails what was not acked in time. */
static void run_pushes(struct ev_ws *w)
{
    int64_t now = clock_mono_us();
    struct push *p = w->pushes, *next;

    for (; p != NULL; p = next) {
        next = p->next;
        if (p->conn == NULL) {
            finish(w, p, 0, "connection closed", "");
        } else if (p->sent_us == 0 && now >= p->due_us) {
            arena_reset(&w->arena);
            if (!send_push(w, p))
                finish(w, p, 0, "cannot build the event", "");
        } else if (p->sent_us != 0 && now - p->sent_us > EV_WS_ACK_MS * 1000) {
            finish(w, p, 0, "no ack within 3 s", "");
        }
    }
}

/* --- connections ------------------------------------------------------------- */

static struct wconn *find_conn(struct ev_ws *w, const char *id)
{
    for (struct wconn *c = w->conns; c != NULL; c = c->next)
        if (strcmp(c->id, id) == 0)
            return c;
    return NULL;
}

/* Applies the admin API's flags: kick closes, silence stops reading and
 * writing (a half-open socket as the client sees it), resume ends it. */
static void read_flags(struct ev_ws *w)
{
    struct fs_ws_conn_row *rows;
    size_t n = 0;

    arena_reset(&w->arena);
    if (store_fs_ws_conn_of_node(w->st, &w->arena, w->node, &rows, &n) != ERR_OK)
        return;
    for (size_t i = 0; i < n; i++) {
        struct wconn *c = find_conn(w, rows[i].id);

        if (c == NULL || c->closing)
            continue;
        if (rows[i].kick) {
            log_info("long connection %s: kicked", c->id);
            c->closing = true;
            http_ws_close(c->c, 1000);
        } else if (rows[i].silenced != c->silenced) {
            log_info("long connection %s: %s", c->id, rows[i].silenced ? "silenced" : "resumed");
            c->silenced = rows[i].silenced;
            c->last_in_us = clock_mono_us();
            http_ws_pause(c->c, c->silenced);
        }
    }
}

/* Refreshes this node's rows and forgets those of nodes gone quiet. */
static void write_rows(struct ev_ws *w)
{
    int64_t wall = clock_wall_us() / 1000000;

    if (store_begin(w->st, true) != ERR_OK)
        return;
    for (struct wconn *c = w->conns; c != NULL; c = c->next) {
        struct fs_ws_conn_row r = { .id = c->id, .last_ping = c->last_ping,
                                    .delivered = c->delivered, .unacked = c->unacked,
                                    .seen_at = wall };

        store_fs_ws_conn_update(w->st, &r);
    }
    store_fs_ws_conn_lapse(w->st, wall - LAPSE_SECONDS);
    if (store_commit(w->st) != ERR_OK)
        store_rollback(w->st);
}

/* Closes connections silent for 3 x PingInterval + 10 s (events-ws 5). */
static void idle_check(struct ev_ws *w)
{
    int64_t limit_us = (3 * w->cfg->ws_ping_interval + 10) * 1000000, now = clock_mono_us();

    for (struct wconn *c = w->conns; c != NULL; c = c->next) {
        if (!c->closing && !c->silenced && now - c->last_in_us > limit_us) {
            log_info("long connection %s: idle, closed", c->id);
            c->closing = true;
            http_ws_close(c->c, 1000);
        }
    }
}

static void on_tick(void *ud)
{
    struct ev_ws *w = ud;
    int64_t now = clock_mono_us();

    /* Flags before the claim of the same tick: an event written after a
     * silence was committed finds the connection silenced. */
    if (w->conns != NULL)
        read_flags(w);
    if (now - w->idle_us >= IDLE_EVERY_US) {
        w->idle_us = now;
        idle_check(w);
    }
    if (now - w->rows_us >= ROWS_EVERY_US) {
        w->rows_us = now;
        write_rows(w);
    }
    if (w->conns != NULL)
        claim(w);
    run_pushes(w);
}

static void on_open(void *ud, struct http_ws_conn *hc, void *arg)
{
    struct ev_ws *w = ud;
    struct opening *o = arg;
    struct wconn *c;

    if (hc == NULL) { /* the client left during the upgrade */
        if (store_begin(w->st, true) == ERR_OK
            && (store_fs_ws_conn_delete(w->st, o->id) != ERR_OK || store_commit(w->st) != ERR_OK))
            store_rollback(w->st);
        free(o);
        return;
    }
    c = xcalloc(1, sizeof(*c));
    c->c = hc;
    c->app = o->app;
    memcpy(c->id, o->id, sizeof(c->id));
    c->service = (int32_t)strtol(EV_WS_SERVICE_ID, NULL, 10);
    c->since = clock_now(w->clock);
    c->last_in_us = clock_mono_us();
    c->next = w->conns;
    w->conns = c;
    http_ws_set_user(hc, c);
    free(o);
    log_info("long connection %s of app %lld open", c->id, (long long)c->app);
}

/* An ack: the pushed frame echoed with a {"code": N} payload (events-ws
 * 6.4-6.5), matched by (connection, message_id). */
static void on_ack(struct ev_ws *w, struct wconn *c, const struct ev_frame *f)
{
    json_t *body;
    json_int_t code = 0;
    char resp[257];

    if (f->message_id == NULL)
        return;
    for (struct push *p = w->pushes; p != NULL; p = p->next) {
        if (p->conn != c || p->sent_us == 0 || strcmp(p->message_id, f->message_id) != 0)
            continue;
        body = json_loadb((const char *)f->payload, f->payload_len, 0, NULL);
        code = json_integer_value(json_object_get(body, "code"));
        json_decref(body);
        snprintf(resp, sizeof(resp), "%.*s", (int)(f->payload_len < 256 ? f->payload_len : 256),
                 (const char *)f->payload);
        if (code == 200 && !p->copy)
            c->delivered++;
        finish(w, p, code == 200 ? 200 : code, code == 200 ? "" : "ack code other than 200",
               resp);
        return;
    }
}

static void on_message(void *ud, struct http_ws_conn *hc, const uint8_t *data, size_t len,
                       bool binary)
{
    struct ev_ws *w = ud;
    struct wconn *c = http_ws_user(hc);
    struct ev_frame f;

    if (c == NULL || !binary || !ev_frame_parse(data, len, &f))
        return; /* every frame is one binary pbbp2 Frame (events-ws 3.4) */
    c->last_in_us = clock_mono_us();
    if (f.method == 0 && f.type != NULL && strcmp(f.type, "ping") == 0) {
        char config[160];
        size_t n;
        uint8_t *pong;

        ev_ws_client_config(w->cfg, config, sizeof(config));
        pong = ev_frame_pong(f.service, config, &n);
        http_ws_send(hc, pong, n);
        free(pong);
        c->last_ping = clock_now(w->clock);
    } else if (f.method == 1) {
        on_ack(w, c, &f);
    }
    ev_frame_free(&f);
}

static void on_closed(void *ud, struct http_ws_conn *hc)
{
    struct ev_ws *w = ud;
    struct wconn *c = http_ws_user(hc);

    if (c == NULL)
        return;
    for (struct wconn **pc = &w->conns; *pc != NULL; pc = &(*pc)->next) {
        if (*pc == c) {
            *pc = c->next;
            break;
        }
    }
    /* Its pushes fail on the next tick; unsent ones go to another connection. */
    for (struct push *p = w->pushes; p != NULL; p = p->next) {
        if (p->conn != c)
            continue;
        if (p->sent_us == 0 && (p->conn = pick(w, c->app)) != NULL)
            memcpy(p->conn_id, p->conn->id, sizeof(p->conn_id));
        else
            p->conn = NULL;
    }
    if (store_begin(w->st, true) == ERR_OK
        && (store_fs_ws_conn_delete(w->st, c->id) != ERR_OK || store_commit(w->st) != ERR_OK))
        store_rollback(w->st);
    log_info("long connection %s of app %lld closed", c->id, (long long)c->app);
    free(c);
}

static const struct http_ws_ops ws_ops = {
    .open = on_open,
    .message = on_message,
    .closed = on_closed,
    .tick = on_tick,
};

/* --- lifecycle ---------------------------------------------------------------- */

struct ev_ws *ev_ws_start(const struct config *cfg, const struct qclock *clock,
                          struct store_group *group)
{
    struct ev_ws *w = xcalloc(1, sizeof(*w));
    struct arena a;

    w->cfg = cfg;
    w->clock = clock;
    w->st = store_fault_wrap(store_open(cfg), cfg);
    if (w->st == NULL) {
        free(w);
        return NULL;
    }
    /* It may wait for a batch (milliseconds): an ack's outcome must not be
     * lost to a busy group. */
    store_group_attach(w->st, group, true);
    arena_init(&w->arena, 65536);
    arena_init(&a, 128);
    snprintf(w->node, sizeof(w->node), "%s", ids_hex(&a, "node-", 6));
    arena_release(&a);
    w->loop = http_ws_loop_start(&ws_ops, w, TICK_MS, MAX_MSG);
    if (w->loop == NULL) {
        store_close(w->st);
        arena_release(&w->arena);
        free(w);
        return NULL;
    }
    return w;
}

void ev_ws_stop(struct ev_ws *w)
{
    if (w == NULL)
        return;
    http_ws_loop_stop(w->loop); /* closes every connection: their pushes fail */
    while (w->pushes != NULL)
        finish(w, w->pushes, 0, "server stopping", "");
    store_close(w->st);
    arena_release(&w->arena);
    free(w);
}

const char *ev_ws_node(const struct ev_ws *w)
{
    return w->node;
}

void ev_ws_accept(struct ev_ws *w, struct http_req *r, int64_t app, const char *conn_id)
{
    struct opening *o = xcalloc(1, sizeof(*o));

    o->app = app;
    snprintf(o->id, sizeof(o->id), "%s", conn_id);
    http_ws_accept(r, w->loop, o);
}
