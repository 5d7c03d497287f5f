/* SPDX-License-Identifier: MIT */
/*
 * store/store_fs.c - Feishu apps, people by id kind, chats, chat members,
 * create idempotency keys, OAuth codes and the event outbox, in SQL that
 * every backend runs.
 */
#include "store/store_int.h"

#include "core/arena.h"

#include <string.h>

#define APP_COLS "id, tenant_id, app_id, app_secret, name"

static const char SQL_APP_BY_APP_ID[] = "SELECT " APP_COLS " FROM fs_app WHERE app_id = $1";
static const char SQL_APP_GET[] = "SELECT " APP_COLS " FROM fs_app WHERE id = $1";

/* The app secret is stored sealed (store_ident.c); most callers want the
 * app for its ids and name, so it stays sealed until asked for. */
static enum err app_read(enum err e, const struct sql_res *r, struct fs_app_row *out)
{
    e = sql_one(e, r);
    if (e == ERR_OK) {
        out->id = sql_int(r, 0, 0);
        out->tenant_id = sql_int(r, 0, 1);
        out->app_id = sql_text(r, 0, 2);
        out->app_secret = NULL;
        out->secret_sealed = sql_text(r, 0, 3);
        out->name = sql_text(r, 0, 4);
    }
    return e;
}

enum err store_fs_app_by_app_id(struct store *s, struct arena *a, const char *app_id,
                                struct fs_app_row *out)
{
    struct sql_res r;

    return app_read(store_q(s, a, &r, SQL_APP_BY_APP_ID, ARG_TEXT(app_id)), &r, out);
}

enum err store_fs_app_get(struct store *s, struct arena *a, int64_t id, struct fs_app_row *out)
{
    struct sql_res r;

    return app_read(store_q(s, a, &r, SQL_APP_GET, ARG_INT(id)), &r, out);
}

enum err store_fs_app_secret(struct store *s, struct arena *a, const struct fs_app_row *app,
                             const char **secret)
{
    return store_unseal(s, a, app->secret_sealed, secret);
}

#define PERSON_COLS "p.id, p.tenant_id, p.user_id, p.union_id, p.name, p.email, p.udesk_agent_id"

static const char SQL_PERSON_BY_OPEN_ID[] =
    "SELECT " PERSON_COLS " FROM person p JOIN fs_open_id o ON o.person_id = p.id "
    "WHERE o.app_id = $1 AND o.open_id = $2 AND p.tenant_id = $3";
static const char SQL_PERSON_BY_UNION_ID[] =
    "SELECT " PERSON_COLS " FROM person p WHERE p.union_id = $1 AND p.tenant_id = $2";
static const char SQL_PERSON_BY_USER_ID[] =
    "SELECT " PERSON_COLS " FROM person p WHERE p.user_id = $1 AND p.tenant_id = $2";
static const char SQL_PERSON_GET[] = "SELECT " PERSON_COLS " FROM person p WHERE p.id = $1";
static const char SQL_OPEN_ID_GET[] =
    "SELECT open_id FROM fs_open_id WHERE app_id = $1 AND person_id = $2";

static enum err person_read(enum err e, const struct sql_res *r, struct person_row *out)
{
    e = sql_one(e, r);
    if (e == ERR_OK) {
        out->id = sql_int(r, 0, 0);
        out->tenant_id = sql_int(r, 0, 1);
        out->user_id = sql_text(r, 0, 2);
        out->union_id = sql_text(r, 0, 3);
        out->name = sql_text(r, 0, 4);
        out->email = sql_text(r, 0, 5);
        out->udesk_agent_id = sql_int(r, 0, 6);
    }
    return e;
}

