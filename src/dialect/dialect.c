/* SPDX-License-Identifier: MIT */
/*
 * dialect/dialect.c - the request pipeline every dialect shares:
 * prefix -> body limit -> route -> transaction -> auth -> JSON body, query
 * and body field rules -> handler -> commit or rollback -> the dialect's renderer.
 *
 * Handlers only return codes; only renderers write envelopes. /healthz and
 * /readyz are answered here, before any dialect.
 */
#include "dialect/dialect.h"

#include "config/config.h"
#include "core/arena.h"
#include "core/metrics.h"
#include "core/str.h"
#include "http/http_console.h"

#include <string.h>

void dialect_send_json(struct req *rq, int status, const json_t *v)
{
    rq->http->status = status;
    rq->http->content_type = "application/json; charset=utf-8";
    rq->http->resp_body = json_dump_arena(rq->http->arena, v, &rq->http->resp_len);
}

const struct dialect_error *dialect_error_lookup(const struct dialect_error *rows, size_t n,
                                                 enum err e, enum subj s)
{
    const struct dialect_error *any = NULL;

    for (size_t i = 0; i < n; i++) {
        if (rows[i].err != e)
            continue;
        if (rows[i].subj == s && s != SUBJ_NONE)
            return &rows[i];
        if (rows[i].subj == SUBJ_NONE && any == NULL)
            any = &rows[i];
    }
    return any;
}

const char *dialect_query(struct req *rq, const char *key)
{
    struct http_req *r = rq->http;

    return r->query ? str_query_get(r->arena, r->query, r->query_len, key) : NULL;
}

static void send_text(struct http_req *r, int status, const char *text)
{
    r->status = status;
    r->content_type = "text/plain; charset=utf-8";
    r->resp_body = text;
    r->resp_len = strlen(text);
}

/* Health endpoints: /healthz says the process serves; /readyz also needs
 * the database to answer. */
static bool handle_health(struct http_req *r, struct worker_state *ws)
{
    bool ready;
    const char *body;

    if (str_eq_n(r->path, r->path_len, "/healthz")) {
        body = "{\"status\":\"ok\"}";
        r->status = 200;
    } else if (str_eq_n(r->path, r->path_len, "/readyz")) {
        ready = svc_db_ping(ws->st) == ERR_OK;
        body = ready ? "{\"status\":\"ready\"}" : "{\"status\":\"unavailable\"}";
        r->status = ready ? 200 : 503;
    } else {
        return false;
    }
    r->content_type = "application/json; charset=utf-8";
    r->resp_body = body;
    r->resp_len = strlen(body);
    return true;
}

/* The web console's files (http/http_console.c), answered before any
 * dialect: one metrics series of their own, and no place in the request
 * inspector, which keeps the vendor dialects' calls. */
static bool console_serve(struct http_req *r)
{
    static const char label[] = "console";

    if (!http_console_serve(r))
        return false;
    r->route_id = label;
    r->dialect_label = label;
    r->method_label = "any";
    r->route_label = "/console/";
    return true;
}

enum err app_clock_load(struct app *app, struct store *st)
{
    int64_t off;
    enum err e = svc_clock_offset_get(st, &off);

    if (e == ERR_OK)
        atomic_store(&app->clock.offset, off);
    return e == ERR_NOT_FOUND ? ERR_OK : e;
}

/* Nodes sharing a database share its clock: each worker re-reads the
 * stored offset at most once a second, so a move made through another node
 * is seen here within a second. */
static void clock_refresh(struct worker_state *ws)
{
    int64_t now = clock_mono_us();

    if (now - ws->clock_read_us < 1000000)
        return;
    ws->clock_read_us = now;
    app_clock_load(ws->app, ws->st);
}

static const struct dialect *find_dialect(const struct app *app, const struct http_req *r)
{
    for (const struct dialect *const *d = app->dialects; *d != NULL; d++) {
        size_t n = strlen((*d)->prefix);

        if (r->path_len >= n && memcmp(r->path, (*d)->prefix, n) == 0)
            return *d;
    }
    return NULL;
}

const char *dialect_method_name(enum http_method m)
{
    static const char *const names[] = { "OTHER", "GET", "POST", "PUT", "PATCH", "DELETE" };

    return names[m];
}

