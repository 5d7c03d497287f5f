/* SPDX-License-Identifier: MIT */
/*
 * dialect/dialect.h - what every dialect is made of: a URL prefix, a table of
 * routes (method, path pattern, flags, field rules, handler), an
 * authentication step, its rate-limit class, an optional step that keeps
 * what must outlast a failed request, and a renderer that spells results in
 * the dialect's own envelope from its error tables (struct dialect_error).
 * dialect.c runs the shared request pipeline (route, transaction, auth, rate
 * limit, body and field rules, handler, commit, render); dialect/<name>/
 * holds each dialect's tables and handlers. A handler translates and calls
 * svc (svc/svc.h) and never store_ directly; only the pipeline's own
 * infrastructure (transactions, the ready probe, the group-commit job API
 * and its statistics) is called from dialect/ directly.
 */
#ifndef QZ_DIALECT_H
#define QZ_DIALECT_H

#include <jansson.h>
#include <stdbool.h>

#include "core/clock.h"
#include "core/rate.h"
#include "core/err.h"
#include "http/http.h"
#include "json/json.h"
#include "svc/svc.h"

struct config;
struct dialect;
struct ev_ws;

/* Process-wide state, shared read-only by the workers (the clock's offset is
 * atomic). */
/* Which budget a dialect's rate limits count against (set from config). */
enum rate_class { RATE_NONE = 0, RATE_FEISHU, RATE_WECOM, RATE_UDESK, RATE__COUNT };

/* The admin token's digest as ad_auth compares it. */
void admin_token_digest(const char *token, unsigned char out[32]);

struct req;
struct app {
    const struct config *cfg;
    const struct dialect *const *dialects; /* NULL-terminated */
    struct qclock clock;
    unsigned char admin_digest[32]; /* SHA-256 of the admin token: all that is kept */
    struct rate_limiter *limiter; /* NULL: rate limits off */
    struct rate_rule rates[RATE__COUNT][RATE_MAX_RULES];
    /* SQLite group commit: write requests run on its thread (NULL: in the
     * worker, one commit each). */
    struct store_group *group;
    struct token_cache *tokens; /* token checks (svc_tcache.c); NULL: off */
    struct access_cache *access; /* apps' access rows (svc_acache.c) */
    struct grant_cache *grants;  /* tokens handed out again (svc_gcache.c) */
    struct udesk_cache *udesk;   /* Udesk companies (svc_ucache.c) */
    struct metrics *metrics;    /* GET /metrics (core/metrics.c) */
    struct svc_inspector *inspector; /* GET /admin/v1/requests; NULL: off */
    struct svc_faults *faults;  /* fault rules (svc_fault.c) */
    struct answer_cache *answers; /* rendered read answers (R_CACHE); NULL: off */
    /* How chat events are spelled (Feishu's; svc writes them). */
    const struct chat_event_format *chat_events;
    /* What a person says through the admin API, spelled as Feishu's API
     * answers it (fs_msg_sim.c; main.c wires it). */
    const struct sim_talk *fs_talk;
    struct ev_ws *ws; /* the node's long connections (events/ev_ws.h) */
    int access_json_fd; /* access_log_json's file; -1: off */
    struct dialect_runner *runner; /* R_DETACH calls; NULL: on their worker */
    /* A chat's timeline for the web console, as Feishu's API spells its
     * messages (fs_console.c; main.c wires it). */
    enum err (*fs_timeline)(struct req *rq, json_t *body, json_t *out);
};

/* Simulated person actions whose answers are a dialect's shapes. */
struct req;
struct sim_talk {
    enum err (*say)(struct req *rq, json_t *body, json_t *out);
    enum err (*recall)(struct req *rq, json_t *body, json_t *out);
    enum err (*react)(struct req *rq, json_t *body, json_t *out);
    enum err (*unreact)(struct req *rq, json_t *body, json_t *out);
    enum err (*read)(struct req *rq, json_t *body, json_t *out);
};

/* One worker thread's state: its database connection. */
struct worker_state {
    struct app *app;
    struct store *st;
    int64_t clock_read_us; /* when this worker last read the stored clock offset */
};

/* Reads the stored clock offset into app->clock (outside any transaction). */
enum err app_clock_load(struct app *app, struct store *st);

struct route;

