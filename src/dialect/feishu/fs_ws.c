/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_ws.c - the two HTTP ends of Feishu's long connections
 * (events-ws 2-3), each a dialect of one route because each has its own
 * envelope:
 *   POST /callback/ws/endpoint  the SDKs' bootstrap (no /open-apis prefix):
 *       HTTP 200, {"code","msg","data":{"URL","ClientConfig"}}, errors with
 *       "data":{} (what makes the fatal codes fatal in the Node SDK);
 *   GET /ws/v2?...&ticket=...   the WebSocket handshake the URL leads to:
 *       101, or a refusal with the Handshake-* headers the SDKs read.
 */
#include "dialect/feishu/fs.h"

#include "config/config.h"
#include "core/arena.h"
#include "core/str.h"
#include "events/ev_ws.h"

#include <string.h>

/* --- bootstrap ------------------------------------------------------------- */

static enum err ws_endpoint(struct req *rq, json_t *body, json_t *out)
{
    const struct config *cfg = rq->app->cfg;
    struct ws_grant g;
    const char *host = rq->http->host;
    char config[160];
    json_t *req = NULL;
    enum err e;

    (void)body;
    /* Unknown fields (ClientAssertion, ChannelTag) are ignored; a body that
     * is not an object carries no credentials. */
    if (json_parse_object(rq->http->body, rq->http->body_len, (size_t)cfg->json_max_values, &req,
                          &rq->err)
        != ERR_OK)
        return err_set(&rq->err, ERR_MISSING, SUBJ_SECRET, "AppID or AppSecret is empty");
    e = svc_ws_bootstrap(&rq->svc, json_string_value(json_object_get(req, "AppID")),
                         json_string_value(json_object_get(req, "AppSecret")), &g);
    json_decref(req);
    if (e != ERR_OK)
        return e;
    if (host == NULL || host[0] == '\0')
        host = cfg->listen;
    ev_ws_client_config(cfg, config, sizeof(config));
    /* device_id and service_id never first: Node parses the whole URL as a
     * query string (events-ws 2.4). */
    json_object_set_new(out, "URL",
                        json_string(arena_printf(rq->http->arena,
                                                 "ws://%s/ws/v2?fpid=493&aid=552564&device_id=%s"
                                                 "&access_key=%s&service_id=%s&ticket=%s",
                                                 host, g.device_id, g.access_key,
                                                 EV_WS_SERVICE_ID, g.ticket)));
    json_object_set_new(out, "ClientConfig", json_loads(config, 0, NULL));
    return ERR_OK;
}

static const struct dialect_error boot_errors[] = {
    { ERR_MISSING, SUBJ_NONE, 200, 1000040344, NULL },
    { ERR_UNAUTHENTICATED, SUBJ_NONE, 200, 1000040345, NULL },
    { ERR_LIMIT, SUBJ_NONE, 200, 1000040350, "exceed conn limit" },
    { ERR_NOT_FOUND, SUBJ_ROUTE, 404, 0, "404 page not found" },
    { ERR_METHOD, SUBJ_ROUTE, 405, 0, "method not allowed" },
};

static void boot_render(struct req *rq, enum err e, json_t *out)
{
    const struct dialect_error *row =
        dialect_error_lookup(boot_errors, sizeof(boot_errors) / sizeof(boot_errors[0]), e,
                             rq->err.subj);
    int code = e == ERR_OK ? 0 : row != NULL ? row->code : 1000040343; /* internal: retried */
    json_t *body;

    rq->http->log_code = code;
    rq->http->log_code_set = true;
    if (row != NULL && row->http != 200) {
        rq->http->status = row->http;
        rq->http->content_type = "text/plain; charset=utf-8";
        rq->http->resp_body = row->msg;
        rq->http->resp_len = strlen(row->msg);
        return;
    }
    body = json_object();
    json_object_set_new(body, "code", json_integer(code));
    json_object_set_new(body, "msg", json_string(e == ERR_OK ? "ok"
                                                 : row != NULL && row->msg ? row->msg
                                                 : rq->err.msg[0] ? rq->err.msg
                                                 : "internal error"));
    json_object_set_new(body, "data", e == ERR_OK ? json_incref(out) : json_object());
    dialect_send_json(rq, 200, body);
    json_decref(body);
}

