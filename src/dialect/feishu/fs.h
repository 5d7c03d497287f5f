/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs.h - the Feishu/Lark dialect (/open-apis/): token
 * endpoints, OAuth, and the chat-management endpoints.
 * Chat rules are svc's (svc_chat*.c); this is Feishu's shape of them.
 */
#ifndef QZ_DIALECT_FS_H
#define QZ_DIALECT_FS_H

#include "dialect/dialect.h"

extern const struct dialect fs_dialect;
/* Long connections (fs_ws.c): the bootstrap and the WebSocket handshake. */
extern const struct dialect fs_ws_boot_dialect;
extern const struct dialect fs_ws_conn_dialect;

/* Envelope styles of the auth endpoints (route flags). */
enum {
    FS_FLAT = R_DIALECT_A,  /* token endpoints: flat body; failures HTTP 200 {code,data:{},msg} */
    FS_OAUTH = R_DIALECT_B, /* OAuth token endpoint: failures HTTP 400 {code,error,error_description} */
    FS_MSG_OK = R_DIALECT_C, /* success says "ok", not "success" (chat tabs) */
    FS_IM = R_DIALECT_D,     /* the message family's codes (23000x, 99992402) first */
    FS_UP = R_DIALECT_E,     /* the upload family's codes (234xxx) first */
    FS_CONTACT = R_DIALECT_F, /* contact v3: its own 4xxxx codes ("服务端错误码说明") */
    FS_AUTHEN = R_DIALECT_G,  /* authen v1: failures HTTP 200 {code: 20xxx, msg} */
    FS_BARE = R_DIALECT_H,    /* success: the handler's fields beside code and msg "ok" */
    /* Beyond the dialect bits route.flags keeps free: the reaction (231xxx)
     * and pin (23004x) codes before the message family's (FS_IM). */
    FS_REACT = 1 << 16,
    FS_PIN = 1 << 17,
};

/* Subjects only the Feishu handlers set and its tables read (err.h). */
#define FS_SUBJ_USER_SCOPE ((enum subj)(SUBJ_DIALECT + 0))   /* a scope a user token's grant lacks */
#define FS_SUBJ_APP_TOKEN ((enum subj)(SUBJ_DIALECT + 1))    /* authen v1's app token */
#define FS_SUBJ_DEPT ((enum subj)(SUBJ_DIALECT + 2))         /* a directory department */
#define FS_SUBJ_CONTACT_USER ((enum subj)(SUBJ_DIALECT + 3)) /* a person the caller may not see */
#define FS_SUBJ_PAGE_SIZE ((enum subj)(SUBJ_DIALECT + 4))    /* contact v3's page_size */
#define FS_SUBJ_GRANT ((enum subj)(SUBJ_DIALECT + 5))        /* an OAuth grant_type */
#define FS_SUBJ_CURSOR ((enum subj)(SUBJ_DIALECT + 6))       /* contact v3's page_token */
#define FS_SUBJ_PIN_LIST ((enum subj)(SUBJ_DIALECT + 7))     /* the pin list's budget per app */
#define FS_SUBJ_MERGED ((enum subj)(SUBJ_DIALECT + 20))  /* merge-forward: no message mergeable */
#define FS_SUBJ_DELETED ((enum subj)(SUBJ_DIALECT + 21)) /* read_users, buzz: recalled (230110) */

/* fs_scopes.c: the token kinds and API scopes (any one) of each
 * authenticated route, by method and path. */
enum {
    TK_T = 1 << 0,      /* tenant_access_token */
    TK_U = 1 << 1,      /* user_access_token */
    TK_A = 1 << 2,      /* app_access_token (or the same app's tenant token) */
    TK_ANY_ID = 1 << 3, /* user_id_type=user_id needs no scope (batch_get_id omits the id) */
    TK_TU = TK_T | TK_U,
};
struct fs_access {
    enum http_method method;
    const char *path;
    unsigned tokens;
    const char *const *scopes; /* NULL-terminated; empty: none */
};
/* The row of a route of fs_routes.c; NULL if it has none. */
const struct fs_access *fs_access_of(const struct route *rt);
/* After the token: the app's scopes (99991672), a user token's grant
 * (99991679), user_id-type ids without the field scope; sets
 * rq->actor.as_owner. 'ac' NULL: only as_owner. */
enum err fs_scope_check(struct req *rq, const struct fs_access *ac, const char *token);
/* The gateway's body for SUBJ_SCOPE / FS_SUBJ_USER_SCOPE (what the gateway sends for 99991672 / 99991679). */
void fs_scope_render(struct req *rq, const char *log_id, json_t **body, int *code);

const struct dialect_error *fs_error_lookup(enum err code, enum subj subj);
/* The token endpoints' flat failures and the OAuth endpoint's (whose 'msg'
 * is the RFC 6749 error name); never NULL. */
