/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_members.c - chat members (members.md §2-§6): add,
 * remove, me_join, list, is_in_chat; and the member events of events.md A.2,
 * A.3, A.5, A.6. Managers are fs_managers.c.
 */
#include "dialect/feishu/fs.h"

#include "core/arena.h"
#include "core/cursor.h"
#include "core/str.h"

#include <string.h>

#define PLATFORM_MEMBER_CAP 5000
#define MAX_BOTS_PER_CHAT 15
#define MAX_USERS_PER_CALL 50
#define MAX_BOTS_PER_CALL 5
#define CURSOR_MEMBERS 'U'

/* member_id_type (§1.1): open_id (default), union_id, user_id, and app_id
 * where 'bots_ok'. */
enum err fs_member_id_type(struct req *rq, bool bots_ok, const char **type)
{
    static const char *const types[] = { "open_id", "union_id", "user_id", "app_id" };
    const char *t = dialect_query(rq, "member_id_type");

    *type = "open_id";
    if (t == NULL || *t == '\0')
        return ERR_OK;
    for (size_t i = 0; i < (bots_ok ? 4u : 3u); i++) {
        if (strcmp(t, types[i]) == 0) {
            *type = types[i];
            return ERR_OK;
        }
    }
    return fs_bad(rq, "member_id_type");
}

/* The chat's user cap: the platform's 5000, or the tenant's own setting,
 * lower (232044 when hit) or higher for super-large chats (up to 50,000). */
static enum err member_cap(struct req *rq, int64_t *cap, enum subj *subj)
{
    int64_t limit = 0;
    enum err e = store_fs_member_limit_get(rq->svc.st, rq->svc.tenant, &limit);

    *cap = limit > 0 ? limit : PLATFORM_MEMBER_CAP;
    *subj = (limit > 0 && limit < PLATFORM_MEMBER_CAP) ? SUBJ_TENANT : SUBJ_CHAT;
    return e;
}

/* --- events (events.md A) --- */

struct member_event {
    struct req *rq;
    const struct fs_chat_row *chat;
    const struct actor *who; /* the users (or the one bot) concerned */
    size_t n;
};

static json_t *users_json(struct req *rq, int64_t app, const struct actor *who, size_t n)
{
    json_t *list = json_array();
    const char *tkey;

    tkey = fs_tenant_key(rq, rq->svc.tenant);
    for (size_t i = 0; i < n; i++) {
        struct person_row p;

        if (store_person_get(rq->svc.st, rq->http->arena, who[i].ref, &p) != ERR_OK)
            continue;
        json_array_append_new(list, json_pack("{s:s,s:s,s:o}", "name", p.name, "tenant_key",
                                              tkey, "user_id",
                                              fs_user_id_object(rq, app, p.id)));
    }
    return list;
}

static json_t *member_body(struct member_event *ev, int64_t app, const char *event_id,
                           const char *type, bool with_users)
{
    struct req *rq = ev->rq;
    const char *tkey;
    json_t *event;

    tkey = fs_tenant_key(rq, rq->svc.tenant);
    event = json_pack("{s:s,s:o,s:b,s:s}", "chat_id", ev->chat->chat_id, "operator_id",
                      fs_event_operator(rq, app), "external", 0, "operator_tenant_key",
                      tkey);
    if (with_users)
        json_object_set_new(event, "users", users_json(rq, app, ev->who, ev->n));
    json_object_set_new(event, "name", json_string(ev->chat->name));
    json_object_set_new(event, "i18n_names", json_loads(ev->chat->i18n_names, 0, NULL));
    return json_pack("{s:s,s:o,s:o}", "schema", "2.0", "header",
                     fs_event_header(rq, app, event_id, type), "event", event);
}

static json_t *user_added(void *arg, int64_t app, const char *id)
{
    return member_body(arg, app, id, "im.chat.member.user.added_v1", true);
}

static json_t *user_deleted(void *arg, int64_t app, const char *id)
{
    return member_body(arg, app, id, "im.chat.member.user.deleted_v1", true);
}

static json_t *bot_added(void *arg, int64_t app, const char *id)
{
    return member_body(arg, app, id, "im.chat.member.bot.added_v1", false);
}

static json_t *bot_deleted(void *arg, int64_t app, const char *id)
{
    return member_body(arg, app, id, "im.chat.member.bot.deleted_v1", false);
}