static const struct route boot_routes[] = {
    { HTTP_POST, "/callback/ws/endpoint", R_PUBLIC | R_WRITE, NULL, ws_endpoint },
};

const struct dialect fs_ws_boot_dialect = {
    .name = "feishu-ws-bootstrap",
    .prefix = "/callback/ws/",
    .routes = boot_routes,
    .nroutes = sizeof(boot_routes) / sizeof(boot_routes[0]),
    .empty_body_is_object = true,
    .render = boot_render,
};

/* --- handshake -------------------------------------------------------------- */

static enum err ws_handshake(struct req *rq, json_t *body, json_t *out)
{
    const struct config *cfg = rq->app->cfg;

    (void)body;
    (void)out;
    if (!rq->http->ws_handshake)
        return err_set(&rq->err, ERR_BAD_REQUEST, SUBJ_NONE, "not a WebSocket handshake");
    return svc_ws_handshake(&rq->svc, dialect_query(rq, "ticket"),
                            dialect_query(rq, "device_id"), dialect_query(rq, "access_key"),
                            ev_ws_node(rq->app->ws), cfg->ws_max_connections, &rq->app_ref);
}

/* Handshake-Status / Handshake-Autherrcode as the SDKs interpret them
 * (events-ws 3.3): 514 + 1000040350 is fatal (limit), 514 + anything else
 * is a retry with a new bootstrap. */
static const struct dialect_error hs_errors[] = {
    { ERR_UNAUTHENTICATED, SUBJ_NONE, 401, 514, NULL },
    { ERR_EXPIRED, SUBJ_NONE, 401, 514, NULL },
    { ERR_LIMIT, SUBJ_NONE, 403, 514, NULL },
    { ERR_FORBIDDEN, SUBJ_NONE, 403, 403, NULL },
    { ERR_BAD_REQUEST, SUBJ_NONE, 400, 0, NULL },
    { ERR_NOT_FOUND, SUBJ_ROUTE, 404, 0, NULL },
    { ERR_METHOD, SUBJ_ROUTE, 405, 0, NULL },
};

static void hs_render(struct req *rq, enum err e, json_t *out)
{
    struct http_req *r = rq->http;
    const struct dialect_error *row;
    /* In the arena: the request's detail dies with the pipeline's frame,
     * before the body is sent (and inspected). */
    const char *msg = arena_strdup(r->arena, rq->err.msg[0] ? rq->err.msg : err_name(e));

    (void)out;
    if (e == ERR_OK) {
        rq->http->log_code = 101;
        rq->http->log_code_set = true;
        ev_ws_accept(rq->app->ws, r, rq->app_ref, dialect_query(rq, "device_id"));
        return;
    }
    row = dialect_error_lookup(hs_errors, sizeof(hs_errors) / sizeof(hs_errors[0]), e,
                               rq->err.subj);
    r->status = row != NULL ? row->http : 503;
    r->log_code = row != NULL ? row->code : 0;
    r->log_code_set = true;
    if (row != NULL && row->code != 0) {
        http_add_header(r, "handshake-status", arena_printf(r->arena, "%d", row->code));
        http_add_header(r, "handshake-msg", msg);
        if (row->code == 514)
            http_add_header(r, "handshake-autherrcode",
                            e == ERR_LIMIT ? "1000040350" : "1000040345");
    }
    r->content_type = "text/plain; charset=utf-8";
    r->resp_body = msg;
    r->resp_len = strlen(msg);
}

static const struct route hs_routes[] = {
    { HTTP_GET, "/ws/v2", R_PUBLIC | R_WRITE | R_INLINE, NULL, ws_handshake },
};

const struct dialect fs_ws_conn_dialect = {
    .name = "feishu-ws",
    .prefix = "/ws/v2",
    .routes = hs_routes,
    .nroutes = sizeof(hs_routes) / sizeof(hs_routes[0]),
    .render = hs_render,
};
