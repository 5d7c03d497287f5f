/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_chat_members.c - who is in a chat and who manages it: adding and
 * removing members (per-call limits, the user and bot caps, join approval,
 * who may remove whom), joining a public chat, member pages, and managers.
 * Each change writes its member events through c->events.
 */
#include "svc/svc.h"

#include "core/arena.h"

#include <string.h>

enum {
    PLATFORM_MEMBER_CAP = 5000, /* users in a chat unless the tenant sets its own */
    MAX_BOTS_PER_CHAT = 15,
    MAX_USERS_PER_CALL = 50,
    MAX_BOTS_PER_CALL = 5,
    MANAGERS_NORMAL = 10,
    MANAGERS_LARGE = 20, /* in a super-large chat: a tenant limit above 5000 */
};

static bool same(const struct actor *a, const struct actor *b)
{
    return a->kind == b->kind && a->ref == b->ref;
}

static bool is_bots(const struct chat_ids *ids)
{
    return strcmp(ids->type, "app_id") == 0;
}

static enum err bad(struct svc_ctx *c, const char *field)
{
    return err_field(c->ei, ERR_BAD_REQUEST, field, "%s", field);
}

enum err svc_chat_actor_find(struct svc_ctx *c, int64_t app, const char *type, const char *id,
                             struct actor *who)
{
    enum err e;

    if (id == NULL)
        return ERR_NOT_FOUND;
    if (strcmp(type, "app_id") == 0) {
        struct fs_app_row a;

        e = store_fs_app_by_app_id(c->st, c->a, id, &a);
        if (e == ERR_OK && a.tenant_id != c->tenant)
            e = ERR_NOT_FOUND;
        if (e == ERR_OK)
            *who = (struct actor){ ACTOR_BOT, a.id };
    } else {
        struct person_row p;

        e = store_fs_person_find(c->st, c->a, c->tenant, app, type, id, &p);
        if (e == ERR_OK)
            *who = (struct actor){ ACTOR_USER, p.id };
    }
    return e;
}

/* A non-empty list (ERR_MISSING when empty) of at most 50 users or 5 bots. */
static enum err ids_check(struct svc_ctx *c, const struct chat_ids *ids, const char *what)
{
    if (ids->n == 0)
        return err_set(c->ei, ERR_MISSING, SUBJ_USER, "%s", what);
    if (ids->n > (is_bots(ids) ? MAX_BOTS_PER_CALL : MAX_USERS_PER_CALL))
        return bad(c, ids->field);
    return ERR_OK;
}

/* The ids that name someone, in order (the others go to 'missing'). */
struct resolved {
    struct actor who[MAX_USERS_PER_CALL];
    const char *id[MAX_USERS_PER_CALL];
    size_t n;
};

static enum err resolve(struct svc_ctx *c, int64_t app, const struct chat_ids *ids,
                        struct resolved *r, const char **missing, size_t *nmissing)
{
    r->n = 0;
    for (size_t i = 0; i < ids->n; i++) {
        enum err e;

        if (ids->ids[i] == NULL) /* not a string */
            return bad(c, ids->field);
        e = svc_chat_actor_find(c, app, ids->type, ids->ids[i], &r->who[r->n]);

        if (e == ERR_NOT_FOUND) {
            missing[(*nmissing)++] = ids->ids[i];
            continue;
        }
        if (e != ERR_OK)
            return e;
        r->id[r->n++] = ids->ids[i];
    }
    return ERR_OK;
}

/* The error naming every id that names nobody, by the id type's subject. */
static enum err missing_error(struct svc_ctx *c, const char *type, const char **ids, size_t n)
{
    static const struct {
        const char *type;
        enum subj subj;
    } by_type[] = { { "open_id", SUBJ_OPEN_ID }, { "union_id", SUBJ_UNION_ID },
                    { "user_id", SUBJ_USER_ID }, { "app_id", SUBJ_USER } };
    char *list = NULL;
    size_t i;

