/* SPDX-License-Identifier: MIT */
/*
 * svc/svc.h - business operations shared by every dialect: tenants and their
 * identities, access tokens, knowledge-base categories.
 *
 * svc never sees HTTP or a dialect's JSON shapes (the seed document is
 * qunzu's own format). Each call runs inside the caller's transaction on
 * ctx->st; on failure it returns the error with detail in ctx->ei and the
 * caller rolls back. Strings it returns live in ctx->a.
 */
#ifndef QZ_SVC_H
#define QZ_SVC_H

#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "json/json.h"
#include "store/store.h"

struct chat_event_format;

struct svc_ctx {
    struct store *st;
    struct arena *a;
    struct err_info *ei;
    int64_t now;    /* the server clock, unix seconds */
    int64_t now_ms; /* the same reading in milliseconds; 0: none taken */
    int64_t tenant; /* set by authentication; 0 until then */
    struct token_cache *tokens; /* token checks already made; NULL: none */
    /* How the chat events svc writes are spelled (the dialect that owns
     * them); NULL: chat changes write no events. */
    const struct chat_event_format *events;
};

/* --- tenants (svc_tenant.c) --- */

/* Upserts every tenant in a seed document (docs/seed.md): tenants match by
 * name, people by user_id, apps by app_id. Idempotent. On success '*out' is
 * caller-owned JSON {"tenants": [described tenant...]}. A malformed document
 * is ERR_BAD_REQUEST naming the field; an identity owned by another tenant
 * is ERR_CONFLICT. */
enum err svc_seed_apply(struct svc_ctx *c, json_t *doc, json_t **out);
/* svc_seed_apply in transactions of its own, called with none open: a new
 * or changed Feishu event callback is challenged (url_verification, up to a
 * second each) with no transaction open, between a read transaction that
 * finds those callbacks and the write transaction that applies the
 * document with the results. No write waits on a callback. */
enum err svc_seed_run(struct svc_ctx *c, json_t *doc, json_t **out);

/* Every resolved identifier of one tenant, as caller-owned JSON. */
enum err svc_tenant_describe(struct svc_ctx *c, int64_t tenant, json_t **out);
enum err svc_tenant_find(struct svc_ctx *c, const char *name, int64_t *tenant);

/* The control room (svc_tenant_admin.c). A page of tenants after
 * position 'after', each with its dialect identities and how many rows of
 * each table it owns: caller-owned {"items": [...], "next"?}. Delete
 * removes every row of the tenant; reset only what its seed did not
 * declare (people, apps, corps, companies and subscriptions stay, with
 * their ids; a WeCom corp gets its default group again). Both run in a
 * write transaction of their own (called with none open) and then empty
 * this node's token cache. ERR_NOT_FOUND: no such tenant. */
enum err svc_tenant_list(struct svc_ctx *c, int64_t after, int64_t limit, json_t **out);
enum err svc_tenant_delete(struct svc_ctx *c, const char *name);
enum err svc_tenant_reset(struct svc_ctx *c, const char *name);

/* Snapshots of the whole state (svc_snapshot.c), in cfg's snapshot
 * directory. save and restore run their own transactions (called with none
 * open); restore empties this node's token cache. Names are 1 to 64 of
 * [A-Za-z0-9_.-] (ERR_BAD_REQUEST otherwise); a taken name is ERR_CONFLICT;
 * past snapshot_max ERR_LIMIT; an unknown one ERR_NOT_FOUND. '*out' is
 * caller-owned JSON. */
struct config;
enum err svc_snapshot_list(struct svc_ctx *c, const struct config *cfg, json_t **out);
enum err svc_snapshot_save(struct svc_ctx *c, const struct config *cfg, const char *name,
                           json_t **out);
enum err svc_snapshot_restore(struct svc_ctx *c, const struct config *cfg, const char *name);
enum err svc_snapshot_delete(struct svc_ctx *c, const struct config *cfg, const char *name);

/* Creates the demo tenant (fresh random credentials) unless one exists.
 * '*created' tells which happened; '*tenant' is its id either way. */
enum err svc_demo_ensure(struct svc_ctx *c, bool *created, int64_t *tenant);

/* Resolves a WeCom (corpid, secret) pair to its tenant and the secret's
 * row (the token principal). ERR_UNAUTHENTICATED with SUBJ_TENANT (unknown
 * corpid), SUBJ_SECRET (unknown secret) or SUBJ_SECRET_OTHER (the secret of
 * another corp). */
enum err svc_wc_credential(struct svc_ctx *c, const char *corpid, const char *secret,
                           int64_t *tenant, int64_t *principal);

/* Resolves a Udesk company from the Host's subdomain (NULL: none) and the
 * admin e-mail. ERR_NOT_FOUND with SUBJ_SUBDOMAIN: the subdomain is unknown,
 * or no subdomain was given and several companies have this admin;
 * ERR_UNAUTHENTICATED with SUBJ_TENANT: the e-mail is not the admin's. */
enum err svc_ud_company(struct svc_ctx *c, const char *subdomain, const char *email,
                        struct udesk_row *out);

/* The person row id of Udesk agent 'agent' in c->tenant; agent 0 is the
 * administrator (*person 0). ERR_NOT_FOUND with SUBJ_AGENT if no such agent. */
enum err svc_ud_agent(struct svc_ctx *c, int64_t agent, int64_t *person);

/* --- Feishu identity (svc_fs.c) --- */

/* Resolves app credentials: ERR_UNAUTHENTICATED with SUBJ_TENANT (unknown
 * app_id) or SUBJ_SECRET (wrong secret). */
enum err svc_fs_app_login(struct svc_ctx *c, const char *app_id, const char *secret,
                          struct fs_app_row *app);

/* App 'app_id' and the person 'user_id' of its tenant: ERR_NOT_FOUND
 * naming the field ("app_id", "user_id") that finds nothing. */
enum err svc_fs_app_user(struct svc_ctx *c, const char *app_id, const char *user_id,
                         struct fs_app_row *app, struct person_row *p);

/* Mints a one-time authorization code for (app, user_id): the emulator's
 * stand-in for a browser login. Valid 5 minutes. 'scope' (space-separated,
 * NULL: all the app holds) is what the person grants; each must be one the
 * app holds (ERR_BAD_REQUEST naming "scope"). */
enum err svc_fs_code_mint(struct svc_ctx *c, const char *app_id, const char *user_id,
                          const char *scope, char **code);
/* Exchanges a code for a user token pair (the code is used up); another
 * app's code or refresh token is ERR_FORBIDDEN (SUBJ_CODE, SUBJ_REFRESH). 'narrow'
 * (space-separated, NULL or "": all) narrows the grant: a scope named twice
 * is ERR_CONFLICT, one not granted ERR_FORBIDDEN, both SUBJ_SCOPE.
 * '*scope' is the pair's grant ("" for all the app holds). */
enum err svc_fs_code_exchange(struct svc_ctx *c, const struct fs_app_row *app, const char *code,
                              const char *narrow, struct token_row *access,
                              struct token_row *refresh, const char **scope);
/* Exchanges a refresh token (used up) for a new pair with its grant. */
enum err svc_fs_refresh(struct svc_ctx *c, const struct fs_app_row *app, const char *refresh,
                        const char *narrow, struct token_row *access, struct token_row *next,
                        const char **scope);