const struct dialect_error *fs_token_error_lookup(enum err code, enum subj subj);
const struct dialect_error *fs_oauth_error_lookup(enum err code, enum subj subj);
void fs_render(struct req *rq, enum err e, json_t *out);
void fs_render_kept(struct req *rq);

/* fs_auth.c */
enum err fs_auth(struct req *rq);
enum err fs_tenant_token(struct req *rq, json_t *body, json_t *out);
enum err fs_app_token(struct req *rq, json_t *body, json_t *out);
enum err fs_oauth_token(struct req *rq, json_t *body, json_t *out);

/* fs_contact.c, fs_authen.c: "获取机器人信息", contact v3 users and departments, authen v1;
 * the contact routes' query rules. */
extern const struct field_rule fs_q_contact[], fs_q_contact_ids[];
enum err fs_bot_info(struct req *rq, json_t *body, json_t *out);
enum err fs_users_batch_get_id(struct req *rq, json_t *body, json_t *out);
enum err fs_user_get(struct req *rq, json_t *body, json_t *out);
enum err fs_users_batch(struct req *rq, json_t *body, json_t *out);
enum err fs_users_by_department(struct req *rq, json_t *body, json_t *out);
enum err fs_department_get(struct req *rq, json_t *body, json_t *out);
enum err fs_department_children(struct req *rq, json_t *body, json_t *out);
enum err fs_oidc_token(struct req *rq, json_t *body, json_t *out);
enum err fs_oidc_refresh(struct req *rq, json_t *body, json_t *out);
enum err fs_user_info(struct req *rq, json_t *body, json_t *out);
/* The authen v1 and contact v3 error rows (fs_errors.c). */
const struct dialect_error *fs_family_error(unsigned flags, enum err code, enum subj subj);

/* fs_ids.c: ids in the caller's user_id_type. */

/* The id types a query may name: people (open_id, the default; union_id;
 * user_id), and for member lists bots too (app_id). NULL-terminated. */
extern const char *const fs_user_id_types[];
extern const char *const fs_member_id_types[];

/* Query rules every Feishu route spells the same way (fs_routes.c): an id
 * type parameter 'key' of 'types' (default open_id; 'subj' is what a bad
 * one reports, SUBJ_NONE: 232001), the page size (1 - 100, default 'dflt')
 * and the page token (read by fs_page_in). "" reads as absent. */
#define FS_Q_ID_TYPE(key, types, subj_)                                                     \
    { .name = (key), .type = JT_STRING, .flags = F_EMPTY_ABSENT, .values = (types),        \
      .def = "open_id", .subj = (subj_) }
#define FS_Q_USER_ID_TYPE FS_Q_ID_TYPE("user_id_type", fs_user_id_types, SUBJ_NONE)
#define FS_Q_PAGE_SIZE(dflt)                                                                \
    { .name = "page_size", .type = JT_INT, .flags = F_EMPTY_ABSENT | F_RANGE, .min = 1,   \
      .max = 100, .def = (dflt) }
#define FS_Q_PAGE_TOKEN { .name = "page_token", .type = JT_STRING, .flags = F_EMPTY_ABSENT }

/* The id type query parameter 'key' names, as its route's FS_Q_ID_TYPE rule
 * checked it (open_id when absent). */
const char *fs_id_type(struct req *rq, const char *key);

/* fs_page.c: the one reading of page_size and page_token. A page token is
 * the last row's keyset position: one cursor per letter of 'kinds'
 * (core/cursor.h), joined by '.', bound to 'scope'. fs_page_in reads the
 * route's FS_Q_PAGE_SIZE into '*limit' and the token into keys[] (left as
 * they are without one); a token that does not decode is 232001. */
enum err fs_page_in(struct req *rq, const char *kinds, uint64_t scope, int64_t *limit,
                    int64_t *keys);
const char *fs_page_token(struct req *rq, const char *kinds, uint64_t scope,
                          const int64_t *keys);

/* Resolves a person id of 'type' (as the calling app sees it). */
enum err fs_person_find(struct req *rq, const char *type, const char *id, struct person_row *p);
/* The id of 'who' as the calling app sees it: a person in 'type', a bot as
 * its app_id. NULL if it cannot be resolved. */
const char *fs_actor_id(struct req *rq, const char *type, const struct actor *who);
/* Whether 's' is an http:// or https:// URL with something after it. */
bool fs_http_url(const char *s);
/* {"union_id", "user_id", "open_id"} of a person, for events; NULL when
 * the store fails (a JSON pack it is part of fails with it). */
json_t *fs_user_id_object(struct req *rq, int64_t app, int64_t person);
/* The tenant's tenant_key ("" when it has none), read once per request;
 * fs_tenant_key answers NULL when the store fails. */
enum err fs_tenant_key_get(struct req *rq, int64_t tenant, const char **key);
const char *fs_tenant_key(struct req *rq, int64_t tenant);