const struct route *dialect_route_find(const struct app *app, const char *name,
                                       const char *method, const char *pattern)
{
    for (const struct dialect *const *d = app->dialects; *d != NULL; d++) {
        if (strcmp((*d)->name, name) != 0)
            continue;
        for (size_t i = 0; i < (*d)->nroutes; i++)
            if (strcmp(dialect_method_name((*d)->routes[i].method), method) == 0
                && strcmp((*d)->routes[i].path, pattern) == 0)
                return &(*d)->routes[i];
    }
    return NULL;
}

const struct dialect_error *dialect_fault_row(struct req *rq, const struct dialect_error *rows,
                                              size_t n, int http)
{
    struct dialect_error *row = arena_alloc(rq->http->arena, sizeof(*row));
    const struct dialect_error *known = NULL;

    /* A row for any subject first: the code's general answer. */
    for (size_t i = 0; i < n && known == NULL; i++)
        if (rows[i].err != ERR_OK && rows[i].code == rq->fault.code && rows[i].msg != NULL
            && rows[i].subj == SUBJ_NONE)
            known = &rows[i];
    for (size_t i = 0; i < n && known == NULL; i++)
        if (rows[i].err != ERR_OK && rows[i].code == rq->fault.code && rows[i].msg != NULL)
            known = &rows[i];
    row->err = ERR_FAULT;
    row->subj = SUBJ_NONE;
    row->code = (int)rq->fault.code;
    row->http = rq->fault.status ? rq->fault.status : known ? known->http : http;
    row->msg = rq->fault.msg   ? rq->fault.msg
               : known         ? known->msg
                               : "fault injected by a qunzu fault rule";
    return row;
}

static enum err find_route(struct req *rq, const struct dialect *d)
{
    const struct route *other_method = NULL;
    struct http_req *r = rq->http;
    size_t len = r->path_len;

    if (d->trailing_slash_ok && len > 1 && r->path[len - 1] == '/')
        len--;
    for (size_t i = 0; i < d->nroutes; i++) {
        const struct route *rt = &d->routes[i];
        const char *params[HTTP_MAX_PARAMS];
        int np;

        if (!http_path_match(rt->path, r->path, len, r->arena, params, &np))
            continue;
        if (rt->method != r->method) {
            other_method = rt;
            continue;
        }
        rq->route = rt;
        memcpy(rq->params, params, sizeof(params));
        rq->nparams = np;
        return ERR_OK;
    }
    if (other_method != NULL)
        return err_set(&rq->err, ERR_METHOD, SUBJ_ROUTE, "%s", dialect_method_name(other_method->method));
    return err_set(&rq->err, ERR_NOT_FOUND, SUBJ_ROUTE, "no such api");
}

/* The most values a body of 'd' may hold (json_parse_object). */
static size_t max_values(const struct req *rq, const struct dialect *d)
{
    const struct config *cfg = rq->app->cfg;

    return (size_t)(d->operator_bodies ? cfg->admin_json_max_values : cfg->json_max_values);
}

/* The query parameters the route's rules name, as strings, then checked:
 * rq->query. Values are kept byte for byte (not re-checked as UTF-8). */
static enum err check_query(struct req *rq)
{
    const struct field_rule *rules = rq->route->query;

    if (rules == NULL)
        return ERR_OK;
    rq->query = json_object();
    for (const struct field_rule *f = rules; f->name != NULL; f++) {
        const char *v = dialect_query(rq, f->name);

        if (v != NULL)
            json_object_set_new(rq->query, f->name, json_string_nocheck(v));
    }
    return json_check_query(rq->query, rules, &rq->err);
}

/* The body, then the query's rules, then the body's: a body that is no
 * JSON object is refused before anything in it or in the query is looked
 * at. */
static enum err parse_body(struct req *rq, const struct dialect *d, json_t **body)
{
    struct http_req *r = rq->http;
    enum err e = ERR_OK;

    if (r->body_len == 0 && d->empty_body_is_object)
        *body = json_object();
    else if (r->body_len == 0)
        return err_set(&rq->err, ERR_EMPTY_BODY, SUBJ_NONE, "empty request body");
    else
        e = json_parse_object(r->body, r->body_len, max_values(rq, d), body, &rq->err);
    if (e == ERR_OK)
        e = check_query(rq);
    return e == ERR_OK ? json_check(*body, rq->route->rules, &rq->err) : e;
}

