/* SPDX-License-Identifier: MIT */
/*
 * store/store.h - persistence behind an ops table.
 *
 * A struct store is one connection, used by one thread at a time. Every
 * operation runs inside the transaction the caller opened with store_begin;
 * the dialect pipeline opens exactly one per request (a route flagged R_NO_TX
 * opens none, and its svc call opens its own: the seed). The operations are
 * written once in SQL with $N parameters bound by type (store_ident.c,
 * store_kb.c, store_fs.c, store_fs_extras.c, store_events.c, store_rate.c)
 * over a small driver that each backend implements (store_sqlite.c,
 * store_pg.c; store_int.h); nothing above store/ sees SQL. Every table is
 * listed once in the registry (store_tables.c), which --copy-to, PostgreSQL's
 * identity catch-up and the secrets conversion read.
 *
 * Ownership: strings in returned rows live in the arena passed in; row
 * arrays too. Inputs are borrowed. Every op returns ERR_OK, ERR_NOT_FOUND
 * (lookups), ERR_CONFLICT (a unique key was taken) or ERR_STORE.
 */
#ifndef QZ_STORE_H
#define QZ_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct arena;
struct config;

struct tenant_row {
    int64_t id;
    const char *name;
    bool is_demo;
    bool rate_limit; /* the platforms' rate limits apply (seed: rate_limit) */
    int64_t created_at; /* only store_tenant_page reads it */
};

struct person_row {
    int64_t id;
    int64_t tenant_id;
    const char *user_id;
    const char *union_id;
    const char *name;
    const char *email;      /* NULL if none */
    int64_t udesk_agent_id; /* 0 if none */
};

struct fs_app_row {
    int64_t id;
    int64_t tenant_id;
    const char *app_id;
    /* In the seed's upsert and the tenant list; a single app's lookup leaves
     * it NULL and keeps it sealed (store_fs_app_secret opens it). */
    const char *app_secret;
    const char *secret_sealed;
    const char *name;
};

struct wc_secret_row {
    int64_t id;
    int64_t tenant_id;
    const char *secret;
};

struct udesk_row {
    int64_t tenant_id;
    const char *subdomain;
    const char *admin_email;
    const char *api_token;
    const char *admin_password; /* NULL: none set (log_in is refused) */
};

/* Token kinds: which scheme issued a token. */
enum token_kind {
    TOKEN_WECOM = 1,
    TOKEN_FS_TENANT = 2,  /* principal: the app row */
    TOKEN_FS_APP = 3,     /* principal: the app row */
    TOKEN_FS_USER = 4,    /* principal: the person; app: the app it was issued through */
    TOKEN_FS_REFRESH = 5, /* as TOKEN_FS_USER; single use */
};

/* Stored as its keyed digest; 'reusable' tokens also sealed, so that
 * store_token_live can hand them out again (the reuse rules). */
struct token_row {
    const char *token;
    bool reusable;
    int kind;
    int64_t tenant_id;
    int64_t principal; /* the app, secret or person the token was issued to */
    int64_t app;       /* the app a user token was issued through, else 0 */
    int64_t created_at;
    int64_t expires_at;
};

/* Who acts or is acted on in a chat: a person or an app's bot. */
enum actor_kind { ACTOR_USER = 1, ACTOR_BOT = 2 };

struct actor {
    enum actor_kind kind;
    int64_t ref; /* person id or fs_app id */
    /* A bot whose app holds im:chat:operate_as_owner (set at auth): as its
     * chats' creator it may act as their owner (the chat pages' permission notes). */
    bool as_owner;
};

/* A Feishu chat. Settings and i18n names are JSON object text. */
struct fs_chat_row {
    int64_t id;
    int64_t tenant_id;
    const char *chat_id;
    int64_t creator_app; /* the app whose bot created it, 0 for a user */
    struct actor owner;
    const char *chat_mode, *chat_type, *name, *description, *avatar;
    const char *i18n_names, *settings, *status, *top_notice;
    int64_t created_at, active_at;
    /* Its member counts as read with the row (store_fs_chat_open) when
     * 'counted'; other reads leave 'counted' false. */
    int64_t users, bots;
    bool counted;
    /* svc_chat_settings' parse of 'settings', made once per row and request
     * (read-only; 'settings_of' is the text it was parsed from). */
    const char *settings_of;
    struct json_t *settings_json;
};

struct fs_member_row {
    int64_t seq; /* join order */
    struct actor who;
    bool is_manager;
    bool is_moderator;
    int64_t joined_at;
};

/* A chat tab; JSON columns are object text or NULL. */
struct fs_tab_row {
    int64_t id;
    const char *tab_id, *tab_type, *tab_name, *tab_content, *tab_config;
    int64_t position;
};