    for (i = 0; i < n; i++)
        list = arena_printf(c->a, "%s%s%s", list ? list : "", list ? ", " : "", ids[i]);
    for (i = 0; i < 4; i++)
        if (strcmp(type, by_type[i].type) == 0)
            break;
    if (i == 4 || by_type[i].subj == SUBJ_USER)
        return err_set(c->ei, ERR_NOT_FOUND, SUBJ_USER, "invalid ids: [%s]", list);
    return err_set(c->ei, ERR_NOT_FOUND, by_type[i].subj, "%s", list);
}

/* Room for 'users' more users (the tenant's cap when it sets one, 232044
 * when lower than the platform's) and 'bots' more bots. */
static enum err check_caps(struct svc_ctx *c, int64_t chat, int64_t users, int64_t bots,
                           const char *field)
{
    int64_t have_users = 0, have_bots = 0, limit = 0, cap;
    /* The tenant's own chat size limit (0: none) read with the counts. */
    enum err e = store_fs_member_room(c->st, chat, c->tenant, &have_users, &have_bots, &limit);

    if (e != ERR_OK)
        return e;
    cap = limit > 0 ? limit : PLATFORM_MEMBER_CAP;
    if (have_users + users > cap)
        return err_set(c->ei, ERR_LIMIT,
                       (limit > 0 && limit < PLATFORM_MEMBER_CAP) ? SUBJ_TENANT : SUBJ_CHAT,
                       "chat is full");
    if (have_bots + bots > MAX_BOTS_PER_CHAT)
        return bad(c, field);
    return ERR_OK;
}

/* One event for the users among 'who', then one per bot. */
static enum err emit_changes(struct svc_ctx *c, const struct fs_chat_row *chat,
                             const struct actor *op, const struct actor *who, size_t n,
                             bool added)
{
    struct actor users[MAX_USERS_PER_CALL];
    struct chat_event ev = { .kind = added ? CHAT_EV_USERS_ADDED : CHAT_EV_USERS_DELETED,
                             .chat = chat, .op = *op, .who = users };
    enum err e;

    for (size_t i = 0; i < n; i++)
        if (who[i].kind == ACTOR_USER)
            users[ev.n++] = who[i];
    e = svc_chat_event(c, &ev);
    for (size_t i = 0; e == ERR_OK && i < n; i++) {
        if (who[i].kind != ACTOR_BOT)
            continue;
        ev = (struct chat_event){ .kind = added ? CHAT_EV_BOT_ADDED : CHAT_EV_BOT_DELETED,
                                  .chat = chat, .op = *op, .who = &who[i], .n = 1 };
        e = svc_chat_event(c, &ev);
    }
    return e;
}

enum err svc_chat_members_add(struct svc_ctx *c, const char *chat_id, const struct actor *op,
                              int64_t app, const struct chat_ids *ids, enum chat_unknown unknown,
                              struct chat_member_result *res)
{
    struct actor added[MAX_USERS_PER_CALL];
    int64_t nusers = 0, nbots = 0;
    size_t nadded = 0;
    struct resolved r;
    struct chat_view v;
    bool approval;
    enum err e = ids_check(c, ids, "empty id_list");

