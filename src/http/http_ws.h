/* SPDX-License-Identifier: MIT */
/*
 * http/http_ws.h - WebSocket connections on a loop of their own.
 *
 * A handler accepts a WebSocket handshake with http_ws_accept(): the worker
 * answers 101 (h2o's HTTP/1 upgrade), detaches the socket from its loop and
 * hands it to a WebSocket loop: a thread with its own libh2o event loop on
 * which wslay (Debian's libwslay) does all the framing. Everything about a
 * connection then happens on that thread, through the callbacks below;
 * http_ws_send/close/pause may only be called there.
 */
#ifndef QZ_HTTP_WS_H
#define QZ_HTTP_WS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct http_req;
struct http_ws_loop;
struct http_ws_conn;

struct http_ws_ops {
    /* A connection arrived with the handler's 'arg'; c is NULL when the
     * upgrade failed (the client went away): free what arg holds. */
    void (*open)(void *ud, struct http_ws_conn *c, void *arg);
    /* One complete text or binary message. */
    void (*message)(void *ud, struct http_ws_conn *c, const uint8_t *data, size_t len,
                    bool binary);
    /* The connection is gone (peer closed, error, http_ws_close done, loop
     * stopping); c is freed after this returns. */
    void (*closed)(void *ud, struct http_ws_conn *c);
    /* Every tick_ms on the loop thread. */
    void (*tick)(void *ud);
};

/* Starts the loop thread. Messages above 'max_msg' bytes close the
 * connection (1009). NULL on failure. */
struct http_ws_loop *http_ws_loop_start(const struct http_ws_ops *ops, void *ud, int tick_ms,
                                        size_t max_msg);
/* Closes every connection (closed() runs for each) and joins the thread. */
void http_ws_loop_stop(struct http_ws_loop *l);

/* In a handler, for a request with r->ws_handshake: answer 101 and hand the
 * connection to 'l' with 'arg' (given to open()). */
void http_ws_accept(struct http_req *r, struct http_ws_loop *l, void *arg);

/* On the loop thread. send queues one binary message; close sends a close
 * frame with 'code' and drops the connection once it is written; pause
 * stops reading and writing (a peer sees a silent, open socket) until
 * resumed. */
void http_ws_send(struct http_ws_conn *c, const void *data, size_t len);
void http_ws_close(struct http_ws_conn *c, uint16_t code);
void http_ws_pause(struct http_ws_conn *c, bool paused);
void http_ws_set_user(struct http_ws_conn *c, void *user);
void *http_ws_user(const struct http_ws_conn *c);

#endif
