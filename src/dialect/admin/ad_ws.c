/* SPDX-License-Identifier: MIT */
/*
 * dialect/admin/ad_ws.c - the admin API over Feishu long connections
 * (docs/admin-api.md): the open connections of an app, and the failures a
 * bot's developer rehearses with them: a kick (the connection closes), a
 * silence (the half-open socket: nothing read, nothing sent, until resumed),
 * and the app's delivery rehearsals (every event twice, or late), set and read.
 */
#include "dialect/admin/ad.h"

static enum err flag(struct req *rq, const char *conn, int kick, int silenced, json_t *out)
{
    json_t *res;
    enum err e = svc_ws_flag(&rq->svc, rq->params[0], conn, kick, silenced, &res);

    if (e == ERR_OK)
        json_object_update_new(out, res);
    return e;
}

/* A read of the app named by the path's first parameter. */
static enum err app_read(struct req *rq,
                         enum err (*read)(struct svc_ctx *, const char *, json_t **), json_t *out)
{
    json_t *res;
    enum err e = read(&rq->svc, rq->params[0], &res);

    if (e == ERR_OK)
        json_object_update_new(out, res);
    return e;
}

enum err ad_ws_conns(struct req *rq, json_t *body, json_t *out)
{
    (void)body;
    return app_read(rq, svc_ws_conns, out);
}

enum err ad_ws_kick_all(struct req *rq, json_t *body, json_t *out)
{
    (void)body;
    return flag(rq, NULL, 1, -1, out);
}

enum err ad_ws_kick(struct req *rq, json_t *body, json_t *out)
{
    (void)body;
    return flag(rq, rq->params[1], 1, -1, out);
}

enum err ad_ws_silence(struct req *rq, json_t *body, json_t *out)
{
    (void)body;
    return flag(rq, rq->params[1], -1, 1, out);
}

enum err ad_ws_resume(struct req *rq, json_t *body, json_t *out)
{
    (void)body;
    return flag(rq, rq->params[1], -1, 0, out);
}

enum err ad_ws_delivery(struct req *rq, json_t *body, json_t *out)
{
    json_t *res;
    int64_t delay = 0;
    enum err e;

    json_int(body, "delay_ms", &delay);
    e = svc_ws_delivery_set(&rq->svc, rq->params[0],
                            json_is_true(json_object_get(body, "duplicate")), delay, &res);
    if (e == ERR_OK)
        json_object_update_new(out, res);
    return e;
}

enum err ad_ws_delivery_get(struct req *rq, json_t *body, json_t *out)
{
    (void)body;
    return app_read(rq, svc_ws_delivery_get, out);
}

const struct field_rule ad_ws_delivery_rules[] = {
    { "duplicate", JT_BOOL },
    { "delay_ms", JT_INT, F_RANGE, 0, 0, 60000 },
    { NULL },
};
