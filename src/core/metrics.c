/* SPDX-License-Identifier: MIT */
/*
 * core/metrics.c - request series in a fixed open-addressing table.
 *
 * A series is (route, status); the route's pattern string is static, so its
 * address names it. A slot is claimed once with a compare-and-swap of its
 * key and never freed; counts are relaxed atomic adds, so recording costs a
 * few uncontended atomic operations and no lock. The table holds every
 * (route, status) pair a server can produce (about 90 routes and a handful
 * of statuses each); past it, a series is counted under "overflow".
 */
#include "core/metrics.h"

#include "core/arena.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 2048

/* Upper bounds of the latency buckets, in microseconds (+Inf after). */
static const int64_t bucket_us[] = { 250,    500,    1000,    2500,    5000,    10000, 25000,
                                     50000,  100000, 250000,  500000,  1000000, 2500000, 5000000 };
#define NBUCKETS (sizeof(bucket_us) / sizeof(bucket_us[0]))

struct series {
    _Atomic uint64_t key; /* 0: free; else the route's id and the status */
    const char *dialect, *method;
    _Atomic(const char *) route; /* set last; NULL: not ready yet */
    int status;
    _Atomic uint64_t count, sum_us;
    _Atomic uint64_t buckets[NBUCKETS]; /* not cumulative; summed when rendered */
};

struct metrics {
    struct series slots[SLOTS];
    _Atomic uint64_t overflow;
    _Atomic int64_t counters[MC__COUNT];
};

static const struct {
    const char *name, *help;
} counter_info[MC__COUNT] = {
    [MC_RATE_LIMITED] = { "qunzu_rate_limited_total",
                          "Requests refused by the emulated platforms' rate limits." },
    [MC_BUSY] = { "qunzu_busy_total", "Requests refused at a bound of the server (the write queue)." },
    [MC_STORE_ERRORS] = { "qunzu_store_errors_total", "Requests answered with the store error." },
    [MC_FAULTS_FIRED] = { "qunzu_fault_rules_fired_total", "Requests answered by a fault rule." },
};

/* Delivery attempts: a process-wide histogram (the delivery threads know
 * no struct metrics). Non-cumulative buckets, summed when rendered. */
static struct {
    _Atomic uint64_t count, sum_us;
    _Atomic uint64_t buckets[NBUCKETS];
} deliveries;

static size_t bucket_of(int64_t us)
{
    size_t b = 0;

    while (b < NBUCKETS && us > bucket_us[b])
        b++;
    return b;
}

void metrics_delivery(int64_t latency_us)
{
    size_t b;

    if (latency_us < 0)
        latency_us = 0;
    b = bucket_of(latency_us);
    atomic_fetch_add_explicit(&deliveries.count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&deliveries.sum_us, (uint64_t)latency_us, memory_order_relaxed);
    if (b < NBUCKETS)
        atomic_fetch_add_explicit(&deliveries.buckets[b], 1, memory_order_relaxed);
}

struct metrics *metrics_new(void)
{
    return xcalloc(1, sizeof(struct metrics));
}

void metrics_free(struct metrics *m)
{
    free(m);
}

static uint64_t series_key(const void *id, int status)
{
    return ((uint64_t)(uintptr_t)id << 10) ^ (uint64_t)(status & 1023) ^ 1;
}

static struct series *find(struct metrics *m, const struct metric_route *r, int status)
{
    uint64_t key = series_key(r->id, status);
    uint64_t h = key * 0x9e3779b97f4a7c15ULL;

    for (size_t n = 0; n < SLOTS; n++) {
        struct series *s = &m->slots[(h + n) % SLOTS];
        uint64_t k = atomic_load_explicit(&s->key, memory_order_acquire);

        if (k == 0) {
            uint64_t zero = 0;

            if (!atomic_compare_exchange_strong(&s->key, &zero, key)) {
                if (zero != key)
                    continue;
                return s; /* another thread claimed it for the same series */
            }
            s->status = status;
            s->dialect = r->dialect;
            s->method = r->method;
            atomic_store_explicit(&s->route, r->route, memory_order_release);
            return s;
        }
        if (k == key)
            return s;
    }
    return NULL;
}

void metrics_observe(struct metrics *m, const struct metric_route *r, int status,
                     int64_t latency_us)
{
    struct series *s;
    size_t b = 0;

    if (m == NULL)
        return;
    s = find(m, r, status);
    if (s == NULL) {
        atomic_fetch_add_explicit(&m->overflow, 1, memory_order_relaxed);
        return;
    }
    if (latency_us < 0)
        latency_us = 0;
    b = bucket_of(latency_us);
    atomic_fetch_add_explicit(&s->count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->sum_us, (uint64_t)latency_us, memory_order_relaxed);
    if (b < NBUCKETS)
        atomic_fetch_add_explicit(&s->buckets[b], 1, memory_order_relaxed);
}

