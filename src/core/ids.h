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
/* A random (version 4) UUID, lower-case: 36 characters and the NUL. */
void ids_uuid(char out[37]);

#endif
