/* SPDX-License-Identifier: MIT */
/*
 * http/http_server.c - listeners, worker threads and the h2o request hook.
 *
 * Each worker owns an event loop and an h2o context, and watches the one
 * listening socket (http_accept.c). Handlers run synchronously on the
 * worker's loop. Routing lives in dialect/.
 */
#include "http/http.h"
#include "http/http_int.h"

#include "core/arena.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/str.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct worker {
    h2o_context_t ctx;
    h2o_accept_ctx_t accept_ctx;
    struct http_acceptor acceptor;
    struct http_gate *gate;
    pthread_barrier_t *ready; /* every worker has its loop before any accepts */
    int listen_fd;
    int idx;
    const struct http_server_opts *o;
    h2o_globalconf_t *config;
    volatile sig_atomic_t *stop;
    void *state;
    struct arena arena;
    uint64_t rid_base;
    uint64_t rid_seq;
    int64_t last_activity_us;
    pthread_t thread;
    h2o_multithread_receiver_t finished; /* deferred requests, answered */
    atomic_int deferred;                  /* deferred, not yet answered */
    /* Answers held back (http_req.delay_ms), in no order; a 10 ms tick
     * sends those due while there are any. */
    struct deferred *delayed;
    h2o_timeout_t tick;
    h2o_timeout_entry_t tick_entry;
};

/* The adapter's state of a request while its handler runs. */
struct in_flight {
    struct worker *w;
    h2o_req_t *req;
    int64_t t0;
    struct deferred *d; /* set by http_defer */
};

/* A deferred request: the copy the handler got, and the way back to its
 * connection. 'req' is cleared (on the loop thread) if the connection goes
 * away first; the guard lives in the request's memory pool to see that. */
struct deferred {
    h2o_multithread_message_t msg;
    struct http_req r;
    struct arena arena;
    struct worker *w;
    h2o_req_t *req;
    struct defer_guard *guard;
    int64_t t0;
    int64_t due_us;             /* held until then (delay_ms) */
    struct deferred *next_held; /* in worker.delayed */
};

struct defer_guard {
    struct deferred *d;
};

struct qz_handler {
    h2o_handler_t super;
};

/* Runs on every response before h2o writes it, its own error pages too. */
struct qz_filter {
    h2o_filter_t super;
};

static const char *reason_phrase(int status)
{
    switch (status) {
    case 200: return "OK";
    case 301: return "Moved Permanently";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "OK";
    }
}

enum http_method http_method_parse(const char *s, size_t n)
{
    static const struct { const char *name; enum http_method m; } methods[] = {
        { "GET", HTTP_GET }, { "POST", HTTP_POST }, { "PUT", HTTP_PUT },
        { "PATCH", HTTP_PATCH }, { "DELETE", HTTP_DELETE },
    };

    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (strlen(methods[i].name) == n && memcmp(methods[i].name, s, n) == 0)
            return methods[i].m;
    return HTTP_OTHER;
}

void http_add_header(struct http_req *r, const char *name, const char *value)
{
    if (r->nheaders < HTTP_MAX_HEADERS) {
        r->headers[r->nheaders].name = name;
        r->headers[r->nheaders].value = value;
        r->nheaders++;
    }
}

/* 25 decimal digits: unix seconds, worker number, then a per-worker counter
 * from a random start, so ids are unique across threads and restarts. */
/* 'v' in exactly 'width' decimal digits, zero-padded (v < 10^width). */
static char *put_digits(char *p, uint64_t v, int width)
{
    for (int i = width - 1; i >= 0; i--, v /= 10)
        p[i] = (char)('0' + v % 10);
    return p + width;
}

/* (Every request makes one: digits by hand, not printf; the seconds have
 * ten digits until the year 2286.) */
static void make_rid(struct worker *w, char *out, size_t n)
{
    uint64_t tail = (w->rid_base + w->rid_seq++) % 10000000000000ULL;
    char *p = out;

    (void)n; /* 25 digits and the NUL: 26 of its 32 bytes */
    p = put_digits(p, (uint64_t)(clock_wall_us() / 1000000) % 10000000000ULL, 10);
    p = put_digits(p, (uint64_t)(w->idx % 100), 2);
    p = put_digits(p, tail, 13);
    *p = '\0';
}

