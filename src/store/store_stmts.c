/* SPDX-License-Identifier: MIT */
/*
 * store/store_stmts.c - a connection's prepared statements, shared by the
 * SQLite and PostgreSQL drivers. Statements are found by the address of
 * their SQL text (the entity operations' static strings), confirmed by the
 * text itself, so a statement built at run time is safe too. The cache never
 * refuses one: when it holds 'max' statements, the least recently used is
 * dropped to make room.
 */
#include "store/store_int.h"

#include "core/arena.h"

#include <stdlib.h>
#include <string.h>

static size_t slot_of(const struct stmt_cache *c, const char *key)
{
    uint64_t h = (uint64_t)(uintptr_t)key;

    h ^= h >> 17;
    h *= UINT64_C(0x9e3779b97f4a7c15);
    return (size_t)(h >> 32) & c->mask;
}

void stmt_cache_init(struct stmt_cache *c, size_t max,
                     void (*drop)(void *owner, struct stmt_entry *e), void *owner)
{
    size_t nslots = 16;

    while (nslots < 2 * max)
        nslots *= 2;
    memset(c, 0, sizeof(*c));
    c->slot = xcalloc(nslots, sizeof(*c->slot));
    c->mask = nslots - 1;
    c->max = max;
    c->drop = drop;
    c->owner = owner;
}

/* Empties slot 'i' (linear probing: the entries after it that would no
 * longer be found move back). */
static void remove_at(struct stmt_cache *c, size_t i, bool drop)
{
    size_t j = i;

    if (drop && c->drop != NULL)
        c->drop(c->owner, &c->slot[i]);
    free(c->slot[i].text);
    c->slot[i] = (struct stmt_entry){ 0 };
    c->n--;
    for (;;) {
        size_t k;

        j = (j + 1) & c->mask;
        if (c->slot[j].key == NULL)
            return;
        k = slot_of(c, c->slot[j].key);
        /* The entry at j stays when its home k lies cyclically in (i, j]. */
        if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
            continue;
        c->slot[i] = c->slot[j];
        c->slot[j] = (struct stmt_entry){ 0 };
        i = j;
    }
}

struct stmt_entry *stmt_cache_find(struct stmt_cache *c, const char *sql)
{
    for (size_t i = slot_of(c, sql); c->slot[i].key != NULL; i = (i + 1) & c->mask) {
        if (c->slot[i].key != sql)
            continue;
        if (strcmp(c->slot[i].text, sql) != 0) {
            /* The address now holds other text (a run-time statement's
             * memory was reused): the old statement goes. */
            remove_at(c, i, true);
            return NULL;
        }
        c->slot[i].used = ++c->tick;
        return &c->slot[i];
    }
    return NULL;
}

struct stmt_entry *stmt_cache_add(struct stmt_cache *c, const char *sql, void *stmt, uint64_t id)
{
    size_t i;

    if (c->n >= c->max) {
        size_t lru = SIZE_MAX;

        for (i = 0; i <= c->mask; i++)
            if (c->slot[i].key != NULL && (lru == SIZE_MAX || c->slot[i].used < c->slot[lru].used))
                lru = i;
        remove_at(c, lru, true);
        c->evicted++;
    }
    for (i = slot_of(c, sql); c->slot[i].key != NULL; i = (i + 1) & c->mask)
        ;
    c->slot[i] = (struct stmt_entry){
        .key = sql, .text = xstrdup(sql), .stmt = stmt, .id = id, .used = ++c->tick
    };
    c->n++;
    return &c->slot[i];
}

void stmt_cache_clear(struct stmt_cache *c, bool drop)
{
    for (size_t i = 0; c->slot != NULL && i <= c->mask; i++) {
        if (c->slot[i].key == NULL)
            continue;
        if (drop && c->drop != NULL)
            c->drop(c->owner, &c->slot[i]);
        free(c->slot[i].text);
        c->slot[i] = (struct stmt_entry){ 0 };
    }
    c->n = 0;
}

void stmt_cache_free(struct stmt_cache *c)
{
    stmt_cache_clear(c, true);
    free(c->slot);
    c->slot = NULL;
}
