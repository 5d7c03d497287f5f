/* SPDX-License-Identifier: MIT */
/*
 * svc/svc_msg_int.h - shared by the svc_msg*.c files only.
 */
#ifndef QZ_SVC_MSG_INT_H
#define QZ_SVC_MSG_INT_H

#include "svc/svc.h"

/* The server clock in unix milliseconds (messages' create and update times). */
int64_t svc_msg_now_ms(const struct svc_ctx *c);
/* The mentions of a checked content as the mentions column stores them. */
const char *svc_msg_mentions_json(struct arena *a, const struct msg_content *mc);
/* svc_msg_content with the lookups of the acting app and tenant. */
enum err svc_msg_check_content(struct svc_ctx *c, const struct msg_op *o, const char *msg_type,
                               const char *content, struct msg_content *out);
/* ERR_FORBIDDEN (SUBJ_SPEAK) when the chat's moderation keeps the operator quiet. */
enum err svc_msg_may_speak(struct svc_ctx *c, const struct chat_view *v);
/* ERR_FORBIDDEN (SUBJ_SPEAK) when the content @-mentions all and the chat
 * lets only its owner and managers do that. */
enum err svc_msg_may_mention_all(struct svc_ctx *c, const struct chat_view *v,
                                 const struct msg_content *mc);
/* A message of c->tenant by id: ERR_BAD_REQUEST (SUBJ_MESSAGE) for a
 * malformed id, ERR_NOT_FOUND (SUBJ_MESSAGE) for an unknown one. */
enum err svc_msg_load(struct svc_ctx *c, const char *message_id, struct fs_msg_row *out);

/* The chat a message to (receive_id_type, id) goes into: a chat the
 * operator is in, or the bot's p2p chat with a person (opened on demand).
 * An id that names nothing is ERR_BAD_REQUEST with subject 'unknown'. */
enum err svc_msg_receiver(struct svc_ctx *c, const struct msg_op *o, const char *type,
                          const char *id, enum subj unknown, struct chat_view *v);
/* The p2p chat of the acting app's bot and 'person', created on demand. */
enum err svc_msg_p2p_open(struct svc_ctx *c, const struct msg_op *o, int64_t person,
                          struct chat_view *v);
/* Stores new message 'm' (sets m->id) in 'chat', marks the chat active and
 * writes im.message.receive_v1 for the bots that get it ('mc': its mentions). */
enum err svc_msg_post(struct svc_ctx *c, const struct msg_op *o, struct fs_chat_row *chat,
                      struct fs_msg_row *m, const struct msg_content *mc);
/* Loads the chat of a send for 'op': a member of a live chat. */
enum err svc_msg_chat(struct svc_ctx *c, const struct msg_op *o, const char *chat_id,
                      struct chat_view *v);
/* The message a uuid key 'key' of the operator named within the hour:
 * '*dup' set and 'out' filled, or neither. */
enum err svc_msg_uuid_seen(struct svc_ctx *c, const struct msg_op *o, const char *key,
                           struct fs_msg_row *out, bool *dup);
/* Whether every new message of the chat starts a thread (topic chats). */
bool svc_msg_topic_chat(struct svc_ctx *c, const struct fs_chat_row *chat);
/* The first message of thread 'thread_id' of c->tenant; ERR_NOT_FOUND
 * (no detail) for a malformed or unknown id. */
enum err svc_msg_thread_root(struct svc_ctx *c, const char *thread_id, struct fs_msg_row *out);

#endif