/* A chat menu item: top level (parent 0) or second level. */
struct fs_menu_row {
    int64_t id;
    const char *item_id;
    int64_t parent; /* the top-level row, 0 for a top level */
    int64_t position;
    const char *item; /* chat_menu_item JSON text */
};

struct fs_announcement_row {
    const char *content; /* the legacy doc JSON text */
    int64_t revision, create_time, update_time;
    struct actor owner, modifier;
};

/* An app's event subscription; 'types' is a JSON array of event types. */
struct fs_subscription_row {
    int64_t app;
    const char *callback_url, *encrypt_key, *verification_token, *types;
    const char *mode; /* "webhook" or "long_connection" ("Long connection mode") */
};

/* One delivery attempt of an outbox record. */
struct outbox_attempt_row {
    int64_t outbox;
    int64_t attempt; /* 1 for the first */
    int64_t at;      /* server clock, unix seconds */
    int64_t http_status; /* 0: no response */
    int64_t latency_us;
    const char *error, *response;
    const char *connection; /* the long connection it went to; NULL or "" for a webhook */
};

struct outbox_row {
    int64_t id;
    int64_t tenant_id;
    int64_t app; /* receiving app */
    const char *event_type, *event_id, *body;
    int64_t created_at;
    int64_t delivered_at; /* 0 while pending */
    const char *state; /* pending, delivered, failed, skipped */
    int64_t attempts;
    int64_t next_at;
};

/* A knowledge-base category: a WeCom group or a Udesk catalog. */
struct kb_cat_row {
    int64_t id; /* sequence number: creation order, the keyset for paging */
    int64_t tenant_id;
    const char *space;  /* which knowledge base: "wecom", "udesk" */
    const char *type;   /* "" in an untyped knowledge base */
    int64_t parent_id;  /* 0: top level */
    int64_t owner_id;   /* the owning person's row id; 0: the administrator, or none */
    const char *ext_id; /* the opaque id WeCom clients see */
    const char *name;
    bool is_default;
    int64_t created_at;
};

/* A knowledge item in a category: a WeCom intent, a Udesk question, useful
 * expression or useful link (svc/svc_kb_item.c says which fields each uses). */
struct kb_item_row {
    int64_t id; /* creation order, the keyset for paging */
    int64_t tenant_id;
    const char *space;
    const char *type;         /* the catalog type; "" in an untyped knowledge base */
    int64_t category_id;      /* 0: uncategorized */
    const char *category_ext; /* read back: the category's ext_id (NULL if none) */
    int64_t owner_id;
    const char *ext_id;
    const char *title, *content, *url, *content_type;
    bool lasts;
    int64_t valid_from, valid_until;
    const char *similar, *attachments; /* JSON arrays in svc's shape */
    int64_t created_at, updated_at;
};

/* Which items a list or count takes: owner and category < 0 mean any;
 * category 0 the uncategorized ones. */
struct kb_item_filter {
    int64_t tenant;
    const char *space, *type;
    int64_t owner, category;
};

struct store;

/* Opens a connection for the database named by cfg->db (sqlite:PATH,
 * sqlite::memory: or postgres://URL) and brings its schema up to date
 * (migrations run once, under a lock), then checks the server key
 * (cfg->secret_key, which must be loaded) against the database and converts
 * rows written in plain text before migration 010 (store_secrets_init).
 * Returns NULL and logs why on failure; a server that cannot be reached
 * still gives a store whose transactions fail until it answers. */
struct store *store_open(const struct config *cfg);
void store_close(struct store *s);
/* Whether several nodes may serve the database cfg->db names (PostgreSQL);
 * a SQLite database serves one process. Known without opening it. */
bool store_shared(const struct config *cfg);
/* Testing, for the connections that serve requests and deliver events:
 * with store_fault_every, wraps 'st' so that every Nth begin, tenant lock,
 * statement or commit in the process fails with ERR_STORE (else returns
 * 'st' itself); with sqlite_fault_every, arms the faulting SQLite VFS. */
struct store *store_fault_wrap(struct store *st, const struct config *cfg);

/* Copies every row of 'src' into 'dst', which must hold no tenant, in one
 * transaction on 'dst'; prints a line per table. Ids are kept. */
enum err store_copy(struct store *src, struct store *dst);
enum err store_ping(struct store *s);
/* Round trips to the PostgreSQL server this process has made on every
 * connection (a statement answered, a prepare, a pipeline's sync): what the
 * bench and /admin/v1/stats count per request. 0 on SQLite. */
int64_t store_round_trips(void);

/* Secrets at rest, in the caller's write transaction: records the server
 * key's check value on first use and refuses another key (ERR_FORBIDDEN,
 * logged); converts the secrets of rows written before migration 010 into
 * their digests and sealed forms, once. store_open runs it. */