/* Resolves a person named by id type 'type' (open_id as 'app' sees it,
 * union_id or user_id) in c->tenant. ERR_NOT_FOUND if there is none. */
enum err svc_fs_person_find(struct svc_ctx *c, int64_t app, const char *type, const char *id,
                            struct person_row *p);
/* The id of 'who' as 'app' sees it: a person in 'type', a bot as its
 * app_id. ERR_NOT_FOUND when it has none. */
enum err svc_fs_actor_id(struct svc_ctx *c, int64_t app, const char *type,
                         const struct actor *who, const char **id);
/* A person's three ids as 'app' sees them; each NULL when it has none. */
enum err svc_fs_person_ids(struct svc_ctx *c, int64_t app, int64_t person,
                           const char **union_id, const char **user_id, const char **open_id);
/* The tenant's tenant_key ("" when it has none). */
enum err svc_fs_tenant_key(struct svc_ctx *c, int64_t tenant, const char **key);
enum err svc_fs_app_get(struct svc_ctx *c, int64_t app, struct fs_app_row *out);

/* ==== chats (svc_chat*.c) ==== */
/* svc_chat.c: a chat as its operator sees it, membership, events. */

/* A chat as one operator sees it: the row and the operator's roles. */
struct chat_view {
    struct fs_chat_row chat;
    struct fs_member_row me; /* valid when 'member' */
    bool member;
    bool owner;
    bool manager;
    bool creator_bot; /* the operator is the bot of the app that created it */
};

/* Loads chat 'chat_id' for operator 'op' (of 'tenant'): ERR_NOT_FOUND
 * (SUBJ_CHAT), ERR_FORBIDDEN (SUBJ_TENANT: another tenant's chat), ERR_GONE
 * (disbanded), and with 'need_member' ERR_FORBIDDEN (SUBJ_MEMBERSHIP). */
enum err svc_chat_open(struct svc_ctx *c, const char *chat_id, const struct actor *op,
                       bool need_member, struct chat_view *v);

/* svc_chat_open for a change: first takes the tenant's writer lock, so the
 * checks made on what it loads still hold at commit. */
enum err svc_chat_open_write(struct svc_ctx *c, const char *chat_id, const struct actor *op,
                             bool need_member, struct chat_view *v);

/* Adds an actor to a chat unless it is already a member. */
enum err svc_chat_member_add(struct svc_ctx *c, int64_t chat, const struct actor *who,
                             bool manager);

/* Writes one outbox event per app whose bot is in the chat, in the caller's
 * transaction. 'body_for' builds the schema 2.0 body for one receiving app
 * (ids differ per app) and returns a caller-owned JSON object. */
enum err svc_chat_emit(struct svc_ctx *c, int64_t chat, const char *event_type,
                       json_t *(*body_for)(void *arg, int64_t app, const char *event_id),
                       void *arg);

/* Writes one outbox event for 'app' alone (a bot told it was added). */
enum err svc_event_to_app(struct svc_ctx *c, int64_t app, const char *event_type,
                          json_t *(*body_for)(void *arg, int64_t app, const char *event_id),
                          void *arg);

/* Owner, manager or creator bot: the roles that may change everything. */
bool svc_chat_privileged(const struct chat_view *v);
/* One setting of a chat ("" if unset), in c->a. */
const char *svc_chat_setting(struct svc_ctx *c, const struct fs_chat_row *chat, const char *key);

/* Who acts on chats, and how the request names people: the operator, the
 * app whose open_ids it uses and the id type of its ids. */
struct chat_caller {
    struct actor op;
    int64_t app;
    const char *id_type; /* open_id, union_id or user_id */
};

/* svc_chat_settings.c: the chat settings (the model's own JSON object,
 * kept as text in the chat row). Where a request may set each one: */
enum chat_setting_use { CHAT_SET_CREATE = 1 << 0, CHAT_SET_UPDATE = 1 << 1 };
/* Every setting at its default, as a new JSON object. */
json_t *svc_chat_settings_default(void);
/* The field rules of the settings a create or an update may name (an enum
 * each, restricted_mode_setting's members): for the route rows. */
extern const struct field_rule svc_chat_create_setting_rules[];
extern const struct field_rule svc_chat_update_setting_rules[];
/* moderation_permission's values: the speech-permission endpoint sets it. */
extern const char *const svc_chat_moderation_modes[];
/* Merges the settings 'req' names (other members ignored) that 'use' may
 * set into 'settings'. Their values' types and enums are the caller's
 * field rules; this checks what spans fields: restricted_mode_setting's
 * status against its three switches. ERR_BAD_REQUEST naming the field. */
enum err svc_chat_settings_apply(struct svc_ctx *c, const json_t *req, unsigned use,
                                 json_t *settings);

/* svc_chat_create.c */
struct chat_new {
    const char *name, *description, *avatar; /* "" when not given */
    const char *i18n_names;                  /* JSON object text */
    const char *chat_mode, *chat_type;       /* group or topic; private or public */
    const json_t *settings;    /* the requested settings (svc_chat_settings_apply) */
    const char *owner_id;      /* in the caller's id type; NULL: the operator */
    const char *const *user_ids; /* in the caller's id type */
    size_t n_users;
    const char *const *bot_ids;  /* app_ids */
    size_t n_bots;
    const char *uuid;          /* NULL: none; the same uuid within 10 hours is one chat */
    bool set_bot_manager;      /* the creating bot becomes a manager (user-owned chats) */
};
/* Creates a chat with its members; with a uuid already used (by the same
 * owner_id) answers that chat instead. Unknown people are ERR_NOT_FOUND
 * SUBJ_USER naming them, a bot not of the tenant SUBJ_BOT; a public chat
 * needs a name of two characters (SUBJ_NAME). */
enum err svc_chat_create(struct svc_ctx *c, const struct chat_caller *by, const struct chat_new *in,
                         struct fs_chat_row *out);

/* svc_chat_read.c */
/* What a chat's full view shows beyond its row. */
struct chat_detail {
    int64_t users, bots; /* member counts */
    struct fs_member_row *managers;
    size_t n_managers;
};
enum err svc_chat_detail(struct svc_ctx *c, const struct fs_chat_row *chat, struct chat_detail *d);
/* One page of the operator's chats, in id order or (by_active) by last
 * activity, newest first; keys[] is the keyset position: (active_at, id),
 * { INT64_MAX, INT64_MAX } or { _, 0 } at the start. */
enum err svc_chat_list(struct svc_ctx *c, const struct actor *op, bool by_active,
                       const int64_t keys[2], int64_t limit, struct fs_chat_row **rows, size_t *n,
                       bool *more);
/* One page of the chats 'op' may see (its own and the tenant's public ones)
 * whose names or members' names contain 'query' (ASCII case-insensitive),
 * in id order after 'after'. An empty query, or one over 64 characters,
 * finds nothing. */
enum err svc_chat_search(struct svc_ctx *c, const struct actor *op, const char *query,
                         int64_t after, int64_t limit, struct fs_chat_row **rows, size_t *n,
                         bool *more);