/* A request as dialects see it. */
struct req {
    struct http_req *http;
    struct app *app;
    const struct route *route;
    struct svc_ctx svc; /* store, arena, clock reading, tenant after auth */
    struct err_info err;
    /* The query parameters the route's rules name, checked, with their
     * defaults (NULL for routes without query rules). */
    json_t *query;
    const char *params[HTTP_MAX_PARAMS]; /* ":name" path segments, in order */
    int nparams;
    int64_t principal; /* what the credential was issued to, after auth */
    struct actor actor; /* who acts, after auth: a person or an app's bot */
    int64_t app_ref;    /* the Feishu app the credential belongs to, or 0 */
    /* Feishu's tenant_key, read once per request (fs_tenant_key): events
     * and lists quote it for every item. */
    int64_t tkey_tenant;
    const char *tkey;
    int64_t rate_limit; /* after ERR_RATE_LIMITED: the window's max ... */
    int64_t rate_reset; /* ... and the seconds until it resets */
    /* Authentication only checks: it records nothing (Udesk's nonce), for
     * the write is yet to be queued for the group, which runs it again. */
    bool preauth;
    /* What that check verified, for the group's run of the same request
     * (Udesk: the API token the signature matched); NULL: nothing. */
    const char *auth_memo;
    bool would_wait; /* store_begin found the group busy; nothing ran */
    struct fault_answer fault; /* after ERR_FAULT: what the rule answers */
    /* R_CACHE: the answer came from the node's cache (kept_hit), or the key
     * and data version it is to be kept under once rendered (keep_key). */
    bool kept_hit;
    const char *keep_key;
    size_t keep_klen;
    int64_t keep_version;
};

/* A handler translates between the dialect's shape and one svc call. Auth,
 * the transaction and query and body validation have already run; 'body' is NULL for
 * routes without R_JSON. It fills 'out' and returns ERR_OK, or an error. */
typedef enum err (*route_fn)(struct req *rq, json_t *body, json_t *out);

enum route_flags {
    R_WRITE = 1 << 0,  /* opens a write transaction */
    R_JSON = 1 << 1,   /* the body is a JSON object checked against 'rules' */
    R_PUBLIC = 1 << 2, /* no authentication (token endpoints, health) */
    R_NO_TX = 1 << 3,  /* touches no database */
    /* A write that seldom writes (a token handed out again while valid):
     * under group commit it runs on its worker, taking the group's
     * connection in turn, instead of waiting for a batch's fsync. */
    R_INLINE = 1 << 4,
    /* Takes an upload: the body may reach upload_body_limit, not body_limit. */
    R_UPLOAD = 1 << 5,
    /* An operator's call that may take long (R_NO_TX too): it runs on the
     * operator runner's thread, so its worker's other connections are not
     * held up (dialect_runner.c). */
    R_DETACH = 1 << 6,
    /* A read whose answer depends only on stored data and the request (the
     * caller as authenticated, its credential, path, query and body; never
     * on the clock or on a limit its handler counts): the node keeps the
     * rendered answer (svc_answers.c) and serves it again while no commit
     * has changed data since. */
    R_CACHE = 1 << 7,
    /* An R_INLINE write that mostly only reads (a token handed out again):
     * it runs in a read transaction first, and again as the write only
     * when its svc call finds it must write (svc_ctx.write_needed). */
    R_READ_FIRST = 1 << 16,
    R_DIALECT_A = 1 << 8, /* free for a dialect's own use (an envelope style) */
    R_DIALECT_B = 1 << 9,
    R_DIALECT_C = 1 << 10,
    R_DIALECT_D = 1 << 11,
    R_DIALECT_E = 1 << 12,
    R_DIALECT_F = 1 << 13,
    R_DIALECT_G = 1 << 14,
    R_DIALECT_H = 1 << 15,
};

struct route {
    enum http_method method;
    const char *path; /* "/cgi-bin/kf/knowledge/add_group", ":name" captures */
    unsigned flags;
    const struct field_rule *rules; /* the JSON body's fields (R_JSON) */
    route_fn fn;
    /* The query parameters the handler reads, checked before the body's
     * fields (json_check_query); NULL: none. */
    const struct field_rule *query;
};

