/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_chat_settings.c - a chat's settings: each one's values, default
 * and where a request may set it, in one table (CHAT_SETTINGS), from which
 * the defaults, the merge and the field rules for create and update come.
 * Values and defaults as Feishu's "Create a group" and "Update group
 * information" pages give them.
 */
#include "svc/svc.h"

#include "json/json.h"

#include <string.h>

static const char *const OWNER_ALL[] = { "only_owner", "all_members", NULL };
static const char *const ALLOWED[] = { "allowed", "not_allowed", NULL };
static const char *const VISIBILITY[] = { "only_owner", "all_members", "not_anyone", NULL };
static const char *const APPROVAL[] = { "no_approval_required", "approval_required", NULL };
static const char *const MSG_TYPE[] = { "chat", "thread", NULL };
const char *const svc_chat_moderation_modes[] = { "all_members", "only_owner", "moderator_list",
                                                  NULL };
#define MODERATION svc_chat_moderation_modes
static const char *const RESTRICT[] = { "all_members", "not_anyone", NULL };

/* X(name, values, default, settable at create (1/0), settable by update);
 * moderation_permission is the speech-permission endpoint's to set. */
#define CHAT_SETTINGS(X)                                                  \
    X(urgent_setting, OWNER_ALL, "all_members", 1, 1)                     \
    X(video_conference_setting, OWNER_ALL, "all_members", 1, 1)           \
    X(add_member_permission, OWNER_ALL, "all_members", 0, 1)              \
    X(share_card_permission, ALLOWED, "allowed", 0, 1)                    \
    X(at_all_permission, OWNER_ALL, "all_members", 0, 1)                  \
    X(edit_permission, OWNER_ALL, "all_members", 1, 1)                    \
    X(group_message_type, MSG_TYPE, "chat", 1, 1)                         \
    X(join_message_visibility, VISIBILITY, "all_members", 1, 1)           \
    X(leave_message_visibility, VISIBILITY, "all_members", 1, 1)          \
    X(membership_approval, APPROVAL, "no_approval_required", 1, 1)        \
    X(moderation_permission, MODERATION, "all_members", 0, 0)             \
    X(hide_member_count_setting, OWNER_ALL, "all_members", 1, 1)          \
    X(pin_manage_setting, OWNER_ALL, "all_members", 1, 1)

struct chat_setting {
    const char *name;
    const char *def;
    unsigned use; /* enum chat_setting_use */
};

#define SETTING_ROW(n, values, d, create, update)                                              \
    { #n, d, (create ? CHAT_SET_CREATE : 0u) | (update ? CHAT_SET_UPDATE : 0u) },
static const struct chat_setting settings[] = { CHAT_SETTINGS(SETTING_ROW) };
#define NSETTINGS (sizeof(settings) / sizeof(settings[0]))

/* restricted_mode_setting: a status and three switches. */
static const char *const RESTRICT_KEYS[] = { "screenshot_has_permission_setting",
                                             "download_has_permission_setting",
                                             "message_has_permission_setting" };
static const struct field_rule restricted_rules[] = {
    { .name = "status", .type = JT_BOOL, .flags = F_NULL_BAD },
    { .name = "screenshot_has_permission_setting", .type = JT_STRING, .flags = F_NULL_BAD,
      .values = RESTRICT },
    { .name = "download_has_permission_setting", .type = JT_STRING, .flags = F_NULL_BAD,
      .values = RESTRICT },
    { .name = "message_has_permission_setting", .type = JT_STRING, .flags = F_NULL_BAD,
      .values = RESTRICT },
    { NULL },
};

/* The field rules of the settings a request may set: one enum each. */
#define IF_1(x) x
#define IF_0(x)
#define SETTING_RULE(n, values_)                                                              \
    { .name = #n, .type = JT_STRING, .flags = F_NULL_BAD, .values = values_ },
#define CREATE_RULE(n, values, d, create, update) IF_##create(SETTING_RULE(n, values))
#define UPDATE_RULE(n, values, d, create, update) IF_##update(SETTING_RULE(n, values))
#define RESTRICTED_RULE                                                                       \
    { .name = "restricted_mode_setting", .type = JT_OBJECT, .flags = F_NULL_BAD,             \
      .fields = restricted_rules }

const struct field_rule svc_chat_create_setting_rules[] = {
    CHAT_SETTINGS(CREATE_RULE) RESTRICTED_RULE,
    { NULL },
};
const struct field_rule svc_chat_update_setting_rules[] = {
    CHAT_SETTINGS(UPDATE_RULE) RESTRICTED_RULE,
    { NULL },
};

json_t *svc_chat_settings_default(void)
{
    json_t *s = json_object();

    for (size_t i = 0; i < NSETTINGS; i++)
        json_object_set_new(s, settings[i].name, json_string(settings[i].def));
    json_object_set_new(s, "restricted_mode_setting",
                        json_pack("{s:b,s:s,s:s,s:s}", "status", 0, RESTRICT_KEYS[0],
                                  "all_members", RESTRICT_KEYS[1], "all_members", RESTRICT_KEYS[2],
                                  "all_members"));
    return s;
}

/* With status on, not all three switches may be all_members; with it off,
 * none may be not_anyone. Judged on the merged setting. */
static enum err restricted_apply(struct svc_ctx *c, const json_t *in, json_t *settings)
{
    json_t *cur = json_object_get(settings, "restricted_mode_setting");
    json_t *st = json_object_get(in, "status");
    bool on, all_open = true, any_closed = false;

    if (st != NULL)
        json_object_set(cur, "status", st);
    for (size_t i = 0; i < 3; i++) {
        json_t *v = json_object_get(in, RESTRICT_KEYS[i]);

        if (v != NULL)
            json_object_set(cur, RESTRICT_KEYS[i], v);
    }
    on = json_is_true(json_object_get(cur, "status"));
    for (size_t i = 0; i < 3; i++) {
        const char *v = json_string_value(json_object_get(cur, RESTRICT_KEYS[i]));

        all_open = all_open && strcmp(v, "all_members") == 0;
        any_closed = any_closed || strcmp(v, "not_anyone") == 0;
    }
    if ((on && all_open) || (!on && any_closed))
        return err_field(c->ei, ERR_BAD_REQUEST, "restricted_mode_setting",
                         "restricted_mode_setting");
    return ERR_OK;
}

enum err svc_chat_settings_apply(struct svc_ctx *c, const json_t *req, unsigned use,
                                 json_t *out)
{
    const json_t *rm = json_object_get(req, "restricted_mode_setting");

    for (size_t i = 0; i < NSETTINGS; i++) {
        json_t *v = json_object_get(req, settings[i].name);

        if (v != NULL && (settings[i].use & use))
            json_object_set(out, settings[i].name, v);
    }
    return rm != NULL ? restricted_apply(c, rm, out) : ERR_OK;
}
