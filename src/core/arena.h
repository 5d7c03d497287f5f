/* SPDX-License-Identifier: MIT */
/*
 * core/arena.h - bump allocator for request-lifetime memory.
 *
 * One arena per worker thread is reset after each response; memory is never
 * freed piecemeal. Allocation aborts on exhaustion (inputs are bounded).
 */
#ifndef QZ_CORE_ARENA_H
#define QZ_CORE_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
    struct arena_block *head; /* current block; older ones chain behind */
    size_t block_size;
};

void arena_init(struct arena *a, size_t block_size);
/* Frees every block but the first, which is kept for reuse. */
void arena_reset(struct arena *a);
void arena_release(struct arena *a);

void *arena_alloc(struct arena *a, size_t n);   /* 16-byte aligned, zeroed */
void *arena_alloc_raw(struct arena *a, size_t n); /* the same, not zeroed */
/* Bytes the arena holds from the heap, block headers included. */
size_t arena_size(const struct arena *a);
char *arena_strdup(struct arena *a, const char *s); /* NULL stays NULL */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Abort-on-failure heap helpers for long-lived objects. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
char *xstrdup(const char *s);

#endif