/* An IPv4 address as inet_ntop writes it, by hand (every request formats
 * its peer): the four bytes in decimal, dotted. */
static void ipv4_text(const struct in_addr *in, char *out)
{
    const unsigned char *b = (const unsigned char *)&in->s_addr;

    for (int i = 0; i < 4; i++) {
        unsigned v = b[i];

        if (v >= 100)
            *out++ = (char)('0' + v / 100);
        if (v >= 10)
            *out++ = (char)('0' + v / 10 % 10);
        *out++ = (char)('0' + v % 10);
        *out++ = i < 3 ? '.' : '\0';
    }
}

static void peer_addr(h2o_req_t *req, char *out, size_t n)
{
    struct sockaddr_storage ss;
    socklen_t len = req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&ss);

    out[0] = '\0';
    if (len == 0)
        return;
    if (ss.ss_family == AF_INET && n >= INET_ADDRSTRLEN)
        ipv4_text(&((struct sockaddr_in *)&ss)->sin_addr, out);
    else if (ss.ss_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, out, (socklen_t)n);
    else if (ss.ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, out, (socklen_t)n);
}

static const char *header_value(h2o_req_t *req, const h2o_token_t *tok, struct arena *a)
{
    ssize_t i = h2o_find_header(&req->headers, tok, -1);

    char *v;

    if (i < 0)
        return NULL;
    v = arena_strndup(a, req->headers.entries[i].value.base, req->headers.entries[i].value.len);
    str_utf8_sanitize(v); /* it may reach the store as text; see str_url_decode */
    return v;
}

static void respond(h2o_req_t *req, const struct http_req *r)
{
    if (r->drop) {
        /* No answer: the connection ends under the client. h2o sees the
         * closed socket on its next write and lets the connection go. */
        h2o_socket_t *sock = req->conn->callbacks->get_socket(req->conn);

        if (sock != NULL)
            shutdown(h2o_socket_get_fd(sock), SHUT_RDWR);
        req->http1_is_persistent = 0;
    }
    req->res.status = r->status;
    req->res.reason = reason_phrase(r->status);
    if (r->content_type != NULL)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
                       r->content_type, strlen(r->content_type));
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-request-id"), 0, NULL,
                          h2o_strdup(&req->pool, r->rid, SIZE_MAX).base, strlen(r->rid));
    for (int i = 0; i < r->nheaders; i++) {
        h2o_iovec_t v = h2o_strdup(&req->pool, r->headers[i].value, SIZE_MAX);

        h2o_add_header_by_str(&req->pool, &req->res.headers, r->headers[i].name,
                              strlen(r->headers[i].name), 0, NULL, v.base, v.len);
    }
    /* A 304 has no body, and a Content-Length would have to be the
     * representation's (RFC 9110, 304 Not Modified): none is sent. */
    req->res.content_length = r->status == 304 ? SIZE_MAX : r->resp_len;
    /* h2o_send_inline copies the body into the request's pool. */
    h2o_send_inline(req, r->resp_body ? r->resp_body : "", r->resp_len);
}

/* HTTP/1.1 clients that look headers up by exact name (the Feishu Python
 * SDK reads "X-Tt-Logid" and "Content-Type") need the canonical case: each
 * letter that starts a word upper-case, the rest lower. h2o keeps names
 * lower-case and writes a header's orig_name instead when it is set. */
static void on_setup_ostream(h2o_filter_t *self, h2o_req_t *req, h2o_ostream_t **slot)
{
    (void)self;
    for (size_t i = 0; i < req->res.headers.size; i++) {
        h2o_header_t *h = &req->res.headers.entries[i];
        char *name = h2o_mem_alloc_pool(&req->pool, h->name->len);
        bool word_start = true;

        for (size_t k = 0; k < h->name->len; k++) {
            unsigned char c = (unsigned char)h->name->base[k];

            name[k] = (char)(word_start ? toupper(c) : tolower(c));
            word_start = (c == '-');
        }
        h->orig_name = name;
    }
    h2o_setup_next_ostream(req, slot);
}

