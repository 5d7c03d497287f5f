/* SPDX-License-Identifier: MIT */
/* core/rate.c - fixed-window counters and their merge with other nodes'; see rate.h. */
#include "core/rate.h"

#include "core/arena.h"

#include <pthread.h>
#include <stdlib.h>

#define RATE_SLOTS 16384

/* Per rule: the open window, its calls admitted here, how many of those
 * the sync has added to the shared total, and the other nodes' calls in it
 * as last read. */
struct rate_slot {
    uint64_t key;
    int64_t window[RATE_MAX_RULES]; /* window_ms of the open window; 0: none */
    int64_t start[RATE_MAX_RULES];
    int64_t count[RATE_MAX_RULES];
    int64_t pushed[RATE_MAX_RULES];
    int64_t others[RATE_MAX_RULES];
};

struct rate_limiter {
    pthread_mutex_t lock;
    struct rate_slot slots[RATE_SLOTS];
};

struct rate_limiter *rate_new(void)
{
    struct rate_limiter *rl = xcalloc(1, sizeof(*rl));

    pthread_mutex_init(&rl->lock, NULL);
    return rl;
}

void rate_free(struct rate_limiter *rl)
{
    if (rl == NULL)
        return;
    pthread_mutex_destroy(&rl->lock);
    free(rl);
}

static uint64_t mix(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return k;
}

static struct rate_slot *slot_of(struct rate_limiter *rl, uint64_t key)
{
    return &rl->slots[mix(key) % RATE_SLOTS];
}

static void window_open(struct rate_slot *s, int i, int64_t window_ms, int64_t start_ms)
{
    s->window[i] = window_ms;
    s->start[i] = start_ms;
    s->count[i] = s->pushed[i] = s->others[i] = 0;
}

bool rate_allow(struct rate_limiter *rl, uint64_t key, const struct rate_rule *rules,
                int64_t now_ms, int64_t *limit, int64_t *reset_s)
{
    struct rate_slot *s = slot_of(rl, key);
    bool ok = true;

    pthread_mutex_lock(&rl->lock);
    if (s->key != key) {
        s->key = key;
        for (int i = 0; i < RATE_MAX_RULES; i++)
            window_open(s, i, 0, 0);
    }
    for (int i = 0; ok && i < RATE_MAX_RULES; i++) {
        if (rules[i].max <= 0)
            continue;
        /* A clock stepped back keeps the open window (the stricter choice). */
        if (s->window[i] != rules[i].window_ms || now_ms - s->start[i] >= rules[i].window_ms)
            window_open(s, i, rules[i].window_ms, now_ms - now_ms % rules[i].window_ms);
        if (s->count[i] + s->others[i] >= rules[i].max) {
            int64_t left = s->start[i] + rules[i].window_ms - now_ms;

            *limit = rules[i].max;
            *reset_s = left <= 1000 ? 1 : (left + 999) / 1000;
            ok = false;
        }
    }
    for (int i = 0; ok && i < RATE_MAX_RULES; i++)
        if (rules[i].max > 0)
            s->count[i]++;
    pthread_mutex_unlock(&rl->lock);
    return ok;
}

/* The rule of slot 's' whose open window is (window_ms, start_ms), or -1. */
static int rule_of(const struct rate_slot *s, uint64_t key, int64_t window_ms, int64_t start_ms)
{
    if (s->key != key)
        return -1;
    for (int i = 0; i < RATE_MAX_RULES; i++)
        if (s->window[i] == window_ms && s->start[i] == start_ms && window_ms > 0)
            return i;
    return -1;
}

size_t rate_pending(struct rate_limiter *rl, int64_t now_ms, struct rate_share *out, size_t cap)
{
    size_t n = 0;

    pthread_mutex_lock(&rl->lock);
    for (size_t k = 0; k < RATE_SLOTS && n < cap; k++) {
        const struct rate_slot *s = &rl->slots[k];

        for (int i = 0; i < RATE_MAX_RULES && n < cap; i++) {
            if (s->window[i] <= 0 || now_ms - s->start[i] >= s->window[i]
                || s->count[i] <= s->pushed[i])
                continue;
            /* Two rules of one window would count one total twice. */
            if (rule_of(s, s->key, s->window[i], s->start[i]) != i)
                continue;
            out[n++] = (struct rate_share){ .key = s->key, .window_ms = s->window[i],
                                            .start_ms = s->start[i],
                                            .n = s->count[i] - s->pushed[i] };
        }
    }
    pthread_mutex_unlock(&rl->lock);
    return n;
}

void rate_pushed(struct rate_limiter *rl, const struct rate_share *sent, size_t n)
{
    pthread_mutex_lock(&rl->lock);
    for (size_t j = 0; j < n; j++) {
        struct rate_slot *s = slot_of(rl, sent[j].key);
        int i = rule_of(s, sent[j].key, sent[j].window_ms, sent[j].start_ms);

        if (i >= 0)
            s->pushed[i] += sent[j].n;
    }
    pthread_mutex_unlock(&rl->lock);
}

void rate_totals(struct rate_limiter *rl, const struct rate_share *totals, size_t n)
{
    pthread_mutex_lock(&rl->lock);
    for (size_t j = 0; j < n; j++) {
        struct rate_slot *s = slot_of(rl, totals[j].key);
        int i = rule_of(s, totals[j].key, totals[j].window_ms, totals[j].start_ms);

        if (i >= 0)
            s->others[i] = totals[j].n > s->pushed[i] ? totals[j].n - s->pushed[i] : 0;
    }
    pthread_mutex_unlock(&rl->lock);
}