enum err store_fs_person_find(struct store *s, struct arena *a, int64_t tenant, int64_t app,
                              const char *kind, const char *id, struct person_row *out)
{
    struct sql_res r;
    enum err e;

    if (strcmp(kind, "open_id") == 0)
        e = store_q(s, a, &r, SQL_PERSON_BY_OPEN_ID, ARG_INT(app), ARG_TEXT(id), ARG_INT(tenant));
    else if (strcmp(kind, "union_id") == 0)
        e = store_q(s, a, &r, SQL_PERSON_BY_UNION_ID, ARG_TEXT(id), ARG_INT(tenant));
    else
        e = store_q(s, a, &r, SQL_PERSON_BY_USER_ID, ARG_TEXT(id), ARG_INT(tenant));
    return person_read(e, &r, out);
}

enum err store_person_get(struct store *s, struct arena *a, int64_t id, struct person_row *out)
{
    struct sql_res r;

    return person_read(store_q(s, a, &r, SQL_PERSON_GET, ARG_INT(id)), &r, out);
}

enum err store_fs_open_id_get(struct store *s, struct arena *a, int64_t app, int64_t person,
                              char **open_id)
{
    struct sql_res r;
    enum err e = sql_one(store_q(s, a, &r, SQL_OPEN_ID_GET, ARG_INT(app), ARG_INT(person)), &r);

    if (e == ERR_OK)
        *open_id = (char *)sql_text(&r, 0, 0);
    return e;
}

#define CHAT_COLS                                                                          \
    "id, tenant_id, chat_id, creator_app, owner_kind, owner_ref, chat_mode, chat_type, name, " \
    "description, avatar, i18n_names, settings, status, top_notice, created_at, active_at"

static const char SQL_CHAT_INSERT[] =
    "INSERT INTO fs_chat (tenant_id, chat_id, creator_app, owner_kind, owner_ref, chat_mode, "
    "chat_type, name, description, avatar, i18n_names, settings, status, top_notice, "
    "created_at, active_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
    "$14, $15, $16) RETURNING id";
static const char SQL_CHAT_GET[] = "SELECT " CHAT_COLS " FROM fs_chat WHERE chat_id = $1";
static const char SQL_CHAT_BY_ID[] = "SELECT " CHAT_COLS " FROM fs_chat WHERE id = $1";
static const char SQL_CHAT_UPDATE[] =
    "UPDATE fs_chat SET owner_kind = $2, owner_ref = $3, chat_type = $4, name = $5, "
    "description = $6, avatar = $7, i18n_names = $8, settings = $9, status = $10, "
    "top_notice = $11, active_at = $12 WHERE id = $1";
static const char SQL_CHAT_LIST_BY_ID[] =
    "SELECT " CHAT_COLS " FROM fs_chat c WHERE c.chat_mode != 'p2p' AND c.status = 'normal' "
    "AND c.id > $5 AND (EXISTS (SELECT 1 FROM fs_chat_member m WHERE m.chat_ref = c.id "
    "AND m.member_kind = $1 AND m.member_ref = $2) OR (c.tenant_id = $3 AND c.chat_type = "
    "'public')) ORDER BY c.id LIMIT $4";
static const char SQL_CHAT_LIST_BY_ACTIVE[] =
    "SELECT " CHAT_COLS " FROM fs_chat c WHERE c.chat_mode != 'p2p' AND c.status = 'normal' "
    "AND (c.active_at < $5 OR (c.active_at = $5 AND c.id < $6)) AND (EXISTS (SELECT 1 FROM "
    "fs_chat_member m WHERE m.chat_ref = c.id AND m.member_kind = $1 AND m.member_ref = $2) "
    "OR (c.tenant_id = $3 AND c.chat_type = 'public')) ORDER BY c.active_at DESC, c.id DESC "
    "LIMIT $4";

