/* SPDX-License-Identifier: MIT */
/*
 * events/ev_delivery.c - the delivery worker: a thread with its own
 * database connection that leases due outbox records, posts them
 * concurrently with libcurl (HTTP 200 within 3 s is success), logs every
 * attempt and schedules retries on the server clock. A lease that outlives
 * its node (kill -9) runs out and another round picks the record up again:
 * nothing committed is lost; a receiver may see a duplicate after a crash,
 * with the same event_id (Feishu's "Event overview": the retry policy).
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

#define BATCH 16
#define LEASE_SECONDS 10
#define RESPONSE_SNIPPET 256
#define IDLE_WAIT_MS 100

const int64_t ev_retry_delay[EV_MAX_ATTEMPTS - 1] = { 15, 300, 3600, 21600 };

struct ev_worker {
    const struct qclock *clock;
    volatile sig_atomic_t *stop;
    struct store *st;
    struct arena arena;
    pthread_t thread;
};

/* One push in flight. */
struct push {
    struct outbox_row row;
    struct ev_request req;
    CURL *easy;
    struct curl_slist *headers;
    char response[RESPONSE_SNIPPET + 1];
    size_t response_len;
    int64_t started_us;
    bool skip; /* the app does not take this event: no attempt */
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
    struct arena *a = &w->arena;

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

/* Writes the attempt and the record's next state in one transaction. */
static void settle(struct ev_worker *w, struct push *p, CURLcode rc, long status)
{
    struct outbox_row o = p->row;
    struct outbox_attempt_row at = { .outbox = o.id, .attempt = o.attempts + 1 };
    int64_t now = clock_now(w->clock);

    at.at = now;
    at.http_status = status;
    at.latency_us = clock_mono_us() - p->started_us;
    at.error = rc == CURLE_OK ? (status == 200 ? "" : "status other than 200")
                              : curl_easy_strerror(rc);
    at.response = p->response;
    o.attempts = at.attempt;
    o.delivered_at = 0;
    if (rc == CURLE_OK && status == 200) {
        o.state = "delivered";
        o.delivered_at = now;
    } else if (o.attempts >= EV_MAX_ATTEMPTS) {
        o.state = "failed";
    } else {
        o.state = "pending";
        o.next_at = now + ev_retry_delay[o.attempts - 1];
    }
    if (store_begin(w->st, true) != ERR_OK || store_outbox_settle(w->st, &o, &at) != ERR_OK
        || store_commit(w->st) != ERR_OK) {
        store_rollback(w->st);
        log_warn("event delivery: cannot record attempt of event '%s'", o.event_id);
        return;
    }
    log_info("event %s %s to app %lld: attempt %lld, http %ld, %s", o.event_id, o.event_type,
             (long long)o.app, (long long)o.attempts, status, o.state);
}

/* One round: lease due records and, in the same transaction, mark the ones
 * their app does not take as skipped; then post the rest concurrently and
 * settle each. Returns how many it leased. */
static size_t round_once(struct ev_worker *w, CURLM *multi)
{
    struct outbox_row *rows;
    struct push pushes[BATCH];
    int64_t now = clock_now(w->clock);
    size_t n = 0;
    int running = 0;
    bool ok;

    arena_reset(&w->arena);
    memset(pushes, 0, sizeof(pushes));
    ok = store_begin(w->st, true) == ERR_OK
         && store_outbox_claim(w->st, &w->arena, now, now + LEASE_SECONDS, BATCH, &rows, &n)
                == ERR_OK;
    for (size_t i = 0; ok && i < n; i++) {
        pushes[i].row = rows[i];
        if (!prepare(w, &pushes[i], now)) {
            log_warn("event delivery: cannot prepare event '%s'", rows[i].event_id);
            continue;
        }
        if (pushes[i].skip) {
            struct outbox_row o = rows[i];

            o.state = "skipped";
            ok = store_outbox_settle(w->st, &o, NULL) == ERR_OK;
        }
    }
    if (!ok || store_commit(w->st) != ERR_OK) {
        store_rollback(w->st);
        for (size_t i = 0; i < n; i++) {
            if (pushes[i].easy != NULL)
                curl_easy_cleanup(pushes[i].easy);
            curl_slist_free_all(pushes[i].headers);
        }
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (pushes[i].easy == NULL)
            continue;
        pushes[i].started_us = clock_mono_us();
        curl_multi_add_handle(multi, pushes[i].easy);
    }
    do {
        CURLMsg *msg;
        int left;

        curl_multi_perform(multi, &running);
        while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
            struct push *p = NULL;
            long status = 0;

            if (msg->msg != CURLMSG_DONE)
                continue;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&p);
            curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
            settle(w, p, msg->data.result, status);
        }
        if (running > 0)
            curl_multi_poll(multi, NULL, 0, 100, NULL);
    } while (running > 0 && !*w->stop);
    for (size_t i = 0; i < n; i++) {
        if (pushes[i].easy != NULL) {
            curl_multi_remove_handle(multi, pushes[i].easy);
            curl_easy_cleanup(pushes[i].easy);
        }
        curl_slist_free_all(pushes[i].headers);
    }
    return n;
}

static void *worker_main(void *arg)
{
    struct ev_worker *w = arg;
    CURLM *multi = curl_multi_init();

    while (!*w->stop) {
        if (round_once(w, multi) == 0) {
            struct timespec ts = { 0, IDLE_WAIT_MS * 1000000L };

            nanosleep(&ts, NULL);
        }
    }
    curl_multi_cleanup(multi);
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
    w->st = store_fault_wrap(store_open(cfg), cfg);
    if (w->st == NULL) {
        free(w);
        return NULL;
    }
    store_group_attach(w->st, group, true);
    arena_init(&w->arena, 65536);
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
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