enum err store_secrets_init(struct store *s);

/* Transactions: 'write' makes the transaction a writer. Writers of one
 * tenant that count-then-insert call store_lock_tenant first, which
 * serialises them until commit on every backend and across nodes. */
enum err store_begin(struct store *s, bool write);
/* A write transaction that no other write transaction of any connection or
 * node runs beside: it waits for those in flight, and those that begin
 * after it wait for its end (on PostgreSQL at most lock_timeout, then
 * ERR_STORE). For changes that replace what any write may touch (a
 * snapshot's restore, a tenant's delete or reset). SQLite's write
 * transactions are all alone already. */
enum err store_begin_alone(struct store *s);
enum err store_commit(struct store *s);
void store_rollback(struct store *s);
enum err store_lock_tenant(struct store *s, int64_t tenant);

/* Rows a node may keep between requests (the Feishu apps' access rows,
 * fs_app and fs_app_access; svc's access cache). store_cache_epoch: the
 * epoch of what the open transaction reads, or -1 when it must not be kept
 * (no transaction is open, the transaction changed such rows itself and has
 * not committed, or, on PostgreSQL, which other processes share, the
 * transaction was not begun versioned: there the epoch is its data
 * version, store_data_version). The epoch moves after every commit (or rollback) that
 * changed such rows; what was read at an epoch is what a transaction begun
 * now reads as long as store_cache_now still answers that epoch. */
int64_t store_cache_epoch(struct store *s);
int64_t store_cache_now(struct store *s);

/* What a node keeps of whole answers (svc_answers.c). Every commit that
 * changed any data moves the data version before the write is answered
 * (SQLite: the process's data epoch, moved when the COMMIT returned;
 * PostgreSQL: the sequence qz_data_version, bumped in the COMMIT's pipeline,
 * after it). store_begin_versioned opens a read transaction whose version is
 * read before any of its statements reads data; store_data_version answers
 * it, or -1 when there is none (the transaction changed data, a statement
 * failed, or it was not begun versioned on a backend that reads the version
 * on demand). What a transaction read at version v is what a transaction
 * begun later reads as long as its version is still v. */
enum err store_begin_versioned(struct store *s);
int64_t store_data_version(struct store *s);

/* A fault rule (admin API): calls of one route of one dialect, narrowed
 * to a tenant or a Feishu app (0: any), answer 'answer' (JSON text). */
struct fault_rule_row {
    int64_t id;
    const char *dialect, *method, *route;
    int64_t tenant_id, app_ref; /* 0: any */
    int64_t count;              /* 0: no count (ratio, or every call) */
    double ratio;               /* 0: none */
    const char *answer;
    int64_t created_at;
};

/* (store_faultrule.c) Rules change under the meta key "fault_gen", which
 * every change bumps in its transaction: nodes reload when it moves. */
enum err store_faultrule_insert(struct store *s, struct fault_rule_row *r);
enum err store_faultrule_list(struct store *s, struct arena *a, struct fault_rule_row **rows,
                              size_t *n);
/* ERR_NOT_FOUND when there is no such rule. */
enum err store_faultrule_delete(struct store *s, int64_t id);
enum err store_faultrule_gen(struct store *s, int64_t *gen);

/* Group commit (SQLite; config sqlite_group_commit). One writer thread owns
 * a write connection and runs the jobs submitted to it back to back, each
 * inside a savepoint of one transaction, then commits the batch with one
 * fsync. A job's own failure rolls back its savepoint only; the others'
 * work stays. There is no group where there is nothing to gain (PostgreSQL
 * groups concurrent commits itself) or when it is turned off. */
struct store_group;

struct store_job {
    /* On the writer thread, with the batch's store: store_begin there opens
     * the job's savepoint, store_commit releases it, store_rollback undoes
     * only it. */
    void (*run)(struct store *st, void *arg);
    /* Then, on the writer thread, once the batch is durable (ERR_OK) or
     * lost (ERR_STORE: nothing of it was committed). */
    void (*done)(void *arg, enum err batch);
    void *arg;
    size_t bytes; /* memory the job holds until it is done (its request) */
    struct store_job *next;
};

/* '*out' NULL (ERR_OK) where there is no group to run; ERR_STORE when the
 * group's connection or thread cannot be had. (store_sqlite_group.c) */
enum err store_group_open(const struct config *cfg, struct store_group **out);
/* Makes the write transactions of 's' (another connection to the same
 * database) run on the group's connection, in turn with the batches, so
 * that writers in one process never wait on SQLite's file lock. With 'wait'
 * false (an event loop's connection) a write transaction never waits for
 * the group: store_begin answers ERR_BUSY while a batch has the connection. */
