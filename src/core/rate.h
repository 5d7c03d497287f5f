/* SPDX-License-Identifier: MIT */
/*
 * core/rate.h - fixed-window request counters for rate limits, shared by a
 * node's worker threads. A key is hashed to one slot; a slot taken by
 * another key starts over for the newcomer, so under heavy key churn the
 * counts can only err in the caller's favour.
 */
#ifndef QZ_CORE_RATE_H
#define QZ_CORE_RATE_H

#include <stdbool.h>
#include <stdint.h>

#define RATE_MAX_RULES 2

/* At most 'max' requests per window of 'window_ms'; max 0 disables a rule. */
struct rate_rule {
    int64_t window_ms;
    int64_t max;
};

struct rate_limiter;

struct rate_limiter *rate_new(void);
void rate_free(struct rate_limiter *rl);

/* Counts one request for 'key' under 'rules' (RATE_MAX_RULES, in order).
 * Returns false when a window is full: '*limit' is that rule's max and
 * '*reset_s' the seconds until its window ends (at least 1). A refused
 * request is not counted. */
bool rate_allow(struct rate_limiter *rl, uint64_t key, const struct rate_rule *rules,
                int64_t now_ms, int64_t *limit, int64_t *reset_s);

#endif