static void chat_fill(const struct sql_res *r, size_t i, struct fs_chat_row *c)
{
    c->id = sql_int(r, i, 0);
    c->tenant_id = sql_int(r, i, 1);
    c->chat_id = sql_text(r, i, 2);
    c->creator_app = sql_int(r, i, 3);
    c->owner.kind = (enum actor_kind)sql_int(r, i, 4);
    c->owner.ref = sql_int(r, i, 5);
    c->chat_mode = sql_text(r, i, 6);
    c->chat_type = sql_text(r, i, 7);
    c->name = sql_text(r, i, 8);
    c->description = sql_text(r, i, 9);
    c->avatar = sql_text(r, i, 10);
    c->i18n_names = sql_text(r, i, 11);
    c->settings = sql_text(r, i, 12);
    c->status = sql_text(r, i, 13);
    c->top_notice = sql_text(r, i, 14);
    c->created_at = sql_int(r, i, 15);
    c->active_at = sql_int(r, i, 16);
    c->counted = false;
}

static enum err chat_one(enum err e, const struct sql_res *r, struct fs_chat_row *out)
{
    e = sql_one(e, r);
    if (e == ERR_OK)
        chat_fill(r, 0, out);
    return e;
}

enum err store_fs_chat_insert(struct store *s, struct fs_chat_row *c)
{
    struct arena a;
    struct sql_res r;
    enum err e;

    arena_init(&a, 512);
    /* A chat a user created has no creator app: NULL, not 0. */
    e = store_q(s, &a, &r, SQL_CHAT_INSERT, ARG_INT(c->tenant_id), ARG_TEXT(c->chat_id),
                ARG_INT_OR_NULL(c->creator_app), ARG_INT(c->owner.kind), ARG_INT(c->owner.ref),
                ARG_TEXT(c->chat_mode), ARG_TEXT(c->chat_type), ARG_TEXT(c->name),
                ARG_TEXT(c->description), ARG_TEXT(c->avatar), ARG_TEXT(c->i18n_names),
                ARG_TEXT(c->settings), ARG_TEXT(c->status), ARG_TEXT(c->top_notice),
                ARG_INT(c->created_at), ARG_INT(c->active_at));
    e = sql_one_int(e, &r, &c->id);
    arena_release(&a);
    return e;
}

enum err store_fs_chat_get(struct store *s, struct arena *a, const char *chat_id,
                           struct fs_chat_row *out)
{
    struct sql_res r;

    return chat_one(store_q(s, a, &r, SQL_CHAT_GET, ARG_TEXT(chat_id)), &r, out);
}

/* The chat with its member counts, its tenant's Feishu key and one
 * member's row in one statement (svc_chat_open: one round trip where
 * three or four were). */
static const char SQL_CHAT_OPEN[] =
    "SELECT c.id, c.tenant_id, c.chat_id, c.creator_app, c.owner_kind, c.owner_ref, "
    "c.chat_mode, c.chat_type, c.name, c.description, c.avatar, c.i18n_names, c.settings, "
    "c.status, c.top_notice, c.created_at, c.active_at, t.tenant_key, m.member_kind, "
    "m.member_ref, m.is_manager, m.is_moderator, m.joined_at, m.seq, c.user_count, "
    "c.bot_count FROM fs_chat c "
    "LEFT JOIN fs_tenant t ON t.tenant_id = c.tenant_id LEFT JOIN fs_chat_member m ON "
    "m.chat_ref = c.id AND m.member_kind = $2 AND m.member_ref = $3 WHERE c.chat_id = $1";

static void member_fill_at(const struct sql_res *r, size_t i, size_t c0, struct fs_member_row *m);

enum err store_fs_chat_open(struct store *s, struct arena *a, const char *chat_id,
                            const struct actor *who, struct fs_chat_open *out)
{
    struct sql_res r;
    enum err e = sql_one(store_q(s, a, &r, SQL_CHAT_OPEN, ARG_TEXT(chat_id), ARG_INT(who->kind),
                                 ARG_INT(who->ref)),
                         &r);

    memset(out, 0, sizeof(*out));
    if (e != ERR_OK)
        return e;
    chat_fill(&r, 0, &out->chat);
    out->chat.users = sql_int(&r, 0, 24);
    out->chat.bots = sql_int(&r, 0, 25);
    out->chat.counted = true;
    out->tenant_key = sql_text(&r, 0, 17);
    out->member = sql_int(&r, 0, 18) != 0; /* NULL (no row) reads as 0, no actor kind */
    if (out->member)
        member_fill_at(&r, 0, 18, &out->me);
    return ERR_OK;
}

