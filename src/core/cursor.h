/* SPDX-License-Identifier: MIT */
/*
 * core/cursor.h - opaque keyset cursors: a list position (the last row's
 * sequence number) wrapped with a kind tag and a checksum, base64url-encoded.
 * The checksum also covers a scope the cursor is bound to (the chat, the
 * caller, the tenant), which is not stored: a garbled, truncated or foreign
 * cursor, or one minted for another scope, fails to decode.
 */
#ifndef QZ_CORE_CURSOR_H
#define QZ_CORE_CURSOR_H

#include <stdbool.h>
#include <stdint.h>

struct arena;

char *cursor_encode(struct arena *a, uint8_t kind, uint64_t scope, int64_t pos);
bool cursor_decode(const char *s, uint8_t kind, uint64_t scope, int64_t *pos);

/* A scope from a string (an external id) or from numbers. */
uint64_t cursor_scope_str(const char *s);
uint64_t cursor_scope_ints(int64_t a, int64_t b, int64_t c);

#endif
