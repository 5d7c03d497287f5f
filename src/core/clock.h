/* SPDX-License-Identifier: MIT */
/*
 * core/clock.h - the server's clock: wall time plus an offset that the admin
 * API can move forward, so tests can expire tokens without waiting.
 */
#ifndef QZ_CORE_CLOCK_H
#define QZ_CORE_CLOCK_H

#include <stdatomic.h>
#include <stdint.h>

struct qclock {
    _Atomic int64_t offset; /* seconds added to the wall clock */
};

int64_t clock_now(const struct qclock *c);        /* unix seconds, offset applied */
int64_t clock_now_ms(const struct qclock *c);     /* the same in milliseconds */
int64_t clock_wall_us(void);                       /* unix microseconds, no offset */
int64_t clock_mono_us(void);                       /* monotonic microseconds */
void clock_nap_ms(int64_t ms);                     /* sleeps (a signal may cut it short) */

#endif
