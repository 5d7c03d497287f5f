/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_managers.c - chat managers (members.md §7-§8): the
 * owner promotes or demotes members; the answer is the manager list after
 * the change. No event is documented for it, so none is written.
 */
#include "dialect/feishu/fs.h"

#include <string.h>

#define PLATFORM_MEMBER_CAP 5000
#define MANAGERS_NORMAL 10
#define MANAGERS_LARGE 20

/* 10 managers, 20 in a super-large chat (a tenant limit above 5000). */
static int64_t manager_cap(struct req *rq)
{
    int64_t limit = 0;

    store_fs_member_limit_get(rq->svc.st, rq->svc.tenant, &limit);
    return limit > PLATFORM_MEMBER_CAP ? MANAGERS_LARGE : MANAGERS_NORMAL;
}

static enum err target(struct req *rq, const char *type, const char *id, struct actor *who)
{
    if (strcmp(type, "app_id") == 0) {
        struct fs_app_row app;
        enum err e = store_fs_app_by_app_id(rq->svc.st, rq->http->arena, id, &app);

        if (e == ERR_OK && app.tenant_id != rq->svc.tenant)
            e = ERR_NOT_FOUND;
        if (e == ERR_OK)
            *who = (struct actor){ ACTOR_BOT, app.id };
        return e;
    } else {
        struct person_row p;
        enum err e = fs_person_find(rq, type, id, &p);

        if (e == ERR_OK)
            *who = (struct actor){ ACTOR_USER, p.id };
        return e;
    }
}

/* chat_managers in member_id_type (open_ids when it is app_id), bot
 * managers as app_ids (§7). */
static void managers_json(struct req *rq, const struct fs_member_row *m, size_t n,
                          const char *type, json_t *out)
{
    const char *utype = strcmp(type, "app_id") == 0 ? "open_id" : type;
    json_t *users = json_array(), *bots = json_array();

    for (size_t i = 0; i < n; i++) {
        const char *id = fs_actor_id(rq, utype, &m[i].who);

        if (id != NULL)
            json_array_append_new(m[i].who.kind == ACTOR_USER ? users : bots, json_string(id));
    }
    json_object_set_new(out, "chat_managers", users);
    json_object_set_new(out, "chat_bot_managers", bots);
}

static enum err change(struct req *rq, json_t *body, json_t *out, bool promote)
{
    json_t *ids = json_object_get(body, "manager_ids"), *v;
    struct fs_member_row *all = NULL;
    struct chat_view cv;
    const char *type;
    size_t i, n = 0;
    enum err e = fs_member_id_type(rq, true, &type);

    if (e == ERR_OK && (!json_is_array(ids) || json_array_size(ids) == 0))
        e = err_set(&rq->err, ERR_MISSING, SUBJ_USER, "manager_ids");
    if (e == ERR_OK && json_array_size(ids) > (strcmp(type, "app_id") == 0 ? 5u : 50u))
        e = fs_bad(rq, "manager_ids");
    if (e == ERR_OK)
        e = svc_chat_open_write(&rq->svc, rq->params[0], &rq->actor, true, &cv);
    if (e == ERR_OK && !cv.owner)
        e = err_set(&rq->err, ERR_FORBIDDEN, SUBJ_MANAGER, "owner only");
    json_array_foreach(ids, i, v) {
        struct fs_member_row m;
        struct actor who;

        if (e != ERR_OK)
            break;
        if (!json_is_string(v))
            return fs_bad(rq, "manager_ids");
        e = target(rq, type, json_string_value(v), &who);
        /* Managers are chosen among members (members.md §10: the code for
         * a non-member is unconfirmed; 232001 here). */
        if (e == ERR_OK)
            e = store_fs_member_get(rq->svc.st, cv.chat.id, &who, &m);
        if (e == ERR_NOT_FOUND)
            return fs_bad(rq, "manager_ids");
        if (e == ERR_OK && m.is_manager != promote) {
            m.is_manager = promote;
            e = store_fs_member_set(rq->svc.st, cv.chat.id, &m);
        }
    }
    /* One read of the managers serves the cap check and the answer. */
    if (e == ERR_OK)
        e = store_fs_manager_list(rq->svc.st, rq->http->arena, cv.chat.id, &all, &n);
    if (e == ERR_OK && promote && (int64_t)n > manager_cap(rq))
        e = err_set(&rq->err, ERR_LIMIT, SUBJ_MANAGER, "too many managers");
    if (e == ERR_OK)
        managers_json(rq, all, n, type, out);
    return e;
}

enum err fs_managers_add(struct req *rq, json_t *body, json_t *out)
{
    return change(rq, body, out, true);
}

enum err fs_managers_delete(struct req *rq, json_t *body, json_t *out)
{
    return change(rq, body, out, false);
}