/* The chat's moderation mode and, in moderator_list mode, one page of its
 * speakers (person ids after 'after'). Members only. */
enum err svc_chat_moderators(struct svc_ctx *c, const struct actor *op, const char *chat_id,
                             int64_t after, int64_t limit, const char **mode, int64_t **people,
                             size_t *n, bool *more);

/* svc_chat_edit.c: changes; each answers the chat before and after it so
 * the caller can report the change. */
struct chat_change {
    const char *name, *description, *avatar, *i18n_names; /* NULL: unchanged */
    const char *chat_type;  /* NULL: unchanged */
    const char *owner_id;   /* in the caller's id type; NULL: unchanged */
    const json_t *settings; /* the requested settings (svc_chat_settings_apply) */
    bool only_basic;        /* names nothing but name, description, avatar, i18n_names */
};
/* The update permission matrix: owner, managers and the creator bot change
 * anything; other members the basic fields, while edit_permission is
 * all_members (SUBJ_EDIT, SUBJ_SETTINGS); only the owner or creator bot
 * hands ownership to a member (SUBJ_OWNER_ONLY, SUBJ_OWNER). Group chats
 * only (SUBJ_CHAT_MODE); public names are unique in the tenant. */
enum err svc_chat_update(struct svc_ctx *c, const struct chat_caller *by, const char *chat_id,
                         const struct chat_change *in, struct fs_chat_row *before,
                         struct fs_chat_row *after);
/* Owner or creator bot; group chats only. */
enum err svc_chat_disband(struct svc_ctx *c, const struct actor *op, const char *chat_id,
                          struct fs_chat_row *before);
/* Sets the moderation mode (NULL: unchanged) and the speaker flag of the
 * listed people (ids in the caller's type; unknown people and non-members
 * skipped). Owner or creator bot. 'added'/'removed' get the person ids
 * whose flag changed (caller-owned JSON arrays of integers). */
enum err svc_chat_moderation(struct svc_ctx *c, const struct chat_caller *by, const char *chat_id,
                             const char *mode, const json_t *add_ids, const json_t *remove_ids,
                             struct fs_chat_row *before, struct fs_chat_row *after, json_t **added,
                             json_t **removed);
/* A share link valid 'lifetime' seconds (0: permanently). Not for p2p
 * chats (SUBJ_P2P); restricted sharing leaves it to the privileged
 * (SUBJ_SHARE). '*expire' is 0 when permanent. */
enum err svc_chat_link(struct svc_ctx *c, const struct actor *op, const char *chat_id,
                       int64_t lifetime, const char **token, int64_t *expire);
/* Pins 'notice' (JSON object text; "" unpins), as pin_manage_setting
 * allows (SUBJ_PIN). */
enum err svc_chat_top_notice(struct svc_ctx *c, const struct actor *op, const char *chat_id,
                             const char *notice);

/* svc_chat_announce.c: the announcement, a legacy doc (svc_chat_doc.c)
 * with a revision. Read creates it empty, owned by the chat's owner. */
enum err svc_chat_announcement(struct svc_ctx *c, const struct actor *op, const char *chat_id,
                               struct fs_announcement_row *an);
/* Applies 'requests' (document requests as JSON text strings, at most 10)
 * to the revision 'base', which may lag the current one by 100 at most;
 * edit_permission decides who edits (SUBJ_EDIT). A request that does not
 * apply, or a base out of range, is ERR_BAD_REQUEST SUBJ_ANNOUNCEMENT. */
enum err svc_chat_announcement_patch(struct svc_ctx *c, const struct actor *op, const char *chat_id,
                                     int64_t base, const json_t *requests);
/* The legacy doc model: an empty document (caller-owned), and one request
 * applied to it (ERR_BAD_REQUEST if malformed, unsupported or unfit). */
json_t *svc_doc_new(void);
enum err svc_doc_apply(json_t *doc, json_t *req);

/* --- chat members, managers, tabs, menus, simulated actions (svc_chat_*.c) --- */

/* What happened to a chat's membership, for the events svc writes. */
enum chat_event_kind {
    CHAT_EV_USERS_ADDED,     /* to every bot in the chat */
    CHAT_EV_USERS_DELETED,   /* to every bot in the chat */
    CHAT_EV_USERS_WITHDRAWN, /* an invitation taken back; to every bot */
    CHAT_EV_BOT_ADDED,       /* to that bot alone */
    CHAT_EV_BOT_DELETED,     /* to that bot alone */
    CHAT_EV_P2P_CREATED,     /* a person's p2p chat with the app's bot; to that app */
    CHAT_EV_P2P_ENTERED,     /* the person opened it; to that app */
    CHAT_EV__COUNT
};

struct chat_event {
    enum chat_event_kind kind;
    const struct fs_chat_row *chat;
    struct actor op;          /* who acted */
    const struct actor *who;  /* the users, or the one bot, concerned */
    size_t n;
    /* User events: the people among 'who' (svc_chat_event reads them). */
    const struct person_row *people;
    size_t npeople;
    const struct fs_app_row *app;       /* p2p events: the app */
    const struct person_row *person;    /* p2p events: the person */
};

/* A dialect's spelling of chat events: the event type of each kind, and
 * the body one receiving app gets (caller-owned JSON). */
struct chat_event_format {
    const char *type[CHAT_EV__COUNT];
    json_t *(*body)(struct svc_ctx *c, const struct chat_event *ev, int64_t app,
                    const char *event_id);
};

/* Writes the events of 'ev' (none when c->events is NULL). */
enum err svc_chat_event(struct svc_ctx *c, const struct chat_event *ev);

/* A random id of 19 decimal digits, the first a 7 (tabs, menu items). */
const char *svc_chat_item_id(struct svc_ctx *c);

/* Ids as a request named them: the id type ("open_id", "union_id",
 * "user_id", or "app_id" for bots) and the request field they came from
 * (named in errors). A NULL id stands for an item that is no string:
 * ERR_BAD_REQUEST naming the field. */
struct chat_ids {
    const char *type;
    const char *field;
    const char *const *ids;
    size_t n;
};

/* The person or bot an id of 'type' names in c->tenant, as app 'app' sees
 * it (open_ids differ per app). ERR_NOT_FOUND (no detail) when none. */
enum err svc_chat_actor_find(struct svc_ctx *c, int64_t app, const char *type, const char *id,
                             struct actor *who);

/* How an add treats ids that name nobody: fail naming all of them, skip
 * them, or fail naming the first. */
enum chat_unknown { CHAT_UNKNOWN_FAIL = 0, CHAT_UNKNOWN_SKIP = 1, CHAT_UNKNOWN_FAIL_FIRST = 2 };

/* What an add or remove did with each named id (lists of ids as named). */
struct chat_member_result {
    const char **not_existed; /* add: ids that name nobody */
    size_t n_not_existed;
    const char **pending;     /* add: people waiting for approval */
    size_t npending;
    const char **invalid;     /* remove: ids that name nobody or no member */
    size_t ninvalid;
};

/* 'op' adds people and bots to a group chat: at most 50 users or 5 bots
 * per call, within the chat's user cap (the tenant's own, else 5000) and
 * 15 bots; with join approval on, people a plain member adds wait. */
