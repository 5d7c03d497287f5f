/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_routes.c - the Feishu route table.
 * Rows name the Feishu Open Platform page of each endpoint group. Field
 * rules check each request's query and body before its handler runs.
 */
#include "dialect/feishu/fs.h"

/* "通过手机号或邮箱获取用户 ID", the authen v1 OIDC pages */
static const struct field_rule batch_get_id_rules[] = {
    { "emails", JT_ARRAY },
    { "mobiles", JT_ARRAY },
    { "include_resigned", JT_BOOL },
    { NULL },
};
static const struct field_rule oidc_rules[] = {
    { "grant_type", JT_STRING },
    { "code", JT_STRING },
    { "refresh_token", JT_STRING },
    { NULL },
};

/* --- messages ("Send a message", "Reply to a message", "Get the history of a chat", ... pages) --- */

static const struct field_rule q_msg_send[] = {
    /* Its values are svc's to judge (230001 ext=invalid receive_id_type). */
    { .name = "receive_id_type", .type = JT_STRING, .flags = F_REQUIRED },
    { NULL },
};
#define MSG_FIELD(n) { .name = (n), .type = JT_STRING, .flags = F_REQUIRED | F_NULL_BAD }
#define MSG_UUID { .name = "uuid", .type = JT_STRING, .flags = F_EMPTY_ABSENT | F_RANGE, .max = 50 }
static const struct field_rule b_msg_send[] = {
    MSG_FIELD("receive_id"), MSG_FIELD("msg_type"), MSG_FIELD("content"), MSG_UUID,
    { NULL },
};
static const struct field_rule b_msg_reply[] = {
    MSG_FIELD("msg_type"), MSG_FIELD("content"),
    { .name = "reply_in_thread", .type = JT_BOOL, .flags = F_NULL_BAD }, MSG_UUID,
    { NULL },
};
static const struct field_rule b_msg_edit[] = {
    MSG_FIELD("msg_type"), MSG_FIELD("content"),
    { NULL },
};
static const struct field_rule b_msg_patch[] = {
    MSG_FIELD("content"),
    { NULL },
};
static const char *const CARD_CONTENT_TYPES[] = { "user_card_content", "raw_card_content", NULL };
#define Q_CARD_CONTENT                                                                      \
    { .name = "card_msg_content_type", .type = JT_STRING, .flags = F_EMPTY_ABSENT,          \
      .values = CARD_CONTENT_TYPES }
static const struct field_rule q_msg_get[] = {
    FS_Q_USER_ID_TYPE, Q_CARD_CONTENT,
    { NULL },
};
static const char *const CONTAINER_TYPES[] = { "chat", "thread", NULL };
static const char *const MSG_SORT_TYPES[] = { "ByCreateTimeAsc", "ByCreateTimeDesc", NULL };
static const struct field_rule q_msg_list[] = {
    { .name = "container_id_type", .type = JT_STRING, .flags = F_REQUIRED,
      .values = CONTAINER_TYPES },
    { .name = "container_id", .type = JT_STRING, .flags = F_REQUIRED },
    { .name = "start_time", .type = JT_INT, .flags = F_EMPTY_ABSENT | F_RANGE, .min = 0,
      .max = 4102444800 },
    { .name = "end_time", .type = JT_INT, .flags = F_EMPTY_ABSENT | F_RANGE, .min = 0,
      .max = 4102444800 },
    { .name = "sort_type", .type = JT_STRING, .flags = F_EMPTY_ABSENT, .values = MSG_SORT_TYPES },
    /* Over 50 is the endpoint's own 230001 (the handler's). */
    { .name = "page_size", .type = JT_INT, .flags = F_EMPTY_ABSENT | F_RANGE, .min = 1,
      .max = 1000, .def = "20" },
    FS_Q_PAGE_TOKEN, Q_CARD_CONTENT,
    { NULL },
};

