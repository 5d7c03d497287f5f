/* SPDX-License-Identifier: MIT */
/*
 * events/ev_delivery.c - the delivery worker: a thread with its own
 * database connection that leases due outbox records, posts them
 * concurrently with libcurl (HTTP 200 within 3 s is success), logs every
 * attempt and schedules retries on the server clock. Posts do not go in
 * rounds: each is settled when it ends, and new records are leased as soon
 * as there is room (event_deliveries in all, event_app_deliveries per app),
 * so an endpoint that hangs holds back only its own app's events. A lease that outlives
 * its node (kill -9) runs out and another round picks the record up again:
 * nothing committed is lost; a receiver may see a duplicate after a crash,
 * with the same event_id (Feishu's "Event overview": the retry policy).
 *
 * The admin API's delivery rehearsals (fs_delivery_opt) apply here too: a
 * delay holds a leased record back (its lease stretched to cover it), and a
 * duplicate posts the event again, with the same event_id, once the first
 * post succeeded; both attempts are logged, the record stays delivered.
 */
#include "events/ev.h"

#include "config/config.h"
#include "core/arena.h"
#include "core/ids.h"
#include "core/log.h"
#include "json/json.h"
#include "store/store.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LEASE_SECONDS 10
#define RESPONSE_SNIPPET 256
#define IDLE_WAIT_MS 100

const int64_t ev_retry_delay[EV_MAX_ATTEMPTS - 1] = { 15, 300, 3600, 21600 };

struct ev_worker {
    const struct qclock *clock;
    volatile sig_atomic_t *stop;
    struct store *st;
    struct arena arena; /* one lease's rows */
    pthread_t thread;
    CURLM *multi;
    int64_t max_total, max_app;
    int64_t inflight;     /* pushes held: waiting or posting */
    struct push *posting; /* the posts in flight */
    struct push *waiting; /* leased, held back by a rehearsed delay */
};

/* One push in flight, with its own arena: it outlives the lease that made it. */
struct push {
    struct arena arena;
    struct push *prev, *next; /* in ev_worker.posting */
    struct outbox_row row;
    struct ev_request req;
    CURL *easy;
    struct curl_slist *headers;
    char response[RESPONSE_SNIPPET + 1];
    size_t response_len;
    int64_t started_us;
    int64_t due_us;  /* not posted before (a rehearsed delay) */
    bool skip;       /* the app does not take this event: no attempt */
    bool duplicate;  /* post it again once this post succeeded */
    bool copy;       /* that second post: logged, the record stays delivered */
};

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    struct push *p = arg;
    size_t len = size * n, room = RESPONSE_SNIPPET - p->response_len;

    memcpy(p->response + p->response_len, data, len < room ? len : room);
    p->response_len += len < room ? len : room;
    p->response[p->response_len] = '\0';
    return len;
}

/* Whether the subscription takes 'type' (a JSON array of event types). */
static bool subscribed(const struct fs_subscription_row *sub, const char *type)
{
    json_t *types = json_loads(sub->types, 0, NULL), *t;
    bool yes = false;
    size_t i;

    json_array_foreach(types, i, t) {
        yes = yes || (json_is_string(t) && strcmp(json_string_value(t), type) == 0);
    }
    json_decref(types);
    return yes;
}

static char *header(struct arena *a, const char *name, const char *value)
{
    return arena_printf(a, "%s: %s", name, value);
}

