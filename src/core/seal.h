/* SPDX-License-Identifier: MIT */
/*
 * core/seal.h - secrets at rest: keyed digests of the secrets the server
 * looks rows up by, and sealed (encrypted and authenticated) copies of the
 * ones it must read back, under one server key that never lives in the
 * database. OpenSSL's EVP: HMAC-SHA256 and AES-256-GCM.
 *
 * Where the key comes from (secret_key_file) is config/; which column holds
 * which form is store/ (docs/reliability.md, "Secrets at rest").
 */
#ifndef QZ_CORE_SEAL_H
#define QZ_CORE_SEAL_H

#include <stdbool.h>
#include <stddef.h>

struct arena;

#define SEAL_KEY_LEN 32
#define SEAL_DIGEST_HEX 64 /* hex digits of a digest, without the NUL */

struct seal_key {
    unsigned char b[SEAL_KEY_LEN];
};

/* HMAC-SHA256 of 's' under 'key', as lower-case hex, in the arena. */
char *seal_digest(struct arena *a, const struct seal_key *key, const char *s);

/* 'plain' sealed under 'key' with AES-256-GCM and a fresh random 96-bit
 * nonce: "v1:" then base64url of nonce, ciphertext and the 128-bit tag, in
 * the arena. NULL in, NULL out (a column that may be NULL). */
char *seal_seal(struct arena *a, const struct seal_key *key, const char *plain);

/* The text 'sealed' was made from, in the arena; NULL in, NULL out with
 * true. Returns false when 'sealed' is malformed, was altered, or was sealed
 * under another key. */
bool seal_open(struct arena *a, const struct seal_key *key, const char *sealed, char **plain);

/* Whether two NUL-terminated strings are equal, in time that depends only on
 * their lengths (for secrets supplied by a caller). */
bool seal_str_eq(const char *given, const char *want);

/* Reads a key written as 64 hex digits (surrounding white space ignored).
 * Returns false if 's' is anything else. */
bool seal_key_parse(const char *s, struct seal_key *key);

/* The key as 64 hex digits and a newline, the form of a key file. */
void seal_key_format(const struct seal_key *key, char out[SEAL_DIGEST_HEX + 2]);

#endif