static json_t *user_withdrawn(void *arg, int64_t app, const char *id)
{
    return member_body(arg, app, id, "im.chat.member.user.withdrawn_v1", true);
}

/* User events go to every bot in the chat; a bot event goes to the bot it
 * is about, and only to it (A.5, A.6). */
enum err fs_emit_users(struct req *rq, const struct fs_chat_row *chat, const struct actor *who,
                       size_t n, enum fs_user_event kind)
{
    static json_t *(*const bodies[])(void *, int64_t, const char *) = {
        [FS_USERS_ADDED] = user_added,
        [FS_USERS_DELETED] = user_deleted,
        [FS_USERS_WITHDRAWN] = user_withdrawn,
    };
    static const char *const types[] = {
        [FS_USERS_ADDED] = "im.chat.member.user.added_v1",
        [FS_USERS_DELETED] = "im.chat.member.user.deleted_v1",
        [FS_USERS_WITHDRAWN] = "im.chat.member.user.withdrawn_v1",
    };
    struct member_event ev = { rq, chat, who, n };

    if (n == 0)
        return ERR_OK;
    return svc_chat_emit(&rq->svc, chat->id, types[kind], bodies[kind], &ev);
}

static enum err emit_bot(struct req *rq, const struct fs_chat_row *chat, int64_t app, bool added)
{
    struct member_event ev = { rq, chat, NULL, 0 };

    return svc_event_to_app(&rq->svc, app,
                            added ? "im.chat.member.bot.added_v1" : "im.chat.member.bot.deleted_v1",
                            added ? bot_added : bot_deleted, &ev);
}

/* --- add (§2) --- */

/* The member_id_type and id_list of an add or remove: a non-empty list
 * (232027 when empty) of at most 50 users or 5 bots. */
static enum err id_list_check(struct req *rq, json_t *list, const char **type)
{
    enum err e = fs_member_id_type(rq, true, type);

    if (e == ERR_OK && list != NULL && !json_is_array(list))
        e = fs_bad(rq, "id_list");
    if (e == ERR_OK && (list == NULL || json_array_size(list) == 0))
        e = err_set(&rq->err, ERR_MISSING, SUBJ_USER, "empty id_list");
    if (e == ERR_OK
        && json_array_size(list) > (strcmp(*type, "app_id") == 0 ? MAX_BOTS_PER_CALL
                                                                  : MAX_USERS_PER_CALL))
        e = fs_bad(rq, "id_list");
    return e;
}

struct resolved {
    struct actor who[MAX_USERS_PER_CALL];
    const char *id[MAX_USERS_PER_CALL]; /* as the caller named them */
    size_t n;
    json_t *not_existed;
};

/* Resolves id_list; ids that name nobody go to not_existed (and, for the
 * non-existence error of succeed_type 0, 'missing' lists them). */
static enum err resolve(struct req *rq, const char *type, json_t *list, struct resolved *r)
{
    json_t *v;
    size_t i;

    r->n = 0;
    json_array_foreach(list, i, v) {
        enum err e = ERR_OK;

        if (!json_is_string(v) || json_string_length(v) == 0)
            return fs_bad(rq, "id_list");
        if (strcmp(type, "app_id") == 0) {
            struct fs_app_row app;

            e = store_fs_app_by_app_id(rq->svc.st, rq->http->arena, json_string_value(v), &app);
            if (e == ERR_OK && app.tenant_id != rq->svc.tenant)
                e = ERR_NOT_FOUND;
            if (e == ERR_OK)
                r->who[r->n] = (struct actor){ ACTOR_BOT, app.id };
        } else {
            struct person_row p;

            e = fs_person_find(rq, type, json_string_value(v), &p);
            if (e == ERR_OK)
                r->who[r->n] = (struct actor){ ACTOR_USER, p.id };
        }
        if (e == ERR_NOT_FOUND) {
            json_array_append(r->not_existed, v);
            continue;
        }
        if (e != ERR_OK)
            return e;
        r->id[r->n++] = json_string_value(v);
    }
    return ERR_OK;
}

static enum err missing_error(struct req *rq, const char *type, json_t *ids)
{
    static const struct {
        const char *type;
        enum subj subj;
    } by_type[] = { { "open_id", SUBJ_OPEN_ID }, { "union_id", SUBJ_UNION_ID },
                    { "user_id", SUBJ_USER_ID }, { "app_id", SUBJ_USER } };
    char *list = NULL;
    json_t *v;
    size_t i;

