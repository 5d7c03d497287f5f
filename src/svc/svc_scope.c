/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_scope.c - what a Feishu app holds: its granted scopes (the seed's
 * "scopes"; by default every scope but im:chat:operate_as_owner), the
 * scopes a person granted a user token, and the event types an app may
 * subscribe to with the scopes each one needs (the event pages' "required scopes").
 */
#include "svc/svc.h"

#include "core/arena.h"

#include <stdio.h>
#include <string.h>

void svc_scope_parse(struct arena *a, const char *text, struct scope_set *out)
{
    const char *p = text;
    size_t cap = 8;

    memset(out, 0, sizeof(*out));
    if (text == NULL) {
        out->star = true;
        return;
    }
    out->v = arena_alloc(a, cap * sizeof(*out->v));
    while (*p != '\0') {
        size_t n = strcspn(p, " ");

        if (n == 1 && *p == '*') {
            out->star = true;
        } else if (n > 0) {
            if (out->n == cap) {
                const char **grown = arena_alloc(a, 2 * cap * sizeof(*grown));

                memcpy(grown, out->v, cap * sizeof(*grown));
                out->v = grown;
                cap *= 2;
            }
            out->v[out->n++] = arena_strndup(a, p, n);
        }
        p += n;
        p += strspn(p, " ");
    }
}

bool svc_scope_has(const struct scope_set *s, const char *scope)
{
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->v[i], scope) == 0)
            return true;
    }
    return s->star && strcmp(scope, SCOPE_OWNER) != 0;
}

bool svc_scope_any(const struct scope_set *s, const char *const *list)
{
    if (list == NULL || list[0] == NULL)
        return true;
    for (size_t i = 0; list[i] != NULL; i++) {
        if (svc_scope_has(s, list[i]))
            return true;
    }
    return false;
}

/* Keeps 'row' (its strings are the request's) as the request's access row. */
static enum err svc_acc_keep(struct svc_ctx *c, const struct fs_access_row *row)
{
    struct fs_access_row *kept = arena_alloc(c->a, sizeof(*kept));

    *kept = *row;
    c->acc = kept;
    return ERR_OK;
}

enum err svc_app_access(struct svc_ctx *c, int64_t app, struct fs_access_row *out)
{
    struct fs_app_row row;
    enum err e;

    /* Read once per request: a request sees one state of its app. */
    if (c->acc != NULL && c->acc->app == app) {
        *out = *c->acc;
        return ERR_OK;
    }
    if (c->access != NULL && svc_acache_get(c->access, c->st, c->a, app, out))
        return svc_acc_keep(c, out);
    e = store_fs_access_get(c->st, c->a, app, out);
    if (e == ERR_OK && c->access != NULL)
        svc_acache_put(c->access, c->st, out);
    /* Its tenant's key came with it: later lookups of the key in this
     * request take it (svc_fs_tenant_key). */
    if (e == ERR_OK && out->tenant_key != NULL && c->tkey == NULL) {
        c->tkey_tenant = out->tenant;
        c->tkey = out->tenant_key;
    }
    if (e == ERR_OK)
        return svc_acc_keep(c, out);
    /* Every app gets its row when seeded (or by migration 013); one without
     * holds the defaults. */
    if (e != ERR_NOT_FOUND)
        return e;
    e = store_fs_app_get(c->st, c->a, app, &row);
    if (e == ERR_OK)
        *out = (struct fs_access_row){ .app = app, .bot_open_id = "", .app_id = row.app_id,
                                       .name = row.name };
    return e == ERR_OK ? svc_acc_keep(c, out) : e;
}

enum err svc_app_scopes(struct svc_ctx *c, int64_t app, struct scope_set *out)
{
    struct fs_access_row acc;
    enum err e = svc_app_access(c, app, &acc);

    if (e != ERR_OK)
        return e;
    svc_scope_parse(c->a, acc.scopes, out);
    return ERR_OK;
}

enum err svc_grant_scopes(struct svc_ctx *c, const char *secret, struct scope_set *out)
{
    char *text = NULL;
    enum err e = store_fs_grant_get(c->st, c->a, secret, &text);

    if (e != ERR_OK && e != ERR_NOT_FOUND)
        return e;
    svc_scope_parse(c->a, text, out);
    return ERR_OK;
}

/* As the event pages list them. */
static const char *const ev_members_user[] = { "im:chat", "im:chat.members:read",
                                               "im:chat:readonly", NULL };
static const char *const ev_members_bot[] = { "im:chat", "im:chat.members:bot_access",
                                              "im:chat:readonly", NULL };
static const char *const ev_chat[] = { "im:chat", "im:chat:read", "im:chat:readonly", NULL };
static const char *const ev_receive[] = {
    "im:message.p2p_msg", "im:message.p2p_msg:readonly", "im:message.group_msg",
    "im:message.group_msg:readonly", "im:message.group_at_msg", "im:message.group_at_msg:readonly",
    "im:message.group_at_msg.include_bot:readonly", NULL,
};
static const char *const ev_message[] = { "im:message", "im:message:readonly", NULL };
static const char *const ev_reaction[] = { "im:message.reactions:read", "im:message:readonly",
                                           NULL };

static const struct {
    const char *type;
    const char *const *scopes; /* NULL: none needed */
} event_kinds[] = {
    { "im.chat.member.user.added_v1", ev_members_user },
    { "im.chat.member.user.deleted_v1", ev_members_user },
    { "im.chat.member.user.withdrawn_v1", ev_members_user },
    { "im.chat.member.bot.added_v1", ev_members_bot },
    { "im.chat.member.bot.deleted_v1", ev_members_bot },
    { "im.chat.updated_v1", ev_chat },
    { "im.chat.disbanded_v1", ev_chat },
    { "im.chat.access_event.bot_p2p_chat_entered_v1", NULL },
    { "p2p_chat_create", NULL },
    { "im.message.receive_v1", ev_receive },
    { "im.message.message_read_v1", ev_message },
    { "im.message.recalled_v1", ev_message },
    { "im.message.reaction.created_v1", ev_reaction },
    { "im.message.reaction.deleted_v1", ev_reaction },
};

enum err svc_event_type_check(struct svc_ctx *c, const struct scope_set *held, const char *type)
{
    for (size_t i = 0; i < sizeof(event_kinds) / sizeof(event_kinds[0]); i++) {
        const char *const *need = event_kinds[i].scopes;
        char list[400];
        size_t len = 0;

        if (strcmp(event_kinds[i].type, type) != 0)
            continue;
        if (held == NULL || svc_scope_any(held, need))
            return ERR_OK;
        list[0] = '\0';
        for (size_t k = 0; need[k] != NULL && len < sizeof(list); k++)
            len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", k ? ", " : "",
                                    need[k]);
        return err_field(c->ei, ERR_BAD_REQUEST, "types",
                         "event type %s needs one of the scopes [%s]", type, list);
    }
    return err_field(c->ei, ERR_BAD_REQUEST, "types", "unknown event type '%s'", type);
}