    memset(res, 0, sizeof(*res));
    if (e != ERR_OK)
        return e;
    res->not_existed = arena_alloc(c->a, ids->n * sizeof(char *));
    res->pending = arena_alloc(c->a, ids->n * sizeof(char *));
    e = svc_chat_open_write(c, chat_id, op, true, &v);
    if (e == ERR_OK && strcmp(v.chat.chat_mode, "p2p") == 0)
        e = err_set(c->ei, ERR_BAD_REQUEST, SUBJ_CHAT_MODE, "p2p");
    if (e == ERR_OK && strcmp(svc_chat_setting(c, &v.chat, "add_member_permission"), "only_owner") == 0
        && !svc_chat_privileged(&v))
        e = err_set(c->ei, ERR_FORBIDDEN, SUBJ_OWNER_ONLY, "only owner and managers add");
    if (e == ERR_OK)
        e = resolve(c, app, ids, &r, res->not_existed, &res->n_not_existed);
    if (e == ERR_OK && res->n_not_existed > 0 && unknown == CHAT_UNKNOWN_FAIL)
        e = missing_error(c, ids->type, res->not_existed, res->n_not_existed);
    if (e == ERR_OK && res->n_not_existed > 0 && unknown == CHAT_UNKNOWN_FAIL_FIRST)
        e = err_set(c->ei, ERR_NOT_FOUND, SUBJ_USER, "invalid ids: [%s]", res->not_existed[0]);
    if (e == ERR_OK && r.n == 0)
        e = err_set(c->ei, ERR_MISSING, SUBJ_USER, "no valid ids");
    if (e != ERR_OK)
        return e;
    approval = strcmp(svc_chat_setting(c, &v.chat, "membership_approval"), "approval_required") == 0
               && !svc_chat_privileged(&v);
    for (size_t i = 0; e == ERR_OK && i < r.n; i++) {
        struct fs_member_row m;
        enum err got = store_fs_member_get(c->st, v.chat.id, &r.who[i], &m);

        if (got == ERR_OK)
            continue; /* already in: a no-op */
        if (got != ERR_NOT_FOUND)
            return got;
        /* With join approval on, people a plain member invites wait. */
        if (approval && r.who[i].kind == ACTOR_USER) {
            e = store_fs_pending_put(c->st, v.chat.id, r.who[i].ref, op, c->now);
            res->pending[res->npending++] = r.id[i];
            continue;
        }
        added[nadded++] = r.who[i];
        if (r.who[i].kind == ACTOR_USER)
            nusers++;
        else
            nbots++;
    }
    if (e == ERR_OK)
        e = check_caps(c, v.chat.id, nusers, nbots, ids->field);
    for (size_t i = 0; e == ERR_OK && i < nadded; i++)
        e = svc_chat_member_add(c, v.chat.id, &added[i], false);
    return e == ERR_OK ? emit_changes(c, &v.chat, op, added, nadded, true) : e;
}

enum err svc_chat_members_remove(struct svc_ctx *c, const char *chat_id, const struct actor *op,
                                 int64_t app, const struct chat_ids *ids,
                                 struct chat_member_result *res)
{
    struct actor gone[MAX_USERS_PER_CALL];
    size_t ngone = 0;
    struct resolved r;
    struct chat_view v;
    enum err e = ids_check(c, ids, "empty id_list");

    memset(res, 0, sizeof(*res));
    if (e != ERR_OK)
        return e;
    res->invalid = arena_alloc(c->a, ids->n * sizeof(char *));
    e = svc_chat_open_write(c, chat_id, op, true, &v);
    if (e == ERR_OK)
        e = resolve(c, app, ids, &r, res->invalid, &res->ninvalid);
    for (size_t k = 0; e == ERR_OK && k < r.n; k++) {
        const struct actor *w = &r.who[k];
        struct fs_member_row m;

        /* The owner stays until ownership moves; others go only by the
         * owner, a manager or the creator bot; anyone may leave. */
        if (same(w, &v.chat.owner))
            return err_set(c->ei, ERR_FORBIDDEN, SUBJ_OWNER, "cannot kick the owner");
        if (!same(w, op) && !svc_chat_privileged(&v))
            return err_set(c->ei, ERR_FORBIDDEN, SUBJ_NONE, "no permission to remove others");
        e = store_fs_member_get(c->st, v.chat.id, w, &m);
        if (e == ERR_NOT_FOUND) {
            res->invalid[res->ninvalid++] = r.id[k];
            e = ERR_OK;
            continue;
        }
        if (e == ERR_OK)
            e = store_fs_member_delete(c->st, v.chat.id, w);
        if (e == ERR_OK)
            gone[ngone++] = *w;
    }
    return e == ERR_OK ? emit_changes(c, &v.chat, op, gone, ngone, false) : e;
}

