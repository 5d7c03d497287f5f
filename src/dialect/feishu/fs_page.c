/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_page.c - paged lists: page_size (checked by the route's
 * FS_Q_PAGE_SIZE rule) and the opaque page_token every Feishu list answers
 * with and takes back.
 */
#include "dialect/feishu/fs.h"

#include "core/arena.h"
#include "core/cursor.h"

#include <string.h>

#define MAX_KEYS 4

enum err fs_page_in(struct req *rq, const char *kinds, uint64_t scope, int64_t *limit,
                    int64_t *keys)
{
    const char *t = json_str(rq->query, "page_token");
    size_t n = strnlen(kinds, MAX_KEYS);
    int64_t got[MAX_KEYS];

    if (!json_int(rq->query, "page_size", limit))
        *limit = 20;
    if (t == NULL)
        return ERR_OK;
    for (size_t i = 0; i < n; i++) {
        const char *dot = strchr(t, '.');
        const char *part = dot ? arena_strndup(rq->http->arena, t, (size_t)(dot - t)) : t;

        /* Exactly one cursor per key: a dot after the last one, or none
         * before it, is a token of another list. */
        if ((dot != NULL) != (i + 1 < n)
            || !cursor_decode(part, (uint8_t)kinds[i], scope, &got[i]))
            return err_field(&rq->err, ERR_BAD_REQUEST, "page_token", "page_token");
        t = dot ? dot + 1 : t;
    }
    memcpy(keys, got, n * sizeof(*keys));
    return ERR_OK;
}

const char *fs_page_token(struct req *rq, const char *kinds, uint64_t scope,
                          const int64_t *keys)
{
    struct arena *a = rq->http->arena;
    const char *t = NULL;

    for (size_t i = 0; kinds[i] != '\0'; i++) {
        const char *c = cursor_encode(a, (uint8_t)kinds[i], scope, keys[i]);

        t = t ? arena_printf(a, "%s.%s", t, c) : c;
    }
    return t;
}