static bool prepare(struct ev_worker *w, struct push *p, int64_t now)
{
    struct fs_subscription_row sub;
    struct arena *a = &p->arena;

    if (store_fs_subscription_get(w->st, a, p->row.app, &sub) != ERR_OK
        || !subscribed(&sub, p->row.event_type)) {
        p->skip = true;
        return true;
    }
    if (ev_request_build(a, p->row.body, sub.verification_token, sub.encrypt_key, now, &p->req)
        != ERR_OK)
        return false;
    p->easy = curl_easy_init();
    if (p->easy == NULL)
        return false;
    p->headers = curl_slist_append(NULL, "Content-Type: application/json; charset=utf-8");
    p->headers = curl_slist_append(p->headers, header(a, "X-Lark-Request-Timestamp", p->req.timestamp));
    p->headers = curl_slist_append(p->headers, header(a, "X-Lark-Request-Nonce", p->req.nonce));
    p->headers = curl_slist_append(p->headers, header(a, "X-Lark-Signature", p->req.signature));
    p->headers = curl_slist_append(p->headers, "Expect:");
    curl_easy_setopt(p->easy, CURLOPT_URL, sub.callback_url);
    curl_easy_setopt(p->easy, CURLOPT_POST, 1L);
    curl_easy_setopt(p->easy, CURLOPT_POSTFIELDS, p->req.body);
    curl_easy_setopt(p->easy, CURLOPT_POSTFIELDSIZE, (long)p->req.body_len);
    curl_easy_setopt(p->easy, CURLOPT_HTTPHEADER, p->headers);
    curl_easy_setopt(p->easy, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
    curl_easy_setopt(p->easy, CURLOPT_TIMEOUT_MS, 3000L);
    curl_easy_setopt(p->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(p->easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(p->easy, CURLOPT_WRITEDATA, p);
    curl_easy_setopt(p->easy, CURLOPT_PRIVATE, p);
    curl_easy_setopt(p->easy, CURLOPT_USERAGENT, "qunzu-event-delivery");
    return true;
}

/* Writes the attempt and the record's next state in one transaction; a
 * copy's attempt is logged as it went, the record stays delivered. Says
 * whether the post succeeded; '*o' is the record as settled. */
static bool settle(struct ev_worker *w, struct push *p, CURLcode rc, long status,
                   struct outbox_row *o)
{
    struct outbox_attempt_row at = { .at = clock_now(w->clock), .http_status = status };
    bool ok = rc == CURLE_OK && status == 200;

    at.latency_us = clock_mono_us() - p->started_us;
    at.error = rc == CURLE_OK ? (status == 200 ? "" : "status other than 200")
                              : curl_easy_strerror(rc);
    at.response = p->response;
    if (ev_settle(w->st, &p->row, &at, ok || p->copy, o) != ERR_OK)
        return false;
    log_info("event %s %s to app %lld: attempt %lld%s, http %ld, %s", o->event_id, o->event_type,
             (long long)o->app, (long long)o->attempts, p->copy ? " (the duplicate)" : "",
             status, o->state);
    return ok;
}

static void push_free(struct push *p)
{
    if (p->easy != NULL)
        curl_easy_cleanup(p->easy);
    curl_slist_free_all(p->headers);
    arena_release(&p->arena);
    free(p);
}

/* A leased row, copied into the push's own arena. */
static struct push *push_new(const struct outbox_row *row)
{
    struct push *p = xcalloc(1, sizeof(*p));

    arena_init(&p->arena, 4096);
    p->row = *row;
    p->row.event_type = arena_strdup(&p->arena, row->event_type);
    p->row.event_id = arena_strdup(&p->arena, row->event_id);
    p->row.body = arena_strdup(&p->arena, row->body);
    p->row.state = arena_strdup(&p->arena, row->state);
    return p;
}

static void list_add(struct push **head, struct push *p)
{
    p->prev = NULL;
    p->next = *head;
    if (*head != NULL)
        (*head)->prev = p;
    *head = p;
}

static void list_remove(struct push **head, struct push *p)
{
    if (p->prev != NULL)
        p->prev->next = p->next;
    else
        *head = p->next;
    if (p->next != NULL)
        p->next->prev = p->prev;
}

/* Posts a held push ('inflight' already counts it). */
static void post_start(struct ev_worker *w, struct push *p)
{
    p->started_us = clock_mono_us();
    list_add(&w->posting, p);
    curl_multi_add_handle(w->multi, p->easy);
}

/* Holds a prepared push: posted now, or kept until it is due. */
static void hold(struct ev_worker *w, struct push *p)
{
    w->inflight++;
    if (p->due_us > clock_mono_us())
        list_add(&w->waiting, p);
    else
        post_start(w, p);
}

/* Posts the held pushes that are due. */
static void release_due(struct ev_worker *w)
{
    int64_t now = clock_mono_us();
    struct push *p = w->waiting, *next;

    for (; p != NULL; p = next) {
        next = p->next;
        if (p->due_us <= now) {
            list_remove(&w->waiting, p);
            post_start(w, p);
        }
    }
}

static void post_end(struct ev_worker *w, struct push *p)
{
    list_remove(&w->posting, p);
    curl_multi_remove_handle(w->multi, p->easy);
    push_free(p);
    w->inflight--;
}

/* Reads the app's delivery rehearsal into 'p' inside the lease's
 * transaction: a delay holds the post back and stretches the lease over it
 * (no other node or round takes the record meanwhile). */
static bool rehearse(struct ev_worker *w, struct push *p, int64_t now)
{
    bool duplicate = false;
    int64_t delay_ms = 0;

    if (store_fs_delivery_opt_get(w->st, p->row.app, &duplicate, &delay_ms) != ERR_OK)
        return false;
    p->duplicate = duplicate;
    if (delay_ms <= 0)
        return true;
    p->due_us = clock_mono_us() + delay_ms * 1000;
    return store_outbox_lease(w->st, p->row.id, now + LEASE_SECONDS + (delay_ms + 999) / 1000)
           == ERR_OK;
}

/* Leases due records while there is room and, in the same transaction,
 * marks the ones their app does not take as skipped; then starts posting
 * the rest. Returns how many it leased. */
static size_t lease(struct ev_worker *w)
{
    struct outbox_row *rows = NULL;
    struct push **pushes;
    int64_t now = clock_now(w->clock);
    size_t n = 0;
    bool ok;

    arena_reset(&w->arena);
    ok = store_begin(w->st, true) == ERR_OK
         && store_outbox_claim(w->st, &w->arena, now, now + LEASE_SECONDS,
                               w->max_total - w->inflight, w->max_app, &rows, &n)
                == ERR_OK;
    pushes = arena_alloc(&w->arena, (n + 1) * sizeof(*pushes));
    for (size_t i = 0; i < n; i++)
        pushes[i] = push_new(&rows[i]);
    for (size_t i = 0; ok && i < n; i++) {
        if (!prepare(w, pushes[i], now)) {
            log_warn("event delivery: cannot prepare event '%s'", rows[i].event_id);
            continue;
        }
        if (pushes[i]->skip) {
            struct outbox_row o = rows[i];

            o.state = "skipped";
            ok = store_outbox_settle(w->st, &o, NULL) == ERR_OK;
        } else {
            ok = rehearse(w, pushes[i], now);
        }
    }
    ok = ok && store_commit(w->st) == ERR_OK;
    if (!ok)
        store_rollback(w->st);
    for (size_t i = 0; i < n; i++) {
        if (ok && pushes[i]->easy != NULL)
            hold(w, pushes[i]);
        else
            push_free(pushes[i]);
    }
    return ok ? n : 0;
}

/* The second post of a rehearsed duplicate, after the first succeeded: the
 * record as settled, the same event_id. */
static void post_copy(struct ev_worker *w, const struct outbox_row *settled)
{
    struct push *c = push_new(settled);

    c->copy = true;
    if (prepare(w, c, clock_now(w->clock)) && c->easy != NULL)
        hold(w, c);
    else
        push_free(c);
}

/* Settles every post that ended. Returns how many did. */
static size_t reap(struct ev_worker *w)
{
    CURLMsg *msg;
    int left;
    size_t done = 0;

    while ((msg = curl_multi_info_read(w->multi, &left)) != NULL) {
        struct push *p = NULL;
        long status = 0;

        if (msg->msg != CURLMSG_DONE)
            continue;
        struct outbox_row o;

        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&p);
        curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
        if (settle(w, p, msg->data.result, status, &o) && p->duplicate && !p->copy)
            post_copy(w, &o);
        post_end(w, p);
        done++;
    }
    return done;
}

/* Leases again at once when a post ended (its app's next event may be due)
 * or the last lease filled the room, else every IDLE_WAIT_MS. Posts still in
 * flight at stop are dropped: their leases run out and they are posted
 * again, by this node after a restart or by another, with the same
 * event_id. */
static void *worker_main(void *arg)
{
    struct ev_worker *w = arg;
    int64_t next_lease_us = 0;

    while (!*w->stop) {
        int running = 0;
        int64_t now = clock_mono_us(), wait_ms;

        if (w->inflight < w->max_total && now >= next_lease_us) {
            int64_t room = w->max_total - w->inflight;

            next_lease_us = (int64_t)lease(w) == room ? now : now + IDLE_WAIT_MS * 1000;
        }
        release_due(w);
        curl_multi_perform(w->multi, &running);
        if (reap(w) > 0)
            next_lease_us = 0;
        /* Full: only an ending post makes room, and the poll wakes for it. */
        wait_ms = w->inflight >= w->max_total ? IDLE_WAIT_MS
                                              : (next_lease_us - clock_mono_us()) / 1000;
        if (wait_ms > IDLE_WAIT_MS)
            wait_ms = IDLE_WAIT_MS;
        if (wait_ms > 0)
            curl_multi_poll(w->multi, NULL, 0, (int)wait_ms + 1, NULL);
    }
    while (w->posting != NULL)
        post_end(w, w->posting);
    while (w->waiting != NULL) {
        struct push *p = w->waiting;

        list_remove(&w->waiting, p);
        push_free(p);
    }
    return NULL;
}

void ev_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

void ev_cleanup(void)
{
    curl_global_cleanup();
}

struct ev_worker *ev_worker_start(const struct config *cfg, const struct qclock *clock,
                                  struct store_group *group, volatile sig_atomic_t *stop)
{
    struct ev_worker *w = xcalloc(1, sizeof(*w));

    w->clock = clock;
    w->stop = stop;
    w->max_total = cfg->event_deliveries;
    w->max_app = cfg->event_app_deliveries;
    w->st = store_fault_wrap(store_open(cfg), cfg);
    if (w->st == NULL) {
        free(w);
        return NULL;
    }
    store_group_attach(w->st, group, true);
    arena_init(&w->arena, 65536);
    w->multi = curl_multi_init();
    if (w->multi == NULL || pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        curl_multi_cleanup(w->multi);
        store_close(w->st);
        arena_release(&w->arena);
        free(w);
        return NULL;
    }
    return w;
}

void ev_worker_stop(struct ev_worker *w)
{
    if (w == NULL)
        return;
    pthread_join(w->thread, NULL);
    curl_multi_cleanup(w->multi);
    store_close(w->st);
    arena_release(&w->arena);
    free(w);
}

enum err ev_challenge(const char *url, const char *verification_token, const char *encrypt_key,
                      char *why, size_t whylen)
{
    struct arena a;
    struct ev_request req;
    struct push p;
    char *challenge, *event;
    CURLcode rc;
    long status = 0;
    enum err e = ERR_BAD_REQUEST;
    json_t *echo;

    arena_init(&a, 4096);
    memset(&p, 0, sizeof(p));
    challenge = ids_hex(&a, "", 16);
    event = arena_printf(&a, "{\"challenge\":\"%s\",\"type\":\"url_verification\"}", challenge);
    if (ev_request_build(&a, event, verification_token, encrypt_key, 0, &req) != ERR_OK) {
        snprintf(why, whylen, "cannot build the challenge");
        goto out;
    }
    p.easy = curl_easy_init();
    if (p.easy == NULL) {
        snprintf(why, whylen, "cannot start an HTTP client");
        goto out;
    }
    p.headers = curl_slist_append(NULL, "Content-Type: application/json; charset=utf-8");
    curl_easy_setopt(p.easy, CURLOPT_URL, url);
    curl_easy_setopt(p.easy, CURLOPT_POSTFIELDS, req.body);
    curl_easy_setopt(p.easy, CURLOPT_POSTFIELDSIZE, (long)req.body_len);
    curl_easy_setopt(p.easy, CURLOPT_HTTPHEADER, p.headers);
    curl_easy_setopt(p.easy, CURLOPT_TIMEOUT_MS, 1000L); /* "within 1 second" (the guide) */
    curl_easy_setopt(p.easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(p.easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(p.easy, CURLOPT_WRITEDATA, &p);
    rc = curl_easy_perform(p.easy);
    curl_easy_getinfo(p.easy, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK) {
        snprintf(why, whylen, "challenge not answered: %s", curl_easy_strerror(rc));
        goto out;
    }
    echo = json_loads(p.response, 0, NULL);
    if (status == 200 && json_is_string(json_object_get(echo, "challenge"))
        && strcmp(json_string_value(json_object_get(echo, "challenge")), challenge) == 0)
        e = ERR_OK;
    else
        snprintf(why, whylen, "challenge code was not returned (http %ld)", status);
    json_decref(echo);
out:
    curl_slist_free_all(p.headers);
    if (p.easy != NULL)
        curl_easy_cleanup(p.easy);
    arena_release(&a);
    return e;
}
