/* SPDX-License-Identifier: MIT */
/*
 * store/store_fs.h - Feishu store operations: messages, uploaded images and
 * files, long connections, the directory. Part of store.h (which includes it);
 * include store.h.
 */
#ifndef QZ_STORE_FS_H
#define QZ_STORE_FS_H

#include "store/store.h"

/* Feishu messages (store_fs_msg.c). Rows read back also carry the chat's
 * chat_id and the root and parent messages' message_ids (NULL: none). */
struct fs_msg_row {
    int64_t id; /* also the keyset position */
    int64_t tenant_id;
    const char *message_id;
    int64_t chat; /* the fs_chat row */
    struct actor sender;
    const char *msg_type;
    const char *content;  /* as sent, normalised JSON text */
    const char *body;     /* as read back, JSON text */
    const char *mentions; /* JSON array of the resolved mentions */
    int64_t root, parent; /* message rows; 0: not a reply */
    const char *thread_id; /* NULL: not in a thread */
    bool in_chat;          /* listed with its chat (not a reply inside a thread) */
    int64_t created_ms, updated_ms;
    bool updated, deleted;
    int64_t edits;
    const char *chat_id, *root_id, *parent_id;
    int64_t upper;        /* a part of this merged message (row); 0: none */
    const char *upper_id; /* its message_id; NULL: none */
};

/* One page of a chat (thread_id NULL) or a thread, created within
 * [from_ms, to_ms], after the row (after_ms, after) in the page's order
 * (after 0: from the start). */
struct fs_msg_page {
    int64_t chat;
    const char *thread_id;
    int64_t from_ms, to_ms;
    bool desc;
    int64_t after_ms, after, limit;
};

enum err store_fs_msg_insert(struct store *s, struct fs_msg_row *m); /* sets m->id */
enum err store_fs_msg_get(struct store *s, struct arena *a, const char *message_id,
                          struct fs_msg_row *out);
/* Writes msg_type, content, body, mentions, thread_id, updated_ms, the
 * flags and the edit count. */
enum err store_fs_msg_update(struct store *s, const struct fs_msg_row *m);
/* The chat was active at 'now' (seconds): moves its active_at forward, and
 * only that column, so a send needs no lock against the chat's editors. */
enum err store_fs_chat_touch(struct store *s, int64_t chat, int64_t now);
enum err store_fs_msg_page(struct store *s, struct arena *a, const struct fs_msg_page *q,
                           struct fs_msg_row **rows, size_t *n);
/* The parts of merged message row 'upper', in merge order. */
enum err store_fs_msg_parts(struct store *s, struct arena *a, int64_t upper,
                            struct fs_msg_row **rows, size_t *n);
/* A person's reading of a message (store_fs_msg_read.c). */
struct fs_read_row {
    int64_t person, read_ms;
};
/* Records that 'person' read message row 'message' at 'read_ms'; '*first'
 * tells whether this is the first time (an earlier reading is kept). */
enum err store_fs_read_put(struct store *s, int64_t tenant, int64_t message, int64_t person,
                           int64_t read_ms, bool *first);
/* When 'person' read 'message': ERR_NOT_FOUND if it has not. */
enum err store_fs_read_get(struct store *s, int64_t message, int64_t person, int64_t *read_ms);
/* Up to 'limit' readers of 'message' in (read_ms, person) order after
 * (after_ms, after); after 0: from the first. */
enum err store_fs_read_page(struct store *s, struct arena *a, int64_t message, int64_t after_ms,
                            int64_t after, int64_t limit, struct fs_read_row **rows, size_t *n);
/* One buzz of one person ("urgent_app", "urgent_sms", "urgent_phone"). */
struct fs_buzz_row {
    int64_t id, tenant_id, message, person, app;
    const char *kind; /* "app", "sms" or "phone" */
    int64_t created_ms;
};
enum err store_fs_buzz_add(struct store *s, struct fs_buzz_row *b); /* sets b->id */
/* How many of the buzzes 'person' got are on messages it has not read. */
enum err store_fs_buzz_unread(struct store *s, int64_t person, int64_t *n);
/* How many SMS and phone buzzes 'tenant' sent since 'since_ms'. */
enum err store_fs_buzz_paid(struct store *s, int64_t tenant, int64_t since_ms, int64_t *n);
/* Every buzz of message row 'message', oldest first. */
enum err store_fs_buzz_list(struct store *s, struct arena *a, int64_t message,
                            struct fs_buzz_row **rows, size_t *n);
