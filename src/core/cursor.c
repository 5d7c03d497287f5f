/* SPDX-License-Identifier: MIT */
/* core/cursor.c - see cursor.h. Layout: version, kind, 8-byte position
 * (big-endian), 4-byte FNV-1a checksum of those 10 bytes and the 8-byte
 * scope. */
#include "core/cursor.h"

#include "core/str.h"

#include <string.h>

#define CURSOR_VERSION 2
#define CURSOR_LEN 14

#define FNV32_BASIS 2166136261u
#define FNV32_PRIME 16777619u
#define FNV64_BASIS 14695981039346656037ull
#define FNV64_PRIME 1099511628211ull

static void put_be(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static uint64_t get_be(const uint8_t *p, int n)
{
    uint64_t v = 0;

    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

static uint32_t checksum(const uint8_t *p, size_t n, uint64_t scope)
{
    uint8_t s[8];
    uint32_t h = FNV32_BASIS;

    put_be(s, scope, 8);
    for (size_t i = 0; i < n + 8; i++) {
        h ^= i < n ? p[i] : s[i - n];
        h *= FNV32_PRIME;
    }
    return h;
}

char *cursor_encode(struct arena *a, uint8_t kind, uint64_t scope, int64_t pos)
{
    uint8_t raw[CURSOR_LEN];

    raw[0] = CURSOR_VERSION;
    raw[1] = kind;
    put_be(raw + 2, (uint64_t)pos, 8);
    put_be(raw + 10, checksum(raw, 10, scope), 4);
    return str_b64url_encode(a, raw, sizeof(raw));
}

bool cursor_decode(const char *s, uint8_t kind, uint64_t scope, int64_t *pos)
{
    uint8_t raw[CURSOR_LEN + 1];
    uint64_t v;
    long n;

    if (s == NULL)
        return false;
    n = str_b64url_decode(s, strlen(s), raw, sizeof(raw));
    if (n != CURSOR_LEN || raw[0] != CURSOR_VERSION || raw[1] != kind)
        return false;
    if (checksum(raw, 10, scope) != (uint32_t)get_be(raw + 10, 4))
        return false;
    v = get_be(raw + 2, 8);
    if ((int64_t)v < 0)
        return false;
    *pos = (int64_t)v;
    return true;
}

uint64_t cursor_scope_str(const char *s)
{
    uint64_t h = FNV64_BASIS;

    for (; *s != '\0'; s++) {
        h ^= (uint8_t)*s;
        h *= FNV64_PRIME;
    }
    return h;
}

uint64_t cursor_scope_ints(int64_t a, int64_t b, int64_t c)
{
    int64_t v[3] = { a, b, c };
    uint64_t h = FNV64_BASIS;

    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 8; k++) {
            h ^= (uint8_t)((uint64_t)v[i] >> (8 * k));
            h *= FNV64_PRIME;
        }
    return h;
}