void store_group_attach(struct store *s, struct store_group *g, bool wait);
/* Queues 'j', or refuses it with ERR_BUSY at once (its done is not called)
 * when the jobs not yet done would pass the configured count
 * (write_queue_max) or memory (write_queue_bytes), or the group was
 * cancelled. */
enum err store_group_submit(struct store_group *g, struct store_job *j);
/* Fails every job still waiting (done with ERR_BUSY) and refuses new ones;
 * the batch running goes on to its end. For shutdown. */
void store_group_cancel(struct store_group *g);

#define STORE_GROUP_SIZE_BUCKETS 10

struct store_group_stats {
    int64_t batches, jobs; /* transactions the writer thread ran, and jobs in them */
    int64_t held_jobs, held_bytes; /* jobs submitted and not yet done, their memory */
    int64_t refused;               /* submissions refused (ERR_BUSY) */
    /* Transactions by how many jobs they ran: 1, 2, 4, ... 512 or fewer
     * (not cumulative), and all their jobs. */
    int64_t size_buckets[STORE_GROUP_SIZE_BUCKETS];
    /* WAL checkpoints run by the checkpoint thread, and by the writer
     * itself past the WAL's bound (sqlite_checkpoint_pages). */
    int64_t checkpoints, writer_checkpoints;
};
/* Zeros for NULL. */
void store_group_stats(struct store_group *g, struct store_group_stats *out);
/* Runs what was submitted, then stops the writer thread. */
void store_group_close(struct store_group *g);

/* Server-wide settings (admin token, clock offset). */
enum err store_meta_get(struct store *s, struct arena *a, const char *key, char **val);
enum err store_meta_set(struct store *s, const char *key, const char *val);
enum err store_meta_delete(struct store *s, const char *key);
/* Sets 'key' unless it is set (the first writer wins). */
enum err store_meta_add(struct store *s, const char *key, const char *val);

/* Tenants and the people in them. */
enum err store_tenant_by_name(struct store *s, struct arena *a, const char *name,
                              struct tenant_row *out);
enum err store_tenant_get(struct store *s, struct arena *a, int64_t id, struct tenant_row *out);
enum err store_tenant_insert(struct store *s, const char *name, bool is_demo, int64_t now,
                             int64_t *id);
enum err store_tenant_demo(struct store *s, int64_t *id);
enum err store_tenant_set_rate_limit(struct store *s, int64_t id, bool on);
/* Sets p->id, and p->union_id to the one first issued to this person. */
enum err store_person_upsert(struct store *s, struct arena *a, struct person_row *p);
enum err store_person_list(struct store *s, struct arena *a, int64_t tenant,
                           struct person_row **rows, size_t *n);

/* Tenants as a whole (store_tenant_data.c), table by table as the registry
 * declares their rows' owner: a page of tenants in id order after 'after';
 * how many rows of each table (but the tenant's own) the tenant owns;
 * deleting the tenant's rows of every table, or with 'reset' only of those
 * a reset does not keep (the seed's: people, apps, corps, companies,
 * subscriptions), children first, moving the fault rules' generation. */
struct table_count {
    const char *table;
    int64_t n;
};
enum err store_tenant_page(struct store *s, struct arena *a, int64_t after, int64_t limit,
                           struct tenant_row **rows, size_t *n);
enum err store_tenant_counts(struct store *s, struct arena *a, int64_t tenant,
                             struct table_count **rows, size_t *n);
enum err store_tenant_purge(struct store *s, int64_t tenant, bool reset);

/* Snapshots (store_snapshot.c): the whole state in a SQLite database file
 * at 'path', written by the registry's copy. save copies every row of
 * 'live' in one read transaction (a consistent state under concurrent
 * writes) into a new file; restore replaces every row of 'live' by the
 * file's in one write transaction (PostgreSQL: its tables locked against
 * writers), keeping the fault rules' generation moving. 'cfg' is the live
 * server's (its key opens the file). */
enum err store_snapshot_save(struct store *live, const struct config *cfg, const char *path);
enum err store_snapshot_restore(struct store *live, const struct config *cfg, const char *path);

/* Feishu identity: tenant_key, apps, per-app open_ids. */
enum err store_fs_tenant_key_get(struct store *s, struct arena *a, int64_t tenant, char **key);
enum err store_fs_tenant_key_set(struct store *s, int64_t tenant, const char *key);
/* Sets app->id and app->app_secret. A NULL app_secret keeps the stored one,
 * or takes 'new_secret' for a new app. ERR_CONFLICT: another tenant's app. */
enum err store_fs_app_upsert(struct store *s, struct arena *a, struct fs_app_row *app,
                             const char *new_secret);
enum err store_fs_app_list(struct store *s, struct arena *a, int64_t tenant,
                           struct fs_app_row **rows, size_t *n);