/* The chat's latest message; ERR_NOT_FOUND if it has none. */
enum err store_fs_msg_last(struct store *s, struct arena *a, int64_t chat,
                           struct fs_msg_row *out);
/* The message a sender's uuid key named after 'since' (unix seconds). */
enum err store_fs_msg_uuid_get(struct store *s, struct arena *a, int64_t tenant,
                               const struct actor *sender, const char *uuid, int64_t since,
                               char **message_id);
enum err store_fs_msg_uuid_put(struct store *s, int64_t tenant, const struct actor *sender,
                               const char *uuid, int64_t message, int64_t now);
/* The person of 'tenant' with this e-mail address. */
enum err store_person_by_email(struct store *s, struct arena *a, int64_t tenant,
                               const char *email, struct person_row *out);
/* The p2p chat of an app's bot and a person; ERR_NOT_FOUND if none. */
enum err store_fs_p2p_find(struct store *s, int64_t app, int64_t person, int64_t *chat);

/* Reactions and pins of messages (store_fs_react.c). */
struct fs_reaction_row {
    int64_t id; /* also the keyset position */
    int64_t tenant_id;
    const char *reaction_id;
    int64_t message; /* the fs_message row */
    const char *emoji_type;
    struct actor op;
    int64_t created_ms;
};
enum err store_fs_reaction_insert(struct store *s, struct fs_reaction_row *r); /* sets r->id */
/* By reaction_id; ERR_NOT_FOUND if none. */
enum err store_fs_reaction_get(struct store *s, struct arena *a, const char *reaction_id,
                               struct fs_reaction_row *out);
/* The operator's reaction of 'emoji_type' on a message; ERR_NOT_FOUND if none. */
enum err store_fs_reaction_find(struct store *s, struct arena *a, int64_t message,
                                const struct actor *op, const char *emoji_type,
                                struct fs_reaction_row *out);
enum err store_fs_reaction_delete(struct store *s, int64_t id);
/* A page of a message's reactions (of one emoji type, or every one with
 * NULL) in the order they were added, after row 'after' (0: from the start). */
enum err store_fs_reaction_page(struct store *s, struct arena *a, int64_t message,
                                const char *emoji_type, int64_t after, int64_t limit,
                                struct fs_reaction_row **rows, size_t *n);

struct fs_pin_row {
    int64_t message; /* the fs_message row; a message is pinned at most once */
    int64_t tenant_id, chat;
    struct actor op;
    int64_t created_ms;
    const char *message_id, *chat_id; /* read back */
};
/* The pin of a message; ERR_NOT_FOUND if it has none. */
enum err store_fs_pin_get(struct store *s, struct arena *a, int64_t message,
                          struct fs_pin_row *out);
enum err store_fs_pin_insert(struct store *s, const struct fs_pin_row *p);
enum err store_fs_pin_delete(struct store *s, int64_t message);
/* A page of a chat's pins of live (not recalled) messages, pinned within
 * [from_ms, to_ms], newest first: (created_ms, message) descending, after
 * the row (after_ms, after) (after 0: from the start). */
struct fs_pin_page {
    int64_t chat, from_ms, to_ms, after_ms, after, limit;
};
enum err store_fs_pin_page(struct store *s, struct arena *a, const struct fs_pin_page *q,
                           struct fs_pin_row **rows, size_t *n);

/* Uploaded images and files (store_blob.c): a key's row, and its bytes in
 * a file named by their SHA-256 under an upload directory. */
struct fs_res_row {
    int64_t id, tenant_id;
    const char *key;      /* img_v3_... / file_v3_... */
    int64_t app;          /* the uploading app */
    const char *kind;     /* "image" or "file" */
    const char *sub_type; /* image_type (message, avatar) or file_type (opus, mp4, ...) */
    const char *file_name, *mime, *sha256;
    int64_t duration, size, created_at;
};
/* The bytes' name: the hex SHA-256. */
enum err store_blob_hash(struct arena *a, const void *data, size_t len, const char **sha256);
/* Writes the bytes under DIR/ab/<sha256> (temporary name, fsync, rename):
 * a file there is always whole. Call it after store_blob_put, in the same
 * transaction. */
