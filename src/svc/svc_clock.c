/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_clock.c - the server clock's stored offset: the seconds the admin
 * API has moved the clock forward, kept in the database so a restart keeps
 * it and every node on the database shares it.
 */
#include "svc/svc.h"

#include "core/arena.h"
#include "core/str.h"

#define CLOCK_META_KEY "clock_offset"

/* The stored offset; ERR_NOT_FOUND when none is stored or it does not
 * parse. */
static enum err offset_read(struct store *st, struct arena *a, int64_t *offset)
{
    char *v = NULL;
    enum err e = store_meta_get(st, a, CLOCK_META_KEY, &v);

    if (e != ERR_OK)
        return e;
    return str_to_i64(v, INT64_MIN / 2, INT64_MAX / 2, offset) ? ERR_OK : ERR_NOT_FOUND;
}

enum err svc_clock_offset_get(struct store *st, int64_t *offset)
{
    struct arena a;
    enum err e;

    arena_init(&a, 256);
    e = offset_read(st, &a, offset);
    arena_release(&a);
    return e;
}

enum err svc_clock_offset_advance(struct svc_ctx *c, int64_t by, int64_t *offset)
{
    int64_t cur = 0;
    enum err e = store_lock_tenant(c->st, 0);

    if (e == ERR_OK)
        e = offset_read(c->st, c->a, &cur);
    if (e == ERR_NOT_FOUND) {
        cur = 0;
        e = ERR_OK;
    }
    if (e != ERR_OK)
        return e;
    cur += by;
    e = store_meta_set(c->st, CLOCK_META_KEY, arena_printf(c->a, "%lld", (long long)cur));
    if (e == ERR_OK)
        *offset = cur;
    return e;
}