/* Returns the open_id of (app, person), inserting 'candidate' if none. */
enum err store_fs_open_id_ensure(struct store *s, struct arena *a, int64_t app, int64_t person,
                                 const char *candidate, char **open_id);

/* WeCom identity: corpid and app secrets. */
enum err store_wc_corp_get(struct store *s, struct arena *a, int64_t tenant, char **corpid);
enum err store_wc_corp_find(struct store *s, struct arena *a, const char *corpid,
                            int64_t *tenant);
enum err store_wc_corp_set(struct store *s, int64_t tenant, const char *corpid);
enum err store_wc_secret_add(struct store *s, int64_t tenant, const char *secret);
/* A corpid's tenant and a secret's row in one read: ERR_NOT_FOUND for no
 * such corpid; out->id 0 for no such secret (of any tenant). */
enum err store_wc_credential_find(struct store *s, struct arena *a, const char *corpid,
                                  const char *secret, int64_t *tenant, struct wc_secret_row *out);
enum err store_wc_secret_find(struct store *s, struct arena *a, const char *secret,
                              struct wc_secret_row *out);
enum err store_wc_secret_list(struct store *s, struct arena *a, int64_t tenant,
                              struct wc_secret_row **rows, size_t *n);

/* Udesk identity. A NULL admin_password keeps the stored one. */
enum err store_udesk_get(struct store *s, struct arena *a, int64_t tenant, struct udesk_row *out);
enum err store_udesk_set(struct store *s, const struct udesk_row *u);
/* Subdomains compare case-insensitively. */
enum err store_udesk_by_subdomain(struct store *s, struct arena *a, const char *subdomain,
                                  struct udesk_row *out);
/* The companies whose admin is 'email', at most 'max', in tenant order. */
enum err store_udesk_by_email(struct store *s, struct arena *a, const char *email, size_t max,
                              struct udesk_row **rows, size_t *n);
/* The person of 'tenant' with Udesk agent id 'agent'. */
enum err store_person_by_agent(struct store *s, struct arena *a, int64_t tenant, int64_t agent,
                               struct person_row *out);

/* Single-use nonces. insert is ERR_CONFLICT when (tenant, nonce) is recorded
 * already; purge forgets the tenant's nonces that expired at or before 'now'. */
enum err store_nonce_insert(struct store *s, int64_t tenant, const char *nonce,
                            int64_t expires_at);
enum err store_nonce_purge(struct store *s, int64_t tenant, int64_t now);
/* The open write transaction's commit need not wait for its flush to disk
 * (PostgreSQL: synchronous_commit off for it alone, sent with its next
 * statement; SQLite: nothing, its group's commit is shared). For a
 * transaction whose only write is a signed read's nonce (docs/reliability.md,
 * "Nonces of signed reads"). */
enum err store_commit_unflushed(struct store *s);

/* Access tokens. */
enum err store_token_insert(struct store *s, const struct token_row *t);
enum err store_token_get(struct store *s, struct arena *a, const char *token,
                         struct token_row *out);
/* The newest token of (kind, principal) still valid at 'now'. */
enum err store_token_live(struct store *s, struct arena *a, int kind, int64_t principal,
                          int64_t now, struct token_row *out);

/* Feishu apps, people by id kind, chats and members (store_fs.c). */
enum err store_fs_app_by_app_id(struct store *s, struct arena *a, const char *app_id,
                                struct fs_app_row *out);
enum err store_fs_app_get(struct store *s, struct arena *a, int64_t id, struct fs_app_row *out);
/* The app secret of a row those two read, opened (only the login needs it). */
enum err store_fs_app_secret(struct store *s, struct arena *a, const struct fs_app_row *app,
                             const char **secret);
/* Finds a person of 'tenant' by an id of 'kind' ("open_id" of 'app',
 * "union_id", "user_id"). */
enum err store_fs_person_find(struct store *s, struct arena *a, int64_t tenant, int64_t app,
                              const char *kind, const char *id, struct person_row *out);
enum err store_person_get(struct store *s, struct arena *a, int64_t id, struct person_row *out);
enum err store_fs_open_id_get(struct store *s, struct arena *a, int64_t app, int64_t person,
                              char **open_id);
enum err store_fs_chat_insert(struct store *s, struct fs_chat_row *c); /* sets c->id */
enum err store_fs_chat_get(struct store *s, struct arena *a, const char *chat_id,
                           struct fs_chat_row *out);
enum err store_fs_chat_by_id(struct store *s, struct arena *a, int64_t id, struct fs_chat_row *out);
/* A chat as one actor opens it, in one statement: the row, its tenant's
 * Feishu key (NULL: none set) and the actor's member row ('member'). */
struct fs_chat_open {
    struct fs_chat_row chat;
    const char *tenant_key;
    struct fs_member_row me;
    bool member;
};
enum err store_fs_chat_open(struct store *s, struct arena *a, const char *chat_id,
                            const struct actor *who, struct fs_chat_open *out);
