/* SPDX-License-Identifier: MIT */
/*
 * core/rate.h - fixed-window request counters for rate limits, shared by a
 * node's worker threads. A key is hashed to one slot; a slot taken by
 * another key starts over for the newcomer, so under heavy key churn the
 * counts can only err in the caller's favour.
 *
 * Several nodes on one database share their counts approximately: a sync
 * (svc_rate.c) takes each window's calls admitted here since the last sync
 * (rate_pending), adds them to a shared total, marks them added
 * (rate_pushed) and hands back every node's totals (rate_totals); a window
 * then refuses when this node's own count plus what the other nodes had
 * counted at the last sync reaches the limit. Windows are aligned on the
 * wall clock, so every node names a window by the same start.
 */
#ifndef QZ_CORE_RATE_H
#define QZ_CORE_RATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RATE_MAX_RULES 2

/* At most 'max' requests per window of 'window_ms'; max 0 disables a rule. */
struct rate_rule {
    int64_t window_ms;
    int64_t max;
};

/* One key's window as the sync moves it: 'n' is a count of calls. */
struct rate_share {
    uint64_t key;
    int64_t window_ms;
    int64_t start_ms; /* unix milliseconds, a multiple of window_ms */
    int64_t n;
};

struct rate_limiter;

struct rate_limiter *rate_new(void);
void rate_free(struct rate_limiter *rl);

/* Counts one request for 'key' under 'rules' (RATE_MAX_RULES, in order) at
 * 'now_ms' (wall clock, unix milliseconds). Returns false when a window is
 * full: '*limit' is that rule's max and '*reset_s' the seconds until its
 * window ends (at least 1). A refused request is not counted. */
bool rate_allow(struct rate_limiter *rl, uint64_t key, const struct rate_rule *rules,
                int64_t now_ms, int64_t *limit, int64_t *reset_s);

/* Fills 'out' (room for 'cap') with the windows still open at 'now_ms' that
 * admitted calls here since they were last pushed, 'n' being those calls.
 * Returns how many it filled. Nothing is marked: see rate_pushed. */
size_t rate_pending(struct rate_limiter *rl, int64_t now_ms, struct rate_share *out, size_t cap);

/* After the rate_pending entries 'sent' were added to the shared totals:
 * counts them as pushed. An entry whose window has since ended, or whose
 * slot another key took, is ignored. */
void rate_pushed(struct rate_limiter *rl, const struct rate_share *sent, size_t n);

/* Takes the shared totals ('n' = every node's pushed calls in the window,
 * this node's included): each window this node holds now counts
 * total - pushed-from-here as the other nodes' calls. Rows for windows or
 * keys this node does not hold are ignored. */
void rate_totals(struct rate_limiter *rl, const struct rate_share *totals, size_t n);

#endif
