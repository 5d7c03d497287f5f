/* SPDX-License-Identifier: MIT */
/*
 * store/store_console.h - the pages the web console reads through the
 * admin API: a tenant's chats, people, and a chat's members, each by id
 * after a keyset position (store_console.c). Include store.h first.
 */
#ifndef QZ_STORE_CONSOLE_H
#define QZ_STORE_CONSOLE_H

#include "store/store.h"

/* Each row begins with its keyset key (svc_console.c reads it so). A chat
 * as a list shows it; a member's name is the person's or the app's. */
struct console_chat {
    int64_t id;
    const char *chat_id, *name, *chat_mode, *chat_type, *status;
    int64_t user_count, bot_count, created_at, active_at;
};

struct console_member {
    int64_t seq;
    enum actor_kind kind;
    int64_t ref; /* the person or app row */
    const char *id, *name; /* user_id or app_id */
    bool is_manager;
    int64_t joined_at;
};

struct console_dept {
    int64_t id;
    const char *department_id, *open_department_id;
    const char *parent_id; /* the parent's department_id; NULL: the root */
    const char *detail;    /* JSON text: name and the other seeded fields */
};

struct console_person {
    int64_t id;
    const char *user_id, *union_id, *name, *email;
};

/* The pages, each by its key ($1) after a keyset position:
 * CONSOLE_CHATS: every chat of a tenant (p2p and disbanded ones too) by
 * row id, struct console_chat; CONSOLE_MEMBERS: a chat's members of both
 * kinds in join order, struct console_member; CONSOLE_PEOPLE: a tenant's
 * people by row id, struct console_person; CONSOLE_DEPTS: a tenant's
 * departments by row id, struct console_dept. */
enum console_page { CONSOLE_CHATS, CONSOLE_MEMBERS, CONSOLE_PEOPLE, CONSOLE_DEPTS };

enum err store_console_page(struct store *s, struct arena *a, enum console_page which,
                            int64_t key, int64_t after, int64_t limit, void **rows, size_t *n);

/* A reaction as the timeline shows it: who by user_id or app_id and name. */
struct console_reaction {
    int64_t message; /* the message row */
    const char *reaction_id, *emoji_type;
    enum actor_kind kind;
    const char *id, *name;
    int64_t created_ms;
};

/* The messages of a timeline page, as one range of store_fs_msg_page's
 * order: those listed in chat row 'chat' (thread_id NULL) or of one thread,
 * from (lo_ms, lo) to (hi_ms, hi), both ends included. */
struct console_msg_range {
    int64_t chat;
    const char *thread_id;
    int64_t lo_ms, lo, hi_ms, hi;
};

/* Every reaction on the messages of 'q', in one statement: by message row,
 * then in the order they were added. */
enum err store_console_reactions(struct store *s, struct arena *a,
                                 const struct console_msg_range *q,
                                 struct console_reaction **rows, size_t *n);

#endif