    json_array_foreach(ids, i, v) {
        list = arena_printf(rq->http->arena, "%s%s%s", list ? list : "", list ? ", " : "",
                            json_string_value(v));
    }
    for (i = 0; i < 4; i++)
        if (strcmp(type, by_type[i].type) == 0)
            break;
    if (by_type[i].subj == SUBJ_USER)
        return err_set(&rq->err, ERR_NOT_FOUND, SUBJ_USER, "invalid ids: [%s]", list);
    return err_set(&rq->err, ERR_NOT_FOUND, by_type[i].subj, "%s", list);
}

/* Room for 'users' more users and 'bots' more bots. */
static enum err check_caps(struct req *rq, int64_t chat, int64_t users, int64_t bots)
{
    int64_t have_users = 0, have_bots = 0, cap;
    enum subj subj;
    enum err e = member_cap(rq, &cap, &subj);

    if (e == ERR_OK)
        e = store_fs_member_counts(rq->svc.st, chat, &have_users, &have_bots);
    if (e != ERR_OK)
        return e;
    if (have_users + users > cap)
        return err_set(&rq->err, ERR_LIMIT, subj, "chat is full");
    if (have_bots + bots > MAX_BOTS_PER_CHAT)
        return fs_bad(rq, "id_list");
    return ERR_OK;
}

enum err fs_members_add(struct req *rq, json_t *body, json_t *out)
{
    json_t *list = json_object_get(body, "id_list"), *invalid = json_array();
    json_t *pending = json_array();
    const char *type, *st = dialect_query(rq, "succeed_type");
    struct resolved r = { .not_existed = json_array() };
    struct actor added[MAX_USERS_PER_CALL];
    int64_t succeed = 0, nusers = 0, nbots = 0;
    size_t nadded = 0;
    struct chat_view v;
    bool approval;
    enum err e;

    e = id_list_check(rq, list, &type);
    if (e == ERR_OK && st != NULL && *st != '\0' && !str_to_i64(st, 0, 2, &succeed))
        e = fs_bad(rq, "succeed_type");
    if (e == ERR_OK)
        e = svc_chat_open_write(&rq->svc, rq->params[0], &rq->actor, true, &v);
    if (e == ERR_OK && strcmp(v.chat.chat_mode, "p2p") == 0)
        e = err_set(&rq->err, ERR_BAD_REQUEST, SUBJ_CHAT_MODE, "p2p");
    if (e == ERR_OK
        && strcmp(fs_setting(&v.chat, "add_member_permission", rq->http->arena), "only_owner") == 0
        && !fs_privileged(&v))
        e = err_set(&rq->err, ERR_FORBIDDEN, SUBJ_OWNER_ONLY, "only owner and managers add");
    if (e == ERR_OK)
        e = resolve(rq, type, list, &r);
    /* succeed_type 0 and 2 fail the whole call on an unusable id (§2). */
    if (e == ERR_OK && json_array_size(r.not_existed) > 0 && succeed == 0)
        e = missing_error(rq, type, r.not_existed);
    if (e == ERR_OK && json_array_size(r.not_existed) > 0 && succeed == 2)
        e = err_set(&rq->err, ERR_NOT_FOUND, SUBJ_USER, "invalid ids: [%s]",
                    json_string_value(json_array_get(r.not_existed, 0)));
    if (e == ERR_OK && r.n == 0)
        e = err_set(&rq->err, ERR_MISSING, SUBJ_USER, "no valid ids");
    approval = e == ERR_OK
               && strcmp(fs_setting(&v.chat, "membership_approval", rq->http->arena),
                         "approval_required") == 0
               && !fs_privileged(&v);
    for (size_t i = 0; e == ERR_OK && i < r.n; i++) {
        struct fs_member_row m;
        enum err got = store_fs_member_get(rq->svc.st, v.chat.id, &r.who[i], &m);

        if (got == ERR_OK)
            continue; /* already in: a no-op */
        if (got != ERR_NOT_FOUND) {
            e = got;
            break;
        }
        /* With join approval on, people a plain member invites wait. */
        if (approval && r.who[i].kind == ACTOR_USER) {
            e = store_fs_pending_put(rq->svc.st, v.chat.id, r.who[i].ref, &rq->actor,
                                     rq->svc.now);
            json_array_append_new(pending, json_string(r.id[i]));
            continue;
        }
        added[nadded++] = r.who[i];
        if (r.who[i].kind == ACTOR_USER)
            nusers++;
        else
            nbots++;
    }
    if (e == ERR_OK)
        e = check_caps(rq, v.chat.id, nusers, nbots);
    for (size_t i = 0; e == ERR_OK && i < nadded; i++)
        e = svc_chat_member_add(&rq->svc, v.chat.id, &added[i], false);
    /* Users added: one event to every bot now in the chat; each bot added:
     * an event to that bot. */
    {
        struct actor users[MAX_USERS_PER_CALL];
        size_t nu = 0;

        for (size_t i = 0; i < nadded; i++)
            if (added[i].kind == ACTOR_USER)
                users[nu++] = added[i];
        if (e == ERR_OK)
            e = fs_emit_users(rq, &v.chat, users, nu, FS_USERS_ADDED);
        for (size_t i = 0; e == ERR_OK && i < nadded; i++)
            if (added[i].kind == ACTOR_BOT)
                e = emit_bot(rq, &v.chat, added[i].ref, true);
    }
    if (e == ERR_OK) {
        json_object_set_new(out, "invalid_id_list", invalid);
        json_object_set_new(out, "not_existed_id_list", r.not_existed);
        json_object_set_new(out, "pending_approval_id_list", pending);
        return ERR_OK;
    }
    json_decref(invalid);
    json_decref(pending);
    json_decref(r.not_existed);
    return e;
}

