/* SPDX-License-Identifier: MIT */
/* tests/unit/test_core.c - UTF-8 length, integer parsing, base64url, query
 * strings, cursors, the arena. */
#include "unit.h"

#include "core/arena.h"
#include "core/cursor.h"
#include "core/ids.h"
#include "core/str.h"

#include <stdint.h>
#include <time.h>

static void utf8_len(void)
{
    CHECK(str_utf8_len("abc", 3) == 3);
    CHECK(str_utf8_len("", 0) == 0);
    /* Twelve Chinese characters are 36 bytes and 12 characters. */
    CHECK(str_utf8_len("一二三四五六七八九十一二", 36) == 12);
    CHECK(str_utf8_len("\xF0\x9F\x98\x80", 4) == 1);           /* emoji: one code point */
    CHECK(str_utf8_len("\xC0\xAF", 2) == -1);                  /* overlong '/' */
    CHECK(str_utf8_len("\xED\xA0\x80", 3) == -1);              /* surrogate */
    CHECK(str_utf8_len("\xE4\xB8", 2) == -1);                  /* truncated */
    CHECK(str_utf8_len("\xF4\x90\x80\x80", 4) == -1);          /* past U+10FFFF */
    CHECK(str_utf8_len("\x80", 1) == -1);                      /* stray continuation */
}

static void to_i64(void)
{
    int64_t v;

    CHECK(str_to_i64("42", 0, 100, &v) && v == 42);
    CHECK(str_to_i64("-5", -10, 10, &v) && v == -5);
    CHECK(!str_to_i64("101", 0, 100, &v));
    CHECK(!str_to_i64("4x", 0, 100, &v));
    CHECK(!str_to_i64("", 0, 100, &v));
    CHECK(!str_to_i64(" 4", 0, 100, &v));
    CHECK(!str_to_i64("99999999999999999999", 0, INT64_MAX, &v));
}

static void b64url(void)
{
    struct arena a;
    unsigned char out[16];

    arena_init(&a, 0);
    CHECK_STR(str_b64url_encode(&a, "\xfb\xff", 2), "-_8");
    CHECK(str_b64url_decode("-_8", 3, out, sizeof(out)) == 2 && out[0] == 0xfb && out[1] == 0xff);
    CHECK(str_b64url_decode("-_9", 3, out, sizeof(out)) == -1); /* non-zero leftover bits */
    CHECK(str_b64url_decode("a", 1, out, sizeof(out)) == -1);
    CHECK(str_unhex("fB00", out, sizeof(out)) == 2 && out[0] == 0xfb && out[1] == 0);
    CHECK(str_unhex("abc", out, sizeof(out)) == -1 && str_unhex("zz", out, sizeof(out)) == -1);
    CHECK(str_b64url_decode("a+b=", 4, out, sizeof(out)) == -1);
    arena_release(&a);
}

static void query_get(void)
{
    struct arena a;
    const char *q = "corpid=ww1&corpsecret=a%2Bb+c&empty=&flag";

    arena_init(&a, 0);
    CHECK_STR(str_query_get(&a, q, strlen(q), "corpid"), "ww1");
    CHECK_STR(str_query_get(&a, q, strlen(q), "corpsecret"), "a+b c");
    CHECK_STR(str_query_get(&a, q, strlen(q), "empty"), "");
    CHECK_STR(str_query_get(&a, q, strlen(q), "flag"), "");
    CHECK(str_query_get(&a, q, strlen(q), "corp") == NULL);
    CHECK(str_query_get(&a, q, strlen(q), "missing") == NULL);
    CHECK_STR(str_query_get(&a, "x=%zz", 5, "x"), "%zz");   /* bad escape kept */
    CHECK_STR(str_query_get(&a, "x=a%00b", 7, "x"), "a%00b"); /* never cut at NUL */
    CHECK_STR(str_query_get(&a, "x=%4", 4, "x"), "%4");
    /* Not UTF-8: each bad byte becomes '?'; valid sequences pass through. */
    CHECK_STR(str_query_get(&a, "x=a%ED%17b", 10, "x"), "a?\x17" "b");
    CHECK_STR(str_query_get(&a, "x=%E4%B8%AD", 11, "x"), "\xe4\xb8\xad");
    CHECK_STR(str_url_decode(&a, "id\xff%C3", 6), "id??");
    arena_release(&a);
}