/* The request head is still at the start of the connection's input: h2o
 * consumes a request's bytes only once it is answered. */
static bool framing_is_ambiguous(h2o_req_t *req)
{
    h2o_socket_t *sock = req->conn->callbacks->get_socket != NULL
                             ? req->conn->callbacks->get_socket(req->conn)
                             : NULL;
    const h2o_buffer_t *in = sock != NULL ? sock->input : NULL;

    if (in == NULL || in->size <= req->method.len
        || memcmp(in->bytes, req->method.base, req->method.len) != 0)
        return false;
    return http_head_framing_ambiguous(in->bytes, in->size);
}

/* Answers 400 and closes the connection after it. */
static void refuse_framing(h2o_req_t *req)
{
    static const char body[] = "Bad Request: ambiguous message framing\n";

    req->http1_is_persistent = 0;
    req->res.status = 400;
    req->res.reason = reason_phrase(400);
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
                   H2O_STRLIT("text/plain; charset=utf-8"));
    req->res.content_length = sizeof(body) - 1;
    h2o_send_inline(req, body, sizeof(body) - 1);
}

static void access_log(struct worker *w, const struct http_req *r, int64_t t0, bool gone)
{
    char code[32] = "-";

    if (w->o->observe != NULL)
        w->o->observe(w->o->userdata, r, clock_mono_us() - t0);
    if (!w->o->access_log || !log_enabled(LOG_INFO))
        return;
    if (r->log_code_set)
        snprintf(code, sizeof(code), "%ld", r->log_code);
    /* The query is left out: it carries access tokens. */
    log_info("access rid=%s %s %.*s %d code=%s %lldus%s", r->rid, r->method_str,
             (int)r->path_len, r->path, r->status, code, (long long)(clock_mono_us() - t0),
             gone ? " (client gone)" : "");
}

static void hold(struct worker *w, struct deferred *d);

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    struct worker *w = (struct worker *)req->conn->ctx;
    struct in_flight fl = { .w = w, .req = req, .t0 = clock_mono_us() };
    struct http_req r;
    size_t plen;

    (void)self;
    plen = (req->query_at != SIZE_MAX) ? req->query_at : req->path.len;
    if (framing_is_ambiguous(req)) {
        refuse_framing(req);
        if (w->o->access_log)
            log_info("access %.*s %.*s 400 (ambiguous framing: Content-Length with "
                     "Transfer-Encoding, or two lengths; connection closed)",
                     (int)req->method.len, req->method.base, (int)plen, req->path.base);
        return 0;
    }
    memset(&r, 0, sizeof(r));
    r.arena = &w->arena;
    r.worker = w->state;
    r.adapter = &fl;
    r.method = http_method_parse(req->method.base, req->method.len);
    r.method_str = arena_strndup(r.arena, req->method.base, req->method.len);
    r.path = req->path.base;
    r.path_len = plen;
    if (req->query_at != SIZE_MAX) {
        r.query = req->path.base + req->query_at + 1;
        r.query_len = req->path.len - req->query_at - 1;
    }
    r.body = req->entity.base ? req->entity.base : "";
    r.body_len = req->entity.base ? req->entity.len : 0;
    r.authorization = header_value(req, H2O_TOKEN_AUTHORIZATION, r.arena);
    r.req_content_type = header_value(req, H2O_TOKEN_CONTENT_TYPE, r.arena);
    r.range = header_value(req, H2O_TOKEN_RANGE, r.arena);
    r.if_none_match = header_value(req, H2O_TOKEN_IF_NONE_MATCH, r.arena);
    r.host = req->authority.base ? arena_strndup(r.arena, req->authority.base, req->authority.len)
                                 : NULL;
    r.ws_handshake = http_ws_is_handshake(req);
    peer_addr(req, r.peer, sizeof(r.peer));
    make_rid(w, r.rid, sizeof(r.rid));
    r.status = 500;

    w->o->handle(&r);

    if (fl.d == NULL && r.delay_ms > 0) {
        /* A held answer outlives this call: keep it in a deferred copy. */
        struct http_req *c = http_defer(&r);

        c->content_type = arena_strdup(c->arena, r.content_type);
        c->resp_body = arena_strndup(c->arena, r.resp_body, r.resp_len);
        for (int i = 0; i < r.nheaders; i++) {
            c->headers[i].name = arena_strdup(c->arena, r.headers[i].name);
            c->headers[i].value = arena_strdup(c->arena, r.headers[i].value);
        }
        hold(w, fl.d);
    } else if (fl.d == NULL) {
        if (r.ws_loop != NULL && r.status == 101 && r.ws_handshake)
            http_ws_upgrade(req, &r);
        else
            respond(req, &r);
        access_log(w, &r, fl.t0, false);
    }
    arena_reset(&w->arena);
    w->last_activity_us = clock_mono_us();
    return 0;
}

