/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_feishu.h - the Feishu side of svc: chat members and extras,
 * messages, uploads, long connections, scopes and the directory. Part of
 * svc.h (which includes it); include svc.h.
 */
#ifndef QZ_SVC_FEISHU_H
#define QZ_SVC_FEISHU_H

#include "svc/svc.h"

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
 * the body one receiving app is sent (caller-owned JSON). */
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

/* --- forwards, read receipts, buzzes (svc_msg_fwd.c, svc_msg_read.c) --- */

/* A forward ("Forward a message") or a merge ("Merge and forward
 * messages") to (receive_id_type, receive_id): chat_id, thread_id, or a
 * person's id (their p2p chat with the bot). uuid NULL: none. */
struct msg_forward {
    const char *receive_id_type, *receive_id, *uuid;
    const char *message_id;      /* forward */
    const char *const *ids;      /* merge: the messages, 1 to 100 */
    size_t n;
};
/* Forwards one message as the bot: a copy in the target (a merged message
 * with its parts). Errors on the message: ERR_NOT_FOUND, ERR_GONE
 * (recalled), ERR_BAD_REQUEST (its type), ERR_FORBIDDEN (restricted chat),
 * all SUBJ_FORWARD; on the target: ERR_NOT_FOUND SUBJ_TARGET (a chat),
 * ERR_BAD_REQUEST SUBJ_TARGET (a person), ERR_NOT_FOUND SUBJ_THREAD. */
enum err svc_msg_forward(struct svc_ctx *c, const struct msg_op *o, const struct msg_forward *f,
                         struct fs_msg_row *out);
/* The ids of a merge that could not be merged (in the arena). */
struct msg_merge_result {
    const char **invalid;
    size_t ninvalid;
};
/* Merges messages of one chat into one merge_forward message in the target
 * (as svc_msg_forward; also ERR_CONFLICT SUBJ_FORWARD: several chats,
 * SUBJ_THREAD: threads mixed; no message mergeable: ERR_BAD_REQUEST when
 * no id named one, else ERR_GONE or ERR_NOT_FOUND SUBJ_FORWARD). */
enum err svc_msg_merge_forward(struct svc_ctx *c, const struct msg_op *o,
                               const struct msg_forward *f, struct fs_msg_row *out,
                               struct msg_merge_result *res);
/* The parts of merged message 'm' (none for other messages), nested ones
 * after the part that holds them; each names its holder in upper_id. */
enum err svc_msg_parts(struct svc_ctx *c, const struct fs_msg_row *m, struct fs_msg_row **rows,
                       size_t *n);

/* The body of im.message.message_read_v1 for the app whose bot sent 'm'. */
struct msg_read_event {
    json_t *(*body)(void *arg, int64_t app, const char *event_id, const struct fs_msg_row *m,
                    int64_t reader, int64_t read_ms);
    void *arg;
};
/* Person 'person' of c->tenant reads a message of a chat it is in. The
 * first reading is kept ('*first'); then a bot's p2p message tells its
 * app (im.message.message_read_v1, when the app holds im:message or
 * im:message:readonly). ERR_GONE (SUBJ_MESSAGE) recalled. */
enum err svc_msg_read(struct svc_ctx *c, int64_t person, const char *message_id,
                      const struct msg_read_event *ev, int64_t *read_ms, bool *first);
/* One page of the readers of the operator's own message, sent within 7
 * days ("Query the read status of a message"): ERR_FORBIDDEN SUBJ_SENDER
 * not its sender, ERR_EXPIRED SUBJ_READ too old, ERR_GONE recalled. */
enum err svc_msg_read_users(struct svc_ctx *c, const struct msg_op *o, const char *message_id,
                            int64_t after_ms, int64_t after, int64_t limit,
                            struct fs_read_row **rows, size_t *n, bool *more);
/* A buzz ("Send an urgent message in app / by SMS / by phone"): 'kind'
 * "app", "sms" or "phone"; ids of 'id_type' as app o->app names people.
 * Ids that name no member of the chat who has not read the message go
 * into res->invalid; none left is ERR_BAD_REQUEST. ERR_FORBIDDEN
 * SUBJ_SENDER (not the bot's message), SUBJ_URGENT (the chat's
 * urgent_setting); ERR_LIMIT SUBJ_USER (200 unread buzzes a person),
 * SUBJ_URGENT (SMS and phone over 'quota' in 30 days; 0: no quota). */
struct msg_urgent {
    const char *kind, *id_type;
    const char *const *ids;
    size_t n;
    int64_t quota;
};
enum err svc_msg_urgent(struct svc_ctx *c, const struct msg_op *o, const char *message_id,
                        const struct msg_urgent *u, struct msg_merge_result *res);
