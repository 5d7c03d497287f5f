/* SPDX-License-Identifier: MIT */
/*
 * store/store_fs_extras.c - a Feishu chat's share links (stored as digests)
 * and pending invitations, its tabs and menus (both kept in explicit
 * positions) and its announcement, in SQL every backend runs. Chats and
 * members are store_fs.c.
 */
#include "store/store_int.h"

#include "core/arena.h"

/* Share-link tokens are stored as their keyed digest and found by it. */
static const char SQL_LINK_PUT[] =
    "INSERT INTO fs_chat_link (link_token, chat_ref, expires_at, creator_kind, creator_ref, "
    "created_at) VALUES ($1, $2, $3, $4, $5, $6)";
static const char SQL_LINK_GET[] =
    "SELECT chat_ref, expires_at, creator_kind, creator_ref FROM fs_chat_link "
    "WHERE link_token = $1";
static const char SQL_PENDING_PUT[] =
    "INSERT INTO fs_chat_pending (chat_ref, person_id, inviter_kind, inviter_ref, created_at) "
    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (chat_ref, person_id) DO NOTHING";
static const char SQL_PENDING_TAKE[] =
    "DELETE FROM fs_chat_pending WHERE chat_ref = $1 AND person_id = $2 "
    "RETURNING inviter_kind, inviter_ref";

enum err store_fs_link_put(struct store *s, const char *token, int64_t chat, int64_t expires_at,
                           const struct actor *creator, int64_t now)
{
    struct arena a;
    enum err e;

    arena_init(&a, 256);
    e = store_q(s, NULL, NULL, SQL_LINK_PUT, ARG_TEXT(store_digest(s, &a, token)), ARG_INT(chat),
                ARG_INT(expires_at), ARG_INT(creator->kind), ARG_INT(creator->ref), ARG_INT(now));
    arena_release(&a);
    return e;
}

enum err store_fs_link_get(struct store *s, const char *token, int64_t *chat, int64_t *expires_at,
                           struct actor *creator)
{
    struct arena a;
    struct sql_res r;
    enum err e;

    arena_init(&a, 256);
    e = sql_one(store_q(s, &a, &r, SQL_LINK_GET, ARG_TEXT(store_digest(s, &a, token))), &r);
    if (e == ERR_OK) {
        *chat = sql_int(&r, 0, 0);
        *expires_at = sql_int(&r, 0, 1);
        *creator = (struct actor){ (enum actor_kind)sql_int(&r, 0, 2), sql_int(&r, 0, 3) };
    }
    arena_release(&a);
    return e;
}

enum err store_fs_pending_put(struct store *s, int64_t chat, int64_t person,
                              const struct actor *inviter, int64_t now)
{
    return store_q(s, NULL, NULL, SQL_PENDING_PUT, ARG_INT(chat), ARG_INT(person),
                   ARG_INT(inviter->kind), ARG_INT(inviter->ref), ARG_INT(now));
}

enum err store_fs_pending_take(struct store *s, int64_t chat, int64_t person, struct actor *inviter)
{
    struct arena a;
    struct sql_res r;
    enum err e;

    arena_init(&a, 256);
    e = sql_one(store_q(s, &a, &r, SQL_PENDING_TAKE, ARG_INT(chat), ARG_INT(person)), &r);
    if (e == ERR_OK)
        *inviter = (struct actor){ (enum actor_kind)sql_int(&r, 0, 0), sql_int(&r, 0, 1) };
    arena_release(&a);
    return e;
}

#define TAB_COLS "id, tab_id, tab_type, tab_name, tab_content, tab_config, position"

static const char SQL_TAB_LIST[] =
    "SELECT " TAB_COLS " FROM fs_chat_tab WHERE chat_ref = $1 ORDER BY position";
static const char SQL_TAB_INSERT[] =
    "INSERT INTO fs_chat_tab (chat_ref, tab_id, tab_type, tab_name, tab_content, tab_config, "
    "position) VALUES ($1, $2, $3, $4, $5, $6, $7)";
static const char SQL_TAB_UPDATE[] =
    "UPDATE fs_chat_tab SET tab_name = $2, tab_content = $3, tab_config = $4, position = $5 "
    "WHERE id = $1";
static const char SQL_TAB_DELETE[] = "DELETE FROM fs_chat_tab WHERE id = $1";

enum err store_fs_tab_list(struct store *s, struct arena *a, int64_t chat, struct fs_tab_row **rows,
                           size_t *n)
{
    struct sql_res r;
    enum err e = store_q(s, a, &r, SQL_TAB_LIST, ARG_INT(chat));

    *n = 0;
    *rows = NULL;
    if (e != ERR_OK)
        return e;
    *rows = arena_alloc(a, (r.nrows + 1) * sizeof(**rows));
    for (size_t i = 0; i < r.nrows; i++) {
        struct fs_tab_row *t = &(*rows)[i];

        t->id = sql_int(&r, i, 0);
        t->tab_id = sql_text(&r, i, 1);
        t->tab_type = sql_text(&r, i, 2);
        t->tab_name = sql_text(&r, i, 3);
        t->tab_content = sql_text(&r, i, 4);
        t->tab_config = sql_text(&r, i, 5);
        t->position = sql_int(&r, i, 6);
    }
    *n = r.nrows;
    return ERR_OK;
}

