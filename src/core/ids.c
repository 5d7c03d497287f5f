/* SPDX-License-Identifier: MIT */
/* core/ids.c - see ids.h. */
#include "core/ids.h"

#include "core/arena.h"
#include "core/str.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void draw(void *buf, size_t n)
{
    if (RAND_bytes(buf, (int)n) != 1) {
        fputs("fatal: random source failed\n", stderr);
        abort();
    }
}

/* A call of RAND_bytes costs about a microsecond whatever it draws (the
 * generator's lock, its fork check), and an id takes 8 to 18 bytes: each
 * thread draws 512 bytes at a time and hands them out in order, each byte
 * once, wiping what it hands out. The process never forks, so no two
 * threads or processes share a pool. Larger draws go to the generator. */
#define POOL 512

static __thread unsigned char pool[POOL];
static __thread size_t pool_left;

void ids_random(void *buf, size_t n)
{
    unsigned char *p;

    if (n > POOL / 4) {
        draw(buf, n);
        return;
    }
    if (pool_left < n) {
        draw(pool, POOL);
        pool_left = POOL;
    }
    p = pool + POOL - pool_left;
    memcpy(buf, p, n);
    OPENSSL_cleanse(p, n);
    pool_left -= n;
}

/* An ordered id's leading bytes: the wall clock's milliseconds, big-endian
 * (2^48 ms: until the year 10889). */
#define ORDERED_TIME_BYTES 6

/* 'n' random bytes; with 'ordered' (and room for at least as many random
 * bytes after them), the first ORDERED_TIME_BYTES the time instead. */
static void id_bytes(unsigned char *raw, size_t n, bool ordered)
{
    struct timespec ts;
    uint64_t ms;

    if (!ordered || n < 2 * ORDERED_TIME_BYTES) {
        ids_random(raw, n);
        return;
    }
    clock_gettime(CLOCK_REALTIME, &ts);
    ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
    for (size_t i = 0; i < ORDERED_TIME_BYTES; i++)
        raw[i] = (unsigned char)(ms >> (8 * (ORDERED_TIME_BYTES - 1 - i)));
    ids_random(raw + ORDERED_TIME_BYTES, n - ORDERED_TIME_BYTES);
}

static char *hex_id(struct arena *a, const char *prefix, size_t nbytes, bool ordered)
{
    unsigned char raw[64];
    size_t plen = strlen(prefix);
    char *out;

    if (nbytes > sizeof(raw))
        nbytes = sizeof(raw);
    id_bytes(raw, nbytes, ordered);
    out = arena_alloc(a, plen + 2 * nbytes + 1);
    memcpy(out, prefix, plen);
    str_hex(raw, nbytes, out + plen);
    return out;
}

static char *token_id(struct arena *a, const char *prefix, size_t nbytes, bool ordered)
{
    unsigned char raw[96];

    if (nbytes > sizeof(raw))
        nbytes = sizeof(raw);
    id_bytes(raw, nbytes, ordered);
    return arena_printf(a, "%s%s", prefix, str_b64url_encode(a, raw, nbytes));
}

char *ids_hex(struct arena *a, const char *prefix, size_t nbytes)
{
    return hex_id(a, prefix, nbytes, false);
}

char *ids_token(struct arena *a, const char *prefix, size_t nbytes)
{
    return token_id(a, prefix, nbytes, false);
}

char *ids_hex_ordered(struct arena *a, const char *prefix, size_t nbytes)
{
    return hex_id(a, prefix, nbytes, true);
}

char *ids_token_ordered(struct arena *a, const char *prefix, size_t nbytes)
{
    return token_id(a, prefix, nbytes, true);
}

void ids_uuid(char out[37])
{
    unsigned char b[16];

    ids_random(b, sizeof(b));
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
             b[13], b[14], b[15]);
}