enum err store_fs_chat_by_id(struct store *s, struct arena *a, int64_t id, struct fs_chat_row *out)
{
    struct sql_res r;

    return chat_one(store_q(s, a, &r, SQL_CHAT_BY_ID, ARG_INT(id)), &r, out);
}

enum err store_fs_chat_update(struct store *s, const struct fs_chat_row *c)
{
    return store_q_later(s, SQL_CHAT_UPDATE, ARG_INT(c->id), ARG_INT(c->owner.kind),
                   ARG_INT(c->owner.ref), ARG_TEXT(c->chat_type), ARG_TEXT(c->name),
                   ARG_TEXT(c->description), ARG_TEXT(c->avatar), ARG_TEXT(c->i18n_names),
                   ARG_TEXT(c->settings), ARG_TEXT(c->status), ARG_TEXT(c->top_notice),
                   ARG_INT(c->active_at));
}

enum err store_fs_chat_list(struct store *s, struct arena *a, const struct actor *who,
                            int64_t public_tenant, bool by_active, int64_t after_active,
                            int64_t after_id, int64_t limit, struct fs_chat_row **rows,
                            size_t *n)
{
    struct sql_res r;
    /* No tenant has id -1: without 'public_tenant' only membership counts. */
    int64_t pub = public_tenant > 0 ? public_tenant : -1;
    enum err e =
        by_active
            ? store_q(s, a, &r, SQL_CHAT_LIST_BY_ACTIVE, ARG_INT(who->kind), ARG_INT(who->ref),
                      ARG_INT(pub), ARG_INT(limit), ARG_INT(after_active), ARG_INT(after_id))
            : store_q(s, a, &r, SQL_CHAT_LIST_BY_ID, ARG_INT(who->kind), ARG_INT(who->ref),
                      ARG_INT(pub), ARG_INT(limit), ARG_INT(after_id));

    *n = 0;
    *rows = NULL;
    if (e != ERR_OK)
        return e;
    *rows = arena_alloc(a, (r.nrows + 1) * sizeof(**rows));
    for (size_t i = 0; i < r.nrows; i++)
        chat_fill(&r, i, &(*rows)[i]);
    *n = r.nrows;
    return ERR_OK;
}

static const char SQL_P2P_LIST[] =
    "SELECT " CHAT_COLS " FROM fs_chat c WHERE c.chat_mode = 'p2p' AND c.id > $3 AND EXISTS "
    "(SELECT 1 FROM fs_chat_member m WHERE m.chat_ref = c.id AND m.member_kind = $1 AND "
    "m.member_ref = $2) ORDER BY c.id LIMIT $4";

enum err store_fs_p2p_list(struct store *s, struct arena *a, const struct actor *bot, int64_t after,
                           int64_t limit, struct fs_chat_row **rows, size_t *n)
{
    struct sql_res r;
    enum err e = store_q(s, a, &r, SQL_P2P_LIST, ARG_INT(bot->kind), ARG_INT(bot->ref),
                         ARG_INT(after), ARG_INT(limit));

    *n = 0;
    *rows = NULL;
    if (e != ERR_OK)
        return e;
    *rows = arena_alloc(a, (r.nrows + 1) * sizeof(**rows));
    for (size_t i = 0; i < r.nrows; i++)
        chat_fill(&r, i, &(*rows)[i]);
    *n = r.nrows;
    return ERR_OK;
}

static const char SQL_MEMBER_ADD[] =
    "INSERT INTO fs_chat_member (chat_ref, member_kind, member_ref, is_manager, is_moderator, "
    "joined_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (chat_ref, member_kind, member_ref) "
    "DO NOTHING RETURNING seq";
