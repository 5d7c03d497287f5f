/* SPDX-License-Identifier: MIT */
/*
 * http/http_int.h - the one place libh2o is included. H2O_USE_LIBUV must be
 * 0 before <h2o.h>, or the headers assume libuv and struct layouts silently
 * stop matching libh2o-evloop (DEPENDENCIES.md, "h2o traps").
 */
#ifndef QZ_HTTP_INT_H
#define QZ_HTTP_INT_H

#define H2O_USE_LIBUV 0
#include <h2o.h>

#include <stdbool.h>

struct http_req;

/* http_ws.c: whether 'req' is a WebSocket handshake h2o can upgrade, and
 * the 101 answer that hands the socket to the handler's WebSocket loop. */
bool http_ws_is_handshake(h2o_req_t *req);
void http_ws_upgrade(h2o_req_t *req, struct http_req *r);
/* An accepted handshake whose client left before the answer: the loop's
 * open() gets no connection and frees what the handler gave it. */
void http_ws_abandon(struct http_req *r);

#endif
