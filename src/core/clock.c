/* SPDX-License-Identifier: MIT */
/* core/clock.c - see clock.h. */
#include "core/clock.h"

#include <time.h>

int64_t clock_wall_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t clock_mono_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t clock_now(const struct qclock *c)
{
    return clock_wall_us() / 1000000 + (c ? atomic_load(&c->offset) : 0);
}

int64_t clock_now_ms(const struct qclock *c)
{
    return clock_wall_us() / 1000 + atomic_load(&c->offset) * 1000;
}

void clock_nap_ms(int64_t ms)
{
    struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}
