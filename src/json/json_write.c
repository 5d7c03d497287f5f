/* SPDX-License-Identifier: MIT */
/*
 * json/json_write.c - compact serialisation of a jansson value into an arena,
 * in one pass: the bytes jansson's json_dumpb writes with JSON_COMPACT |
 * JSON_ENCODE_ANY (keys in insertion order, no "\/", UTF-8 kept, control
 * characters as \b \f \n \r \t or \u00XX), without its per-character
 * callbacks and UTF-8 decoding of every byte: ASCII runs are copied as they
 * are and only bytes at or above 0x80 are checked. Like jansson, a string
 * that is not valid UTF-8 fails the whole dump (an empty result).
 */
#include "json/json.h"

#include "core/arena.h"
#include "core/str.h"

#include <string.h>

#define wbuf json_text

/* json_raw's mark: a string no valid value starts with (it is not UTF-8). */
static const char raw_mark[2] = { '\xff', '\0' };

static void grow(struct wbuf *b, size_t need)
{
    size_t cap = b->cap;
    char *p;

    while (cap - b->n < need)
        cap *= 2;
    p = arena_alloc_raw(b->a, cap);
    memcpy(p, b->p, b->n);
    b->p = p;
    b->cap = cap;
}

static inline void put(struct wbuf *b, const char *s, size_t n)
{
    if (b->cap - b->n < n)
        grow(b, n);
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

static inline void put_c(struct wbuf *b, char c)
{
    if (b->n == b->cap)
        grow(b, 1);
    b->p[b->n++] = c;
}

/* 1: the byte is written as it is (inside a string). */
static const unsigned char plain[256] = {
    [0x20] = 1, [0x21] = 1, [0x23 ... 0x5b] = 1, [0x5d ... 0x7f] = 1,
};

/* The length of the valid UTF-8 sequence at 's' (at most 'n' bytes), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    size_t len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : 2;

    if (len > n)
        return 0;
    return str_utf8_len((const char *)s, len) == 1 ? len : 0;
}

static void put_string(struct wbuf *b, const char *str, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;

    put_c(b, '"');
    while (i < n) {
        size_t run = i;

        while (run < n && plain[s[run]])
            run++;
        if (run > i)
            put(b, str + i, run - i);
        i = run;
        if (i == n)
            break;
        if (s[i] >= 0x80) {
            size_t len = utf8_seq(s + i, n - i);

            if (len == 0) {
                b->bad = true;
                return;
            }
            put(b, str + i, len);
            i += len;
            continue;
        }
        switch (s[i]) {
        case '"': put(b, "\\\"", 2); break;
        case '\\': put(b, "\\\\", 2); break;
        case '\b': put(b, "\\b", 2); break;
        case '\f': put(b, "\\f", 2); break;
        case '\n': put(b, "\\n", 2); break;
        case '\r': put(b, "\\r", 2); break;
        case '\t': put(b, "\\t", 2); break;
        default: {
            char u[6] = { '\\', 'u', '0', '0', hex[s[i] >> 4], hex[s[i] & 15] };

            put(b, u, sizeof(u));
        }
        }
        i++;
    }
    put_c(b, '"');
}

static void put_int(struct wbuf *b, json_int_t v)
{
    char buf[STR_I64_MAX];
    size_t n;
    const char *p = str_i64(buf, (int64_t)v, &n);

    put(b, p, n);
}

static void put_value(struct wbuf *b, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        bool first = true;

        put_c(b, '{');
        for (void *it = json_object_iter((json_t *)v); it != NULL && !b->bad;
             it = json_object_iter_next((json_t *)v, it)) {
            if (!first)
                put_c(b, ',');
            first = false;
            put_string(b, json_object_iter_key(it), json_object_iter_key_len(it));
            put_c(b, ':');
            put_value(b, json_object_iter_value(it));
        }
        put_c(b, '}');
        break;
    }
    case JSON_ARRAY: {
        size_t n = json_array_size(v);

        put_c(b, '[');
        for (size_t i = 0; i < n && !b->bad; i++) {
            if (i > 0)
                put_c(b, ',');
            put_value(b, json_array_get(v, i));
        }
        put_c(b, ']');
        break;
    }
    case JSON_STRING: {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v);

        if (n >= sizeof(raw_mark) && memcmp(s, raw_mark, sizeof(raw_mark)) == 0)
            put(b, s + sizeof(raw_mark), n - sizeof(raw_mark));
        else
            put_string(b, s, n);
        break;
    }
    case JSON_INTEGER: put_int(b, json_integer_value(v)); break;
    case JSON_TRUE: put(b, "true", 4); break;
    case JSON_FALSE: put(b, "false", 5); break;
    case JSON_NULL: put(b, "null", 4); break;
    case JSON_REAL: {
        /* Rare: jansson's own formatting, so the digits stay its own. */
        char tmp[64];
        size_t n = json_dumpb(v, tmp, sizeof(tmp), JSON_COMPACT | JSON_ENCODE_ANY);

        if (n == 0 || n >= sizeof(tmp))
            b->bad = true;
        else
            put(b, tmp, n);
        break;
    }
    }
}

void json_text_init(struct json_text *t, struct arena *a, size_t cap)
{
    *t = (struct json_text){ .a = a, .cap = cap > 16 ? cap : 16 };
    t->p = arena_alloc_raw(a, t->cap);
}

void json_text_raw(struct json_text *t, const char *s, size_t n)
{
    put(t, s, n);
}

void json_text_str(struct json_text *t, const char *s)
{
    put_string(t, s, strlen(s));
}

void json_raw_begin(struct json_text *t, struct arena *a, size_t cap)
{
    json_text_init(t, a, cap + sizeof(raw_mark));
    put(t, raw_mark, sizeof(raw_mark));
}

json_t *json_raw(const struct json_text *t)
{
    /* Text gone bad: a string that fails the dump, as its part would have. */
    return t->bad ? json_stringn_nocheck("\xff", 1) : json_stringn_nocheck(t->p, t->n);
}

char *json_dump_arena(struct arena *a, const json_t *v, size_t *len)
{
    struct wbuf b;

    json_text_init(&b, a, 1024);
    if (v != NULL)
        put_value(&b, v);
    if (v == NULL || b.bad)
        b.n = 0;
    put_c(&b, '\0');
    *len = b.n - 1;
    return b.p;
}
