/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_events.c - the event outbox as the admin API shows it: each
 * event with its delivery state and attempt log, and redelivery on request.
 * Writing events is svc_chat.c; delivering them is events/.
 */
#include "svc/svc.h"

#include "core/arena.h"

static json_t *event_json(struct svc_ctx *c, const struct outbox_row *o)
{
    struct fs_app_row app;
    json_t *item;

    if (store_fs_app_get(c->st, c->a, o->app, &app) != ERR_OK)
        app.app_id = "";
    item = json_pack("{s:I,s:s,s:s,s:s,s:I,s:s,s:I}", "seq", (json_int_t)o->id, "event_id",
                     o->event_id, "event_type", o->event_type, "app_id", app.app_id, "created_at",
                     (json_int_t)o->created_at, "state", o->state, "attempts",
                     (json_int_t)o->attempts);
    if (o->delivered_at != 0)
        json_object_set_new(item, "delivered_at", json_integer(o->delivered_at));
    if (o->attempts > 0 && o->state[0] == 'p') /* pending a retry */
        json_object_set_new(item, "next_attempt_at", json_integer(o->next_at));
    json_object_set_new(item, "body", json_loads(o->body, 0, NULL));
    return item;
}

enum err svc_events_list(struct svc_ctx *c, int64_t tenant, int64_t after, int64_t limit,
                         json_t **out)
{
    struct outbox_row *rows;
    json_t *items;
    size_t n;
    enum err e = store_outbox_list(c->st, c->a, tenant, after, limit + 1, &rows, &n);

    *out = NULL;
    if (e != ERR_OK)
        return e;
    items = json_array();
    for (size_t i = 0; i < n && (int64_t)i < limit; i++)
        json_array_append_new(items, event_json(c, &rows[i]));
    *out = json_pack("{s:o}", "items", items);
    if ((int64_t)n > limit)
        json_object_set_new(*out, "next", json_integer(rows[limit - 1].id));
    return ERR_OK;
}

enum err svc_event_get(struct svc_ctx *c, const char *event_id, json_t **out)
{
    struct outbox_attempt_row *at;
    struct outbox_row o;
    json_t *list;
    size_t n;
    enum err e = store_outbox_by_event_id(c->st, c->a, event_id, &o);

    *out = NULL;
    if (e == ERR_NOT_FOUND)
        return err_set(c->ei, ERR_NOT_FOUND, SUBJ_NONE, "event '%s' not found", event_id);
    if (e == ERR_OK)
        e = store_outbox_attempts(c->st, c->a, o.id, &at, &n);
    if (e != ERR_OK)
        return e;
    list = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *d = json_pack("{s:I,s:I,s:I,s:I,s:s,s:s}", "attempt", (json_int_t)at[i].attempt,
                              "at", (json_int_t)at[i].at, "http_status",
                              (json_int_t)at[i].http_status, "latency_us",
                              (json_int_t)at[i].latency_us, "error", at[i].error, "response",
                              at[i].response);

        if (at[i].connection[0] != '\0') /* a long connection's attempt */
            json_object_set_new(d, "connection", json_string(at[i].connection));
        json_array_append_new(list, d);
    }
    *out = event_json(c, &o);
    json_object_set_new(*out, "deliveries", list);
    return ERR_OK;
}

enum err svc_event_redeliver(struct svc_ctx *c, const char *event_id)
{
    struct outbox_row o;
    enum err e = store_outbox_by_event_id(c->st, c->a, event_id, &o);

    if (e == ERR_NOT_FOUND)
        return err_set(c->ei, ERR_NOT_FOUND, SUBJ_NONE, "event '%s' not found", event_id);
    return e == ERR_OK ? store_outbox_requeue(c->st, o.id, c->now) : e;
}

enum err svc_outbox_states(struct store *st, struct outbox_states *out)
{
    return store_outbox_states(st, out);
}