/* Counts move with the rows, in the same transaction ($2: +1 or -1). */
static const char SQL_COUNT_USERS[] = "UPDATE fs_chat SET user_count = user_count + $2 WHERE id = $1";
static const char SQL_COUNT_BOTS[] = "UPDATE fs_chat SET bot_count = bot_count + $2 WHERE id = $1";
static const char SQL_MEMBER_GET[] =
    "SELECT member_kind, member_ref, is_manager, is_moderator, joined_at, seq FROM fs_chat_member "
    "WHERE chat_ref = $1 AND member_kind = $2 AND member_ref = $3";
static const char SQL_MEMBER_SET[] =
    "UPDATE fs_chat_member SET is_manager = $4, is_moderator = $5 "
    "WHERE chat_ref = $1 AND member_kind = $2 AND member_ref = $3";
static const char SQL_MEMBER_LIST[] =
    "SELECT member_kind, member_ref, is_manager, is_moderator, joined_at, seq FROM fs_chat_member "
    "WHERE chat_ref = $1 ORDER BY seq";
static const char SQL_MEMBER_LIST_KIND[] =
    "SELECT member_kind, member_ref, is_manager, is_moderator, joined_at, seq FROM fs_chat_member "
    "WHERE chat_ref = $1 AND member_kind = $2 ORDER BY seq";
static const char SQL_MEMBER_COUNT[] =
    "SELECT user_count, bot_count FROM fs_chat WHERE id = $1";
static const char SQL_MEMBER_ROOM[] =
    "SELECT c.user_count, c.bot_count, t.member_limit FROM fs_chat c "
    "LEFT JOIN fs_tenant t ON t.tenant_id = $2 WHERE c.id = $1";
static const char SQL_MEMBER_NAME[] =
    "SELECT 1 FROM fs_chat_member m JOIN person p ON p.id = m.member_ref "
    "WHERE m.chat_ref = $1 AND m.member_kind = 1 AND lower(p.name) LIKE $2 LIMIT 1";

/* A member's six columns, from column 'c0' of row 'i'. */
static void member_fill_at(const struct sql_res *r, size_t i, size_t c0, struct fs_member_row *m)
{
    m->who.kind = (enum actor_kind)sql_int(r, i, c0);
    m->who.ref = sql_int(r, i, c0 + 1);
    m->is_manager = sql_int(r, i, c0 + 2) != 0;
    m->is_moderator = sql_int(r, i, c0 + 3) != 0;
    m->joined_at = sql_int(r, i, c0 + 4);
    m->seq = sql_int(r, i, c0 + 5);
}

static void member_fill(const struct sql_res *r, size_t i, struct fs_member_row *m)
{
    member_fill_at(r, i, 0, m);
}

static enum err member_rows(enum err e, struct arena *a, const struct sql_res *r,
                            struct fs_member_row **rows, size_t *n)
{
    *n = 0;
    *rows = NULL;
    if (e != ERR_OK)
        return e;
    *rows = arena_alloc(a, (r->nrows + 1) * sizeof(**rows));
    for (size_t i = 0; i < r->nrows; i++)
        member_fill(r, i, &(*rows)[i]);
    *n = r->nrows;
    return ERR_OK;
}

static enum err count_move(struct store *s, int64_t chat, enum actor_kind kind, int64_t by)
{
    return store_q_later(s, kind == ACTOR_USER ? SQL_COUNT_USERS : SQL_COUNT_BOTS, ARG_INT(chat),
                         ARG_INT(by));
}

enum err store_fs_member_add(struct store *s, int64_t chat, const struct fs_member_row *m)
{
    struct arena a;
    struct sql_res r;
    enum err e;

    arena_init(&a, 256);
    e = store_q(s, &a, &r, SQL_MEMBER_ADD, ARG_INT(chat), ARG_INT(m->who.kind), ARG_INT(m->who.ref),
                ARG_BOOL(m->is_manager), ARG_BOOL(m->is_moderator), ARG_INT(m->joined_at));
    if (e == ERR_OK && r.nrows == 1)
        e = count_move(s, chat, m->who.kind, 1);
    arena_release(&a);
    return e;
}

