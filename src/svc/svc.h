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
#include "store/store.h"

struct svc_ctx {
    struct store *st;
    struct arena *a;
    struct err_info *ei;
    int64_t now;    /* the server clock, unix seconds */
    int64_t tenant; /* set by authentication; 0 until then */
    struct token_cache *tokens; /* token checks already made; NULL: none */
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

/* Mints a one-time authorization code for (app, user_id): the emulator's
 * stand-in for a browser login. Valid 5 minutes. */
enum err svc_fs_code_mint(struct svc_ctx *c, const char *app_id, const char *user_id,
                          char **code);
/* Exchanges a code for a user token pair (the code is used up). */
enum err svc_fs_code_exchange(struct svc_ctx *c, const struct fs_app_row *app, const char *code,
                              struct token_row *access, struct token_row *refresh);
/* Exchanges a refresh token (used up) for a new pair. */
enum err svc_fs_refresh(struct svc_ctx *c, const struct fs_app_row *app, const char *refresh,
                        struct token_row *access, struct token_row *next);

/* --- chats (svc_chat.c) --- */

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
void svc_tcache_put(struct token_cache *tc, const char *token, const struct token_row *row);
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

#endif
