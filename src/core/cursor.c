/* SPDX-License-Identifier: MIT */
/* core/cursor.c - see cursor.h. Layout: version, kind, 8-byte position
 * (big-endian), 2-byte FNV-1a checksum of the first 10 bytes. */
#include "core/cursor.h"

#include "core/str.h"

#include <string.h>

#define CURSOR_VERSION 1
#define CURSOR_LEN 12

static uint16_t checksum(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return (uint16_t)(h ^ (h >> 16));
}

char *cursor_encode(struct arena *a, uint8_t kind, int64_t pos)
{
    uint8_t raw[CURSOR_LEN];
    uint64_t v = (uint64_t)pos;
    uint16_t ck;

    raw[0] = CURSOR_VERSION;
    raw[1] = kind;
    for (int i = 0; i < 8; i++)
        raw[2 + i] = (uint8_t)(v >> (56 - 8 * i));
    ck = checksum(raw, 10);
    raw[10] = (uint8_t)(ck >> 8);
    raw[11] = (uint8_t)ck;
    return str_b64url_encode(a, raw, sizeof(raw));
}

bool cursor_decode(const char *s, uint8_t kind, int64_t *pos)
{
    uint8_t raw[CURSOR_LEN + 1];
    uint64_t v = 0;
    long n;

    if (s == NULL)
        return false;
    n = str_b64url_decode(s, strlen(s), raw, sizeof(raw));
    if (n != CURSOR_LEN || raw[0] != CURSOR_VERSION || raw[1] != kind)
        return false;
    if (checksum(raw, 10) != (uint16_t)(raw[10] << 8 | raw[11]))
        return false;
    for (int i = 0; i < 8; i++)
        v = v << 8 | raw[2 + i];
    if ((int64_t)v < 0)
        return false;
    *pos = (int64_t)v;
    return true;
}