enum err store_fs_member_get(struct store *s, int64_t chat, const struct actor *who,
                             struct fs_member_row *out)
{
    struct arena a;
    struct sql_res r;
    enum err e;

    arena_init(&a, 512);
    e = sql_one(
        store_q(s, &a, &r, SQL_MEMBER_GET, ARG_INT(chat), ARG_INT(who->kind), ARG_INT(who->ref)),
        &r);
    if (e == ERR_OK)
        member_fill(&r, 0, out);
    arena_release(&a);
    return e;
}

enum err store_fs_member_set(struct store *s, int64_t chat, const struct fs_member_row *m)
{
    return store_q(s, NULL, NULL, SQL_MEMBER_SET, ARG_INT(chat), ARG_INT(m->who.kind),
                   ARG_INT(m->who.ref), ARG_BOOL(m->is_manager), ARG_BOOL(m->is_moderator));
}

enum err store_fs_member_list(struct store *s, struct arena *a, int64_t chat,
                              struct fs_member_row **rows, size_t *n)
{
    struct sql_res r;

    return member_rows(store_q(s, a, &r, SQL_MEMBER_LIST, ARG_INT(chat)), a, &r, rows, n);
}

enum err store_fs_member_list_kind(struct store *s, struct arena *a, int64_t chat,
                                   enum actor_kind kind, struct fs_member_row **rows, size_t *n)
{
    struct sql_res r;

    return member_rows(store_q(s, a, &r, SQL_MEMBER_LIST_KIND, ARG_INT(chat), ARG_INT(kind)), a, &r,
                       rows, n);
}

enum err store_fs_member_counts(struct store *s, int64_t chat, int64_t *users, int64_t *bots)
{
    struct arena a;
    struct sql_res r;
    enum err e;

    arena_init(&a, 256);
    e = sql_one(store_q(s, &a, &r, SQL_MEMBER_COUNT, ARG_INT(chat)), &r);
    if (e == ERR_OK && users != NULL)
        *users = sql_int(&r, 0, 0);
    if (e == ERR_OK && bots != NULL)
        *bots = sql_int(&r, 0, 1);
    arena_release(&a);
    return e;
}

enum err store_fs_member_room(struct store *s, int64_t chat, int64_t tenant, int64_t *users,
                              int64_t *bots, int64_t *limit)
{
    struct arena a;
    struct sql_res r;
    enum err e;

    arena_init(&a, 256);
    e = sql_one(store_q(s, &a, &r, SQL_MEMBER_ROOM, ARG_INT(chat), ARG_INT(tenant)), &r);
    if (e == ERR_OK) {
        *users = sql_int(&r, 0, 0);
        *bots = sql_int(&r, 0, 1);
        *limit = sql_int(&r, 0, 2); /* NULL (no row) reads as 0 */
    }
    arena_release(&a);
    return e;
}

static const char SQL_MEMBER_DELETE[] =
    "DELETE FROM fs_chat_member WHERE chat_ref = $1 AND member_kind = $2 AND member_ref = $3 "
    "RETURNING seq";
static const char SQL_MANAGERS[] =
    "SELECT member_kind, member_ref, is_manager, is_moderator, joined_at, seq FROM fs_chat_member "
    "WHERE chat_ref = $1 AND is_manager = 1 ORDER BY seq";
static const char SQL_LIMIT_GET[] = "SELECT member_limit FROM fs_tenant WHERE tenant_id = $1";
static const char SQL_LIMIT_SET[] = "UPDATE fs_tenant SET member_limit = $2 WHERE tenant_id = $1";

enum err store_fs_member_delete(struct store *s, int64_t chat, const struct actor *who)
{
    struct arena a;
    struct sql_res r;
    enum err e;