/* "Forward a message", "Merge and forward messages": the send's id types and thread_id;
 * uuid is a query parameter here. */
static const struct field_rule q_msg_forward[] = {
    { .name = "receive_id_type", .type = JT_STRING, .flags = F_REQUIRED },
    MSG_UUID,
    { NULL },
};
static const struct field_rule b_msg_forward[] = {
    MSG_FIELD("receive_id"),
    { NULL },
};
static const struct field_rule msg_id_item = { .type = JT_STRING };
static const struct field_rule b_msg_merge[] = {
    MSG_FIELD("receive_id"),
    { .name = "message_id_list", .type = JT_ARRAY, .flags = F_REQUIRED | F_NULL_BAD | F_RANGE,
      .min = 1, .max = 100, .each = &msg_id_item },
    { NULL },
};
/* "Query the read status of a message", the buzz pages: user_id_type is required. */
#define Q_USER_ID_TYPE_REQUIRED                                                              \
    { .name = "user_id_type", .type = JT_STRING, .flags = F_REQUIRED,                       \
      .values = fs_user_id_types }
static const struct field_rule q_msg_read_users[] = {
    Q_USER_ID_TYPE_REQUIRED, FS_Q_PAGE_SIZE("20"), FS_Q_PAGE_TOKEN,
    { NULL },
};
static const struct field_rule q_msg_urgent[] = {
    Q_USER_ID_TYPE_REQUIRED,
    { NULL },
};
static const struct field_rule b_msg_urgent[] = {
    { .name = "user_id_list", .type = JT_ARRAY, .flags = F_REQUIRED | F_NULL_BAD | F_RANGE,
      .min = 1, .max = 200, .each = &msg_id_item },
    { NULL },
};

static const char *const RESOURCE_TYPES[] = { "image", "file", NULL };
static const struct field_rule q_msg_resource[] = {
    { .name = "type", .type = JT_STRING, .flags = F_REQUIRED, .values = RESOURCE_TYPES,
      .subj = SUBJ_RESOURCE },
    { NULL },
};