enum err svc_chat_members_add(struct svc_ctx *c, const char *chat_id, const struct actor *op,
                              int64_t app, const struct chat_ids *ids, enum chat_unknown unknown,
                              struct chat_member_result *res);
/* 'op' removes members: the owner never; others only by a privileged
 * operator; anyone may remove itself. */
enum err svc_chat_members_remove(struct svc_ctx *c, const char *chat_id, const struct actor *op,
                                 int64_t app, const struct chat_ids *ids,
                                 struct chat_member_result *res);
/* 'op' joins a public chat (a no-op when it is in already). */
enum err svc_chat_join(struct svc_ctx *c, const char *chat_id, const struct actor *op);
/* One page of a chat's people in join order after sequence 'after', and
 * the chat's user count. */
enum err svc_chat_members_page(struct svc_ctx *c, const char *chat_id, const struct actor *op,
                               int64_t app, int64_t after, int64_t limit,
                               struct fs_member_person **rows, size_t *n, bool *more,
                               int64_t *total);
/* The owner promotes ('promote') or demotes members; '*all' is the chat's
 * managers after the change. At most 10 managers, 20 in a chat of more
 * than 5000 people. */
enum err svc_chat_managers_change(struct svc_ctx *c, const char *chat_id, const struct actor *op,
                                  int64_t app, const struct chat_ids *ids, bool promote,
                                  struct fs_member_row **all, size_t *n);

/* Chat tabs (svc_chat_tabs.c): the built-in message tab first, then up to
 * 20 custom tabs ("doc", "url"). Reads show the message tab even before a
 * write stores it. Every call answers the chat's tabs in order. */
struct chat_tabs {
    struct chat_view v;
    struct fs_tab_row *tabs;
    size_t n;
};
enum err svc_chat_tabs_list(struct svc_ctx *c, const char *chat_id, const struct actor *op,
                            struct chat_tabs *out);
/* Appends tabs (type, name, content and config set; ids are made here). */
enum err svc_chat_tabs_add(struct svc_ctx *c, const char *chat_id, const struct actor *op,
                           struct fs_tab_row *add, size_t n, struct chat_tabs *out);
/* Changes tabs by tab_id: name, content and config where not NULL; the
 * type must stay. */
enum err svc_chat_tabs_update(struct svc_ctx *c, const char *chat_id, const struct actor *op,
                              const struct fs_tab_row *change, size_t n, struct chat_tabs *out);
/* Puts the tabs in the order of 'ids': every tab once, the message tab first. */
enum err svc_chat_tabs_sort(struct svc_ctx *c, const char *chat_id, const struct actor *op,
                            const char *const *ids, size_t n, struct chat_tabs *out);
enum err svc_chat_tabs_delete(struct svc_ctx *c, const char *chat_id, const struct actor *op,
                              const char *const *ids, size_t n, struct chat_tabs *out);

/* Chat menus (svc_chat_menus.c): up to 3 top-level menus of up to 5
 * children each, managed by bots in group chats. Items are opaque text. */
struct chat_menus {
    struct chat_view v;
    struct fs_menu_row *rows; /* tops and children, in position order */
    size_t n;
};
struct chat_menu_new {
    const char *item;
    const char *const *children;
    size_t nchildren;
};
/* Opens the chat's menus; 'write' first takes the tenant's writer lock. */
enum err svc_chat_menus_open(struct svc_ctx *c, const char *chat_id, const struct actor *op,
                             bool write, struct chat_menus *out);
enum err svc_chat_menus_add(struct svc_ctx *c, const char *chat_id, const struct actor *op,
                            const struct chat_menu_new *tops, size_t n, struct chat_menus *out);
/* The ids must be exactly the top levels. */
enum err svc_chat_menus_sort(struct svc_ctx *c, const char *chat_id, const struct actor *op,
                             const char *const *ids, size_t n, struct chat_menus *out);
/* Deletes top levels with their children. */
enum err svc_chat_menus_delete(struct svc_ctx *c, const char *chat_id, const struct actor *op,
                               const char *const *ids, size_t n, struct chat_menus *out);
/* The item 'item_id' of menus opened for writing, and whether it has
 * children; NULL when there is none. */
struct fs_menu_row *svc_chat_menu_find(struct chat_menus *m, const char *item_id,
                                       bool *has_children);
/* Stores a changed item of menus opened for writing. */
enum err svc_chat_menu_item_set(struct svc_ctx *c, const struct fs_menu_row *item);

/* What the emulator does on a person's behalf (svc_chat_sim.c). Each
 * switches c->tenant to the tenant acted in. 'result' is "joined",
 * "already_member", "pending_approval", "left" or "withdrawn". */
/* The person opens the p2p chat with the app's bot, created the first time. */
enum err svc_chat_p2p_enter(struct svc_ctx *c, const char *app_id, const char *user_id,
                            const char **chat_id, bool *created);
/* Joins by a share link (waits when the chat needs approval). */
enum err svc_chat_join_by_link(struct svc_ctx *c, const char *link_token, const char *user_id,
                               const char **chat_id, const char **result);
/* Leaves (the owner cannot). */
enum err svc_chat_leave(struct svc_ctx *c, const char *chat_id, const char *user_id,
                        const char **result);
/* A member invites a person (waits when approval is on and the inviter is
 * not privileged). */
enum err svc_chat_invite(struct svc_ctx *c, const char *chat_id, const char *inviter_id,
                         const char *user_id, const char **result);
/* The inviter takes a pending invitation back. */
enum err svc_chat_withdraw(struct svc_ctx *c, const char *chat_id, const char *user_id,
                           const char **result);
/* ==== end of chats ==== */
/* --- Feishu messages (svc_msg.c, svc_msg_content.c, svc_msg_ops.c) --- */

/* Who a message mentions, resolved when it is sent; 'key' is what the
 * read-side content says in its place ("@_user_1", "@_all"). */
enum msg_mention_kind { MENTION_USER = 1, MENTION_BOT = 2, MENTION_ALL = 3 };
struct msg_mention {
    enum msg_mention_kind kind;
    int64_t ref; /* person or app row; 0 for @all */
    const char *name;
    const char *key;
};

/* What a content check asks of the world: ERR_NOT_FOUND when an id names
 * nothing usable, another error to stop. */
struct msg_lookup {
    enum err (*mention)(void *arg, const char *id, struct msg_mention *out);
    enum err (*share_chat)(void *arg, const char *chat_id);
    enum err (*share_user)(void *arg, const char *user_id);
    /* An uploaded key of 'kind' ("image", "file"): ERR_NOT_FOUND unknown,
     * ERR_FORBIDDEN (SUBJ_RESOURCE) not the sender's. */
    enum err (*resource)(void *arg, const char *kind, const char *key, struct fs_res_row *out);
    void *arg;
};

/* A checked content: as sent (normalised JSON text), as read back, and the
 * mentions in order of appearance. In the arena. */
struct msg_content {
    const char *sent, *body;
    struct msg_mention *mentions;
    size_t nmentions;
};

