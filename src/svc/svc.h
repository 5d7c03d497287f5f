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
    struct access_cache *access; /* apps' access rows (svc_acache.c); NULL: none */
    struct grant_cache *grants; /* tokens handed out again (svc_gcache.c); NULL: none */
    struct udesk_cache *udesk;  /* Udesk companies (svc_ucache.c); NULL: none */
    /* The request runs in a read transaction first (the pipeline's
     * R_READ_FIRST): a call that finds it must write sets 'write_needed'
     * and fails, and the request runs again in a write transaction. */
    bool read_first;
    bool write_needed;
    /* The Feishu key of tenant 'tkey_tenant' as this request read it with a
     * chat (svc_chat_open; "" none set); NULL: not read yet. */
    const char *tkey;
    int64_t tkey_tenant;
    /* The last app access row this request read (svc_app_access), with the
     * app's app_id and name; NULL: none. A seed, which writes those rows,
     * drops it. */
    const struct fs_access_row *acc;
    /* While svc_chat_event writes a users event: the people it names, as its
     * transaction read them a moment before (svc_fs_person_ids takes them);
     * NULL otherwise. */
    const struct person_row *event_people;
    size_t event_npeople;
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
/* An app's app_id (the request's own app's as read already). */
enum err svc_fs_app_id(struct svc_ctx *c, int64_t app, const char **app_id);

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
/* The chat's settings as an object, parsed once per row (in c->a) however
 * often they are read; the caller neither changes nor releases it. */
const json_t *svc_chat_settings(struct svc_ctx *c, const struct fs_chat_row *chat);
/* Whether the chat's restricted mode is on and denies everyone 'what' (one of
 * restricted_mode_setting's *_has_permission_setting keys set to not_anyone). */
bool svc_chat_restricts(struct svc_ctx *c, const struct fs_chat_row *chat, const char *what);

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
/* Every setting at its default, as a new JSON object; and as the text a
 * row keeps (made once). */
json_t *svc_chat_settings_default(void);
const char *svc_chat_settings_default_text(void);
/* Whether 'req' names any setting 'use' may set: if not, merging it into
 * settings changes nothing. */
bool svc_chat_settings_named(const json_t *req, unsigned use);
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

/* The token endpoints: the token of a credential (a WeCom corpid and secret,
 * a Feishu app_id and app_secret) under policy 'p', as svc_wc_credential or
 * svc_fs_app_login and then svc_token_issue answer it, answered from this
 * node's grant cache when it holds the credential's token (svc_gcache.c).
 * With c->read_first, a token that must be issued sets c->write_needed. */
enum err svc_wc_token(struct svc_ctx *c, const struct token_policy *p, const char *corpid,
                      const char *secret, struct token_row *out);
/* The app's tokens under each of the 'n' (1 or 2) policies 'ps', into out[0..n). */
enum err svc_fs_app_token(struct svc_ctx *c, const struct token_policy *const *ps, size_t n,
                          const char *app_id, const char *secret, struct token_row *out);

/* The grant cache (svc_gcache.c): a credential's token of 'kind', kept
 * with the store's cache epoch (never stale; nothing kept where the store
 * answers none). get copies the token into 'a'; the caller checks expiry. */
struct grant_cache *svc_gcache_new(void);
void svc_gcache_free(struct grant_cache *gc);
bool svc_gcache_get(struct grant_cache *gc, struct store *st, struct arena *a, int kind,
                    const char *ident, const char *secret, struct token_row *out);
void svc_gcache_put(struct grant_cache *gc, struct store *st, int kind, const char *ident,
                    const char *secret, const struct token_row *row);
/* Whether this node's token requests should run in a read transaction
 * first (R_READ_FIRST): yes while they find live tokens; no at start and
 * after one had to issue a token (or found none reading first), until one
 * hands a live token out again. Only which path runs depends on it; both
 * answer the same. NULL: no. */
bool svc_gcache_read_first(struct grant_cache *gc);
void svc_gcache_read_first_set(struct grant_cache *gc, bool on);

/* Checks a presented token of 'kind': ERR_UNAUTHENTICATED if unknown,
 * ERR_EXPIRED if past its expiry. On success sets c->tenant. */
enum err svc_token_check(struct svc_ctx *c, int kind, const char *token, struct token_row *out);

/* The token-check cache (svc_tcache.c): token rows never change once
 * issued, and the only ones deleted (refresh tokens) are never looked up
 * through it, so a cached row answers like a read; expiry is checked per
 * use. Entries live 'ttl_ms' (0: no cache, NULL). Thread-safe. */
/* The node's cache of the Feishu apps' access rows (svc_acache.c): used by
 * svc_app_access when the store answers a cache epoch (store_cache_epoch).
 * get copies a hit's strings into 'a'. */
struct access_cache *svc_acache_new(void);
void svc_acache_free(struct access_cache *ac);
bool svc_acache_get(struct access_cache *ac, struct store *st, struct arena *a, int64_t app,
                    struct fs_access_row *out);
void svc_acache_put(struct access_cache *ac, struct store *st, const struct fs_access_row *row);

/* The node's cache of the Udesk companies svc_ud_company found, by
 * subdomain (NULL: none) and admin e-mail, kept with the store's cache epoch
 * as the access cache; get copies a hit's strings into 'a'. */
