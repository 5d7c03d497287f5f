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

/* Every resolved identifier of one tenant, as caller-owned JSON. */
enum err svc_tenant_describe(struct svc_ctx *c, int64_t tenant, json_t **out);
enum err svc_tenant_find(struct svc_ctx *c, const char *name, int64_t *tenant);

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

/* The WeCom knowledge base's rules (spec wecom-kf-knowledge.md §5). */
extern const struct kb_policy svc_kb_wecom;
/* The Udesk knowledge base's rules (spec udesk-knowledge.md §4). */
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

/* The scope a creator bot needs to act as its chats' owner (chats.md §14);
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
