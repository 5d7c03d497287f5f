/* SPDX-License-Identifier: MIT */
/* core/ids.c - see ids.h. */
#include "core/ids.h"

#include "core/arena.h"
#include "core/str.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

char *ids_hex(struct arena *a, const char *prefix, size_t nbytes)
{
    unsigned char raw[64];
    size_t plen = strlen(prefix);
    char *out;

    if (nbytes > sizeof(raw))
        nbytes = sizeof(raw);
    ids_random(raw, nbytes);
    out = arena_alloc(a, plen + 2 * nbytes + 1);
    memcpy(out, prefix, plen);
    str_hex(raw, nbytes, out + plen);
    return out;
}

char *ids_token(struct arena *a, const char *prefix, size_t nbytes)
{
    unsigned char raw[96];

    if (nbytes > sizeof(raw))
        nbytes = sizeof(raw);
    ids_random(raw, nbytes);
    return arena_printf(a, "%s%s", prefix, str_b64url_encode(a, raw, nbytes));
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