/* Whether 'msg_type' is one a client may send ("Message content description"). */
bool svc_msg_type_known(const char *msg_type);
/* Checks 'content' for 'msg_type' ("Message content description") and
 * builds its read side (as "Get the content of a specified message" returns
 * it): ERR_BAD_REQUEST with SUBJ_CONTENT (the detail is the platform's
 * ext text) or SUBJ_CARD, ERR_LIMIT with SUBJ_CONTENT over the size limit,
 * ERR_CONFLICT with SUBJ_RESOURCE for a key uploaded as another type. */
enum err svc_msg_content(struct arena *a, struct err_info *ei, const char *msg_type,
                         const char *content, const struct msg_lookup *lk,
                         struct msg_content *out);

/* Event bodies for one receiving app, built by the dialect. */
struct msg_events {
    json_t *(*received)(void *arg, int64_t app, const char *event_id,
                        const struct fs_msg_row *m, const struct fs_chat_row *chat);
    json_t *(*recalled)(void *arg, int64_t app, const char *event_id,
                        const struct fs_msg_row *m, const char *recall_type);
    void *arg;
};

/* Who acts: 'op' is the app's bot or a person; 'app' the app whose
 * credential is used (open_ids are that app's). */
struct msg_op {
    struct actor op;
    int64_t app;
    const struct msg_events *events;
};

struct msg_send {
    const char *receive_id_type, *receive_id; /* send */
    const char *reply_to;                     /* reply: the message answered */
    bool reply_in_thread;
    const char *msg_type, *content, *uuid; /* uuid NULL: none */
};

/* Sends (or replies), writing im.message.receive_v1 for the bots that get
 * it. A uuid the sender used within the hour answers the message it made. */
enum err svc_msg_send(struct svc_ctx *c, const struct msg_op *o, const struct msg_send *s,
                      struct fs_msg_row *out);
/* A message 'o.op' may read (a member of its chat). */
enum err svc_msg_get(struct svc_ctx *c, const struct msg_op *o, const char *message_id,
                     struct fs_msg_row *out);

struct msg_list {
    bool thread;              /* container_id_type thread, else chat */
    const char *container_id;
    int64_t from_ms, to_ms;   /* inclusive */
    bool desc;
    int64_t after_ms, after;  /* keyset: the last row's (created_ms, id); after 0: none */
    int64_t limit;
};
enum err svc_msg_list(struct svc_ctx *c, const struct msg_op *o, const struct msg_list *q,
                      struct fs_msg_row **rows, size_t *n, bool *has_more);
/* Recalls ("Recall a message") and writes im.message.recalled_v1. */
enum err svc_msg_recall(struct svc_ctx *c, const struct msg_op *o, const char *message_id);
/* Edits a text or post message ("Edit a message"). */
enum err svc_msg_edit(struct svc_ctx *c, const struct msg_op *o, const char *message_id,
                      const char *msg_type, const char *content, struct fs_msg_row *out);
/* Replaces a card's content ("Update an app card message"). */
enum err svc_msg_patch_card(struct svc_ctx *c, const struct msg_op *o, const char *message_id,
                            const char *content);

/* The chat's latest message: its id and create time (ms) as text, "" when
 * the chat has none. */
enum err svc_msg_last(struct svc_ctx *c, int64_t chat, const char **message_id,
                      const char **create_time);
/* ERR_OK when 'message_id' is a live message of chat row 'chat',
 * ERR_NOT_FOUND when it is not. */
enum err svc_msg_of_chat(struct svc_ctx *c, const char *message_id, int64_t chat);
/* A simulated person (admin API): the tenant of 'chat_id' and its person
 * 'user_id', set as c->tenant and '*person'. ERR_NOT_FOUND naming the field. */
enum err svc_msg_sim_person(struct svc_ctx *c, const char *chat_id, const char *message_id,
                            const char *user_id, int64_t *person);

/* The ids a person has as 'app' sees them (open_id NULL if it has none). */
struct fs_person_ids {
    const char *open_id, *union_id, *user_id, *name;
};
enum err svc_msg_person_ids(struct svc_ctx *c, int64_t app, int64_t person,
                            struct fs_person_ids *out);
/* An app's app_id and name. */
enum err svc_fs_app_ids(struct svc_ctx *c, int64_t app, const char **app_id, const char **name);
/* The open_id a bot is @-mentioned by (the same for every app). */
const char *svc_fs_bot_open_id(struct arena *a, const char *app_id);
/* Whether c->tenant's calls are held to the platforms' rate limits. */
enum err svc_tenant_rate_limit(struct svc_ctx *c, bool *on);
/* A message's mentions column, decoded. */
size_t svc_msg_mentions(struct arena *a, const char *json, struct msg_mention **out);

/* --- Feishu uploads (svc_upload.c) --- */

struct res_upload {
    const char *kind;     /* "image" or "file" */
    const char *sub_type; /* image_type or file_type */
    const char *file_name; /* files; NULL for images */
    int64_t duration;
    const unsigned char *data;
    size_t len;
    const char *dir;    /* where the bytes go */
    int64_t max_total;  /* all uploads' bytes together */
};
/* Stores an upload of app 'app' and answers its new key: ERR_MISSING
 * (SUBJ_CONTENT) empty, ERR_LIMIT (SUBJ_CONTENT) over 10/30 MiB,
 * ERR_BAD_REQUEST (SUBJ_CONTENT) not an image, ERR_LIMIT (SUBJ_NONE) the
 * upload directory's bound reached. */
enum err svc_res_upload(struct svc_ctx *c, int64_t app, const struct res_upload *u,
                        const char **key);

struct res_bytes {
    const char *file_name, *mime;
    const unsigned char *data;
    size_t len;
};
/* The bytes of an image or file key 'app' uploaded: ERR_NOT_FOUND
 * (SUBJ_RESOURCE) unknown, ERR_FORBIDDEN (SUBJ_RESOURCE) another app's,
 * ERR_BAD_REQUEST (SUBJ_RESOURCE) an avatar. */
enum err svc_res_download(struct svc_ctx *c, int64_t app, const char *kind, const char *key,
                          const char *dir, struct res_bytes *out);
/* The bytes of key 'key' of 'type' ("image", "file") in a message the
 * operator may read. */
enum err svc_msg_resource(struct svc_ctx *c, const struct msg_op *o, const char *message_id,
                          const char *type, const char *key, const char *dir,
                          struct res_bytes *out);
/* A key a message of 'app' refers to: ERR_NOT_FOUND unknown (or of another
 * kind), ERR_FORBIDDEN (SUBJ_RESOURCE) another app's. */
enum err svc_res_for_message(struct svc_ctx *c, int64_t app, const char *kind, const char *key,
                             struct fs_res_row *out);
/* --- long-connection events (svc_ws.c) --- */

#define WS_TICKET_SECONDS 300 /* a bootstrap ticket's lifetime */
#define WS_LIVE_SECONDS 10    /* a connection row not refreshed for this long has lapsed */

/* What a bootstrap hands out: the connection's id and its ticket. */
struct ws_grant {
    int64_t app;
    char device_id[20];
    char ticket[37];
    char access_key[33];
};

/* Checks the app's credentials (ERR_MISSING: one is empty;
 * ERR_UNAUTHENTICATED: unknown app or wrong secret) and stores a ticket. */
enum err svc_ws_bootstrap(struct svc_ctx *c, const char *app_id, const char *app_secret,
                          struct ws_grant *out);