static const struct route fs_routes[] = {
    /* method  path                                  flags  body rules  handler  query rules */
    /* Authentication: custom app tokens, user_access_token */
    { HTTP_POST, "/open-apis/auth/v3/tenant_access_token/internal",
      R_PUBLIC | R_WRITE | R_INLINE | R_READ_FIRST | R_JSON | FS_FLAT, NULL, fs_tenant_token },
    { HTTP_POST, "/open-apis/auth/v3/app_access_token/internal",
      R_PUBLIC | R_WRITE | R_INLINE | R_READ_FIRST | R_JSON | FS_FLAT, NULL, fs_app_token },
    { HTTP_POST, "/open-apis/authen/v2/oauth/token", R_PUBLIC | R_WRITE | R_JSON | FS_OAUTH, NULL,
      fs_oauth_token },
    /* Group management: create, list, search, get, update, dissolve, speech
     * permissions, share link, top notice */
    { HTTP_POST, "/open-apis/im/v1/chats", R_WRITE | R_JSON, fs_chat_create_rules, fs_chat_create,
      fs_q_chat_create },
    { HTTP_GET, "/open-apis/im/v1/chats", R_CACHE, NULL, fs_chat_list, fs_q_chat_list },
    { HTTP_GET, "/open-apis/im/v1/chats/search", R_CACHE, NULL, fs_chat_search, fs_q_chat_search },
    { HTTP_GET, "/open-apis/im/v1/chats/:chat_id", R_CACHE, NULL, fs_chat_get, fs_q_user_id_type },
    { HTTP_PUT, "/open-apis/im/v1/chats/:chat_id", R_WRITE | R_JSON, fs_chat_update_rules,
      fs_chat_update, fs_q_user_id_type },
    { HTTP_DELETE, "/open-apis/im/v1/chats/:chat_id", R_WRITE, NULL, fs_chat_disband },
    { HTTP_GET, "/open-apis/im/v1/chats/:chat_id/moderation", R_CACHE, NULL, fs_moderation_get,
      fs_q_moderation_get },
    { HTTP_PUT, "/open-apis/im/v1/chats/:chat_id/moderation", R_WRITE | R_JSON,
      fs_moderation_rules, fs_moderation_update, fs_q_moderation_update },
    { HTTP_POST, "/open-apis/im/v1/chats/:chat_id/link", R_WRITE | R_JSON, fs_link_rules,
      fs_chat_link },
    { HTTP_POST, "/open-apis/im/v1/chats/:chat_id/top_notice/put_top_notice", R_WRITE | R_JSON,
      fs_top_notice_rules, fs_top_notice_put },
    { HTTP_POST, "/open-apis/im/v1/chats/:chat_id/top_notice/delete_top_notice", R_WRITE | R_JSON,
      NULL, fs_top_notice_delete },
    /* Group members and managers */
    { HTTP_POST, "/open-apis/im/v1/chats/:chat_id/members", R_WRITE | R_JSON, fs_id_list_rules,
      fs_members_add, fs_q_members_add },
    { HTTP_DELETE, "/open-apis/im/v1/chats/:chat_id/members", R_WRITE | R_JSON, fs_id_list_rules,
      fs_members_remove, fs_q_member_id_type },
    { HTTP_PATCH, "/open-apis/im/v1/chats/:chat_id/members/me_join", R_WRITE, NULL,
      fs_members_me_join },
    { HTTP_GET, "/open-apis/im/v1/chats/:chat_id/members", R_CACHE, NULL, fs_members_list,
      fs_q_members_list },
    { HTTP_GET, "/open-apis/im/v1/chats/:chat_id/members/is_in_chat", R_CACHE, NULL,
      fs_members_is_in_chat },
    { HTTP_POST, "/open-apis/im/v1/chats/:chat_id/managers/add_managers", R_WRITE | R_JSON, NULL,
      fs_managers_add, fs_q_member_id_type },
    { HTTP_POST, "/open-apis/im/v1/chats/:chat_id/managers/delete_managers", R_WRITE | R_JSON, NULL,
      fs_managers_delete, fs_q_member_id_type },
    /* Group announcement */
    { HTTP_GET, "/open-apis/im/v1/chats/:chat_id/announcement", R_WRITE, NULL,
      fs_announcement_get, fs_q_user_id_type },
    { HTTP_PATCH, "/open-apis/im/v1/chats/:chat_id/announcement", R_WRITE | R_JSON,
      fs_announcement_rules, fs_announcement_patch },
    /* Chat tabs and group menus */
    { HTTP_POST, "/open-apis/im/v1/chats/:chat_id/chat_tabs", R_WRITE | R_JSON | FS_MSG_OK,
      fs_tabs_create_rules, fs_tabs_create },
    { HTTP_POST, "/open-apis/im/v1/chats/:chat_id/chat_tabs/update_tabs",
      R_WRITE | R_JSON | FS_MSG_OK, fs_tabs_update_rules, fs_tabs_update },
    { HTTP_POST, "/open-apis/im/v1/chats/:chat_id/chat_tabs/sort_tabs",
      R_WRITE | R_JSON | FS_MSG_OK, fs_tabs_sort_rules, fs_tabs_sort },
    { HTTP_GET, "/open-apis/im/v1/chats/:chat_id/chat_tabs/list_tabs", FS_MSG_OK | R_CACHE, NULL,
      fs_tabs_list },
    { HTTP_DELETE, "/open-apis/im/v1/chats/:chat_id/chat_tabs/delete_tabs",
      R_WRITE | R_JSON | FS_MSG_OK, fs_tabs_delete_rules, fs_tabs_delete },
    { HTTP_POST, "/open-apis/im/v1/chats/:chat_id/menu_tree", R_WRITE | R_JSON,
      fs_menu_create_rules, fs_menu_create },
    { HTTP_GET, "/open-apis/im/v1/chats/:chat_id/menu_tree", R_CACHE, NULL, fs_menu_get },
    { HTTP_POST, "/open-apis/im/v1/chats/:chat_id/menu_tree/sort", R_WRITE | R_JSON,
      fs_menu_sort_rules, fs_menu_sort },
    { HTTP_DELETE, "/open-apis/im/v1/chats/:chat_id/menu_tree", R_WRITE | R_JSON,
      fs_menu_delete_rules, fs_menu_delete },
    { HTTP_PATCH, "/open-apis/im/v1/chats/:chat_id/menu_items/:menu_item_id", R_WRITE | R_JSON,
      fs_menu_patch_rules, fs_menu_item_patch },
    /* Messages: send, list, reply, get, recall, edit, update a card */
    { HTTP_POST, "/open-apis/im/v1/messages", R_WRITE | R_JSON | FS_IM, b_msg_send, fs_msg_send,
      q_msg_send },
    { HTTP_GET, "/open-apis/im/v1/messages", FS_IM | R_CACHE, NULL, fs_msg_list, q_msg_list },
    { HTTP_POST, "/open-apis/im/v1/messages/:message_id/reply", R_WRITE | R_JSON | FS_IM,
      b_msg_reply, fs_msg_reply },
    { HTTP_GET, "/open-apis/im/v1/messages/:message_id", FS_IM | R_CACHE, NULL, fs_msg_get, q_msg_get },
    { HTTP_DELETE, "/open-apis/im/v1/messages/:message_id", R_WRITE | FS_IM, NULL,
      fs_msg_recall },
    { HTTP_PUT, "/open-apis/im/v1/messages/:message_id", R_WRITE | R_JSON | FS_IM, b_msg_edit,
      fs_msg_edit },
    { HTTP_PATCH, "/open-apis/im/v1/messages/:message_id", R_WRITE | R_JSON | FS_IM | FS_MSG_OK,
      b_msg_patch, fs_msg_patch },
    /* Reactions and pins (rules and codes: fs_msg_react.c, fs_pins.c) */
    { HTTP_POST, "/open-apis/im/v1/messages/:message_id/reactions",
      R_WRITE | R_JSON | FS_IM | FS_REACT, fs_reaction_rules, fs_reaction_create },
    { HTTP_GET, "/open-apis/im/v1/messages/:message_id/reactions", FS_IM | FS_REACT | R_CACHE, NULL,
      fs_reaction_list, fs_q_reaction_list },
    { HTTP_DELETE, "/open-apis/im/v1/messages/:message_id/reactions/:reaction_id",
      R_WRITE | FS_IM | FS_REACT, NULL, fs_reaction_delete },
    { HTTP_POST, "/open-apis/im/v1/pins", R_WRITE | R_JSON | FS_IM | FS_PIN, fs_pin_rules,
      fs_pin_create },
    { HTTP_DELETE, "/open-apis/im/v1/pins/:message_id", R_WRITE | FS_IM | FS_PIN, NULL,
      fs_pin_delete },
    { HTTP_GET, "/open-apis/im/v1/pins", FS_IM | FS_PIN, NULL, fs_pin_list, fs_q_pin_list },
    /* Messages: forward, merge-forward, read status, buzz */
    { HTTP_POST, "/open-apis/im/v1/messages/:message_id/forward", R_WRITE | R_JSON | FS_IM,
      b_msg_forward, fs_msg_forward, q_msg_forward },
    { HTTP_POST, "/open-apis/im/v1/messages/merge_forward", R_WRITE | R_JSON | FS_IM, b_msg_merge,
      fs_msg_merge_forward, q_msg_forward },
    { HTTP_GET, "/open-apis/im/v1/messages/:message_id/read_users", FS_IM, NULL,
      fs_msg_read_users, q_msg_read_users },
    { HTTP_PATCH, "/open-apis/im/v1/messages/:message_id/urgent_app", R_WRITE | R_JSON | FS_IM,
      b_msg_urgent, fs_msg_urgent, q_msg_urgent },
    { HTTP_PATCH, "/open-apis/im/v1/messages/:message_id/urgent_sms", R_WRITE | R_JSON | FS_IM,
      b_msg_urgent, fs_msg_urgent, q_msg_urgent },
    { HTTP_PATCH, "/open-apis/im/v1/messages/:message_id/urgent_phone", R_WRITE | R_JSON | FS_IM,
      b_msg_urgent, fs_msg_urgent, q_msg_urgent },
    /* Images and files: upload, download, a message's resource (multipart forms:
     * their rules are fs_upload.c's) */
    { HTTP_POST, "/open-apis/im/v1/images", R_WRITE | R_UPLOAD | FS_UP, NULL, fs_image_upload },
    { HTTP_POST, "/open-apis/im/v1/files", R_WRITE | R_UPLOAD | FS_UP, NULL, fs_file_upload },
    { HTTP_GET, "/open-apis/im/v1/images/:image_key", FS_UP, NULL, fs_image_get },
    { HTTP_GET, "/open-apis/im/v1/files/:file_key", FS_UP, NULL, fs_file_get },
    { HTTP_GET, "/open-apis/im/v1/messages/:message_id/resources/:file_key", FS_UP, NULL,
      fs_msg_resource, q_msg_resource },
    /* Bot info, contact v3 users and departments, authen v1 (scopes and token kinds:
     * fs_scopes.c) */
    { HTTP_GET, "/open-apis/bot/v3/info", FS_BARE | R_CACHE, NULL, fs_bot_info },
    { HTTP_POST, "/open-apis/contact/v3/users/batch_get_id", R_JSON | FS_CONTACT,
      batch_get_id_rules, fs_users_batch_get_id, fs_q_contact_ids },
    { HTTP_GET, "/open-apis/contact/v3/users/batch", FS_CONTACT | R_CACHE, NULL, fs_users_batch,
      fs_q_contact },
    { HTTP_GET, "/open-apis/contact/v3/users/find_by_department", FS_CONTACT | R_CACHE, NULL,
      fs_users_by_department, fs_q_contact },
    { HTTP_GET, "/open-apis/contact/v3/users/:user_id", FS_CONTACT | R_CACHE, NULL, fs_user_get,
      fs_q_contact },
    { HTTP_GET, "/open-apis/contact/v3/departments/:department_id", FS_CONTACT | R_CACHE, NULL,
      fs_department_get, fs_q_contact },
    { HTTP_GET, "/open-apis/contact/v3/departments/:department_id/children", FS_CONTACT | R_CACHE, NULL,
      fs_department_children, fs_q_contact },
    { HTTP_POST, "/open-apis/authen/v1/oidc/access_token", R_WRITE | R_JSON | FS_AUTHEN,
      oidc_rules, fs_oidc_token },
    { HTTP_POST, "/open-apis/authen/v1/oidc/refresh_access_token", R_WRITE | R_JSON | FS_AUTHEN,
      oidc_rules, fs_oidc_refresh },
    { HTTP_GET, "/open-apis/authen/v1/user_info", FS_AUTHEN, NULL, fs_user_info },
};

const struct dialect fs_dialect = {
    .name = "feishu",
    .prefix = "/open-apis/",
    .routes = fs_routes,
    .nroutes = sizeof(fs_routes) / sizeof(fs_routes[0]),
    .trailing_slash_ok = true,
    .rate_class = RATE_FEISHU, /* "Frequency control": per app, per API */
    .rate_per_app = true,
    .rate_per_route = true,
    .empty_body_is_object = true,
    .auth = fs_auth,
    .render = fs_render,
    .render_kept = fs_render_kept,
};