enum err svc_chat_join(struct svc_ctx *c, const char *chat_id, const struct actor *op)
{
    struct chat_view v;
    enum err e = svc_chat_open_write(c, chat_id, op, false, &v);

    if (e == ERR_OK && strcmp(v.chat.chat_type, "public") != 0)
        e = err_set(c->ei, ERR_BAD_REQUEST, SUBJ_CHAT_MODE, "private chat");
    if (e == ERR_OK && v.member)
        return ERR_OK; /* already in: a no-op */
    if (e == ERR_OK
        && strcmp(svc_chat_setting(c, &v.chat, "membership_approval"), "approval_required") == 0)
        e = err_set(c->ei, ERR_FORBIDDEN, SUBJ_APPROVAL, "approval required");
    if (e == ERR_OK)
        e = check_caps(c, v.chat.id, op->kind == ACTOR_USER, op->kind == ACTOR_BOT, "id_list");
    if (e == ERR_OK)
        e = svc_chat_member_add(c, v.chat.id, op, false);
    return e == ERR_OK ? emit_changes(c, &v.chat, op, op, 1, true) : e;
}

enum err svc_chat_members_page(struct svc_ctx *c, const char *chat_id, const struct actor *op,
                               int64_t app, int64_t after, int64_t limit,
                               struct fs_member_person **rows, size_t *n, bool *more,
                               int64_t *total)
{
    struct chat_view v;
    enum err e = svc_chat_open(c, chat_id, op, true, &v);

    *total = 0;
    if (e == ERR_OK)
        e = store_fs_member_people(c->st, c->a, v.chat.id, app, after, limit + 1, rows, n);
    if (e == ERR_OK)
        e = store_fs_member_counts(c->st, v.chat.id, total, NULL);
    if (e != ERR_OK)
        return e;
    *more = (int64_t)*n > limit;
    if (*more)
        *n = (size_t)limit;
    return ERR_OK;
}

/* A chat's managers. */
static enum err managers(struct svc_ctx *c, int64_t chat, struct fs_member_row **all, size_t *n)
{
    *all = NULL;
    *n = 0;
    return store_fs_manager_list(c->st, c->a, chat, all, n);
}

enum err svc_chat_managers_change(struct svc_ctx *c, const char *chat_id, const struct actor *op,
                                  int64_t app, const struct chat_ids *ids, bool promote,
                                  struct fs_member_row **all, size_t *n)
{
    struct chat_view v;
    int64_t limit;
    enum err e = ids_check(c, ids, ids->field);

    *all = NULL;
    *n = 0;
    if (e == ERR_OK)
        e = svc_chat_open_write(c, chat_id, op, true, &v);
    if (e == ERR_OK && !v.owner)
        e = err_set(c->ei, ERR_FORBIDDEN, SUBJ_MANAGER, "owner only");
    for (size_t i = 0; e == ERR_OK && i < ids->n; i++) {
        struct fs_member_row m;
        struct actor who;

        e = svc_chat_actor_find(c, app, ids->type, ids->ids[i], &who);
        /* Managers are chosen among members (the platform's answer for a
         * non-member is unconfirmed; docs/compat.md records the choice). */
        if (e == ERR_OK)
            e = store_fs_member_get(c->st, v.chat.id, &who, &m);
        if (e == ERR_NOT_FOUND)
            return bad(c, ids->field);
        if (e == ERR_OK && m.is_manager != promote) {
            m.is_manager = promote;
            e = store_fs_member_set(c->st, v.chat.id, &m);
        }
    }
    /* One read of the managers serves the cap check and the answer. */
    if (e == ERR_OK)
        e = managers(c, v.chat.id, all, n);
    if (e == ERR_OK && promote)
        e = store_fs_member_limit_get(c->st, c->tenant, &limit);
    if (e == ERR_OK && promote
        && (int64_t)*n > (limit > PLATFORM_MEMBER_CAP ? MANAGERS_LARGE : MANAGERS_NORMAL))
        e = err_set(c->ei, ERR_LIMIT, SUBJ_MANAGER, "too many managers");
    return e;
}