enum err store_fs_chat_update(struct store *s, const struct fs_chat_row *c);
/* Chats 'who' is a member of (or, with 'public_tenant' > 0, also the public
 * chats of that tenant), group and topic mode, in (active_at, id) order when
 * 'by_active' (descending) else by id, after the keyset position. */
enum err store_fs_chat_list(struct store *s, struct arena *a, const struct actor *who,
                            int64_t public_tenant, bool by_active, int64_t after_active,
                            int64_t after_id, int64_t limit, struct fs_chat_row **rows,
                            size_t *n);
/* The p2p chats 'bot' is in, by id after 'after'. */
enum err store_fs_p2p_list(struct store *s, struct arena *a, const struct actor *bot, int64_t after,
                           int64_t limit, struct fs_chat_row **rows, size_t *n);
/* Adds a member unless present (then a no-op) and keeps the chat's counts. */
enum err store_fs_member_add(struct store *s, int64_t chat, const struct fs_member_row *m);
enum err store_fs_member_get(struct store *s, int64_t chat, const struct actor *who,
                             struct fs_member_row *out);
enum err store_fs_member_set(struct store *s, int64_t chat, const struct fs_member_row *m);
enum err store_fs_member_list(struct store *s, struct arena *a, int64_t chat,
                              struct fs_member_row **rows, size_t *n);
/* Only the members of one kind (the bots an event goes to, say). */
enum err store_fs_member_list_kind(struct store *s, struct arena *a, int64_t chat,
                                   enum actor_kind kind, struct fs_member_row **rows, size_t *n);
/* The chat's maintained user and bot counts; either pointer may be NULL. */
enum err store_fs_member_counts(struct store *s, int64_t chat, int64_t *users, int64_t *bots);
/* The counts with 'tenant''s own chat size limit (0: none) in one read. */
enum err store_fs_member_room(struct store *s, int64_t chat, int64_t tenant, int64_t *users,
                              int64_t *bots, int64_t *limit);
enum err store_fs_member_delete(struct store *s, int64_t chat, const struct actor *who);
/* A user member with the ids an app sees it by, for member lists. */
struct fs_member_person {
    int64_t seq;
    int64_t person;
    const char *user_id, *union_id, *open_id, *name;
};

/* User members in join order after sequence number 'after', with their
 * names and ids (open_id as 'app' sees them), in one query. */
enum err store_fs_member_people(struct store *s, struct arena *a, int64_t chat, int64_t app,
                                int64_t after, int64_t limit, struct fs_member_person **rows,
                                size_t *n);

enum err store_fs_manager_list(struct store *s, struct arena *a, int64_t chat,
                               struct fs_member_row **rows, size_t *n);
/* The tenant's chat size limit; 0 when it has none of its own. */
enum err store_fs_member_limit_get(struct store *s, int64_t tenant, int64_t *limit);
enum err store_fs_member_limit_set(struct store *s, int64_t tenant, int64_t limit);
/* Whether a member person's name contains 'needle' (lower-cased ASCII). */
enum err store_fs_member_name_match(struct store *s, struct arena *a, int64_t chat,
                                    const char *needle, bool *match);
enum err store_fs_uuid_get(struct store *s, int64_t tenant, const char *uuid, const char *owner_key,
                           int64_t since, int64_t *chat);
enum err store_fs_uuid_put(struct store *s, int64_t tenant, const char *uuid, const char *owner_key,
                           int64_t chat, int64_t now);
enum err store_fs_code_put(struct store *s, const char *code, int64_t tenant, int64_t app,
                           int64_t person, int64_t expires_at);
/* Marks an unused, unexpired code used and returns its app and person. */
enum err store_fs_code_take(struct store *s, struct arena *a, const char *code, int64_t now,
                            int64_t *tenant, int64_t *app, int64_t *person);
enum err store_token_delete(struct store *s, const char *token);
enum err store_outbox_add(struct store *s, const struct outbox_row *o);
/* A tenant's outbox records with id > after, oldest first. */
enum err store_outbox_list(struct store *s, struct arena *a, int64_t tenant, int64_t after,
                           int64_t limit, struct outbox_row **rows, size_t *n);

/* Share links (expires_at 0: permanent) and pending invitations. */
enum err store_fs_link_put(struct store *s, const char *token, int64_t chat, int64_t expires_at,
                           const struct actor *creator, int64_t now);
enum err store_fs_link_get(struct store *s, const char *token, int64_t *chat, int64_t *expires_at,
                           struct actor *creator);
enum err store_fs_pending_put(struct store *s, int64_t chat, int64_t person,
                              const struct actor *inviter, int64_t now);
