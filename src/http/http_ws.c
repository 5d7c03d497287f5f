/* SPDX-License-Identifier: MIT */
/*
 * http/http_ws.c - WebSocket connections (http_ws.h): the 101 answer and
 * the socket's move from a worker's loop to the WebSocket loop, and wslay
 * driven over h2o sockets there. wslay frames, unmasks, answers pings and
 * close frames; this file only moves bytes between it and the socket.
 */
#include "http/http_ws.h"
#include "http/http.h"
#include "http/http_int.h"

#include "core/arena.h"
#include "core/clock.h"

#include <h2o/websocket.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wslay/wslay.h>

#define OUT_HIGH_WATER (8u << 20) /* bytes queued for a socket before wslay waits */

struct http_ws_loop {
    const struct http_ws_ops *ops;
    void *ud;
    int tick_ms;
    size_t max_msg;
    h2o_evloop_t *loop;
    h2o_multithread_queue_t *queue;
    h2o_multithread_receiver_t incoming;
    h2o_linklist_t conns;
    atomic_int stop;
    pthread_t thread;
};

struct http_ws_conn {
    h2o_linklist_t link;
    struct http_ws_loop *l;
    h2o_socket_t *sock;
    wslay_event_context_ptr ws;
    void *user;
    char *out, *inflight; /* bytes wslay produced; bytes being written */
    size_t out_len, out_cap;
    bool writing, reading, paused, closing, dead, dirty;
};

/* A socket on its way from a worker to the loop. */
struct handoff {
    h2o_multithread_message_t msg;
    int fd;
    void *arg;
    size_t len;
    uint8_t data[]; /* bytes the client sent after the handshake */
};

struct upgrade {
    struct http_ws_loop *l;
    void *arg;
};

/* --- wslay over an h2o socket --------------------------------------------- */

static ssize_t on_wslay_recv(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags,
                             void *user)
{
    struct http_ws_conn *c = user;
    h2o_buffer_t *in = c->sock->input;

    (void)flags;
    if (in->size == 0) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    if (len > in->size)
        len = in->size;
    memcpy(buf, in->bytes, len);
    h2o_buffer_consume(&c->sock->input, len);
    return (ssize_t)len;
}

static ssize_t on_wslay_send(wslay_event_context_ptr ctx, const uint8_t *data, size_t len,
                             int flags, void *user)
{
    struct http_ws_conn *c = user;

    (void)flags;
    if (c->out_len >= OUT_HIGH_WATER) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    if (c->out_len + len > c->out_cap) {
        size_t cap = c->out_cap ? c->out_cap : 4096;

        while (cap < c->out_len + len)
            cap *= 2;
        c->out = realloc(c->out, cap);
        if (c->out == NULL)
            abort(); /* as xcalloc: out of memory is not survivable */
        c->out_cap = cap;
    }
    memcpy(c->out + c->out_len, data, len);
    c->out_len += len;
    return (ssize_t)len;
}

static void on_wslay_msg(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *m,
                         void *user)
{
    struct http_ws_conn *c = user;

    (void)ctx;
    if (c->closing || (m->opcode != WSLAY_TEXT_FRAME && m->opcode != WSLAY_BINARY_FRAME))
        return; /* control frames: wslay answers pings and close frames itself */
    c->l->ops->message(c->l->ud, c, m->msg, m->msg_length, m->opcode == WSLAY_BINARY_FRAME);
}

static void dispose(struct http_ws_conn *c)
{
    if (c->dead)
        return;
    c->dead = true;
    c->l->ops->closed(c->l->ud, c);
    h2o_linklist_unlink(&c->link);
    wslay_event_context_free(c->ws);
    h2o_socket_close(c->sock);
    free(c->out);
    free(c->inflight);
    free(c);
}

static void proceed(struct http_ws_conn *c);

static void on_write(h2o_socket_t *sock, const char *err)
{
    struct http_ws_conn *c = sock->data;

    c->writing = false;
    free(c->inflight);
    c->inflight = NULL;
    if (err != NULL) {
        dispose(c);
        return;
    }
    proceed(c);
}

static void on_read(h2o_socket_t *sock, const char *err)
{
    struct http_ws_conn *c = sock->data;

    if (err != NULL) {
        dispose(c);
        return;
    }
    proceed(c);
}

/* Moves bytes until nothing moves: input into wslay (unless paused), wslay's
 * output onto the socket. Drops the connection when wslay is done with it
 * (a close exchanged, a protocol error) or a close we sent is written. */
