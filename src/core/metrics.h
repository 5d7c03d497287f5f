/* SPDX-License-Identifier: MIT */
/*
 * core/metrics.h - the process's request metrics for GET /metrics:
 * requests by dialect, endpoint and status with a latency histogram each,
 * and named counters. Lock-free to record from any thread; rendered in
 * Prometheus' text exposition format.
 */
#ifndef QZ_CORE_METRICS_H
#define QZ_CORE_METRICS_H

#include <stdint.h>
#include <stdio.h>

struct metrics;

/* Counters other modules bump (name and help in metrics.c). */
enum metric_counter {
    MC_RATE_LIMITED,  /* requests refused by the platforms' rate limits */
    MC_BUSY,          /* requests refused at a bound (the write queue) */
    MC_STORE_ERRORS,  /* requests answered with the store error */
    MC_FAULTS_FIRED,  /* requests answered by a fault rule */
    MC__COUNT
};

struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);

/* What names one endpoint: 'id' is an address unique to it (its route
 * row); the strings are static. */
struct metric_route {
    const void *id;
    const char *dialect, *method, *route;
};

/* One answered request. */
void metrics_observe(struct metrics *m, const struct metric_route *r, int status,
                     int64_t latency_us);
void metrics_count(struct metrics *m, enum metric_counter c, int64_t n);

/* One event delivery attempt (webhook POST or long-connection push) and
 * how long it took, whether or not it succeeded. Process-wide. */
void metrics_delivery(int64_t latency_us);

/* Appends the request series and the counters to 'out' (the exposition
 * format: HELP, TYPE, samples). */
void metrics_render(struct metrics *m, FILE *out);

#endif
