/* SPDX-License-Identifier: MIT */
/*
 * http/http_accept.c - the listening socket and the connection cap.
 *
 * One socket is bound, without SO_REUSEPORT, so a second process cannot bind
 * the port beside us and take a share of the connections: it gets
 * EADDRINUSE and refuses to start. The workers share that socket (each
 * watches its own duplicate of the descriptor; whichever loop is free
 * accepts, the others see EAGAIN).
 *
 * The process accepts at most 'cap' connections at once. At the cap, or
 * when accept fails for want of descriptors or memory, a worker stops
 * watching the listener (level-triggered: watching it would wake the loop
 * at once, again and again) and starts again when one of its connections
 * closes or after a short timer, whichever comes first. Connections that
 * arrive meanwhile wait in the kernel's backlog.
 */
#include "http/http_int.h"

#include "core/clock.h"
#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

enum {
    ACCEPT_RETRY_MS = 100,          /* a paused worker looks again after this */
    ACCEPT_LOG_EVERY_US = 10000000, /* at most one "paused" line per 10 s */
    ACCEPT_RESERVE_BASE = 64,       /* descriptors kept from connections... */
    ACCEPT_RESERVE_PER_THREAD = 16, /* ...for databases, logs, deliveries */
    ACCEPT_CAP_FLOOR = 8,
};

int http_listen(const char *host, int port, int *bound)
{
    struct addrinfo hints, *res = NULL;
    struct sockaddr_storage ss;
    socklen_t sslen = sizeof(ss);
    char portstr[16];
    int fd = -1, on = 1, rc;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    snprintf(portstr, sizeof(portstr), "%d", port);
    rc = getaddrinfo(host, portstr, &hints, &res);
    if (rc != 0) {
        log_error("cannot resolve listen address '%s': %s", host, gai_strerror(rc));
        return -1;
    }
    /* SO_REUSEADDR only lets a restart bind while old connections linger in
     * TIME_WAIT; on Linux it never lets two sockets listen on one port. */
    fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0
        || bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0
        || getsockname(fd, (struct sockaddr *)&ss, &sslen) != 0) {
        int e = errno;

        if (e == EADDRINUSE)
            log_error("cannot listen on '%s:%d': the port is taken by another process "
                      "(is another qunzu running?)",
                      host, port);
        else
            log_error("cannot listen on '%s:%d': %s", host, port, strerror(e));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(res);
        return -1;
    }
    freeaddrinfo(res);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    *bound = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                            : ((struct sockaddr_in *)&ss)->sin_port);
    return fd;
}

void http_gate_init(struct http_gate *g, int64_t configured, int threads)
{
    struct rlimit rl;
    int64_t room = INT32_MAX;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        room = (int64_t)rl.rlim_cur - ACCEPT_RESERVE_BASE
               - (int64_t)ACCEPT_RESERVE_PER_THREAD * threads;
    if (room < ACCEPT_CAP_FLOOR)
        room = ACCEPT_CAP_FLOOR;
    if (room > INT32_MAX)
        room = INT32_MAX;
    g->cap = (int)(configured > 0 ? configured : room);
    if (configured > room)
        log_warn("max_connections = %lld leaves fewer than %d descriptors of the limit "
                 "(ulimit -n) for the database, logs and deliveries: accepting will pause "
                 "when descriptors run out",
                 (long long)configured,
                 ACCEPT_RESERVE_BASE + ACCEPT_RESERVE_PER_THREAD * threads);
    log_info("accepting up to %d connections at once", g->cap);
    atomic_init(&g->open, 0);
    atomic_init(&g->next_log_us, 0);
    atomic_init(&g->pauses, 0);
}

/* One line per ACCEPT_LOG_EVERY_US for the whole process, however many
 * workers pause how often. */
