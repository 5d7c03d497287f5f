/* SPDX-License-Identifier: MIT */
/*
 * core/str.h - checked string helpers: UTF-8 length, integer parsing,
 * base64url and hex, query-string lookup. No allocation except via arena.
 */
#ifndef QZ_CORE_STR_H
#define QZ_CORE_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;

/* Number of Unicode code points in valid UTF-8 's', or -1 if 's' is not valid
 * UTF-8 (overlongs, surrogates and code points past U+10FFFF are invalid). */
long str_utf8_len(const char *s, size_t n);

/* Replaces, in place, every byte of 's' that does not begin a valid UTF-8
 * sequence (a cut-off one at the end included) with '?'. */
void str_utf8_sanitize(char *s);

/* 'v' in decimal, written at the end of 'buf' (not NUL-terminated): returns
 * where it starts; '*len' gets its length. Cheaper than printf "%lld". */
#define STR_I64_MAX 24
char *str_i64(char buf[STR_I64_MAX], int64_t v, size_t *len);

/* Parses all of 's' as a base-10 integer within [min, max]. */
bool str_to_i64(const char *s, int64_t min, int64_t max, int64_t *out);

/* Base64url without padding. Encode writes into the arena; decode returns the
 * byte count, or -1 on invalid input or if 'cap' is too small. */
char *str_b64url_encode(struct arena *a, const void *data, size_t n);
long str_b64url_decode(const char *s, size_t n, void *out, size_t cap);

void str_hex(const void *data, size_t n, char *out); /* out gets 2n+1 bytes */
/* Reads hex digits (either case) into at most 'cap' bytes; -1 if malformed. */
long str_unhex(const char *s, void *out, size_t cap);

/* Finds 'key' in a raw query string ("a=1&b=2"), percent-decodes the value
 * into the arena ('+' is a space). Returns NULL when absent; "" when present
 * but empty. */
char *str_query_get(struct arena *a, const char *query, size_t qlen, const char *key);

/* Percent-decodes 's' ('+' stays '+': paths, not forms). A malformed escape
 * or "%00" is kept verbatim, so a result never holds a NUL and a broken
 * value never reads as a shorter valid one; bytes that are not UTF-8 become
 * '?', so a result is always valid text (str_query_get likewise). */
char *str_url_decode(struct arena *a, const char *s, size_t n);

/* Every value of a repeated query key ("?k=a&k=b"), decoded as by
 * str_query_get: the first 'max' into 'out'; returns how many there are. */
size_t str_query_all(struct arena *a, const char *query, size_t qlen, const char *key,
                     const char **out, size_t max);
bool str_eq_n(const char *a, size_t alen, const char *b); /* a[0..alen) == b */
/* A 64-bit hash of p[0..n) from 'seed' (FNV-1a, then a finaliser): for
 * in-memory tables keyed by a per-process random seed; chain calls by
 * passing one's result as the next one's seed. Not a MAC. */
uint64_t str_hash(uint64_t seed, const void *p, size_t n);
/* For strings packed into one allocation: the bytes 'v' takes with its NUL
 * (0 for NULL), and its copy at '*at', which moves past it (NULL stays
 * NULL). */
size_t str_size0(const char *v);
const char *str_pack(char **at, const char *v);

#endif