/* Keeps, after a failed request rolled back, what the dialect says must
 * outlast it, in a transaction of its own. */
static void keep_after_rollback(struct req *rq, const struct dialect *d)
{
    struct err_info detail = rq->err;
    struct store *st = rq->svc.st;

    if (svc_tx_begin(st, true) != ERR_OK)
        return;
    if (d->after_rollback(rq) != ERR_OK || svc_tx_commit(st) != ERR_OK)
        svc_tx_rollback(st);
    rq->err = detail;
}

/* The platform's rate limit for an authenticated call: per app or tenant,
 * per endpoint or for all of them (dialect.h). The key names the endpoint by
 * its place in the route table, the same on every node, and the window by the
 * wall clock, so nodes that share counts (svc_rate.c) name the same windows. */
static enum err rate_check(struct req *rq, const struct dialect *d)
{
    const struct app *app = rq->app;
    bool on = false;
    uint64_t key;
    enum err e;

    if (app->limiter == NULL || d->rate_class == RATE_NONE)
        return ERR_OK;
    key = (uint64_t)d->rate_class * 0x9e3779b97f4a7c15ULL
          ^ (uint64_t)(d->rate_per_app ? rq->app_ref : rq->svc.tenant) * 0x100000001b3ULL
          ^ (d->rate_per_route ? (uint64_t)(rq->route - d->routes + 1) * 0xc2b2ae3d27d4eb4fULL : 0);
    if (rate_allow(app->limiter, key, app->rates[d->rate_class], clock_wall_us() / 1000,
                   &rq->rate_limit, &rq->rate_reset))
        return ERR_OK;
    /* Only a call over the limit pays for the tenant's own switch. */
    e = svc_tenant_rate_limit(&rq->svc, &on);
    if (e != ERR_OK)
        return e;
    if (!on)
        return ERR_OK;
    return err_set(&rq->err, ERR_RATE_LIMITED, SUBJ_NONE, "rate limited");
}

/* A fault rule for this call (after authentication: a rule may name the
 * tenant or the app). A delay lets the call run and holds its answer; the
 * other answers replace it. */
static enum err fault_check(struct req *rq, const struct dialect *d)
{
    const struct route *rt = rq->route;

    if (!svc_faults_match(rq->app->faults, d->name, dialect_method_name(rt->method), rt->path,
                          rq->svc.tenant, rq->app_ref, rq->http->arena, &rq->fault))
        return ERR_OK;
    metrics_count(rq->app->metrics, MC_FAULTS_FIRED, 1);
    if (rq->fault.delay_ms > 0) {
        rq->http->delay_ms = rq->fault.delay_ms;
        return ERR_OK;
    }
    rq->http->drop = rq->fault.drop;
    /* A rate-limit answer says when to come back: the next second. */
    rq->rate_limit = rq->app->cfg->rate_feishu_per_second;
    rq->rate_reset = 1;
    return err_set(&rq->err, ERR_FAULT, SUBJ_NONE, "answered by a fault rule");
}

/* The answer cache's key of a request: what its answer may depend on (the
 * route, the caller as authenticated, the credential, path, query and, for
 * a JSON route, the body), lengths first so no two requests share a key. */
struct kept_head {
    const void *route;
    int64_t tenant, app_ref, principal, actor_ref;
    int64_t actor_kind, as_owner;
    uint64_t alen, plen, qlen, blen;
};