static void guard_dispose(void *p)
{
    struct defer_guard *g = p;

    if (g->d != NULL)
        g->d->req = NULL;
}

struct http_req *http_defer(struct http_req *r)
{
    struct in_flight *fl = r->adapter;
    struct deferred *d = xcalloc(1, sizeof(*d));
    struct arena *a = &d->arena;

    arena_init(a, 16384);
    d->r = *r;
    d->r.arena = a;
    d->r.adapter = NULL;
    d->r.method_str = arena_strdup(a, r->method_str);
    d->r.path = arena_strndup(a, r->path, r->path_len);
    d->r.query = r->query ? arena_strndup(a, r->query, r->query_len) : NULL;
    d->r.body = arena_strndup(a, r->body, r->body_len);
    d->r.authorization = arena_strdup(a, r->authorization);
    d->r.host = arena_strdup(a, r->host);
    d->r.req_content_type = arena_strdup(a, r->req_content_type);
    d->r.range = arena_strdup(a, r->range);
    d->r.if_none_match = arena_strdup(a, r->if_none_match);
    d->w = fl->w;
    d->req = fl->req;
    d->t0 = fl->t0;
    d->guard = h2o_mem_alloc_shared(&fl->req->pool, sizeof(*d->guard), guard_dispose);
    d->guard->d = d;
    fl->d = d;
    atomic_fetch_add(&d->w->deferred, 1);
    return &d->r;
}

void http_finish(struct http_req *copy)
{
    struct deferred *d = (struct deferred *)((char *)copy - offsetof(struct deferred, r));

    h2o_multithread_send_message(&d->w->finished, &d->msg);
}

/* On the loop thread: sends a deferred request's answer (if its client is
 * still there) and lets the copy go. */
static void deliver(struct worker *w, struct deferred *d)
{
    if (d->req != NULL) {
        d->guard->d = NULL;
        if (d->r.ws_loop != NULL && d->r.status == 101 && d->r.ws_handshake)
            http_ws_upgrade(d->req, &d->r);
        else
            respond(d->req, &d->r);
    } else if (d->r.ws_loop != NULL) {
        http_ws_abandon(&d->r);
    }
    access_log(w, &d->r, d->t0, d->req == NULL);
    arena_release(&d->arena);
    free(d);
    atomic_fetch_sub(&w->deferred, 1);
}

static void hold(struct worker *w, struct deferred *d)
{
    d->due_us = clock_mono_us() + d->r.delay_ms * 1000;
    d->r.delay_ms = 0;
    d->next_held = w->delayed;
    w->delayed = d;
    if (!h2o_timeout_is_linked(&w->tick_entry))
        h2o_timeout_link(w->ctx.loop, &w->tick, &w->tick_entry);
}

static void on_tick(h2o_timeout_entry_t *entry)
{
    struct worker *w = (struct worker *)((char *)entry - offsetof(struct worker, tick_entry));
    struct deferred **p = &w->delayed;
    int64_t now = clock_mono_us();

    while (*p != NULL) {
        struct deferred *d = *p;

        if (d->due_us > now) {
            p = &d->next_held;
            continue;
        }
        *p = d->next_held;
        deliver(w, d);
    }
    if (w->delayed != NULL)
        h2o_timeout_link(w->ctx.loop, &w->tick, &w->tick_entry);
}

