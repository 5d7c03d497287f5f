/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_chat_rules.c - the field rules of the chat routes
 * (fs_routes.c): their query parameters and bodies, as the group pages of
 * Feishu's documentation give them. What spans fields is svc's
 * (svc_chat*.c); the settings' own rules come from svc_chat_settings.c.
 */
#include "dialect/feishu/fs.h"

/* --- query rules (chats) --- */

const struct field_rule fs_q_user_id_type[] = {
    FS_Q_USER_ID_TYPE,
    { NULL },
};
static const char *const SORT_TYPES[] = { "ByCreateTimeAsc", "ByActiveTimeDesc", NULL };
const struct field_rule fs_q_chat_create[] = {
    FS_Q_USER_ID_TYPE,
    /* At most 50 bytes; "" is a bad uuid, not none. */
    { .name = "uuid", .type = JT_STRING, .flags = F_RANGE, .min = 1, .max = 50 },
    { .name = "set_bot_manager", .type = JT_BOOL },
    { NULL },
};
const struct field_rule fs_q_chat_list[] = {
    FS_Q_USER_ID_TYPE,
    { .name = "sort_type", .type = JT_STRING, .flags = F_EMPTY_ABSENT, .values = SORT_TYPES },
    FS_Q_PAGE_SIZE("20"),
    FS_Q_PAGE_TOKEN,
    { NULL },
};
const struct field_rule fs_q_chat_search[] = {
    FS_Q_USER_ID_TYPE,
    { .name = "query", .type = JT_STRING }, /* too long or empty finds nothing */
    FS_Q_PAGE_SIZE("20"),
    FS_Q_PAGE_TOKEN,
    { NULL },
};
const struct field_rule fs_q_moderation_get[] = {
    FS_Q_USER_ID_TYPE,
    FS_Q_PAGE_SIZE("10"),
    FS_Q_PAGE_TOKEN,
    { NULL },
};
/* This endpoint names a bad user_id_type 232015. */
const struct field_rule fs_q_moderation_update[] = {
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

const struct field_rule fs_chat_create_rules[] = {
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
const struct field_rule fs_chat_update_rules[] = {
    CHAT_BASIC_RULES,
    RULES_INCLUDE(svc_chat_update_setting_rules),
    { .name = "chat_type", .type = JT_STRING, .flags = F_NULL_BAD, .values = CHAT_TYPES },
    { .name = "owner_id", .type = JT_STRING, .flags = F_NULL_BAD },
    { NULL },
};
const struct field_rule fs_moderation_rules[] = {
    { .name = "moderation_setting", .type = JT_STRING, .flags = F_NULL_BAD,
      .values = svc_chat_moderation_modes },
    { .name = "moderator_added_list", .type = JT_ARRAY, .flags = F_NULL_BAD, .each = &id_text },
    { .name = "moderator_removed_list", .type = JT_ARRAY, .flags = F_NULL_BAD,
      .each = &id_text },
    { NULL },
};
const struct field_rule fs_link_rules[] = {
    { .name = "validity_period", .type = JT_STRING, .flags = F_NULL_BAD, .values = LINK_PERIODS },
    { NULL },
};
/* The first notice's own rules are fs_chat_admin.c's (only it counts). */
const struct field_rule fs_top_notice_rules[] = {
    { .name = "chat_top_notice", .type = JT_ARRAY, .flags = F_REQUIRED | F_RANGE, .min = 1,
      .max = INT64_MAX },
    { NULL },
};
const struct field_rule fs_announcement_rules[] = {
    { .name = "revision", .type = JT_DIGITS, .flags = F_REQUIRED },
    { .name = "requests", .type = JT_ARRAY, .flags = F_REQUIRED | F_RANGE, .min = 1,
      .max = INT64_MAX },
    { NULL },
};