/* Redeems a ticket (once) for a connection of '*app' held by 'node':
 * ERR_UNAUTHENTICATED/ERR_EXPIRED for a bad ticket, ERR_LIMIT when the app
 * already has 'limit' open connections. Records the connection. */
enum err svc_ws_handshake(struct svc_ctx *c, const char *ticket, const char *device_id,
                          const char *access_key, const char *node, int64_t limit,
                          int64_t *app);
/* The admin view: {"items": [{id, since, last_ping, delivered, unacked, node, silenced}]}. */
enum err svc_ws_conns(struct svc_ctx *c, const char *app_id, json_t **out);
/* Flags one connection (conn_id) or all of the app's: kick 1, silenced 0/1,
 * -1 leaves a flag as it is. Their node acts on them within a tick. */
enum err svc_ws_flag(struct svc_ctx *c, const char *app_id, const char *conn_id, int kick,
                     int silenced, json_t **out);
enum err svc_ws_delivery_set(struct svc_ctx *c, const char *app_id, bool duplicate,
                             int64_t delay_ms, json_t **out);

/* --- events (svc_events.c) --- */

/* A tenant's events (outbox records) after position 'after', oldest first,
 * each with its delivery state, as caller-owned JSON
 * {"items": [...], "next": <position or absent>}. */
enum err svc_events_list(struct svc_ctx *c, int64_t tenant, int64_t after, int64_t limit,
                         json_t **out);
/* One event with its delivery attempts, as caller-owned JSON. */
enum err svc_event_get(struct svc_ctx *c, const char *event_id, json_t **out);
/* Makes an event due again now, whatever its state (redelivery on request). */
enum err svc_event_redeliver(struct svc_ctx *c, const char *event_id);
/* How many outbox records are in each delivery state, every tenant's
 * (metrics), in the caller's transaction. */
enum err svc_outbox_states(struct store *st, struct outbox_states *out);

/* --- the server clock's stored offset (svc_clock.c) --- */

/* The offset (seconds) the server clock has been moved forward, as stored,
 * outside any transaction; ERR_NOT_FOUND when none is stored. */
enum err svc_clock_offset_get(struct store *st, int64_t *offset);
/* Adds 'by' seconds to the stored offset in the caller's write transaction,
 * under the directory lock so two moves add up; the new offset in
 * '*offset'. */
enum err svc_clock_offset_advance(struct svc_ctx *c, int64_t by, int64_t *offset);

/* --- access tokens and nonces (svc_token.c) --- */

struct token_policy {
    int kind;                    /* enum token_kind */
    int64_t lifetime;            /* seconds */
    int64_t reuse_min_remaining; /* re-issue the live token while this much remains */
    const char *prefix;
    size_t bytes;                /* random bytes in the token */
};

/* Returns the principal's live token while it has at least
 * reuse_min_remaining seconds left, otherwise a new one. 'app' is the app a
 * user token is issued through (0 otherwise). */
enum err svc_token_issue(struct svc_ctx *c, const struct token_policy *p, int64_t tenant,
                         int64_t principal, int64_t app, struct token_row *out);

/* Checks a presented token of 'kind': ERR_UNAUTHENTICATED if unknown,
 * ERR_EXPIRED if past its expiry. On success sets c->tenant. */
enum err svc_token_check(struct svc_ctx *c, int kind, const char *token, struct token_row *out);

/* The token-check cache (svc_tcache.c): token rows never change once
 * issued, and the only ones deleted (refresh tokens) are never looked up
 * through it, so a cached row answers like a read; expiry is checked per
 * use. Entries live 'ttl_ms' (0: no cache, NULL). Thread-safe. */
struct token_cache *svc_tcache_new(int64_t ttl_ms);
void svc_tcache_free(struct token_cache *tc);
bool svc_tcache_get(struct token_cache *tc, const char *token, struct token_row *out);
/* How many flushes the cache has seen; read it before the row is read, and
 * pass it to put: a row read across a flush is not cached (it may be one
 * the flushing transaction removed). */
uint64_t svc_tcache_epoch(struct token_cache *tc);
void svc_tcache_put(struct token_cache *tc, const char *token, const struct token_row *row,
                    uint64_t epoch);
void svc_tcache_stats(const struct token_cache *tc, int64_t *hits, int64_t *misses);
/* Forgets every entry (a tenant deleted or reset, a snapshot restored). */
void svc_tcache_flush(struct token_cache *tc);

/* Records that c->tenant used 'nonce', for 'ttl' seconds from c->now: a nonce
 * used again within that time is ERR_CONFLICT (SUBJ_NONCE). The tenant's
 * expired nonces are purged first. */
enum err svc_nonce_claim(struct svc_ctx *c, const char *nonce, int64_t ttl);

/* --- knowledge-base categories (svc_kb.c) --- */

/* The rules one dialect's knowledge base follows. Every dialect's categories
 * live in one model; a policy says which of its features a dialect uses. */
struct kb_policy {
    const char *space;        /* which knowledge base the rows belong to */
    long max_name_chars;      /* Unicode characters */
    int64_t max_count;        /* categories in all, the default one included; 0: no quota */
    const char *default_name; /* NULL: no system default category */
    const char *const *types; /* allowed types, NULL-terminated; NULL: untyped ("") */
    int64_t max_depth;        /* levels of nesting; 1: flat */
    bool owned;               /* only a category's owner may change it or nest under it */
    bool unique_names;        /* names unique in the knowledge base */
    bool row_refs;            /* clients name categories by row id, not by ext_id */
    bool items_go_with;       /* deleting a category deletes its items (else: uncategorized) */
};

/* Categories are named by 'ref': the ext_id, or the decimal row id under a
 * policy with row_refs. 'owner' is who acts (a person row id; 0: the
 * administrator); policies without owners ignore it. Every lookup is scoped
 * by c->tenant: another tenant's category is ERR_NOT_FOUND. */

/* Creates the policy's default category for 'tenant' unless it exists. */
enum err svc_kb_default_ensure(struct svc_ctx *c, const struct kb_policy *p, int64_t tenant);

/* Creates a category from cat->name, ->type, ->parent_id (0: top level) and
 * ->owner_id; fills in the rest. A parent must exist, be of the same type and
 * the same owner, and leave the tree within max_depth. */
enum err svc_kb_cat_add(struct svc_ctx *c, const struct kb_policy *p, struct kb_cat_row *cat);
enum err svc_kb_cat_rename(struct svc_ctx *c, const struct kb_policy *p, const char *ref,
                           int64_t owner, const char *name);
/* Puts the category under 'parent' (0: top level), by the rules of add; the
 * category itself or one below it is refused (ERR_CONFLICT, SUBJ_PARENT). */
enum err svc_kb_cat_move(struct svc_ctx *c, const struct kb_policy *p, const char *ref,
                         int64_t owner, int64_t parent);
/* Deletes the category and every category below it. */
enum err svc_kb_cat_delete(struct svc_ctx *c, const struct kb_policy *p, const char *ref,
                           int64_t owner);
enum err svc_kb_cat_get(struct svc_ctx *c, const struct kb_policy *p, const char *ref,
                        struct kb_cat_row *out);