/* The buzzes of a message, for the admin API: people by user_id. */
struct msg_buzz {
    const char *user_id, *app_id, *kind;
    int64_t created_ms;
    bool read; /* the person has read the message since */
};
enum err svc_msg_buzzes(struct svc_ctx *c, const char *message_id, struct msg_buzz **out,
                        size_t *n);

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

/* --- reactions and pins of Feishu messages (svc_msg_react.c, svc_pins.c) --- */

/* Whether 'emoji_type' is one of "Emoji types" (case-sensitive). */
bool svc_reaction_type_known(const char *emoji_type);

/* Who reacts, as struct msg_op, and the body of a reaction event for one
 * receiving app (built by the dialect; NULL 'event': no events). */
struct reaction_op {
    struct actor op;
    int64_t app;
    json_t *(*event)(void *arg, int64_t app, const char *event_id,
                     const struct fs_reaction_row *r, const char *message_id, bool created,
                     int64_t action_ms);
    void *arg;
};
/* Adds the operator's reaction (the one there is when it reacted so
 * already) and writes im.message.reaction.created_v1. ERR_BAD_REQUEST
 * (SUBJ_REACTION) an unknown emoji type; the message's own errors
 * (SUBJ_MESSAGE: malformed, unknown, ERR_GONE recalled; SUBJ_MSG_TYPE a
 * system message); the chat's (membership, disbanded). */
enum err svc_reaction_add(struct svc_ctx *c, const struct reaction_op *o, const char *message_id,
                          const char *emoji_type, struct fs_reaction_row *out);
struct reaction_list {
    const char *message_id;
    const char *emoji_type; /* NULL: every type */
    int64_t after;          /* keyset: the last row's id; 0: from the start */
    int64_t limit;
};
enum err svc_reaction_list(struct svc_ctx *c, const struct reaction_op *o,
                           const struct reaction_list *q, struct fs_reaction_row **rows,
                           size_t *n, bool *has_more);
/* Deletes the operator's own reaction, named by 'reaction_id' or else by
 * its 'emoji_type', and writes im.message.reaction.deleted_v1: ERR_NOT_FOUND
 * (SUBJ_REACTION) none, ERR_CONFLICT (SUBJ_REACTION) a reaction of another
 * message, ERR_FORBIDDEN (SUBJ_REACTION) someone else's. '*out' is the
 * reaction deleted. */
enum err svc_reaction_delete(struct svc_ctx *c, const struct reaction_op *o,
                             const char *message_id, const char *reaction_id,
                             const char *emoji_type, struct fs_reaction_row *out);

/* Pins a message of a chat the operator is in: ERR_GONE (SUBJ_MESSAGE)
 * recalled, ERR_BAD_REQUEST (SUBJ_MSG_TYPE) a system message, ERR_FORBIDDEN
 * (SUBJ_PIN) pin_manage_setting only_owner and a plain member. Pinned
 * already: that pin. */
enum err svc_pin_add(struct svc_ctx *c, const struct actor *op, const char *message_id,
                     struct fs_pin_row *out);
/* Unpins (a message not pinned, or recalled, is no error). */
enum err svc_pin_remove(struct svc_ctx *c, const struct actor *op, const char *message_id);
struct pin_list {
    const char *chat_id;
    int64_t from_ms, to_ms;  /* inclusive */
    int64_t after_ms, after; /* keyset: the last row's (created_ms, message); after 0: none */
    int64_t limit;
};
/* A chat's pins newest first: ERR_BAD_REQUEST (SUBJ_NONE) from after to. */
enum err svc_pin_list(struct svc_ctx *c, const struct actor *op, const struct pin_list *q,
                      struct fs_pin_row **rows, size_t *n, bool *has_more);

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
/* Where uploaded bytes live: upload_dir, else beside a SQLite file, else
 * $TMPDIR/qunzu-uploads, which databases may share ('*shared': never swept). */
const char *svc_upload_dir(const struct config *cfg, struct arena *a, bool *shared);
/* The upload directory's shards, DIR/00 .. DIR/ff. */
#define UPLOAD_SHARDS 256
/* One step of the sweep of the upload directory (retention runs it):
 * 'shards' shard directories from '*cursor' on (which it advances) lose
 * their temporary files older than ten minutes and the files no key's row
 * names, counted in '*removed'. Only a directory of this database (its
 * owner file, written by the first sweep, names the database): ERR_CONFLICT
 * when another database's. A failed upload removes its own bytes; this
 * catches a commit that failed after the handler, or a crash. */
enum err svc_upload_sweep(struct store *st, const struct config *cfg, int *cursor, int shards,
                          int64_t *removed);
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
/* The app's delivery rehearsals, set or read: {"app_id", "duplicate", "delay_ms"}
 * (none set: false, 0). */
enum err svc_ws_delivery_set(struct svc_ctx *c, const char *app_id, bool duplicate,
                             int64_t delay_ms, json_t **out);
enum err svc_ws_delivery_get(struct svc_ctx *c, const char *app_id, json_t **out);

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
