/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_console.h - what the web console reads beyond the control room's
 * calls (svc_console.c): a tenant's chats and people, a chat with its
 * settings, tabs, menus and members, and its timeline, a page at a time.
 * Pages answer {"items": [...], "next"?: N}: pass next as 'after'.
 */
#ifndef QZ_SVC_CONSOLE_H
#define QZ_SVC_CONSOLE_H

#include "svc/svc.h"

enum err svc_console_chats(struct svc_ctx *c, int64_t tenant, int64_t after, int64_t limit,
                           json_t **out);
enum err svc_console_people(struct svc_ctx *c, int64_t tenant, int64_t after, int64_t limit,
                            json_t **out);
/* The tenant's departments by creation: the seeded fields (name, ...) with
 * department_id, open_department_id and parent_department_id ("0": the root). */
enum err svc_console_depts(struct svc_ctx *c, int64_t tenant, int64_t after, int64_t limit,
                           json_t **out);
/* {"type": "user"|"bot", "id": user_id|app_id, "name"} of a person or a bot. */
json_t *svc_console_actor(struct svc_ctx *c, const struct actor *who);
/* One chat of any tenant, by chat_id; sets c->tenant to its tenant. */
enum err svc_console_chat(struct svc_ctx *c, const char *chat_id, json_t **out);
enum err svc_console_members(struct svc_ctx *c, const char *chat_id, int64_t after,
                             int64_t limit, json_t **out);
/* A Feishu app of any tenant: {"app_id", "name", "scopes"
 * (as the seed named them; "*": the default), "contact_range" ("all" or
 * {"departments", "users"})}. */
enum err svc_console_app(struct svc_ctx *c, const char *app_id, json_t **out);
/* A page of the chat's timeline (thread_id NULL) or of one of its threads,
 * newest first, before the row (before_ms, before) (before 0: from the
 * newest); '*more' when older ones remain. Sets c->tenant to the chat's. */
enum err svc_console_messages(struct svc_ctx *c, const char *chat_id, const char *thread_id,
                              int64_t before_ms, int64_t before, int64_t limit,
                              struct fs_msg_row **rows, size_t *n, bool *more);
/* The reactions on a page of svc_console_messages (its thread_id, rows and
 * n), read in one statement: into[i] is set to a new array of rows[i]'s, in
 * the order they were added: [{"reaction_id", "emoji_type", "operator":
 * (as svc_console_actor), "action_time" (ms, a string)}]. */
enum err svc_console_reactions(struct svc_ctx *c, const char *thread_id,
                               const struct fs_msg_row *rows, size_t n, json_t **into);

#endif