/* One page of an untyped, unowned knowledge base in creation order after
 * position 'after' (0: from the start). */
enum err svc_kb_cat_list(struct svc_ctx *c, const struct kb_policy *p, int64_t after,
                         int64_t limit, struct kb_cat_row **rows, size_t *n, bool *has_more);
/* Every category of one (type, owner), in id order: the rows of one tree. */
enum err svc_kb_cat_all(struct svc_ctx *c, const struct kb_policy *p, const char *type,
                        int64_t owner, struct kb_cat_row **rows, size_t *n);

/* The WeCom knowledge base's rules (WeCom "知识库分组管理", knowledge-base groups). */
extern const struct kb_policy svc_kb_wecom;
/* The Udesk knowledge base's rules (Udesk "Knowledge catalogs"). */
extern const struct kb_policy svc_kb_udesk;

/* --- knowledge items in categories (svc_kb_item.c) --- */

/* An answer's attachment. On write image and video name their media by
 * media_id, a mini program its cover by media_id; read back they carry the
 * media's file name instead (never the id). */
struct kb_attachment {
    const char *msgtype; /* "image", "video", "link", "miniprogram" */
    const char *media_id, *name;
    const char *title, *url, *desc, *pic_url, *appid, *pagepath;
};

/* An item with its lists decoded. On a change, the has_ flags say which parts
 * the request gives; a part given replaces the stored one whole. */
struct kb_item {
    struct kb_item_row row;
    const char **similar;
    size_t nsimilar;
    struct kb_attachment *att;
    size_t natt;
    bool has_title, has_content, has_url, has_content_type, has_validity, has_similar,
        has_answer, has_category;
};

/* The rules of one kind of item. 'cats' is its categories' policy; 'type' the
 * category type it lives in. Lengths in Unicode characters; 0: no limit. */
struct kb_item_policy {
    const struct kb_policy *cats;
    const char *type;
    int64_t max_per_category;
    long max_title_chars, max_content_chars, max_url_chars;
    size_t max_similar, max_attachments; /* 0: none allowed */
    long max_similar_chars;
    bool title_required, content_required, url_required;
    bool unique_titles;     /* titles unique in the knowledge base */
    bool category_required; /* no uncategorized items */
    bool validity;          /* lasts / valid_from / valid_until apply */
};

/* Items are named by 'ref' (the ext_id, or the decimal row id under a policy
 * with row_refs), categories by 'cat_ref' likewise; a cat_ref NULL, "0" or
 * "-1" is uncategorized. 'owner' as for categories. Not found is
 * ERR_NOT_FOUND with SUBJ_KB_ITEM (SUBJ_GROUP for the category); another
 * owner's item ERR_FORBIDDEN with SUBJ_KB_ITEM. */
enum err svc_kb_item_add(struct svc_ctx *c, const struct kb_item_policy *p, const char *cat_ref,
                         int64_t owner, struct kb_item *it);
enum err svc_kb_item_mod(struct svc_ctx *c, const struct kb_item_policy *p, const char *ref,
                         int64_t owner, const char *cat_ref, struct kb_item *it);
enum err svc_kb_item_delete(struct svc_ctx *c, const struct kb_item_policy *p, const char *ref,
                            int64_t owner);
enum err svc_kb_item_get(struct svc_ctx *c, const struct kb_item_policy *p, const char *ref,
                         int64_t owner, struct kb_item *out);
/* One page of items of 'owner' in category 'cat_ref' (NULL: all; under
 * row_refs "0" all and "-1" the uncategorized), in creation order after
 * 'after' and past 'offset'. '*total' (if not NULL) counts them
 * all; '*has_more' tells whether another page exists. */
enum err svc_kb_item_list(struct svc_ctx *c, const struct kb_item_policy *p, const char *cat_ref,
                          int64_t owner, int64_t after, int64_t offset, int64_t limit,
                          struct kb_item **items, size_t *n, bool *has_more, int64_t *total);

/* WeCom intents (WeCom "知识库问答管理"). */
extern const struct kb_item_policy svc_kb_wecom_intent;
/* Udesk items ("Knowledge questions", "Common phrases", "Common links"), one policy per catalog type. */
extern const struct kb_item_policy svc_kb_udesk_question, svc_kb_udesk_expression,
    svc_kb_udesk_link;

/* Seeds knowledge content of c->tenant (svc_seed_kb.c, docs/seed.md):
 * wecom.knowledge and udesk.knowledge, NULL for none. */
enum err svc_seed_wecom_kb(struct svc_ctx *c, const json_t *groups);
enum err svc_seed_udesk_kb(struct svc_ctx *c, const json_t *catalogs);

/* Records a WeCom temporary media of 'type' named 'name', 'size' bytes,
 * valid three days; '*media_id' is its new id. */
enum err svc_wc_media_add(struct svc_ctx *c, const char *type, const char *name, int64_t size,
                          const char **media_id);

/* --- rate limits across nodes (svc_rate.c) --- */

struct config;
struct rate_limiter;
struct svc_rate_sync;

/* Starts the thread that shares the counts of 'rl' with the other nodes on
 * the database every cfg->rate_sync_ms, on a connection of its own; it runs
 * until '*stop' is set. '*out' stays NULL, with ERR_OK, when there is
 * nothing to share: no limiter, rate_sync_ms 0, or a database only one node
 * uses (SQLite). ERR_STORE: the connection did not open. */
enum err svc_rate_sync_start(const struct config *cfg, struct rate_limiter *rl,
                             volatile sig_atomic_t *stop, struct svc_rate_sync **out);
/* Joins the thread (after '*stop' was set) and closes its connection. */
void svc_rate_sync_stop(struct svc_rate_sync *rs);

struct qclock;
struct svc_retention;
struct store_group;

/* Starts the retention thread (svc_retention.c) on a connection of its own
 * (its writes go through 'group' when there is one); it runs until '*stop'
 * is set. '*out' stays NULL, with ERR_OK, when retention_interval_ms is 0.
 * ERR_STORE: the connection did not open. */
enum err svc_retention_start(const struct config *cfg, const struct qclock *clock,
                             struct store_group *group, volatile sig_atomic_t *stop,
                             struct svc_retention **out);
/* Joins the thread (after '*stop' was set) and closes its connection. */
void svc_retention_stop(struct svc_retention *r);

/* --- fault rules (svc_fault.c) --- */

/* What a fault rule makes a call answer: the dialect's envelope with
 * 'code' (and 'status', 'msg' when given), or the real answer 'delay_ms'
 * late, or no answer at all ('drop': the connection is closed). */
struct fault_answer {
    bool has_code;
    int64_t code;
    int status; /* 0: the dialect's own for the code */
    const char *msg; /* NULL: the dialect's own for the code */
    int64_t delay_ms;
    bool drop;
};

/* This node's copy of the rules, with how often each fired here. */
struct svc_faults;

struct svc_faults *svc_faults_new(void);
void svc_faults_free(struct svc_faults *f);
/* Reloads the rules when their stored generation moved: looked at once a
 * second, and at every call for a while after a change made on this node.
 * Outside any transaction of 'st'. */
void svc_faults_refresh(struct svc_faults *f, struct store *st);
/* The rules changed in the database behind this node's back (a snapshot
 * restored, a tenant reset): the next calls reload them. */