static void proceed(struct http_ws_conn *c)
{
    c->dirty = false;
    if (!c->paused && c->sock->input->size > 0 && wslay_event_want_read(c->ws)
        && wslay_event_recv(c->ws) != 0) {
        dispose(c);
        return;
    }
    if (!c->paused && wslay_event_want_write(c->ws) && wslay_event_send(c->ws) != 0) {
        dispose(c);
        return;
    }
    if (!c->writing && c->out_len > 0) {
        h2o_iovec_t buf = h2o_iovec_init(c->out, c->out_len);

        c->inflight = c->out;
        c->out = NULL;
        c->out_len = c->out_cap = 0;
        c->writing = true;
        h2o_socket_write(c->sock, &buf, 1, on_write);
        return;
    }
    if (c->writing)
        return;
    if (c->closing || (!wslay_event_want_read(c->ws) && !wslay_event_want_write(c->ws))) {
        dispose(c);
        return;
    }
    if (c->paused && c->reading)
        h2o_socket_read_stop(c->sock);
    else if (!c->paused && !c->reading)
        h2o_socket_read_start(c->sock, on_read);
    c->reading = !c->paused;
}

void http_ws_send(struct http_ws_conn *c, const void *data, size_t len)
{
    struct wslay_event_msg m = { WSLAY_BINARY_FRAME, data, len };

    if (c->closing || c->paused)
        return;
    wslay_event_queue_msg(c->ws, &m);
    c->dirty = true;
}

void http_ws_close(struct http_ws_conn *c, uint16_t code)
{
    if (c->closing)
        return;
    c->paused = false;
    wslay_event_queue_close(c->ws, code, NULL, 0);
    wslay_event_send(c->ws);
    c->closing = true;
    c->dirty = true;
}

void http_ws_pause(struct http_ws_conn *c, bool paused)
{
    if (c->closing)
        return;
    c->paused = paused;
    c->dirty = true;
}

void http_ws_set_user(struct http_ws_conn *c, void *user)
{
    c->user = user;
}

void *http_ws_user(const struct http_ws_conn *c)
{
    return c->user;
}

/* --- the loop --------------------------------------------------------------- */

static const struct wslay_event_callbacks wslay_cbs = {
    .recv_callback = on_wslay_recv,
    .send_callback = on_wslay_send,
    .on_msg_recv_callback = on_wslay_msg,
};

static void adopt(struct http_ws_loop *l, struct handoff *h)
{
    struct http_ws_conn *c;

    if (h->fd < 0) {
        l->ops->open(l->ud, NULL, h->arg);
        return;
    }
    c = xcalloc(1, sizeof(*c));
    c->l = l;
    /* Not H2O_SOCKET_FLAG_DONT_READ: that flag (a listener's) makes the
     * loop only signal readiness, never read. */
    c->sock = h2o_evloop_socket_create(l->loop, h->fd, 0);
    c->sock->data = c;
    if (h->len > 0) {
        h2o_buffer_reserve(&c->sock->input, h->len);
        memcpy(c->sock->input->bytes + c->sock->input->size, h->data, h->len);
        c->sock->input->size += h->len;
    }
    wslay_event_context_server_init(&c->ws, &wslay_cbs, c);
    wslay_event_config_set_max_recv_msg_length(c->ws, l->max_msg);
    h2o_linklist_insert(&l->conns, &c->link);
    l->ops->open(l->ud, c, h->arg);
    proceed(c);
}

static void on_incoming(h2o_multithread_receiver_t *recv, h2o_linklist_t *messages)
{
    struct http_ws_loop *l = H2O_STRUCT_FROM_MEMBER(struct http_ws_loop, incoming, recv);

    while (!h2o_linklist_is_empty(messages)) {
        struct handoff *h = H2O_STRUCT_FROM_MEMBER(struct handoff, msg.link, messages->next);

        h2o_linklist_unlink(&h->msg.link);
        adopt(l, h);
        free(h);
    }
}

/* Flushes what the callbacks queued on any connection. */
static void flush_dirty(struct http_ws_loop *l)
{
    h2o_linklist_t *n = l->conns.next;

    while (n != &l->conns) {
        struct http_ws_conn *c = H2O_STRUCT_FROM_MEMBER(struct http_ws_conn, link, n);

        n = n->next; /* proceed may dispose c */
        if (c->dirty)
            proceed(c);
    }
}

static void *loop_main(void *arg)
{
    struct http_ws_loop *l = arg;
    int64_t next_tick = clock_mono_us();

    while (!atomic_load(&l->stop)) {
        h2o_evloop_run(l->loop, 10);
        flush_dirty(l);
        if (clock_mono_us() >= next_tick) {
            next_tick = clock_mono_us() + (int64_t)l->tick_ms * 1000;
            l->ops->tick(l->ud);
            flush_dirty(l);
        }
    }
    while (!h2o_linklist_is_empty(&l->conns))
        dispose(H2O_STRUCT_FROM_MEMBER(struct http_ws_conn, link, l->conns.next));
    for (int i = 0; i < 5; i++)
        h2o_evloop_run(l->loop, 1);
    h2o_multithread_unregister_receiver(l->queue, &l->incoming);
    h2o_multithread_destroy_queue(l->queue);
    h2o_evloop_destroy(l->loop);
    return NULL;
}