/* fs_chat.c: the chat resource. */

/* 232001 naming 'field'. */
enum err fs_bad(struct req *rq, const char *field);
/* svc_chat_setting and svc_chat_privileged for the handlers that use them. */
const char *fs_setting(const struct fs_chat_row *c, const char *key, struct arena *a);
bool fs_privileged(const struct chat_view *v);
/* The chat resource into 'out': FS_CHAT_WITH_ID adds chat_id (create,
 * lists), FS_CHAT_FULL what get shows beyond create (managers, counts,
 * status). */
enum { FS_CHAT_WITH_ID = 1 << 0, FS_CHAT_FULL = 1 << 1 };
enum err fs_chat_json(struct req *rq, const struct fs_chat_row *c, const char *type,
                      unsigned view, json_t *out);
const char *fs_avatar_url(struct req *rq, const char *key);
/* A chat's managers as two new arrays of ids: people in 'type', bots as
 * app_ids; those without an id are left out, a store failure is the error. */
enum err fs_manager_ids(struct req *rq, const struct fs_member_row *m, size_t n,
                        const char *type, json_t **users, json_t **bots);

/* fs_member_rules.c: the member, manager, tab and menu routes' rules. */
extern const struct field_rule fs_q_members_add[], fs_q_member_id_type[], fs_q_members_list[],
    fs_id_list_rules[], fs_tabs_create_rules[], fs_tabs_update_rules[], fs_tabs_sort_rules[],
    fs_tabs_delete_rules[], fs_menu_create_rules[], fs_menu_sort_rules[], fs_menu_delete_rules[],
    fs_menu_patch_rules[];

/* fs_chat_rules.c: the chat routes' query (fs_q_*) and body rules. */
extern const struct field_rule fs_q_user_id_type[], fs_q_chat_create[], fs_q_chat_list[],
    fs_q_chat_search[], fs_q_moderation_get[], fs_q_moderation_update[];
extern const struct field_rule fs_chat_create_rules[], fs_chat_update_rules[],
    fs_moderation_rules[], fs_link_rules[], fs_top_notice_rules[], fs_announcement_rules[];

enum err fs_chat_create(struct req *rq, json_t *body, json_t *out);
enum err fs_chat_get(struct req *rq, json_t *body, json_t *out);
enum err fs_chat_list(struct req *rq, json_t *body, json_t *out);
enum err fs_chat_search(struct req *rq, json_t *body, json_t *out);

/* fs_members.c, fs_managers.c: group members and managers (rules in svc_chat_members.c) */
/* The ids in body's 'field' (of the route's member_id_type) for svc: a
 * non-string item as NULL (svc answers 232001), no array as none (svc
 * answers 232027). */
struct chat_ids fs_chat_ids(struct req *rq, json_t *body, const char *field);
/* The items of body's array 'field' (the route's rules made it one) as
 * strings, a non-string as NULL (it names nothing). */
const char *const *fs_strings(struct req *rq, json_t *body, const char *field, size_t *n);
enum err fs_members_add(struct req *rq, json_t *body, json_t *out);
enum err fs_members_remove(struct req *rq, json_t *body, json_t *out);
enum err fs_members_me_join(struct req *rq, json_t *body, json_t *out);
enum err fs_members_list(struct req *rq, json_t *body, json_t *out);
enum err fs_members_is_in_chat(struct req *rq, json_t *body, json_t *out);
enum err fs_managers_add(struct req *rq, json_t *body, json_t *out);
enum err fs_managers_delete(struct req *rq, json_t *body, json_t *out);

/* fs_tabs.c, fs_menus.c, fs_announcement.c: tabs, menus, the announcement (rules in
 * svc_chat_tabs.c, svc_chat_menus.c, svc_chat_announce.c) */
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

/* fs_member_events.c: how the chat events svc writes are spelled (the
 * app's chat_events; the admin API's simulated actions write them too). */
extern const struct chat_event_format fs_chat_events;
/* The request a svc context belongs to: every svc call of a request is
 * given &rq->svc, so the event format finds its request this way. */
struct req *fs_req_of(struct svc_ctx *c);

/* fs_chat_edit.c */
/* Schema 2.0 pieces shared by every chat event (Feishu's event pages). The
 * header is NULL when the receiving app's row or the tenant key cannot be
 * read: a body packed with it fails, and so does the change. */
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

