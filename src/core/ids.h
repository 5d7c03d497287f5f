/* SPDX-License-Identifier: MIT */
/*
 * core/ids.h - identifiers and secrets from the OS's random source
 * (OpenSSL's CSPRNG): opaque ids, tokens, secrets.
 */
#ifndef QZ_CORE_IDS_H
#define QZ_CORE_IDS_H

#include <stddef.h>

struct arena;

/* Fills 'buf' with 'n' random bytes; aborts if the CSPRNG fails. */
void ids_random(void *buf, size_t n);
/* 'prefix' followed by 2*nbytes lower-case hex digits, in the arena. */
char *ids_hex(struct arena *a, const char *prefix, size_t nbytes);
/* 'prefix' followed by base64url of nbytes random bytes, in the arena. */
char *ids_token(struct arena *a, const char *prefix, size_t nbytes);
/* The same with the wall clock's milliseconds in the first 6 of the
 * 'nbytes' (12 or more; fewer: all random), the rest random: ids that a
 * table keeps in a unique index, so the ids made close in time sit close
 * in it (an insert writes the index's newest page, not a random one). They
 * are as opaque as the others; they are not secrets (no token, key or
 * password is made this way). */
char *ids_hex_ordered(struct arena *a, const char *prefix, size_t nbytes);
char *ids_token_ordered(struct arena *a, const char *prefix, size_t nbytes);
/* A random (version 4) UUID, lower-case: 36 characters and the NUL. */
void ids_uuid(char out[37]);

#endif
