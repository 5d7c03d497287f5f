/* SPDX-License-Identifier: MIT */
/* core/arena.c - bump allocator; see arena.h. */
#include "core/arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arena_block {
    struct arena_block *prev;
    size_t cap;
    size_t used;
    _Alignas(16) unsigned char data[];
};

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (p == NULL) {
        fputs("fatal: out of memory\n", stderr);
        abort();
    }
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);

    if (p == NULL) {
        fputs("fatal: out of memory\n", stderr);
        abort();
    }
    return p;
}

char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;

    return memcpy(xmalloc(n), s, n);
}

static struct arena_block *block_new(size_t cap, struct arena_block *prev)
{
    struct arena_block *b = xmalloc(sizeof(*b) + cap);

    b->prev = prev;
    b->cap = cap;
    b->used = 0;
    return b;
}

void arena_init(struct arena *a, size_t block_size)
{
    a->block_size = block_size ? block_size : 16384;
    a->head = NULL;
}

void arena_reset(struct arena *a)
{
    struct arena_block *b = a->head;

    if (b == NULL)
        return;
    while (b->prev != NULL) {
        struct arena_block *prev = b->prev;

        free(b);
        b = prev;
    }
    b->used = 0;
    a->head = b;
}

void arena_release(struct arena *a)
{
    arena_reset(a);
    free(a->head);
    a->head = NULL;
}

void *arena_alloc_raw(struct arena *a, size_t n)
{
    struct arena_block *b = a->head;
    size_t need = (n + 15) & ~(size_t)15;
    void *p;

    if (b == NULL || b->cap - b->used < need) {
        size_t cap = need > a->block_size ? need : a->block_size;

        /* An oversized block goes behind the head so the head keeps serving
         * small allocations. */
        if (b != NULL && need > a->block_size) {
            struct arena_block *big = block_new(cap, b->prev);

            b->prev = big;
            big->used = need;
            return big->data;
        }
        b = block_new(cap, b);
        a->head = b;
    }
    p = b->data + b->used;
    b->used += need;
    return p;
}

void *arena_alloc(struct arena *a, size_t n)
{
    void *p = arena_alloc_raw(a, n);

    memset(p, 0, (n + 15) & ~(size_t)15);
    return p;
}

size_t arena_size(const struct arena *a)
{
    size_t n = 0;

    for (const struct arena_block *b = a->head; b != NULL; b = b->prev)
        n += sizeof(*b) + b->cap;
    return n;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p;

    if (s == NULL)
        return NULL;
    p = arena_alloc_raw(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    int n;
    char *p;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    p = arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}