/* fs_msg.c, fs_msg_json.c, fs_msg_errors.c (POST /open-apis/im/v1/messages and the rest) */
struct fs_msg_view {
    const char *id_type; /* people's ids (NULL: open_id) */
    bool raw_cards;      /* cards as sent (card_msg_content_type=user_card_content) */
    bool recalled_text;  /* a recalled message says so (list), else has no content (get) */
    /* Kept while a page renders: the last sender and its id, looked up once. */
    struct actor last;
    const char *last_id;
};
json_t *fs_msg_json(struct req *rq, const struct fs_msg_row *m, struct fs_msg_view *how);
/* Event bodies (struct msg_events; 'arg' is the request). */
json_t *fs_msg_received(void *arg, int64_t app, const char *event_id, const struct fs_msg_row *m,
                        const struct fs_chat_row *chat);
json_t *fs_msg_recalled(void *arg, int64_t app, const char *event_id, const struct fs_msg_row *m,
                        const char *recall_type);
/* The message family's own limits ("Send a message", "Update an app card
 * message"): messages into one chat, updates of one card. 230020 when over. */
enum fs_rate_kind { FS_RATE_CHAT = 1, FS_RATE_CARD = 2, FS_RATE_PIN = 3, FS_RATE_PIN_LIST = 4 };
enum err fs_msg_rate(struct req *rq, enum fs_rate_kind kind, uint64_t key);
/* The row of the message family's table for (e, s), or NULL. */
const struct dialect_error *fs_im_error_lookup(enum err e, enum subj s);
/* The msg of an IM row: the detail appended as ", ext=..." where the platform does. */
const char *fs_im_msg(struct req *rq, const struct dialect_error *row);
enum err fs_msg_send(struct req *rq, json_t *body, json_t *out);
enum err fs_msg_reply(struct req *rq, json_t *body, json_t *out);
enum err fs_msg_get(struct req *rq, json_t *body, json_t *out);
enum err fs_msg_list(struct req *rq, json_t *body, json_t *out);
enum err fs_msg_recall(struct req *rq, json_t *body, json_t *out);
enum err fs_msg_edit(struct req *rq, json_t *body, json_t *out);
enum err fs_msg_patch(struct req *rq, json_t *body, json_t *out);
/* fs_msg_react.c: reactions (.../messages/:message_id/reactions); its
 * handlers' rules and codes, the reaction object, the reaction events. */
extern const struct field_rule fs_reaction_rules[], fs_q_reaction_list[];
const struct dialect_error *fs_react_error_lookup(struct req *rq, enum err e, enum subj s);
json_t *fs_reaction_json(struct req *rq, const struct fs_reaction_row *r, const char *id_type);
json_t *fs_reaction_event(void *arg, int64_t app, const char *event_id,
                          const struct fs_reaction_row *r, const char *message_id, bool created,
                          int64_t action_ms);
enum err fs_reaction_create(struct req *rq, json_t *body, json_t *out);
enum err fs_reaction_list(struct req *rq, json_t *body, json_t *out);
enum err fs_reaction_delete(struct req *rq, json_t *body, json_t *out);
/* fs_pins.c: pins (/open-apis/im/v1/pins). */
extern const struct field_rule fs_pin_rules[], fs_q_pin_list[];
const struct dialect_error *fs_pin_error_lookup(enum err e, enum subj s);
enum err fs_pin_create(struct req *rq, json_t *body, json_t *out);
enum err fs_pin_delete(struct req *rq, json_t *body, json_t *out);
enum err fs_pin_list(struct req *rq, json_t *body, json_t *out);
/* fs_msg_fwd.c: forward, merge-forward, read_users, buzzes, the read event */
enum err fs_msg_forward(struct req *rq, json_t *body, json_t *out);
enum err fs_msg_merge_forward(struct req *rq, json_t *body, json_t *out);
enum err fs_msg_read_users(struct req *rq, json_t *body, json_t *out);
enum err fs_msg_urgent(struct req *rq, json_t *body, json_t *out);
/* im.message.message_read_v1 for 'app' (struct msg_read_event; 'arg' is the request). */
json_t *fs_msg_read_body(void *arg, int64_t app, const char *event_id, const struct fs_msg_row *m,
                         int64_t reader, int64_t read_ms);
/* fs_upload.c (/open-apis/im/v1/images, /files, message resources) */
const struct dialect_error *fs_up_error_lookup(enum err e, enum subj s);
enum err fs_image_upload(struct req *rq, json_t *body, json_t *out);
enum err fs_file_upload(struct req *rq, json_t *body, json_t *out);
enum err fs_image_get(struct req *rq, json_t *body, json_t *out);
enum err fs_file_get(struct req *rq, json_t *body, json_t *out);
enum err fs_msg_resource(struct req *rq, json_t *body, json_t *out);
/* fs_msg_sim.c: a person says something (or replies) and recalls (admin API). */
/* The admin API's say and recall (main.c gives them to the app). */
extern const struct sim_talk fs_talk;
/* fs_console.c: a chat's timeline for the web console (the admin API's
 * GET /admin/v1/feishu/chats/:chat_id/messages; main.c wires it). */
enum err fs_console_timeline(struct req *rq, json_t *body, json_t *out);

#endif
