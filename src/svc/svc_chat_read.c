/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_chat_read.c - reading chats: what a full view shows beyond the
 * row, the operator's chat list, search over chat and member names, and
 * the speakers of a moderated chat (Feishu's "Obtain the group
 * information", "Obtain the list of groups that the user or bot is in",
 * "Search for groups visible to the user or bot" and "Obtain group speech
 * permissions" pages).
 */
#include "svc/svc.h"

#include "core/arena.h"
#include "core/str.h"

#include <string.h>

#define SEARCH_BATCH 200
#define SEARCH_MAX_BATCHES 50
#define SEARCH_MAX_CHARS 64

enum err svc_chat_detail(struct svc_ctx *c, const struct fs_chat_row *chat, struct chat_detail *d)
{
    enum err e = ERR_OK;

    /* Counts read with the row (svc_chat_open) are this transaction's. */
    if (chat->counted) {
        d->users = chat->users;
        d->bots = chat->bots;
    } else {
        e = store_fs_member_counts(c->st, chat->id, &d->users, &d->bots);
    }
    d->managers = NULL;
    d->n_managers = 0;
    return e == ERR_OK ? store_fs_manager_list(c->st, c->a, chat->id, &d->managers, &d->n_managers)
                       : e;
}

enum err svc_chat_list(struct svc_ctx *c, const struct actor *op, bool by_active,
                       const int64_t keys[2], int64_t limit, struct fs_chat_row **rows, size_t *n,
                       bool *more)
{
    enum err e = store_fs_chat_list(c->st, c->a, op, 0, by_active, keys[0], keys[1], limit + 1,
                                    rows, n);

    *more = e == ERR_OK && (int64_t)*n > limit;
    if (*more)
        *n = (size_t)limit;
    return e;
}

/* Case-insensitive (ASCII) substring match on the chat's names, then on
 * its members' names (matched in SQL against the lower-cased query). */
static enum err search_match(struct svc_ctx *c, const struct fs_chat_row *chat, const char *q,
                             const char *lower, bool *hit)
{
    json_t *i18n = json_loads(chat->i18n_names, 0, NULL), *v;
    const char *key;

    *hit = strcasestr(chat->name, q) != NULL;
    json_object_foreach(i18n, key, v) {
        *hit = *hit || (json_is_string(v) && strcasestr(json_string_value(v), q) != NULL);
    }
    json_decref(i18n);
    if (*hit)
        return ERR_OK;
    return store_fs_member_name_match(c->st, c->a, chat->id, lower, hit);
}

enum err svc_chat_search(struct svc_ctx *c, const struct actor *op, const char *query,
                         int64_t after, int64_t limit, struct fs_chat_row **rows, size_t *n,
                         bool *more)
{
    struct fs_chat_row *found = arena_alloc(c->a, (size_t)(limit + 1) * sizeof(*found));
    char *lower;

    *rows = found;
    *n = 0;
    *more = false;
    if (query == NULL || *query == '\0' || str_utf8_len(query, strlen(query)) > SEARCH_MAX_CHARS)
        return ERR_OK;
    lower = arena_strdup(c->a, query);
    for (char *p = lower; *p != '\0'; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    for (int batch = 0; batch < SEARCH_MAX_BATCHES && !*more; batch++) {
        struct fs_chat_row *b;
        size_t nb;
        enum err e = store_fs_chat_list(c->st, c->a, op, c->tenant, false, 0, after, SEARCH_BATCH,
                                        &b, &nb);

        for (size_t i = 0; e == ERR_OK && i < nb && !*more; i++) {
            bool hit;

            e = search_match(c, &b[i], query, lower, &hit);
            if (e != ERR_OK || !hit)
                continue;
            if ((int64_t)*n == limit)
                *more = true;
            else
                found[(*n)++] = b[i];
        }
        if (e != ERR_OK)
            return e;
        if (nb < SEARCH_BATCH)
            break;
        after = b[nb - 1].id;
    }
    return ERR_OK;
}

enum err svc_chat_moderators(struct svc_ctx *c, const struct actor *op, const char *chat_id,
                             int64_t after, int64_t limit, const char **mode, int64_t **people,
                             size_t *n, bool *more)
{
    struct fs_member_row *m;
    struct chat_view v;
    size_t nm = 0;
    enum err e = svc_chat_open(c, chat_id, op, true, &v);

    *n = 0;
    *more = false;
    if (e == ERR_OK)
        e = store_fs_member_list(c->st, c->a, v.chat.id, &m, &nm);
    if (e != ERR_OK)
        return e;
    *mode = svc_chat_setting(c, &v.chat, "moderation_permission");
    *people = arena_alloc(c->a, (size_t)(limit + 1) * sizeof(**people));
    /* The speaker list matters only in moderator_list mode; it is paged by
     * person id. */
    for (size_t i = 0; strcmp(*mode, "moderator_list") == 0 && i < nm; i++) {
        if (m[i].who.kind != ACTOR_USER || !m[i].is_moderator || m[i].who.ref <= after)
            continue;
        if ((int64_t)*n == limit) {
            *more = true;
            break;
        }
        (*people)[(*n)++] = m[i].who.ref;
    }
    return ERR_OK;
}
