/* SPDX-License-Identifier: MIT */
/* core/str.c - checked string helpers; see str.h. */
#include "core/str.h"

#include "core/arena.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

long str_utf8_len(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    long count = 0;

    while (p < end) {
        unsigned c = *p;
        unsigned cp;
        size_t len;

        if (c < 0x80) {
            p++;
            count++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return -1;
        }
        if ((size_t)(end - p) < len)
            return -1;
        for (size_t i = 1; i < len; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return -1;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)
            || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return -1;
        p += len;
        count++;
    }
    return count;
}

void str_utf8_sanitize(char *s)
{
    size_t n = strlen(s);

    for (size_t i = 0; i < n;) {
        size_t len = 1;

        while (len <= 4 && i + len <= n && str_utf8_len(s + i, len) != 1)
            len++;
        if (len > 4 || i + len > n) {
            s[i++] = '?';
            continue;
        }
        i += len;
    }
}

char *str_i64(char buf[STR_I64_MAX], int64_t v, size_t *len)
{
    char *e = buf + STR_I64_MAX, *p = e;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0)
        *--p = '-';
    *len = (size_t)(e - p);
    return p;
}

bool str_to_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    char *end;
    long long v;

    if (s == NULL || *s == '\0' || *s == ' ' || *s == '+')
        return false;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return false;
    *out = v;
    return true;
}

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *str_b64url_encode(struct arena *a, const void *data, size_t n)
{
    const unsigned char *p = data;
    char *out = arena_alloc(a, (n + 2) / 3 * 4 + 1);
    size_t o = 0, i;

    for (i = 0; i + 2 < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];

        out[o++] = b64url[v >> 18];
        out[o++] = b64url[(v >> 12) & 63];
        out[o++] = b64url[(v >> 6) & 63];
        out[o++] = b64url[v & 63];
    }
    if (n - i == 1) {
        unsigned v = (unsigned)p[i] << 16;

        out[o++] = b64url[v >> 18];
        out[o++] = b64url[(v >> 12) & 63];
    } else if (n - i == 2) {
        unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8;

        out[o++] = b64url[v >> 18];
        out[o++] = b64url[(v >> 12) & 63];
        out[o++] = b64url[(v >> 6) & 63];
    }
    out[o] = '\0';
    return out;
}

static int b64url_val(char c)
{
    const char *p = (c != '\0') ? strchr(b64url, c) : NULL;

    return p ? (int)(p - b64url) : -1;
}

long str_b64url_decode(const char *s, size_t n, void *out, size_t cap)
{
    unsigned char *o = out;
    size_t len = 0;
    unsigned acc = 0;
    int bits = 0;

    if (n % 4 == 1)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int v = b64url_val(s[i]);

        if (v < 0)
            return -1;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (len == cap)
                return -1;
            o[len++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    /* Leftover bits must be zero, so every value has one spelling. */
    if (acc != 0)
        return -1;
    return (long)len;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

void str_hex(const void *data, size_t n, char *out)
{
    static const char hx[] = "0123456789abcdef";
    const unsigned char *p = data;

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hx[p[i] >> 4];
        out[2 * i + 1] = hx[p[i] & 15];
    }
    out[2 * n] = '\0';
}

long str_unhex(const char *s, void *out, size_t cap)
{
    size_t n = strlen(s);
    unsigned char *o = out;

    if (n % 2 != 0 || n / 2 > cap)
        return -1;
    for (size_t i = 0; i < n; i += 2) {
        int hi = hexval(s[i]), lo = hexval(s[i + 1]);

        if (hi < 0 || lo < 0)
            return -1;
        o[i / 2] = (unsigned char)(hi << 4 | lo);
    }
    return (long)(n / 2);
}


static char *url_decode(struct arena *a, const char *s, size_t n, bool plus_is_space)
{
    char *out = arena_alloc(a, n + 1);
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            int hi = i + 2 < n ? hexval(s[i + 1]) : -1;
            int lo = i + 2 < n ? hexval(s[i + 2]) : -1;

            /* A malformed escape, or one for NUL, stays as it was written:
             * the value then names nothing valid instead of being cut short
             * or silently emptied. */
            if (hi < 0 || lo < 0 || (hi | lo) == 0) {
                out[o++] = '%';
                continue;
            }
            out[o++] = (char)(hi << 4 | lo);
            i += 2;
        } else {
            out[o++] = (plus_is_space && s[i] == '+') ? ' ' : s[i];
        }
    }
    out[o] = '\0';
    /* Decoded values end up as SQL text parameters, and PostgreSQL refuses
     * text that is not UTF-8 where SQLite would quietly store it. Replacing
     * bad sequences here makes both stores see the same value: one that
     * names nothing, so the request fails the dialect's own way. */
    str_utf8_sanitize(out);
    return out;
}

char *str_url_decode(struct arena *a, const char *s, size_t n)
{
    return url_decode(a, s, n, false);
}

size_t str_query_all(struct arena *a, const char *query, size_t qlen, const char *key,
                     const char **out, size_t max)
{
    const char *p = query, *end = query + qlen;
    size_t n = 0, klen = strlen(key);

    while (p != NULL && p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *pe = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(pe - p));
        const char *ke = eq ? eq : pe;

        if ((size_t)(ke - p) == klen && memcmp(p, key, klen) == 0) {
            const char *v = eq ? eq + 1 : pe;

            if (n < max)
                out[n] = url_decode(a, v, (size_t)(pe - v), true);
            n++;
        }
        p = amp ? amp + 1 : NULL;
    }
    return n;
}

char *str_query_get(struct arena *a, const char *query, size_t qlen, const char *key)
{
    const char *v = NULL;

    return str_query_all(a, query, qlen, key, &v, 1) > 0 ? (char *)v : NULL;
}

bool str_eq_n(const char *a, size_t alen, const char *b)
{
    return strlen(b) == alen && memcmp(a, b, alen) == 0;
}

uint64_t str_hash(uint64_t seed, const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = 0xcbf29ce484222325ULL ^ seed;

    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

size_t str_size0(const char *v)
{
    return v == NULL ? 0 : strlen(v) + 1;
}

const char *str_pack(char **at, const char *v)
{
    char *p = *at;
    size_t n;

    if (v == NULL)
        return NULL;
    n = strlen(v) + 1;
    memcpy(p, v, n);
    *at = p + n;
    return p;
}