/* --- remove (§3) --- */

enum err fs_members_remove(struct req *rq, json_t *body, json_t *out)
{
    json_t *list = json_object_get(body, "id_list"), *invalid = json_array();
    struct actor users[MAX_USERS_PER_CALL], bots[MAX_BOTS_PER_CALL];
    size_t nu = 0, nb = 0;
    const char *type;
    struct chat_view cv;
    struct resolved r = { .not_existed = invalid };
    enum err e;

    e = id_list_check(rq, list, &type);
    if (e == ERR_OK)
        e = svc_chat_open_write(&rq->svc, rq->params[0], &rq->actor, true, &cv);
    if (e == ERR_OK)
        e = resolve(rq, type, list, &r);
    for (size_t k = 0; e == ERR_OK && k < r.n; k++) {
        const struct actor *w = &r.who[k];
        bool self = w->kind == rq->actor.kind && w->ref == rq->actor.ref;
        struct fs_member_row m;

        /* The owner stays until ownership moves; others go only by the
         * owner, a manager or the creator bot; anyone may leave. */
        if (w->kind == cv.chat.owner.kind && w->ref == cv.chat.owner.ref)
            e = err_set(&rq->err, ERR_FORBIDDEN, SUBJ_OWNER, "cannot kick the owner");
        else if (!self && !fs_privileged(&cv))
            e = err_set(&rq->err, ERR_FORBIDDEN, SUBJ_NONE, "no permission to remove others");
        if (e != ERR_OK)
            break;
        e = store_fs_member_get(rq->svc.st, cv.chat.id, w, &m);
        if (e == ERR_NOT_FOUND) {
            json_array_append_new(invalid, json_string(r.id[k]));
            e = ERR_OK;
            continue;
        }
        if (e == ERR_OK)
            e = store_fs_member_delete(rq->svc.st, cv.chat.id, w);
        if (e == ERR_OK && w->kind == ACTOR_USER)
            users[nu++] = *w;
        else if (e == ERR_OK && nb < MAX_BOTS_PER_CALL)
            bots[nb++] = *w;
    }
    if (e == ERR_OK)
        e = fs_emit_users(rq, &cv.chat, users, nu, FS_USERS_DELETED);
    for (size_t k = 0; e == ERR_OK && k < nb; k++)
        e = emit_bot(rq, &cv.chat, bots[k].ref, false);
    if (e != ERR_OK) {
        json_decref(invalid);
        return e;
    }
    json_object_set_new(out, "invalid_id_list", invalid);
    return ERR_OK;
}

/* --- me_join (§4) --- */

enum err fs_members_me_join(struct req *rq, json_t *body, json_t *out)
{
    struct chat_view v;
    enum err e;

