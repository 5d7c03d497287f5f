/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_scopes.c - what each Feishu endpoint lets in: the token
 * kinds it takes and its API scopes (any one suffices), keyed by the route's
 * method and path; the check fs_auth makes after the token ("API call
 * guide", "服务端错误码说明") and the gateway's 99991672 / 99991679 bodies.
 * Scope lists: the permission notes ("权限要求") of each reference page.
 */
#include "dialect/feishu/fs.h"

#include "core/arena.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define S(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NONE ((const char *const[]){ NULL })

#define CHAT_READ S("im:chat", "im:chat:read", "im:chat:readonly")
#define CHAT_LIST S("im:chat", "im:chat:read", "im:chat:readonly", "im:chat.group_info:readonly")
#define MEMBERS_WRITE S("im:chat", "im:chat.members:write_only")
#define MEMBERS_READ                                                                  \
    S("im:chat", "im:chat:readonly", "im:chat.members:read", "im:chat.group_info:readonly")
#define TABS_WRITE S("im:chat", "im:chat.tabs:write_only")
#define MENU_WRITE S("im:chat", "im:chat.menu_tree:write_only")
#define MSG_SEND S("im:message", "im:message:send_as_bot", "im:message:send")
#define MSG_UPDATE S("im:message", "im:message:send_as_bot", "im:message:update")
#define RESOURCE_UP S("im:resource", "im:resource:upload")
#define REACTION_WRITE S("im:message", "im:message.reactions:write_only")
#define PIN_WRITE S("im:message", "im:message.pins:write_only", "im:message:send_as_bot")
#define CONTACT_GET                                                                    \
    S("contact:contact.base:readonly", "contact:contact:access_as_app",               \
      "contact:contact:readonly", "contact:contact:readonly_as_app")
#define CONTACT_LIST                                                                   \
    S("contact:contact.base:readonly", "contact:department.organize:readonly",        \
      "contact:contact:access_as_app", "contact:contact:readonly",                    \
      "contact:contact:readonly_as_app")

/* One row per authenticated route of fs_routes.c (a black-box test checks
 * that every one has its row). */
static const struct fs_access fs_access_rows[] = {
    { HTTP_POST, "/open-apis/im/v1/chats", TK_TU, S("im:chat", "im:chat:create") },
    { HTTP_GET, "/open-apis/im/v1/chats", TK_TU, CHAT_LIST },
    { HTTP_GET, "/open-apis/im/v1/chats/search", TK_TU, CHAT_LIST },
    { HTTP_GET, "/open-apis/im/v1/chats/:chat_id", TK_TU, CHAT_READ },
    { HTTP_PUT, "/open-apis/im/v1/chats/:chat_id", TK_TU, S("im:chat", "im:chat:update") },
    { HTTP_DELETE, "/open-apis/im/v1/chats/:chat_id", TK_TU, S("im:chat", "im:chat:delete") },
    { HTTP_GET, "/open-apis/im/v1/chats/:chat_id/moderation", TK_TU,
      S("im:chat", "im:chat:readonly", "im:chat.moderation:read") },
    { HTTP_PUT, "/open-apis/im/v1/chats/:chat_id/moderation", TK_TU,
      S("im:chat", "im:chat:moderation:write_only") },
    { HTTP_POST, "/open-apis/im/v1/chats/:chat_id/link", TK_TU, CHAT_READ },
    { HTTP_POST, "/open-apis/im/v1/chats/:chat_id/top_notice/put_top_notice", TK_TU,
      S("im:chat", "im:chat.top_notice:write_only") },
    { HTTP_POST, "/open-apis/im/v1/chats/:chat_id/top_notice/delete_top_notice", TK_TU,
      S("im:chat", "im:chat.top_notice:write_only") },
    { HTTP_POST, "/open-apis/im/v1/chats/:chat_id/members", TK_TU, MEMBERS_WRITE },
    { HTTP_DELETE, "/open-apis/im/v1/chats/:chat_id/members", TK_TU, MEMBERS_WRITE },
    { HTTP_PATCH, "/open-apis/im/v1/chats/:chat_id/members/me_join", TK_TU, MEMBERS_WRITE },
    { HTTP_GET, "/open-apis/im/v1/chats/:chat_id/members", TK_TU, MEMBERS_READ },
    { HTTP_GET, "/open-apis/im/v1/chats/:chat_id/members/is_in_chat", TK_TU, MEMBERS_READ },
    { HTTP_POST, "/open-apis/im/v1/chats/:chat_id/managers/add_managers", TK_TU,
      S("im:chat", "im:chat.managers:write_only") },
    { HTTP_POST, "/open-apis/im/v1/chats/:chat_id/managers/delete_managers", TK_TU,
      S("im:chat", "im:chat.managers:write_only") },
    { HTTP_GET, "/open-apis/im/v1/chats/:chat_id/announcement", TK_TU,
      S("im:chat", "im:chat.announcement:read", "im:chat:readonly") },
    { HTTP_PATCH, "/open-apis/im/v1/chats/:chat_id/announcement", TK_TU,
      S("im:chat", "im:chat.announcement:write_only") },
    { HTTP_POST, "/open-apis/im/v1/chats/:chat_id/chat_tabs", TK_TU, TABS_WRITE },
    { HTTP_POST, "/open-apis/im/v1/chats/:chat_id/chat_tabs/update_tabs", TK_TU, TABS_WRITE },
    { HTTP_POST, "/open-apis/im/v1/chats/:chat_id/chat_tabs/sort_tabs", TK_TU, TABS_WRITE },
    { HTTP_GET, "/open-apis/im/v1/chats/:chat_id/chat_tabs/list_tabs", TK_TU,
      S("im:chat", "im:chat.tabs:read", "im:chat:readonly") },
    { HTTP_DELETE, "/open-apis/im/v1/chats/:chat_id/chat_tabs/delete_tabs", TK_TU, TABS_WRITE },
    { HTTP_POST, "/open-apis/im/v1/chats/:chat_id/menu_tree", TK_TU, MENU_WRITE },
    { HTTP_GET, "/open-apis/im/v1/chats/:chat_id/menu_tree", TK_TU,
      S("im:chat", "im:chat.menu_tree:read", "im:chat:readonly") },
    { HTTP_POST, "/open-apis/im/v1/chats/:chat_id/menu_tree/sort", TK_TU, MENU_WRITE },
    { HTTP_DELETE, "/open-apis/im/v1/chats/:chat_id/menu_tree", TK_TU, MENU_WRITE },
    { HTTP_PATCH, "/open-apis/im/v1/chats/:chat_id/menu_items/:menu_item_id", TK_TU, MENU_WRITE },
    /* Messages, images and files (their pages' "权限要求") */
    { HTTP_POST, "/open-apis/im/v1/messages", TK_TU, MSG_SEND },
    { HTTP_GET, "/open-apis/im/v1/messages", TK_TU,
      S("im:message", "im:message:readonly", "im:message.history:readonly") },
    { HTTP_POST, "/open-apis/im/v1/messages/:message_id/reply", TK_TU, MSG_SEND },
    { HTTP_GET, "/open-apis/im/v1/messages/:message_id", TK_TU,
      S("im:message", "im:message:readonly") },
    { HTTP_DELETE, "/open-apis/im/v1/messages/:message_id", TK_TU,
      S("im:message", "im:message:recall", "im:message:send_as_bot") },
    { HTTP_PUT, "/open-apis/im/v1/messages/:message_id", TK_TU, MSG_UPDATE },
    { HTTP_PATCH, "/open-apis/im/v1/messages/:message_id", TK_TU, MSG_UPDATE },
    { HTTP_POST, "/open-apis/im/v1/messages/:message_id/reactions", TK_TU, REACTION_WRITE },
    { HTTP_GET, "/open-apis/im/v1/messages/:message_id/reactions", TK_TU,
      S("im:message.reactions:read", "im:message:readonly") },
    { HTTP_DELETE, "/open-apis/im/v1/messages/:message_id/reactions/:reaction_id", TK_TU,
      REACTION_WRITE },
    { HTTP_POST, "/open-apis/im/v1/pins", TK_TU, PIN_WRITE },
    { HTTP_DELETE, "/open-apis/im/v1/pins/:message_id", TK_TU, PIN_WRITE },
    { HTTP_GET, "/open-apis/im/v1/pins", TK_TU,
      S("im:message", "im:message.pins:read", "im:message:readonly") },
    { HTTP_POST, "/open-apis/im/v1/messages/:message_id/forward", TK_T,
      S("im:message", "im:message:send_as_bot") },
    { HTTP_POST, "/open-apis/im/v1/messages/merge_forward", TK_T,
      S("im:message", "im:message:send_as_bot") },
    { HTTP_GET, "/open-apis/im/v1/messages/:message_id/read_users", TK_T,
      S("im:message", "im:message:readonly", "im:message:basic") },
    { HTTP_PATCH, "/open-apis/im/v1/messages/:message_id/urgent_app", TK_T,
      S("im:message.urgent", "im:message.urgent:app_send") },
    { HTTP_PATCH, "/open-apis/im/v1/messages/:message_id/urgent_sms", TK_T,
      S("im:message.urgent:sms", "im:message.urgent:sms_send") },
    { HTTP_PATCH, "/open-apis/im/v1/messages/:message_id/urgent_phone", TK_T,
      S("im:message.urgent:phone", "im:message.urgent:phone_send") },
    { HTTP_POST, "/open-apis/im/v1/images", TK_TU, RESOURCE_UP },
    { HTTP_POST, "/open-apis/im/v1/files", TK_TU, RESOURCE_UP },
    { HTTP_GET, "/open-apis/im/v1/images/:image_key", TK_TU, NONE },
    { HTTP_GET, "/open-apis/im/v1/files/:file_key", TK_TU, NONE },
    { HTTP_GET, "/open-apis/im/v1/messages/:message_id/resources/:file_key", TK_TU,
      S("im:message", "im:message:readonly", "im:message.history:readonly") },
    /* Bot info, contact v3, authen v1 */
    { HTTP_GET, "/open-apis/bot/v3/info", TK_T, NONE },
    { HTTP_POST, "/open-apis/contact/v3/users/batch_get_id", TK_T | TK_ANY_ID,
      S("contact:user.id:readonly") },
    { HTTP_GET, "/open-apis/contact/v3/users/batch", TK_TU, S("contact:contact.base:readonly") },
    { HTTP_GET, "/open-apis/contact/v3/users/find_by_department", TK_TU, CONTACT_LIST },
    { HTTP_GET, "/open-apis/contact/v3/users/:user_id", TK_TU, CONTACT_GET },
    { HTTP_GET, "/open-apis/contact/v3/departments/:department_id", TK_TU, CONTACT_GET },
    { HTTP_GET, "/open-apis/contact/v3/departments/:department_id/children", TK_TU,
      CONTACT_LIST },
    { HTTP_POST, "/open-apis/authen/v1/oidc/access_token", TK_A, NONE },
    { HTTP_POST, "/open-apis/authen/v1/oidc/refresh_access_token", TK_A, NONE },
    { HTTP_GET, "/open-apis/authen/v1/user_info", TK_U, NONE },
};

static int *slot; /* route index -> row index, -1: none */
static pthread_once_t slot_once = PTHREAD_ONCE_INIT;

static void slot_build(void)
{
    size_t nr = fs_dialect.nroutes, na = sizeof(fs_access_rows) / sizeof(fs_access_rows[0]);

    slot = xcalloc(nr, sizeof(*slot));
    for (size_t i = 0; i < nr; i++) {
        slot[i] = -1;
        for (size_t k = 0; k < na; k++) {
            if (fs_access_rows[k].method == fs_dialect.routes[i].method
                && strcmp(fs_access_rows[k].path, fs_dialect.routes[i].path) == 0)
                slot[i] = (int)k;
        }
    }
}

const struct fs_access *fs_access_of(const struct route *rt)
{
    size_t i;

    if (rt == NULL || rt < fs_dialect.routes || rt >= fs_dialect.routes + fs_dialect.nroutes)
        return NULL;
    pthread_once(&slot_once, slot_build);
    i = (size_t)(rt - fs_dialect.routes);
    return slot[i] < 0 ? NULL : &fs_access_rows[slot[i]];
}

/* "a, b" or "a,b" from a NULL-terminated list. */
static const char *joined(struct arena *a, const char *const *list, const char *sep)
{
    size_t len = 1;
    char *out, *p;

    for (size_t i = 0; list[i] != NULL; i++)
        len += strlen(list[i]) + strlen(sep);
    p = out = arena_alloc(a, len); /* zeroed: the terminator is there */

    for (size_t i = 0; list[i] != NULL; i++) {
        if (i > 0)
            p = stpcpy(p, sep);
        p = stpcpy(p, list[i]);
    }
    return out;
}

/* A stable 19-digit method_id per endpoint (its real value is unknown). */
static unsigned long long method_id(const struct route *rt)
{
    unsigned long long h = 0xcbf29ce484222325ULL ^ (unsigned)rt->method;

    for (const char *p = rt->path; *p != '\0'; p++)
        h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
    return 6900000000000000000ULL + h % 100000000000000000ULL;
}

static const char *const user_id_scope[] = { SCOPE_USER_ID, NULL };

void fs_scope_render(struct req *rq, const char *log_id, json_t **body, int *code)
{
    struct arena *a = rq->http->arena;
    const struct fs_access *ac = fs_access_of(rq->route);
    const char *const *need = strcmp(rq->err.field, "user_id") == 0 || ac == NULL
                                  ? user_id_scope
                                  : ac->scopes;
    const char *list = joined(a, need, ", ");
    bool user = rq->err.subj == FS_SUBJ_USER_SCOPE;
    const char *trouble = arena_printf(
        a,
        "排查建议查看(Troubleshooting suggestions): "
        "https://open.feishu.cn/search?from=openapi&log_id=%s&code=%d&method_id=%llu",
        log_id, user ? 99991679 : 99991672, method_id(rq->route));
    json_t *viol = json_array();

    for (size_t i = 0; need[i] != NULL; i++)
        json_array_append_new(viol, json_pack("{s:s,s:s}", "type",
                                              user ? "action_privilege_required"
                                                   : "action_scope_required",
                                              "subject", need[i]));
    if (user) {
        *code = 99991679;
        *body = json_pack(
            "{s:i,s:s,s:{s:s,s:s,s:o}}", "code", *code, "msg",
            arena_printf(a,
                         "Unauthorized. You do not have permission to perform the requested "
                         "operation on the resource. Please request user re-authorization and "
                         "try again. required one of these privileges: [%s]",
                         list),
            "error", "log_id", log_id, "troubleshooter", trouble, "permission_violations", viol);
        return;
    }
    {
        const char *url = arena_printf(
            a, "https://open.feishu.cn/app/%s/auth?q=%s&op_from=openapi&token_type=%s",
            rq->err.msg, joined(a, need, ","), rq->actor.kind == ACTOR_USER ? "user" : "tenant");

        *code = 99991672;
        *body = json_pack(
            "{s:i,s:s,s:{s:s,s:s,s:o,s:[{s:s,s:s}]}}", "code", *code, "msg",
            arena_printf(a,
                         "Access denied. One of the following scopes is required: [%s]."
                         "应用尚未开通所需的应用身份权限：[%s]，点击链接申请并开通任一权限即可：%s",
                         list, list, url),
            "error", "log_id", log_id, "troubleshooter", trouble, "permission_violations", viol,
            "helps", "url", url, "description",
            arena_printf(a, "Learn more about scopes and how to add them: [%s]", list));
    }
}

/* Whether the request names user_id-type ids (the field scope's gate). */
static bool wants_user_ids(struct req *rq)
{
    const char *t = dialect_query(rq, "user_id_type"), *m = dialect_query(rq, "member_id_type");

    return (t != NULL && strcmp(t, "user_id") == 0) || (m != NULL && strcmp(m, "user_id") == 0);
}

enum err fs_scope_check(struct req *rq, const struct fs_access *ac, const char *token)
{
    struct fs_access_row acc;
    struct scope_set held;
    enum err e = svc_app_access(&rq->svc, rq->app_ref, &acc);

    if (e != ERR_OK)
        return e;
    svc_scope_parse(rq->http->arena, acc.scopes, &held);
    rq->actor.as_owner = rq->actor.kind == ACTOR_BOT && svc_scope_has(&held, SCOPE_OWNER);
    if (ac == NULL)
        return ERR_OK;
    if (!svc_scope_any(&held, ac->scopes)) {
        err_set(&rq->err, ERR_FORBIDDEN, SUBJ_SCOPE, "%s", acc.app_id);
        return ERR_FORBIDDEN;
    }
    if (rq->actor.kind == ACTOR_USER && ac->scopes[0] != NULL) {
        struct scope_set granted;

        e = svc_grant_scopes(&rq->svc, token, &granted);
        if (e != ERR_OK)
            return e;
        if (!svc_scope_any(&granted, ac->scopes))
            return err_set(&rq->err, ERR_FORBIDDEN, FS_SUBJ_USER_SCOPE, "%s", acc.app_id);
    }
    if (!(ac->tokens & TK_ANY_ID) && wants_user_ids(rq) && !svc_scope_has(&held, SCOPE_USER_ID)) {
        err_set(&rq->err, ERR_FORBIDDEN, SUBJ_SCOPE, "%s", acc.app_id);
        snprintf(rq->err.field, sizeof(rq->err.field), "%s", "user_id");
        return ERR_FORBIDDEN;
    }
    return ERR_OK;
}