    arena_init(&a, 256);
    e = store_q(s, &a, &r, SQL_MEMBER_DELETE, ARG_INT(chat), ARG_INT(who->kind), ARG_INT(who->ref));
    if (e == ERR_OK && r.nrows == 1)
        e = count_move(s, chat, who->kind, -1);
    arena_release(&a);
    return e;
}

static const char SQL_MEMBER_PEOPLE[] =
    "SELECT m.seq, p.id, p.user_id, p.union_id, o.open_id, p.name FROM fs_chat_member m "
    "JOIN person p ON p.id = m.member_ref LEFT JOIN fs_open_id o ON o.app_id = $2 AND "
    "o.person_id = p.id WHERE m.chat_ref = $1 AND m.member_kind = 1 AND m.seq > $3 "
    "ORDER BY m.seq LIMIT $4";

enum err store_fs_member_people(struct store *s, struct arena *a, int64_t chat, int64_t app,
                                int64_t after, int64_t limit, struct fs_member_person **rows,
                                size_t *n)
{
    struct sql_res r;
    enum err e = store_q(s, a, &r, SQL_MEMBER_PEOPLE, ARG_INT(chat), ARG_INT(app), ARG_INT(after),
                         ARG_INT(limit));

    *n = 0;
    *rows = NULL;
    if (e != ERR_OK)
        return e;
    *rows = arena_alloc(a, (r.nrows + 1) * sizeof(**rows));
    for (size_t i = 0; i < r.nrows; i++) {
        struct fs_member_person *m = &(*rows)[i];

        m->seq = sql_int(&r, i, 0);
        m->person = sql_int(&r, i, 1);
        m->user_id = sql_text(&r, i, 2);
        m->union_id = sql_text(&r, i, 3);
        m->open_id = sql_text(&r, i, 4);
        m->name = sql_text(&r, i, 5);
    }
    *n = r.nrows;
    return ERR_OK;
}


enum err store_fs_manager_list(struct store *s, struct arena *a, int64_t chat,
                               struct fs_member_row **rows, size_t *n)
{
    struct sql_res r;

    return member_rows(store_q(s, a, &r, SQL_MANAGERS, ARG_INT(chat)), a, &r, rows, n);
}

enum err store_fs_member_limit_get(struct store *s, int64_t tenant, int64_t *limit)
{
    struct arena a;
    struct sql_res r;
    enum err e;

    arena_init(&a, 256);
    e = sql_one_int(store_q(s, &a, &r, SQL_LIMIT_GET, ARG_INT(tenant)), &r, limit);
    arena_release(&a);
    if (e == ERR_NOT_FOUND) {
        *limit = 0;
        e = ERR_OK;
    }
    return e;
}

enum err store_fs_member_limit_set(struct store *s, int64_t tenant, int64_t limit)
{
    return store_q(s, NULL, NULL, SQL_LIMIT_SET, ARG_INT(tenant), ARG_INT(limit));
}

enum err store_fs_member_name_match(struct store *s, struct arena *a, int64_t chat,
                                    const char *needle, bool *match)
{
    struct sql_res r;
    enum err e = store_q(s, a, &r, SQL_MEMBER_NAME, ARG_INT(chat),
                         ARG_TEXT(arena_printf(a, "%%%s%%", needle)));

    *match = (e == ERR_OK && r.nrows > 0);
    return e;
}

static const char SQL_UUID_GET[] =
    "SELECT chat_ref FROM fs_chat_uuid WHERE tenant_id = $1 AND uuid = $2 AND owner_key = $3 "
    "AND created_at > $4";
static const char SQL_UUID_PUT[] =
    "INSERT INTO fs_chat_uuid (tenant_id, uuid, owner_key, chat_ref, created_at) "
    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, uuid, owner_key) DO UPDATE SET "
    "chat_ref = excluded.chat_ref, created_at = excluded.created_at";

