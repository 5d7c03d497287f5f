/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_routes.c - the Feishu route table.
 * Spec: shared/spec/feishu/conventions.md (§10 tokens), chats.md (§0),
 * members.md and chat-extras.md.
 */
#include "dialect/feishu/fs.h"

/* --- query rules (chats) --- */

static const struct field_rule q_user_id_type[] = {
    FS_Q_USER_ID_TYPE,
    { NULL },
};
static const char *const SORT_TYPES[] = { "ByCreateTimeAsc", "ByActiveTimeDesc", NULL };
static const struct field_rule q_chat_create[] = {
    FS_Q_USER_ID_TYPE,
    /* At most 50 bytes; "" is a bad uuid, not none. */
    { .name = "uuid", .type = JT_STRING, .flags = F_RANGE, .min = 1, .max = 50 },
    { .name = "set_bot_manager", .type = JT_BOOL },
    { NULL },
};
static const struct field_rule q_chat_list[] = {
    FS_Q_USER_ID_TYPE,
    { .name = "sort_type", .type = JT_STRING, .flags = F_EMPTY_ABSENT, .values = SORT_TYPES },
    FS_Q_PAGE_SIZE("20"),
    FS_Q_PAGE_TOKEN,
    { NULL },
};
static const struct field_rule q_chat_search[] = {
    FS_Q_USER_ID_TYPE,
    { .name = "query", .type = JT_STRING }, /* too long or empty finds nothing */
    FS_Q_PAGE_SIZE("20"),
    FS_Q_PAGE_TOKEN,
    { NULL },
};
static const struct field_rule q_moderation_get[] = {
    FS_Q_USER_ID_TYPE,
    FS_Q_PAGE_SIZE("10"),
    FS_Q_PAGE_TOKEN,
    { NULL },
};
/* This endpoint names a bad user_id_type 232015. */
static const struct field_rule q_moderation_update[] = {
    FS_Q_ID_TYPE("user_id_type", fs_user_id_types, SUBJ_ID_TYPE),
    { NULL },
};

/* --- messages (messages.md §4 - §10) --- */

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

static const char *const RESOURCE_TYPES[] = { "image", "file", NULL };
static const struct field_rule q_msg_resource[] = {
    { .name = "type", .type = JT_STRING, .flags = F_REQUIRED, .values = RESOURCE_TYPES,
      .subj = SUBJ_RESOURCE },
    { NULL },
};

