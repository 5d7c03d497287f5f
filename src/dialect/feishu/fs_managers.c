/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_managers.c - chat managers (Feishu Open Platform:
 * "指定群管理员", "删除群管理员"): the owner promotes or demotes members;
 * the answer is the manager list after the change. No event is documented
 * for it, so none is written. The rules are svc_chat_members.c.
 */
#include "dialect/feishu/fs.h"

#include <string.h>

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

    if (e != ERR_OK)
        return e;
    e = fs_manager_ids(rq, all, n, strcmp(ids.type, "app_id") == 0 ? "open_id" : ids.type, &users,
                       &bots);
    json_object_set_new(out, "chat_managers", users);
    json_object_set_new(out, "chat_bot_managers", bots);
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
