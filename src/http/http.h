/* SPDX-License-Identifier: MIT */
/*
 * http/http.h - the HTTP adapter over libh2o (evloop backend).
 *
 * It knows no dialect: it accepts connections on N worker threads, buffers
 * each request body, hands a struct http_req to one handler callback, sends
 * what the handler set, and writes the access log line. Routing by dialect is
 * the caller's business (dialect/dialect.c); http_path_match is the shared
 * path-pattern matcher for route tables.
 */
#ifndef QZ_HTTP_H
#define QZ_HTTP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;

enum http_method { HTTP_OTHER = 0, HTTP_GET, HTTP_POST, HTTP_PUT, HTTP_PATCH, HTTP_DELETE };

#define HTTP_MAX_HEADERS 8
#define HTTP_MAX_PARAMS 4

struct http_header {
    const char *name; /* any case: sent in canonical case (X-Tt-Logid) */
    const char *value;
};

struct http_req {
    /* Request, valid until the handler returns. */
    enum http_method method;
    const char *method_str;
    const char *path; /* without the query, not NUL-terminated */
    size_t path_len;
    const char *query; /* after '?', or NULL */
    size_t query_len;
    const char *body;
    size_t body_len;
    const char *authorization; /* Authorization header value, or NULL */
    const char *host;          /* Host header value, or NULL */
    const char *req_content_type; /* Content-Type header value, or NULL */
    const char *range;            /* Range header value, or NULL */
    const char *if_none_match;    /* If-None-Match header value, or NULL */
    char peer[64];             /* client IP address */
    char rid[32];              /* request id: 25 decimal digits */
    struct arena *arena;       /* request memory, reset after the response */
    void *worker;              /* the worker's state from worker_open */
    bool ws_handshake;         /* a WebSocket upgrade (GET, Upgrade, key; HTTP/1.1) */

    /* Response, set by the handler. */
    int status;
    const char *content_type;
    const char *resp_body;
    size_t resp_len;
    struct http_header headers[HTTP_MAX_HEADERS];
    int nheaders;
    /* For the access log: the dialect's own result code. */
    long log_code;
    bool log_code_set;
    /* For observers (metrics, the request inspector), set by the handler:
     * the route (an address that names it, with static strings for its
     * dialect, method and pattern; NULL: none matched) and the tenant the
     * request was for (0: none known). */
    const void *route_id;
    const char *dialect_label, *method_label, *route_label;
    int64_t tenant;
    /* Set by the handler: hold the answer this long (a fault rule's slow
     * answer), or send none and close the connection. */
    int64_t delay_ms;
    bool drop;

    void *adapter; /* the adapter's own; see http_defer */
    /* Set by http_ws_accept (http_ws.h): answer 101 and hand the socket over. */
    struct http_ws_loop *ws_loop;
    void *ws_arg;
};

typedef void (*http_handler_fn)(struct http_req *r);

struct http_server_opts {
    const char *host; /* host and bound port, for on_listening */
    int port;
    int listen_fd; /* from http_listen; http_server_run closes it */
    int threads;
    int64_t max_connections; /* open at once; 0: from the descriptor limit */
    size_t body_limit;      /* bodies up to this reach the handler */
    size_t body_limit_hard; /* above this h2o refuses with a plain 413 */
    int64_t shutdown_timeout_ms;
    bool access_log;
    void *userdata;
    /* Called on each worker thread before it serves; returns its state. */
    void *(*worker_open)(void *userdata, int idx);
    void (*worker_close)(void *userdata, void *worker);
    http_handler_fn handle;
    /* Called on a worker thread when the shutdown timeout passed with
     * deferred requests unanswered: it must make every one of them
     * finished soon (fail what has not started); the worker waits for
     * them, since their http_finish needs it. May be called by several
     * workers. */
    void (*drain_timeout)(void *userdata);
    /* Optional: called on the worker thread after each answer is sent (or
     * found unsendable, the client gone), with what the handler set and the
     * time since the request was read. */
    void (*observe)(void *userdata, const struct http_req *r, int64_t latency_us);
    /* Called once, when every worker is ready, with the bound port. */
    void (*on_listening)(void *userdata, const char *host, int port);
};

/* Binds and listens on host:port (0: any free port; '*bound' gets the port).
 * Without SO_REUSEPORT: a port another process holds is refused (logged),
 * so two servers never split one port's connections. Returns the socket,
 * or -1. */
int http_listen(const char *host, int port, int *bound);

/* Runs until '*stop' becomes non-zero (set it from a signal handler), then
 * stops accepting, lets in-flight requests finish (up to the timeout) and
 * returns 0. Returns -1 if a worker cannot be set up. */
int http_server_run(const struct http_server_opts *o, volatile sig_atomic_t *stop);

void http_add_header(struct http_req *r, const char *name, const char *value);

/* HTTP connections this process has open now (those taken over for long
 * connections are no longer counted). */
int64_t http_open_connections(void);

/* Answering later. A handler that hands the request to another thread calls
 * http_defer(): it returns a copy of the request whose strings live in an
 * arena of its own (so the copy outlives the handler and the connection),
 * and the adapter sends nothing when the handler returns. Set the copy's
 * response fields on any thread, then call http_finish(copy): the answer
 * goes out on the request's own event loop (or nowhere, if the client has
 * gone) and the copy is freed. */
struct http_req *http_defer(struct http_req *r);
void http_finish(struct http_req *copy);

/* Matches 'path' against 'pattern' segment by segment; ":name" segments match
 * one non-empty segment, captured into params (arena strings, percent-decoded
 * as str_url_decode does). Returns false on mismatch. */
bool http_path_match(const char *pattern, const char *path, size_t len, struct arena *a,
                     const char **params, int *nparams);

enum http_method http_method_parse(const char *s, size_t n);

/* RFC 9112 §6.1 and §6.3: true when the request head 'head' (its request
 * line, header lines and empty line; 'len' may run past it) frames its body
 * ambiguously: Transfer-Encoding with Content-Length, or Content-Length
 * values that disagree. A proxy in front may frame such a request otherwise
 * than we do (request smuggling): it gets 400 and the connection closes. */
bool http_head_framing_ambiguous(const char *head, size_t len);

#endif
