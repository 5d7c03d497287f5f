/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_managers.c - chat managers (Feishu Open Platform:
 * "指定群管理员", "删除群管理员"): the owner promotes or demotes members;
 * the answer is the manager list after the change. No event is documented
 * for it, so none is written. The rules are svc_chat_members.c.
 */
#include "dialect/feishu/fs.h"

#include <string.h>

enum err fs_managers_json(struct req *rq, const struct fs_member_row *m, size_t n,
                          const char *type, json_t **users, json_t **bots)
{
    enum err e = ERR_OK;

    *users = json_array();
    *bots = json_array();
    for (size_t i = 0; e == ERR_OK && i < n; i++) {
        const char *id = NULL;

        /* One the app cannot name (no open_id for it) is left out. */
        e = svc_fs_actor_id(&rq->svc, rq->app_ref, type, &m[i].who, &id);
        if (e == ERR_NOT_FOUND)
            e = ERR_OK;
        else if (e == ERR_OK && id != NULL)
            json_array_append_new(m[i].who.kind == ACTOR_USER ? *users : *bots, json_string(id));
    }
    if (e != ERR_OK) {
        json_decref(*users);
        json_decref(*bots);
        *users = *bots = NULL;
    }
    return e;
}

/* chat_managers in member_id_type (open_ids when it is app_id), bot
 * managers as app_ids. */
static enum err change(struct req *rq, json_t *body, json_t *out, bool promote)
{
    struct chat_ids ids = fs_chat_ids(rq, body, "manager_ids");
    struct fs_member_row *all;
    json_t *users, *bots;
    size_t n;
    enum err e = svc_chat_managers_change(&rq->svc, rq->params[0], &rq->actor, rq->app_ref, &ids,
                                          promote, &all, &n);

    if (e == ERR_OK)
        e = fs_managers_json(rq, all, n, strcmp(ids.type, "app_id") == 0 ? "open_id" : ids.type,
                             &users, &bots);
    if (e != ERR_OK)
        return e;
    json_object_set_new(out, "chat_managers", users);
    json_object_set_new(out, "chat_bot_managers", bots);
    return ERR_OK;
}

enum err fs_managers_add(struct req *rq, json_t *body, json_t *out)
{
    return change(rq, body, out, true);
}

enum err fs_managers_delete(struct req *rq, json_t *body, json_t *out)
{
    return change(rq, body, out, false);
}