struct udesk_cache *svc_ucache_new(void);
void svc_ucache_free(struct udesk_cache *uc);
bool svc_ucache_get(struct udesk_cache *uc, struct store *st, struct arena *a,
                    const char *subdomain, const char *email, struct udesk_row *out);
void svc_ucache_put(struct udesk_cache *uc, struct store *st, struct arena *a,
                    const char *subdomain, const char *email, const struct udesk_row *row);

struct token_cache *svc_tcache_new(int64_t ttl_ms);
void svc_tcache_free(struct token_cache *tc);
bool svc_tcache_get(struct token_cache *tc, const char *token, struct token_row *out);
/* How many flushes the cache has seen; read it before the row is read, and
 * pass it to put: a row read across a flush is not cached (it may be one
 * the flushing transaction removed). */
uint64_t svc_tcache_epoch(struct token_cache *tc);

/* --- whole answers (svc_answers.c) --- */

/* This node's cache of rendered answers to read requests, bounded in bytes
 * (NULL when max_bytes is 0: nothing kept); never stale (svc_answers.c). */
struct answer_cache;
struct kept_answer {
    int status;
    const char *content_type; /* static */
    const char *body;
    size_t len;
    long log_code; /* the dialect's code, for the access log */
};
struct answer_stats {
    int64_t hits, misses, bytes, entries;
};
struct answer_cache *svc_answers_new(size_t max_bytes);
void svc_answers_free(struct answer_cache *ac);
/* The data version the open transaction reads (store_data_version); -1:
 * none, nothing may be kept or served. */
int64_t svc_data_version(struct svc_ctx *c);
/* The answer kept for 'key' at 'version', its body copied into 'a'. */
bool svc_answer_get(struct answer_cache *ac, const char *key, size_t klen, int64_t version,
                    struct arena *a, struct kept_answer *out);
/* Keeps 'ans' for 'key', rendered by a transaction that read 'version'. */
void svc_answer_put(struct answer_cache *ac, const char *key, size_t klen, int64_t version,
                    const struct kept_answer *ans);
void svc_answers_stats(struct answer_cache *ac, struct answer_stats *out);
void svc_tcache_put(struct token_cache *tc, const char *token, const struct token_row *row,
                    uint64_t epoch);
void svc_tcache_stats(const struct token_cache *tc, int64_t *hits, int64_t *misses);
/* Forgets every entry (a tenant deleted or reset, a snapshot restored). */
void svc_tcache_flush(struct token_cache *tc);

/* Records that c->tenant used 'nonce', for 'ttl' seconds from c->now: a nonce
 * used again within that time is ERR_CONFLICT (SUBJ_NONCE). The tenant's
 * expired nonces are purged first. svc_nonce_claim_read: the same for a
 * request that writes nothing else, whose commit then does not wait for the
 * flush (store_commit_unflushed). */
enum err svc_nonce_claim(struct svc_ctx *c, const char *nonce, int64_t ttl);
enum err svc_nonce_claim_read(struct svc_ctx *c, const char *nonce, int64_t ttl);

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
/* Every category of one (type, owner), in id order: the rows of one tree,
 * with only id, parent_id and name set. */
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

/* svc_kb_item_list without decoding the lists: each item's row only (its
 * similar and attachments as stored); svc_kb_item_decode decodes them. */
enum err svc_kb_item_page(struct svc_ctx *c, const struct kb_item_policy *p, const char *cat_ref,
                          int64_t owner, int64_t after, int64_t offset, int64_t limit,
                          struct kb_item **items, size_t *n, bool *has_more, int64_t *total);
void svc_kb_item_decode(struct svc_ctx *c, struct kb_item *it);

/* The stored lists read as JSON text, not decoded: each string as the JSON
 * text json_dump_arena writes for it (quotes included; len 0: absent). The
 * similar questions, then each attachment's fields in kb_attachment's order
 * from msgtype (media_id is never stored). False when the stored text is not
 * exactly what svc writes (then decode it: svc_kb_item_decode). */
struct kb_json_str {
    const char *p;
    size_t len;
};
enum { KB_ATT_MSGTYPE, KB_ATT_NAME, KB_ATT_TITLE, KB_ATT_URL, KB_ATT_DESC, KB_ATT_PIC_URL,
       KB_ATT_APPID, KB_ATT_PAGEPATH, KB_ATT__COUNT };
struct kb_att_json {
    struct kb_json_str f[KB_ATT__COUNT];
};
bool svc_kb_similar_json(struct svc_ctx *c, const char *stored, struct kb_json_str **out,
                         size_t *n);
bool svc_kb_att_json(struct svc_ctx *c, const char *stored, struct kb_att_json **out, size_t *n);

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

/* Round trips waited for on every PostgreSQL connection of this process
 * (0 on SQLite): what /admin/v1/stats and /metrics report. */
int64_t svc_pg_round_trips(void);

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

/* Feishu's chats, messages, uploads, long connections, scopes and directory. */
#include "svc/svc_feishu.h"
/* The request's transaction, the node's connections, the write group. */
#include "svc/svc_tx.h"

#endif
