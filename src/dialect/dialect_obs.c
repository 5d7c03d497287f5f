/* SPDX-License-Identifier: MIT */
/*
 * dialect/dialect_obs.c - what the server tells about itself: GET /metrics
 * (Prometheus' text format) and the observer every answered request passes
 * (metrics by endpoint, the request inspector).
 */
#include "dialect/dialect.h"

#include "config/config.h"
#include "core/arena.h"
#include "core/metrics.h"
#include "core/str.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

void dialect_observe(void *userdata, const struct http_req *r, int64_t latency_us)
{
    struct app *app = userdata;
    struct metric_route mr = { r->route_id, r->dialect_label, r->method_label, r->route_label };

    if (mr.id == NULL) {
        /* Answered before a route matched: one series per dialect (or for
         * the server's own paths). */
        mr.id = r->dialect_label ? (const void *)r->dialect_label : (const void *)app;
        mr.dialect = r->dialect_label ? r->dialect_label : "server";
        mr.method = "any";
        mr.route = "unmatched";
    }
    metrics_observe(app->metrics, &mr, r->status, latency_us);
    /* The inspector keeps the vendor dialects' calls: not its own plane's,
     * nor the console's files. */
    if (r->dialect_label != NULL && strcmp(r->dialect_label, "admin") != 0
        && strcmp(r->dialect_label, "console") != 0)
        svc_inspect_record(app->inspector, r, latency_us);
    if (app->access_json_fd >= 0)
        access_json_write(app->access_json_fd, r, latency_us);
}

static void gauge(FILE *f, const char *name, const char *help, const char *type, int64_t v)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s %s\n%s %lld\n", name, help, name, type, name, (long long)v);
}

/* Everything but the request series: the group, the token cache, the
 * outbox (read from the database: every node sees the same). */
static void render_state(struct app *app, struct store *st, FILE *f)
{
    struct store_group_stats gs;
    struct outbox_states ob;
    int64_t hits = 0, misses = 0;
    struct answer_stats as;

    svc_group_stats(app->group, &gs);
    gauge(f, "qunzu_group_commit_batches_total", "SQLite group commit: transactions committed or lost.",
          "counter", gs.batches);
    gauge(f, "qunzu_group_commit_requests_total", "SQLite group commit: write requests run in batches.",
          "counter", gs.jobs);
    {
        int64_t cum = 0;

        fputs("# HELP qunzu_group_commit_batch_size SQLite group commit: write requests per "
              "transaction.\n# TYPE qunzu_group_commit_batch_size histogram\n",
              f);
        for (size_t b = 0; b < STORE_GROUP_SIZE_BUCKETS; b++) {
            cum += gs.size_buckets[b];
            fprintf(f, "qunzu_group_commit_batch_size_bucket{le=\"%d\"} %lld\n", 1 << b,
                    (long long)cum);
        }
        fprintf(f,
                "qunzu_group_commit_batch_size_bucket{le=\"+Inf\"} %lld\n"
                "qunzu_group_commit_batch_size_sum %lld\nqunzu_group_commit_batch_size_count "
                "%lld\n",
                (long long)gs.batches, (long long)gs.jobs, (long long)gs.batches);
    }
    gauge(f, "qunzu_http_open_connections", "HTTP connections open now.", "gauge",
          http_open_connections());
    gauge(f, "qunzu_write_queue_requests", "Write requests submitted to the writer and not yet answered.",
          "gauge", gs.held_jobs);
    gauge(f, "qunzu_write_queue_bytes", "Memory the waiting write requests hold.", "gauge",
          gs.held_bytes);
    gauge(f, "qunzu_write_queue_refused_total", "Write requests refused busy at the queue's bounds.",
          "counter", gs.refused);
    gauge(f, "qunzu_pg_round_trips_total", "Round trips to PostgreSQL on every connection.",
          "counter", svc_pg_round_trips());
    svc_answers_stats(app->answers, &as);
    gauge(f, "qunzu_answer_cache_hits_total", "Read requests answered from the answer cache.",
          "counter", as.hits);
    gauge(f, "qunzu_answer_cache_misses_total",
          "Cacheable read requests rendered (nothing kept, or kept at an older data version).",
          "counter", as.misses);
    gauge(f, "qunzu_answer_cache_bytes", "Bytes the answer cache holds.", "gauge", as.bytes);
    svc_tcache_stats(app->tokens, &hits, &misses);
    gauge(f, "qunzu_token_cache_hits_total", "Access-token checks answered from memory.", "counter",
          hits);
    gauge(f, "qunzu_token_cache_misses_total", "Access-token checks read from the database.",
          "counter", misses);
    if (svc_tx_begin(st, false) == ERR_OK) {
        if (svc_outbox_states(st, &ob) == ERR_OK)
            fprintf(f,
                    "# HELP qunzu_outbox_events Event records in the outbox, by delivery state.\n"
                    "# TYPE qunzu_outbox_events gauge\n"
                    "qunzu_outbox_events{state=\"pending\"} %lld\n"
                    "qunzu_outbox_events{state=\"delivered\"} %lld\n"
                    "qunzu_outbox_events{state=\"failed\"} %lld\n"
                    "qunzu_outbox_events{state=\"skipped\"} %lld\n",
                    (long long)ob.pending, (long long)ob.delivered, (long long)ob.failed,
                    (long long)ob.skipped);
        svc_tx_rollback(st);
    }
}

bool dialect_metrics(struct http_req *r, struct worker_state *ws)
{
    struct app *app = ws->app;
    char *text = NULL;
    size_t len = 0;
    FILE *f;

    /* A server made without metrics (the fuzz harness) has no such path. */
    if (app->metrics == NULL || !str_eq_n(r->path, r->path_len, "/metrics"))
        return false;
    r->content_type = "text/plain; charset=utf-8";
    if (app->cfg->metrics_require_admin) {
        unsigned char d[32];
        const char *h = r->authorization;

        if (h != NULL && strncmp(h, "Bearer ", 7) == 0)
            admin_token_digest(h + 7, d);
        if (h == NULL || strncmp(h, "Bearer ", 7) != 0
            || CRYPTO_memcmp(d, app->admin_digest, sizeof(d)) != 0) {
            r->status = 401;
            r->resp_body = "401 admin token required\n";
            r->resp_len = strlen(r->resp_body);
            return true;
        }
    }
    f = open_memstream(&text, &len);
    if (f == NULL) {
        r->status = 500;
        r->resp_body = "";
        return true;
    }
    metrics_render(app->metrics, f);
    render_state(app, ws->st, f);
    fclose(f);
    r->status = 200;
    r->content_type = "text/plain; version=0.0.4; charset=utf-8";
    r->resp_body = arena_strndup(r->arena, text, len);
    r->resp_len = len;
    free(text);
    return true;
}