static char *kept_key(struct req *rq, size_t *klen)
{
    const struct http_req *h = rq->http;
    const char *auth = h->authorization != NULL ? h->authorization : "";
    struct kept_head head;
    char *key, *p;

    memset(&head, 0, sizeof(head));
    head.route = rq->route;
    head.tenant = rq->svc.tenant;
    head.app_ref = rq->app_ref;
    head.principal = rq->principal;
    head.actor_ref = rq->actor.ref;
    head.actor_kind = rq->actor.kind;
    head.as_owner = rq->actor.as_owner;
    head.alen = strlen(auth);
    head.plen = h->path_len;
    head.qlen = h->query != NULL ? h->query_len : 0;
    head.blen = (rq->route->flags & R_JSON) ? h->body_len : 0;
    *klen = sizeof(head) + head.alen + head.plen + head.qlen + head.blen;
    key = arena_alloc(h->arena, *klen);
    p = key;
    memcpy(p, &head, sizeof(head));
    p += sizeof(head);
    memcpy(p, auth, head.alen);
    p += head.alen;
    memcpy(p, h->path, head.plen);
    p += head.plen;
    if (head.qlen > 0)
        memcpy(p, h->query, head.qlen);
    p += head.qlen;
    if (head.blen > 0)
        memcpy(p, h->body, head.blen);
    return key;
}

/* An R_CACHE read after authentication: answers from the cache (true), or
 * notes the key and version its answer is to be kept under. */
static bool kept_lookup(struct req *rq)
{
    struct kept_answer k;
    size_t klen;
    int64_t version = svc_data_version(&rq->svc);
    char *key;

    if (version < 0)
        return false;
    key = kept_key(rq, &klen);
    if (svc_answer_get(rq->app->answers, key, klen, version, rq->http->arena, &k)) {
        rq->http->status = k.status;
        rq->http->content_type = k.content_type;
        rq->http->resp_body = k.body;
        rq->http->resp_len = k.len;
        rq->http->log_code = k.log_code;
        rq->http->log_code_set = true;
        rq->kept_hit = true;
        return true;
    }
    rq->keep_key = key;
    rq->keep_klen = klen;
    rq->keep_version = version;
    return false;
}

/* What a worker did for a write before it went to the group: the rate
 * check and the body, parsed into the job's arena, or their error. */
struct prep {
    json_t *body;
    enum err e;
    struct err_info ei;
};

/* Runs the routed request inside one transaction. A write that went to the
 * group ('pre' set) authenticates again (now it may record, as Udesk's
 * nonce) and takes what its worker did. */
static enum err run(struct req *rq, const struct dialect *d, json_t *out, const struct prep *pre)
{
    const struct route *rt = rq->route;
    struct store *st = rq->svc.st;
    json_t *body = NULL;
    enum err e = ERR_OK;
    bool authed = false, kept = false;
    bool cache = (rt->flags & R_CACHE) && !(rt->flags & (R_WRITE | R_NO_TX)) && pre == NULL
                 && rq->app->answers != NULL;

    /* A token route's read-first run is versioned too: its grant cache
     * keeps tokens by the data version (svc_gcache.c). */
    if (!(rt->flags & R_NO_TX)) {
        e = cache || rq->svc.read_first
                ? svc_tx_begin_versioned(st)
                : svc_tx_begin(st, (rt->flags & R_WRITE) != 0);
        if (e == ERR_BUSY) {
            rq->would_wait = true;
            return e;
        }
        if (e != ERR_OK)
            return err_set(&rq->err, e, SUBJ_NONE, "database unavailable");
    }
    if (!(rt->flags & R_PUBLIC)) {
        e = d->auth(rq);
        authed = e == ERR_OK;
        if (authed && pre == NULL)
            e = rate_check(rq, d);
    }
    if (e == ERR_OK && pre == NULL)
        e = fault_check(rq, d);
    /* A kept answer takes the place of the rules and the handler. */
    if (e == ERR_OK && cache)
        kept = kept_lookup(rq);
    /* The body and the rules (parse_body); a write under group commit had
     * its worker do that ('pre'). A route without a body checks its query. */
    if (e != ERR_OK || kept) {
        /* answered already */
    } else if (pre != NULL) {
        body = pre->body;
        e = pre->e;
        if (e != ERR_OK)
            rq->err = pre->ei;
    } else if (rt->flags & R_JSON) {
        e = parse_body(rq, d, &body);
    }
    if (e == ERR_OK && !kept && !(rt->flags & R_JSON))
        e = check_query(rq);
    if (e == ERR_OK && !kept)
        e = rt->fn(rq, body, out);
    json_decref(body);
    json_decref(rq->query);
    rq->query = NULL;
    if (rt->flags & R_NO_TX)
        return e;
    if (e != ERR_OK) {
        svc_tx_rollback(st);
        if (authed && d->after_rollback != NULL)
            keep_after_rollback(rq, d);
        return e;
    }
    e = svc_tx_commit(st);
    if (e != ERR_OK)
        return err_set(&rq->err, e, SUBJ_NONE, "commit failed");
    return ERR_OK;
}