enum err store_blob_write(struct arena *a, const char *dir, const char *sha256, const void *data,
                          size_t len);
/* ERR_STORE when the file is not there (logged: upload_dir not shared). */
enum err store_blob_read(struct arena *a, const char *dir, const char *sha256,
                         const unsigned char **data, size_t *len);
/* Removes the file of a blob whose row this transaction inserted and will
 * not commit. */
void store_blob_remove(struct arena *a, const char *dir, const char *sha256);
/* The bytes every blob row counts, and a blob's row ('*added': this
 * transaction inserted it; one that inserted it and has not ended yet is
 * waited for). */
enum err store_blob_total(struct store *s, int64_t *total);
enum err store_blob_put(struct store *s, const char *sha256, int64_t size, int64_t now,
                        bool *added);
/* One shard (DIR/xx, xx = 'shard' in hex) of the sweep: removes the
 * temporary files last modified before 'tmp_before' (unix seconds) and the
 * files no fs_blob row names, counting them in '*removed'. Inside a write
 * transaction the caller ROLLS BACK (it claims the orphans' rows). */
enum err store_blob_sweep(struct store *s, const char *dir, int shard, int64_t tmp_before,
                          int64_t *removed);
/* Whether shard 'shard' of DIR holds any file (a sweep of it has work). */
bool store_blob_shard_used(const char *dir, int shard);
enum err store_fs_res_insert(struct store *s, struct fs_res_row *res); /* sets res->id */
enum err store_fs_res_get(struct store *s, struct arena *a, const char *key,
                          struct fs_res_row *out);


/* Long-connection events (store_ws.c). */
struct fs_ws_conn_row {
    const char *id; /* the device_id of the bootstrap that opened it */
    int64_t app;
    const char *node;
    int64_t since, last_ping, delivered, unacked, seen_at;
    bool silenced, kick;
};
/* Bootstrap tickets: single use; ticket and access key kept as digests.
 * take deletes and returns the ticket's row (whether 'access_key' is its
 * key in '*key_ok'), ERR_NOT_FOUND if there is none. */
enum err store_fs_ws_ticket_add(struct store *s, const char *ticket, int64_t app,
                                const char *device_id, const char *access_key,
                                int64_t expires_at);
enum err store_fs_ws_ticket_take(struct store *s, struct arena *a, const char *ticket,
                                 const char *access_key, int64_t *app, const char **device_id,
                                 bool *key_ok, int64_t *expires_at);
enum err store_fs_ws_conn_add(struct store *s, const struct fs_ws_conn_row *c);
enum err store_fs_ws_conn_delete(struct store *s, const char *id);
/* The counters and heartbeat of a connection (not its flags). */
enum err store_fs_ws_conn_update(struct store *s, const struct fs_ws_conn_row *c);
/* An app's connections (every node) seen at or after 'live_after'. */
enum err store_fs_ws_conn_list(struct store *s, struct arena *a, int64_t app, int64_t live_after,
                               struct fs_ws_conn_row **rows, size_t *n);
/* A node's connections, flags included. */
enum err store_fs_ws_conn_of_node(struct store *s, struct arena *a, const char *node,
                                  struct fs_ws_conn_row **rows, size_t *n);
/* Sets 'kick' and/or 'silenced' (-1: unchanged) of one connection of 'app'
 * (id NULL: every one seen after 'live_after'); '*n' how many matched. */
enum err store_fs_ws_conn_flag(struct store *s, int64_t app, const char *id, int64_t live_after,
                               int kick, int silenced, size_t *n);
/* Forgets the rows of nodes not heard of since 'before'. */
enum err store_fs_ws_conn_lapse(struct store *s, int64_t before);
/* Rehearsals of an app's delivery: every event twice, or late. */
enum err store_fs_delivery_opt_get(struct store *s, int64_t app, bool *duplicate,
                                   int64_t *delay_ms);
enum err store_fs_delivery_opt_set(struct store *s, int64_t app, bool duplicate,
                                   int64_t delay_ms);
/* Whether 'app' has a record due at 'now' (a read: the claim, a write
 * transaction, runs only then). */