static const struct route fs_routes[] = {
    /* method      path                                                 flags / handler */
    /* conventions.md §10.1, §10.2, §10.5 */
    { HTTP_POST, "/open-apis/auth/v3/tenant_access_token/internal",
      R_PUBLIC | R_WRITE | R_INLINE | R_JSON | FS_FLAT, NULL, fs_tenant_token },
    { HTTP_POST, "/open-apis/auth/v3/app_access_token/internal",
      R_PUBLIC | R_WRITE | R_INLINE | R_JSON | FS_FLAT, NULL, fs_app_token },
    { HTTP_POST, "/open-apis/authen/v2/oauth/token", R_PUBLIC | R_WRITE | R_JSON | FS_OAUTH, NULL,
      fs_oauth_token },
    /* chats.md §4 - §12 */
    { HTTP_POST, "/open-apis/im/v1/chats", R_WRITE | R_JSON, NULL, fs_chat_create,
      q_chat_create },
    { HTTP_GET, "/open-apis/im/v1/chats", 0, NULL, fs_chat_list, q_chat_list },
    { HTTP_GET, "/open-apis/im/v1/chats/search", 0, NULL, fs_chat_search, q_chat_search },
    { HTTP_GET, "/open-apis/im/v1/chats/:chat_id", 0, NULL, fs_chat_get, q_user_id_type },
    { HTTP_PUT, "/open-apis/im/v1/chats/:chat_id", R_WRITE | R_JSON, NULL, fs_chat_update,
      q_user_id_type },
    { HTTP_DELETE, "/open-apis/im/v1/chats/:chat_id", R_WRITE, NULL, fs_chat_disband },
    { HTTP_GET, "/open-apis/im/v1/chats/:chat_id/moderation", 0, NULL, fs_moderation_get,
      q_moderation_get },
    { HTTP_PUT, "/open-apis/im/v1/chats/:chat_id/moderation", R_WRITE | R_JSON, NULL,
      fs_moderation_update, q_moderation_update },
    { HTTP_POST, "/open-apis/im/v1/chats/:chat_id/link", R_WRITE | R_JSON, NULL, fs_chat_link },
    { HTTP_POST, "/open-apis/im/v1/chats/:chat_id/top_notice/put_top_notice", R_WRITE | R_JSON,
      NULL, fs_top_notice_put },
    { HTTP_POST, "/open-apis/im/v1/chats/:chat_id/top_notice/delete_top_notice", R_WRITE | R_JSON,
      NULL, fs_top_notice_delete },
    /* members.md §2 - §8 */
    { HTTP_POST, "/open-apis/im/v1/chats/:chat_id/members", R_WRITE | R_JSON, NULL, fs_members_add },
    { HTTP_DELETE, "/open-apis/im/v1/chats/:chat_id/members", R_WRITE | R_JSON, NULL,
      fs_members_remove },
    { HTTP_PATCH, "/open-apis/im/v1/chats/:chat_id/members/me_join", R_WRITE, NULL,
      fs_members_me_join },
    { HTTP_GET, "/open-apis/im/v1/chats/:chat_id/members", 0, NULL, fs_members_list },
    { HTTP_GET, "/open-apis/im/v1/chats/:chat_id/members/is_in_chat", 0, NULL,
      fs_members_is_in_chat },
    { HTTP_POST, "/open-apis/im/v1/chats/:chat_id/managers/add_managers", R_WRITE | R_JSON, NULL,
      fs_managers_add },
    { HTTP_POST, "/open-apis/im/v1/chats/:chat_id/managers/delete_managers", R_WRITE | R_JSON, NULL,
      fs_managers_delete },
    /* chat-extras.md §1 - §3 */
    { HTTP_GET, "/open-apis/im/v1/chats/:chat_id/announcement", R_WRITE, NULL,
      fs_announcement_get, q_user_id_type },
    { HTTP_PATCH, "/open-apis/im/v1/chats/:chat_id/announcement", R_WRITE | R_JSON, NULL,
      fs_announcement_patch },
    { HTTP_POST, "/open-apis/im/v1/chats/:chat_id/chat_tabs", R_WRITE | R_JSON | FS_MSG_OK, NULL,
      fs_tabs_create },
    { HTTP_POST, "/open-apis/im/v1/chats/:chat_id/chat_tabs/update_tabs",
      R_WRITE | R_JSON | FS_MSG_OK, NULL, fs_tabs_update },
    { HTTP_POST, "/open-apis/im/v1/chats/:chat_id/chat_tabs/sort_tabs",
      R_WRITE | R_JSON | FS_MSG_OK, NULL, fs_tabs_sort },
    { HTTP_GET, "/open-apis/im/v1/chats/:chat_id/chat_tabs/list_tabs", R_WRITE | FS_MSG_OK, NULL,
      fs_tabs_list },
    { HTTP_DELETE, "/open-apis/im/v1/chats/:chat_id/chat_tabs/delete_tabs",
      R_WRITE | R_JSON | FS_MSG_OK, NULL, fs_tabs_delete },
    { HTTP_POST, "/open-apis/im/v1/chats/:chat_id/menu_tree", R_WRITE | R_JSON, NULL,
      fs_menu_create },
    { HTTP_GET, "/open-apis/im/v1/chats/:chat_id/menu_tree", 0, NULL, fs_menu_get },
    { HTTP_POST, "/open-apis/im/v1/chats/:chat_id/menu_tree/sort", R_WRITE | R_JSON, NULL,
      fs_menu_sort },
    { HTTP_DELETE, "/open-apis/im/v1/chats/:chat_id/menu_tree", R_WRITE | R_JSON, NULL,
      fs_menu_delete },
    { HTTP_PATCH, "/open-apis/im/v1/chats/:chat_id/menu_items/:menu_item_id", R_WRITE | R_JSON,
      NULL, fs_menu_item_patch },
    /* messages.md §4 - §10 */
    { HTTP_POST, "/open-apis/im/v1/messages", R_WRITE | R_JSON | FS_IM, b_msg_send, fs_msg_send,
      q_msg_send },
    { HTTP_GET, "/open-apis/im/v1/messages", FS_IM, NULL, fs_msg_list, q_msg_list },
    { HTTP_POST, "/open-apis/im/v1/messages/:message_id/reply", R_WRITE | R_JSON | FS_IM,
      b_msg_reply, fs_msg_reply },
    { HTTP_GET, "/open-apis/im/v1/messages/:message_id", FS_IM, NULL, fs_msg_get, q_msg_get },
    { HTTP_DELETE, "/open-apis/im/v1/messages/:message_id", R_WRITE | FS_IM, NULL,
      fs_msg_recall },
    { HTTP_PUT, "/open-apis/im/v1/messages/:message_id", R_WRITE | R_JSON | FS_IM, b_msg_edit,
      fs_msg_edit },
    { HTTP_PATCH, "/open-apis/im/v1/messages/:message_id", R_WRITE | R_JSON | FS_IM | FS_MSG_OK,
      b_msg_patch, fs_msg_patch },
    /* uploads.md §3 - §7 (multipart forms: their rules are fs_upload.c's) */
    { HTTP_POST, "/open-apis/im/v1/images", R_WRITE | R_UPLOAD | FS_UP, NULL, fs_image_upload },
    { HTTP_POST, "/open-apis/im/v1/files", R_WRITE | R_UPLOAD | FS_UP, NULL, fs_file_upload },
    { HTTP_GET, "/open-apis/im/v1/images/:image_key", FS_UP, NULL, fs_image_get },
    { HTTP_GET, "/open-apis/im/v1/files/:file_key", FS_UP, NULL, fs_file_get },
    { HTTP_GET, "/open-apis/im/v1/messages/:message_id/resources/:file_key", FS_UP, NULL,
      fs_msg_resource, q_msg_resource },
};

const struct dialect fs_dialect = {
    .name = "feishu",
    .prefix = "/open-apis/",
    .routes = fs_routes,
    .nroutes = sizeof(fs_routes) / sizeof(fs_routes[0]),
    .trailing_slash_ok = true,
    .rate_class = RATE_FEISHU, /* conventions.md §9: per app, per API */
    .rate_per_app = true,
    .rate_per_route = true,
    .empty_body_is_object = true,
    .auth = fs_auth,
    .render = fs_render,
};