void metrics_count(struct metrics *m, enum metric_counter c, int64_t n)
{
    if (m != NULL)
        atomic_fetch_add_explicit(&m->counters[c], n, memory_order_relaxed);
}

/* Label values are route patterns and dialect names: no quote, backslash
 * or newline to escape, but the format is kept honest anyway. */
static void label(FILE *out, const char *v)
{
    for (; *v != '\0'; v++) {
        if (*v == '"' || *v == '\\')
            fputc('\\', out);
        if (*v == '\n')
            fputs("\\n", out);
        else
            fputc(*v, out);
    }
}

/* Opens a series' label set; the caller closes it (a le label may follow). */
static void labels(FILE *out, const struct series *s, const char *route)
{
    fputs("{dialect=\"", out);
    label(out, s->dialect);
    fputs("\",method=\"", out);
    label(out, s->method);
    fputs("\",route=\"", out);
    label(out, route);
    fprintf(out, "\",status=\"%d\"", s->status);
}

void metrics_render(struct metrics *m, FILE *out)
{
    fputs("# HELP qunzu_http_requests_total Requests answered, by dialect, endpoint and HTTP status.\n"
          "# TYPE qunzu_http_requests_total counter\n",
          out);
    for (size_t i = 0; i < SLOTS; i++) {
        struct series *s = &m->slots[i];
        const char *route = atomic_load_explicit(&s->route, memory_order_acquire);

        if (route == NULL)
            continue;
        fputs("qunzu_http_requests_total", out);
        labels(out, s, route);
        fprintf(out, "} %llu\n", (unsigned long long)atomic_load(&s->count));
    }
    fputs("# HELP qunzu_http_request_duration_seconds Time from the request read to the answer "
          "sent, by dialect, endpoint and HTTP status.\n"
          "# TYPE qunzu_http_request_duration_seconds histogram\n",
          out);
    for (size_t i = 0; i < SLOTS; i++) {
        struct series *s = &m->slots[i];
        const char *route = atomic_load_explicit(&s->route, memory_order_acquire);
        uint64_t cum = 0, count;

        if (route == NULL)
            continue;
        /* Read the count first: the buckets then hold at least as many. */
        count = atomic_load(&s->count);
        for (size_t b = 0; b < NBUCKETS; b++) {
            cum += atomic_load(&s->buckets[b]);
            if (cum > count)
                cum = count;
            fputs("qunzu_http_request_duration_seconds_bucket", out);
            labels(out, s, route);
            fprintf(out, ",le=\"%g\"} %llu\n", (double)bucket_us[b] / 1e6, (unsigned long long)cum);
        }
        fputs("qunzu_http_request_duration_seconds_bucket", out);
        labels(out, s, route);
        fprintf(out, ",le=\"+Inf\"} %llu\n", (unsigned long long)count);
        fputs("qunzu_http_request_duration_seconds_sum", out);
        labels(out, s, route);
        fprintf(out, "} %.6f\n", (double)atomic_load(&s->sum_us) / 1e6);
        fputs("qunzu_http_request_duration_seconds_count", out);
        labels(out, s, route);
        fprintf(out, "} %llu\n", (unsigned long long)count);
    }
    {
        uint64_t cum = 0, count = atomic_load(&deliveries.count);

        fputs("# HELP qunzu_event_delivery_duration_seconds Event delivery attempts (webhook "
              "POSTs and long-connection pushes to their ack), by how long they took.\n"
              "# TYPE qunzu_event_delivery_duration_seconds histogram\n",
              out);
        for (size_t b = 0; b < NBUCKETS; b++) {
            cum += atomic_load(&deliveries.buckets[b]);
            fprintf(out, "qunzu_event_delivery_duration_seconds_bucket{le=\"%g\"} %llu\n",
                    (double)bucket_us[b] / 1e6, (unsigned long long)(cum > count ? count : cum));
        }
        fprintf(out,
                "qunzu_event_delivery_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
                "qunzu_event_delivery_duration_seconds_sum %.6f\n"
                "qunzu_event_delivery_duration_seconds_count %llu\n",
                (unsigned long long)count, (double)atomic_load(&deliveries.sum_us) / 1e6,
                (unsigned long long)count);
    }
    for (int c = 0; c < MC__COUNT; c++)
        fprintf(out, "# HELP %s %s\n# TYPE %s counter\n%s %lld\n", counter_info[c].name,
                counter_info[c].help, counter_info[c].name, counter_info[c].name,
                (long long)atomic_load(&m->counters[c]));
    fprintf(out,
            "# HELP qunzu_metrics_series_overflow_total Requests not counted in a series "
            "(the series table is full).\n# TYPE qunzu_metrics_series_overflow_total counter\n"
            "qunzu_metrics_series_overflow_total %llu\n",
            (unsigned long long)atomic_load(&m->overflow));
}