struct http_ws_loop *http_ws_loop_start(const struct http_ws_ops *ops, void *ud, int tick_ms,
                                        size_t max_msg)
{
    struct http_ws_loop *l = xcalloc(1, sizeof(*l));

    l->ops = ops;
    l->ud = ud;
    l->tick_ms = tick_ms;
    l->max_msg = max_msg;
    h2o_linklist_init_anchor(&l->conns);
    l->loop = h2o_evloop_create();
    l->queue = h2o_multithread_create_queue(l->loop);
    h2o_multithread_register_receiver(l->queue, &l->incoming, on_incoming);
    if (pthread_create(&l->thread, NULL, loop_main, l) != 0) {
        h2o_multithread_unregister_receiver(l->queue, &l->incoming);
        h2o_multithread_destroy_queue(l->queue);
        h2o_evloop_destroy(l->loop);
        free(l);
        return NULL;
    }
    return l;
}

void http_ws_loop_stop(struct http_ws_loop *l)
{
    if (l == NULL)
        return;
    atomic_store(&l->stop, 1);
    pthread_join(l->thread, NULL);
    free(l);
}

/* --- the handshake, on a worker ------------------------------------------- */

void http_ws_accept(struct http_req *r, struct http_ws_loop *l, void *arg)
{
    r->status = 101;
    r->ws_loop = l;
    r->ws_arg = arg;
}

/* Sec-WebSocket-Accept: base64(SHA-1(key || the RFC 6455 GUID)). */
static void accept_key(const char *key, size_t len, char out[29])
{
    static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_MD_CTX *x = EVP_MD_CTX_new();

    EVP_DigestInit_ex(x, EVP_sha1(), NULL);
    EVP_DigestUpdate(x, key, len);
    EVP_DigestUpdate(x, guid, sizeof(guid) - 1);
    EVP_DigestFinal_ex(x, md, &mdlen);
    EVP_MD_CTX_free(x);
    EVP_EncodeBlock((unsigned char *)out, md, (int)mdlen);
}

/* On the worker, once the 101 is written: the socket leaves this loop for
 * the WebSocket loop. Its input buffer belongs to this thread's allocator,
 * so the bytes already read are copied and the buffer freed here. */
static void on_upgraded(void *data, h2o_socket_t *sock, size_t reqsize)
{
    struct upgrade *u = data;
    struct handoff *h;
    h2o_socket_export_t info;
    size_t len = 0;

    if (sock != NULL) {
        h2o_buffer_consume(&sock->input, reqsize);
        len = sock->input->size;
    }
    h = xcalloc(1, sizeof(*h) + len);
    h->arg = u->arg;
    h->fd = -1;
    if (sock != NULL) {
        h->len = len;
        if (len > 0)
            memcpy(h->data, sock->input->bytes, len);
        if (h2o_socket_export(sock, &info) == 0) {
            h2o_buffer_dispose(&info.input);
            h->fd = info.fd;
        }
    }
    h2o_multithread_send_message(&u->l->incoming, &h->msg);
    free(u);
}

bool http_ws_is_handshake(h2o_req_t *req)
{
    const char *key = NULL;

    return req->version < 0x200 && h2o_is_websocket_handshake(req, &key) == 0 && key != NULL;
}

void http_ws_upgrade(h2o_req_t *req, struct http_req *r)
{
    struct upgrade *u = xcalloc(1, sizeof(*u));
    ssize_t i = h2o_find_header_by_str(&req->headers, H2O_STRLIT("sec-websocket-key"), -1);
    char *acc = h2o_mem_alloc_pool(&req->pool, 29);

    accept_key(req->headers.entries[i].value.base, req->headers.entries[i].value.len, acc);
    u->l = r->ws_loop;
    u->arg = r->ws_arg;
    req->res.status = 101;
    req->res.reason = "Switching Protocols";
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_UPGRADE, NULL, H2O_STRLIT("websocket"));
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("sec-websocket-accept"), 0,
                          NULL, acc, strlen(acc));
    h2o_http1_upgrade(req, NULL, 0, on_upgraded, u);
}

void http_ws_abandon(struct http_req *r)
{
    struct handoff *h = xcalloc(1, sizeof(*h));

    h->fd = -1;
    h->arg = r->ws_arg;
    h2o_multithread_send_message(&r->ws_loop->incoming, &h->msg);
}
