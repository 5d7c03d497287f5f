/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs.h - the Feishu/Lark dialect (/open-apis/): token
 * endpoints, OAuth, and the chat-management endpoints.
 * Official pages: "API call guide", "Server-side error codes" and the im/v1
 * chat reference pages.
 */
#ifndef QZ_DIALECT_FS_H
#define QZ_DIALECT_FS_H

#include "dialect/dialect.h"

extern const struct dialect fs_dialect;

/* Envelope styles of the auth endpoints (route flags). */
enum {
    FS_FLAT = R_DIALECT_A,  /* token endpoints: flat body; failures HTTP 200 {code,data:{},msg} */
    FS_OAUTH = R_DIALECT_B, /* OAuth token endpoint: failures HTTP 400 {code,error,error_description} */
    FS_MSG_OK = R_DIALECT_C, /* success says "ok", not "success" (chat tabs) */
};

const struct dialect_error *fs_error_lookup(enum err code, enum subj subj);
/* The token endpoints' flat failures and the OAuth endpoint's (whose 'msg'
 * is the RFC 6749 error name); never NULL. */
const struct dialect_error *fs_token_error_lookup(enum err code, enum subj subj);
const struct dialect_error *fs_oauth_error_lookup(enum err code, enum subj subj);
void fs_render(struct req *rq, enum err e, json_t *out);

/* fs_auth.c */
enum err fs_auth(struct req *rq);
enum err fs_tenant_token(struct req *rq, json_t *body, json_t *out);
enum err fs_app_token(struct req *rq, json_t *body, json_t *out);
enum err fs_oauth_token(struct req *rq, json_t *body, json_t *out);

/* fs_ids.c: ids in the caller's user_id_type. */
enum err fs_id_type(struct req *rq, const char **type);
/* Resolves a person id of 'type' (as the calling app sees it). */
enum err fs_person_find(struct req *rq, const char *type, const char *id, struct person_row *p);
/* The id of 'who' as the calling app sees it: a person in 'type', a bot as
 * its app_id. NULL if it cannot be resolved. */
const char *fs_actor_id(struct req *rq, const char *type, const struct actor *who);
/* A server-chosen numeric-looking id, 19 digits ("7101214603622940671"). */
const char *fs_numeric_id(struct req *rq);
/* Whether 's' is an http:// or https:// URL with something after it. */
bool fs_http_url(const char *s);
/* {"union_id", "user_id", "open_id"} of a person, for events. */
json_t *fs_user_id_object(struct req *rq, int64_t app, int64_t person);
/* The tenant's tenant_key ("" when it has none), read once per request. */
const char *fs_tenant_key(struct req *rq, int64_t tenant);

/* fs_chat.c: the chat resource and its settings. */

/* 232001 naming 'field'. */
enum err fs_bad(struct req *rq, const char *field);
/* One setting of a chat ("" if unset), in the arena. */
const char *fs_setting(const struct fs_chat_row *c, const char *key, struct arena *a);
/* Owner, manager or creator bot: the roles the chat pages say may change
 * everything. */
bool fs_privileged(const struct chat_view *v);
enum setting_use { S_CREATE = 1 << 0, S_UPDATE = 1 << 1 };


/* Checks the enum settings and restricted_mode_setting present in 'body'
 * for 'use' and merges them into 'settings' (which it may change). */
enum err fs_settings_apply(struct req *rq, json_t *body, unsigned use, json_t *settings);
/* Every setting at its default, as a new JSON object. */
json_t *fs_settings_default(void);
/* Checks name, description, i18n_names and avatar when present. */
enum err fs_basic_check(struct req *rq, json_t *body);
/* The chat resource: 'full' adds what Get returns beyond create. */
json_t *fs_chat_json(struct req *rq, const struct fs_chat_row *c, const char *type, bool with_id,
                     bool full);
const char *fs_avatar_url(struct req *rq, const char *key);

enum err fs_chat_create(struct req *rq, json_t *body, json_t *out);
enum err fs_chat_get(struct req *rq, json_t *body, json_t *out);
enum err fs_chat_list(struct req *rq, json_t *body, json_t *out);
enum err fs_chat_search(struct req *rq, json_t *body, json_t *out);

