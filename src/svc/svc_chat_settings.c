/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_chat_settings.c - a chat's settings: each one's values, default
 * and where a request may set it, in one table (CHAT_SETTINGS), from which
 * the defaults, the merge and the field rules for create and update come.
 * Values and defaults as Feishu's "Create a group" and "Update group
 * information" pages give them.
 */
#include "svc/svc.h"

#include "core/arena.h"
#include "json/json.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
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

bool svc_chat_settings_named(const json_t *req, unsigned use)
{
    if (json_object_get(req, "restricted_mode_setting") != NULL)
        return true;
    for (size_t i = 0; i < NSETTINGS; i++)
        if ((settings[i].use & use) && json_object_get(req, settings[i].name) != NULL)
            return true;
    return false;
}

/* The defaults' text, written once (as json_dump_arena writes the object)
 * and kept for the life of the process. */
static pthread_once_t default_once = PTHREAD_ONCE_INIT;
static char *default_text;

static void default_text_make(void)
{
    struct arena a, *prev = json_arena_use(NULL);
    json_t *s = svc_chat_settings_default();
    size_t len;

    arena_init(&a, 4096);
    default_text = xstrdup(json_dump_arena(&a, s, &len));
    arena_release(&a);
    json_decref(s);
    json_arena_use(prev);
}

const char *svc_chat_settings_default_text(void)
{
    pthread_once(&default_once, default_text_make);
    return default_text;
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

/* Parsed settings shared by every request of the process, keyed by their
 * text: parsing is a pure function of the text, so an entry is never stale
 * and never needs invalidating. Most chats hold the same few texts (the
 * defaults), and the parse was a quarter of a get chat's CPU. Entries are
 * made once and kept for the life of the process (never changed, never
 * freed, so a request may hold one without a reference); past
 * SHARED_MAX texts, a row's settings are parsed into its request's arena.
 * Lookups take no lock: slots are published with a release store. */
#define SHARED_SLOTS 1024
#define SHARED_MAX (SHARED_SLOTS / 2)
#define SHARED_PROBES 16

struct shared_settings {
    uint64_t hash;
    size_t len;
    char *text;
    json_t *obj;
};

static _Atomic(struct shared_settings *) shared[SHARED_SLOTS];
static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static size_t shared_n;

/* Eight bytes a step (a settings text is 600-odd bytes, hashed on every
 * lookup; a byte a step was a visible share of an update's CPU). */
static uint64_t text_hash(const char *s, size_t n)
{
    const uint64_t k = UINT64_C(0xff51afd7ed558ccd);
    uint64_t h = UINT64_C(0xcbf29ce484222325) ^ n, w;
    size_t i = 0;

    for (; i + 8 <= n; i += 8) {
        memcpy(&w, s + i, 8);
        h = (h ^ w) * k;
        h ^= h >> 32;
    }
    w = 0;
    memcpy(&w, s + i, n - i);
    h = (h ^ w) * k;
    return h ^ (h >> 29);
}

/* The entry for 'text' among the probes from its slot; '*free_slot' gets
 * the first empty one seen (or -1). */
static json_t *shared_find(const char *text, size_t len, uint64_t h, long *free_slot)
{
    *free_slot = -1;
    for (size_t k = 0; k < SHARED_PROBES; k++) {
        size_t i = (size_t)(h + k) & (SHARED_SLOTS - 1);
        struct shared_settings *e = atomic_load_explicit(&shared[i], memory_order_acquire);

        if (e == NULL) {
            *free_slot = (long)i;
            return NULL;
        }
        if (e->hash == h && e->len == len && memcmp(e->text, text, len) == 0)
            return e->obj;
    }
    return NULL;
}

static json_t *shared_settings_of(const char *text)
{
    size_t len = strlen(text);
    uint64_t h = text_hash(text, len);
    long slot;
    json_t *obj = shared_find(text, len, h, &slot);
    struct shared_settings *e;
    struct arena *prev;

    if (obj != NULL)
        return obj;
    pthread_mutex_lock(&shared_lock);
    obj = shared_find(text, len, h, &slot);
    if (obj == NULL && slot >= 0 && shared_n < SHARED_MAX) {
        prev = json_arena_use(NULL); /* the process's, not a request's */
        obj = json_loads(text, 0, NULL);
        json_arena_use(prev);
        if (obj != NULL) {
            e = xmalloc(sizeof(*e));
            *e = (struct shared_settings){ .hash = h, .len = len, .text = xstrdup(text),
                                           .obj = obj };
            atomic_store_explicit(&shared[slot], e, memory_order_release);
            shared_n++;
        }
    }
    pthread_mutex_unlock(&shared_lock);
    return obj;
}

const json_t *svc_chat_settings(struct svc_ctx *c, const struct fs_chat_row *chat)
{
    /* Only the memo of a row changes; rows are never read-only objects. */
    struct fs_chat_row *memo = (struct fs_chat_row *)chat;
    const char *text = chat->settings ? chat->settings : "{}";

    if (memo->settings_json == NULL || memo->settings_of != chat->settings) {
        memo->settings_json = shared_settings_of(text);
        if (memo->settings_json == NULL) {
            struct arena *prev = json_arena_use(c->a);

            memo->settings_json = json_loads(text, 0, NULL);
            json_arena_use(prev);
        }
        memo->settings_of = chat->settings;
    }
    return memo->settings_json;
}