/* An R_INLINE write; with R_READ_FIRST (while the node's token requests
 * find live tokens: svc_gcache_read_first), in a read transaction first,
 * and again as the write when its svc call found it must write: from the
 * start, its fault rule and body check taken from the first run ('pre'),
 * as a write that went to the group. */
static enum err run_inline(struct req *rq, const struct dialect *d, json_t **out)
{
    struct prep pre = { 0 };
    enum err e;

    if (!(rq->route->flags & R_READ_FIRST) || !svc_gcache_read_first(rq->svc.grants))
        return run(rq, d, *out, NULL);
    rq->svc.read_first = true;
    e = run(rq, d, *out, NULL);
    rq->svc.read_first = false;
    if (!rq->svc.write_needed)
        return e;
    rq->svc.write_needed = false;
    err_info_clear(&rq->err);
    json_decref(*out);
    *out = json_object();
    if (rq->route->flags & R_JSON)
        pre.e = parse_body(rq, d, &pre.body);
    pre.ei = rq->err;
    return run(rq, d, *out, &pre);
}

/* Renders the answer and lets go of the request's JSON. */
static void answer(struct req *rq, const struct dialect *d, enum err e, json_t *out)
{
    static const enum metric_counter counted[ERR__COUNT] = {
        [ERR_RATE_LIMITED] = MC_RATE_LIMITED, [ERR_BUSY] = MC_BUSY, [ERR_STORE] = MC_STORE_ERRORS,
    };

    if (e != ERR_OK && rq->err.code != e)
        err_set(&rq->err, e, SUBJ_NONE, NULL);
    if ((unsigned)e < ERR__COUNT && (e == ERR_RATE_LIMITED || e == ERR_BUSY || e == ERR_STORE))
        metrics_count(rq->app->metrics, counted[e], 1);
    rq->http->tenant = rq->svc.tenant;
    if (e == ERR_OK && rq->kept_hit) {
        if (d->render_kept != NULL)
            d->render_kept(rq);
        json_decref(out);
        return;
    }
    d->render(rq, e, out);
    json_decref(out);
    if (e == ERR_OK && rq->keep_key != NULL && rq->http->status == 200
        && rq->http->resp_body != NULL)
        svc_answer_put(rq->app->answers, rq->keep_key, rq->keep_klen, rq->keep_version,
                       &(struct kept_answer){ .status = rq->http->status,
                                              .content_type = rq->http->content_type,
                                              .body = rq->http->resp_body,
                                              .len = rq->http->resp_len,
                                              .log_code = rq->http->log_code });
}

/* A write request under group commit runs on the group's thread, in a
 * savepoint of the batch (run() is the same; its store is the batch's), and
 * is answered once the batch is durable. Before it goes, its worker
 * authenticates it (in a read transaction), counts it against the rate
 * limits and parses its body, so what waits for the writer is known to be
 * someone's and costs what the bounds allow; a request that fails there is
 * answered at once, and one past the group's bounds gets the dialect's busy
 * answer, also at once. */
struct write_job {
    struct store_job sj;
    struct req rq;
    const struct dialect *d;
    struct prep pre;
    json_t *out;
    enum err e;
};

static void job_run(struct store *st, void *arg)
{
    struct write_job *j = arg;
    struct arena *prev = json_arena_use(j->rq.http->arena);

    j->rq.svc.st = st;
    j->out = json_object();
    j->e = run(&j->rq, j->d, j->out, &j->pre);
    json_arena_use(prev);
}

static void job_done(void *arg, enum err batch)
{
    struct write_job *j = arg;
    struct arena *prev = json_arena_use(j->rq.http->arena);
    enum err e = j->e;

    /* A request that failed answered its error whatever became of the
     * batch; one that succeeded did so only if the batch is durable. */
    if (e == ERR_OK && batch != ERR_OK)
        e = err_set(&j->rq.err, batch, SUBJ_NONE,
                    batch == ERR_BUSY ? "server shutting down" : "commit failed");
    if (j->out == NULL) /* the batch failed before the job ran */
        j->out = json_object();
    answer(&j->rq, j->d, e, j->out);
    json_arena_use(prev);
    http_finish(j->rq.http);
}