static void gate_log(struct http_gate *g, const char *why)
{
    long long now = clock_mono_us(), next = atomic_load(&g->next_log_us);
    int n = atomic_fetch_add(&g->pauses, 1) + 1;

    if (now < next || !atomic_compare_exchange_strong(&g->next_log_us, &next,
                                                      now + ACCEPT_LOG_EVERY_US))
        return;
    atomic_fetch_sub(&g->pauses, n);
    log_warn("not accepting connections for now: %s (%d open, max_connections %d; "
             "%d pause%s since the last such line); waiting connections stay queued",
             why, atomic_load(&g->open), g->cap, n, n == 1 ? "" : "s");
}

static void on_accept(h2o_socket_t *listener, const char *err);

static void acceptor_resume(struct http_acceptor *a)
{
    if (h2o_timeout_is_linked(&a->retry_entry))
        h2o_timeout_unlink(&a->retry_entry);
    if (!a->paused || a->listener == NULL)
        return;
    a->paused = false;
    h2o_socket_read_start(a->listener, on_accept);
}

static void on_retry(h2o_timeout_entry_t *entry)
{
    acceptor_resume(H2O_STRUCT_FROM_MEMBER(struct http_acceptor, retry_entry, entry));
}

static void acceptor_pause(struct http_acceptor *a, const char *why)
{
    if (a->paused)
        return;
    a->paused = true;
    h2o_socket_read_stop(a->listener);
    h2o_timeout_link(a->loop, &a->retry, &a->retry_entry);
    gate_log(a->gate, why);
}

/* Connections open in this process, every gate's together (/metrics). */
static atomic_llong open_total;

int64_t http_open_connections(void)
{
    return atomic_load(&open_total);
}

static void on_conn_closed(void *data)
{
    struct http_acceptor *a = data;

    atomic_fetch_sub(&open_total, 1);
    atomic_fetch_sub(&a->gate->open, 1);
    acceptor_resume(a);
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
    struct http_acceptor *a = listener->data;
    h2o_socket_t *sock;

    if (err != NULL)
        return;
    if (atomic_fetch_add(&a->gate->open, 1) >= a->gate->cap) {
        atomic_fetch_sub(&a->gate->open, 1);
        acceptor_pause(a, "at the connection cap");
        return;
    }
    sock = h2o_evloop_socket_accept(listener);
    if (sock == NULL) {
        int e = errno;

        atomic_fetch_sub(&a->gate->open, 1);
        if (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM)
            acceptor_pause(a, strerror(e));
        return; /* EAGAIN: another worker took it; others: the client gave up */
    }
    atomic_fetch_add(&open_total, 1);
    sock->on_close.cb = on_conn_closed;
    sock->on_close.data = a;
    h2o_accept(a->accept_ctx, sock);
}

void http_acceptor_start(struct http_acceptor *a, h2o_evloop_t *loop, int fd,
                         h2o_accept_ctx_t *ctx, struct http_gate *g)
{
    a->loop = loop;
    a->accept_ctx = ctx;
    a->gate = g;
    a->paused = false;
    h2o_timeout_init(loop, &a->retry, ACCEPT_RETRY_MS);
    memset(&a->retry_entry, 0, sizeof(a->retry_entry));
    a->retry_entry.cb = on_retry;
    a->listener = h2o_evloop_socket_create(loop, fd, H2O_SOCKET_FLAG_DONT_READ);
    a->listener->data = a;
    h2o_socket_read_start(a->listener, on_accept);
}

void http_acceptor_stop(struct http_acceptor *a)
{
    if (a->listener == NULL)
        return;
    if (h2o_timeout_is_linked(&a->retry_entry))
        h2o_timeout_unlink(&a->retry_entry);
    if (!a->paused)
        h2o_socket_read_stop(a->listener);
    h2o_socket_close(a->listener);
    a->listener = NULL;
}

void http_acceptor_dispose(struct http_acceptor *a)
{
    h2o_timeout_dispose(a->loop, &a->retry);
}