enum err store_fs_uuid_get(struct store *s, int64_t tenant, const char *uuid, const char *owner_key,
                           int64_t since, int64_t *chat)
{
    struct arena a;
    struct sql_res r;
    enum err e;

    arena_init(&a, 256);
    e = sql_one_int(store_q(s, &a, &r, SQL_UUID_GET, ARG_INT(tenant), ARG_TEXT(uuid),
                            ARG_TEXT(owner_key), ARG_INT(since)),
                    &r, chat);
    arena_release(&a);
    return e;
}

enum err store_fs_uuid_put(struct store *s, int64_t tenant, const char *uuid, const char *owner_key,
                           int64_t chat, int64_t now)
{
    return store_q(s, NULL, NULL, SQL_UUID_PUT, ARG_INT(tenant), ARG_TEXT(uuid),
                   ARG_TEXT(owner_key), ARG_INT(chat), ARG_INT(now));
}

/* Codes are stored as their keyed digest and found by it. */
static const char SQL_CODE_PUT[] =
    "INSERT INTO fs_auth_code (code, tenant_id, app_ref, person_id, expires_at) "
    "VALUES ($1, $2, $3, $4, $5)";
static const char SQL_CODE_TAKE[] =
    "UPDATE fs_auth_code SET used = 1 WHERE code = $1 AND used = 0 AND expires_at > $2 "
    "RETURNING tenant_id, app_ref, person_id";

enum err store_fs_code_put(struct store *s, const char *code, int64_t tenant, int64_t app,
                           int64_t person, int64_t expires_at)
{
    struct arena a;
    enum err e;

    arena_init(&a, 256);
    e = store_q(s, NULL, NULL, SQL_CODE_PUT, ARG_TEXT(store_digest(s, &a, code)), ARG_INT(tenant),
                ARG_INT(app), ARG_INT(person), ARG_INT(expires_at));
    arena_release(&a);
    return e;
}

enum err store_fs_code_take(struct store *s, struct arena *a, const char *code, int64_t now,
                            int64_t *tenant, int64_t *app, int64_t *person)
{
    struct sql_res r;
    enum err e = sql_one(
        store_q(s, a, &r, SQL_CODE_TAKE, ARG_TEXT(store_digest(s, a, code)), ARG_INT(now)), &r);

    if (e == ERR_OK) {
        *tenant = sql_int(&r, 0, 0);
        *app = sql_int(&r, 0, 1);
        *person = sql_int(&r, 0, 2);
    }
    return e;
}

static const char SQL_OUTBOX_ADD[] =
    "INSERT INTO outbox (tenant_id, app_ref, event_type, event_id, body, created_at, state) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7)";

enum err store_outbox_add(struct store *s, const struct outbox_row *o)
{
    /* Nothing reads its answer: it goes out with what follows (the commit). */
    return store_q_later(s, SQL_OUTBOX_ADD, ARG_INT(o->tenant_id), ARG_INT(o->app),
                   ARG_TEXT(o->event_type), ARG_TEXT(o->event_id), ARG_TEXT(o->body),
                   ARG_INT(o->created_at), ARG_TEXT(o->state ? o->state : "pending"));
}

static const char SQL_OUTBOX_LIST[] =
    "SELECT " OUTBOX_COLS " FROM outbox WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3";

enum err store_outbox_list(struct store *s, struct arena *a, int64_t tenant, int64_t after,
                           int64_t limit, struct outbox_row **rows, size_t *n)
{
    struct sql_res r;
    enum err e =
        store_q(s, a, &r, SQL_OUTBOX_LIST, ARG_INT(tenant), ARG_INT(after), ARG_INT(limit));

    *n = 0;
    *rows = NULL;
    if (e != ERR_OK)
        return e;
    *rows = arena_alloc(a, (r.nrows + 1) * sizeof(**rows));
    for (size_t i = 0; i < r.nrows; i++)
        store_outbox_fill(&r, i, &(*rows)[i]);
    *n = r.nrows;
    return ERR_OK;
}
