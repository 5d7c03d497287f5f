/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_chat_menus.c - chat menus: bots manage them in group chats; up to
 * 3 top-level menus with up to 5 children each, in explicit order. Create
 * appends, sort reorders the top levels, delete removes top levels with
 * their children. An item's content is the caller's text.
 */
#include "svc/svc.h"

#include <string.h>

#define MAX_TOP 3
#define MAX_CHILDREN 5

enum err svc_chat_menus_open(struct svc_ctx *c, const char *chat_id, const struct actor *op,
                             bool write, struct chat_menus *out)
{
    enum err e;

    out->rows = NULL;
    out->n = 0;
    if (op->kind != ACTOR_BOT)
        return err_set(c->ei, ERR_UNAUTHENTICATED, SUBJ_USER_TOKEN, "menus take a tenant token");
    /* Only changes take the tenant's write lock; reading the tree does not. */
    e = write ? svc_chat_open_write(c, chat_id, op, true, &out->v)
              : svc_chat_open(c, chat_id, op, true, &out->v);
    if (e == ERR_OK && strcmp(out->v.chat.chat_mode, "group") != 0)
        e = err_set(c->ei, ERR_BAD_REQUEST, SUBJ_CHAT_MODE, "menus need a group chat");
    if (e == ERR_OK)
        e = store_fs_menu_list(c->st, c->a, out->v.chat.id, &out->rows, &out->n);
    return e;
}

static enum err reread(struct svc_ctx *c, struct chat_menus *m)
{
    return store_fs_menu_list(c->st, c->a, m->v.chat.id, &m->rows, &m->n);
}

static size_t count_top(const struct chat_menus *m)
{
    size_t tops = 0;

    for (size_t i = 0; i < m->n; i++)
        tops += m->rows[i].parent == 0;
    return tops;
}

static struct fs_menu_row *find_top(struct chat_menus *m, const char *id)
{
    for (size_t i = 0; id != NULL && i < m->n; i++)
        if (m->rows[i].parent == 0 && strcmp(m->rows[i].item_id, id) == 0)
            return &m->rows[i];
    return NULL;
}

enum err svc_chat_menus_add(struct svc_ctx *c, const char *chat_id, const struct actor *op,
                            const struct chat_menu_new *tops, size_t n, struct chat_menus *out)
{
    size_t have, i;
    enum err e = svc_chat_menus_open(c, chat_id, op, true, out);

    if (e != ERR_OK)
        return e;
    have = count_top(out);
    if (have + n > MAX_TOP)
        return err_set(c->ei, ERR_LIMIT, SUBJ_MENU, "too many top-level menus");
    for (i = 0; i < n; i++)
        if (tops[i].nchildren > MAX_CHILDREN)
            return err_set(c->ei, ERR_LIMIT, SUBJ_MENU_CHILD, "too many second-level menus");
    for (i = 0; e == ERR_OK && i < n; i++) {
        struct fs_menu_row t = { .item_id = svc_chat_item_id(c), .position = (int64_t)(have + i),
                                 .item = tops[i].item };

        e = store_fs_menu_insert(c->st, out->v.chat.id, &t);
        for (size_t j = 0; e == ERR_OK && j < tops[i].nchildren; j++) {
            struct fs_menu_row ch = { .item_id = svc_chat_item_id(c), .parent = t.id,
                                      .position = (int64_t)j, .item = tops[i].children[j] };

            e = store_fs_menu_insert(c->st, out->v.chat.id, &ch);
        }
    }
    return e == ERR_OK ? reread(c, out) : e;
}

enum err svc_chat_menus_sort(struct svc_ctx *c, const char *chat_id, const struct actor *op,
                             const char *const *ids, size_t n, struct chat_menus *out)
{
    size_t i;
    enum err e = svc_chat_menus_open(c, chat_id, op, true, out);

    if (e != ERR_OK)
        return e;
    if (n != count_top(out))
        return err_set(c->ei, ERR_CONFLICT, SUBJ_MENU, "ids differ from the menus");
    for (i = 0; i < n; i++) {
        struct fs_menu_row *t = find_top(out, ids[i]);

        if (t == NULL || t->position < 0)
            return err_set(c->ei, ERR_CONFLICT, SUBJ_MENU, "ids differ from the menus");
        t->position = -1 - (int64_t)i; /* marks it seen; a repeat fails above */
    }
    for (i = 0; e == ERR_OK && i < out->n; i++) {
        if (out->rows[i].parent != 0)
            continue;
        out->rows[i].position = -1 - out->rows[i].position;
        e = store_fs_menu_update(c->st, &out->rows[i]);
    }
    return e == ERR_OK ? reread(c, out) : e;
}

enum err svc_chat_menus_delete(struct svc_ctx *c, const char *chat_id, const struct actor *op,
                               const char *const *ids, size_t n, struct chat_menus *out)
{
    int64_t pos = 0;
    size_t i;
    enum err e = n > 0 ? svc_chat_menus_open(c, chat_id, op, true, out)
                       : err_field(c->ei, ERR_BAD_REQUEST, "chat_menu_top_level_ids",
                                   "chat_menu_top_level_ids");

    for (i = 0; e == ERR_OK && i < n; i++) {
        struct fs_menu_row *t = find_top(out, ids[i]);

        if (t == NULL)
            return err_field(c->ei, ERR_BAD_REQUEST, "chat_menu_top_level_ids",
                             "chat_menu_top_level_ids");
        if (t->position >= 0)
            e = store_fs_menu_delete(c->st, t->id);
        t->position = -1;
    }
    /* Close the gaps the deletions left. */
    for (i = 0; e == ERR_OK && i < out->n; i++) {
        if (out->rows[i].parent != 0 || out->rows[i].position < 0)
            continue;
        out->rows[i].position = pos++;
        e = store_fs_menu_update(c->st, &out->rows[i]);
    }
    return e == ERR_OK ? reread(c, out) : e;
}

struct fs_menu_row *svc_chat_menu_find(struct chat_menus *m, const char *item_id,
                                       bool *has_children)
{
    struct fs_menu_row *found = NULL;

    *has_children = false;
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->rows[i].item_id, item_id) == 0)
            found = &m->rows[i];
    for (size_t i = 0; found != NULL && i < m->n; i++)
        *has_children = *has_children || m->rows[i].parent == found->id;
    return found;
}

enum err svc_chat_menu_item_set(struct svc_ctx *c, const struct fs_menu_row *item)
{
    return store_fs_menu_update(c->st, item);
}