/* On the loop thread: answers the deferred requests that were finished. */
static void on_finished(h2o_multithread_receiver_t *recv, h2o_linklist_t *messages)
{
    struct worker *w = (struct worker *)((char *)recv - offsetof(struct worker, finished));

    while (!h2o_linklist_is_empty(messages)) {
        h2o_multithread_message_t *m =
            H2O_STRUCT_FROM_MEMBER(h2o_multithread_message_t, link, messages->next);
        struct deferred *d = (struct deferred *)m;

        h2o_linklist_unlink(&m->link);
        if (d->r.delay_ms > 0)
            hold(w, d);
        else
            deliver(w, d);
    }
    w->last_activity_us = clock_mono_us();
}

/* Serves until *stop, then drains: the listener closes at once, requests
 * already on open connections are answered, and the loop ends when every
 * connection is gone or none has been active for a while. */
static void *worker_main(void *arg)
{
    struct worker *w = arg;
    h2o_evloop_t *loop = h2o_evloop_create();
    /* A connection quiet this long after the stop holds no request in flight
     * (a client still sending its body is not quiet under load for a second). */
    const int64_t quiet_us = 1000000;
    int64_t deadline;

    /* The context is made, and disposed of, on its own thread: its sockets
     * take their buffers from this thread's allocator (h2o's socket buffer
     * prototype is thread-local), and the message queue's socket reads. */
    h2o_context_init(&w->ctx, loop, w->config);
    w->accept_ctx.ctx = &w->ctx;
    w->accept_ctx.hosts = w->config->hosts;
    h2o_multithread_register_receiver(w->ctx.queue, &w->finished, on_finished);
    h2o_timeout_init(loop, &w->tick, 10);
    w->tick_entry.cb = on_tick;
    /* Out of descriptors, a loop could not be made (h2o aborts): the
     * accepting starts once every worker has its own. */
    pthread_barrier_wait(w->ready);
    http_acceptor_start(&w->acceptor, loop, w->listen_fd, &w->accept_ctx, w->gate);
    while (!*w->stop)
        h2o_evloop_run(loop, 100); /* -1 on EINTR: the flag decides */

    http_acceptor_stop(&w->acceptor);
    h2o_context_request_shutdown(&w->ctx);
    deadline = clock_mono_us() + w->o->shutdown_timeout_ms * 1000;
    w->last_activity_us = clock_mono_us();
    while (clock_mono_us() < deadline
           && (atomic_load(&w->deferred) > 0
               || (!h2o_linklist_is_empty(&w->ctx.http1._conns)
                   && clock_mono_us() - w->last_activity_us < quiet_us)))
        h2o_evloop_run(loop, 10);
    /* A deferred request is answered through this worker's queue and loop:
     * they must outlive it. Past the timeout its owner fails what has not
     * started, and what runs is waited for. */
    if (atomic_load(&w->deferred) > 0) {
        log_warn("shutdown: %d deferred requests still running after %lld ms",
                 atomic_load(&w->deferred), (long long)w->o->shutdown_timeout_ms);
        if (w->o->drain_timeout != NULL)
            w->o->drain_timeout(w->o->userdata);
        /* Answers held back go out now. */
        while (w->delayed != NULL) {
            struct deferred *d = w->delayed;

            w->delayed = d->next_held;
            deliver(w, d);
        }
        while (atomic_load(&w->deferred) > 0)
            h2o_evloop_run(loop, 10);
    }
    /* Let deferred closes and zero-delay timers run, so the context is empty
     * when it is disposed. */
    for (int i = 0; i < 5; i++)
        h2o_evloop_run(loop, 1);
    /* request_shutdown armed HTTP/2's graceful-shutdown timer; HTTP/2 is
     * off, and an armed timer makes h2o_context_dispose abort. */
    if (h2o_timeout_is_linked(&w->ctx.http2._graceful_shutdown_timeout))
        h2o_timeout_unlink(&w->ctx.http2._graceful_shutdown_timeout);
    /* A context whose connections outlived the drain still holds their
     * timers, and one with deferred requests unanswered may still get
     * them: it dies with the process instead of being disposed. */
    if (h2o_linklist_is_empty(&w->ctx.http1._conns) && atomic_load(&w->deferred) == 0) {
        h2o_multithread_unregister_receiver(w->ctx.queue, &w->finished);
        if (h2o_timeout_is_linked(&w->tick_entry))
            h2o_timeout_unlink(&w->tick_entry);
        h2o_timeout_dispose(loop, &w->tick);
        h2o_context_dispose(&w->ctx);
        http_acceptor_dispose(&w->acceptor);
        h2o_evloop_destroy(loop);
    }
    return NULL;
}