/* Removes a pending invitation, returning who invited; ERR_NOT_FOUND if none. */
enum err store_fs_pending_take(struct store *s, int64_t chat, int64_t person, struct actor *inviter);

/* Chat tabs, menus and the announcement (store_fs_extras.c). Lists come
 * in position order. */
enum err store_fs_tab_list(struct store *s, struct arena *a, int64_t chat, struct fs_tab_row **rows,
                           size_t *n);
enum err store_fs_tab_insert(struct store *s, int64_t chat, const struct fs_tab_row *t);
enum err store_fs_tab_update(struct store *s, const struct fs_tab_row *t); /* by id */
enum err store_fs_tab_delete(struct store *s, int64_t id);
enum err store_fs_menu_list(struct store *s, struct arena *a, int64_t chat,
                            struct fs_menu_row **rows, size_t *n);
enum err store_fs_menu_insert(struct store *s, int64_t chat, struct fs_menu_row *m); /* sets id */
enum err store_fs_menu_update(struct store *s, const struct fs_menu_row *m);   /* by id */
enum err store_fs_menu_delete(struct store *s, int64_t id); /* and its children */
enum err store_fs_announcement_get(struct store *s, struct arena *a, int64_t chat,
                                   struct fs_announcement_row *out);
enum err store_fs_announcement_put(struct store *s, int64_t chat,
                                   const struct fs_announcement_row *an);

/* Retention (store_retention.c): one pass of batched deletes, in the
 * caller's write transaction. Goes: settled outbox records (not pending)
 * created before 'older_than' or older than the newest 'events_max' records,
 * with their attempts; tokens, OAuth codes and share links that expired
 * before 'older_than'; nonces expired at 'now'; chat-create idempotency
 * records made before 'uuid_older_than'. 0 turns off 'older_than' and
 * 'events_max'. Each statement deletes at most 'batch' rows; '*more' says
 * one was full. Safe on several nodes at once. */
struct store_retention {
    int64_t now, older_than, uuid_older_than;
    int64_t events_max, batch;
};
enum err store_retention_pass(struct store *s, const struct store_retention *p,
                              int64_t *deleted, bool *more);
/* Event subscriptions and delivery (store_events.c). */
/* A chat's bots in join order, each with its subscription's event types
 * (NULL: it has no subscription). */
struct fs_bot_sub {
    int64_t app;
    const char *types;
};
enum err store_fs_bot_subscriptions(struct store *s, struct arena *a, int64_t chat,
                                    struct fs_bot_sub **rows, size_t *n);
enum err store_fs_subscription_get(struct store *s, struct arena *a, int64_t app,
                                   struct fs_subscription_row *out);
enum err store_fs_subscription_set(struct store *s, const struct fs_subscription_row *sub);
enum err store_fs_subscription_delete(struct store *s, int64_t app);
/* Leases up to 'limit' due records (state pending, next_at and lease past
 * 'now') until 'lease_until', oldest first, none while 'per_app' older
 * records of the same app wait for their first attempt or are in flight:
 * first attempts start in commit order, at most 'per_app' at once per app.
 * A record leased by one node is not leased by another until the lease runs
 * out. */
enum err store_outbox_claim(struct store *s, struct arena *a, int64_t now, int64_t lease_until,
                            int64_t limit, int64_t per_app, struct outbox_row **rows, size_t *n);
/* Records the outcome of an attempt and the record's new state. */
enum err store_outbox_settle(struct store *s, const struct outbox_row *o,
                             const struct outbox_attempt_row *at);
enum err store_outbox_by_event_id(struct store *s, struct arena *a, const char *event_id,
                                  struct outbox_row *out);
enum err store_outbox_attempts(struct store *s, struct arena *a, int64_t outbox,
                               struct outbox_attempt_row **rows, size_t *n);
/* Makes a record due again now (a redelivery on request). */
enum err store_outbox_requeue(struct store *s, int64_t outbox, int64_t now);
/* Holds a leased record until 'until' (a delivery held back on purpose). */
enum err store_outbox_lease(struct store *s, int64_t outbox, int64_t until);
/* How many outbox records are in each state (for /metrics). */
struct outbox_states {
    int64_t pending, delivered, failed, skipped;
};
enum err store_outbox_states(struct store *s, struct outbox_states *out);

/* Rate-limit counts shared by the nodes on one database (store_rate.c):
 * one total per (key, window) of every node's pushed calls. Only a
 * database several nodes can share (PostgreSQL) has them. */
struct rate_share;
/* Adds each entry's 'n' to the total of its (key, window), in the order
 * given (callers keep one order, so two nodes never wait on each other). */
enum err store_rate_add(struct store *s, const struct rate_share *sh, size_t n);
/* The totals of every window still open at 'now_ms' (unix milliseconds). */
enum err store_rate_open(struct store *s, struct arena *a, int64_t now_ms,
                         struct rate_share **rows, size_t *n);