enum err store_fs_tab_insert(struct store *s, int64_t chat, const struct fs_tab_row *t)
{
    return store_q(s, NULL, NULL, SQL_TAB_INSERT, ARG_INT(chat), ARG_TEXT(t->tab_id),
                   ARG_TEXT(t->tab_type), ARG_TEXT(t->tab_name), ARG_TEXT(t->tab_content),
                   ARG_TEXT(t->tab_config), ARG_INT(t->position));
}

enum err store_fs_tab_update(struct store *s, const struct fs_tab_row *t)
{
    return store_q(s, NULL, NULL, SQL_TAB_UPDATE, ARG_INT(t->id), ARG_TEXT(t->tab_name),
                   ARG_TEXT(t->tab_content), ARG_TEXT(t->tab_config), ARG_INT(t->position));
}

enum err store_fs_tab_delete(struct store *s, int64_t id)
{
    return store_q(s, NULL, NULL, SQL_TAB_DELETE, ARG_INT(id));
}

static const char SQL_MENU_LIST[] =
    "SELECT id, item_id, parent_ref, position, item FROM fs_menu WHERE chat_ref = $1 "
    "ORDER BY coalesce(parent_ref, 0), position";
static const char SQL_MENU_INSERT[] =
    "INSERT INTO fs_menu (chat_ref, item_id, parent_ref, position, item) "
    "VALUES ($1, $2, $3, $4, $5) RETURNING id";
static const char SQL_MENU_UPDATE[] = "UPDATE fs_menu SET position = $2, item = $3 WHERE id = $1";
static const char SQL_MENU_DELETE[] = "DELETE FROM fs_menu WHERE id = $1 OR parent_ref = $1";

enum err store_fs_menu_list(struct store *s, struct arena *a, int64_t chat,
                            struct fs_menu_row **rows, size_t *n)
{
    struct sql_res r;
    enum err e = store_q(s, a, &r, SQL_MENU_LIST, ARG_INT(chat));

    *n = 0;
    *rows = NULL;
    if (e != ERR_OK)
        return e;
    *rows = arena_alloc(a, (r.nrows + 1) * sizeof(**rows));
    for (size_t i = 0; i < r.nrows; i++) {
        struct fs_menu_row *m = &(*rows)[i];

        m->id = sql_int(&r, i, 0);
        m->item_id = sql_text(&r, i, 1);
        m->parent = sql_int(&r, i, 2);
        m->position = sql_int(&r, i, 3);
        m->item = sql_text(&r, i, 4);
    }
    *n = r.nrows;
    return ERR_OK;
}

enum err store_fs_menu_insert(struct store *s, int64_t chat, struct fs_menu_row *m)
{
    struct arena a;
    struct sql_res r;
    enum err e;

    arena_init(&a, 256);
    /* A top level has no parent: NULL, not 0. */
    e = store_q(s, &a, &r, SQL_MENU_INSERT, ARG_INT(chat), ARG_TEXT(m->item_id),
                ARG_INT_OR_NULL(m->parent), ARG_INT(m->position), ARG_TEXT(m->item));
    e = sql_one_int(e, &r, &m->id);
    arena_release(&a);
    return e;
}

enum err store_fs_menu_update(struct store *s, const struct fs_menu_row *m)
{
    return store_q(s, NULL, NULL, SQL_MENU_UPDATE, ARG_INT(m->id), ARG_INT(m->position),
                   ARG_TEXT(m->item));
}

enum err store_fs_menu_delete(struct store *s, int64_t id)
{
    return store_q(s, NULL, NULL, SQL_MENU_DELETE, ARG_INT(id));
}

static const char SQL_ANN_GET[] =
    "SELECT content, revision, create_time, update_time, owner_kind, owner_ref, modifier_kind, "
    "modifier_ref FROM fs_announcement WHERE chat_ref = $1";
static const char SQL_ANN_PUT[] =
    "INSERT INTO fs_announcement (chat_ref, content, revision, create_time, update_time, "
    "owner_kind, owner_ref, modifier_kind, modifier_ref) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
    "$9) ON CONFLICT (chat_ref) DO UPDATE SET content = excluded.content, revision = "
    "excluded.revision, update_time = excluded.update_time, modifier_kind = "
    "excluded.modifier_kind, modifier_ref = excluded.modifier_ref";

enum err store_fs_announcement_get(struct store *s, struct arena *a, int64_t chat,
                                   struct fs_announcement_row *out)
{
    struct sql_res r;
    enum err e = sql_one(store_q(s, a, &r, SQL_ANN_GET, ARG_INT(chat)), &r);

    if (e == ERR_OK) {
        out->content = sql_text(&r, 0, 0);
        out->revision = sql_int(&r, 0, 1);
        out->create_time = sql_int(&r, 0, 2);
        out->update_time = sql_int(&r, 0, 3);
        out->owner = (struct actor){ (enum actor_kind)sql_int(&r, 0, 4), sql_int(&r, 0, 5) };
        out->modifier = (struct actor){ (enum actor_kind)sql_int(&r, 0, 6), sql_int(&r, 0, 7) };
    }
    return e;
}

enum err store_fs_announcement_put(struct store *s, int64_t chat,
                                   const struct fs_announcement_row *an)
{
    return store_q(s, NULL, NULL, SQL_ANN_PUT, ARG_INT(chat), ARG_TEXT(an->content),
                   ARG_INT(an->revision), ARG_INT(an->create_time), ARG_INT(an->update_time),
                   ARG_INT(an->owner.kind), ARG_INT(an->owner.ref), ARG_INT(an->modifier.kind),
                   ARG_INT(an->modifier.ref));
}