enum err store_outbox_due_app(struct store *s, int64_t app, int64_t now, bool *due);
/* store_outbox_claim for the long connections of one app (mode
 * long_connection; the webhook claim leaves these apps alone). */
enum err store_outbox_claim_app(struct store *s, struct arena *a, int64_t app, int64_t now,
                                int64_t lease_until, int64_t limit, struct outbox_row **rows,
                                size_t *n);


/* The Feishu directory and what each app holds (store_contact.c;
 * the contact v3 pages). A department's parent is a row id, 0 for the root; its
 * 'detail' is JSON text (name, i18n_name, leader_user_id, chat_id, ...). */
struct fs_dept_row {
    int64_t id, tenant_id;
    const char *department_id, *open_department_id;
    int64_t parent;
    int64_t order; /* smaller first among siblings */
    const char *detail;
};
/* A person's directory profile: JSON text of the user fields of contact v3
 * beyond person_row; the mobile and whether the person resigned are
 * columns, for lookups. */
struct fs_profile_row {
    int64_t person;
    const char *mobile; /* NULL if none */
    bool resigned;
    const char *profile;
};
/* A person in a department (0: directly under the root), 'pos' 0 for the
 * primary one. */
struct fs_membership_row {
    int64_t person, dept, pos, user_order, department_order;
};
/* What an app holds: its granted scopes (space-separated) and contact data
 * range (JSON text), NULL for the defaults, and its bot's open_id; with the
 * app's app_id and name. */
struct fs_access_row {
    int64_t app;
    const char *scopes, *contact_range, *bot_open_id;
    const char *app_id, *name;
    /* The app's tenant and its Feishu key as the same read saw them (the
     * key NULL when it has none, and from svc's node cache). */
    int64_t tenant;
    const char *tenant_key;
};

/* Upserts by (tenant, department_id); a new row takes d->open_department_id.
 * Sets d->id (and d->open_department_id to the kept one). */
enum err store_fs_dept_upsert(struct store *s, struct arena *a, struct fs_dept_row *d);
/* Every department of the tenant, by (order, id). */
enum err store_fs_dept_list(struct store *s, struct arena *a, int64_t tenant,
                            struct fs_dept_row **rows, size_t *n);
enum err store_fs_profile_set(struct store *s, const struct fs_profile_row *p);
enum err store_fs_profile_get(struct store *s, struct arena *a, int64_t person,
                              struct fs_profile_row *out);
/* Replaces the person's memberships ('pos' is the index given). */
enum err store_fs_membership_set(struct store *s, int64_t person,
                                 const struct fs_membership_row *rows, size_t n);
enum err store_fs_membership_of(struct store *s, struct arena *a, int64_t person,
                                struct fs_membership_row **rows, size_t *n);
/* Every membership of the tenant's people who have not resigned. */
enum err store_fs_membership_tenant(struct store *s, struct arena *a, int64_t tenant,
                                    struct fs_membership_row **rows, size_t *n);
/* One page of the direct members of 'dept' who have not resigned, larger
 * user_order first. */
enum err store_fs_membership_dept(struct store *s, struct arena *a, int64_t tenant, int64_t dept,
                                  int64_t offset, int64_t limit, struct fs_membership_row **rows,
                                  size_t *n);
/* The person of 'tenant' whose "email" (any ASCII case) or "mobile" is 'value'. */
enum err store_fs_person_by_contact(struct store *s, int64_t tenant, const char *kind,
                                    const char *value, int64_t *person);
enum err store_fs_access_get(struct store *s, struct arena *a, int64_t app,
                             struct fs_access_row *out);
/* Gives a new app its row (default scopes and range); a no-op otherwise. */
enum err store_fs_access_ensure(struct store *s, int64_t app, const char *bot_open_id);
/* Sets the scopes (or, with 'scopes' false, the contact range); NULL: the default. */
enum err store_fs_access_set(struct store *s, int64_t app, bool scopes, const char *value);
/* The scopes a person granted with an OAuth code or a user/refresh token,
 * kept by the secret's digest until 'expires_at' (expired ones are purged). */
enum err store_fs_grant_put(struct store *s, const char *secret, const char *scope,
                            int64_t expires_at, int64_t now);
enum err store_fs_grant_get(struct store *s, struct arena *a, const char *secret, char **scope);

#endif