static void cursor_roundtrip(void)
{
    struct arena a;
    int64_t pos = 0;
    char *c;

    arena_init(&a, 0);
    c = cursor_encode(&a, 'G', 42, 123456789);
    CHECK(cursor_decode(c, 'G', 42, &pos) && pos == 123456789);
    CHECK(!cursor_decode(c, 'M', 42, &pos)); /* another list's cursor */
    CHECK(!cursor_decode(c, 'G', 43, &pos)); /* another chat's, caller's, tenant's */
    CHECK(cursor_scope_str("oc_a") != cursor_scope_str("oc_b"));
    CHECK(cursor_scope_ints(1, 2, 3) != cursor_scope_ints(1, 3, 2));
    c[3] = (c[3] == 'A') ? 'B' : 'A';     /* garbled */
    CHECK(!cursor_decode(c, 'G', 42, &pos));
    CHECK(!cursor_decode("", 'G', 42, &pos));
    CHECK(!cursor_decode("not a cursor!", 'G', 42, &pos));
    arena_release(&a);
}

static void arena_big(void)
{
    struct arena a;
    char *small, *big;

    arena_init(&a, 64);
    small = arena_strdup(&a, "hello");
    big = arena_alloc(&a, 1000);
    memset(big, 'x', 1000);
    CHECK_STR(small, "hello");
    CHECK_STR(arena_printf(&a, "%d-%s", 7, "x"), "7-x");
    arena_reset(&a);
    CHECK_STR(arena_strdup(&a, "again"), "again");
    arena_release(&a);
}

static void utf8_sanitize(void)
{
    char a[] = "ok \xED\x17 \xE4\xB8\x80 tail\xE4\xB8";
    char b[] = "plain";

    str_utf8_sanitize(a);
    CHECK_STR(a, "ok ?\x17 \xE4\xB8\x80 tail??");
    CHECK(str_utf8_len(a, strlen(a)) >= 0);
    str_utf8_sanitize(b);
    CHECK_STR(b, "plain");
}

static int64_t wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Time-ordered ids: the format of ids_hex, the time in the first 6 bytes,
 * the rest random; ids made later sort after. */
static void ids_ordered(void)
{
    struct arena a;
    struct timespec pause = { 0, 3000000 };
    int64_t before, after, ms = 0;
    const char *x, *y, *tok;

    arena_init(&a, 256);
    before = wall_ms();
    x = ids_hex_ordered(&a, "om_", 16);
    after = wall_ms();
    CHECK(strlen(x) == 3 + 32 && strncmp(x, "om_", 3) == 0);
    CHECK(strspn(x + 3, "0123456789abcdef") == 32);
    for (int i = 0; i < 12; i++) {
        char c = x[3 + i];

        ms = ms * 16 + (c <= '9' ? c - '0' : c - 'a' + 10);
    }
    CHECK(ms >= before && ms <= after);
    CHECK(strcmp(ids_hex_ordered(&a, "om_", 16), x) != 0);
    nanosleep(&pause, NULL);
    y = ids_hex_ordered(&a, "om_", 16);
    CHECK(strcmp(y, x) > 0);
    /* base64url: 12 bytes, 16 characters. */
    tok = ids_token_ordered(&a, "", 12);
    CHECK(strlen(tok) == 16 && strspn(tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == 16);
    /* Too short to hold the time and as many random bytes: all random. */
    CHECK(strlen(ids_hex_ordered(&a, "", 8)) == 16);
    arena_release(&a);
}

/* Strings packed into one block (the node caches). */
static void str_packing(void)
{
    char block[16], *at = block;
    const char *p, *q;

    CHECK(str_size0(NULL) == 0 && str_size0("ab") == 3);
    p = str_pack(&at, "ab");
    q = str_pack(&at, NULL);
    CHECK_STR(p, "ab");
    CHECK(q == NULL && at == block + 3);
}

const struct unit_case core_cases[] = {
    { "core/ids_ordered", ids_ordered },
    { "core/str_packing", str_packing },
    { "core/utf8_sanitize", utf8_sanitize },
    { "core/utf8_len", utf8_len },
    { "core/to_i64", to_i64 },
    { "core/b64url", b64url },
    { "core/query_get", query_get },
    { "core/cursor_roundtrip", cursor_roundtrip },
    { "core/arena_big", arena_big },
    { NULL, NULL },
};
