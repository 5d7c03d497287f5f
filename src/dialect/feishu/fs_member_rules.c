/* SPDX-License-Identifier: MIT */
/*
 * dialect/feishu/fs_member_rules.c - the field rules of the member,
 * manager, tab and menu routes (fs_routes.c's rows name them): what a
 * rule cannot say is checked in the handler or svc, each with its reason.
 */
#include "dialect/feishu/fs.h"

#include <stdint.h>

/* A non-empty string: an id, in a list. */
static const struct field_rule id_item = { .type = JT_STRING, .flags = F_RANGE, .min = 1,
                                           .max = INT64_MAX };
static const struct field_rule any_string = { .type = JT_STRING };

/* member_id_type; app_id names bots where a list may hold them. */
#define Q_MEMBER_ID_TYPE FS_Q_ID_TYPE("member_id_type", fs_member_id_types, SUBJ_NONE)
const struct field_rule fs_q_members_add[] = {
    Q_MEMBER_ID_TYPE,
    { .name = "succeed_type", .type = JT_INT, .flags = F_EMPTY_ABSENT | F_RANGE, .min = 0,
      .max = 2, .def = "0" },
    { NULL },
};
const struct field_rule fs_q_member_id_type[] = {
    Q_MEMBER_ID_TYPE,
    { NULL },
};
const struct field_rule fs_q_members_list[] = {
    FS_Q_ID_TYPE("member_id_type", fs_user_id_types, SUBJ_NONE),
    FS_Q_PAGE_SIZE("20"),
    FS_Q_PAGE_TOKEN,
    { NULL },
};
/* Absent or empty, the list is 232027 (svc_chat_members_add); its size
 * limit depends on member_id_type (50 users, 5 bots). manager_ids has no
 * rule: the platform answers 232027 for one that is no array. */
const struct field_rule fs_id_list_rules[] = {
    { .name = "id_list", .type = JT_ARRAY, .flags = F_NULL_BAD, .each = &id_item },
    { NULL },
};

/* A tab's fields; its name's length is fs_tabs.c's (another code), and
 * its content's link depends on its type. tab_content is 232048 when it is
 * no object. */
static const struct field_rule tab_config_rules[] = {
    { .name = "icon_key", .type = JT_STRING, .flags = F_NULL_BAD },
    { .name = "is_built_in", .type = JT_BOOL, .flags = F_NULL_BAD },
    { NULL },
};
#define TAB_FIELDS                                                                            \
    { .name = "tab_name", .type = JT_STRING, .flags = F_NULL_BAD },                          \
    { .name = "tab_content", .type = JT_OBJECT, .flags = F_NULL_BAD, .subj = SUBJ_TAB },      \
    { .name = "tab_config", .type = JT_OBJECT, .flags = F_NULL_BAD, .fields = tab_config_rules }
static const char *const CUSTOM_TABS[] = { "doc", "url", NULL };
static const struct field_rule tab_new_rules[] = {
    { .name = "tab_type", .type = JT_STRING, .flags = F_REQUIRED, .values = CUSTOM_TABS },
    TAB_FIELDS,
    { NULL },
};
/* An update's type is compared with the stored tab's (a built-in tab is
 * 232049 whatever it is called). */
static const struct field_rule tab_change_rules[] = {
    { .name = "tab_id", .type = JT_STRING, .flags = F_REQUIRED },
    { .name = "tab_type", .type = JT_STRING, .flags = F_REQUIRED },
    TAB_FIELDS,
    { NULL },
};
static const struct field_rule tab_new = { .type = JT_OBJECT, .fields = tab_new_rules };
static const struct field_rule tab_change = { .type = JT_OBJECT, .fields = tab_change_rules };
const struct field_rule fs_tabs_create_rules[] = {
    { .name = "chat_tabs", .type = JT_ARRAY, .flags = F_REQUIRED | F_RANGE, .min = 1,
      .max = INT64_MAX, .each = &tab_new },
    { NULL },
};
const struct field_rule fs_tabs_update_rules[] = {
    { .name = "chat_tabs", .type = JT_ARRAY, .flags = F_REQUIRED | F_RANGE, .min = 1,
      .max = INT64_MAX, .each = &tab_change },
    { NULL },
};
/* Sort names every tab (svc checks which); delete at least one. */
const struct field_rule fs_tabs_sort_rules[] = {
    { .name = "tab_ids", .type = JT_ARRAY, .flags = F_REQUIRED, .each = &any_string },
    { NULL },
};
const struct field_rule fs_tabs_delete_rules[] = {
    { .name = "tab_ids", .type = JT_ARRAY, .flags = F_REQUIRED | F_RANGE, .min = 1,
      .max = INT64_MAX, .each = &any_string },
    { NULL },
};

/* A menu item's content is checked by fs_menus.c (a patch checks the item
 * it makes the same way); here the tree's shape. */
static const struct field_rule menu_item_rules[] = {
    { .name = "action_type", .type = JT_STRING, .flags = F_REQUIRED },
    { NULL },
};
static const struct field_rule menu_item_in[] = {
    { .name = "chat_menu_item", .type = JT_OBJECT, .flags = F_REQUIRED, .fields = menu_item_rules },
    { NULL },
};
static const struct field_rule menu_child = { .type = JT_OBJECT, .fields = menu_item_in };
static const struct field_rule menu_top_rules[] = {
    { .name = "children", .type = JT_ARRAY, .flags = F_NULL_BAD, .each = &menu_child },
    { .name = "chat_menu_item", .type = JT_OBJECT, .flags = F_REQUIRED, .fields = menu_item_rules },
    { NULL },
};
static const struct field_rule menu_top = { .type = JT_OBJECT, .fields = menu_top_rules };
static const struct field_rule menu_tree_rules[] = {
    { .name = "chat_menu_top_levels", .type = JT_ARRAY, .flags = F_REQUIRED | F_RANGE, .min = 1,
      .max = INT64_MAX, .each = &menu_top },
    { NULL },
};
const struct field_rule fs_menu_create_rules[] = {
    { .name = "menu_tree", .type = JT_OBJECT, .flags = F_REQUIRED, .fields = menu_tree_rules },
    { NULL },
};
/* Sort: ids that are not the top levels, strings or not, are 232072. */
const struct field_rule fs_menu_sort_rules[] = {
    { .name = "chat_menu_top_level_ids", .type = JT_ARRAY, .flags = F_REQUIRED },
    { NULL },
};
const struct field_rule fs_menu_delete_rules[] = {
    { .name = "chat_menu_top_level_ids", .type = JT_ARRAY, .flags = F_REQUIRED | F_RANGE,
      .min = 1, .max = INT64_MAX, .each = &any_string },
    { NULL },
};
static const char *const MENU_FIELDS[] = { "ICON", "NAME", "I18N_NAME", "REDIRECT_LINK", NULL };
static const struct field_rule menu_field = { .type = JT_STRING, .values = MENU_FIELDS };
const struct field_rule fs_menu_patch_rules[] = {
    { .name = "update_fields", .type = JT_ARRAY, .flags = F_REQUIRED | F_RANGE, .min = 1,
      .max = INT64_MAX, .each = &menu_field },
    { .name = "chat_menu_item", .type = JT_OBJECT, .flags = F_REQUIRED },
    { NULL },
};