/* Forgets the windows that ended before 'before_ms'. */
enum err store_rate_purge(struct store *s, int64_t before_ms);

/* Knowledge-base categories, scoped by (tenant, space). */
enum err store_kb_cat_insert(struct store *s, struct kb_cat_row *c); /* sets c->id */
/* Inserts 'c' (a unique name, no parent) unless its name is taken in its
 * space or the space holds 'max_count' already: one statement. '*made' says
 * whether it did (and set c->id). */
enum err store_kb_cat_insert_counted(struct store *s, struct kb_cat_row *c, int64_t max_count,
                                     bool *made);
enum err store_kb_cat_get(struct store *s, struct arena *a, int64_t tenant, const char *space,
                          const char *ext_id, struct kb_cat_row *out);
enum err store_kb_cat_get_id(struct store *s, struct arena *a, int64_t tenant,
                             const char *space, int64_t id, struct kb_cat_row *out);
enum err store_kb_cat_by_name(struct store *s, struct arena *a, int64_t tenant,
                              const char *space, const char *name, struct kb_cat_row *out);
/* The space's categories, and the id of the one called 'name' (0: none) in
 * the same read. */
enum err store_kb_cat_count(struct store *s, int64_t tenant, const char *space, const char *name,
                            int64_t *n, int64_t *named);
enum err store_kb_cat_rename(struct store *s, int64_t id, const char *name);
enum err store_kb_cat_move(struct store *s, int64_t id, int64_t parent); /* 0: top level */
/* Deletes the category and every category below it. */
enum err store_kb_cat_delete(struct store *s, int64_t id);
/* Rows of one (type, owner) with id > after, in id order, at most 'limit'. */
enum err store_kb_cat_list(struct store *s, struct arena *a, int64_t tenant, const char *space,
                           const char *type, int64_t owner, int64_t after, int64_t limit,
                           struct kb_cat_row **rows, size_t *n);
/* Every row of one (type, owner) in id order, with only id, parent_id and
 * name set (the rest zero): what one tree's listing shows. */
enum err store_kb_cat_tree(struct store *s, struct arena *a, int64_t tenant, const char *space,
                           const char *type, int64_t owner, struct kb_cat_row **rows, size_t *n);
/* The ids from 'id' up to its top-level ancestor, 'id' first; at most
 * 'max' of them (a longer path stops there). */
enum err store_kb_cat_path(struct store *s, struct arena *a, int64_t id, int64_t max,
                           int64_t **ids, size_t *n);
/* Levels in the subtree of 'id': 1 for a category without children; counting
 * stops at 'max'. */
enum err store_kb_cat_height(struct store *s, int64_t id, int64_t max, int64_t *height);

/* Knowledge items (store_kb_item.c), scoped by (tenant, space). */
enum err store_kb_item_insert(struct store *s, struct kb_item_row *it); /* sets it->id */
/* Writes every changeable column of row it->id. */
enum err store_kb_item_update(struct store *s, const struct kb_item_row *it);
enum err store_kb_item_delete(struct store *s, int64_t id);
/* Deletes every item of one category. */
enum err store_kb_item_delete_in(struct store *s, int64_t category);
enum err store_kb_item_get(struct store *s, struct arena *a, int64_t tenant, const char *space,
                           const char *ext_id, struct kb_item_row *out);
enum err store_kb_item_get_id(struct store *s, struct arena *a, int64_t tenant,
                              const char *space, int64_t id, struct kb_item_row *out);
enum err store_kb_item_by_title(struct store *s, struct arena *a, int64_t tenant,
                                const char *space, const char *title, struct kb_item_row *out);
enum err store_kb_item_count(struct store *s, const struct kb_item_filter *f, int64_t *n);
/* Items of 'f' with id > after, in id order, skipping 'offset', at most 'limit';
 * and, when 'total' is not NULL, the count of all items of 'f' (as
 * store_kb_item_count), read by the same statement. */
enum err store_kb_item_list(struct store *s, struct arena *a, const struct kb_item_filter *f,
                            int64_t after, int64_t offset, int64_t limit,
                            struct kb_item_row **rows, size_t *n, int64_t *total);

/* WeCom temporary media (store_kb_item.c). */
struct wc_media_row {
    int64_t tenant_id;
    const char *media_id, *type, *name;
    int64_t size, created_at, expires_at;
};
enum err store_wc_media_insert(struct store *s, const struct wc_media_row *m);
enum err store_wc_media_get(struct store *s, struct arena *a, int64_t tenant,
                            const char *media_id, struct wc_media_row *out);

/* Feishu messages, uploads, long connections and the directory. */
#include "store/store_fs.h"

#endif