void svc_faults_changed(struct svc_faults *f);
/* Whether a rule fires for this call (it counts as fired); its answer is
 * copied to 'out' ('msg' in 'a'). Without rules: one atomic load. */
bool svc_faults_match(struct svc_faults *f, const char *dialect, const char *method,
                      const char *route, int64_t tenant, int64_t app_ref, struct arena *a,
                      struct fault_answer *out);
/* The admin API. 'rule' is {"dialect", "route": "METHOD /pattern", "tenant"?,
 * "app_id"?, "count"? | "ratio"?, "answer": {"code", "status"?, "msg"?} |
 * {"delay_ms"} | {"drop": true}}, the route already checked against the
 * dialect's table by the caller. '*out' is caller-owned JSON. */
enum err svc_fault_add(struct svc_ctx *c, struct svc_faults *f, json_t *rule, json_t **out);
enum err svc_fault_list(struct svc_ctx *c, struct svc_faults *f, json_t **out);
enum err svc_fault_delete(struct svc_ctx *c, struct svc_faults *f, int64_t id);

/* --- the request inspector (svc_inspect.c) --- */

struct svc_inspector;
struct http_req;

/* A ring of the last 'size' requests of this node (0: NULL, off), bodies
 * kept up to 'body_bytes' each. */
struct svc_inspector *svc_inspect_new(int64_t size, int64_t body_bytes);
void svc_inspect_free(struct svc_inspector *in);
/* Keeps one answered request (thread-safe). Nothing of its Authorization
 * header is kept. */
void svc_inspect_record(struct svc_inspector *in, const struct http_req *r, int64_t latency_us);
/* The kept requests after sequence number 'after' (of 'tenant', or every
 * tenant's for 0), oldest first, at most 'limit': caller-owned JSON
 * {"items": [...], "next"?}. Secrets are redacted as they are read: every
 * JSON string value and query parameter named like a credential (secrets,
 * passwords, tokens, codes, signatures) reads "***". */
json_t *svc_inspect_list(struct svc_inspector *in, int64_t tenant, int64_t after, int64_t limit);

/* --- Feishu scopes (svc_scope.c) --- */

/* The scope a creator bot needs to act as its chats' owner (the chat pages' permission notes);
 * the field scope that shows tenant user_ids. */
#define SCOPE_OWNER "im:chat:operate_as_owner"
#define SCOPE_USER_ID "contact:user.employee_id:readonly"

/* Scopes held: the names listed, and with 'star' every scope but
 * SCOPE_OWNER (an app's default, or a grant that names no scopes). */
struct scope_set {
    bool star;
    const char **v;
    size_t n;
};

/* Reads space-separated scope names ("*" is 'star'); NULL is the default. */
void svc_scope_parse(struct arena *a, const char *text, struct scope_set *out);
bool svc_scope_has(const struct scope_set *s, const char *scope);
/* Whether 's' holds any one of the NULL-terminated 'list' (NULL or empty: true). */
bool svc_scope_any(const struct scope_set *s, const char *const *list);
/* The app's access row (the defaults if it has none). */
enum err svc_app_access(struct svc_ctx *c, int64_t app, struct fs_access_row *out);
enum err svc_app_scopes(struct svc_ctx *c, int64_t app, struct scope_set *out);
/* The scopes a person granted with an OAuth code or user/refresh token
 * (all the app holds when none were named). */
enum err svc_grant_scopes(struct svc_ctx *c, const char *secret, struct scope_set *out);
/* An event type an app holding 'held' may subscribe to: ERR_BAD_REQUEST
 * naming "types" for an unknown type or one whose scopes it lacks ('held'
 * NULL: only whether the type is known). */
enum err svc_event_type_check(struct svc_ctx *c, const struct scope_set *held, const char *type);

/* --- the Feishu directory (svc_contact.c) --- */

/* The seed's directory parts of tenant 't' (docs/seed.md): feishu.departments,
 * the users' directory fields, each app's scopes and contact_range; checks
 * every app's subscription against its scopes. */
enum err svc_contact_seed(struct svc_ctx *c, int64_t tenant, json_t *t);

/* The directory as one caller (an app, through a tenant or a user token)
 * sees it, for one request. */
struct contact_dir {
    int64_t tenant, app;
    struct scope_set scopes; /* the app's */
    const char *bot_open_id, *app_name, *tenant_name;
    bool all; /* no contact range applies */
    struct fs_dept_row *depts; /* every department, by (order, id) */
    size_t nd;
    int64_t *range_depts, *range_people; /* the range's rows */
    size_t nrange_depts, nrange_people;
};

struct contact_person {
    struct person_row p;
    struct fs_profile_row profile;
    struct fs_membership_row *mem; /* primary first */
    size_t nmem;
    char *open_id; /* in the caller's app */
    bool visible;  /* inside the caller's range */
};

enum err svc_contact_open(struct svc_ctx *c, int64_t app, bool user_token, struct contact_dir *d);
/* A department by its open_department_id or department_id; NULL if none. */
const struct fs_dept_row *svc_contact_dept(const struct contact_dir *d, bool open_id,
                                           const char *id);
const struct fs_dept_row *svc_contact_dept_row(const struct contact_dir *d, int64_t id);
/* Whether the caller may read department 'dept' (0: the root). */
bool svc_contact_dept_visible(const struct contact_dir *d, int64_t dept);
/* A person of the caller's tenant (ERR_NOT_FOUND otherwise), with 'visible'. */
enum err svc_contact_person(struct svc_ctx *c, const struct contact_dir *d, int64_t person,
                            struct contact_person *out);
/* A person by an id of 'kind' (open_id in the caller's app, union_id, user_id). */
enum err svc_contact_person_find(struct svc_ctx *c, const struct contact_dir *d, const char *kind,
                                 const char *id, int64_t *person);
/* The id of type 'type' (open_id of the caller's app, union_id, user_id) of
 * the tenant's person 'user_id'; NULL if none. */
const char *svc_contact_id_of(struct svc_ctx *c, const struct contact_dir *d, const char *user_id,
                              const char *type);
/* The visible person whose "email" or "mobile" is 'value'; ERR_NOT_FOUND
 * when none (or resigned, unless 'include_resigned'). */
enum err svc_contact_lookup(struct svc_ctx *c, const struct contact_dir *d, const char *kind,
                            const char *value, bool include_resigned, struct contact_person *out);
/* People in 'dept' or below it (0: everyone), and those whose primary
 * department is; resigned people do not count. */
enum err svc_contact_counts(struct svc_ctx *c, const struct contact_dir *d, int64_t dept,
                            int64_t *members, int64_t *primary);
/* The departments below 'parent': its children, or with 'deep' all of them
 * in pre-order; siblings by (order, id). */
void svc_contact_children(struct svc_ctx *c, const struct contact_dir *d, int64_t parent,
                          bool deep, const struct fs_dept_row ***rows, size_t *n);
/* One page of the people directly in 'dept' (0: the root). */
enum err svc_contact_members(struct svc_ctx *c, const struct contact_dir *d, int64_t dept,
                             int64_t offset, int64_t limit, struct fs_membership_row **rows,
                             size_t *n);

#endif
