/* SPDX-License-Identifier: MIT */
/*
 * http/http_int.h - the one place libh2o is included. H2O_USE_LIBUV must be
 * 0 before <h2o.h>, or the headers assume libuv and struct layouts silently
 * stop matching libh2o-evloop (docs/dependencies.md, "h2o traps").
 */
#ifndef QZ_HTTP_INT_H
#define QZ_HTTP_INT_H

#define H2O_USE_LIBUV 0
#include <h2o.h>

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* http_accept.c: the connection cap, shared by every worker. */
struct http_gate {
    int cap;                 /* connections open at once, at most */
    atomic_int open;         /* connections open now */
    atomic_llong next_log_us; /* the next "paused" line, not before */
    atomic_int pauses;       /* pauses since the last such line */
};

/* One worker's watch on the shared listening socket. */
struct http_acceptor {
    h2o_evloop_t *loop;
    h2o_socket_t *listener; /* NULL once stopped */
    h2o_accept_ctx_t *accept_ctx;
    struct http_gate *gate;
    h2o_timeout_t retry;
    h2o_timeout_entry_t retry_entry;
    bool paused;
};

/* The cap: 'configured' if above 0, else the descriptor limit less a
 * reserve for 'threads' workers' databases, logs and deliveries. */
void http_gate_init(struct http_gate *g, int64_t configured, int threads);
/* Watches 'fd' (a duplicate of the listening socket, which it then owns)
 * on 'loop'. */
void http_acceptor_start(struct http_acceptor *a, h2o_evloop_t *loop, int fd,
                         h2o_accept_ctx_t *ctx, struct http_gate *g);
/* Stops accepting and closes its descriptor; connections stay. */
void http_acceptor_stop(struct http_acceptor *a);
/* Releases the retry timer; before the loop is destroyed. */
void http_acceptor_dispose(struct http_acceptor *a);

struct http_req;

/* http_ws.c: whether 'req' is a WebSocket handshake h2o can upgrade, and
 * the 101 answer that hands the socket to the handler's WebSocket loop. */
bool http_ws_is_handshake(h2o_req_t *req);
void http_ws_upgrade(h2o_req_t *req, struct http_req *r);
/* An accepted handshake whose client left before the answer: the loop's
 * open() gets no connection and frees what the handler gave it. */
void http_ws_abandon(struct http_req *r);

#endif