/* Authentication and the rate check, in a read transaction of the worker's
 * own connection: nothing waits for the group. */
static enum err preauth(struct req *rq, const struct dialect *d, bool *authed)
{
    struct store *st = rq->svc.st;
    enum err e;

    *authed = false;
    if (rq->route->flags & R_PUBLIC)
        return fault_check(rq, d);
    e = svc_tx_begin(st, false);
    if (e != ERR_OK)
        return err_set(&rq->err, e, SUBJ_NONE, "database unavailable");
    rq->preauth = true;
    e = d->auth(rq);
    rq->preauth = false;
    *authed = e == ERR_OK;
    if (*authed)
        e = rate_check(rq, d);
    svc_tx_rollback(st);
    return e == ERR_OK ? fault_check(rq, d) : e;
}

static void job_refuse(struct write_job *j, enum err e)
{
    j->e = e;
    job_done(j, ERR_OK);
}

/* Returns false when the request was answered on the spot (it failed before
 * it needed the writer); otherwise it is the group's. */
static bool submit_write(struct req *rq, const struct dialect *d, enum err *e)
{
    const struct config *cfg = rq->app->cfg;
    struct http_req *copy;
    struct write_job *j;
    struct arena *prev;
    bool authed;

    *e = preauth(rq, d, &authed);
    /* A body past the bound is refused before it is copied. */
    if (*e == ERR_OK && (rq->route->flags & R_JSON))
        *e = json_bound(rq->http->body, rq->http->body_len, max_values(rq, d), &rq->err);
    /* A failure after authentication is still the group's when the dialect
     * keeps something of it (Udesk's nonce): the job records it. */
    if (*e != ERR_OK && !(authed && d->after_rollback != NULL))
        return false;
    copy = http_defer(rq->http);
    j = arena_alloc(copy->arena, sizeof(*j));
    j->rq = *rq;
    j->rq.http = copy;
    j->rq.svc.a = copy->arena;
    j->rq.svc.ei = &j->rq.err;
    /* What the request kept lives in the worker's arena, which its next
     * request reuses: the job reads it again in its own. */
    j->rq.svc.acc = NULL;
    j->rq.svc.tkey = NULL;
    j->rq.auth_memo = rq->auth_memo ? arena_strdup(copy->arena, rq->auth_memo) : NULL;
    j->d = d;
    j->pre.e = *e;
    j->pre.ei = rq->err;
    /* Path parameters live in the worker's arena: route again on the copy. */
    find_route(&j->rq, d);
    if (*e == ERR_OK && (rq->route->flags & R_JSON)) {
        prev = json_arena_use(copy->arena);
        j->pre.e = parse_body(&j->rq, d, &j->pre.body);
        json_arena_use(prev);
        j->pre.ei = j->rq.err;
        if (j->pre.e != ERR_OK && d->after_rollback == NULL) {
            job_refuse(j, j->pre.e);
            return true;
        }
    }
    j->sj.run = job_run;
    j->sj.done = job_done;
    j->sj.arg = j;
    j->sj.bytes = arena_size(copy->arena);
    if (svc_group_submit(rq->app->group, &j->sj) != ERR_OK) {
        /* The queue is at its bound: the dialect's "slow down", now. */
        j->rq.rate_limit = cfg->write_queue_max;
        j->rq.rate_reset = 1;
        job_refuse(j, err_set(&j->rq.err, ERR_BUSY, SUBJ_NONE, "too many writes waiting"));
    }
    return true;
}

/* An operator's call that may take long (R_DETACH) runs on the operator
 * runner's thread and connection (dialect_runner.c), answered from there;
 * its worker goes back to its other connections. */
struct detached {
    struct req rq;
    const struct dialect *d;
};