struct dialect {
    const char *name;
    const char *prefix; /* "/cgi-bin/" */
    const struct route *routes;
    size_t nroutes;
    bool trailing_slash_ok;  /* "/path/" routes as "/path" */
    /* Rate limits (after authentication): the budget, and whether it is per
     * app (else per tenant) and per endpoint (else one for every call). */
    enum rate_class rate_class;
    bool rate_per_app;
    bool rate_per_route;
    bool empty_body_is_object; /* an empty body reads as {} */
    bool operator_bodies; /* the admin API: admin_json_max_values bounds bodies */
    /* Authenticates a non-R_PUBLIC request inside its transaction: sets
     * rq->svc.tenant (and rq->principal) or returns the error. With
     * rq->preauth it runs in a read transaction and must write nothing. */
    enum err (*auth)(struct req *rq);
    /* Optional. When a request passed auth but then failed, its transaction
     * is rolled back; the pipeline then calls this in a write transaction of
     * its own, to keep what must outlast the failure (Udesk's used nonces).
     * The request's error detail is left as it was. */
    enum err (*after_rollback)(struct req *rq);
    /* Writes status, content type and body for the result 'e' ('out' holds
     * a handler's fields on ERR_OK). Detail is in rq->err. */
    void (*render)(struct req *rq, enum err e, json_t *out);
    /* Optional: a kept answer (R_CACHE) is about to be sent; adds what each
     * of the dialect's answers carries of its own (Feishu's X-Tt-Logid). */
    void (*render_kept)(struct req *rq);
};

/* One row of a dialect's error map: (error, subject) to the dialect's HTTP
 * status, code and message. Tables list exact (error, subject) rows first,
 * then one SUBJ_NONE row per error for every other subject. */
struct dialect_error {
    enum err err;
    enum subj subj; /* SUBJ_NONE: any subject */
    int http;
    int code;        /* the dialect's own code */
    const char *msg; /* NULL: the renderer builds it from the detail */
};

/* The row for (e, s) in 'rows': the exact row, else the SUBJ_NONE row of e,
 * else NULL. */
const struct dialect_error *dialect_error_lookup(const struct dialect_error *rows, size_t n,
                                                 enum err e, enum subj s);
/* The row a renderer uses for ERR_FAULT: the rule's code, with its status
 * and message, else those of the dialect's own row for that code in
 * 'rows', else 'http' and a message saying what answered. */
const struct dialect_error *dialect_fault_row(struct req *rq, const struct dialect_error *rows,
                                              size_t n, int http);
/* The route of dialect 'name' with this method and pattern, or NULL. */
const struct route *dialect_route_find(const struct app *app, const char *name,
                                       const char *method, const char *pattern);
/* The static name of a route method ("GET"). */
const char *dialect_method_name(enum http_method m);

/* A query-string parameter, percent-decoded in the request arena; NULL when
 * absent, "" when empty. */
const char *dialect_query(struct req *rq, const char *key);

/* The http_handler_fn: routes one request through the pipeline. */
void dialect_handle(struct http_req *r);
/* GET /metrics (dialect_obs.c): true when 'r' was it, answered. */
bool dialect_metrics(struct http_req *r, struct worker_state *ws);
/* The http server's observer: metrics and the request inspector. */
void dialect_observe(void *userdata, const struct http_req *r, int64_t latency_us);

/* The JSON-lines access log (dialect_accesslog.c). access_json_open
 * opens 'path' for appending: a new descriptor when 'fd' is -1, else onto
 * 'fd' (a reopen after SIGHUP; async-signal-safe); -1 on failure.
 * access_json_write appends one request's line. */
int access_json_open(const char *path, int fd);
void access_json_write(int fd, const struct http_req *r, int64_t latency_us);

/* The operator runner (dialect_runner.c): one thread and connection
 * running submitted calls in turn. start returns NULL when it cannot open
 * its connection or thread. submit queues run(arg, its store, cancelled)
 * (false without a runner); after cancel (shutdown past its timeout) the
 * calls not yet started run with 'cancelled' true and must only answer.
 * stop runs what is queued, then ends the thread. */
struct dialect_runner *dialect_runner_start(struct app *app);
bool dialect_runner_submit(struct dialect_runner *rn,
                           void (*run)(void *arg, struct store *st, bool cancelled), void *arg);
void dialect_runner_cancel(struct dialect_runner *rn);
void dialect_runner_stop(struct dialect_runner *rn);

/* Sets a JSON response body from 'v' (compact, in the request arena). */
void dialect_send_json(struct req *rq, int status, const json_t *v);

#endif