int http_server_run(const struct http_server_opts *o, volatile sig_atomic_t *stop)
{
    h2o_globalconf_t config;
    h2o_hostconf_t *hostconf;
    h2o_pathconf_t *pathconf;
    struct qz_handler *handler;
    struct qz_filter *filter;
    struct http_gate gate;
    struct worker *workers;
    pthread_barrier_t ready;
    int rc = 0;

    h2o_config_init(&config);
    config.server_name = h2o_iovec_init(H2O_STRLIT("qunzu"));
    config.max_request_entity_size = o->body_limit_hard;
    config.http1.upgrade_to_http2 = 0;
    hostconf = h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    pathconf = h2o_config_register_path(hostconf, "/", 0);
    handler = (struct qz_handler *)h2o_create_handler(pathconf, sizeof(*handler));
    handler->super.on_req = on_req;
    /* h2o answers some requests itself (413, say) from the fallback path. */
    filter = (struct qz_filter *)h2o_create_filter(pathconf, sizeof(*filter));
    filter->super.on_setup_ostream = on_setup_ostream;
    filter = (struct qz_filter *)h2o_create_filter(&hostconf->fallback_path, sizeof(*filter));
    filter->super.on_setup_ostream = on_setup_ostream;
    http_gate_init(&gate, o->max_connections, o->threads);

    workers = xcalloc((size_t)o->threads, sizeof(*workers));
    for (int i = 0; i < o->threads; i++) {
        struct worker *w = &workers[i];

        w->idx = i;
        w->o = o;
        w->stop = stop;
        w->gate = &gate;
        w->ready = &ready;
        w->listen_fd = fcntl(o->listen_fd, F_DUPFD_CLOEXEC, 0);
        if (w->listen_fd < 0) {
            log_error("cannot share the listening socket: %s", strerror(errno));
            rc = -1;
            for (int j = 0; j < i; j++)
                close(workers[j].listen_fd);
            close(o->listen_fd);
            goto out;
        }
    }
    /* The workers' copies are the listener now: when the last is closed at
     * shutdown, new connections are refused at once. */
    close(o->listen_fd);
    for (int i = 0; i < o->threads; i++) {
        struct worker *w = &workers[i];

        arena_init(&w->arena, 16384);
        ids_random(&w->rid_base, sizeof(w->rid_base));
        w->config = &config;
        w->state = o->worker_open ? o->worker_open(o->userdata, i) : NULL;
        if (o->worker_open != NULL && w->state == NULL) {
            log_error("cannot start worker %d", i);
            *stop = 1;
        }
    }
    if (!*stop && o->on_listening != NULL)
        o->on_listening(o->userdata, o->host, o->port);
    pthread_barrier_init(&ready, NULL, (unsigned)o->threads);
    for (int i = 0; i < o->threads; i++)
        pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]);
    for (int i = 0; i < o->threads; i++)
        pthread_join(workers[i].thread, NULL);
    pthread_barrier_destroy(&ready);
    for (int i = 0; i < o->threads; i++) {
        struct worker *w = &workers[i];

        if (o->worker_close != NULL && w->state != NULL)
            o->worker_close(o->userdata, w->state);
        arena_release(&w->arena);
    }
out:
    free(workers);
    h2o_config_dispose(&config);
    return rc;
}
