/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_routes.c - the Feishu route table.
 * Rows name the Feishu Open Platform page of each endpoint group. Field
 * rules check each request's query and body before its handler runs.
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

/* --- body rules (chats) --- */

/* The limits Feishu recommends for a chat's texts, enforced here; null is
 * a wrong value throughout, not an absent one. */
static const struct field_rule name_text = { .type = JT_STRING, .max_chars = 60 };
static const char AVATAR_CHARS[] =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
#define CHAT_BASIC_RULES                                                                      \
    { .name = "name", .type = JT_STRING, .flags = F_NULL_BAD, .max_chars = 60 },              \
    { .name = "description", .type = JT_STRING, .flags = F_NULL_BAD, .max_chars = 100 },      \
    { .name = "i18n_names", .type = JT_OBJECT, .flags = F_NULL_BAD, .each = &name_text },     \
    /* an image key: 232041 */                                                                \
    { .name = "avatar", .type = JT_STRING, .flags = F_NULL_BAD | F_RANGE, .min = 1,          \
      .max = 128, .chars = AVATAR_CHARS, .subj = SUBJ_AVATAR }
static const struct field_rule id_text = { .type = JT_STRING };
static const char *const CHAT_MODES[] = { "group", "topic", NULL };
static const char *const CHAT_TYPES[] = { "private", "public", NULL };
static const char *const LINK_PERIODS[] = { "week", "year", "permanently", NULL };

static const struct field_rule chat_create_rules[] = {
    { .name = "user_id_list", .type = JT_ARRAY, .flags = F_NULL_BAD | F_RANGE, .min = 0,
      .max = 50, .each = &id_text },
    { .name = "bot_id_list", .type = JT_ARRAY, .flags = F_NULL_BAD | F_RANGE, .min = 0,
      .max = 5, .each = &id_text },
    { .name = "owner_id", .type = JT_STRING, .flags = F_NULL_BAD },
    { .name = "chat_mode", .type = JT_STRING, .flags = F_NULL_BAD, .values = CHAT_MODES },
    { .name = "chat_type", .type = JT_STRING, .flags = F_NULL_BAD, .values = CHAT_TYPES },
    CHAT_BASIC_RULES,
    RULES_INCLUDE(svc_chat_create_setting_rules),
    { NULL },
};
static const struct field_rule chat_update_rules[] = {
    CHAT_BASIC_RULES,
    RULES_INCLUDE(svc_chat_update_setting_rules),
    { .name = "chat_type", .type = JT_STRING, .flags = F_NULL_BAD, .values = CHAT_TYPES },
    { .name = "owner_id", .type = JT_STRING, .flags = F_NULL_BAD },
    { NULL },
};
static const struct field_rule moderation_rules[] = {
    { .name = "moderation_setting", .type = JT_STRING, .flags = F_NULL_BAD,
      .values = svc_chat_moderation_modes },
    { .name = "moderator_added_list", .type = JT_ARRAY, .flags = F_NULL_BAD, .each = &id_text },
    { .name = "moderator_removed_list", .type = JT_ARRAY, .flags = F_NULL_BAD,
      .each = &id_text },
    { NULL },
};
static const struct field_rule link_rules[] = {
    { .name = "validity_period", .type = JT_STRING, .flags = F_NULL_BAD, .values = LINK_PERIODS },
    { NULL },
};
/* The first notice's own rules are fs_chat_admin.c's (only it counts). */
static const struct field_rule top_notice_rules[] = {
    { .name = "chat_top_notice", .type = JT_ARRAY, .flags = F_REQUIRED | F_RANGE, .min = 1,
      .max = INT64_MAX },
    { NULL },
};
static const struct field_rule announcement_rules[] = {
    { .name = "revision", .type = JT_DIGITS, .flags = F_REQUIRED },
    { .name = "requests", .type = JT_ARRAY, .flags = F_REQUIRED | F_RANGE, .min = 1,
      .max = INT64_MAX },
    { NULL },
};

static const struct route fs_routes[] = {
    /* method      path                                                 flags / handler */
    /* Authentication: custom app tokens, user_access_token */
    { HTTP_POST, "/open-apis/auth/v3/tenant_access_token/internal",
      R_PUBLIC | R_WRITE | R_INLINE | R_JSON | FS_FLAT, NULL, fs_tenant_token },
    { HTTP_POST, "/open-apis/auth/v3/app_access_token/internal",
      R_PUBLIC | R_WRITE | R_INLINE | R_JSON | FS_FLAT, NULL, fs_app_token },
    { HTTP_POST, "/open-apis/authen/v2/oauth/token", R_PUBLIC | R_WRITE | R_JSON | FS_OAUTH, NULL,
      fs_oauth_token },
    /* Group management: create, list, search, get, update, dissolve, speech
     * permissions, share link, top notice */
    { HTTP_POST, "/open-apis/im/v1/chats", R_WRITE | R_JSON, chat_create_rules, fs_chat_create,
      q_chat_create },
    { HTTP_GET, "/open-apis/im/v1/chats", 0, NULL, fs_chat_list, q_chat_list },
    { HTTP_GET, "/open-apis/im/v1/chats/search", 0, NULL, fs_chat_search, q_chat_search },
    { HTTP_GET, "/open-apis/im/v1/chats/:chat_id", 0, NULL, fs_chat_get, q_user_id_type },
    { HTTP_PUT, "/open-apis/im/v1/chats/:chat_id", R_WRITE | R_JSON, chat_update_rules,
      fs_chat_update,
      q_user_id_type },
    { HTTP_DELETE, "/open-apis/im/v1/chats/:chat_id", R_WRITE, NULL, fs_chat_disband },
    { HTTP_GET, "/open-apis/im/v1/chats/:chat_id/moderation", 0, NULL, fs_moderation_get,
      q_moderation_get },
    { HTTP_PUT, "/open-apis/im/v1/chats/:chat_id/moderation", R_WRITE | R_JSON,
      moderation_rules, fs_moderation_update, q_moderation_update },
    { HTTP_POST, "/open-apis/im/v1/chats/:chat_id/link", R_WRITE | R_JSON, link_rules,
      fs_chat_link },
    { HTTP_POST, "/open-apis/im/v1/chats/:chat_id/top_notice/put_top_notice", R_WRITE | R_JSON,
      top_notice_rules, fs_top_notice_put },
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
    { HTTP_PATCH, "/open-apis/im/v1/chats/:chat_id/announcement", R_WRITE | R_JSON,
      announcement_rules, fs_announcement_patch },
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
};
