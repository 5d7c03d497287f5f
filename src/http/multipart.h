/* SPDX-License-Identifier: MIT */
/*
 * http/multipart.h - multipart/form-data request bodies (uploads), read
 * with GMime: parts by name, any order, with or without a filename or a
 * Content-Type, empty parts, a quoted or bare boundary, a preamble or an
 * epilogue. Knows no dialect.
 */
#ifndef QZ_HTTP_MULTIPART_H
#define QZ_HTTP_MULTIPART_H

#include <stddef.h>

#include "core/err.h"

struct arena;

struct mp_part {
    const char *name;         /* Content-Disposition name, "" if none */
    const char *filename;     /* NULL if none */
    const char *content_type; /* as declared, NULL if none */
    const unsigned char *data;
    size_t len;
};

/* Splits 'body' sent with request header 'content_type' into its parts (in
 * the arena, in body order; the bytes are copied). ERR_MALFORMED when the
 * type is not multipart/form-data with a boundary or the body does not
 * parse as one. */
enum err mp_parse(struct arena *a, const char *content_type, const void *body, size_t len,
                  struct mp_part **parts, size_t *n);
/* The first part named 'name', or NULL. */
const struct mp_part *mp_find(const struct mp_part *parts, size_t n, const char *name);

#endif