/* fs_members.c, fs_managers.c (chat members and managers) */
enum fs_user_event { FS_USERS_ADDED, FS_USERS_DELETED, FS_USERS_WITHDRAWN };
/* Writes the user event of 'kind' about 'who' to every bot in the chat. */
enum err fs_emit_users(struct req *rq, const struct fs_chat_row *chat, const struct actor *who,
                       size_t n, enum fs_user_event kind);
enum err fs_member_id_type(struct req *rq, bool bots_ok, const char **type);
enum err fs_members_add(struct req *rq, json_t *body, json_t *out);
enum err fs_members_remove(struct req *rq, json_t *body, json_t *out);
enum err fs_members_me_join(struct req *rq, json_t *body, json_t *out);
enum err fs_members_list(struct req *rq, json_t *body, json_t *out);
enum err fs_members_is_in_chat(struct req *rq, json_t *body, json_t *out);
enum err fs_managers_add(struct req *rq, json_t *body, json_t *out);
enum err fs_managers_delete(struct req *rq, json_t *body, json_t *out);

/* fs_tabs.c, fs_menus.c, fs_announcement.c (announcement, chat tabs, chat menus) */
enum err fs_tabs_create(struct req *rq, json_t *body, json_t *out);
enum err fs_tabs_update(struct req *rq, json_t *body, json_t *out);
enum err fs_tabs_sort(struct req *rq, json_t *body, json_t *out);
enum err fs_tabs_list(struct req *rq, json_t *body, json_t *out);
enum err fs_tabs_delete(struct req *rq, json_t *body, json_t *out);
enum err fs_menu_create(struct req *rq, json_t *body, json_t *out);
enum err fs_menu_get(struct req *rq, json_t *body, json_t *out);
enum err fs_menu_sort(struct req *rq, json_t *body, json_t *out);
enum err fs_menu_delete(struct req *rq, json_t *body, json_t *out);
enum err fs_menu_item_patch(struct req *rq, json_t *body, json_t *out);
enum err fs_announcement_get(struct req *rq, json_t *body, json_t *out);
enum err fs_announcement_patch(struct req *rq, json_t *body, json_t *out);

/* fs_simulate.c: a person opens the p2p chat with an app's bot (for the
 * admin API); answers {"chat_id", "created"}. */
enum err fs_sim_p2p_enter(struct req *rq, const char *app_id, const char *user_id, json_t *out);
/* A person joins by a share link (pending when the chat needs approval),
 * leaves, is invited by a member, or has a pending invitation withdrawn. */
enum err fs_sim_join_by_link(struct req *rq, const char *link_token, const char *user_id,
                             json_t *out);
enum err fs_sim_leave(struct req *rq, const char *chat_id, const char *user_id, json_t *out);
enum err fs_sim_invite(struct req *rq, const char *chat_id, const char *inviter_id,
                       const char *user_id, json_t *out);
enum err fs_sim_withdraw(struct req *rq, const char *chat_id, const char *user_id, json_t *out);

/* fs_chat_edit.c */
/* Schema 2.0 pieces shared by every chat event (the chat and member event pages). */
json_t *fs_event_header(struct req *rq, int64_t app, const char *event_id, const char *type);
json_t *fs_event_operator(struct req *rq, int64_t app);
/* Writes im.chat.updated_v1 for a change from 'before' to 'after';
 * 'added'/'removed' list person ids whose speaker flag changed, or NULL. */
enum err fs_emit_updated(struct req *rq, const struct fs_chat_row *before,
                         const struct fs_chat_row *after, json_t *added, json_t *removed);
enum err fs_chat_update(struct req *rq, json_t *body, json_t *out);
enum err fs_chat_disband(struct req *rq, json_t *body, json_t *out);
enum err fs_moderation_get(struct req *rq, json_t *body, json_t *out);
enum err fs_moderation_update(struct req *rq, json_t *body, json_t *out);
enum err fs_chat_link(struct req *rq, json_t *body, json_t *out);
enum err fs_top_notice_put(struct req *rq, json_t *body, json_t *out);
enum err fs_top_notice_delete(struct req *rq, json_t *body, json_t *out);

#endif
