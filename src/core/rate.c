/* SPDX-License-Identifier: MIT */
/* core/rate.c - fixed-window counters; see rate.h. */
#include "core/rate.h"

#include "core/arena.h"

#include <pthread.h>
#include <stdlib.h>

#define RATE_SLOTS 16384

struct rate_slot {
    uint64_t key;
    int64_t start[RATE_MAX_RULES];
    int64_t count[RATE_MAX_RULES];
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

bool rate_allow(struct rate_limiter *rl, uint64_t key, const struct rate_rule *rules,
                int64_t now_ms, int64_t *limit, int64_t *reset_s)
{
    struct rate_slot *s = &rl->slots[mix(key) % RATE_SLOTS];
    bool ok = true;

    pthread_mutex_lock(&rl->lock);
    if (s->key != key) {
        s->key = key;
        for (int i = 0; i < RATE_MAX_RULES; i++)
            s->start[i] = s->count[i] = 0;
    }
    for (int i = 0; ok && i < RATE_MAX_RULES; i++) {
        if (rules[i].max <= 0)
            continue;
        if (now_ms - s->start[i] >= rules[i].window_ms) {
            s->start[i] = now_ms - now_ms % rules[i].window_ms;
            s->count[i] = 0;
        }
        if (s->count[i] >= rules[i].max) {
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