static void detached_run(void *arg, struct store *st, bool cancelled)
{
    struct detached *j = arg;
    struct arena *prev = json_arena_use(j->rq.http->arena);
    json_t *out = json_object();
    enum err e;

    j->rq.svc.st = st;
    if (cancelled)
        e = err_set(&j->rq.err, ERR_BUSY, SUBJ_NONE, "server shutting down");
    else
        e = run(&j->rq, j->d, out, NULL);
    answer(&j->rq, j->d, e, out);
    json_arena_use(prev);
    http_finish(j->rq.http);
}

static bool detach(struct req *rq, const struct dialect *d)
{
    struct http_req *copy = http_defer(rq->http);
    struct detached *j = arena_alloc(copy->arena, sizeof(*j));

    j->rq = *rq;
    j->rq.http = copy;
    j->rq.svc.a = copy->arena;
    j->rq.svc.ei = &j->rq.err;
    j->rq.svc.acc = NULL; /* as submit_write */
    j->rq.svc.tkey = NULL;
    j->d = d;
    /* Path parameters live in the worker's arena: route again on the copy. */
    find_route(&j->rq, d);
    return dialect_runner_submit(rq->app->runner, detached_run, j);
}

void dialect_handle(struct http_req *r)
{
    struct worker_state *ws = r->worker;
    const struct dialect *d;
    struct arena *prev;
    struct req rq;
    json_t *out;
    enum err e;

    if (handle_health(r, ws) || dialect_metrics(r, ws) || console_serve(r))
        return;
    d = find_dialect(ws->app, r);
    if (d == NULL) {
        send_text(r, 404, "404 page not found");
        return;
    }
    clock_refresh(ws);
    memset(&rq, 0, sizeof(rq));
    rq.http = r;
    rq.app = ws->app;
    rq.svc.st = ws->st;
    rq.svc.a = r->arena;
    rq.svc.ei = &rq.err;
    /* One reading: the seconds and the milliseconds of this request agree. */
    rq.svc.now_ms = clock_now_ms(&ws->app->clock);
    rq.svc.now = rq.svc.now_ms / 1000;
    rq.svc.tokens = ws->app->tokens;
    rq.svc.access = ws->app->access;
    rq.svc.grants = ws->app->grants;
    rq.svc.udesk = ws->app->udesk;
    rq.svc.events = ws->app->chat_events;

    r->dialect_label = d->name;
    /* Upload routes take bodies up to upload_body_limit; every other one
     * keeps body_limit. */
    e = find_route(&rq, d);
    if (r->body_len > (size_t)ws->app->cfg->body_limit
        && (e != ERR_OK || !(rq.route->flags & R_UPLOAD)
            || r->body_len > (size_t)ws->app->cfg->upload_body_limit)) {
        rq.route = NULL;
        err_info_clear(&rq.err);
        e = err_set(&rq.err, ERR_TOO_LARGE, SUBJ_NONE, "request body too large");
    }
    if (e == ERR_OK) {
        r->route_id = rq.route;
        r->method_label = dialect_method_name(rq.route->method);
        r->route_label = rq.route->path;
    }
    svc_faults_refresh(ws->app->faults, ws->st);
    if (e == ERR_OK && (rq.route->flags & R_DETACH) && ws->app->runner != NULL && detach(&rq, d))
        return;
    if (e == ERR_OK && ws->app->group != NULL && (rq.route->flags & R_WRITE)
        && !(rq.route->flags & (R_NO_TX | R_INLINE))
        && submit_write(&rq, d, &e))
        return;
    prev = json_arena_use(r->arena);
    out = json_object();
    /* An R_INLINE write only tries the group's connection; an operator's
     * R_NO_TX call (the seed) may wait for it. */
    if (e == ERR_OK && (rq.route->flags & R_INLINE)) {
        svc_db_attach(ws->st, ws->app->group, false);
        e = run_inline(&rq, d, &out);
        svc_db_attach(ws->st, ws->app->group, true);
    } else if (e == ERR_OK) {
        e = run(&rq, d, out, NULL);
    }
    /* An R_INLINE write whose worker found the group's connection taken:
     * it waits in the group's queue, not on this event loop. */
    if (rq.would_wait) {
        json_decref(out);
        json_arena_use(prev);
        rq.would_wait = false;
        if (submit_write(&rq, d, &e))
            return;
        prev = json_arena_use(r->arena);
        out = json_object();
    }
    answer(&rq, d, e, out);
    json_arena_use(prev);
}
