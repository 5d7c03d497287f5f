/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_chat_tabs.c - chat tabs: the built-in message tab every group and
 * p2p chat has, first and fixed, then up to 20 custom tabs in an explicit
 * order. A chat's message tab is stored by its first tab write; until then
 * reads show it as it will be stored (its id derives from the chat's), so
 * reading never writes.
 */
#include "svc/svc.h"

#include "core/arena.h"

#include <string.h>

#define MAX_CUSTOM_TABS 20

static bool custom(const char *type)
{
    return strcmp(type, "doc") == 0 || strcmp(type, "url") == 0;
}

static enum err bad(struct svc_ctx *c, const char *field)
{
    return err_field(c->ei, ERR_BAD_REQUEST, field, "%s", field);
}

/* The message tab's id: 19 digits from an FNV-1a hash of the chat_id, the
 * same for every read until a write stores it. */
static struct fs_tab_row message_tab(struct svc_ctx *c, const struct fs_chat_row *chat)
{
    uint64_t h = 14695981039346656037ULL;

    for (const char *p = chat->chat_id; *p != '\0'; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return (struct fs_tab_row){
        .tab_id = arena_printf(c->a, "7%018llu", (unsigned long long)(h % 1000000000000000000ULL)),
        .tab_type = "message",
    };
}

/* Opens the chat (group or p2p, the operator a member) and reads its tabs;
 * a write first takes the writer lock and stores the message tab. */
static enum err tabs_open(struct svc_ctx *c, const char *chat_id, const struct actor *op,
                          bool write, struct chat_tabs *t)
{
    enum err e = write ? svc_chat_open_write(c, chat_id, op, true, &t->v)
                       : svc_chat_open(c, chat_id, op, true, &t->v);

    t->tabs = NULL;
    t->n = 0;
    if (e == ERR_OK && strcmp(t->v.chat.chat_mode, "group") != 0
        && strcmp(t->v.chat.chat_mode, "p2p") != 0)
        e = err_set(c->ei, ERR_BAD_REQUEST, SUBJ_TAB_CHAT, "tabs need a group or p2p chat");
    if (e == ERR_OK)
        e = store_fs_tab_list(c->st, c->a, t->v.chat.id, &t->tabs, &t->n);
    if (e != ERR_OK || t->n > 0)
        return e;
    if (!write) {
        t->tabs = arena_alloc(c->a, sizeof(*t->tabs));
        t->tabs[0] = message_tab(c, &t->v.chat);
        t->n = 1;
        return ERR_OK;
    }
    {
        struct fs_tab_row msg = message_tab(c, &t->v.chat);

        e = store_fs_tab_insert(c->st, t->v.chat.id, &msg);
    }
    return e == ERR_OK ? store_fs_tab_list(c->st, c->a, t->v.chat.id, &t->tabs, &t->n) : e;
}

/* The tabs as stored after a change. */
static enum err reread(struct svc_ctx *c, struct chat_tabs *t)
{
    return store_fs_tab_list(c->st, c->a, t->v.chat.id, &t->tabs, &t->n);
}

static struct fs_tab_row *find(struct chat_tabs *t, const char *id)
{
    for (size_t i = 0; id != NULL && i < t->n; i++)
        if (strcmp(t->tabs[i].tab_id, id) == 0)
            return &t->tabs[i];
    return NULL;
}

enum err svc_chat_tabs_list(struct svc_ctx *c, const char *chat_id, const struct actor *op,
                            struct chat_tabs *out)
{
    return tabs_open(c, chat_id, op, false, out);
}

enum err svc_chat_tabs_add(struct svc_ctx *c, const char *chat_id, const struct actor *op,
                           struct fs_tab_row *add, size_t n, struct chat_tabs *out)
{
    size_t ncustom = 0, i;
    enum err e = n > 0 ? tabs_open(c, chat_id, op, true, out) : bad(c, "chat_tabs");

    for (i = 0; e == ERR_OK && i < out->n; i++)
        ncustom += custom(out->tabs[i].tab_type);
    if (e == ERR_OK && ncustom + n > MAX_CUSTOM_TABS)
        e = err_set(c->ei, ERR_LIMIT, SUBJ_TAB, "too many tabs");
    for (i = 0; e == ERR_OK && i < n; i++) {
        if (!custom(add[i].tab_type))
            return bad(c, "tab_type");
        if (add[i].tab_content == NULL)
            return err_set(c->ei, ERR_BAD_REQUEST, SUBJ_TAB, "tab_content.%s required",
                           add[i].tab_type);
        add[i].tab_id = svc_chat_item_id(c);
        add[i].position = (int64_t)(out->n + i);
        e = store_fs_tab_insert(c->st, out->v.chat.id, &add[i]);
    }
    return e == ERR_OK ? reread(c, out) : e;
}

enum err svc_chat_tabs_update(struct svc_ctx *c, const char *chat_id, const struct actor *op,
                              const struct fs_tab_row *change, size_t n, struct chat_tabs *out)
{
    enum err e = n > 0 ? tabs_open(c, chat_id, op, true, out) : bad(c, "chat_tabs");

    for (size_t i = 0; e == ERR_OK && i < n; i++) {
        struct fs_tab_row *t = find(out, change[i].tab_id);

        if (t == NULL)
            return bad(c, "tab_id");
        /* Built-in tabs are read-only; a tab keeps its type. */
        if (!custom(t->tab_type))
            return err_set(c->ei, ERR_FORBIDDEN, SUBJ_TAB, "built-in tab");
        if (change[i].tab_type == NULL || strcmp(change[i].tab_type, t->tab_type) != 0)
            return bad(c, "tab_type");
        if (change[i].tab_name != NULL)
            t->tab_name = change[i].tab_name;
        if (change[i].tab_content != NULL)
            t->tab_content = change[i].tab_content;
        if (change[i].tab_config != NULL)
            t->tab_config = change[i].tab_config;
        e = store_fs_tab_update(c->st, t);
    }
    return e == ERR_OK ? reread(c, out) : e;
}

enum err svc_chat_tabs_sort(struct svc_ctx *c, const char *chat_id, const struct actor *op,
                            const char *const *ids, size_t n, struct chat_tabs *out)
{
    size_t i;
    enum err e = tabs_open(c, chat_id, op, true, out);

    if (e != ERR_OK)
        return e;
    if (n != out->n)
        return bad(c, "tab_ids");
    for (i = 0; i < n; i++) {
        struct fs_tab_row *t = find(out, ids[i]);

        /* Every tab exactly once, the message tab first (it never moves). */
        if (t == NULL || t->position < 0 || (i == 0) != (strcmp(t->tab_type, "message") == 0))
            return bad(c, "tab_ids");
        t->position = -1 - (int64_t)i; /* marks it seen; a repeat fails above */
    }
    for (i = 0; e == ERR_OK && i < out->n; i++) {
        out->tabs[i].position = -1 - out->tabs[i].position;
        e = store_fs_tab_update(c->st, &out->tabs[i]);
    }
    return e == ERR_OK ? reread(c, out) : e;
}

enum err svc_chat_tabs_delete(struct svc_ctx *c, const char *chat_id, const struct actor *op,
                              const char *const *ids, size_t n, struct chat_tabs *out)
{
    int64_t pos = 0;
    size_t i;
    enum err e = n > 0 ? tabs_open(c, chat_id, op, true, out) : bad(c, "tab_ids");

    for (i = 0; e == ERR_OK && i < n; i++) {
        struct fs_tab_row *t = find(out, ids[i]);

        if (t == NULL)
            return bad(c, "tab_ids");
        if (!custom(t->tab_type))
            return err_set(c->ei, ERR_FORBIDDEN, SUBJ_TAB, "built-in tab");
        if (t->position >= 0) {
            e = store_fs_tab_delete(c->st, t->id);
            t->position = -1;
        }
    }
    /* Close the gaps the deletions left. */
    for (i = 0; e == ERR_OK && i < out->n; i++) {
        if (out->tabs[i].position < 0)
            continue;
        out->tabs[i].position = pos++;
        e = store_fs_tab_update(c->st, &out->tabs[i]);
    }
    return e == ERR_OK ? reread(c, out) : e;
}
