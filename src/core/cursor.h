/* SPDX-License-Identifier: MIT */
/*
 * core/cursor.h - opaque keyset cursors: a list position (the last row's
 * sequence number) wrapped with a kind tag and a checksum, base64url-encoded.
 * A garbled, truncated or foreign cursor fails to decode.
 */
#ifndef QZ_CORE_CURSOR_H
#define QZ_CORE_CURSOR_H

#include <stdbool.h>
#include <stdint.h>

struct arena;

char *cursor_encode(struct arena *a, uint8_t kind, int64_t pos);
bool cursor_decode(const char *s, uint8_t kind, int64_t *pos);

#endif