    (void)body;
    (void)out;
    e = svc_chat_open_write(&rq->svc, rq->params[0], &rq->actor, false, &v);
    if (e == ERR_OK && strcmp(v.chat.chat_type, "public") != 0)
        e = err_set(&rq->err, ERR_BAD_REQUEST, SUBJ_CHAT_MODE, "private chat");
    if (e == ERR_OK && v.member)
        return ERR_OK; /* already in: a no-op */
    if (e == ERR_OK
        && strcmp(fs_setting(&v.chat, "membership_approval", rq->http->arena), "approval_required")
               == 0)
        e = err_set(&rq->err, ERR_FORBIDDEN, SUBJ_APPROVAL, "approval required");
    if (e == ERR_OK)
        e = check_caps(rq, v.chat.id, rq->actor.kind == ACTOR_USER, rq->actor.kind == ACTOR_BOT);
    if (e == ERR_OK)
        e = svc_chat_member_add(&rq->svc, v.chat.id, &rq->actor, false);
    if (e == ERR_OK && rq->actor.kind == ACTOR_USER)
        e = fs_emit_users(rq, &v.chat, &rq->actor, 1, FS_USERS_ADDED);
    else if (e == ERR_OK)
        e = emit_bot(rq, &v.chat, rq->actor.ref, true);
    return e;
}

/* --- list (§5) and is_in_chat (§6) --- */

enum err fs_members_list(struct req *rq, json_t *body, json_t *out)
{
    const char *type, *ps = dialect_query(rq, "page_size"), *pt = dialect_query(rq, "page_token");
    struct fs_member_person *rows;
    int64_t limit = 20, after = 0, total = 0;
    struct chat_view v;
    const char *tkey;
    json_t *items;
    bool more;
    size_t n;
    enum err e;

    (void)body;
    e = fs_member_id_type(rq, false, &type);
    if (e == ERR_OK && ps != NULL && *ps != '\0' && !str_to_i64(ps, 1, 100, &limit))
        e = fs_bad(rq, "page_size");
    /* The token holds the last row's join sequence number: the keyset. */
    if (e == ERR_OK && pt != NULL && *pt != '\0' && !cursor_decode(pt, CURSOR_MEMBERS, cursor_scope_str(rq->params[0]), &after))
        e = fs_bad(rq, "page_token");
    if (e == ERR_OK)
        e = svc_chat_open(&rq->svc, rq->params[0], &rq->actor, true, &v);
    if (e == ERR_OK)
        e = store_fs_member_people(rq->svc.st, rq->http->arena, v.chat.id, rq->app_ref, after,
                                   limit + 1, &rows, &n);
    if (e == ERR_OK)
        e = store_fs_member_counts(rq->svc.st, v.chat.id, &total, NULL);
    if (e != ERR_OK)
        return e;
    more = (int64_t)n > limit;
    if (more)
        n = (size_t)limit;
    tkey = fs_tenant_key(rq, rq->svc.tenant);
    items = json_array();
    for (size_t i = 0; i < n; i++) {
        const char *id = strcmp(type, "open_id") == 0    ? rows[i].open_id
                         : strcmp(type, "union_id") == 0 ? rows[i].union_id
                                                         : rows[i].user_id;

        json_array_append_new(items, json_pack("{s:s,s:s?,s:s,s:s}", "member_id_type", type,
                                               "member_id", id, "name", rows[i].name,
                                               "tenant_key", tkey));
    }
    json_object_set_new(out, "items", items);
    if (more)
        json_object_set_new(out, "page_token",
                            json_string(cursor_encode(rq->http->arena, CURSOR_MEMBERS,
                                                      cursor_scope_str(rq->params[0]),
                                                      rows[n - 1].seq)));
    json_object_set_new(out, "has_more", json_boolean(more));
    json_object_set_new(out, "member_total", json_integer(total));
    return ERR_OK;
}

/* Answers about the caller itself; a non-member gets false, not 232011. */
enum err fs_members_is_in_chat(struct req *rq, json_t *body, json_t *out)
{
    struct chat_view v;
    enum err e = svc_chat_open(&rq->svc, rq->params[0], &rq->actor, false, &v);

    (void)body;
    if (e == ERR_OK)
        json_object_set_new(out, "is_in_chat", json_boolean(v.member));
    return e;
}
